"""The interactive map as one HTML file (issue 24): download buttons, header, export format."""

STRINGS: dict[str, tuple[str, str]] = {
    "mh.download": ("インタラクティブ地図（HTML）をダウンロード", "Download interactive map (HTML)"),
    "mh.help": ("いま表示している地図（絞り込み・レイヤー・段階区分図）を 1 つの HTML ファイルにします。"
                "インターネットのない環境（LGWAN など）でもブラウザで開けます。",
                "The map as shown now (filters, layers, choropleth) as one HTML file that opens in a browser "
                "without internet (e.g. inside LGWAN)."),
    "mh.offline": ("オフラインで表示できます（背景地図は任意）", "Works offline (base map optional)"),
    "mh.credits": ("出典", "Sources"),
    "mh.title_explorer": ("revitalize 地図エクスプローラー", "revitalize map explorer"),
    "mh.title_profile": ("revitalize 市区町村プロファイル：{name}", "revitalize municipality profile: {name}"),
    "mh.title_scoring": ("revitalize スコア地図", "revitalize score map"),
    "mh.title_portfolio": ("revitalize ポートフォリオ（選定 {n} 件）", "revitalize portfolio ({n} chosen)"),
    "mh.title_progress": ("revitalize 拠点の進捗（指定 {designated} / 目標 {target}）",
                          "revitalize progress of bases ({designated} designated / target {target})"),
    "mh.constraints": ("制約", "Constraints"),
    "mh.subject": ("対象：{name}", "Subject: {name}"),
    "ex.fmt.map-html": ("インタラクティブ地図（HTML・オフライン）", "Interactive map (HTML, offline)"),
}
