"""Run the SLA scheduler as a separate process against a given database (tests only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from consultdesk.settings import Settings


def worker_env(settings: Settings, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CONSULTDESK_DATABASE_URL=settings.database_url,
        CONSULTDESK_SECRET_KEY=settings.secret_key,
        CONSULTDESK_DATA_DIR=str(data_dir),
        CONSULTDESK_ENVIRONMENT="test",
    )
    if settings.database_schema:
        env["CONSULTDESK_DATABASE_SCHEMA"] = settings.database_schema
    env.pop("CONSULTDESK_KEYS", None)
    return env


def start_worker(settings: Settings, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "consultdesk"), "worker", *args],
        env=worker_env(settings, data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
