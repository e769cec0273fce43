"""Follow-up API (CLS-3): created, moved, scoped to the branch, clear 4xx errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.followups.conftest import Desk


def test_create_and_walk_a_complaint_through_the_api(
    desk: Desk, client: TestClient, auth_headers: Any
) -> None:
    # REQ: CLS-3
    desk.at_beijing(2026, 9, 30, 15, 0)
    h = auth_headers("agent", branch="BJ01")
    r = client.post(
        f"/api/v1/consultations/{desk.consultation_id}/followups",
        json={"kind": "complaint", "owner_id": desk.owner_id},
        headers=h,
    )
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert r.json()["due_date"] == "2026-10-10"
    r = client.post(f"/api/v1/followups/{fid}/return-call", json={"note": "已回访"}, headers=h)
    assert r.json()["state"] == "called_back"
    r = client.post(
        f"/api/v1/followups/{fid}/customer-informed", json={"result": "已处理"}, headers=h
    )
    assert r.json()["state"] == "customer_informed"
    r = client.get(f"/api/v1/customers/{desk.customer_id}/followups", headers=h)
    assert [f["id"] for f in r.json()] == [fid]


def test_unknown_calendar_year_is_a_422_naming_due_date(
    desk: Desk, client: TestClient, auth_headers: Any
) -> None:
    desk.at_beijing(2031, 3, 3, 9, 0)
    h = auth_headers("agent", branch="BJ01")
    r = client.post(
        f"/api/v1/consultations/{desk.consultation_id}/followups",
        json={"kind": "complaint", "owner_id": desk.owner_id},
        headers=h,
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "due_date"


def test_bad_kind_is_a_422_naming_kind(desk: Desk, client: TestClient, auth_headers: Any) -> None:
    r = client.post(
        f"/api/v1/consultations/{desk.consultation_id}/followups",
        json={"kind": "urgent", "owner_id": desk.owner_id},
        headers=auth_headers("agent", branch="BJ01"),
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "kind"


def test_other_branch_gets_404_not_the_follow_up(
    desk: Desk, client: TestClient, auth_headers: Any
) -> None:
    # REQ: RSK-2
    f = desk.create()
    r = client.get(f"/api/v1/followups/{f.id}", headers=auth_headers("agent", branch="SH01"))
    assert r.status_code == 404


def test_illegal_step_is_a_409(desk: Desk, client: TestClient, auth_headers: Any) -> None:
    f = desk.create()
    r = client.post(f"/api/v1/followups/{f.id}/close", headers=auth_headers("agent", branch="BJ01"))
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "state"
