"""Streamlit glue shared by the pages: language, cached database access, status messages.

The only package module that imports Streamlit; pages call it and the tested package functions.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from streamlit.components import v1 as components
from streamlit.runtime.pages_manager import PagesManager  # an internal: see through_app

from revitalize.analysis import pool, progress, scoring
from revitalize.core import i18n, settings
from revitalize.core.errors import (
    ConflictError,
    DatabaseMissingError,
    InputError,
    PermissionDeniedError,
    RevitalizeError,
    StorageError,
)
from revitalize.data import coverage, db, failures, layers
from revitalize.outputs import explorer, formats, maps
from revitalize.outputs import user_layers as layer_views
from revitalize.workflow import auth, candidates, contributions, user_layers, users


def through_app() -> None:
    """Make sure a page runs inside app.py's navigation.

    Streamlit serves a first visit to /<page> of a fresh server as a legacy ``pages/`` app, bypassing
    app.py (language toggle, navigation). Switch to app.py's navigation and rerun the same page.
    """
    secrets_to_settings()
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def secrets_to_settings() -> None:
    """Settings that may come from .streamlit/secrets.toml (REVITALIZE_WORKFLOW_URL) made visible to the whole
    package for this server process, so that every module (exports included) opens the same workflow store;
    an environment variable of the same name wins. Run by every page first (``through_app``)."""
    if settings.workflow_url():
        return
    url = workflow_url()
    if url:
        os.environ["REVITALIZE_WORKFLOW_URL"] = url


def lang() -> str:
    """The current UI language ('ja' default), kept across pages and in the URL (?lang=en)."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = "en" if st.query_params.get("lang") == "en" else "ja"
    return st.session_state["lang"]


def language_toggle() -> str:
    """The sidebar language switch; returns the chosen language."""
    current = lang()
    choice = st.sidebar.radio(i18n.t("lang.label", current), ["日本語", "English"],
                              index=1 if current == "en" else 0, horizontal=True, key="lang_radio")
    new = "en" if choice == "English" else "ja"
    if new != current:
        st.session_state["lang"] = new
        st.query_params["lang"] = new
        st.rerun()
    return new


def t(key: str, **fmt: object) -> str:
    """A UI string in the current language."""
    return i18n.t(key, lang(), **fmt)


def _db_stamp() -> tuple[str, float]:
    p = Path(settings.db_path())
    return (str(p), p.stat().st_mtime if p.exists() else 0.0)


@st.cache_resource(show_spinner=False)
def _connection(path: str, mtime: float) -> duckdb.DuckDBPyConnection:
    return db.connect(path, read_only=True)


def connection() -> duckdb.DuckDBPyConnection | None:
    """A cursor on the read-only database, or None when it has not been built or cannot be opened
    (``connection_problem`` says why)."""
    path, mtime = _db_stamp()
    if not mtime:
        return None
    try:
        return _connection(path, mtime).cursor()
    except (DatabaseMissingError, duckdb.Error, OSError):
        return None


def connection_problem() -> RevitalizeError | None:
    """Why the reference database exists but cannot be opened (damaged, unreadable), or None."""
    path, mtime = _db_stamp()
    if not mtime:
        return None
    try:
        _connection(path, mtime)
    except DatabaseMissingError:
        return None
    except (duckdb.Error, OSError) as exc:
        return failures.classify(exc, store="reference", path=path)
    return None


@st.cache_data(show_spinner=False)
def dataset_status(stamp: tuple[str, float]):
    con = connection()
    return layers.dataset_status(con)


@st.cache_resource(show_spinner=False)
def explorer_data(stamp: tuple) -> explorer.ExplorerData | None:
    """All explorer frames with the accepted contributions laid over, loaded once per data version."""
    con = connection()
    if con is None:
        return None
    try:
        return explorer.with_contributions(explorer.load_data(con), contribution_overlay(stamp, "ja"))
    except duckdb.Error:
        return None


