"""The AML queue page: an alert is shown, and a dismissal without a reason is refused."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD


def sign_in(client: TestClient, username: str) -> str:
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf.group(1)}
    )
    home = client.get("/").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', home)
    assert token
    return token.group(1)


def test_reviewer_sees_the_alert_and_must_give_a_reason_to_dismiss(
    client: TestClient, make_user: Any, auth_headers: Any
) -> None:
    # REQ: RSK-5 — a reviewer dismisses with a recorded reason or reports.
    tx = {
        "id": "t1",
        "customer_id": "C009",
        "party": "individual",
        "kind": "cash_out",
        "amount": "60000.00",
        "currency": "CNY",
        "date": "2026-03-02",
    }
    [alert] = client.post(
        "/api/v1/aml/screen",
        headers=auth_headers("compliance_officer"),
        json={"transactions": [tx]},
    ).json()
    officer = make_user("compliance_officer")
    csrf = sign_in(client, officer.username)
    page = client.get("/console/aml")
    assert page.status_code == 200
    assert "C009" in page.text and "大额现金" in page.text
    refused = client.post(
        f"/console/aml/{alert['id']}",
        data={"csrf_token": csrf, "decision": "dismiss", "reason": ""},
    )
    assert refused.status_code == 422
    assert "理由" in refused.text
    done = client.post(
        f"/console/aml/{alert['id']}",
        data={"csrf_token": csrf, "decision": "report"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "C009" not in client.get("/console/aml").text
