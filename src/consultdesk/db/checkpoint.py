"""Background WAL checkpoints for SQLite.

SQLite's automatic checkpoint runs inside whichever commit crosses the threshold, and with
``synchronous=FULL`` it fsyncs the database file there: that one chat message waits
hundreds of milliseconds. The desk instead raises the automatic threshold far out of the
way (a safety net only) and copies the WAL back with PASSIVE checkpoints on a connection
of its own, which never blocks the writer."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger("consultdesk.db")

# Pages before SQLite checkpoints by itself (about 200 MB of WAL): only reached if the
# background checkpointer is not running.
AUTOCHECKPOINT_PAGES = 50_000


class WalCheckpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval_s`` until stopped."""

    def __init__(self, engine: Engine, *, interval_s: float = 1.0) -> None:
        self._engine = engine
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint, outside any transaction; returns SQLite's
        (busy, frames in the WAL, frames copied back)."""
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            row = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            cursor.close()
        finally:
            raw.close()
        return int(row[0]), int(row[1]), int(row[2])

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.checkpoint()
            except Exception as exc:  # a failed pass is retried on the next tick
                log.warning("wal checkpoint failed: %s", type(exc).__name__)


def is_file_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")
