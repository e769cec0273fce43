"""The versioned policy (ANX-1, ANX-2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.policy import service
from consultdesk.policy.model import FIELDS, parse_value
from consultdesk.shared.errors import ValidationFailed
from consultdesk.shared.ids import BranchCode, UserId

REQUIREMENT_NUMBERS = {
    # REQ: ACC-2, STD-4, STD-5, STD-6, QC-1, QC-3, QC-5, CLS-3 — every number of the procedure.
    "sla.online_first_response_s": 30,
    "sla.phone_answer_s": 15,
    "sla.simple_resolution_s": 120,
    "sla.counter_question_s": 300,
    "sla.phone_average_handling_s": 180,
    "escalation.call_duration_s": 300,
    "escalation.complex_to_senior_s": 60,
    "escalation.complaint_to_qa_s": 1800,
    "escalation.wait_supervisor_s": 600,
    "routing.max_concurrent_chats": 3,
    "patience.repeat_question_limit": 2,
    "followup.complaint_working_days": 3,
    "quality.satisfaction_min": 90,
    "quality.faq_accuracy_min": Decimal("0.85"),
    "quality.top_problem_alert_share": Decimal("0.20"),
    "quality.top_problems": 5,
    "staff.monthly_training_hours": 2,
    "staff.exam_pass_rate": Decimal("0.95"),
    "aml.cash_cny": Decimal("50000"),
}


def test_defaults_hold_the_procedures_numbers(container: Container) -> None:
    with container.uow() as session:
        policy = service.current_policy(session=session)
    for key, expected in REQUIREMENT_NUMBERS.items():
        assert policy.values[key] == expected, key


def test_every_field_names_its_requirement() -> None:
    assert all(f.requirement and f.description and f.unit for f in FIELDS)


def test_a_change_makes_a_new_version_with_author_and_reason(container: Container) -> None:
    # REQ: ANX-2 — versioned; every change recorded with author and time.
    with container.uow() as session:
        before = service.current_policy(session=session).version
        after = service.set_policy_value(
            session=session,
            now=container.clock.now(),
            author=UserId("usr_1"),
            key="sla.online_first_response_s",
            value="20",
            reason="年度修订",
        )
    assert (before, after.version) == ("HO-0", "HO-1")
    with container.uow() as session:
        [change] = service.policy_history(session=session)
    assert (change.author, change.old_value, change.new_value, change.reason) == (
        "usr_1",
        None,
        "20",
        "年度修订",
    )


def test_branch_rule_applies_on_top_of_head_office_for_that_branch_only(
    container: Container,
) -> None:
    # REQ: ANX-1 — a branch adds local rules on top of head-office policy.
    now = container.clock.now()
    with container.uow() as session:
        service.set_policy_value(
            session=session,
            now=now,
            author=UserId("ho"),
            key="routing.max_concurrent_chats",
            value=4,
            reason="总行调整",
        )
        service.set_policy_value(
            session=session,
            now=now,
            author=UserId("bj"),
            key="routing.max_concurrent_chats",
            value=2,
            reason="分行试点",
            scope=BranchCode("BJ01"),
        )
    with container.uow() as session:
        bj = service.current_policy(session=session, branch=BranchCode("BJ01"))
        sh = service.current_policy(session=session, branch=BranchCode("SH01"))
    assert bj.int("routing.max_concurrent_chats") == 2
    assert bj.version == "HO-1/BJ01-1"
    assert sh.int("routing.max_concurrent_chats") == 4
    assert sh.version == "HO-1"


def test_head_office_sees_branch_changes_in_the_history(container: Container) -> None:
    # REQ: ANX-1 — the branch's change is recorded and visible to head office.
    with container.uow() as session:
        service.set_policy_value(
            session=session,
            now=container.clock.now(),
            author=UserId("bj"),
            key="sla.counter_question_s",
            value=240,
            reason="本地",
            scope=BranchCode("BJ01"),
        )
    with container.uow() as session:
        scopes = {c.scope for c in service.policy_history(session=session)}
    assert "BJ01" in scopes


@pytest.mark.parametrize(
    ("key", "raw", "field"),
    [
        ("no.such.key", "1", "key"),
        ("sla.online_first_response_s", "3.5", "value"),
        ("sla.online_first_response_s", "-1", "value"),
        ("quality.faq_accuracy_min", "1.5", "value"),
        ("quality.faq_accuracy_min", "NaN", "value"),
    ],
)
def test_bad_values_are_refused_naming_the_field(key: str, raw: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_value(key, raw)
    assert err.value.field == field


def test_a_refused_change_writes_nothing(container: Container) -> None:
    with pytest.raises(ValidationFailed), container.uow() as session:
        service.set_policy_value(
            session=session,
            now=container.clock.now(),
            author=UserId("x"),
            key="sla.phone_answer_s",
            value="soon",
            reason="x",
        )
    with container.uow() as session:
        assert service.policy_history(session=session) == []


def test_api_branch_supervisor_sets_a_local_rule(client: TestClient, auth_headers: Any) -> None:
    headers = auth_headers("supervisor", branch="BJ01")
    r = client.put(
        "/api/v1/policy/routing.max_concurrent_chats",
        headers=headers,
        json={"value": 2, "reason": "分行试点"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == "HO-0/BJ01-1"
    assert (
        client.get("/api/v1/policy", headers=headers).json()["values"][
            "routing.max_concurrent_chats"
        ]
        == 2
    )


def test_api_agent_cannot_change_policy(client: TestClient, auth_headers: Any) -> None:
    r = client.put(
        "/api/v1/policy/routing.max_concurrent_chats",
        headers=auth_headers("agent"),
        json={"value": 9, "reason": "x"},
    )
    assert r.status_code == 403


def test_api_branch_staff_cannot_read_another_branchs_policy(
    client: TestClient, auth_headers: Any
) -> None:
    r = client.get("/api/v1/policy?branch=SH01", headers=auth_headers("agent", branch="BJ01"))
    assert r.status_code == 403
    assert r.json()["error"]["field"] == "branch"
