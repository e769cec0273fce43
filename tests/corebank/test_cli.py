"""`consultdesk corebank` command line."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from consultdesk.corebank.cli import register


def test_serve_is_registered_with_a_port_option() -> None:
    root = typer.Typer()
    register(root)
    result = CliRunner().invoke(root, ["corebank", "serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.stdout


def test_serve_refuses_a_port_out_of_range() -> None:
    root = typer.Typer()
    register(root)
    result = CliRunner().invoke(root, ["corebank", "serve", "--port", "70000"])
    assert result.exit_code == 2
