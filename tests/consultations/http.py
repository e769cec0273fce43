"""Helpers shared by the consultations HTTP tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

V1 = "/api/v1"
PHONE = "13812345678"


def open_chat(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    r = client.post(f"{V1}/consultations", json={"channel": "chat", **body}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def visitor(client: TestClient, **body: Any) -> tuple[str, dict[str, str]]:
    r = client.post(f"{V1}/chat", json={"branch": "BJ01", **body})
    assert r.status_code == 201, r.text
    return r.json()["consultation_id"], {"X-Chat-Token": r.json()["token"]}


def field_of(r: Any) -> str:
    return r.json()["error"]["field"]  # type: ignore[no-any-return]
