"""The command line: check, score, sources."""

import io
import json
import subprocess
import sys

import pandas as pd

from revitalize.core import settings


def _run(args, built_db, **env):
    import os

    e = {**os.environ, "REVITALIZE_DB": str(built_db), **env}
    return subprocess.run([sys.executable, "-m", "revitalize", *args], capture_output=True, env=e,
                          cwd=settings.PROJECT_ROOT, timeout=300)


def test_check_exits_zero_and_prints_summary(built_db):
    r = _run(["check"], built_db)
    assert r.returncode == 0, r.stdout.decode()[-2000:]
    out = r.stdout.decode()
    assert "47 prefectures" in out and "1741 census municipalities" in out and "0 failed" in out


def test_score_csv_top_n(built_db):
    r = _run(["score", "--top", "5"], built_db)
    assert r.returncode == 0, r.stderr.decode()
    df = pd.read_csv(io.BytesIO(r.stdout), encoding="utf-8-sig", dtype={"muni_code": str})
    assert len(df) == 5 and list(df["rank"]) == sorted(df["rank"])
    assert {"score", "c_anime", "raw_anime", "s_anime", "reason"} <= set(df.columns)
    assert (df[[c for c in df.columns if c.startswith("c_")]].sum(axis=1) - df["score"]).abs().max() < 1e-9


def test_score_json_with_weights_file(built_db, tmp_path):
    w = tmp_path / "w.toml"
    w.write_text("[weights]\nanime = 5\nfilming = 0\n", encoding="utf-8")
    r = _run(["score", "--weights", str(w), "--top", "3", "--format", "json"], built_db)
    data = json.loads(r.stdout)
    assert data["weights"]["anime"] == 5.0 and data["weights"]["filming"] == 0.0
    assert len(data["rows"]) == 3 and all(row["c_filming"] == 0 for row in data["rows"])


def test_score_with_invalid_weights_is_a_clear_error(built_db, tmp_path):
    w = tmp_path / "w.toml"
    w.write_text("[weights]\nanime = -1\nbogus = 2\n", encoding="utf-8")
    r = _run(["score", "--weights", str(w)], built_db)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "anime" in err and "bogus" in err and "Traceback" not in err


def test_check_without_database_is_a_clear_error(tmp_path):
    r = _run(["check"], tmp_path / "none.duckdb")
    assert r.returncode == 2 and "python -m revitalize build" in r.stderr.decode()
