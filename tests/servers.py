"""Run any ASGI app on a real uvicorn server on 127.0.0.1 in a background thread.

    with serve_in_thread(app) as base_url:      # e.g. "http://127.0.0.1:53127"
        httpx.get(base_url + "/health")

The port is chosen by the OS (uvicorn binds port 0; the real port is read back once it
has started, so there is no race);
leaving the block asks the server to exit and joins the thread. Use it from a
module-scoped fixture to start one server per test module.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

STARTUP_TIMEOUT_S = 10.0


@contextmanager
def serve_in_thread(app: Any, *, host: str = "127.0.0.1", lifespan: str = "off") -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL (no trailing slash).
    ``lifespan="on"`` runs the app's start-up as ``consultdesk serve`` does (the bot, the
    jobs runner when the container says so)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=0,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        http="h11",
        ws="websockets-sansio",
        loop="asyncio",
    )
    server = uvicorn.Server(config)
    # uvicorn binds port 0 itself: handing it a pre-bound socket (`sockets=[...]`) made
    # every loopback request take 44 ms (a delayed-ACK stall) instead of 0.5 ms.
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("uvicorn test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_S)


def closed_port_url(host: str = "127.0.0.1") -> str:
    """A base URL on a port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    return f"http://{host}:{port}"
