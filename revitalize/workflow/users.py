"""Sign-in roles kept in the workflow store, for the shared deployment: an admin edits them in the app.

The users TOML file (REVITALIZE_USERS_FILE) still works; a person listed in the store takes the role given
there (the store wins), people in neither are viewers. Only admins may change roles — checked here, in
the package — and an admin may not take the admin role away from themselves (so a deployment always
keeps one).
"""

from __future__ import annotations

import pandas as pd

from revitalize.core import codes, i18n
from revitalize.core.errors import ConfigError, PermissionDeniedError, Problem
from revitalize.data import db
from revitalize.data.store import Store
from revitalize.workflow import audit, auth
from revitalize.workflow.auth import User


def _q(name: str) -> str:
    return db.sql(f"users/{name}")


def _require_admin(user: User, what: str) -> None:
    if user.role != "admin":
        raise PermissionDeniedError(f"{user.label} may not {what} (admin only)")


def table(con: Store) -> pd.DataFrame:
    """Every person with a role in the store: email, role, muni_codes (';'-joined), name, updated_at, updated_by."""
    return con.df(_q("all"))


def all_users(con: Store) -> dict[str, User]:
    """Users by lower-cased e-mail, as ``auth.load_users`` gives them from the TOML file."""
    out = {}
    for email, role, munis, name, *_ in con.execute(_q("all")).fetchall():
        out[email] = User(email, role, frozenset(c for c in munis.split(";") if c), name or "")
    return out


def save(con: Store, admin: User, email: str, role: str, muni_codes: str | tuple[str, ...] = "",
         name: str = "") -> User:
    """Give ``email`` the role (creating or changing the entry); returns the user. ConfigError lists every problem."""
    _require_admin(admin, "change people's roles")
    email = email.strip().lower()
    if isinstance(muni_codes, str):
        parsed, bad = codes.parse_muni_codes(muni_codes)
    else:
        parsed, bad = list(muni_codes), []
    who = f"user {email!r}"
    problems = [Problem(who, found=str(i18n.say(b, "en")), column="muni_codes", found_key="pb.why",
                        **i18n.expect("pb.imp.muni_codes", why=b)) for b in bad]
    if "@" not in email:
        problems.append(Problem(who, found=repr(email), column="email", **i18n.expect("cfg.user.email")))
    if email == admin.user_id.strip().lower() and role != "admin":
        problems.append(Problem(who, found=repr(role), column="role", **i18n.expect("cfg.user.own_admin")))
    try:
        user = User(email, role, frozenset(parsed), name.strip())
    except ConfigError as exc:
        problems += exc.problems
    if problems:
        raise ConfigError(problems)
    at = audit.now()
    with con.transaction():
        con.execute(_q("save"), [email, role, ";".join(sorted(parsed)), name.strip(), at, admin.user_id])
    return user


def remove(con: Store, admin: User, email: str) -> bool:
    """Take a person's role away (they are a viewer again); False when they had none in the store."""
    _require_admin(admin, "change people's roles")
    email = email.strip().lower()
    if email == admin.user_id.strip().lower():
        raise ConfigError.one(f"user {email!r}", "cfg.user.own_entry", repr(email), column="email")
    with con.transaction():
        return bool(con.execute(_q("remove"), [email]).fetchall())


def signed_in_user(con: Store | None, claims, file_users: dict[str, User]) -> User:
    """The user for a logged-in identity: the store's entry, else the users file's, else a viewer."""
    stored = all_users(con) if con is not None else {}
    return auth.user_from_login(claims, {**file_users, **stored})
