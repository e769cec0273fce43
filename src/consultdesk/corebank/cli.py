"""`consultdesk corebank serve`: run the sandbox core bank over HTTP for demos and for
integration teams to compare their gateway against."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from consultdesk.shared.clock import SystemClock

DEFAULT_PORT = 8765


def register(root: typer.Typer) -> None:
    """Add the `corebank` sub-app to the root app."""
    app = typer.Typer(help="核心系统沙箱")

    @app.command("serve")
    def serve(
        port: Annotated[int, typer.Option("--port", min=1, max=65535)] = DEFAULT_PORT,
        host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
        token: Annotated[
            str | None,
            typer.Option(
                "--token",
                envvar="CONSULTDESK_COREBANK_TOKEN",
                help="bearer token clients must send (default: a random one, printed)",
            ),
        ] = None,
        seed: Annotated[int, typer.Option("--seed")] = 0,
        latency: Annotated[
            float,
            typer.Option(
                "--latency", min=0, max=600, help="seconds every answer waits (rehearse a stall)"
            ),
        ] = 0.0,
    ) -> None:
        """Serve the sandbox core bank under /corebank/v1 until interrupted."""
        import uvicorn

        from consultdesk.corebank.http_server import create_corebank_app
        from consultdesk.corebank.sandbox import SandboxCoreBank

        bank = SandboxCoreBank(clock=SystemClock(), seed=seed)
        if token is None:
            token = secrets.token_urlsafe(16)
            typer.echo(f"访问令牌：{token}", err=True)
        typer.echo(f"核心系统沙箱：http://{host}:{port}/corebank/v1", err=True)
        uvicorn.run(
            create_corebank_app(bank=bank, token=token, latency_s=latency), host=host, port=port
        )

    root.add_typer(app, name="corebank")
