"""All UI strings in one table: Japanese first, English alongside.

``t(key, lang)`` returns the string; ``localized(row, base, lang)`` picks ``base_en`` or
``base_ja`` from data, falling back to Japanese.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("ja", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # app-wide
    "app.title": ("revitalize — コンテンツ地方創生拠点 GIS", "revitalize — Content Regional Revitalization Bases GIS"),
    "app.tagline": ("アニメ聖地・ロケ地・GI産品・日本遺産を市区町村の地図に重ね、拠点候補を根拠とともに検討します。",
                    "Anime places, filming locations, GI products and Japan Heritage on a map of Japan's "
                    "municipalities, to weigh candidate bases with evidence."),
    "lang.label": ("言語 / Language", "言語 / Language"),
    "nav.home": ("ホーム", "Home"),
    "nav.explorer": ("地図で探す", "Map explorer"),
    "nav.profile": ("市区町村プロフィール", "Municipality profile"),
    "nav.scoring": ("スコアリング", "Scoring"),
    "nav.data": ("データと出典", "Data & credits"),
    # home
    "home.loaded": ("読み込まれているデータ", "Loaded datasets"),
    "home.map": ("市区町村の地図", "Map of municipalities"),
    "home.counts": ("レイヤーの件数", "Layer counts"),
    "home.pages": ("ページ", "Pages"),
    "home.goal": ("目標：2033年までに約200拠点", "Goal: about 200 bases by 2033"),
    # datasets and status
    "ds.dataset": ("データセット", "Dataset"),
    "ds.publisher": ("提供者", "Publisher"),
    "ds.as_of": ("時点", "As of"),
    "ds.licence": ("利用条件", "Licence"),
    "ds.credit": ("出典表記", "Credit"),
    "ds.rows": ("件数", "Rows"),
    "ds.status": ("状態", "Status"),
    "ds.loaded": ("読み込み済み", "loaded"),
    "ds.missing": ("未取得", "missing"),
    "ds.missing_title": ("取得できていないデータがあります", "Some datasets are missing"),
    "ds.missing_body": (
        "次のデータが読み込まれていません。無効になる機能：{disables}。取得方法：インターネットに接続するか、"
        "環境変数 REVITALIZE_DATA_MIRROR に参照データのフォルダを指定して `python -m revitalize build` を実行してください。",
        "These datasets are not loaded. Disabled: {disables}. To get them: connect to the internet, or set "
        "REVITALIZE_DATA_MIRROR to a folder holding the reference files, then run `python -m revitalize build`."),
    "ds.no_db": ("データベースがまだありません。`make run` または `python -m revitalize build` を実行してください。",
                 "There is no database yet. Run `make run` or `python -m revitalize build`."),
    "ds.no_map": ("境界データ（行政区域）がないため地図を表示できません。", "The map needs the boundaries dataset, which is missing."),
    "ds.issues": ("データの注意点", "Data notes"),
    # layers
    "layer.municipalities": ("市区町村", "Municipalities"),
    "layer.prefectures": ("都道府県", "Prefectures"),
    "layer.anime_sites": ("アニメ聖地", "Anime places"),
    "layer.filming_locations": ("ロケ地", "Filming locations"),
    "layer.film_commissions": ("フィルムコミッション", "Film commissions"),
    "layer.gi_areas": ("GI産品の生産地", "GI production areas"),
    "layer.gi_products": ("GI産品", "GI products"),
    "layer.heritage": ("日本遺産 構成文化財", "Japan Heritage properties"),
    "layer.roadside_stations": ("道の駅", "Roadside stations"),
    "layer.population": ("人口（2020年）", "Population (2020)"),
    "layer.pop_change": ("人口増減率 2015→2020", "Population change 2015→2020"),
    "layer.visitors": ("年間観光来訪者数", "Annual visitors"),
    "layer.candidates": ("拠点候補", "Candidate bases"),
    "layer.score": ("スコア", "Score"),
    # map
    "map.basemap": ("背景地図", "Base map"),
    "map.none": ("なし（オフライン）", "None (offline)"),
    "map.gsi_std": ("地理院地図 標準", "GSI standard"),
    "map.gsi_pale": ("地理院地図 淡色", "GSI pale"),
    "map.gsi_photo": ("地理院地図 写真", "GSI aerial photo"),
    "map.osm": ("OpenStreetMap", "OpenStreetMap"),
    "map.assets_missing": ("地図用の JavaScript（Leaflet）がインストールされていません。`make run` を実行してください。",
                           "The map's JavaScript (Leaflet) is not installed. Run `make run`."),
    "map.source": ("出典", "Source"),
    "map.muni": ("市区町村", "Municipality"),
    # filters
    "f.pref": ("都道府県", "Prefecture"),
    "f.muni": ("市区町村（漢字・かな・ローマ字）", "Municipality (kanji, kana or romaji)"),
    "f.work": ("作品名", "Work title"),
    "f.layers": ("表示するレイヤー", "Layers"),
    "f.edition": ("アニメ聖地88 の年版", "Anime 88 edition"),
    "f.gi_class": ("GI 産品の区分", "GI product class"),
    "f.all": ("すべて", "All"),
    "f.rows": ("{n} 件", "{n} rows"),
    # profile
    "p.pick": ("市区町村を選ぶ", "Pick a municipality"),
    "p.population": ("人口の推移（国勢調査）", "Population (census)"),
    "p.visitors": ("観光来訪者数（月別）", "Visitors (monthly)"),
    "p.neighbours": ("近隣の市区町村（{km} km 以内）", "Neighbouring municipalities (within {km} km)"),
    "p.similar": ("指標が似ている市区町村", "Most similar municipalities"),
    "p.distance": ("距離 (km)", "Distance (km)"),
    "p.none": ("該当なし", "None"),
    # scoring
    "s.weights": ("重み", "Weights"),
    "s.load": ("保存した重みを読み込む", "Load a saved weight set"),
    "s.load_btn": ("読み込む", "Load"),
    "s.save_name": ("この重みに名前を付けて保存", "Save these weights as"),
    "s.save_btn": ("保存", "Save"),
    "s.saved": ("保存しました：{path}", "Saved: {path}"),
    "s.upload": ("重みファイル（TOML）", "Weights file (TOML)"),
    "s.reset": ("既定値に戻す", "Reset to defaults"),
    "s.ranking": ("ランキング", "Ranking"),
    "s.indicators": ("指標の定義", "Indicator definitions"),
    "s.contrib": ("スコアの内訳", "Score contributions"),
    "s.pick": ("内訳を表示する市区町村", "Municipality to explain"),
    "s.stability": ("順位の安定性（重みのモンテカルロ）", "Rank stability (Monte Carlo over weights)"),
    "s.draws": ("試行回数", "Draws"),
    "s.top_k": ("上位 K", "Top K"),
    "s.seed": ("乱数シード", "Seed"),
    "s.run_stability": ("安定性を計算", "Compute stability"),
    "s.rank": ("順位", "Rank"),
    "s.coverage": ("データのある重みの割合", "Weight with data"),
    "s.reason": ("理由", "Reason"),
    "s.missing": ("データなしの指標", "Indicators without data"),
    "s.download": ("CSV をダウンロード", "Download CSV"),
    "s.formula": ("スコア = Σ 重み × 指標スコア ÷ Σ 重み（データのある指標のみ）。0〜1、1 が拠点に有利。",
                  "score = Σ weight × indicator score ÷ Σ weight (indicators with data only); 0–1, 1 favours a base."),
    "s.stable_counts": ("安定 {stable} / 感度が高い {sensitive}（上位 {k} に入るか否かが {pct}% 以上の試行で一致すれば安定）",
                        "stable {stable} / sensitive {sensitive} (stable = in or out of the top {k} in at least {pct}% of draws)"),
    # table columns
    "col.layer": ("レイヤー", "Layer"),
    "col.name": ("名称", "Name"),
    "col.work": ("作品・区分", "Work / class"),
    "col.municipality": ("市区町村", "Municipality"),
    "col.prefecture": ("都道府県", "Prefecture"),
    "col.muni_code": ("団体コード", "Code"),
    # errors
    "err.input": ("入力に問題があります", "There is a problem with the input"),
}


def t(key: str, lang: str = "ja", /, **fmt: object) -> str:
    """The UI string for ``key`` in ``lang`` ('ja' or 'en'), formatted with ``fmt``."""
    ja, en = STRINGS[key]
    text = en if lang == "en" else ja
    return text.format(**fmt) if fmt else text


def localized(row: Mapping[str, object], base: str, lang: str) -> str:
    """``row[base + '_en']`` in English when present, else ``row[base + '_ja']`` (or ``row[base]``)."""
    if lang == "en":
        value = row.get(f"{base}_en")
        if isinstance(value, str) and value.strip():
            return value
    value = row.get(f"{base}_ja", row.get(base))
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
