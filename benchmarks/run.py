"""Performance figures (printed, not asserted). Run: `make bench` (uses REVITALIZE_DATA_MIRROR).

Targets from the issues: explorer map ≤ 0.5 s and ≤ 2 MB; 50,000 synthetic points ≤ 1 s and ≤ 3 MB;
re-scoring ≤ 50 ms; 1,000 Monte Carlo draws ≤ 1 s; portfolio K = 200 with every constraint ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks._timing import timed  # noqa: E402
from revitalize.analysis import scoring
from revitalize.data import build, db, layers, spatial  # noqa: E402
from revitalize.outputs import explorer, maps


def bench_build(tmp: Path) -> Path:
    path = tmp / "bench.duckdb"
    t = time.perf_counter()
    build.build(path)
    secs = time.perf_counter() - t
    print(f"build: full build {secs:.2f} s; database {path.stat().st_size / 1e6:.1f} MB")
    return path


def bench_join(con) -> None:
    rng = np.random.default_rng(0)
    munis = layers.geodataframe(con, "municipalities")
    munis = munis[munis.geometry.notna()]
    pts = munis.sample_points(1, rng=rng).explode(index_parts=False)  # one point inside each municipality
    idx = rng.integers(0, len(pts), 100_000)
    jitter = rng.normal(0, 0.01, (100_000, 2))
    lon = pts.x.to_numpy()[idx] + jitter[:, 0]
    lat = pts.y.to_numpy()[idx] + jitter[:, 1]
    frame = pd.DataFrame({"id": np.arange(100_000), "lon": lon, "lat": lat})
    t_duck, res = timed(lambda: spatial.assign_municipalities(con, frame, tolerance_km=0), repeat=3)
    g = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    t_gpd, res2 = timed(lambda: gpd.sjoin(g, munis[["muni_code", "geometry"]], predicate="within", how="left"), 3)
    agree = (res.set_index("id")["muni_code"].reindex(frame["id"]).fillna("-").to_numpy()
             == res2.groupby(level=0)["muni_code"].min().reindex(frame.index).fillna("-").to_numpy()).mean()
    print(f"join: 100,000 points → municipality: DuckDB {t_duck:.3f} s, geopandas sjoin {t_gpd:.3f} s, "
          f"ratio DuckDB/geopandas {t_duck / t_gpd:.2f}; same answer for {agree:.2%} of points")


def bench_maps(con) -> None:
    """Server side of a map: publishing the static files (once per data version) and one rerun's spec."""
    data = explorer.load_data(con)
    with tempfile.TemporaryDirectory() as static:
        static = Path(static)
        t, ol = timed(lambda: maps.outlines(data.munis, static_dir=static), repeat=3)
        t2, ps = timed(lambda: explorer.point_sources(data, "ja", static_dir=static), repeat=3)
        sizes = {p.name.split("-")[0]: p.stat().st_size for p in (static / "geo").iterdir()}
        print(f"map static files (once per data version): outlines {t:.3f} s, {sizes['municipalities'] / 1e6:.2f} MB;"
              f" point layers {t2:.3f} s, {sizes['points'] / 1e6:.2f} MB")
        for name, f in (("all layers", explorer.Filters(layers=explorer.ALL_LAYERS)),
                        ("Hokkaido", explorer.Filters(pref_codes=("01",)))):
            t, text = timed(lambda: maps.spec_json(explorer.build_map(explorer.apply_filters(data, f), f,
                                                                      outlines=ol, sources=ps)), repeat=5)
            print(f"map spec per rerun ({name}): {t:.3f} s, {len(text.encode()) / 1e3:.0f} kB")
    rng = np.random.default_rng(1)
    n = 50_000
    synth = pd.DataFrame({"lat": rng.uniform(31, 44, n), "lon": rng.uniform(130, 145, n),
                          "name": [f"点{i}" for i in range(n)], "url": ["https://example.org/"] * n})
    t, payload = timed(lambda: maps.safe_json(maps.point_payload(synth, name="synthetic", color="#d6336c",
                                                                  credit="synthetic", title_col="name",
                                                                  url_col="url")), repeat=3)
    print(f"point layer: 50,000 synthetic points: {t:.3f} s, {len(payload.encode()) / 1e6:.2f} MB "
          "(published once as a static file)")


def bench_scoring(con) -> None:
    ind, raw, sub = scoring.inputs(con)
    w = scoring.Weights()
    rng = np.random.default_rng(2)

    def rescore():
        ww = scoring.Weights({k: float(v) for k, v in zip(scoring.KEYS, rng.uniform(0.1, 5, len(scoring.KEYS)), strict=False)})
        s = scoring.score(sub, ww)
        return s.sort_values("rank")

    t, _ = timed(rescore, repeat=50)
    print(f"scoring: re-score and re-rank {len(sub):,} municipalities: {t * 1000:.1f} ms (median of 50)")
    t, _ = timed(lambda: scoring.stability(sub, w, draws=1000, top_k=200), repeat=3)
    print(f"scoring: 1,000 Monte Carlo weight draws (top 200): {t:.3f} s")


def bench_browser(db_path: Path) -> None:
    chromium = shutil.which("chromium")
    if not chromium:
        print("browser: skipped (no chromium)")
        return
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "REVITALIZE_DB": str(db_path)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://localhost:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"])
            results = []
            for _i in range(4):
                pg = b.new_page()
                t = time.perf_counter()
                pg.goto(url + "/explorer")
                while True:
                    frames = [f for f in pg.frames if "mapview" in f.url]
                    try:
                        if frames and frames[0].evaluate(
                                "() => document.querySelectorAll('.leaflet-marker-icon').length") > 0:
                            break
                    except Exception:
                        pass
                    pg.wait_for_timeout(50)
                results.append(time.perf_counter() - t)
                pg.close()
            b.close()
        print(f"browser: page load → explorer markers visible: first {results[0]:.2f} s (cold server cache), "
              f"then median {statistics.median(results[1:]):.2f} s")
    finally:
        proc.terminate()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = bench_build(Path(d))
        con = db.connect(path, read_only=True)
        bench_join(con)
        bench_maps(con)
        bench_scoring(con)
        from portfolio import bench_portfolio  # benchmarks/portfolio.py (this script's folder is on sys.path)

        bench_portfolio(con)
        from exports import bench_exports  # benchmarks/exports.py

        bench_exports(con)
        from map_html import bench_map_html  # benchmarks/map_html.py

        bench_map_html(con)
        con.close()
        if not args.skip_browser:
            bench_browser(path)


if __name__ == "__main__":
    main()
