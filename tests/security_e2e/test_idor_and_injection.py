"""Object-level access across branches (no IDOR), SQL-injection strings in every query
parameter, and OTP replay (RSK-2, ACC-6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.customers import service as customers
from consultdesk.shared.scope import SYSTEM
from tests.identity.conftest import last_code, open_desk

INJECTIONS = (
    "' OR '1'='1",
    "1; DROP TABLE consultations; --",
    '" OR 1=1 --',
    "%' UNION SELECT username, password_hash FROM staff_users --",
    "x') OR ('a'='a",
    "\\'; SELECT pg_sleep(5); --",
)


def _sh01_case(container: Container) -> tuple[str, str]:
    now = container.clock.now()
    with container.uow() as session:
        customer = customers.register_customer(
            session=session,
            now=now,
            keyring=container.keyring,
            index_key=container.index_key,
            name="上海客户",
            branch="SH01",
            phone="13900001111",
        )
        c = consultations.open_consultation(
            session=session,
            now=now,
            channel="phone",
            branch="SH01",
            actor="t",
            customer_id=customer.id,
        )
    return c.id, customer.id


def _operations(client: TestClient, placeholder: str) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if placeholder in path and method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.mark.parametrize("placeholder", ["{consultation_id}", "{customer_id}"])
def test_another_branchs_ids_answer_exactly_like_ids_that_do_not_exist(
    client: TestClient, container: Container, auth_headers: Any, placeholder: str
) -> None:
    # REQ: RSK-2
    consultation_id, customer_id = _sh01_case(container)
    real = consultation_id if placeholder == "{consultation_id}" else customer_id
    fake = ("con_" if placeholder == "{consultation_id}" else "cus_") + "0" * 16
    bj = auth_headers("agent", branch="BJ01")
    operations = _operations(client, placeholder)
    assert operations
    statuses = set()
    for method, path in operations:
        template = re.sub(r"\{[a-z_]+\}", "x", path.replace(placeholder, "@ID@"))
        theirs = client.request(method, template.replace("@ID@", real), headers=bj, json={})
        nobodys = client.request(method, template.replace("@ID@", fake), headers=bj, json={})
        assert theirs.status_code == nobodys.status_code, (method, path, theirs.text)
        assert theirs.status_code >= 400, (method, path)
        statuses.add(theirs.status_code)
    assert 404 in statuses  # the object-level check was reached, not only validation


def test_head_office_reaches_another_branchs_consultation(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: RSK-2
    consultation_id, _ = _sh01_case(container)
    r = client.get(
        f"/api/v1/consultations/{consultation_id}", headers=auth_headers("supervisor", branch="HO")
    )
    assert r.status_code == 200


@pytest.mark.parametrize("role", ["agent", "compliance_officer", "admin"])
def test_sql_injection_strings_in_every_query_parameter_are_just_text(
    client: TestClient, container: Container, auth_headers: Any, role: str
) -> None:
    # REQ: RSK-2
    headers = auth_headers(role, branch="HO")
    spec = client.get("/openapi.json").json()
    probed = 0
    for path, item in spec["paths"].items():
        get = item.get("get")
        if not get or "{" in path:
            continue
        names = [
            p["name"]
            for p in get.get("parameters", [])
            if p["in"] == "query" and "string" in str(p.get("schema", {}))
        ]
        for name in names:
            for payload in INJECTIONS:
                r = client.get(path, params={name: payload}, headers=headers)
                assert r.status_code < 500, (path, name, payload, r.text)
                probed += 1
    assert probed > 0
    with container.uow() as session:  # the tables are all still there
        assert consultations.list_consultations(scope=SYSTEM, session=session) is not None


def test_a_used_code_cannot_be_replayed_to_clear_a_high_risk_operation(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: ACC-6  REQ: RSK-4
    desk = open_desk(container, auth_headers("agent", branch="BJ01"))
    sent = client.post(f"{desk.base}/identity/otp", headers=desk.headers).json()
    body = {"challenge_id": sent["challenge_id"], "code": last_code(container, desk.profile.phone)}
    first = client.post(f"{desk.base}/identity/otp/verify", headers=desk.headers, json=body)
    replay = client.post(f"{desk.base}/identity/otp/verify", headers=desk.headers, json=body)
    assert first.json()["outcome"] == "passed"
    assert replay.json()["outcome"] == "replayed"
    r = client.post(
        f"{desk.base}/high-risk-checks", headers=desk.headers, json={"operation": "transfer"}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "fresh_check_required"


def test_another_branchs_follow_up_answers_like_one_that_does_not_exist(
    client: TestClient, container: Container, auth_headers: Any, make_user: Any
) -> None:
    # REQ: RSK-2
    from consultdesk.followups import service as followups

    consultation_id, _ = _sh01_case(container)
    owner = make_user("agent", branch="SH01")
    with container.uow() as session:
        f = followups.create_followup(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            kind="next_day_feedback",
            owner_id=owner.id,
            actor="t",
            calendar=container.calendar,
        )
    bj = auth_headers("agent", branch="BJ01")
    for method, path in _operations(client, "{followup_id}"):
        theirs = client.request(method, path.replace("{followup_id}", f.id), headers=bj, json={})
        nobodys = client.request(
            method, path.replace("{followup_id}", "fu_" + "0" * 16), headers=bj, json={}
        )
        assert theirs.status_code == nobodys.status_code, (method, path, theirs.text)
        assert theirs.status_code >= 400
