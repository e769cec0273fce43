"""Fixtures of the consultations tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from consultdesk.settings import Settings
from tests.conftest import _settings


@pytest.fixture
def agent(auth_headers: Any) -> dict[str, str]:
    """Bearer headers of a BJ01 agent."""
    return auth_headers("agent", branch="BJ01")


@pytest.fixture
def sqlite_only(sqlite_template: Path, tmp_path: Path) -> Settings:
    """For modules that check HTTP wiring only: import as ``db_settings`` to run on SQLite
    alone (the behaviour behind them runs on both databases elsewhere)."""
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return _settings(f"sqlite:///{path}", data_dir=tmp_path)
