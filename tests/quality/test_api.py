"""The quality API: roles, scope (another branch's id is 404) and bad input named by
field, never a 500 (QC-1..QC-4)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.quality.conftest import Desk

P = "/api/v1/quality"


@pytest.fixture
def heads(auth_headers: Any) -> dict[str, dict[str, str]]:
    return {
        "agent": auth_headers("agent", branch="BJ01"),
        "sup": auth_headers("supervisor", branch="BJ01"),
        "qa": auth_headers("qa", branch="BJ01"),
        "qa_sh": auth_headers("qa", branch="SH01"),
        "sup_sh": auth_headers("supervisor", branch="SH01"),
        "qa_ho": auth_headers("qa"),
    }


def test_plans_need_supervise_or_qa_to_write_and_reports_to_read(
    client: TestClient, desk: Desk, heads: dict[str, dict[str, str]]
) -> None:
    """REQ: QC-1, QC-3, RSK-2"""
    assert (
        client.post(f"{P}/plans", json={"month": "2026-11"}, headers=heads["agent"]).status_code
        == 403
    )
    assert client.get(f"{P}/plans", headers=heads["agent"]).status_code == 403
    made = client.post(
        f"{P}/plans",
        json={"month": "2026-11", "category": "ebanking_login", "cause_analysis": "验证码延迟"},
        headers=heads["sup"],
    )
    assert made.status_code == 201, made.text
    plan = made.json()
    assert (
        plan["branch"] == "BJ01"
        and plan["trigger"] == "manual"
        and plan["due_date"] == "2026-12-15"
    )
    assert plan["cause_analysis"] == "验证码延迟"
    pid = plan["id"]
    assert client.get(f"{P}/plans/{pid}", headers=heads["qa"]).json()["id"] == pid
    assert client.get(f"{P}/plans/{pid}", headers=heads["sup_sh"]).status_code == 404
    assert client.get(f"{P}/plans", headers=heads["sup_sh"]).json() == []
    assert client.patch(f"{P}/plans/{pid}", json={}, headers=heads["sup_sh"]).status_code == 404
    other = client.post(
        f"{P}/plans", json={"month": "2026-11", "branch": "BJ01"}, headers=heads["sup_sh"]
    )
    assert other.status_code == 403 and other.json()["error"]["field"] == "branch"


def test_a_plan_goes_to_done_only_with_cause_and_action(
    client: TestClient, desk: Desk, heads: dict[str, dict[str, str]]
) -> None:
    """REQ: QC-1"""
    pid = client.post(f"{P}/plans", json={"month": "2026-11"}, headers=heads["qa"]).json()["id"]
    early = client.post(f"{P}/plans/{pid}/status", json={"status": "done"}, headers=heads["qa"])
    assert early.status_code == 409 and early.json()["error"]["field"] == "status"
    assert (
        client.post(
            f"{P}/plans/{pid}/status", json={"status": "in_progress"}, headers=heads["qa"]
        ).status_code
        == 200
    )
    refused = client.post(f"{P}/plans/{pid}/status", json={"status": "done"}, headers=heads["qa"])
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "cause_analysis"
    patched = client.patch(
        f"{P}/plans/{pid}",
        json={"cause_analysis": "高峰期排队", "actions": [{"text": "增加午间排班"}]},
        headers=heads["qa"],
    )
    assert patched.status_code == 200 and patched.json()["actions"] == [
        {"text": "增加午间排班", "done": False}
    ]
    done = client.post(
        f"{P}/plans/{pid}/status",
        json={"status": "done", "outcome": "等待下降"},
        headers=heads["qa"],
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    listed = client.get(
        f"{P}/plans", params={"status": "done", "month": "2026-11"}, headers=heads["qa"]
    )
    assert [p["id"] for p in listed.json()] == [pid]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/plans", {"month": "2026/11"}, "month"),
        ("post", "/plans", {"month": "2026-11", "category": "带 空格"}, "category"),
        ("post", "/plans", {"month": "2026-11", "actions": [{"text": ""}]}, "actions.0.text"),
        ("get", "/plans?status=later", None, "status"),
        (
            "post",
            "/cases",
            {"consultation_id": "c", "kind": "meh", "title": "t", "summary": "s"},
            "kind",
        ),
        ("get", "/cases?kind=meh", None, "kind"),
        ("post", "/samples", {"month": "11-2026"}, "month"),
        ("get", "/samples?month=2026-1x", None, "month"),
        ("get", "/samples", None, "month"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(
    client: TestClient,
    heads: dict[str, dict[str, str]],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    field: str,
) -> None:
    """REQ: QC-1..QC-4 — never a 500."""
    r = client.request(method, P + path, json=body, headers=heads["qa"])
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"]["field"] == field


def test_cases_are_marked_by_qa_and_read_by_agents_of_the_branch(
    client: TestClient, desk: Desk, heads: dict[str, dict[str, str]]
) -> None:
    """REQ: QC-4, RSK-2 — agents learn from cases; failure needs a preventive measure."""
    cid = desk.closed(branch="BJ01", agent_id="agt_1")
    body = {
        "consultation_id": cid,
        "kind": "failure",
        "title": "未核身即告知余额",
        "summary": "坐席在核身前报出余额",
        "tags": ["核身"],
    }
    assert client.post(f"{P}/cases", json=body, headers=heads["agent"]).status_code == 403
    missing = client.post(f"{P}/cases", json=body, headers=heads["qa"])
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "preventive_measure"
    foreign = client.post(
        f"{P}/cases", json=body | {"preventive_measure": "先核身"}, headers=heads["qa_sh"]
    )
    assert foreign.status_code == 404 and foreign.json()["error"]["field"] == "consultation_id"
    made = client.post(
        f"{P}/cases", json=body | {"preventive_measure": "先核身后告知"}, headers=heads["qa"]
    )
    assert made.status_code == 201, made.text
    case_id = made.json()["id"]
    found = client.get(f"{P}/cases", params={"q": "核身"}, headers=heads["agent"]).json()
    assert [c["id"] for c in found] == [case_id]
    assert client.get(f"{P}/cases/{case_id}", headers=heads["sup_sh"]).status_code == 404
    assert client.get(f"{P}/cases", headers=heads["sup_sh"]).json() == []
    assert client.post(f"{P}/cases/{case_id}/drill-uses", headers=heads["agent"]).status_code == 403
    used = client.post(f"{P}/cases/{case_id}/drill-uses", headers=heads["sup"])
    assert used.json()["drill_uses"] == 1
    drills = client.get(f"{P}/cases/drills", headers=heads["agent"]).json()
    assert [c["id"] for c in drills] == [case_id]


def test_samples_are_drawn_and_scored_by_qa_within_the_branch(
    client: TestClient, desk: Desk, heads: dict[str, dict[str, str]]
) -> None:
    """REQ: QC-2, RSK-2"""
    desk.closed(branch="BJ01", agent_id="agt_1", channel="phone")
    desk.closed(branch="SH01", agent_id="agt_2")
    assert (
        client.post(f"{P}/samples", json={"month": "2026-11"}, headers=heads["sup"]).status_code
        == 403
    )
    drawn = client.post(f"{P}/samples", json={"month": "2026-11"}, headers=heads["qa"])
    assert drawn.status_code == 201, drawn.text
    [sample] = drawn.json()["drawn"]
    assert (
        sample["branch"] == "BJ01" and sample["channel"] == "phone" and sample["auto_score"] == 100
    )
    assert (
        client.post(f"{P}/samples", json={"month": "2026-11"}, headers=heads["qa"]).json()["drawn"]
        == []
    )
    sid = sample["id"]
    assert (
        client.post(
            f"{P}/samples/{sid}/score", json={"review_score": 90}, headers=heads["qa_sh"]
        ).status_code
        == 404
    )
    bad = client.post(f"{P}/samples/{sid}/score", json={"review_score": 101}, headers=heads["qa"])
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "review_score"
    scored = client.post(
        f"{P}/samples/{sid}/score", json={"review_score": 85, "note": "好"}, headers=heads["qa"]
    )
    assert scored.status_code == 200 and scored.json()["status"] == "scored"
    assert (
        client.get(f"{P}/samples", params={"month": "2026-11"}, headers=heads["agent"]).status_code
        == 403
    )
    assert (
        client.get(f"{P}/samples", params={"month": "2026-11"}, headers=heads["sup_sh"]).json()
        == []
    )
    everything = client.post(
        f"{P}/samples", json={"month": "2026-11"}, headers=heads["qa_ho"]
    ).json()
    assert [s["branch"] for s in everything["drawn"]] == ["SH01"]
    figures = client.get(
        f"{P}/samples/figures", params={"month": "2026-11"}, headers=heads["sup"]
    ).json()
    assert figures["drawn"] == 1 and figures["mean_review"] == 85.0
