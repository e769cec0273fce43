"""A private PostgreSQL cluster a test may stop and start (the shared server on 5432 is
never touched): initdb in a temporary folder owned by the ``postgres`` OS user, a free
loopback port, trust authentication. Needs the PostgreSQL 15 binaries and root (to run
them as ``postgres``); otherwise the test is skipped, or fails under
CONSULTDESK_REQUIRE_POSTGRES=1."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.consultations.test_kill import free_port
from tests.pg import REQUIRE_PG

PG_BIN = Path(os.environ.get("CONSULTDESK_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"


class PrivateCluster:
    """One cluster: ``start``/``stop`` as often as a test likes; ``url`` for SQLAlchemy."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.data = folder / "data"
        self.log = folder / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60, check: bool = True) -> None:
        subprocess.run(
            ["runuser", "-u", OS_USER, "--", *args],
            check=check,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"),
            "--encoding=UTF8",
            "--locale=C",
        )

    def start(self) -> None:
        # A clean "-m fast" stop writes a shutdown checkpoint, so fsync adds nothing the
        # test checks; off keeps start-up and the schema migration quick on a busy box.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c max_connections=60"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"),
        )

    def stop(self) -> None:
        """``pg_ctl stop -m fast``: open transactions are aborted, clients disconnected."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def kill(self) -> None:
        """Stop whatever still runs, at once (clean-up)."""
        if (self.data / "postmaster.pid").exists():
            pg_ctl = str(PG_BIN / "pg_ctl")
            self._run(pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)


def _unavailable() -> str | None:
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL binaries not found in {PG_BIN}"
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "a private cluster needs root (runuser -u postgres)"
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        return f"no {OS_USER!r} OS user to run the cluster as"
    return None


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """An initialised, running private cluster, stopped and removed afterwards."""
    problem = _unavailable()
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"CONSULTDESK_REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(problem)
    folder = Path(tempfile.mkdtemp(prefix="consultdesk-pg-"))
    user = pwd.getpwnam(OS_USER)
    os.chown(folder, user.pw_uid, user.pw_gid)
    cluster = PrivateCluster(folder, free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.kill()
        shutil.rmtree(folder, ignore_errors=True)
