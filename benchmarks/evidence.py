"""Evidence sheets: HTML vs PDF time for 2, 20 and 200 sheets in one run (printed, not asserted).

Target (issue 13): PDF time linear in the number of sheets and ≤ 3× the HTML time of the same sheets.
Run: ``python benchmarks/evidence.py [--sizes 2 20 200] [--profile]`` with REVITALIZE_DB set.
``--profile`` writes a pyinstrument profile of the PDF of the first size to artifacts/.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from revitalize.data import db  # noqa: E402
from revitalize.outputs import evidence, shortlists  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[2, 20, 200])
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    con = db.connect(read_only=True)
    ctx = evidence.context(con)
    sl = shortlists.shortlist_for("score", con, lang="ja", top=max(args.sizes))
    evidence.render(con, evidence.subjects_from_shortlist(sl, top=1), "pdf", ctx=ctx)  # import + fonts, once
    # wall seconds and CPU seconds (this process): on a shared, loaded machine the CPU figure is the steadier one
    print(f"{'sheets':>6} {'html s':>8} {'pdf s':>8} {'pdf/html':>8} {'pdf s/sheet':>11} "
          f"{'html cpu':>8} {'pdf cpu':>8} {'cpu ratio':>9} {'pdf MB':>7}")
    for n in args.sizes:
        subjects = evidence.subjects_from_shortlist(sl, top=n)
        t, c = time.perf_counter(), time.process_time()
        html = evidence.render(con, subjects, "html", ctx=ctx)
        t_html, c_html = time.perf_counter() - t, time.process_time() - c
        if args.profile and n == args.sizes[0]:
            from pyinstrument import Profiler

            prof = Profiler()
            prof.start()
        t, c = time.perf_counter(), time.process_time()
        pdf = evidence.render(con, subjects, "pdf", ctx=ctx)
        t_pdf, c_pdf = time.perf_counter() - t, time.process_time() - c
        if args.profile and n == args.sizes[0]:
            prof.stop()
            out = ROOT / "artifacts" / f"evidence_pdf_{n}.txt"
            out.parent.mkdir(exist_ok=True)
            out.write_text(prof.output_text(unicode=True, color=False, show_all=False))
            print(f"profile: {out}")
        print(f"{n:>6} {t_html:>8.2f} {t_pdf:>8.2f} {t_pdf / t_html:>8.1f} {t_pdf / n:>11.3f} "
              f"{c_html:>8.2f} {c_pdf:>8.2f} {c_pdf / c_html:>9.1f} {len(pdf) / 1e6:>7.2f}", flush=True)
        del html


if __name__ == "__main__":
    main()
