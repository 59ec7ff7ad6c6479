"""A worker process for the multi-process workflow tests (the store comes from the environment).

    python tests/wf_worker.py update CANDIDATE_ID N GO_FILE   # N saves, each on the version it read before
    python tests/wf_worker.py create N GO_FILE                # N creates
    python tests/wf_worker.py import CSV MARKER               # an import that stops midway (to be killed)

Prints one JSON line: what was accepted, conflicts, and any other error (by class name and message).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from revitalize.core.errors import ConflictError, RevitalizeError
from revitalize.data import db
from revitalize.workflow import candidates as C
from revitalize.workflow import imports
from revitalize.workflow.auth import User

ADMIN = User("boss", "admin")


def wait_for(go: str) -> None:
    deadline = time.monotonic() + 60
    while not Path(go).exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def update(cid: str, n: int, go: str) -> dict:
    wait_for(go)
    accepted, conflicts, errors = [], 0, []
    for i in range(n):
        text = f"p{os.getpid()}-{i}"
        try:
            with db.connect_workflow() as con:
                read = C.get(con, cid).version
            with db.connect_workflow() as con:  # the save is a later visit, as from a page
                accepted.append([C.update(con, ADMIN, cid, read, {"summary": text}), text])
        except ConflictError:
            conflicts += 1
        except RevitalizeError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    return {"accepted": accepted, "conflicts": conflicts, "errors": errors}


def create(n: int, go: str) -> dict:
    wait_for(go)
    ids, errors = [], []
    for i in range(n):
        data = C.CandidateData(name_ja=f"同時作成 {os.getpid()}-{i}", base_type="tourism", fiscal_year=2025,
                               muni_codes=("01202",))
        try:
            with db.connect_workflow() as con:
                ids.append(C.create(con, ADMIN, data))
        except RevitalizeError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    return {"ids": ids, "errors": errors}


def import_and_hang(path: str, marker: str) -> dict:
    """Import ``path``, but stop after the first bulk append (candidates written, the rest not) and wait there."""
    real = C._append

    def append(con, table, columns, rows):
        real(con, table, columns, rows)
        Path(marker).write_text(table)
        time.sleep(120)

    C._append = append
    with db.connect_workflow() as con:
        imports.import_file(con, ADMIN, path)
    return {"finished": True}


if __name__ == "__main__":
    verb, *rest = sys.argv[1:]
    if verb == "update":
        out = update(rest[0], int(rest[1]), rest[2])
    elif verb == "create":
        out = create(int(rest[0]), rest[1])
    else:
        out = import_and_hang(rest[0], rest[1])
    print(json.dumps(out, ensure_ascii=False))
