"""High-risk operations need a second, fresh check (RSK-4); other people's accounts are
refused with the right channel named (ACC-7)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from consultdesk.audit import service as audit
from consultdesk.bootstrap import Container
from consultdesk.shared.clock import FakeClock

from .conftest import Desk, verify_by_code


def _last_four(client: TestClient, desk: Desk) -> None:
    r = client.post(
        f"{desk.base}/identity/last-four",
        headers=desk.headers,
        json={"last_four": desk.profile.id_number[-4:]},
    )
    assert r.json()["outcome"] == "passed"


def test_a_transfer_without_a_second_check_is_refused_and_audited(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: RSK-4
    _last_four(client, desk)
    r = client.post(
        f"{desk.base}/high-risk-checks",
        headers=desk.headers,
        json={"operation": "transfer", "account_id": "C001-01"},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "fresh_check_required"
    with container.uow() as session:
        entries = audit.search(
            session=session, action="identity.check", subject=desk.consultation_id
        )
    assert entries[0].details_dict()["outcome"] == "refused"


def test_a_fresh_second_code_check_clears_closing_an_account(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: RSK-4
    _last_four(client, desk)
    verify_by_code(client, container, desk)
    r = client.post(
        f"{desk.base}/high-risk-checks",
        headers=desk.headers,
        json={"operation": "close_account", "account_id": "C001-02"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["operation"] == "close_account"


def test_a_second_check_older_than_the_policy_window_is_not_fresh(
    client: TestClient, container: Container, desk: Desk, clock: FakeClock
) -> None:
    # REQ: RSK-4
    _last_four(client, desk)
    verify_by_code(client, container, desk)
    clock.advance(301)  # identity.high_risk_check_fresh_s = 300
    r = client.post(
        f"{desk.base}/high-risk-checks", headers=desk.headers, json={"operation": "change_phone"}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "fresh_check_required"


def test_one_fresh_check_does_not_clear_two_transfers(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: RSK-4
    _last_four(client, desk)
    verify_by_code(client, container, desk)
    body = {"operation": "transfer", "account_id": "C001-01"}
    first = client.post(f"{desk.base}/high-risk-checks", headers=desk.headers, json=body)
    second = client.post(f"{desk.base}/high-risk-checks", headers=desk.headers, json=body)
    assert (first.status_code, second.status_code) == (201, 403)


def test_someone_elses_account_is_refused_naming_the_branch_channel(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-7
    _last_four(client, desk)
    verify_by_code(client, container, desk)
    r = client.post(
        f"{desk.base}/high-risk-checks",
        headers=desk.headers,
        json={"operation": "transfer", "account_id": "C003-01"},
    )
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["code"] == "outside_authority" and error["field"] == "account_id"
    assert "本人持身份证到网点办理" in error["message"]


def test_someone_elses_balance_is_refused_even_when_verified(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-7
    verify_by_code(client, container, desk)
    r = client.get(f"{desk.base}/core/accounts/C002-01/balance", headers=desk.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "outside_authority"


def test_an_unknown_operation_is_a_422_naming_the_field(client: TestClient, desk: Desk) -> None:
    r = client.post(
        f"{desk.base}/high-risk-checks", headers=desk.headers, json={"operation": "wire_abroad"}
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "operation"


def test_refused_transfer_reason_comes_from_the_core_bank(
    client: TestClient, container: Container, auth_headers: object
) -> None:
    # REQ: ACP-3
    from .conftest import open_desk

    desk = open_desk(container, auth_headers("agent", branch="BJ01"), core_id="C003")  # type: ignore[operator]
    verify_by_code(client, container, desk)
    r = client.get(f"{desk.base}/core/accounts/C003-01/refused-transfers", headers=desk.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"][0]["reason"] == "frozen"
    status = client.get(f"{desk.base}/core/accounts/C003-01/status", headers=desk.headers)
    assert status.json()["data"]["status"] == "frozen"


def test_product_eligibility_cites_its_source(client: TestClient, desk: Desk) -> None:
    # REQ: ACP-3  REQ: SOL-2
    r = client.get(f"{desk.base}/core/eligibility/DEP-3Y", headers=desk.headers)
    assert r.status_code == 200, r.text
    assert r.json()["source"]["system"] == "core_banking" and "eligible" in r.json()["data"]
