"""Who is acting, and what their role allows. Enforced here, in the package, not only in the UI.

Roles, from least to most:

viewer        reads everything, changes nothing
municipality  creates and edits candidates covering its own municipalities (while draft or applied),
              applies and withdraws them
reviewer      edits any open candidate; moves candidates through review up to nominated; rejects
admin         everything: designates, imports official lists, edits closed records

Identity comes from Streamlit's login (OIDC, ``st.login`` / ``st.user``) when it is configured: the
e-mail is looked up in the users file (REVITALIZE_USERS_FILE, TOML), unknown people are viewers.
Without login, the local user and role come from REVITALIZE_USER / REVITALIZE_ROLE /
REVITALIZE_USER_MUNIS (default: "local", admin — a single-user install on one's own machine).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from revitalize.core import codes, i18n, settings
from revitalize.core.domain import MUNICIPALITY_EDITABLE, OPEN_STATUSES, ROLES
from revitalize.core.errors import ConfigError, PermissionDeniedError, Problem


@dataclass(frozen=True)
class User:
    """An identity with a role; ``muni_codes`` are the municipalities a municipality user speaks for."""

    user_id: str
    role: str
    muni_codes: frozenset[str] = field(default_factory=frozenset)
    name: str = ""

    def __post_init__(self) -> None:
        problems = []
        who = f"user {self.user_id!r}"
        if not self.user_id.strip():
            problems.append(Problem(who, found="", found_key="pb.none", column="user_id",
                                    **i18n.expect("cfg.user.id")))
        if self.role not in ROLES:
            problems.append(Problem(who, found=repr(self.role), column="role",
                                    **i18n.expect("cfg.user.role", roles=", ".join(ROLES))))
        if self.role == "municipality" and not self.muni_codes:
            problems.append(Problem(who, found="", found_key="pb.none", column="muni_codes",
                                    **i18n.expect("cfg.user.munis")))
        bad = sorted(c for c in self.muni_codes if not codes.is_muni_code(c))
        if bad:
            problems.append(Problem(who, found=", ".join(bad), column="muni_codes", **i18n.expect("cfg.user.codes")))
        if problems:
            raise ConfigError(problems)

    @property
    def label(self) -> str:
        return f"{self.name or self.user_id} ({self.role})"


def local_user() -> User:
    """The configured local user (no login)."""
    user_id, role, munis = settings.local_identity()
    return User(user_id, role, frozenset(munis))


def load_users(path: Path) -> dict[str, User]:
    """Users by lower-cased e-mail from a TOML file::

        [users."tanaka@city.example.lg.jp"]
        role = "municipality"
        muni_codes = ["13101"]
        name = "田中"
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError.one(str(path), "cfg.toml", exc) from exc
    out, problems = {}, []
    for email, entry in (data.get("users") or {}).items():
        if not isinstance(entry, Mapping):
            problems.append(Problem(str(path), found=type(entry).__name__, column=f"users.{email}",
                                    **i18n.expect("cfg.user.table")))
            continue
        try:
            out[email.strip().lower()] = User(email, str(entry.get("role", "viewer")),
                                              frozenset(str(c) for c in entry.get("muni_codes", [])),
                                              str(entry.get("name", "")))
        except ConfigError as exc:
            problems += [Problem(str(path), p.expected, p.found, column=f"users.{email}.{p.column}", key=p.key,
                                 params=p.params, found_key=p.found_key) for p in exc.problems]
    if problems:
        raise ConfigError(problems)
    return out


def user_from_login(claims: Mapping[str, object], users: Mapping[str, User]) -> User:
    """The user for a logged-in identity (OIDC claims); people not in the users file are viewers."""
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise ConfigError([Problem("login", found="", found_key="pb.none", column="email",
                                   **i18n.expect("cfg.login_email"))])
    known = users.get(email)
    if known is not None:
        return known
    return User(email, "viewer", name=str(claims.get("name") or ""))


# ---- permissions -------------------------------------------------------------------------------------------

def covers_own(user: User, muni_codes: set[str] | frozenset[str]) -> bool:
    """True when a candidate's municipalities include one the user speaks for."""
    return bool(user.muni_codes & set(muni_codes))


def _deny(user: User, what: str) -> PermissionDeniedError:
    return PermissionDeniedError(f"{user.label} may not {what}")


def require_create(user: User, muni_codes: set[str]) -> None:
    """Raise unless the user may create a candidate covering ``muni_codes``."""
    if user.role in ("reviewer", "admin"):
        return
    if user.role == "municipality" and muni_codes and set(muni_codes) <= set(user.muni_codes):
        return
    if user.role == "municipality":
        raise _deny(user, f"create a candidate covering municipalities other than its own "
                          f"({', '.join(sorted(user.muni_codes))}); found {', '.join(sorted(muni_codes))}")
    raise _deny(user, "create candidates")


def require_edit(user: User, status: str, muni_codes: set[str]) -> None:
    """Raise unless the user may edit a candidate in ``status`` covering ``muni_codes``."""
    if user.role == "admin":
        return
    if user.role == "reviewer" and status in OPEN_STATUSES:
        return
    if user.role == "municipality" and covers_own(user, muni_codes) and status in MUNICIPALITY_EDITABLE:
        return
    raise _deny(user, f"edit a candidate that is {status}" + (
        "" if user.role != "municipality" or covers_own(user, muni_codes) else " and not its own"))


def require_import(user: User) -> None:
    if user.role != "admin":
        raise _deny(user, "import official lists (admin only)")


def require_transition(user: User, to_status: str, muni_codes: set[str], min_role: str) -> None:
    """Raise unless the user's role reaches ``min_role`` for this transition (own candidates for municipality)."""
    rank = ROLES.index
    if rank(user.role) < rank(min_role):
        raise _deny(user, f"move a candidate to {to_status} (needs {min_role} or above)")
    if user.role == "municipality" and not covers_own(user, muni_codes):
        raise _deny(user, f"move another body's candidate to {to_status}")
