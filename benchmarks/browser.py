"""Page and map times in a real browser (headless Debian Chromium via Playwright), printed side by side.

Starts the app on a free port, visits every page cold (first visit after the server started, fresh
browser profile) and warm (again, same browser), changes each explorer filter, and prints each time
beside the same run's time for a page without a map (Data). Ends with the app process's RSS after
one session visited every page, and after a second browser session did too.

Targets (issue 13): a page with a map → map drawn with its layers ≤ 1.0 s over the no-map page;
a filter or choropleth change → map redrawn ≤ 1.0 s, keeping the zoom when the extent does not change;
one app process < 1 GB RSS, a second session ≤ +150 MB.

Run: ``python benchmarks/browser.py [--app-dir DIR]`` with REVITALIZE_DB set (``--app-dir`` runs another
checkout of the app, e.g. the starting commit, for a before/after comparison).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
NO_MAP = "/data"
MAP_PAGES = ["/home", "/explorer", "/profile?muni=01202", "/scoring", "/progress", "/portfolio"]

# State of the Leaflet map in a frame: null when there is none yet. ``seq`` changes when the map was redrawn
# (a new map, a new render of the same map, or other markers/shapes).
PROBE = """() => {
  const c = document.querySelector('.leaflet-container');
  if (!c || typeof L === 'undefined') return null;
  const markers = document.querySelectorAll('.leaflet-marker-icon').length;
  const shapes = document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').length;
  const map = window.rvMap || Object.values(window).find(v => v instanceof L.Map);
  const seq = (window.rvRenderSeq !== undefined ? 'r' + window.rvRenderSeq : c.id) + ':' + markers;
  return {markers, shapes, seq, zoom: map ? map.getZoom() : null};
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(app_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "REVITALIZE_TILES": "none"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"],
                            cwd=app_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2).status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the app did not start")


def map_states(pg) -> list[dict]:
    out = []
    for f in pg.frames:
        if f is pg.main_frame:
            continue
        try:
            s = f.evaluate(PROBE)
        except Exception:  # frame still loading or gone
            continue
        if s:
            out.append(s)
    return out


def script_done(pg) -> bool:
    return pg.evaluate("() => { const a = document.querySelector('[data-testid=stApp]');"
                       " return !!a && a.getAttribute('data-test-script-state') === 'notRunning'"
                       " && !!document.querySelector('h1'); }")


def wait_for(pg, cond, timeout_s: float = 90.0, step_ms: int = 25) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        try:
            if cond():
                return time.perf_counter() - t0
        except Exception:
            pass
        pg.wait_for_timeout(step_ms)
    return float("nan")


def drawn(pg, need_markers: bool) -> bool:
    return any(s["shapes"] > 0 and (s["markers"] > 0 or not need_markers) for s in map_states(pg))


def visit(pg, base: str, path: str, timeout_s: float = 45.0) -> float:
    """Seconds from navigation to the script done (no-map page) or the map drawn (nan on time-out)."""
    t0 = time.perf_counter()
    pg.goto(base + path, wait_until="commit")
    if path == NO_MAP:
        secs = wait_for(pg, lambda: script_done(pg), timeout_s)
    else:
        need = path.startswith(("/home", "/explorer"))
        secs = wait_for(pg, lambda: drawn(pg, need), timeout_s)
    out = time.perf_counter() - t0 if secs == secs else secs
    print(f"  {path}: {out:.2f} s", file=sys.stderr, flush=True)
    return out


def redraw_after(pg, action, *, keep_zoom: bool) -> tuple[float, str]:
    """Seconds from the action to a redrawn map, and whether the (changed) zoom survived."""
    before = map_states(pg)
    zoom = None
    if keep_zoom:  # the user zoomed in; a filter that keeps the extent should keep that zoom
        for f in pg.frames:
            try:
                zoom = f.evaluate("() => { const m = window.rvMap || Object.values(window).find("
                                  "v => typeof L !== 'undefined' && v instanceof L.Map);"
                                  " if (!m) return null; m.setZoom(m.getZoom() + 1, {animate: false});"
                                  " return m.getZoom(); }")
            except Exception:
                continue
            if zoom is not None:
                break
        pg.wait_for_timeout(300)
        before = map_states(pg)
    seqs = {s["seq"] for s in before}
    t0 = time.perf_counter()
    action()

    def changed() -> bool:
        return any(s["seq"] not in seqs and s["shapes"] > 0 for s in map_states(pg))

    secs = wait_for(pg, changed, timeout_s=60) + 0.0
    secs = time.perf_counter() - t0 if secs == secs else secs  # include the action itself
    kept = "—"
    draw = [f.evaluate("() => window.rvDrawMs === undefined ? null : window.rvDrawMs") for f in pg.frames
            if "mapview" in f.url]
    if draw and draw[0] is not None:
        kept = f"(map drawn {draw[0]:.0f} ms after its spec arrived) "
    if keep_zoom:
        pg.wait_for_timeout(200)
        zooms = [s["zoom"] for s in map_states(pg)]
        kept = ("" if kept == "—" else kept) + ("zoom kept" if zoom is not None and zoom in zooms
                                                    else f"zoom lost ({zoom} → {zooms})")
    return secs, kept


def sidebar_multiselect(pg, label: str):
    return pg.locator("section[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text=label).first


def pick(pg, label: str, text: str) -> None:
    box = sidebar_multiselect(pg, label)
    box.locator("input").click()
    box.locator("input").fill(text)
    pg.keyboard.press("Enter")
    pg.keyboard.press("Escape")


def drop_last(pg, label: str) -> None:
    box = sidebar_multiselect(pg, label)
    box.locator("input").click()
    pg.keyboard.press("Backspace")
    pg.keyboard.press("Escape")


def type_work(pg, text: str) -> None:
    inp = pg.locator("section[data-testid=stSidebar] [data-testid=stTextInput]").filter(has_text="作品名").locator(
        "input")
    inp.fill(text)
    inp.press("Enter")


def choose_edition(pg, year: str) -> None:
    box = pg.locator("section[data-testid=stSidebar] [data-testid=stSelectbox]").filter(has_text="年版").first
    box.locator("input").click()
    box.locator("input").fill(year)
    pg.keyboard.press("Enter")


def rss_mb(proc: subprocess.Popen | None) -> float:
    if proc is None:
        return float("nan")
    p = psutil.Process(proc.pid)
    return sum(q.memory_info().rss for q in [p, *p.children(recursive=True)]) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--app-dir", type=Path, default=ROOT)
    ap.add_argument("--url", help="an app already running (no RSS figures then)")
    args = ap.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if args.url:
        proc, base = None, args.url.rstrip("/")
    else:
        port = _free_port()
        proc = start_app(args.app_dir, port)
        base = f"http://localhost:{port}"
    rows: list[tuple[str, float, str]] = []
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            def browser(n: int):
                return p.chromium.launch_persistent_context(f"{profile}-{n}", executable_path=chromium,
                                                            args=CHROMIUM_ARGS, headless=True,
                                                            viewport={"width": 1400, "height": 1000})

            # every page alike: cold = a fresh browser profile and the first visit since the server started;
            # warm = the same page again in that browser
            nomap: dict[str, float] = {}
            for n, path in enumerate([NO_MAP, *MAP_PAGES]):
                c = browser(n)
                pg = c.new_page()
                times = {kind: visit(pg, base, path) for kind in ("cold", "warm")}
                c.close()
                if path == NO_MAP:
                    nomap = times
                    continue
                for kind, secs in times.items():
                    rows.append((f"open {path} ({kind})", secs, f"{secs - nomap[kind]:+.2f} s over no-map"))
            ctx = browser(100)
            pg = ctx.new_page()
            visit(pg, base, "/explorer")
            pg.wait_for_timeout(1500)
            actions = [
                ("prefecture: 北海道", lambda: pick(pg, "都道府県", "北海道"), False),
                ("layer toggle: GI areas off", lambda: drop_last(pg, "表示するレイヤー"), True),
                ("choropleth: population", lambda: pick(pg, "表示するレイヤー", "人口（2020年）"), True),
                ("choropleth: visitors", lambda: pick(pg, "表示するレイヤー", "年間観光来訪者数"), True),
                # the edition before the work search: a work chosen first may already be all of one edition,
                # and a filter that changes nothing on the map does not redraw it
                ("edition: 2018", lambda: choose_edition(pg, "2018"), True),
                ("work search: ざつ旅", lambda: type_work(pg, "ざつ旅"), True),
            ]
            for name, action, keep in actions:
                try:
                    secs, kept = redraw_after(pg, action, keep_zoom=keep)
                except Exception as exc:  # a widget that could not be used: say so, go on
                    secs, kept = float("nan"), f"failed: {type(exc).__name__}"
                print(f"  {name}: {secs:.2f} s {kept}", file=sys.stderr, flush=True)
                rows.append((f"explorer {name}", secs, kept))
                pg.wait_for_timeout(1500)
            for path in [NO_MAP, *MAP_PAGES]:  # this session has now seen every page
                visit(pg, base, path)
            pg.wait_for_timeout(1000)
            rss_one = rss_mb(proc)
            ctx2 = browser(200)
            pg2 = ctx2.new_page()
            for path in [NO_MAP, *MAP_PAGES]:
                visit(pg2, base, path)
            pg2.wait_for_timeout(1000)
            rss_two = rss_mb(proc)
            ctx2.close()
            ctx.close()
            for n in [*range(len(MAP_PAGES) + 1), 100, 200]:
                shutil.rmtree(f"{profile}-{n}", ignore_errors=True)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"app: {args.app_dir}")
    print(f"{'what':<44} {'seconds':>8}  note")
    print(f"{'open ' + NO_MAP + ' (no map, cold)':<44} {nomap['cold']:>8.2f}")
    print(f"{'open ' + NO_MAP + ' (no map, warm)':<44} {nomap['warm']:>8.2f}")
    for name, secs, note in rows:
        print(f"{name:<44} {secs:>8.2f}  {note}")
    print(f"RSS of the app with one session that visited every page: {rss_one:,.0f} MB")
    print(f"RSS after a second session did too: {rss_two:,.0f} MB ({rss_two - rss_one:+,.0f} MB)")


if __name__ == "__main__":
    main()
