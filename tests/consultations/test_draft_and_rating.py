"""The agent's draft checked before send (QC-6) and the customer's rating from the
widget (CLS-2)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Move
from consultdesk.shared.scope import SYSTEM


def wealth_chat(container: Container) -> str:
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="c"
        )
        consultations.classify(
            session=s,
            now=container.clock.now(),
            consultation_id=c.id,
            actor="t",
            business_line="wealth",
        )
        return c.id


def test_a_draft_gets_its_flags_with_evidence_and_the_fixed_text(
    client: TestClient, auth_headers: Any, container: Container
) -> None:
    # REQ: QC-6, RSK-4 — flags inline before send, the fix in one click; nothing stored.
    h = auth_headers("agent", branch="BJ01")
    cid = wealth_chat(container)
    url = f"/api/v1/consultations/{cid}/draft-check"
    fixable = client.post(url, json={"text": "这款理财年化4%，推荐您购买。"}, headers=h).json()
    assert not fixable["blocked"] and fixable["topic"] == "wealth" and not fixable["verified"]
    assert "missing_non_guaranteed" in {f["code"] for f in fixable["flags"]}
    assert "不保证本金" in fixable["fixed_text"]
    blocked = client.post(url, json={"text": "这款理财保本保息，放心买"}, headers=h).json()
    claim = next(f for f in blocked["flags"] if f["code"] == "forbidden_claim")
    assert (
        blocked["blocked"] and claim["evidence"] in ("保本", "保息") and claim["action"] == "block"
    )
    with container.uow() as s:
        assert consultations.transcript(session=s, consultation_id=cid, scope=SYSTEM) == []
    empty = client.post(url, json={"text": ""}, headers=h)
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "text"
    far = client.post(url, json={"text": "x"}, headers=auth_headers("agent", branch="SH01"))
    assert far.status_code == 404


def test_the_customer_rates_from_the_widget_once_resolved(
    client: TestClient, container: Container
) -> None:
    # REQ: CLS-2 — very satisfied / fair / unsatisfied, from the chat itself.
    opened = client.post("/api/v1/chat", json={"branch": "BJ01"}).json()
    cid, token = opened["consultation_id"], opened["token"]
    url = f"/api/v1/chat/{cid}/rating"
    early = client.post(url, json={"rating": "fair"}, headers={"X-Chat-Token": token})
    assert early.status_code == 409 and early.json()["error"]["field"] == "consultation_id"
    with container.uow() as s:
        now = container.clock.now()
        consultations.move(
            session=s, now=now, consultation_id=cid, move=Move.ACCEPT, actor="agt", agent_id="agt"
        )
        consultations.move(session=s, now=now, consultation_id=cid, move=Move.RESOLVE, actor="agt")
    wrong = client.post(url, json={"rating": "fair"}, headers={"X-Chat-Token": "nope"})
    assert wrong.status_code in (401, 404)
    bad = client.post(url, json={"rating": "great"}, headers={"X-Chat-Token": token})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "rating"
    ok = client.post(url, json={"rating": "very_satisfied"}, headers={"X-Chat-Token": token})
    assert ok.status_code == 200 and ok.json()["rating"] == "very_satisfied"
