"""The load harness (bench/load_harness.py) runs end to end with tiny numbers: two real
``consultdesk serve`` processes and a worker on PostgreSQL, every customer taken by an
agent on the other process, nothing acknowledged and lost, no errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.pg import PG_URL, REQUIRE_PG

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

HARNESS = Path(__file__).resolve().parents[2] / "bench" / "load_harness.py"


@pytest.fixture
def reachable_postgres() -> None:
    engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    finally:
        engine.dispose()


@pytest.mark.usefixtures("reachable_postgres")
def test_a_tiny_run_across_two_processes_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            str(HARNESS),
            *("--customers", "5", "--agents", "3", "--seconds", "5"),
            *("--interval", "0.5", "--read-seconds", "1", "--read-concurrency", "4"),
            "--no-baseline",
            *("--json", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    two = json.loads(out.read_text())["two"]
    assert two["taken"] == 5, done.stdout
    assert two["sent"] >= 40
    assert two["acked"] == two["sent"]
    assert two["lost"] == 0
    assert two["errors"] == 0, two["error_kinds"]
    assert two["reads_per_s"] > 0
    assert "delivery ms p50 / p95 / p99" in done.stdout