@st.cache_data(show_spinner=False, max_entries=4)
def contribution_overlay(stamp: tuple, language: str = "ja") -> pd.DataFrame | None:
    """The accepted contributions against the reference database (``contributions.overlay``), per data version
    (``stamp`` holds the overlay's versions); None when the workflow store cannot be read."""
    try:
        with workflow() as work:
            return contributions.overlay(work, connection(), lang=language)
    except (RevitalizeError, duckdb.Error, OSError):
        return None


@st.cache_data(show_spinner=False, ttl=3)
def _overlay_versions() -> tuple:
    try:
        with workflow() as work:
            return contributions.versions(work)
    except (RevitalizeError, duckdb.Error, OSError):
        return ()


@st.cache_data(show_spinner=False)
def layer_coverage(stamp: tuple[str, float]) -> list[coverage.Coverage]:
    """``coverage.coverage`` (rows held against official totals), once per database file version."""
    con = connection()
    return [] if con is None else coverage.coverage(con)


@st.cache_data(show_spinner=False)
def scoring_inputs(stamp: tuple[str, float]):
    """``scoring.inputs`` (indicators, raw, sub-scores), read once per database file version for all pages."""
    overlay = contribution_overlay(stamp)
    counts = contributions.municipality_counts(overlay) if overlay is not None else None
    return scoring.inputs(connection(), contributed=counts)


def stamp() -> tuple:
    """Identifies the current data version (cache key): the database file and the accepted contributions laid
    over it."""
    return _db_stamp() + (_overlay_versions(),)


def show_missing() -> bool:
    """Say plainly what is missing and how to get it. Returns True when the database exists."""
    status = dataset_status(stamp())
    if connection() is None:
        problem = connection_problem()
        if problem is not None:
            show_error(problem)
        else:
            st.warning(t("ds.no_db"))
    missing = status[~status["loaded"]]
    if len(missing):
        lg = lang()
        names = ", ".join(missing[f"title_{lg}"])
        disables = "; ".join(d for d in missing[f"disables_{lg}"] if d) or "—"
        st.warning(f"**{t('ds.missing_title')}**: {names}\n\n" + t("ds.missing_body", disables=disables))
    return connection() is not None


def tiles_choice(key: str = "tiles") -> str:
    """The base-map selector (GSI standard, pale, photo, OSM, none)."""
    options = list(settings.TILE_CHOICES)
    labels = {"none": t("map.none"), "gsi_pale": t("map.gsi_pale"), "gsi_std": t("map.gsi_std"),
              "gsi_photo": t("map.gsi_photo"), "osm": t("map.osm")}
    default = settings.tiles()
    return st.sidebar.selectbox(t("map.basemap"), options, index=options.index(default) if default in options else 0,
                                format_func=labels.get, key=key)


# ---- the map view (a component that keeps its Leaflet map across reruns; see outputs/maps.py) ----------------

_MAP_VIEW = components.declare_component("mapview", path=str(Path(__file__).parent / "frontend" / "mapview"))


@st.cache_resource(show_spinner=False, max_entries=4)
def _outlines(stamp: tuple[str, float], lang: str) -> maps.Outlines | None:
    data = explorer_data(stamp)
    return None if data is None else maps.outlines(data.munis, lang=lang)


@st.cache_resource(show_spinner=False, max_entries=8)
def _point_sources(stamp: tuple[str, float], lang: str) -> explorer.PointSources | None:
    data = explorer_data(stamp)
    return None if data is None else explorer.point_sources(data, lang)


def map_outlines() -> maps.Outlines | None:
    """The municipal outlines, published as a static file once per database version."""
    return _outlines(stamp(), lang())


def map_points() -> explorer.PointSources | None:
    """The explorer's point layers, published as a static file once per database version and language."""
    return _point_sources(stamp(), lang())


@st.cache_data(show_spinner=False, max_entries=32)
def _municipality_frame(stamp: tuple[str, float], filters: explorer.Filters, lang: str, _view) -> pd.DataFrame:
    return explorer.municipality_frame(_view, lang)


