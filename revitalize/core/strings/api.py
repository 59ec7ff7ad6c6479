"""The OGC API – Features server (app/api): collection titles and the problems it answers with."""

STRINGS: dict[str, tuple[str, str]] = {
    "api.title": ("revitalize オープンデータ API（OGC API – Features）",
                  "revitalize open data API (OGC API – Features)"),
    "api.description": ("地域活性化の候補地選定に使う市区町村・観光資源のデータと、既定の重みによるスコアを、"
                        "QGIS・GDAL・Excel・スクリプトから読める標準の形（読み取り専用）で提供します。",
                        "The municipalities, tourism assets and default-weight scores behind revitalize, read-only "
                        "in a standard form for QGIS, GDAL, Excel and scripts."),
    "api.coll.municipalities": ("市区町村（スコア・順位つき）", "Municipalities (with score and rank)"),
    "api.coll.municipalities.desc": ("市区町村の境界（0.1 % 簡略化）、人口（2020 年）、最新の通年の観光来訪者数、"
                                     "既定の重みによるスコア・基準ごとの寄与・順位。",
                                     "Municipal boundaries (0.1 % simplified), population (2020), visitors in the "
                                     "latest full year, and the score under the default weights with each "
                                     "criterion's contribution and the rank."),
    "api.coll.gi_products.desc": ("GI 産品 × 生産地の市区町村ごとに 1 件（市区町村内の代表点）。生産地のない産品は"
                                  "位置なしの 1 件。",
                                  "One feature per GI product and municipality of its production area (at a point "
                                  "inside the municipality); a product without one is a single feature without "
                                  "geometry."),
    "api.coll.roadside_stations.desc": ("道の駅（位置は所在市区町村内の代表点。出典に座標がないため）。",
                                        "Roadside stations (placed at a point inside their municipality: the "
                                        "source gives no coordinates)."),
    "api.coll.bases": ("選定された拠点（コンテンツ地方創生拠点）", "Designated bases (Content Regional Revitalization Bases)"),
    "api.coll.bases.desc": ("登録簿のうち選定済みの拠点だけ（下書き・審査中などと担当者の連絡先は含みません）。"
                            "位置は構成市区町村の境界を合わせたもの。",
                            "Only the designated bases of the register (never drafts or candidates under review, "
                            "never the contact person); the geometry is their municipalities' outlines together."),
    "api.coll.bases.credit": ("出典：公表された拠点の選定結果（revitalize の登録簿、各行の出典URL）",
                              "Source: the published designations of bases (revitalize register; each row's "
                              "source URL)"),
    "api.coll.bases.licence": ("公表情報（各行の出典URLを参照）", "published facts; see each row's source_url"),
    "api.err.title.400": ("リクエストが正しくありません", "Bad request"),
    "api.err.title.404": ("見つかりません", "Not found"),
    "api.err.title.405": ("この API は読み取り専用です", "This API is read-only"),
    "api.err.title.414": ("クエリ文字列が長すぎます", "Query string too long"),
    "api.err.title.500": ("サーバー内部のエラー", "Internal server error"),
    "api.err.unknown_param": ("パラメータ {name} はこのコレクションでは使えません。使えるもの：{allowed}",
                              "Parameter {name} is not accepted here; expected one of: {allowed}"),
    "api.err.repeated_param": ("パラメータ {name} が 2 回以上指定されています（1 回だけにしてください）",
                               "Parameter {name} is given more than once; expected it once"),
    "api.err.limit": ("limit は 1〜{max} の整数にしてください（指定値：{found}）",
                      "limit: expected an integer from 1 to {max}, found {found}"),
    "api.err.offset": ("offset は 0 以上の整数にしてください（指定値：{found}）",
                       "offset: expected an integer of 0 or more, found {found}"),
    "api.err.bbox": ("bbox は 経度最小,緯度最小,経度最大,緯度最大 の 4 つの数（経度 −180〜180、緯度 −90〜90、"
                     "最小 ≦ 最大）にしてください（指定値：{found}）",
                     "bbox: expected 4 numbers minLon,minLat,maxLon,maxLat (longitude −180..180, latitude −90..90, "
                     "min ≤ max), found {found}"),
    "api.err.filter_value": ("{name} の値は {expected} の形にしてください（指定値：{found}）",
                             "{name}: expected {expected}, found {found}"),
    "api.err.bbox_latlon": ("bbox-crs が EPSG:6668 のとき、bbox は 緯度最小,経度最小,緯度最大,経度最大 の 4 つの数"
                            "（緯度 −90〜90、経度 −180〜180、最小 ≦ 最大）にしてください（指定値：{found}）",
                            "bbox with bbox-crs EPSG:6668: expected 4 numbers minLat,minLon,maxLat,maxLon (latitude "
                            "−90..90, longitude −180..180, min ≤ max), found {found}"),
    "api.err.datetime": ("datetime は 日付（YYYY-MM-DD）、RFC 3339 の日時、または期間 a/b（.. で開いた端）にしてください"
                         "（指定値：{found}）",
                         "datetime: expected a date (YYYY-MM-DD), an RFC 3339 date-time or an interval a/b (.. for an "
                         "open end), found {found}"),
    "api.err.no_dates": ("このコレクションには日付がないため datetime は使えません",
                         "datetime: this collection has no dates"),
    "api.err.not_property": ("{name} はこのコレクションの属性ではありません", "{name}: not a property of this collection"),
    "api.err.q": ("q（全文検索）は提供していません。属性での絞り込みか filter を使ってください",
                  "q: free-text search is not offered; use property filters or filter"),
    "api.err.cql_node": ("filter で {node} は使えません（比較、BETWEEN、LIKE、IN、IS NULL と AND/OR/NOT が使えます）",
                         "filter: {node} is not offered (expected comparisons, BETWEEN, LIKE, IN, IS NULL with "
                         "AND/OR/NOT)"),
    "api.err.cql_property": ("filter にはこのコレクションの属性を指定してください（指定値：{found}）",
                             "filter: expected a property of this collection, found {found}"),
    "api.err.cql_syntax": ("filter を CQL2 テキストとして読めません（例：pref_code = '13' AND population_2020 > 100000）",
                           "filter: expected CQL2 text, e.g. pref_code = '13' AND population_2020 > 100000"),
    "api.err.sortby": ("sortby にはこのコレクションの属性を指定してください（降順は -属性名）",
                       "sortby: expected properties of this collection (-name for descending)"),
    "api.err.properties": ("properties にはこのコレクションの属性を指定してください",
                           "properties: expected properties of this collection"),
    "api.err.filter_lang": ("filter-lang は cql-text にしてください", "filter-lang: expected cql-text"),
    "api.err.format": ("f は {allowed} のいずれかにしてください（指定値：{found}）",
                       "f: expected one of {allowed}, found {found}"),
    "api.err.too_long": ("クエリ文字列は {max} バイトまでです（{found} バイト）",
                         "The query string may be at most {max} bytes; found {found}"),
    "api.err.read_only": ("{method} は使えません。この API は GET（と HEAD、OPTIONS）だけを受け付けます",
                          "{method} is not allowed: this API answers GET (and HEAD, OPTIONS) only"),
    "api.err.not_found": ("{what} はありません", "{what} does not exist"),
    "api.err.upstream": ("リクエストの値を受け付けられません（{detail}）", "{detail}"),
    "api.err.internal": ("サーバー内部でエラーが起きました。管理者に連絡してください（詳細はサーバーのログ）",
                         "The server failed; please tell its administrator (details are in the server log)"),
}
