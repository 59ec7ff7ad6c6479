"""What accepted contributions cost the app: the overlay read, laid over the explorer frames and the scoring
inputs, for 0, 100 and 1,000 accepted contributions in a temporary DuckDB workflow store (issue 23).

    python benchmarks/contributions.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import on_reference_db, timed  # noqa: E402

from revitalize.analysis import scoring  # noqa: E402
from revitalize.data import db, layers  # noqa: E402
from revitalize.outputs import explorer  # noqa: E402
from revitalize.workflow import contributions as ct  # noqa: E402
from revitalize.workflow.auth import User  # noqa: E402

REVIEWER = User("rev", "reviewer")


def run(ref) -> None:
    codes = sorted(layers.known_municipalities(ref))
    base = explorer.load_data(ref)
    with tempfile.TemporaryDirectory() as d:
        wf = db.connect_workflow(Path(d) / "wf.duckdb")
        done = 0
        for n in (0, 100, 1000):
            for i in range(done, n):
                cid = ct.propose(wf, REVIEWER, ct.Proposal(
                    layer="filming_locations", action="add", muni_code=codes[i % len(codes)],
                    source_url=f"https://example.jp/{i}", as_of="2026-11-01",
                    fields={"work_title_ja": f"作品{i}", "work_type": "film", "release_year": 2020,
                            "place_name_ja": f"場所{i}"}))
                ct.review(wf, REVIEWER, cid, "accept", reason="bench", read_version=1)
            done = n
            t_ov, ov = timed(lambda: ct.overlay(wf, ref), repeat=3)
            t_ex, _ = timed(lambda: explorer.with_contributions(base, ov), repeat=3)
            t_sc, _ = timed(lambda: scoring.inputs(ref, contributed=ct.municipality_counts(ov)), repeat=3)
            print(f"{n:>5} accepted: overlay {t_ov * 1000:7.1f} ms, explorer overlay {t_ex * 1000:7.1f} ms, "
                  f"scoring inputs with overlay {t_sc * 1000:7.1f} ms")
        wf.close()


if __name__ == "__main__":
    on_reference_db(run)
