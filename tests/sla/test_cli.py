"""`consultdesk worker --once` and `consultdesk sla …` through CliRunner."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from consultdesk.bootstrap import Container
from consultdesk.cli.main import app as consultdesk_app
from consultdesk.consultations import service as consultations
from consultdesk.sla import service as sla
from tests.sla.workers import worker_env


@pytest.fixture
def root(container: Container, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    for key, value in worker_env(container.settings, container.settings.data_dir).items():
        if key.startswith("CONSULTDESK_"):
            monkeypatch.setenv(key, value)
    return consultdesk_app


def test_worker_once_fires_what_is_due(root: typer.Typer, container: Container) -> None:
    # REQ: STD-6
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="c"
        )
        sla.sync_clocks(session=s, now=container.clock.now(), consultation_id=c.id)
    result = CliRunner().invoke(root, ["worker", "--once", "--name", "cli"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sla.timers"]["fired"] == 2


def test_escalations_with_unknown_queue_is_one_error_line(root: typer.Typer) -> None:
    result = CliRunner().invoke(root, ["sla", "escalations", "--queue", "nobody"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "--queue" in result.stderr


def test_figures_print_json_with_targets(root: typer.Typer) -> None:
    # REQ: ACC-2
    result = CliRunner().invoke(root, ["sla", "figures"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["first_response"]["target_s"] == 30
