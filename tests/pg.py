"""A throwaway PostgreSQL cluster on loopback for the tests and benchmarks (initdb + pg_ctl in a temp folder).

PostgreSQL refuses to run as root, so when the tests run as root (CI does) the cluster belongs to the
``postgres`` OS user that Debian's package creates, or to a ``revitalize-pg`` user made here with
``useradd``. Without PostgreSQL's binaries ``Cluster.start`` raises ``Unavailable`` with the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


class Unavailable(RuntimeError):
    """PostgreSQL cannot be started here (no binaries, no user to run it as)."""


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    exe = shutil.which("initdb")
    return Path(exe).parent if exe else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _os_user() -> str | None:
    """The OS user to run PostgreSQL as (None: the current, non-root user)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "revitalize-pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    r = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", "revitalize-pg"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Unavailable(f"running as root and could not create a user for PostgreSQL: {r.stderr.strip()}")
    return "revitalize-pg"


class Cluster:
    """One PostgreSQL server on 127.0.0.1:<free port>, trust authentication, data in a temp folder."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.dir: Path | None = None
        self.port = 0
        self.user = "revitalize"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        who = _os_user()
        cmd = [str(self.bin / args[0]), *args[1:]]
        if who is not None:
            cmd = ["runuser", "-u", who, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def start(self) -> Cluster:
        if self.bin is None:
            raise Unavailable("PostgreSQL's initdb was not found (Debian: apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="revitalize-pg-"))
        who = _os_user()
        if who is not None:
            info = pwd.getpwnam(who)
            os.chown(self.dir, info.pw_uid, info.pw_gid)
        os.chmod(self.dir, 0o700)
        r = self._run("initdb", "-D", str(self.dir / "data"), "-U", self.user, "--auth=trust", "-E", "UTF8",
                      "--no-locale", "--no-sync")
        if r.returncode != 0:
            raise Unavailable(f"initdb failed: {r.stderr.strip()[-500:]}")
        self.port = _free_port()
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
                "-c fsync=off -c max_connections=200 -c shared_buffers=64MB")
        r = self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-o", opts, "-w", "start")
        if r.returncode != 0:
            log = (self.dir / "log").read_text() if (self.dir / "log").exists() else ""
            raise Unavailable(f"pg_ctl start failed: {r.stderr.strip()[-300:]} {log[-500:]}")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.dir is None:
            return
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
