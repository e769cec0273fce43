"""ASGI entry point for uvicorn: ``consultdesk.web.asgi:app``."""

from __future__ import annotations

from consultdesk.bootstrap import bootstrap
from consultdesk.web.app import create_app

app = create_app(bootstrap())
