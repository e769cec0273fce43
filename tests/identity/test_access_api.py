"""Branch scoping on every id in a URL (no IDOR) and revealing a full identifier (RSK-1, RSK-2)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.audit import service as audit
from consultdesk.bootstrap import Container

from .conftest import open_desk


@pytest.fixture
def sh_desk(container: Container, auth_headers: Any) -> Any:
    return open_desk(container, auth_headers("agent", branch="SH01"), branch="SH01")


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/identity"),
        ("POST", "/identity/otp"),
        ("GET", "/core/accounts"),
        ("GET", "/core/eligibility/DEP-3Y"),
    ],
)
def test_another_branchs_consultation_is_not_found(
    client: TestClient, auth_headers: Any, sh_desk: Any, method: str, path: str
) -> None:
    # REQ: RSK-2
    bj = auth_headers("agent", branch="BJ01")
    r = client.request(method, sh_desk.base + path, headers=bj)
    assert r.status_code == 404


def test_head_office_sees_every_branch(client: TestClient, auth_headers: Any, sh_desk: Any) -> None:
    # REQ: RSK-2
    r = client.get(sh_desk.base + "/identity", headers=auth_headers("supervisor", branch="HO"))
    assert r.status_code == 200


def test_reveal_needs_a_reason_and_is_audited(
    client: TestClient, container: Container, auth_headers: Any, sh_desk: Any
) -> None:
    # REQ: RSK-1  REQ: RSK-2
    headers = auth_headers("supervisor", branch="SH01")
    url = f"/api/v1/customers/{sh_desk.customer_id}/reveal"
    missing = client.post(url, headers=headers, json={"field": "phone"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "reason"
    r = client.post(
        url, headers=headers, json={"field": "phone", "reason": "客户要求核对预留手机号"}
    )
    assert r.status_code == 200 and r.json()["value"] == sh_desk.profile.phone
    with container.uow() as session:
        (entry,) = audit.search(session=session, action="pii.reveal", subject=sh_desk.customer_id)
    assert entry.details_dict()["reason"] == "客户要求核对预留手机号"
    assert sh_desk.profile.phone not in entry.details


def test_an_agent_cannot_reveal_a_full_identifier(
    client: TestClient, auth_headers: Any, sh_desk: Any
) -> None:
    # REQ: RSK-1
    r = client.post(
        f"/api/v1/customers/{sh_desk.customer_id}/reveal",
        headers=sh_desk.headers,
        json={"field": "phone", "reason": "想看看完整号码"},
    )
    assert r.status_code == 403


def test_reveal_of_another_branchs_customer_is_not_found(
    client: TestClient, auth_headers: Any, sh_desk: Any
) -> None:
    # REQ: RSK-2
    r = client.post(
        f"/api/v1/customers/{sh_desk.customer_id}/reveal",
        headers=auth_headers("supervisor", branch="BJ01"),
        json={"field": "phone", "reason": "客户要求核对预留手机号"},
    )
    assert r.status_code == 404


def test_the_identity_panel_of_another_branch_is_not_found(
    client: TestClient, auth_headers: Any, sh_desk: Any
) -> None:
    # REQ: RSK-2
    bj = auth_headers("agent", branch="BJ01")
    url = f"/console/identity?consultation_id={sh_desk.consultation_id}"
    assert client.get(url, headers=bj).status_code == 404
    assert client.get(url, headers=sh_desk.headers).status_code == 200
