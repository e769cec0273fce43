"""Liveness and readiness (PREP-3): ``/readyz`` reports each dependency's state."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from consultdesk.bootstrap import Container
from consultdesk.corebank.health import probe_core_bank
from consultdesk.web.deps import ContainerDep

State = Literal["ok", "degraded", "down", "not_configured"]
HealthCheck = Callable[[Container], tuple[State, str]]

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: State
    checks: dict[str, dict[str, str]]


def database_check(container: Container) -> tuple[State, str]:
    try:
        with container.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok", container.engine.dialect.name
    except Exception as exc:  # a health check reports, it does not raise
        return "down", type(exc).__name__


def corebank_check(container: Container) -> tuple[State, str]:
    """PREP-3: when the core bank is down the desk keeps working in degraded mode."""
    result = probe_core_bank(bank=container.corebank, clock=container.clock)
    kind = "sandbox" if container.settings.corebank_url is None else "http"
    if result.up:
        return "ok", kind
    return "degraded", f"{kind}: {result.detail or 'unavailable'}"


def mail_check(container: Container) -> tuple[State, str]:
    host = container.settings.smtp_host
    if not host:
        return "not_configured", "no SMTP host set; e-mail waits in the outbox"
    try:
        with socket.create_connection((host, container.settings.smtp_port), timeout=1.0):
            return "ok", f"{host}:{container.settings.smtp_port}"
    except OSError as exc:
        return "degraded", type(exc).__name__


def health_checks(container: Container) -> dict[str, HealthCheck]:
    """What ``/readyz`` asks, in order."""
    return {"database": database_check, "core_banking": corebank_check, "mail": mail_check}


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Ready)
def readyz(container: ContainerDep) -> JSONResponse:
    results: dict[str, dict[str, str]] = {}
    for name, check in health_checks(container).items():
        state, detail = check(container)
        results[name] = {"state": state, "detail": detail}
    states = {r["state"] for r in results.values()}
    overall: State = (
        "down"
        if results["database"]["state"] == "down"
        else ("degraded" if states & {"down", "degraded"} else "ok")
    )
    body = Ready(status=overall, checks=results)
    return JSONResponse(body.model_dump(), status_code=503 if overall == "down" else 200)
