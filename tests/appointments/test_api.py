"""Appointment API (SOL-4, CLS-1): supervisors open slots, agents book; clear 4xx errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.notifications import service as notifications
from consultdesk.shared.clock import FakeClock


def open_slot(client: TestClient, headers: dict[str, str], **over: Any) -> Any:
    body = {
        "branch": "BJ01",
        "day": "2026-11-30",
        "starts": "09:00",
        "ends": "10:00",
        "capacity": 2,
    }
    return client.post("/api/v1/appointments/slots", json={**body, **over}, headers=headers)


# REQ: SOL-4, CLS-1
def test_book_through_the_api_queues_the_number_for_the_phone(
    container: Container,
    client: TestClient,
    auth_headers: Any,
    customer_id: str,
) -> None:
    slot = open_slot(client, auth_headers("supervisor", branch="BJ01"))
    assert slot.status_code == 201, slot.text
    r = client.post(
        "/api/v1/appointments",
        json={"slot_id": slot.json()["id"], "customer_id": customer_id, "purpose": "大额取现"},
        headers=auth_headers("agent", branch="BJ01"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["number"] == "BJ01-20261130-001"
    with container.uow() as s:
        (entry,) = notifications.list_outbox(session=s, ref=r.json()["id"])
    assert "BJ01-20261130-001" in entry.body and entry.recipient_masked == "137****5678"


def test_agent_cannot_open_slots(
    client: TestClient,
    auth_headers: Any,
    clock: FakeClock,
    customer_id: str,
) -> None:
    assert open_slot(client, auth_headers("agent", branch="BJ01")).status_code == 403


def test_bad_time_window_is_422_naming_the_field(
    client: TestClient,
    auth_headers: Any,
    customer_id: str,
) -> None:
    r = open_slot(client, auth_headers("supervisor", branch="BJ01"), starts="25:00")
    assert r.status_code == 422 and r.json()["error"]["field"] == "starts"
