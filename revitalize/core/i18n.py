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
    # candidates, progress (workflow)
    "nav.candidates": ("拠点候補", "Candidates"),
    "nav.progress": ("200拠点への進捗", "Progress to 200"),
    "cd.title": ("拠点候補：応募・審査・推薦・選定", "Candidates: applications, review, nomination, designation"),
    "cd.user": ("利用者：{user}（権限：{role}）", "User: {user} (role: {role})"),
    "cd.login": ("ログイン", "Log in"),
    "cd.logout": ("ログアウト", "Log out"),
    "cd.workflow_missing": ("候補データベースを開けません：{err}", "The candidates database cannot be opened: {err}"),
    "cd.list": ("一覧", "List"),
    "f.choose": ("選択してください", "Choose"),
    "cd.export_empty": ("出力する拠点候補がありません（取下げ以外の候補が未登録）。",
                        "No candidate to export (none recorded other than withdrawn ones)."),
    "cd.col_id": ("候補ID", "ID"),
    "cd.col_score": ("スコア（対象市区町村の人口加重平均）", "Score (population-weighted mean of its municipalities)"),
    "cd.h_when": ("日時（UTC）", "When (UTC)"),
    "cd.h_who": ("実施者（権限）", "Who (role)"),
    "cd.h_action": ("操作", "Action"),
    "cd.h_move": ("状況の変更", "Status move"),
    "cd.h_changes": ("変更した項目（前 → 後）", "Fields changed (before → after)"),
    "cd.h_create": ("作成", "Created"),
    "cd.h_edit": ("編集", "Edited"),
    "cd.h_transition": ("状況の変更", "Status change"),
    "cd.h_import": ("取込", "Imported"),
    "cd.evidence": ("根拠シート（印刷用）", "Evidence sheet (printable)"),
    "cd.evidence_download": ("根拠シートをダウンロード（{fmt}）", "Download the evidence sheet ({fmt})"),
    "cd.sug_id": ("提案ID", "Suggestion"),
    "cd.sug_members": ("市区町村数", "Municipalities"),
    "cd.sug_best": ("最も高い市区町村のスコア", "Best member's score"),
    "cd.col_applicants": ("申請者", "Applicants"),
    "cd.col_assets": ("活用資源の数", "Assets linked"),
    "cd.col_updated": ("最終保存（UTC）", "Last saved (UTC)"),
    "cd.col_by": ("保存した人", "Saved by"),
    "cd.new": ("新規作成", "New candidate"),
    "cd.suggest": ("スコアからの提案", "Suggestions from the scoring"),
    "cd.import": ("取込（CSV / Excel）", "Import (CSV / Excel)"),
    "cd.filter_status": ("状況", "Status"),
    "cd.filter_fy": ("公募年度", "Fiscal year of the call"),
    "cd.filter_type": ("類型", "Type"),
    "cd.filter_pref": ("都道府県", "Prefecture"),
    "cd.filter_text": ("名称・申請者・概要で検索", "Search names, applicants, summary"),
    "cd.none": ("該当する候補はありません。", "No candidate matches."),
    "cd.pick": ("詳細を表示する候補", "Candidate to open"),
    "cd.detail": ("詳細", "Detail"),
    "cd.edit": ("編集", "Edit"),
    "cd.transition": ("状況を変更", "Change status"),
    "cd.history": ("履歴（監査記録）", "History (audit trail)"),
    "cd.name_ja": ("名称（日本語）", "Name (Japanese)"),
    "cd.name_en": ("名称（英語）", "Name (English)"),
    "cd.base_type": ("類型", "Type"),
    "cd.fiscal_year": ("公募年度", "Fiscal year of the call"),
    "cd.munis": ("対象市区町村", "Municipalities covered"),
    "cd.applicants": ("申請者（1行に「団体名:種別」）", "Applicants (one per line, 'organisation:kind')"),
    "cd.assets": ("活用するコンテンツ・地域資源", "Content and resources it builds on"),
    "cd.summary": ("概要", "Summary"),
    "cd.contact": ("連絡先", "Contact"),
    "cd.source_url": ("出典URL", "Source URL"),
    "cd.status": ("状況", "Status"),
    "cd.version": ("版", "Version"),
    "cd.designated_on": ("選定日", "Designated on"),
    "cd.origin": ("登録の経緯", "Origin"),
    "cd.save": ("保存", "Save"),
    "cd.saved": ("保存しました（版 {version}）", "Saved (version {version})"),
    "cd.created": ("作成しました：{cid}", "Created: {cid}"),
    "cd.to": ("変更後の状況", "New status"),
    "cd.reason": ("理由（必須）", "Reason (required)"),
    "cd.apply": ("変更する", "Change"),
    "cd.no_next": ("この状況からは変更できません（終了した候補）。", "No change is possible from this status (closed)."),
    "cd.conflict": ("他の人が先に保存しました。あなたの変更は保存されていません。", "Someone else saved first. Your change was not saved."),
    "cd.denied": ("権限がありません", "Not allowed"),
    "cd.readonly": ("閲覧のみの権限です。", "Your role can view only."),
    "cd.suggest_note": ("提案はスコアの高い未応募の市区町村（隣接するものはまとめて）で、候補ではありません。下書きにすると候補になります。",
                        "Suggestions are high-scoring municipalities (neighbours merged) with no candidate yet; they are "
                        "not candidates until turned into a draft."),
    "cd.to_draft": ("提案を下書きにする", "Turn the suggestion into a draft"),
    "cd.pick_suggestion": ("提案", "Suggestion"),
    "cd.import_note": ("公式の選定一覧・応募一覧を取り込みます。1件でも問題があれば何も書き込みません。",
                       "Import the official list of designated bases or applications. If any row has a problem, "
                       "nothing is written."),
    "cd.import_file": ("ファイル（CSV / xlsx）", "File (CSV / xlsx)"),
    "cd.import_run": ("取り込む", "Import"),
    "cd.imported": ("取り込みました：新規 {created} 件、更新 {updated} 件", "Imported: {created} created, {updated} updated"),
    "cd.template": ("取込用の様式（CSV）", "Import template (CSV)"),
    "cd.no_ref": ("参照データベースがないため、市区町村コードは形式のみ確認します。", "Without the reference database, municipality codes are checked for form only."),
    "pg.title": ("2033年までに約200拠点：進捗", "About 200 bases by 2033: progress"),
    "pg.headline": ("選定済み {designated} / 目標 {target}（{fy}年度まで）", "Designated {designated} of {target} (by FY{fy})"),
    "pg.pipeline": ("審査中の候補", "Pipeline"),
    "pg.needed": ("目標達成に必要なペース：残りの公募1回あたり {n} 拠点", "Pace needed: {n} bases per remaining call"),
    "pg.needed_none": ("残りの公募はありません。", "No call remains."),
    "pg.projection": ("これまでのペース（年 {pace} 拠点）では {fy} 年度に 200 に到達", "At the pace so far ({pace} a year) the target is reached in FY{fy}"),
    "pg.projection_none": ("まだ選定がないため到達年度は推計できません。", "No designation yet: the year the target is reached cannot be projected."),
    "pg.on_track": ("目標どおりのペースです。", "On track."),
    "pg.off_track": ("このペースでは目標年度に届きません。", "Not on track at this pace."),
    "pg.col_designated": ("選定", "Desig."),
    "pg.col_cumulative": ("累計", "Cumul."),
    "pg.col_needed": ("必要累計", "Needed"),
    "pg.by_year": ("年度別の選定数と必要なペース", "Designations by fiscal year against the pace needed"),
    "pg.by_region": ("地方別", "By region"),
    "pg.by_prefecture": ("都道府県別", "By prefecture"),
    "pg.by_type": ("類型別", "By type"),
    "pg.without": ("拠点のない都道府県（{n}）", "Prefectures with no base ({n})"),
    "pg.series_actual": ("選定累計", "Designated (cumulative)"),
    "pg.series_needed": ("必要な累計", "Needed (cumulative)"),
    "pg.series_projection": ("現在のペースでの推計", "Projection at current pace"),
    "pg.count": ("拠点数", "Bases"),
    "pg.empty": ("拠点候補はまだ登録されていません。「拠点候補」ページで公式の選定一覧・応募一覧を取り込むか、候補を作成してください。",
                 "No candidate is recorded yet. Import the official list of designated bases or applications, or "
                 "create candidates, on the Candidates page."),
    "layer.bases_designated": ("選定済みの拠点", "Designated bases"),
    "layer.bases_pipeline": ("審査中の拠点候補", "Candidates in review"),
    "pg.map": ("選定済み（緑）と審査中（橙）の拠点候補", "Designated bases (green) and the pipeline (orange)"),
    "pg.map_credit": ("拠点候補：本アプリの候補台帳（選定・応募の記録）", "Candidates: this app's register of applications and designations"),
    # portfolio
    "nav.portfolio": ("ポートフォリオ選定", "Portfolio selection"),
    "pf.intro": ("指定済みの拠点（固定）に加えて、合計スコアが最大になる K 件の新しい拠点を制約のもとで選びます"
                 "（整数計画法、HiGHS）。貪欲法（スコア順）の結果と差も示します。",
                 "Choose K new bases on top of the designated (fixed) ones so that the total score is as high as "
                 "possible under the constraints (integer programme, HiGHS), shown beside a greedy pick by score."),
    "pf.pool_note": ("選択の対象：選定済み {designated} 件（固定）、拠点候補 {candidates} 件、候補のない市区町村 {suggestions} 件"
                     "（提案）。スコアは 0〜100 点。地図上の点がない {dropped} 件は除外。",
                     "Pool: {designated} designated (fixed), {candidates} candidates, {suggestions} municipalities "
                     "without a candidate (suggestions); scores in points 0–100; {dropped} without a point on the "
                     "map left out."),
    "pf.weights": ("重み", "Weights"),
    "pf.weights_default": ("既定の重み", "Default weights"),
    "pf.k": ("新たに選ぶ拠点数 K", "New bases to choose (K)"),
    "pf.max_per_pref": ("都道府県あたりの上限（0 = なし）", "Maximum per prefecture (0 = none)"),
    "pf.min_per_region": ("地方あたりの下限（0 = なし）", "Minimum per region (0 = off)"),
    "pf.min_per_pref": ("都道府県あたりの下限（1 = 全都道府県に1件以上）", "Minimum per prefecture (1 = at least one each)"),
    "pf.min_km": ("拠点間の最小距離 km（0 = なし）", "Minimum distance between bases, km (0 = off)"),
    "pf.shares": ("拠点類型の最低割合（固定を含む全体に対して）", "Minimum share of each base type (of the whole set)"),
    "pf.solve": ("選定する", "Solve"),
    "pf.press_solve": ("条件を設定して「選定する」を押してください。", "Set the constraints and press Solve."),
    "pf.exact_total": ("最適解の合計スコア", "Exact total score"),
    "pf.greedy_total": ("貪欲法の合計スコア", "Greedy total score"),
    "pf.gap": ("差（最適 − 貪欲）", "Gap (exact − greedy)"),
    "pf.solve_time": ("計算時間", "Solve time"),
    "pf.greedy_failed_metric": ("失敗", "failed"),
    "pf.chosen": ("選ばれた拠点（{n} 件）", "Chosen bases ({n})"),
    "pf.left_out": ("選ばれなかった候補と理由", "Left out, with the reason"),
    "pf.diagnosis_note": ("理由は一対一の入れ替えで最初に見つかった制約やスコアを示す診断で、他の選び方がないことの証明ではありません。",
                          "Each reason is the first binding constraint (or the score) found for a one-for-one "
                          "exchange: a diagnosis, not a proof that no other selection would take the item."),
    "pf.infeasible": ("この条件を満たす選び方はありません", "No selection meets these constraints"),
    "pf.download": ("選外を含む全件と理由を CSV で", "All items with reasons (CSV)"),
    "pf.download_fmt": ("選定結果をダウンロード（{fmt}）", "Download the chosen set ({fmt})"),
    "pf.base_type": ("類型", "Type"),
    "pf.type.tourism": ("コンテンツ観光振興型", "Content tourism promotion"),
    "pf.type.industry": ("コンテンツ産業振興型", "Content industry promotion"),
    "pf.type.composite": ("複合型", "Composite"),
    "pf.layer.fixed": ("指定済みの拠点（固定）", "Designated bases (fixed)"),
    "pf.layer.new": ("新たに選んだ拠点", "New picks"),
    "pf.map_credit": ("revitalize ポートフォリオ選定（スコアは revitalize の指標から）",
                      "revitalize portfolio selection (scores from revitalize's indicators)"),
    "pf.kind.designated": ("指定済み", "designated"),
    "pf.kind.candidate": ("候補", "candidate"),
    "pf.kind.suggestion": ("提案（スコア）", "suggestion (score)"),
    "pf.col.item_id": ("ID", "ID"),
    "pf.col.selected": ("選定", "Selected"),
    "pf.col.fixed": ("固定", "Fixed"),
    "pf.col.kind": ("種別", "Kind"),
    "pf.col.region": ("地方", "Region"),
    "pf.col.reason": ("理由", "Reason"),
    "pf.col.why": ("理由コード", "Reason code"),
    "pf.why.fixed": ("指定済み（固定）", "designated (fixed in)"),
    "pf.why.selected": ("選定", "selected"),
    "pf.why.min_km": ("選定した {names} から {km:.1f} km（最小距離 {min_km:g} km 未満）",
                      "within {km:.1f} km of selected {names} (minimum distance {min_km:g} km)"),
    "pf.why.max_per_pref": ("{pref} は上限の {m} 件を選定済み：{names}",
                            "{pref} already has the maximum of {m} selected: {names}"),
    "pf.why.score": ("スコア {score:.1f} が新規選定の最低 {cutoff:.1f}（{names}）を上回らない",
                     "score {score:.1f} is not above the weakest new pick, {cutoff:.1f} ({names})"),
    "pf.why.k0": ("新たに選ぶ拠点数 K が 0", "no new bases asked for (K = 0)"),
    "pf.why.min_type_share": ("スコアの低い新規選定 {n} 件（{names}）は類型別の最低割合に必要",
                              "the {n} lower-scored new picks ({names}) are needed for a minimum type share"),
    "pf.why.min_per_region": ("スコアの低い新規選定 {n} 件（{names}）は地方ごとの下限に必要",
                              "the {n} lower-scored new picks ({names}) are needed for the minimum per region"),
    "pf.why.min_per_pref": ("スコアの低い新規選定 {n} 件（{names}）は都道府県ごとの下限に必要",
                            "the {n} lower-scored new picks ({names}) are needed for the minimum per prefecture"),
    "pf.why.exchange": ("スコア {score:.1f} の方が高く、{names}（{other_score:.1f}）と入れ替えると合計が上がる（貪欲法の順序で外れた）",
                        "its score {score:.1f} beats {names} ({other_score:.1f}): exchanging them would raise the "
                        "total (left out by the greedy order)"),
    "pf.why.other": ("一対一の入れ替えでは説明できない（複数の制約の組み合わせ）",
                     "no one-for-one exchange explains it (a combination of constraints)"),
    "pf.inf.k": ("新たに {k} 件を選ぶ必要がありますが、固定以外の候補は {n} 件しかありません",
                 "k = {k} new bases are asked for, but the pool has only {n} items that are not fixed"),
    "pf.inf.fixed_pref": ("固定（指定済み）の拠点だけで都道府県あたりの上限 {m} 件を超えています：{prefs}",
                          "the fixed (designated) bases alone exceed the maximum of {m} per prefecture: {prefs}"),
    "pf.inf.pref_capacity": ("都道府県あたり最大 {m} 件では合計 {cap} 件しか選べませんが、{need} 件（固定＋新規）が必要です",
                             "with at most {m} per prefecture only {cap} bases can be selected, but {need} "
                             "(fixed + new) are needed"),
    "pf.inf.fixed_km": ("固定（指定済み）の拠点どうしが最小距離 {km:g} km より近くにあります：{pairs}",
                        "fixed (designated) bases are closer to each other than the minimum distance {km:g} km: "
                        "{pairs}"),
    "pf.inf.region_items": ("各地方に {n} 件以上が必要ですが、候補の足りない地方があります：{regions}",
                            "at least {n} per region is required, but these regions have too few items in the "
                            "pool: {regions}"),
    "pf.inf.region_cap": ("都道府県あたり最大 {m} 件では、次の地方が下限 {n} 件に届きません：{regions}",
                          "with at most {m} per prefecture these regions cannot reach the minimum of {n}: {regions}"),
    "pf.inf.pref_items": ("各都道府県に {n} 件以上が必要ですが、候補の足りない都道府県があります：{prefs}",
                          "at least {n} per prefecture is required, but these prefectures have too few items in the "
                          "pool: {prefs}"),
    "pf.inf.lower_total": ("各{what_ja}に {n} 件以上とするには新たに {need} 件が必要ですが、K = {k} です",
                           "at least {n} per {what_en} needs {need} new bases, but k = {k}"),
    "pf.inf.type_items": ("類型 {type} は全体 {total} 件の {share:.0%} 以上（{req} 件）が必要ですが、候補には {n} 件しかありません",
                          "type {type} needs {share:.0%} of {total} = {req} bases, but the pool has only {n} of that "
                          "type"),
    "pf.inf.type_total": ("類型別の最低割合を満たすには新たに {need} 件が必要ですが、K = {k} です",
                          "the minimum type shares need {need} new bases, but k = {k}"),
    "pf.inf.relaxed": ("すべての制約は同時に満たせません。{names} を外すと選べます",
                       "the constraints cannot all be met together; without {names} a selection exists"),
    "pf.inf.together": ("すべての制約は同時に満たせず、一つや二つを外しても解けません：{names}",
                        "the constraints cannot all be met together, and dropping any one or two does not help: "
                        "{names}"),
    "pf.inf.time_limit": ("制限時間 {s:g} 秒以内に選び方が見つかりませんでした", "no selection found within the time "
                          "limit of {s:g} s"),
    "pf.greedy.failed": ("貪欲法（スコア順）では {names} を満たせませんでした（{taken}/{k} 件、制約：{limits}）",
                         "the greedy pass (by score) could not meet {names} ({taken}/{k} picks; limited by {limits})"),
    # exports (ex.): the Export page, export headers and sheets, evidence sheets
    "ex.nav": ("出力", "Export"),
    "ex.intro": ("候補一覧を Excel・GIS・報告書に持ち出します。どの出力にもスコア・理由・出典・出典表記が付きます。",
                 "Take shortlists to Excel, GIS and reports. Every export carries the scores, reasons, sources and "
                 "credit lines."),
    "ex.source": ("出力元", "Source"),
    "ex.src.score": ("スコアリングの順位", "Scoring ranking"),
    "ex.src.explorer": ("地図で探す（絞り込み結果）", "Map explorer (filtered)"),
    "ex.src.portfolio": ("ポートフォリオ", "Portfolio"),
    "ex.src.candidates": ("拠点候補の一覧", "Candidate list"),
    "ex.not_available": ("「{source}」からの出力はまだ利用できません。", "Export from '{source}' is not available yet."),
    "ex.format": ("形式", "Format"),
    "ex.fmt.csv": ("CSV（UTF-8・BOM 付き、Excel 用）", "CSV (UTF-8 with BOM, for Excel)"),
    "ex.fmt.csv-cp932": ("CSV（Shift_JIS / CP932）", "CSV (Shift_JIS / CP932)"),
    "ex.fmt.xlsx": ("Excel（.xlsx）", "Excel (.xlsx)"),
    "ex.fmt.geojson": ("GeoJSON", "GeoJSON"),
    "ex.fmt.gpkg": ("GeoPackage", "GeoPackage"),
    "ex.fmt.kml": ("KML（Google マイマップ・Google Earth）", "KML (Google My Maps, Google Earth)"),
    "ex.fmt.html": ("根拠シート（HTML）", "Evidence sheet (HTML)"),
    "ex.fmt.pdf": ("根拠シート（PDF）", "Evidence sheet (PDF)"),
    "ex.headers": ("見出しの言語", "Header language"),
    "ex.top": ("上位 N 件（0 = すべて）", "Top N rows (0 = all)"),
    "ex.w.default": ("既定の重み", "Default weights"),
    "ex.w.saved": ("保存した重み", "A saved weight set"),
    "ex.w.upload": ("重みファイル（TOML）", "Weights file (TOML)"),
    "ex.polygons": ("点ではなく市区町村の境界（ポリゴン）で出力", "Municipal polygons instead of points"),
    "ex.sheets": ("根拠シートを作る行", "Rows to make evidence sheets for"),
    "ex.prepare": ("出力を作成", "Make the export"),
    "ex.download": ("ダウンロード：{name}", "Download: {name}"),
    "ex.preview": ("プレビュー（{n} 行）", "Preview ({n} rows)"),
    "ex.pdf_missing": ("PDF を作るには WeasyPrint と Pango が必要です（pip install -r requirements.txt、apt-get install "
                       "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk）。HTML の根拠シートはそのまま使えます。",
                       "PDF needs WeasyPrint and the Pango library (pip install -r requirements.txt; apt-get install "
                       "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk). The HTML evidence sheet works without them."),
    "ex.cp932_warn": ("CP932 で表せない文字を置き換えました（{n} か所）", "Characters CP932 cannot hold were replaced ({n} cells)"),
    "ex.gaps_warn": ("位置のない行が {n} 件あります（位置なしで出力しました）", "{n} rows have no location (written without one)"),
    "ex.empty": ("出力する行がありません。", "There are no rows to export."),
    "ex.weights_line": ("重み：{weights}", "Weights: {weights}"),
    "ex.created": ("作成日", "Created"),
    "ex.title": ("タイトル", "Title"),
    "ex.rows": ("行数", "Rows"),
    "ex.note": ("条件", "Conditions"),
    "ex.weights": ("重み", "Weights"),
    "ex.credit": ("出典表記", "Credits"),
    "ex.no_weights": ("この出力の行はスコアの重みを使っていません。", "The rows of this export do not use scoring weights."),
    "ex.sheet.shortlist": ("候補一覧", "Shortlist"),
    "ex.sheet.criteria": ("基準と重み", "Criteria and weights"),
    "ex.sheet.sources": ("出典", "Sources"),
    "ex.title_score": ("スコア上位 {n} 市区町村", "Top {n} municipalities by score"),
    "ex.title_explorer": ("地図で探す：{n} 件", "Map explorer: {n} items"),
    "ex.note_prefs": ("都道府県：{prefs}", "Prefectures: {prefs}"),
    "ex.note_filters": ("絞り込み：{filters}", "Filters: {filters}"),
    "ex.col.rank": ("順位", "Rank"),
    "ex.col.item_id": ("ID", "ID"),
    "ex.col.name": ("名称", "Name"),
    "ex.col.pref_name": ("都道府県", "Prefecture"),
    "ex.col.muni_codes": ("団体コード", "Municipality codes"),
    "ex.col.score": ("スコア", "Score"),
    "ex.col.reason": ("理由", "Reason"),
    "ex.col.source_urls": ("出典URL", "Source URLs"),
    "ex.col.coverage": ("データのある重みの割合", "Weight with data"),
    "ex.col.missing": ("データなしの指標", "Indicators without data"),
    "ex.col.key": ("キー", "Key"),
    "ex.col.criterion": ("基準", "Criterion"),
    "ex.col.indicator": ("指標", "Indicator"),
    "ex.col.definition": ("定義", "Definition"),
    "ex.col.unit": ("単位", "Unit"),
    "ex.col.direction": ("向き", "Direction"),
    "ex.col.normalisation": ("正規化", "Normalisation"),
    "ex.col.default_weight": ("既定の重み", "Default weight"),
    "ex.col.weight": ("使用した重み", "Weight used"),
    "ex.col.weight_share": ("重みの割合", "Share of weight"),
    "ex.col.dataset": ("データセット", "Dataset"),
    "ex.col.title": ("データ名", "Title"),
    "ex.col.publisher": ("提供者", "Publisher"),
    "ex.col.as_of": ("時点", "As of"),
    "ex.col.licence": ("利用条件", "Licence"),
    "ex.col.credit": ("出典表記", "Credit"),
    "ex.col.url": ("URL", "URL"),
    "ex.hdr.k": ("基準：{label}", "Criterion: {label}"),
    "ex.hdr.c": ("寄与：{label}", "Contribution: {label}"),
    "ex.hdr.raw": ("値：{label}", "Value: {label}"),
    "ex.hdr.s": ("指標スコア：{label}", "Sub-score: {label}"),
    "ex.ev.kind_muni": ("市区町村の根拠シート", "Municipality evidence sheet"),
    "ex.ev.kind_group": ("拠点候補（複数の市区町村）の根拠シート", "Evidence sheet of a group of municipalities"),
    "ex.ev.no_map": ("境界データにこの市区町村のポリゴンがないため、地図を描けません。",
                     "No map: the boundary data has no polygon for this municipality."),
    "ex.ev.group_score": ("候補のスコア", "Candidate score"),
    "ex.ev.group_rule": ("構成市区町村のスコアの人口加重平均（2020 年人口）",
                         "Population-weighted mean of the member municipalities' scores (2020 population)"),
    "ex.ev.indicators": ("指標と寄与", "Indicators and contributions"),
    "ex.ev.indicator": ("指標", "Indicator"),
    "ex.ev.value": ("値", "Value"),
    "ex.ev.percentile": ("全国百分位", "National percentile"),
    "ex.ev.sub_score": ("指標スコア", "Sub-score"),
    "ex.ev.weight": ("重み", "Weight"),
    "ex.ev.contribution": ("寄与", "Contribution"),
    "ex.ev.percentile_note": ("全国百分位：データのある市区町村のうち値がより小さい割合に、等しい割合の半分を加えたもの（0〜100）。"
                              "(−) はスコアに不利に働く指標。",
                              "National percentile: the share of municipalities with data whose value is lower, plus "
                              "half the share with an equal value (0–100). (−) marks indicators that count against."),
    "ex.ev.assets": ("地域資源と出典", "Assets and their sources"),
    "ex.ev.linked_assets": ("候補に結び付いた地域資源と出典", "Linked assets and their sources"),
    "ex.ev.detail": ("作品・内容", "Work / detail"),
    "ex.ev.no_assets": ("該当する資源はありません。", "No assets."),
    "ex.ev.nationwide": ("（全国）", " (nationwide)"),
    "ex.ev.part": ("（一部）", " (part)"),
    "ex.ev.level_prefecture": ("都道府県", "prefecture"),
    "ex.ev.level_municipality": ("市区町村", "municipality"),
    "ex.ev.level_region": ("広域", "region"),
    "ex.ev.generated": ("revitalize が {date} に作成。値は作成時点のデータによる。",
                        "Made by revitalize on {date}; the values are those of the data on that date."),
    "ex.ev.doc_title": ("根拠シート（{n} 件）", "Evidence sheets ({n})"),
    # table columns
    "col.layer": ("レイヤー", "Layer"),
    "col.name": ("名称", "Name"),
    "col.work": ("作品・区分", "Work / class"),
    "col.municipality": ("市区町村", "Municipality"),
    "col.prefecture": ("都道府県", "Prefecture"),
    "col.muni_code": ("団体コード", "Code"),
    # errors
    "err.input": ("入力に問題があります", "There is a problem with the input"),
    "err.count": ("{n} 件の問題（すべて直してから、もう一度お試しください。何も書き込まれていません）",
                  "{n} problem(s) (fix them all and try again; nothing was written)"),
    "err.file": ("ファイル", "File"),
    "err.row": ("行（見出しを除く）", "Row (after the header)"),
    "err.column": ("列", "Column"),
    "err.expected": ("求められる内容", "Expected"),
    "err.found": ("実際の値", "Found"),
    # ---- hostile input and broken storage (issue 16): storage failures, problem texts, import checks ----
    "fail.store.workflow": ("ワークフロー（拠点候補）データベース", "workflow database"),
    "fail.store.reference": ("参照データベース", "reference database"),
    "fail.store.file": ("ファイル", "file"),
    "fail.file": ("{path} を使えません：{reason}", "Cannot use {path}: {reason}"),
    "fail.read_only": ("{store}が読み取り専用のため書き込めません：{path} とそのフォルダーの権限（revitalize を実行する"
                       "ユーザーが書き込めるか）を確認してください。何も変更されていません。",
                       "The {store} is read-only: check the permissions of {path} and of its folder (the user running "
                       "revitalize must be able to write them). Nothing was changed."),
    "fail.disk_full": ("ディスクがいっぱいです（またはファイルサイズの上限に達しました）：{path} に書き込めませんでした。"
                       "空き容量を確保してから、もう一度お試しください。何も保存されていません。",
                       "The disk is full (or a file-size limit was reached) while writing {path}: free some space and "
                       "try again. Nothing was saved."),
    "fail.damaged.workflow": ("{path} は revitalize のデータベースではありません（壊れている可能性があります）："
                              "`python -m revitalize workflow restore` でバックアップから復元するか、"
                              "REVITALIZE_WORKFLOW_DB に正しいファイルを指定してください。ファイルは変更していません。",
                              "{path} is not a revitalize database (damaged?): restore it from a backup with "
                              "`python -m revitalize workflow restore`, or set REVITALIZE_WORKFLOW_DB to the right "
                              "file. The file was not changed."),
    "fail.damaged.reference": ("{path} は revitalize の参照データベースではありません（壊れている可能性があります）："
                               "`python -m revitalize build` で作り直してください。拠点候補のデータは別のファイルにあり、"
                               "影響を受けません。",
                               "{path} is not a revitalize reference database (damaged?): rebuild it with "
                               "`python -m revitalize build`. Candidates live in another file and are not affected."),
    "fail.folder": ("{path} はフォルダーです。{store}のファイルではありません：{setting} にファイルのパスを指定してください。",
                    "{path} is a folder, not the {store} file: set {setting} to a file path."),
    "fail.busy": ("{store}は別の処理が使用中です（{path}）：しばらくしてから、もう一度お試しください。何も変更されていません。",
                  "The {store} is busy (another process is using {path}): try again in a moment. Nothing was changed."),
    "fail.unavailable": ("{store}を開けません（{path}）：{reason}。ファイルまたはサーバーがあるか確認して、もう一度お試しください。",
                         "The {store} cannot be opened ({path}): {reason}. Check that the file or server is there "
                         "and try again."),
    "fail.internal": ("予期しないエラーです（不具合の可能性があります）：{what}。`--debug` を付けて実行すると詳細が表示されます。",
                      "Unexpected error (probably a bug): {what}. Run again with --debug for the details."),
    "fail.ui_internal": ("予期しないエラーです（不具合の可能性があります）：{what}", "Unexpected error (probably a bug): {what}"),
    "err.storage": ("データベースを使えません", "The database cannot be used"),
    "err.line": ("{where}：求められる内容 {expected}／実際の値 {found}", "{where}: expected {expected}, found {found}"),
    "err.where_row": ("{where} {row} 行目", "{where}, row {row}"),
    "err.where_column": ("{where} 列「{column}」", "{where}, column {column!r}"),
    "pb.none": ("なし", "none"),
    "pb.cu.file": ("キュレーション済みファイル {path}", "the curated file {path}"),
    "pb.cu.no_file": ("ファイルがありません", "no such file"),
    "pb.cu.header": ("見出し行", "a header row"),
    "pb.cu.empty": ("空のファイル", "an empty file"),
    "pb.cu.column": ("列 {name}", "a column named {name}"),
    "pb.cu.fields": ("{n} 個の項目", "{n} fields"),
    "pb.cu.fields_found": ("{count} 個の項目", "{count} fields"),
    "pb.cu.unique": ("重複しない {column}", "a unique {column}"),
    "pb.cu.duplicate": ("{value} が重複", "duplicate {value}"),
    "pb.cu.muni_in_pref": ("都道府県コード {pref} で始まる muni_code", "muni_code starting with pref_code {pref}"),
    "pb.cu.latlon": ("lat と lon の両方、またはどちらもなし", "both lat and lon, or neither"),
    "pb.cu.in_japan": ("日本国内の地点（緯度 20〜46、経度 122〜154）", "a point in Japan (lat 20–46, lon 122–154)"),
    "ex.err.pdf": ("PDF を作るには WeasyPrint と Pango が必要です（pip install -r requirements.txt、apt-get install "
                   "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk）。HTML の根拠シートはそのまま使えます。（{detail}）",
                   "PDF needs WeasyPrint and the Pango library (pip install -r requirements.txt; apt-get install "
                   "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk); HTML evidence sheets work without them. ({detail})"),
    "ex.err.no_rows": ("{source} から出力する行がありません（--pref・--muni・地図の絞り込みを確認してください）",
                       "export from {source}: expected at least one row, found none (check --pref, --muni and the "
                       "explorer filters)"),
    "ex.err.no_subjects": ("根拠シートにする行（市区町村コードのある行）がありません",
                           "evidence: expected rows with municipality codes, found none"),
    "ex.err.unknown_munis": ("データベースにない市区町村コードです：{codes}",
                             "evidence: expected municipality codes in the database, found {codes}"),
    "ex.err.top": ("上位件数は1以上にしてください（指定：{n}）", "top: expected >= 1, found {n}"),
    "err.infeasible": ("制約をすべて満たす選び方はありません。原因となる制約：{constraints}",
                       "no selection meets the constraints; responsible: {constraints}"),
    "pb.pf.k": ("0以上の整数、または指定なし", "an integer >= 0 or None"),
    "pb.pf.max_per_pref": ("1以上の整数、または指定なし", "an integer >= 1 or None"),
    "pb.pf.int0": ("0以上の整数", "an integer >= 0"),
    "pb.pf.min_le_max": ("max_per_pref（{max}）以下", "<= max_per_pref ({max})"),
    "pb.pf.km": ("0以上の有限の数（km）", "a finite number >= 0 (km)"),
    "pb.pf.shares_map": ("類型 → 割合 の対応", "a mapping base_type -> share"),
    "pb.pf.share_type": ("次のいずれかの類型：{types}", "base types among {types}"),
    "pb.pf.share": ("0から1までの割合", "a share between 0 and 1"),
    "pb.pf.share_sum": ("合計が1以下の割合", "shares adding up to at most 1"),
    "pb.imp.columns": ("列 {columns}", "columns {columns}"),
    "pb.imp.missing": ("{names} がありません", "missing {names}"),
    "pb.imp.only_documented": ("説明にある列だけ", "only the documented columns"),
    "pb.imp.unknown": ("不明な列 {names}", "unknown {names}"),
    "pb.imp.header_once": ("各列の見出しは1回だけ（名称と英語の列名は同じ列を指します）",
                           "each column once (a Japanese and an English header name the same column)"),
    "pb.imp.header_twice": ("{names} はどちらも {column} です", "{names} are both {column}"),
    "pb.imp.header_blank": ("値のある列には見出し", "a header above every column with values"),
    "pb.imp.header_blank_found": ("{n} 列目に見出しがありません", "no header in column {n}"),
    "pb.imp.extra_cells": ("見出しの列数（{n}）以内のセル", "at most {n} cells (the header's columns)"),
    "pb.imp.extra_cells_found": ("{count} 個のセル（余分：{extra}）", "{count} cells (extra: {extra})"),
    "pb.imp.control": ("制御文字（NUL など）を含まない文字", "text without control characters (NUL etc.)"),
    "pb.imp.encoding": ("UTF-8 または Shift_JIS（CP932）の CSV ファイル", "a CSV file in UTF-8 or Shift_JIS (CP932)"),
    "pb.imp.undecodable": ("解読できないバイト列", "undecodable bytes"),
    "pb.imp.readable": ("読み込める CSV または .xlsx ファイル", "a readable CSV or .xlsx file"),
    "pb.imp.rows": ("1行以上のデータ", "at least one data row"),
    "pb.imp.status": ("次のいずれか：{choices}", "one of {choices}"),
    "pb.imp.muni_codes": ("5桁の市区町村コード（または検査数字付きの6桁）、「;」区切り",
                          "5-digit municipality codes (or 6 with the check digit), ';'-separated"),
    "pb.imp.applicants": ("「名称:種別」（種別は {kinds} のいずれか）", "name:kind with kind among {kinds}"),
    "pb.imp.date": ("日付 YYYY-MM-DD（セルにはほかに何も入れない）", "a date YYYY-MM-DD (nothing else in the cell)"),
    "pb.imp.designated_on": ("選定済みの拠点の選定日", "the designation date for a designated base"),
    "pb.imp.id_once": ("ファイル内で各IDは1回だけ", "each id once in the file"),
    "pb.imp.id_also": ("{cid}（{other} 行目にもあり）", "{cid} (also row {other})"),
    "pb.imp.id_exists": ("既存の候補のID（新しく作るときは空欄）", "the id of an existing candidate (leave empty to create one)"),
    "pb.cd.name_ja": ("日本語の名称", "a Japanese name"),
    "pb.cd.base_type": ("次のいずれか：{choices}", "one of {choices}"),
    "pb.cd.fiscal_year": ("2025〜2040年度の公募年度", "a fiscal year of the call from 2025 to 2040"),
    "pb.cd.muni_required": ("5桁の市区町村コードを1つ以上", "at least one 5-digit municipality code"),
    "pb.cd.muni_form": ("5桁の市区町村コード（JIS X 0402）", "5-digit municipality codes (JIS X 0402)"),
    "pb.cd.muni_known": ("実在する市区町村のコード", "a code of an existing municipality"),
    "pb.cd.muni_once": ("各市区町村は1回だけ", "each municipality once"),
    "pb.cd.applicant_name": ("種別の前に団体名", "an organisation name before the kind"),
    "pb.cd.applicant_kind": ("次のいずれかの種別：{kinds}", "a kind among {kinds}"),
    "pb.cd.asset_layer": ("次のいずれかのレイヤー：{layers}", "a layer among {layers}"),
    "pb.cd.asset_once": ("各資源は1回だけ", "each asset once"),
    "pb.cd.url": ("http(s) の URL", "an http(s) URL"),
    "pb.cd.reachable": ("{current} から進める状況（{next}）", "a status reachable from {current} ({next})"),
    # ---- end of issue 16 block ----
}


