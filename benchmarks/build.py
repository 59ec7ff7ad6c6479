"""Build time and database size (printed, not asserted). Run: `python benchmarks/build.py [--repeat N]`.

Uses REVITALIZE_DATA_MIRROR like `make bench`; each run builds a fresh database in a temporary folder
and times every step the build reports (fetch, read reference files, read curated layers, write).
Target from issue 14: the full build stays near 5 s with the finer boundaries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from revitalize.data import build  # noqa: E402


def one_build(folder: Path) -> tuple[float, float, dict[str, float], int]:
    marks: list[tuple[str, float]] = []
    path = folder / "bench.duckdb"
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    build.build(path, progress=lambda label: marks.append((label, time.perf_counter())))
    end = time.perf_counter()
    cpu = time.process_time() - cpu0
    steps: dict[str, float] = defaultdict(float)
    for (label, t), (_, t_next) in zip(marks, marks[1:] + [("end", end)], strict=False):
        steps["fetch (hash check)" if label.startswith("fetch") else label] += t_next - t
    return end - t0, cpu, steps, path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    totals, cpus, sizes = [], [], []
    per_step: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            total, cpu, steps, size = one_build(Path(tmp))
        totals.append(total)
        cpus.append(cpu)
        sizes.append(size)
        for k, v in steps.items():
            per_step[k].append(v)
    print(f"build: full build median {statistics.median(totals):.2f} s (min {min(totals):.2f} s, "
          f"{args.repeat} runs; CPU {statistics.median(cpus):.2f} s in this process, DuckDB threads included); database {statistics.median(sizes) / 1e6:.1f} MB")
    for k, v in per_step.items():
        print(f"  {k:<24} median {statistics.median(v):.2f} s")


if __name__ == "__main__":
    main()
