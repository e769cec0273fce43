"""ASGI entry point for uvicorn: ``consultdesk.web.asgi:app``."""

from __future__ import annotations

from consultdesk.bootstrap import bootstrap
from consultdesk.web.app import create_app, settle_startup_memory

app = create_app(bootstrap())
settle_startup_memory()
