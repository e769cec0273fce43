"""The one registration list: every entry point reads FEATURES, and FEATURES is complete."""

from __future__ import annotations

import importlib

import typer
from fastapi import APIRouter

from consultdesk import features
from consultdesk.db.base import Base
from consultdesk.db.registry import load_all_tables
from consultdesk.web.console import NAV


def test_every_named_router_cli_and_seeder_exists() -> None:
    for target in features.routers():
        assert isinstance(features.load(target), APIRouter), target
    for module in features.cli_modules():
        assert callable(importlib.import_module(module).register), module
    assert len(list(features.seeders())) == 4


def test_every_console_page_in_the_navigation_belongs_to_a_feature() -> None:
    served = {page for f in features.FEATURES for page in f.console}
    missing = {n.path for n in NAV} - served
    assert not missing or missing <= {"/console/reports"}, missing


def test_every_table_comes_from_a_listed_module() -> None:
    load_all_tables()
    listed = set(features.table_modules())
    owners = {
        t.__module__ for t in Base.registry._class_registry.values() if hasattr(t, "__table__")
    }
    assert owners <= listed, owners - listed


def test_feature_names_are_unique_and_the_root_command_mounts_them() -> None:
    names = [f.name for f in features.FEATURES]
    assert len(names) == len(set(names))
    from consultdesk.cli.main import app

    assert isinstance(app, typer.Typer)
    mounted = {g.name for g in app.registered_groups} | {c.name for c in app.registered_commands}
    assert {"consultations", "worker", "db", "users", "audit"} <= mounted
