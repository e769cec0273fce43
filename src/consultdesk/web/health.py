"""Liveness and readiness (PREP-3): ``/readyz`` reports each dependency's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from consultdesk.bootstrap import Container
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


def health_checks(container: Container) -> dict[str, HealthCheck]:
    checks: dict[str, HealthCheck] = container.extras.setdefault(  # type: ignore[assignment]
        "health_checks", {}
    )
    checks.setdefault("database", database_check)
    return checks


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
