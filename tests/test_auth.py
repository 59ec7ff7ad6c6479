"""Identity and roles: the local user from settings, signed-in users from the users file."""

from __future__ import annotations

import pytest

from revitalize.core.errors import ConfigError
from revitalize.workflow import auth


def test_local_user_defaults_and_settings(monkeypatch):
    assert auth.local_user() == auth.User("local", "admin")
    monkeypatch.setenv("REVITALIZE_USER", "hako")
    monkeypatch.setenv("REVITALIZE_ROLE", "municipality")
    monkeypatch.setenv("REVITALIZE_USER_MUNIS", "01202, 01236")
    u = auth.local_user()
    assert (u.user_id, u.role, u.muni_codes) == ("hako", "municipality", frozenset({"01202", "01236"}))
    monkeypatch.setenv("REVITALIZE_ROLE", "superuser")
    with pytest.raises(ConfigError, match="column 'role': expected one of viewer, municipality, reviewer, admin"):
        auth.local_user()


def test_municipality_role_needs_codes():
    with pytest.raises(ConfigError, match="needs at least one municipality code"):
        auth.User("x", "municipality")


def test_users_file_maps_login_emails_and_strangers_are_viewers(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users."Tanaka@City.example.lg.jp"]\nrole = "municipality"\nmuni_codes = ["01202"]\n'
                    'name = "田中"\n[users."sato@example.go.jp"]\nrole = "admin"\n', encoding="utf-8")
    users = auth.load_users(path)
    u = auth.user_from_login({"email": "tanaka@city.example.lg.jp", "name": "T"}, users)
    assert (u.role, u.muni_codes, u.name) == ("municipality", frozenset({"01202"}), "田中")
    stranger = auth.user_from_login({"email": "who@example.com", "name": "Who"}, users)
    assert stranger.role == "viewer" and stranger.user_id == "who@example.com"
    with pytest.raises(ConfigError, match="'email' claim"):
        auth.user_from_login({"name": "no mail"}, users)


def test_bad_users_file_lists_every_problem(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users."a@x"]\nrole = "boss"\n[users."b@x"]\nrole = "municipality"\nmuni_codes = ["1202"]\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        auth.load_users(path)
    assert "a@x" in str(e.value) and "b@x" in str(e.value) and "5-digit" in str(e.value)
    path.write_text("not = [toml", encoding="utf-8")
    with pytest.raises(ConfigError, match="readable TOML"):
        auth.load_users(path)
