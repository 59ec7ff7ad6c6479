"""The database module: identifier quoting, statement files and their placeholders."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from revitalize.core import settings
from revitalize.data import db

SQL_DIR = settings.PROJECT_ROOT / "revitalize" / "data" / "sql"
STATEMENTS = sorted(p for p in SQL_DIR.rglob("*.sql") if p.parent.name not in ("migrations", "workflow", "workflow_postgresql")
                    and not p.name.startswith("reset."))  # migrations and the restore reset are scripts


def _header_and_body(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [ln for ln in lines if ln.startswith("--")]
    body = "\n".join(ln for ln in lines if not ln.startswith("--"))
    return "\n".join(header), body


def _identifier_fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f and not f.isdigit()}


def test_ident_doubles_embedded_quotes():
    assert db.ident("anime_sites") == '"anime_sites"'
    assert db.ident('a"b') == '"a""b"'
    with pytest.raises(ValueError):
        db.ident("")


@hsettings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1,
               max_size=20))
def test_any_name_is_one_identifier(name):
    """Whatever a name holds (quotes, semicolons, SQL), it names exactly one table and nothing runs."""
    con = db.connect(":memory:")
    try:
        con.execute(f"CREATE TABLE {db.ident(name)} (x INTEGER)")
        con.execute(f"INSERT INTO {db.ident(name)} VALUES (1), (2)")
        assert con.execute(db.sql("row_count", table=name)).fetchone()[0] == 2
        assert con.execute(db.sql("schema/table_exists"), [name]).fetchone()[0] == 1
    finally:
        con.close()


def test_sql_quotes_every_identifier_and_lists():
    text = db.sql("table_rows", columns=["muni_code", 'odd"name'], table="municipalities")
    assert text.splitlines()[-1] == 'SELECT "muni_code", "odd""name" FROM "municipalities"'


@pytest.mark.parametrize("path", STATEMENTS, ids=lambda p: str(p.relative_to(SQL_DIR)))
def test_statement_file_is_one_statement_with_an_honest_header(path):
    header, body = _header_and_body(path)
    assert body.strip(), "no statement"
    assert ";" not in re.sub(r"'[^']*'", "''", body).strip().rstrip(";"), "one statement a file"
    promised = set(re.findall(r"\$(\d+)", header))
    used = set(re.findall(r"\$(\d+)", body))
    assert promised <= used, f"the header names parameters the statement never uses: {sorted(promised - used)}"
    fields = _identifier_fields(body) if "{" in body and not re.search(r"\{\d+\}", body) else set()
    assert fields <= _identifier_fields(header), f"placeholders not described in the header: {fields}"


def test_points_outside_returns_every_outside_point_farthest_first(tmp_path):
    """The statement takes no tolerance: it lists every point outside its municipality, and check compares."""
    con = db.connect(":memory:")
    con.execute("INSERT INTO municipalities (muni_code, pref_code, name_ja, kind, is_disputed, geom) VALUES "
                "('13101', '13', 'A', 'city', false, ST_GeomFromText('POLYGON((139 35, 139.1 35, 139.1 35.1, "
                "139 35.1, 139 35))'))")
    con.execute("INSERT INTO anime_sites (site_id, place_name_ja, pref_code, muni_code, lat, lon, location_precision, "
                "kind, source_url, geom) VALUES "
                "('in', 'x', '13', '13101', 35.05, 139.05, 'landmark', 'setting', 'https://e.org', "
                "ST_Point(139.05, 35.05)), "
                "('near', 'x', '13', '13101', 35.05, 139.11, 'landmark', 'setting', 'https://e.org', "
                "ST_Point(139.11, 35.05)), "
                "('far', 'x', '13', '13101', 35.05, 139.5, 'landmark', 'setting', 'https://e.org', "
                "ST_Point(139.5, 35.05))")
    rows = con.execute(db.sql("check/points_outside_municipality", table="anime_sites", id="site_id")).fetchall()
    assert [r[0] for r in rows] == ["far", "near"]
    assert 30 < rows[0][4] < 40 and 0 < rows[1][4] < 2
    con.close()
