"""The agent's workspace: presence, work in hand, the shift's figures, bulletins, scripts."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.rulepack import check_reply
from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Move
from consultdesk.knowledge import service as knowledge
from consultdesk.knowledge.model import BulletinKind
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.ids import UserId
from consultdesk.staff import service as staff
from consultdesk.surveys import service as surveys
from consultdesk.surveys.model import Rating
from consultdesk.workspace.model import search_scripts, shift_figures, shift_start
from consultdesk.workspace.scripts import shipped_scripts

PASSWORD = "Correct-horse-42"
TOPIC_OF_LINE = {
    "accounts": "account",
    "ebanking": "ebanking",
    "wealth": "wealth",
    "insurance": "insurance",
    None: "general",
}


def test_a_shift_starts_at_beijing_midnight() -> None:
    late = datetime(2026, 12, 5, 17, 30, tzinfo=UTC)  # 01:30 on the 6th in Beijing
    assert shift_start(late) == datetime(2026, 12, 5, 16, 0, tzinfo=UTC)


def test_shift_figures_are_median_share_and_the_monthly_score_method() -> None:
    # REQ: ACC-2, CLS-2 — first response against the 30 s limit; the same score method.
    f = shift_figures(
        handled=3,
        first_response_s=[10, 20, 50],
        ratings={Rating.VERY_SATISFIED: 3, Rating.FAIR: 1},
        within_s=30,
    )
    assert (f.first_response_median_s, f.first_response_within_share) == (20, 0.6667)
    assert f.satisfaction is not None and float(f.satisfaction) == 90.0 and f.ratings == 4
    empty = shift_figures(handled=0, first_response_s=[], ratings={}, within_s=30)
    assert empty.first_response_median_s is None and empty.satisfaction is None


def test_scripts_are_searched_by_words_and_business_line() -> None:
    # REQ: SOL-1 — the script library, searchable by business line.
    scripts = shipped_scripts()
    wealth = search_scripts(scripts, business_line="wealth")
    assert {s.business_line for s in wealth} == {None, "wealth"}
    assert wealth[0].kind == "greeting" and wealth[-1].kind == "closing"
    assert [s.code for s in search_scripts(scripts, query="挂失 网点")] == ["card_loss"]
    assert [s.code for s in search_scripts(scripts, query="RISK statement")] == ["wealth_risk"]


@pytest.mark.parametrize("code", [s.code for s in shipped_scripts()])
def test_every_shipped_script_passes_the_reply_checker(code: str) -> None:
    # REQ: RSK-4, QC-6 — a script an agent inserts must not be stopped by the checker.
    script = next(s for s in shipped_scripts() if s.code == code)
    context = ReplyContext(topic=TOPIC_OF_LINE[script.business_line])
    result = check_reply(text=script.text, context=context)
    assert not result.blocked and not result.violations, result.violations


def person(client: TestClient, container: Container, role: str, name: str) -> Any:
    with container.uow() as s:
        member = staff.create_user(
            session=s,
            now=container.clock.now(),
            username=f"u{secrets.token_hex(3)}",
            display_name=name,
            role=role,
            branch="BJ01",
            password=PASSWORD,
        )
    r = client.post("/api/v1/auth/token", json={"username": member.username, "password": PASSWORD})
    return member, {"Authorization": f"Bearer {r.json()['token']}"}


def test_the_desk_follows_the_agents_shift(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    # REQ: PREP-5, ACC-2, CLS-2 — presence routing obeys; the shift's own figures.
    agent, h = person(client, container, "agent", "李娜")
    desk = client.get("/api/v1/workspace/me", headers=h).json()
    assert desk["presence"] == "offline" and desk["consultations"] == []
    assert desk["figures"]["handled"] == 0 and desk["max_chats"] == 3

    client.put("/api/v1/routing/presence", json={"status": "available"}, headers=h)
    with container.uow() as s:
        cid = consultations.open_consultation(
            session=s, now=clock.now(), channel="chat", branch="BJ01", actor="c"
        ).id
    offered = client.post("/api/v1/routing/queue", json={"consultation_id": cid}, headers=h)
    assert offered.json()["agent_id"] == agent.id  # routing obeyed "available"
    client.post(f"/api/v1/routing/queue/{cid}/accept", headers=h)
    clock.advance(12)
    with container.uow() as s:
        consultations.post_message(
            session=s, now=clock.now(), consultation_id=cid, author_kind="agent", text="您好"
        )
    desk = client.get("/api/v1/workspace/me", headers=h).json()
    assert [c["id"] for c in desk["consultations"]] == [cid] and desk["chats"] == 1

    with container.uow() as s:
        consultations.move(
            session=s, now=clock.now(), consultation_id=cid, move=Move.RESOLVE, actor=agent.id
        )
        surveys.rate_satisfaction(
            session=s, now=clock.now(), consultation_id=cid, rating="very_satisfied", actor="c"
        )
    figures = client.get("/api/v1/workspace/me", headers=h).json()["figures"]
    assert figures["handled"] == 1
    assert figures["first_response_median_s"] == 12 and figures["first_response_within_share"] == 1
    assert figures["satisfaction"] == 100.0 and figures["ratings"] == 1


def test_bulletins_are_acknowledged_from_the_desk(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    # REQ: PREP-2 — bulletins read at shift start.
    _, h = person(client, container, "agent", "王芳")
    with container.uow() as s:
        b = knowledge.post_bulletin(
            session=s,
            now=clock.now() - timedelta(minutes=1),
            posted_by=UserId("usr_x"),
            kind=BulletinKind.RATE_CHANGE,
            title="大额存单利率调整",
            body="自今日起三年期大额存单利率调整，以官网公布为准。",
        )
    desk = client.get("/api/v1/workspace/me", headers=h).json()
    assert [x["id"] for x in desk["bulletins"]] == [b.id]
    ack = client.post(f"/api/v1/workspace/bulletins/{b.id}/ack", headers=h)
    assert ack.status_code == 200
    assert client.get("/api/v1/workspace/me", headers=h).json()["bulletins"] == []
    missing = client.post("/api/v1/workspace/bulletins/BUL-nope/ack", headers=h)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "bulletin_id"


def test_the_desk_is_for_staff_who_handle_consultations(
    client: TestClient, container: Container
) -> None:
    # REQ: RSK-2
    _, h = person(client, container, "compliance_officer", "陈静")
    assert client.get("/api/v1/workspace/me", headers=h).status_code == 403
    long = client.get("/api/v1/workspace/scripts", params={"q": "x" * 101}, headers=h)
    assert long.status_code in (403, 422)
    _, ha = person(client, container, "agent", "周婷")
    bad = client.get("/api/v1/workspace/scripts", params={"q": "x" * 101}, headers=ha)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "q"


def test_home_page_shows_the_desk_in_both_languages(
    client: TestClient, container: Container
) -> None:
    _, h = person(client, container, "agent", "李娜")
    page = client.get("/", headers=h)
    assert page.status_code == 200 and 'data-testid="desk"' in page.text
    assert "话术库" in page.text and "我的状态" in page.text
    client.cookies.set("cd_lang", "en")
    english = client.get("/", headers=h).text
    assert "Scripts" in english and "My status" in english
    client.cookies.delete("cd_lang")
    _, hc = person(client, container, "compliance_officer", "陈静")
    assert 'data-testid="desk"' not in client.get("/", headers=hc).text
