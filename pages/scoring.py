"""Scoring: weights, a ranked table with contributions, a score map, explanations, and rank stability."""

from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from revitalize.analysis import scoring, weightsets
from revitalize.app import ui
from revitalize.core import i18n
from revitalize.core.errors import ConfigError
from revitalize.data import coverage, credits
from revitalize.outputs import explorer, map_html, maps, shortlists, tables
from revitalize.outputs import user_layers as layer_views
from revitalize.workflow import user_layers

ui.through_app()
lang = ui.lang()
st.title(ui.t("nav.scoring"))
data = ui.require_data()
con = ui.connection()


@st.cache_data(show_spinner=False, max_entries=32)
def _ranking(stamp, weight_items, lang, extra_specs=(), layer_versions=()):
    ind, raw, sub = ui.scoring_inputs(stamp)
    with ui.workflow() as work:
        extras = tuple(layer_views.extra_indicator(work, n, c, aggregate=a, weight=w, direction=d, lang=lang)
                       for n, c, a, w, d in extra_specs)
    shares = coverage.layer_shares(ui.layer_coverage(stamp))
    return scoring.ranking(ind, raw, sub, scoring.Weights(dict(weight_items)), lang=lang, extras=extras,
                           layer_shares=shares), \
        {e.key: e.label for e in extras}


@st.cache_data(show_spinner=False, max_entries=32)
def _stability(stamp, weight_items, draws, top_k, seed):
    return scoring.stability(ui.scoring_inputs(stamp)[2], scoring.Weights(dict(weight_items)), draws=draws,
                             top_k=top_k, seed=seed).table


crit_label = {k: v[0 if lang == "ja" else 1] for k, v in scoring.CRITERIA.items()}

with st.sidebar:
    st.subheader(ui.t("s.weights"))
    saved = weightsets.list_weight_sets()
    if saved:
        name = st.selectbox(ui.t("s.load"), saved, key="s_saved")
        if st.button(ui.t("s.load_btn"), key="s_load"):
            try:
                for k, v in weightsets.load_weight_set(name).values.items():
                    st.session_state[f"w_{k}"] = float(v)
            except ConfigError as exc:
                ui.show_error(exc)
    upload = st.file_uploader(ui.t("s.upload"), type=["toml"], key="s_upload")
    if upload is not None and st.session_state.get("s_upload_done") != upload.file_id:
        try:
            loaded = scoring.Weights.from_toml_bytes(upload.getvalue(), source=upload.name)
            for k, v in loaded.values.items():
                st.session_state[f"w_{k}"] = float(v)
            st.session_state["s_upload_done"] = upload.file_id
        except (ConfigError, ValueError, UnicodeDecodeError) as exc:
            st.error(f"{ui.t('err.input')}: {i18n.error_text(exc, lang)}")
    if st.button(ui.t("s.reset"), key="s_reset"):
        for i in scoring.INDICATORS:
            st.session_state[f"w_{i.key}"] = float(i.default_weight)
    values = {}
    for i in scoring.INDICATORS:
        st.session_state.setdefault(f"w_{i.key}", float(i.default_weight))
    for crit in scoring.CRITERIA:
        st.caption(crit_label[crit])
        for i in (x for x in scoring.INDICATORS if x.criterion == crit):
            values[i.key] = st.slider(i.label_ja if lang == "ja" else i.label_en, 0.0, 5.0, step=0.5,
                                      key=f"w_{i.key}")
    # indicators from the user's imported layers, each with its own weight and direction
    with ui.workflow() as work:
        layer_versions = user_layers.versions(work)
        options = layer_views.indicator_options(work) if layer_versions else []
        titles = dict(zip(user_layers.layers(work)["name"], user_layers.layers(work)["title"], strict=False)) if options else {}
    specs = st.session_state.setdefault("ul_extras", [])
    if options:
        st.caption(ui.t("ul.indicators"))
        opt = st.selectbox(ui.t("ul.ind_value"), range(len(options)), key="ul_ind_pick",
                           format_func=lambda i: layer_views.indicator_label(titles[options[i][0]], options[i][1],
                                                                              options[i][2], lang))
        more_better = st.radio(ui.t("ul.ind_direction"), [1, -1], horizontal=True, key="ul_ind_dir",
                               format_func=lambda d: ui.t("ul.ind_more_better" if d > 0 else "ul.ind_more_worse"))
        if st.button(ui.t("ul.ind_add"), key="ul_ind_add"):
            n, c, a = options[opt]
            if not any((x[0], x[1], x[2]) == (n, c, a) for x in specs):
                specs.append([n, c, a, 1.0, int(more_better)])
        for spec in specs:
            if spec[0] in titles:
                wkey = f"ul_ind_w_{spec[0]}_{spec[1]}_{spec[2]}"
                st.session_state.setdefault(wkey, float(spec[3]))
                spec[3] = st.slider(layer_views.indicator_label(titles[spec[0]], spec[1], spec[2], lang)
                                    + (" (−)" if spec[4] < 0 else ""), 0.0, 5.0, step=0.5, key=wkey)
        if specs and st.button(ui.t("ul.ind_clear"), key="ul_ind_clear"):
            specs.clear()
    extra_specs = tuple(tuple(x) for x in specs if x[0] in titles)
    save_name = st.text_input(ui.t("s.save_name"), key="s_save_name")
    if st.button(ui.t("s.save_btn"), key="s_save") and save_name:
        try:
            st.success(ui.t("s.saved", path=weightsets.save_weight_set(save_name, scoring.Weights(values))))
        except ConfigError as exc:
            ui.show_error(exc)

