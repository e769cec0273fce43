"""Identity verification on a consultation over HTTP (ACC-6, RSK-2, PREP-3)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.audit import service as audit
from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.corebank.port import EMERGENCY_SCRIPT
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.scope import SYSTEM

from .conftest import Desk, last_code, open_desk, sms, verify_by_code


def test_balance_is_refused_until_the_customer_is_verified(client: TestClient, desk: Desk) -> None:
    # REQ: ACC-6
    r = client.get(f"{desk.base}/core/accounts/C001-01/balance", headers=desk.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "verification_required"


def test_transactions_are_refused_until_the_customer_is_verified(
    client: TestClient, desk: Desk
) -> None:
    # REQ: ACC-6
    r = client.get(f"{desk.base}/core/accounts/C001-01/transactions", headers=desk.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "verification_required"


def test_matching_last_four_verifies_the_consultation(client: TestClient, desk: Desk) -> None:
    # REQ: ACC-6
    r = client.post(
        f"{desk.base}/identity/last-four",
        headers=desk.headers,
        json={"last_four": desk.profile.id_number[-4:]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "passed"
    state = client.get(f"{desk.base}/identity", headers=desk.headers).json()
    assert state["level"] == "verified" and state["methods"] == ["id_last_four"]
    assert state["policy_version"]


def test_wrong_last_four_leaves_the_consultation_unverified(client: TestClient, desk: Desk) -> None:
    # REQ: ACC-6
    wrong = "0000" if desk.profile.id_number[-4:] != "0000" else "1111"
    r = client.post(
        f"{desk.base}/identity/last-four", headers=desk.headers, json={"last_four": wrong}
    )
    assert r.json()["outcome"] == "failed"
    assert client.get(f"{desk.base}/identity", headers=desk.headers).json()["level"] == "none"


def test_malformed_last_four_is_a_422_naming_the_field(client: TestClient, desk: Desk) -> None:
    r = client.post(
        f"{desk.base}/identity/last-four", headers=desk.headers, json={"last_four": "12a4"}
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "last_four"


def test_verified_balance_cites_the_core_bank_and_its_time(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-6  REQ: SOL-2  REQ: ACP-3
    verify_by_code(client, container, desk)
    r = client.get(f"{desk.base}/core/accounts/C001-01/balance", headers=desk.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"]["system"] == "core_banking" and body["source"]["as_of"]
    assert "核心银行系统" in body["source"]["note"]
    assert body["data"]["amount"] == "52340.18"


def test_the_code_goes_to_the_registered_phone_and_never_to_the_agent(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-6  REQ: RSK-3
    r = client.post(f"{desk.base}/identity/otp", headers=desk.headers)
    assert r.status_code == 201, r.text
    code = last_code(container, desk.profile.phone)
    assert code not in r.text
    assert r.json()["masked_phone"] == desk.profile.phone[:3] + "****" + desk.profile.phone[-4:]
    assert desk.profile.phone not in r.text
    state = client.get(f"{desk.base}/identity", headers=desk.headers)
    assert code not in state.text


def test_the_right_code_verifies_the_consultation(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-6
    body = verify_by_code(client, container, desk)
    assert body["outcome"] == "passed" and body["verification"]["level"] == "verified"


def test_the_fifth_wrong_code_locks_the_challenge(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-6
    sent = client.post(f"{desk.base}/identity/otp", headers=desk.headers).json()
    right = last_code(container, desk.profile.phone)
    wrong = "000000" if right != "000000" else "111111"
    outcomes = [
        client.post(
            f"{desk.base}/identity/otp/verify",
            headers=desk.headers,
            json={"challenge_id": sent["challenge_id"], "code": wrong},
        ).json()["outcome"]
        for _ in range(5)
    ]
    assert outcomes == ["failed"] * 4 + ["locked"]
    after = client.post(
        f"{desk.base}/identity/otp/verify",
        headers=desk.headers,
        json={"challenge_id": sent["challenge_id"], "code": right},
    ).json()
    assert after["outcome"] == "locked" and after["verification"]["level"] == "none"


def test_a_code_read_out_after_five_minutes_is_expired(
    client: TestClient, container: Container, desk: Desk, clock: FakeClock
) -> None:
    # REQ: ACC-6
    sent = client.post(f"{desk.base}/identity/otp", headers=desk.headers).json()
    clock.advance(300)
    r = client.post(
        f"{desk.base}/identity/otp/verify",
        headers=desk.headers,
        json={
            "challenge_id": sent["challenge_id"],
            "code": last_code(container, desk.profile.phone),
        },
    )
    assert r.json()["outcome"] == "expired" and r.json()["verification"]["level"] == "none"


def test_a_code_sent_on_another_consultation_is_unknown_here(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-6
    other = open_desk(container, desk.headers, core_id="C002")
    sent = client.post(f"{other.base}/identity/otp", headers=desk.headers).json()
    r = client.post(
        f"{desk.base}/identity/otp/verify",
        headers=desk.headers,
        json={
            "challenge_id": sent["challenge_id"],
            "code": last_code(container, other.profile.phone),
        },
    )
    assert r.status_code == 404 and r.json()["error"]["field"] == "challenge_id"


def test_core_bank_down_fails_closed_with_the_emergency_script_on_the_timeline(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-6  REQ: PREP-3  REQ: PREP-4
    bank = container.corebank
    assert isinstance(bank, SandboxCoreBank)
    bank.outage = True
    r = client.post(
        f"{desk.base}/identity/last-four",
        headers=desk.headers,
        json={"last_four": desk.profile.id_number[-4:]},
    )
    assert r.status_code == 503
    assert r.json()["error"]["message"] == EMERGENCY_SCRIPT
    with container.uow() as session:
        kinds = [
            e.kind
            for e in consultations.timeline(
                scope=SYSTEM, session=session, consultation_id=desk.consultation_id
            )
        ]
    assert "corebank_outage" in kinds
    state = client.get(f"{desk.base}/identity", headers=desk.headers).json()
    assert state["level"] == "none"
    assert state["checks"][-1]["outcome"] == "unavailable"


def test_core_bank_down_on_a_balance_answers_503_never_500(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: PREP-3
    verify_by_code(client, container, desk)
    bank = container.corebank
    assert isinstance(bank, SandboxCoreBank)
    bank.outage = True
    r = client.get(f"{desk.base}/core/accounts/C001-01/balance", headers=desk.headers)
    assert r.status_code == 503 and r.json()["error"]["code"] == "corebank_unavailable"


def test_sms_gateway_down_sends_nothing_and_stores_no_challenge(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-6
    sms(container).outage = True
    r = client.post(f"{desk.base}/identity/otp", headers=desk.headers)
    assert r.status_code == 503
    state = client.get(f"{desk.base}/identity", headers=desk.headers).json()
    assert [c["method"] for c in state["checks"]] == ["otp_sent"]
    assert state["checks"][0]["outcome"] == "unavailable"


def test_a_phone_on_file_that_the_bank_does_not_know_gets_no_code(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: ACC-6
    desk = open_desk(container, auth_headers("agent", branch="BJ01"), phone="13700000000")
    r = client.post(f"{desk.base}/identity/otp", headers=desk.headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "phone"
    assert sms(container).inbox(to="13700000000") == []


def test_every_check_is_in_the_audit_log(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: RSK-2
    client.post(f"{desk.base}/identity/last-four", headers=desk.headers, json={"last_four": "0000"})
    verify_by_code(client, container, desk)
    with container.uow() as session:
        entries = audit.search(
            session=session, action="identity.check", subject=desk.consultation_id
        )
    assert sorted(e.details_dict()["method"] for e in entries) == [
        "id_last_four",
        "otp",
        "otp_sent",
    ]


def test_code_sends_are_rate_limited_per_consultation(client: TestClient, desk: Desk) -> None:
    # REQ: ACC-6
    codes = [
        client.post(f"{desk.base}/identity/otp", headers=desk.headers).status_code for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]


def test_verification_attempts_are_rate_limited_per_customer(
    client: TestClient, container: Container, desk: Desk
) -> None:
    # REQ: ACC-6
    def attempt(consultation_id: str) -> int:
        r = client.post(
            f"/api/v1/consultations/{consultation_id}/identity/last-four",
            headers=desk.headers,
            json={"last_four": "0000"},
        )
        return r.status_code

    with container.uow() as session:
        more = [
            consultations.open_consultation(
                session=session,
                now=container.clock.now(),
                channel="chat",
                branch="BJ01",
                actor="test",
                customer_id=desk.customer_id,
            ).id
            for _ in range(2)
        ]
    first = [attempt(desk.consultation_id) for _ in range(11)]
    assert first == [200] * 10 + [429]  # per consultation
    assert [attempt(more[0]) for _ in range(10)] == [200] * 10
    assert attempt(more[1]) == 429  # per customer: 20 in the hour