def municipality_frame(view: explorer.ExplorerData, filters: explorer.Filters) -> pd.DataFrame:
    """``explorer.municipality_frame`` of a filtered view, cached per (data version, filters, language): the view
    is a function of those three, so it is not hashed itself."""
    return _municipality_frame(stamp(), filters, lang(), view)


@st.cache_data(show_spinner=False, max_entries=32)
def _items_table(stamp: tuple[str, float], filters: explorer.Filters, lang: str, _view) -> pd.DataFrame:
    return explorer.items_table(_view, lang)


def items_table(view: explorer.ExplorerData, filters: explorer.Filters) -> pd.DataFrame:
    """``explorer.items_table`` of a filtered view, cached like ``municipality_frame``."""
    return _items_table(stamp(), filters, lang(), view)


def download(label: str, make, *, file_name: str, mime: str, key: str, container=None) -> None:
    """A download button whose file is made only when it is clicked (``make()``, on Streamlit's download
    thread), so building a CSV of every row does not slow each rerun of the page."""
    (container or st).download_button(label, make, file_name=file_name, mime=mime, key=key, on_click="ignore")


def map_html_download(make, *, name: str, key: str, container=None) -> None:
    """The "interactive map (HTML)" button (issue 24): ``make()`` (e.g. ``map_html.spec_document`` of the spec
    just shown) builds the file only when it is clicked."""
    download(t("mh.download"), make, file_name=formats.safe_filename(f"{name}.html"), mime="text/html", key=key,
             container=container)


def show_map(spec: dict, *, key: str, height: int = 560) -> None:
    """Draw a map spec (``maps.spec``) in the map view; the same ``key`` keeps the same map across reruns."""
    _MAP_VIEW(spec=maps.spec_json(spec), height=height, key=key, default=None)


def evidence_progress(n_sheets: int, fmt: str):
    """An ``st.progress`` bar for evidence sheets (``evidence.Progress``): gathering the sheets, then (PDF)
    laying out the pages; the page share is estimated at three pages a sheet and never shows 100 % early."""
    bar = st.progress(0.0, text=t("ev.progress_sheets", done=0, total=n_sheets))
    gather_share = 1.0 if fmt == "html" else 0.3

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "sheets":
            bar.progress(gather_share * done / max(total or 1, 1), text=t("ev.progress_sheets", done=done,
                                                                              total=total))
        else:
            share = min(done / (3 * max(n_sheets, 1)), 0.99)
            bar.progress(gather_share + (1 - gather_share) * share, text=t("ev.progress_pages", pages=done))

    return progress


def require_data(*, boundaries: bool = True) -> explorer.ExplorerData:
    """The explorer data, or stop the page after saying what is missing.

    A page that can show the curated layers without municipalities passes ``boundaries=False``: it then
    goes on (saying what waits for the boundaries) when only the boundaries are missing.
    """
    data = explorer_data(stamp()) if show_missing() else None
    if data is not None and data.munis.empty and not boundaries:
        st.info(t("ds.no_outlines"))
        return data
    if data is None or data.munis.empty:
        if data is not None:
            st.info(t("ds.no_map"))
        st.stop()
    return data


# ---- identity and the workflow database -------------------------------------------------------------------

