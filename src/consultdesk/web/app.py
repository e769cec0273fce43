"""The FastAPI application factory."""

from __future__ import annotations

import gc
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consultdesk import features
from consultdesk.bootstrap import Container
from consultdesk.db.checkpoint import WalCheckpointer, is_file_sqlite
from consultdesk.jobs.runner import background_jobs
from consultdesk.logs import request_id_var
from consultdesk.web import console, errors, health

log = logging.getLogger("consultdesk.web")


def settle_startup_memory() -> None:
    """Move everything start-up allocated (modules, dictionaries, the app) out of the
    garbage collector's reach. Without it a full collection walks those millions of
    long-lived objects every so often and stalls every request for tens of
    milliseconds: the chat acknowledgement p99 at 500 msgs/s fell from ~90 ms to ~9 ms
    (bench/bench_ingest.py)."""
    gc.collect()
    gc.freeze()


SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self' ws: wss:; frame-ancestors 'none'",
    ),
)


class RequestContext:
    """Every HTTP request: a request id (the caller's ``X-Request-ID`` or a new one) for
    the logs and the response, the security headers, and one log line with the status
    and the duration. Plain ASGI: Starlette's ``BaseHTTPMiddleware`` ran each request in
    a second task with a stream between, which cost more than a transcript read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                rid = value.decode("latin-1")[:64]
                break
        rid = rid or secrets.token_hex(8)
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = rid
                for name, value in SECURITY_HEADERS:
                    headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)


def create_app(container: Container) -> FastAPI:
    """Build the app around an already-wired container (see ``consultdesk.bootstrap``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        checkpointer = (
            WalCheckpointer(container.engine) if is_file_sqlite(container.engine) else None
        )
        if checkpointer is not None:
            checkpointer.start()
        try:
            async with background_jobs(app):
                yield
        finally:
            if checkpointer is not None:
                checkpointer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="consultdesk",
        version="0.1.0",
        description=(
            "Consultation desk for banks: JSON API. Errors: {error: {code, message, field}}."
        ),
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.container = container
    errors.install(app)

    app.add_middleware(RequestContext)

    app.include_router(health.router)
    for target in features.routers():
        app.include_router(features.load(target))
    app.include_router(console.router)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )
    return app
