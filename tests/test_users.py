"""Sign-in roles kept in the workflow store (both backends): admins only, the store wins over the file."""

from __future__ import annotations

import pytest

from revitalize.core.errors import ConfigError, PermissionDeniedError
from revitalize.workflow import users
from revitalize.workflow.auth import User

ADMIN = User("boss@pref.example.lg.jp", "admin")


def test_admin_gives_and_takes_roles_and_the_store_wins_over_the_file(wf):
    u = users.save(wf, ADMIN, " Tanaka@City.Example.lg.jp ", "municipality", "01202；012033", "田中")
    assert u == User("tanaka@city.example.lg.jp", "municipality", frozenset({"01202", "01203"}), "田中")
    assert users.all_users(wf)["tanaka@city.example.lg.jp"] == u
    from_file = {"tanaka@city.example.lg.jp": User("tanaka@city.example.lg.jp", "viewer"),
                 "sato@mlit.example.go.jp": User("sato@mlit.example.go.jp", "reviewer")}
    claims = lambda e: {"email": e}  # noqa: E731
    assert users.signed_in_user(wf, claims("TANAKA@city.example.lg.jp"), from_file).role == "municipality"
    assert users.signed_in_user(wf, claims("sato@mlit.example.go.jp"), from_file).role == "reviewer"
    assert users.signed_in_user(wf, claims("stranger@example.org"), from_file).role == "viewer"
    users.save(wf, ADMIN, "tanaka@city.example.lg.jp", "reviewer")
    assert users.table(wf)["role"].tolist() == ["reviewer"]
    assert users.remove(wf, ADMIN, "tanaka@city.example.lg.jp") is True
    assert users.remove(wf, ADMIN, "tanaka@city.example.lg.jp") is False
    assert users.signed_in_user(wf, claims("tanaka@city.example.lg.jp"), from_file).role == "viewer"


def test_only_admins_change_roles_and_every_problem_is_listed(wf):
    with pytest.raises(PermissionDeniedError, match="admin only"):
        users.save(wf, User("rev", "reviewer"), "x@example.org", "admin")
    with pytest.raises(PermissionDeniedError):
        users.remove(wf, User("rev", "reviewer"), "x@example.org")
    with pytest.raises(ConfigError) as e:
        users.save(wf, ADMIN, "not-an-email", "municipality", "99x99")
    text = str(e.value)
    assert "column 'email': expected a login e-mail" in text and "muni_codes" in text
    with pytest.raises(ConfigError, match="own admin role"):
        users.save(wf, ADMIN, ADMIN.user_id, "viewer")
    assert users.table(wf).empty
