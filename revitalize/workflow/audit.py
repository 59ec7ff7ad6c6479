"""The workflow's audit trail, written one way: the time stamp of an action and its event row.

Candidates (``candidates.py``) and user layers (``user_layers.py``) each keep an append-only event table;
both rows start with the subject (candidate id or layer name), the time, the actor and the actor's role and
the action, and end with the details as JSON. ``record`` writes such a row inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence

from revitalize.workflow.auth import User


def now() -> dt.datetime:
    """The time of an action: UTC, to the second, without time zone (as the event tables store it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def details_json(details: Mapping[str, object] | None) -> str | None:
    """The details of an event as JSON text (None for none); values JSON cannot hold are written as text."""
    return json.dumps(details, ensure_ascii=False, default=str) if details else None


def record(con, statement: str, subject: str, user: User, action: str, fields: Sequence[object] = (), *,
           details: Mapping[str, object] | None = None, at: dt.datetime) -> None:
    """Append one event row with ``statement`` (an INSERT whose parameters are subject, time, actor, role,
    action, ``fields``…, details JSON) on ``con`` — a workflow store or a DuckDB connection."""
    con.execute(statement, [subject, at, user.user_id, user.role, action, *fields, details_json(details)])
