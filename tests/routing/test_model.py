"""The pure routing decision (PREP-5, STD-1, STD-5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consultdesk.routing.model import (
    AgentState,
    Presence,
    WorkItem,
    choose_agent,
    has_room,
    queue_order,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def agent(aid: str, *, idle: int = 0, **kw: object) -> AgentState:
    base: dict[str, object] = {
        "role": "agent",
        "presence": Presence.AVAILABLE,
        "idle_since": T0 + timedelta(seconds=idle),
    }
    base.update(kw)
    return AgentState(agent_id=aid, **base)  # type: ignore[arg-type]


def chat(**kw: object) -> WorkItem:
    base: dict[str, object] = {"channel": "chat", "priority_rank": 1, "enqueued_at": T0}
    base.update(kw)
    return WorkItem(consultation_id="con_1", **base)  # type: ignore[arg-type]


def test_longest_idle_agent_goes_first() -> None:
    # REQ: PREP-5
    chosen = choose_agent(
        chat(), [agent("b", idle=5), agent("a", idle=9), agent("c", idle=1)], max_chats=3
    )
    assert chosen is not None and chosen.agent_id == "c"


def test_only_available_agents_are_chosen() -> None:
    # REQ: PREP-5 — busy, away and offline agents get nothing.
    agents = [agent(p.value, presence=p) for p in (Presence.BUSY, Presence.AWAY, Presence.OFFLINE)]
    assert choose_agent(chat(), agents, max_chats=3) is None


def test_third_chat_is_allowed_fourth_is_not() -> None:
    # REQ: STD-5 — up to 3 chats at once.
    assert has_room(agent("a", chats=2), channel="chat", max_chats=3)
    assert not has_room(agent("a", chats=3), channel="chat", max_chats=3)


def test_a_call_takes_the_whole_agent() -> None:
    # REQ: STD-5
    assert not has_room(agent("a", chats=1), channel="phone", max_chats=3)
    assert not has_room(agent("a", on_call=True), channel="chat", max_chats=3)
    assert has_room(agent("a"), channel="phone", max_chats=3)


def test_wealth_needs_the_certificate_as_well_as_the_skill() -> None:
    # REQ: STD-1 — only certified agents take wealth-product consultations.
    skilled = agent("skilled", idle=0, skills=frozenset({"wealth"}))
    certified = agent(
        "certified", idle=5, skills=frozenset({"wealth"}), certificates=frozenset({"wealth"})
    )
    chosen = choose_agent(chat(business_line="wealth"), [skilled, certified], max_chats=3)
    assert chosen is not None and chosen.agent_id == "certified"


def test_line_without_certificate_needs_only_the_skill() -> None:
    # REQ: STD-1
    a = agent("a", skills=frozenset({"deposits"}))
    assert choose_agent(chat(business_line="deposits"), [a], max_chats=3) == a
    assert choose_agent(chat(business_line="loans"), [a], max_chats=3) is None


def test_complex_work_goes_to_a_senior() -> None:
    # REQ: STD-6
    chosen = choose_agent(
        chat(needs_senior=True), [agent("a"), agent("s", idle=9, role="senior_agent")], max_chats=3
    )
    assert chosen is not None and chosen.agent_id == "s"


def test_agent_who_let_the_offer_lapse_is_passed_over() -> None:
    chosen = choose_agent(
        chat(passed_over=frozenset({"a"})), [agent("a"), agent("b", idle=9)], max_chats=3
    )
    assert chosen is not None and chosen.agent_id == "b"


def test_queue_serves_higher_priority_then_first_come() -> None:
    items = [
        WorkItem("old_normal", "chat", 1, T0),
        WorkItem("new_urgent", "chat", 3, T0 + timedelta(seconds=50)),
        WorkItem("new_normal", "chat", 1, T0 + timedelta(seconds=10)),
    ]
    assert [i.consultation_id for i in queue_order(items)] == [
        "new_urgent",
        "old_normal",
        "new_normal",
    ]
