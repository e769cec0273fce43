"""The AML queue over the API (RSK-5): screening under the policy, reviewer decisions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def tx(i: int, amount: str, day: str = "2026-03-02", kind: str = "cash_in") -> dict[str, str]:
    return {
        "id": f"t{i}",
        "customer_id": "C001",
        "party": "individual",
        "kind": kind,
        "amount": amount,
        "currency": "CNY",
        "date": day,
    }


def test_cash_summed_over_the_day_reaches_the_queue_and_is_dismissed_with_a_reason(
    client: TestClient, auth_headers: Any
) -> None:
    # REQ: RSK-5 — same-day cumulative cash ≥ ¥50,000 is a large-value alert; the
    # reviewer's decision is recorded with the reason.
    headers = auth_headers("compliance_officer")
    r = client.post(
        "/api/v1/aml/screen",
        headers=headers,
        json={"transactions": [tx(1, "30000.00"), tx(2, "20000.00")]},
    )
    assert r.status_code == 201, r.text
    [alert] = r.json()
    assert (alert["rule"], alert["total"], alert["policy_version"]) == (
        "large_cash",
        "50000.00",
        "HO-0",
    )
    queue = client.get("/api/v1/aml/alerts", headers=headers).json()
    assert [a["id"] for a in queue] == [alert["id"]]
    no_reason = client.post(
        f"/api/v1/aml/alerts/{alert['id']}/dismiss", headers=headers, json={"reason": ""}
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["field"] == "reason"
    done = client.post(
        f"/api/v1/aml/alerts/{alert['id']}/dismiss",
        headers=headers,
        json={"reason": "工资代发，已核实"},
    )
    assert done.json()["status"] == "dismissed"
    assert client.get("/api/v1/aml/alerts", headers=headers).json() == []


def test_just_under_the_threshold_raises_nothing(client: TestClient, auth_headers: Any) -> None:
    # REQ: RSK-5 — thresholds are inclusive: 49,999.99 is not a large-value transaction.
    r = client.post(
        "/api/v1/aml/screen",
        headers=auth_headers("compliance_officer"),
        json={"transactions": [tx(1, "49999.99")]},
    )
    assert r.status_code == 201
    assert r.json() == []


def test_policy_threshold_change_applies_to_screening(
    client: TestClient, auth_headers: Any
) -> None:
    # REQ: ANX-2 — the thresholds come from the versioned policy.
    admin = auth_headers("admin")
    client.put(
        "/api/v1/policy/aml.cash_cny", headers=admin, json={"value": "40000", "reason": "测试"}
    )
    r = client.post(
        "/api/v1/aml/screen",
        headers=auth_headers("compliance_officer"),
        json={"transactions": [tx(1, "45000.00")]},
    )
    assert [a["policy_version"] for a in r.json()] == ["HO-1"]


def test_bad_amount_names_the_field(client: TestClient, auth_headers: Any) -> None:
    r = client.post(
        "/api/v1/aml/screen",
        headers=auth_headers("compliance_officer"),
        json={"transactions": [tx(1, "12.345")]},
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "transactions.0.amount"


def test_agents_cannot_see_the_aml_queue(client: TestClient, auth_headers: Any) -> None:
    assert client.get("/api/v1/aml/alerts", headers=auth_headers("agent")).status_code == 403
