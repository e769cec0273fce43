from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_says_alive(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_the_database(client: TestClient) -> None:
    # REQ: PREP-3 — a health endpoint for every dependency.
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"]["database"]["state"] == "ok"


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/auth/token" in spec["paths"]


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert r.headers["X-Request-ID"] == "abc123"


def test_readyz_reports_core_banking_and_mail(client: TestClient) -> None:
    # REQ: PREP-3 — core banking and mail are reported alongside the database.
    checks = client.get("/readyz").json()["checks"]
    assert checks["core_banking"]["state"] == "ok"
    assert checks["mail"]["state"] == "not_configured"


def test_core_bank_outage_degrades_but_does_not_fail_readiness(client: TestClient) -> None:
    # REQ: PREP-3 — the desk keeps working in degraded mode when the core bank is down.
    bank = client.app.state.container.corebank  # type: ignore[attr-defined]
    bank.outage = True
    body = client.get("/readyz").json()
    assert client.get("/readyz").status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["core_banking"]["state"] == "degraded"
