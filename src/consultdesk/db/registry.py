"""Imports every feature's tables (``consultdesk.features.FEATURES``) so that
``Base.metadata`` is complete (migrations, tests)."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from consultdesk.db.base import Base


def load_all_tables() -> MetaData:
    from consultdesk.features import table_modules

    for name in table_modules():
        importlib.import_module(name)
    return Base.metadata
