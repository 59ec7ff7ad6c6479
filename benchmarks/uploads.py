"""Upload figures (printed, not asserted): parse + validate synthetic standard CSVs of 1k … 200k valid rows.

Alone: ``python benchmarks/uploads.py``. Rows follow the first-generation 観光施設一覧 layout (30 columns),
UTF-8 with BOM and CP932; the time should grow linearly with the rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import io  # noqa: E402
import zipfile  # noqa: E402

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from benchmarks._timing import timed  # noqa: E402
from revitalize.core import settings  # noqa: E402
from revitalize.data import (
    db,  # noqa: E402
    uploads,  # noqa: E402
)
from revitalize.workflow import user_layers  # noqa: E402
from revitalize.workflow.auth import User  # noqa: E402

HEADER = ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ", "名称_英語", "POIコード",
          "住所", "方書", "緯度", "経度", "利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項", "料金（基本）",
          "料金（詳細）", "説明", "説明_英語", "アクセス方法", "駐車場情報", "バリアフリー情報", "連絡先名称", "連絡先電話番号",
          "連絡先内線番号", "画像", "画像_ライセンス", "URL", "備考"]


def standard_csv(n: int, *, encoding: str = "utf-8-sig", seed: int = 0) -> bytes:
    """``n`` valid rows of a 観光施設一覧 CSV (points spread over Honshu)."""
    rng = np.random.default_rng(seed)
    i = np.arange(1, n + 1).astype(str)
    df = pd.DataFrame({c: "" for c in HEADER}, index=range(n))
    df["都道府県コード又は市区町村コード"] = "422037"
    df["NO"] = i
    df["都道府県名"], df["市区町村名"] = "長崎県", "島原市"
    df["名称"] = np.char.add("観光施設", i)
    df["名称_カナ"] = "カンコウシセツ"
    df["住所"] = np.char.add("長崎県島原市城内一丁目", i)
    df["緯度"] = np.round(rng.uniform(33.0, 40.0, n), 6).astype(str)
    df["経度"] = np.round(rng.uniform(130.0, 141.0, n), 6).astype(str)
    df["利用可能曜日"], df["開始時間"], df["終了時間"] = "月火水木金土日", "09:00", "17:00"
    df["説明"] = "城下町の歴史を伝える施設です。駐車場あり、入場無料～"
    df["URL"] = "https://www.example.lg.jp/page.html"
    return df.to_csv(index=False, lineterminator="\r\n").encode(encoding)


_LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))


def entity_bombs() -> tuple[bytes, bytes]:
    """A KML and an .xlsx whose XML declares a billion-laughs entity expansion (both must be refused fast)."""
    kml = (f'<?xml version="1.0"?><!DOCTYPE kml [{_LAUGHS}]><kml xmlns="http://www.opengis.net/kml/2.2">'
           "<Document><Placemark><name>&lol9;</name><Point><coordinates>130.36,32.78</coordinates></Point>"
           "</Placemark></Document></kml>").encode()
    wb = openpyxl.Workbook()
    wb.active.append(["名称"])
    wb.active.append(["x"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    members = {i.filename: src.read(i) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    sheet = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    members["xl/worksheets/sheet1.xml"] = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{_LAUGHS}]>'.encode()
                                           + sheet.replace(b"<t>x</t>", b"<t>&lol9;</t>"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return kml, out.getvalue()


def bench_entity_bombs() -> None:
    """Refusing a billion-laughs KML and .xlsx (was a 5 s limit inside tests/test_uploads.py)."""
    kml, xlsx = entity_bombs()
    for name, data in (("laughs.kml", kml), ("laughs.xlsx", xlsx)):
        t, up = timed(lambda: uploads.inspect_upload(data, name), repeat=3)
        assert up.problems
        print(f"uploads: entity bomb {name:<12} refused in {t:6.3f} s (target: well under 5 s)")


# 200,000 rows of 30 columns are ~57 MB, past the default 50 MB upload limit: allow them here
LIMITS = uploads.Limits(max_upload_bytes=100 * uploads.MiB)


def bench_uploads() -> None:
    for n in (1_000, 10_000, 100_000, 200_000):
        for enc in ("utf-8-sig", "cp932"):
            data = standard_csv(n, encoding=enc)
            t, up = timed(lambda: uploads.read_upload(data, "bench.csv", limits=LIMITS), repeat=3 if n <= 10_000 else 1)
            assert len(up.records) == n and not up.problems
            print(f"uploads: {n:>7,} rows {enc:<9} {len(data) / 2**20:6.1f} MB  {t:6.2f} s  "
                  f"({t / n * 1e6:.1f} µs/row)" + ("  (target: under 30 s)" if n == 200_000 else ""))

    for n in (10_000, 50_000):
        df = pd.read_csv(io.BytesIO(standard_csv(n)), dtype=str, keep_default_na=False)
        buf = io.BytesIO()
        df.to_excel(buf, index=False)
        data = buf.getvalue()
        t, up = timed(lambda: uploads.read_upload(data, "bench.xlsx", limits=LIMITS), repeat=1)
        assert len(up.records) == n
        print(f"uploads: {n:>7,} rows xlsx      {len(data) / 2**20:6.1f} MB  {t:6.2f} s  ({t / n * 1e6:.1f} µs/row)")
    for n in (10_000, 100_000):
        rng = np.random.default_rng(1)
        g = gpd.GeoDataFrame({"名称": [f"地点{i}" for i in range(n)]}, crs=6677,
                             geometry=shapely.points(rng.uniform(-50_000, 50_000, n), rng.uniform(-50_000, 50_000, n)))
        for driver, name in (("GPKG", "bench.gpkg"), ("GeoJSON", "bench.geojson")):
            buf = io.BytesIO()
            g.to_file(buf, driver=driver)
            data = buf.getvalue()
            t, up = timed(lambda: uploads.read_upload(data, name, limits=LIMITS), repeat=1)
            assert len(up.records) == n
            print(f"uploads: {n:>7,} points {driver:<8} {len(data) / 2**20:6.1f} MB  {t:6.2f} s  "
                  f"(EPSG:6677 → 4326, {t / n * 1e6:.1f} µs/row)")


def bench_user_layers() -> None:
    """Preview (read + spatial join) and confirm (one transaction) into an in-memory workflow database."""
    path = settings.db_path()
    if not path.exists():
        print(f"user layers: skipped (no reference database at {path}; run `python -m revitalize build`)")
        return
    ref = db.connect(path, read_only=True)
    admin = User("bench", "admin")
    try:
        for n in (10_000, 100_000):
            data = standard_csv(n)
            work = db.connect_workflow(":memory:")
            t_p, p = timed(lambda: user_layers.preview(data, "bench.csv", name="bench", ref_con=ref,
                                                       limits=LIMITS), repeat=1)
            t_c, _ = timed(lambda: user_layers.confirm(work, admin, p), repeat=1)
            print(f"user layers: {n:>7,} rows  preview {t_p:6.2f} s (read + spatial join)  confirm {t_c:6.2f} s "
                  f"(one transaction)")
            work.close()
    finally:
        ref.close()


if __name__ == "__main__":
    bench_entity_bombs()
    bench_uploads()
    bench_user_layers()
