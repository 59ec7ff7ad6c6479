"""The OGC API under load (issue 22). Prints figures; asserts nothing.

    python benchmarks/api.py [--db PATH] [--clients 50] [--seconds 60]

Starts ``python -m revitalize api`` on the reference database (default: REVITALIZE_DB or
geodata/revitalize.duckdb) on a free loopback port, then measures
1. a 100-feature page of municipalities (with polygons), one client: p50/p95 over 200 requests at random offsets;
2. the whole municipalities collection copied by GDAL (``ogr2ogr`` through the OAPIF driver's paging);
3. ``--clients`` concurrent clients for ``--seconds`` (each a thread with its own keep-alive connection,
   looping at most 100,000 times): a mix of 100-feature pages of every collection, single items and the
   collection list; errors (any status but 200, or a failed connection), p50/p95/max latency;
4. the API process's peak RSS during all of it.
Targets: p95 ≤ 100 ms (1), ≤ 10 s (2), 0 errors and p95 ≤ 500 ms (3), RSS ≤ 500 MB (4).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from revitalize.core import settings  # noqa: E402

MAX_ROUNDS = 100_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RssWatch(threading.Thread):
    """Samples a process's resident memory every 0.2 s; ``peak`` in bytes."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc, self.peak, self.stop = psutil.Process(pid), 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, self.proc.memory_info().rss)
            except psutil.Error:
                return
            self.stop.wait(0.2)


def start(db: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "REVITALIZE_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "revitalize", "api", "--port", str(port)], cwd=ROOT, env=env)
    t = time.perf_counter()
    for _ in range(1200):
        if proc.poll() is not None:
            raise SystemExit(f"the API process ended with status {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/?f=json")
            if c.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.1)
    print(f"start: API answering after {time.perf_counter() - t:.1f} s")
    return proc, port


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[int, int]:
    conn.request("GET", path, headers={"Accept": "application/geo+json"})
    r = conn.getresponse()
    return r.status, len(r.read())


def one_client_pages(port: int, n: int = 200) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    rnd = random.Random(1)
    times, sizes = [], []
    for _ in range(n):
        path = f"/collections/municipalities/items?f=json&limit=100&offset={rnd.randrange(0, 1800)}"
        t = time.perf_counter()
        status, size = fetch(conn, path)
        times.append(time.perf_counter() - t)
        sizes.append(size)
        assert status == 200, status
    ms = np.array(times) * 1000
    print(f"page: 100 municipalities with polygons, one client, {n} requests: p50 {np.percentile(ms, 50):.1f} ms, "
          f"p95 {np.percentile(ms, 95):.1f} ms (target ≤ 100), {np.mean(sizes) / 1e3:.0f} kB a page")


def ogr2ogr_copy(port: int) -> None:
    if shutil.which("ogr2ogr") is None:
        print("ogr2ogr: not installed (apt-get install gdal-bin); skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "municipalities.gpkg"
        t = time.perf_counter()
        r = subprocess.run(["ogr2ogr", "-f", "GPKG", str(dest), f"OAPIF:http://127.0.0.1:{port}", "municipalities"],
                           capture_output=True, text=True)
        secs = time.perf_counter() - t
        info = subprocess.run(["ogrinfo", "-ro", "-so", str(dest), "municipalities"], capture_output=True, text=True)
        count = next((ln.split(":")[1].strip() for ln in info.stdout.splitlines() if "Feature Count" in ln), "?")
    print(f"ogr2ogr: whole municipalities collection {secs:.2f} s (target ≤ 10), {count} features, "
          f"exit {r.returncode}{' ' + r.stderr.strip()[:200] if r.returncode else ''}")


def load(port: int, *, clients: int, seconds: float, ids: list[str], collections: list[str]) -> None:
    until = time.monotonic() + seconds
    results: list[tuple[list[float], int, int]] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        times, errors, n = [], 0, 0
        for _ in range(MAX_ROUNDS):
            if time.monotonic() >= until:
                break
            pick = rnd.random()
            if pick < 0.6:
                c = rnd.choice(collections)
                path = f"/collections/{c}/items?f=json&limit=100&offset={rnd.randrange(0, 300)}"
            elif pick < 0.9:
                path = f"/collections/municipalities/items/{rnd.choice(ids)}?f=json"
            else:
                path = "/collections?f=json"
            t = time.perf_counter()
            try:
                status, _ = fetch(conn, path)
                errors += status != 200
            except (OSError, http.client.HTTPException):
                errors += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            times.append(time.perf_counter() - t)
            n += 1
        with lock:
            results.append((times, errors, n))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    ms = np.array([x for r in results for x in r[0]]) * 1000
    errors, total = sum(r[1] for r in results), sum(r[2] for r in results)
    print(f"load: {clients} clients for {wall:.0f} s: {total} requests ({total / wall:.0f}/s), {errors} errors "
          f"(target 0), p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms (target ≤ 500), "
          f"max {ms.max():.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=settings.db_path())
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    proc, port = start(args.db)
    watch = RssWatch(proc.pid)
    watch.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/collections/municipalities/items?f=json&limit=10000&skipGeometry=true")
        ids = [f["id"] for f in json.loads(conn.getresponse().read())["features"]]
        conn.request("GET", "/collections?f=json")
        colls = [c["id"] for c in json.loads(conn.getresponse().read())["collections"]]
        print(f"data: {len(ids)} municipalities, {len(colls)} collections")
        one_client_pages(port)
        ogr2ogr_copy(port)
        load(port, clients=args.clients, seconds=args.seconds, ids=ids, collections=colls)
    finally:
        watch.stop.set()
        watch.join()
        proc.terminate()
        proc.wait(timeout=30)
    print(f"rss: API process peak {watch.peak / 1e6:.0f} MB (target ≤ 500)")


if __name__ == "__main__":
    main()
