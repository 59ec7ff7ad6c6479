"""Coverage of the curated layers: rows held against official or documented totals (issue 23)."""

STRINGS: dict[str, tuple[str, str]] = {
    "cov.title": ("収録状況（公式・公表された総数に対する件数）", "Coverage (rows held against official or documented totals)"),
    "cov.intro": ("キュレーションしたレイヤーは公開情報から1件ずつ出典付きで作っていますが、完全ではありません。"
                  "件数・スコアは下の割合の範囲で読んでください。",
                  "The curated layers are built row by row from public sources, each with a source, but they are "
                  "not complete. Read counts and scores with the shares below in mind."),
    "cov.line": ("{part}：{total} 件中 {held} 件を収録（{pct} %、{as_of} 時点）",
                 "{part}: {held} of {total} held ({pct} %, as of {as_of})"),
    "cov.note": ("この件数は不完全な可能性があります：{parts}", "This count may be incomplete: {parts}"),
    "cov.part_pct": ("{part} {pct} % 収録", "{part} {pct} % covered"),
    "cov.reason": ("（{layers} のデータは不完全：{pct} % 収録）", " ({layers} data incomplete: {pct} % covered)"),
    "cov.col_layer": ("レイヤー", "layer"),
    "cov.col_part": ("版・年・登録", "edition / year / registry"),
    "cov.col_held": ("収録件数", "held"),
    "cov.col_total": ("総数", "total"),
    "cov.col_share": ("収録率（%）", "share (%)"),
    "cov.col_source": ("総数の出典", "source of the total"),
    "cov.col_as_of": ("時点", "as of"),
    "cov.sheet": ("収録状況", "coverage"),
    "ex.col.layer_coverage": ("データの収録状況", "layer coverage"),
    "cov.layer.anime_sites": ("アニメ聖地", "anime places"),
    "cov.layer.filming_locations": ("ロケ地", "filming locations"),
    "cov.layer.film_commissions": ("フィルムコミッション", "film commissions"),
    "cov.layer.gi_products": ("GI 産品", "GI products"),
}