def login_configured() -> bool:
    """True when Streamlit login (OIDC) is set up in .streamlit/secrets.toml ([auth])."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_user() -> auth.User:
    """Who is using the app: the logged-in person (role from the users file) or the configured local user.

    With login configured, visitors who have not logged in are viewers; the sidebar offers log in / out.
    """
    if not login_configured():
        return auth.local_user()
    if not st.user.is_logged_in:
        if st.sidebar.button(t("cd.login"), key="login_btn"):
            st.login()
        return auth.User("guest", "viewer")
    if st.sidebar.button(t("cd.logout"), key="logout_btn"):
        st.logout()
    path = settings.users_file()
    from_file = auth.load_users(path) if path else {}
    with workflow() as con:  # roles an admin gave in the app win over the file
        return users.signed_in_user(con, st.user.to_dict(), from_file)


def workflow_url() -> str | None:
    """The PostgreSQL workflow store: REVITALIZE_WORKFLOW_URL from the environment, else the same key in
    .streamlit/secrets.toml (secrets are read only here, in the app layer); None for the DuckDB file."""
    url = settings.workflow_url()
    if url:
        return url
    try:
        raw = st.secrets.get("REVITALIZE_WORKFLOW_URL")
    except Exception:  # no secrets file at all
        return None
    return settings.SETTINGS["REVITALIZE_WORKFLOW_URL"].parse(raw)


@contextlib.contextmanager
def workflow():
    """A connection to the workflow store for one operation (closed after: the DuckDB file is shared with the
    CLI; a PostgreSQL connection goes back to the pool).

    A storage failure (read-only file, full disk, damaged file, busy) is raised as its project error
    (``failures.boundary``), which pages show with ``show_error``."""
    url = workflow_url()
    with failures.boundary("workflow"):
        con = db.connect_workflow(url=url) if url else db.connect_workflow()
        try:
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """The pages' one error boundary (``app.py`` runs every page inside it): a project error that a page did
    not handle itself — a busy or unreachable workflow store above all — is shown in the user's language by
    ``show_error`` instead of a traceback. Bugs still surface."""
    try:
        yield
    except RevitalizeError as exc:
        show_error(exc)


def show_error(exc: BaseException) -> None:
    """An error shown in the user's language: a project error's message (every problem listed, as a table),
    a storage failure translated by ``failures.classify``; anything else named as an unexpected error,
    never a traceback."""
    err = exc if isinstance(exc, RevitalizeError) else failures.classify(exc)
    if err is None:
        first = failures.redact(str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
        st.error(t("fail.ui_internal", what=f"{type(exc).__name__}: {first}".rstrip(": ")))
        return
    heads = {ConflictError: "cd.conflict", PermissionDeniedError: "cd.denied", StorageError: "err.storage"}
    head = next((t(k) for cls, k in heads.items() if isinstance(err, cls)), t("err.input"))
    if isinstance(err, InputError) and err.problems:
        st.error(f"**{head}**: " + t("err.count", n=len(err.problems)))
        st.dataframe(problems_table(err.problems), hide_index=True, width="stretch")
        return
    text = i18n.error_text(err, lang())
    st.error(f"**{head}**\n\n{text}" if err.key else f"**{head}**\n\n```\n{text}\n```")


def problems_table(problems) -> pd.DataFrame:
    """Problems as a table in the user's language (headers and texts): file, row, column, expected, found."""
    rows = []
    for p in problems:
        expected, found = i18n.problem_texts(p, lang())
        rows.append({t("err.file"): p.file, t("err.row"): p.row, t("err.column"): p.column,
                     t("err.expected"): expected, t("err.found"): found})
    return pd.DataFrame(rows)


def register_key() -> tuple:
    """(candidate_id, version) of every candidate: a cache key that changes whenever the register does."""
    with workflow() as con:
        return candidates.versions(con)


@st.cache_data(show_spinner=False, max_entries=4)
def _candidate_places(stamp: tuple[str, float], register: tuple):
    with workflow() as con:
        table = candidates.table(con)
    return progress.places(table, pool.municipality_points(connection()))


def candidate_places():
    """Designated bases and the pipeline placed on the map (``progress.places``), or None without data."""
    if connection() is None:
        return None
    try:
        return _candidate_places(stamp(), register_key())
    except (duckdb.Error, RevitalizeError):  # the map shows without them; the candidate pages say why
        return None


# ---- user layers (issue 17) -------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=4)
def _user_map_layers(layer_versions: tuple, lang: str) -> list:
    with workflow() as con:
        return layer_views.map_points(layer_views.map_layers(con, lang=lang), lang=lang)


def user_map_layers() -> list:
    """The visible user layers as point layers of a map spec (``outputs.user_layers.map_points``), cached per
    layer versions."""
    try:
        with workflow() as con:
            key = user_layers.versions(con)
        return _user_map_layers(key, lang()) if key else []
    except StorageError:  # the workflow store busy, unreachable or unreadable: the map without user layers
        return []