try:
    weights = scoring.Weights(values)
except ConfigError as exc:
    ui.show_error(exc)
    st.stop()

st.caption(ui.t("s.formula"))
weight_items = tuple(weights.values.items())
table, extra_labels = _ranking(ui.stamp(), weight_items, lang, extra_specs, layer_versions)
crit_label[scoring.EXTRA_CRITERION] = ui.t("ul.ind_criterion")
shown_crits = list(scoring.CRITERIA) + ([scoring.EXTRA_CRITERION] if extra_labels else [])
with st.expander(ui.t("s.indicators")):
    st.dataframe(scoring.indicator_docs(lang), hide_index=True, width="stretch")

if maps.assets_available():
    scored = replace(data, scores=table.reset_index()[["muni_code", "score"]])
    f = explorer.Filters(layers=("score",))
    view = explorer.apply_filters(scored, f)
    spec = explorer.build_map(view, f, outlines=ui.map_outlines(), sources=ui.map_points(), lang=lang,
                              tiles=ui.tiles_choice(), profile_link=f"/profile?muni={{code}}&lang={lang}",
                              frame=ui.municipality_frame(view, f))
    ui.show_map(spec, height=480, key="score_map")
    head = {"title": ui.t("mh.title_scoring"), "lines": [shortlists.weights_line(weights.values, lang)]}
    ui.map_html_download(lambda spec=spec: map_html.spec_document(spec, data.munis, **head),
                         name="revitalize_score_map", key="s_map_html")

st.subheader(ui.t("s.ranking"))
name_col = "name_ja" if lang == "ja" else "name_en"
shown = table.reset_index()[["rank", "muni_code", "pref_name_ja", name_col, "score", "coverage", "reason"]
                            + [f"k_{c}" for c in shown_crits] + ["missing"]]
shown = shown.rename(columns={f"k_{c}": crit_label[c] for c in shown_crits})
st.dataframe(shown, hide_index=True, width="stretch", height=380, column_config={
    "score": st.column_config.ProgressColumn(ui.t("layer.score"), format="%.3f", min_value=0.0, max_value=1.0),
    "rank": ui.t("s.rank"), "muni_code": ui.t("col.muni_code"), "pref_name_ja": ui.t("col.prefecture"),
    name_col: ui.t("col.municipality"), "coverage": ui.t("s.coverage"), "reason": ui.t("s.reason"),
    "missing": ui.t("s.missing")})
score_credits = [f"weights: {weights.values}"] + credits.credits(credits.SCORING_SOURCES, lang)
ui.download(ui.t("s.download"), lambda: tables.to_csv_bytes(table.reset_index(), credits=score_credits, lang=lang),
            file_name="revitalize_scores.csv", mime="text/csv", key="s_download")

st.subheader(ui.t("s.contrib"))
labels = {c: f"{int(r)}. {p}{n}" for c, r, p, n in zip(table.index, table["rank"].fillna(0), table["pref_name_ja"],
                                                       table["name_ja"], strict=False)}
pick = st.selectbox(ui.t("s.pick"), list(labels), format_func=labels.get, key="s_pick")
row = table.loc[pick]
parts = pd.DataFrame([{"indicator": i.label_ja if lang == "ja" else i.label_en, "criterion": crit_label[i.criterion],
                       "contribution": row[f"c_{i.key}"]} for i in scoring.INDICATORS]
                     + [{"indicator": label, "criterion": crit_label[scoring.EXTRA_CRITERION],
                         "contribution": row[f"c_{key}"]} for key, label in extra_labels.items()])
st.write(f"**{row['score']:.3f}** — {row['reason']}")
st.altair_chart(alt.Chart(parts).mark_bar().encode(
    x=alt.X("contribution:Q"), y=alt.Y("indicator:N", sort=None), color="criterion:N",
    tooltip=["indicator", "criterion", alt.Tooltip("contribution:Q", format=".4f")]), width="stretch")

st.subheader(ui.t("s.stability"))
c1, c2, c3 = st.columns(3)
draws = c1.number_input(ui.t("s.draws"), 100, 5000, 1000, 100, key="s_draws")
top_k = c2.number_input(ui.t("s.top_k"), 10, 1000, 200, 10, key="s_topk")
seed = c3.number_input(ui.t("s.seed"), 0, 2**31 - 1, 20251021, key="s_seed")
stab = _stability(ui.stamp(), weight_items, int(draws), int(top_k), int(seed))
counts = stab["label"].value_counts()
st.caption(ui.t("s.stable_counts", stable=int(counts.get("stable", 0)), sensitive=int(counts.get("sensitive", 0)),
                k=int(top_k), pct=90))
st_table = table[["rank", "pref_name_ja", name_col, "score"]].join(stab).reset_index()
st.dataframe(st_table[st_table["rank"] <= int(top_k) * 1.5], hide_index=True, width="stretch", height=320,
             column_config={"p_top_k": st.column_config.ProgressColumn(format="%.2f", min_value=0.0, max_value=1.0)})
