"""Drills an agent runs (RSK-8) and QA scoring of a real consultation (QC-2), over the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

GOOD = [
    "您好，我是示例银行客服，不会向您索要验证码。验证码请勿告诉任何人，包括自称银行工作人员的人。",
    "密码属于您父亲本人，我们不会告知，也请不要让他透露给任何人。",
    "账户信息需持卡人本人身份核验后才能查询，请您父亲本人致电或到网点办理。",
]


def test_agent_lists_drills_and_a_bad_run_fails(client: TestClient, auth_headers: Any) -> None:
    # REQ: RSK-8 — simulated customers an agent can run; the run is scored and kept.
    agent = auth_headers("agent", branch="BJ01")
    drills = {d["id"]: d for d in client.get("/api/v1/compliance/drills", headers=agent).json()}
    assert "fraudster-code" in drills
    steps = len(drills["fraudster-code"]["customer_lines"])
    bad = client.post(
        "/api/v1/compliance/drills/fraudster-code/runs",
        headers=agent,
        json={"answers": ["好的，验证码是多少您念给我", "密码是123456", "还剩五万元"][:steps]},
    )
    assert bad.status_code == 201, bad.text
    assert bad.json()["passed"] is False
    good = client.post(
        "/api/v1/compliance/drills/fraudster-code/runs",
        headers=agent,
        json={"answers": GOOD[:steps]},
    )
    assert good.json()["score"] > bad.json()["score"]


def test_drill_with_the_wrong_number_of_answers_names_the_field(
    client: TestClient, auth_headers: Any
) -> None:
    r = client.post(
        "/api/v1/compliance/drills/fraudster-code/runs",
        headers=auth_headers("agent"),
        json={"answers": ["只答一句"]},
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "answers"


def test_unknown_drill_is_404(client: TestClient, auth_headers: Any) -> None:
    r = client.post(
        "/api/v1/compliance/drills/nope/runs",
        headers=auth_headers("agent"),
        json={"answers": ["x"]},
    )
    assert r.status_code == 404


def test_qa_scores_a_consultation_with_evidence(client: TestClient, auth_headers: Any) -> None:
    # REQ: QC-2 — a transcript scored against the checklist with the evidence for each item.
    agent = auth_headers("agent", branch="BJ01")
    c = client.post("/api/v1/consultations", headers=agent, json={"channel": "chat"}).json()
    url = f"/api/v1/consultations/{c['id']}/messages"
    client.post(url, headers=agent, json={"text": "您好，我是示例银行客服，很高兴为您服务。"})
    client.post(url, headers=agent, json={"text": "请问还有其他可以帮您的吗？"})
    r = client.post(f"/api/v1/compliance/qa-score/{c['id']}", headers=auth_headers("qa"))
    assert r.status_code == 200, r.text
    items = {i["item"]: i for i in r.json()["items"]}
    assert len(items) == 6
    assert all(i["evidence"] for i in items.values())
    assert 0 <= r.json()["score"] <= 100


def test_qa_score_is_for_qa_only(client: TestClient, auth_headers: Any) -> None:
    agent = auth_headers("agent", branch="BJ01")
    c = client.post("/api/v1/consultations", headers=agent, json={"channel": "chat"}).json()
    assert client.post(f"/api/v1/compliance/qa-score/{c['id']}", headers=agent).status_code == 403