def expect(key: str, /, **params: object) -> dict[str, object]:
    """Keyword arguments of a ``Problem`` whose expected text is ``key``: the English text, the key, the
    parameters (``Problem(file, found=…, **i18n.expect("pb.imp.status", choices=…))``)."""
    return {"expected": t(key, "en", **params), "key": key, "params": tuple(params.items())}


def problem_texts(problem: object, lang: str = "ja") -> tuple[str, str]:
    """(expected, found) of a ``Problem`` in ``lang``: its keys' texts, else the text it carries."""
    params = dict(getattr(problem, "params", ()) or ())
    key, found_key = getattr(problem, "key", None), getattr(problem, "found_key", None)
    expected = t(key, lang, **params) if key in STRINGS else problem.expected
    found = t(found_key, lang, **params) if found_key in STRINGS else problem.found
    return expected, found


def problem_line(problem: object, lang: str = "ja") -> str:
    """One ``Problem`` as a line in ``lang``: where (file, row, column), what was expected, what was found."""
    where = str(problem.file)
    if problem.row is not None:
        where = t("err.where_row", lang, where=where, row=problem.row)
    if problem.column is not None:
        where = t("err.where_column", lang, where=where, column=problem.column)
    expected, found = problem_texts(problem, lang)
    return t("err.line", lang, where=where, expected=expected, found=found)


def error_text(exc: BaseException, lang: str = "ja") -> str:
    """A project error's message in ``lang``: its key's text, or every problem it lists, else ``str(exc)``."""
    key = getattr(exc, "key", None)
    if key in STRINGS:
        params = dict(getattr(exc, "params", {}) or {})
        store = params.get("store")
        if isinstance(store, str) and f"fail.store.{store}" in STRINGS:
            params["store"] = t(f"fail.store.{store}", lang)
        return t(key, lang, **params)
    problems = getattr(exc, "problems", None)
    if problems:
        return "\n".join([t("err.count", lang, n=len(problems))] + [f"  - {problem_line(p, lang)}" for p in problems])
    text = getattr(exc, "text", None)
    if callable(text) and hasattr(exc, "causes"):  # InfeasibleError: the constraints named, then the reasons
        head = t("err.infeasible", lang, constraints=", ".join(getattr(exc, "constraints", [])))
        return head + "\n" + text(lang)
    return str(exc)


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
