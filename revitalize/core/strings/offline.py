"""Strings of a build without the reference data (the curated layers shown without boundaries)."""

STRINGS: dict[str, tuple[str, str]] = {
    "ds.no_outlines": (
        "境界データ（行政区域）がないため、市区町村の輪郭・塗り分けと市区町村に置く地点は表示できません。"
        "座標のある地点と、各レイヤーの件数・表は表示しています。",
        "Without the boundaries dataset, municipal outlines, choropleths and points placed at their municipality "
        "cannot be shown. Points with coordinates, and every layer's counts and tables, are shown."),
}
