"""QA sampling on both databases (QC-2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consultdesk.policy.service import set_policy_value
from consultdesk.quality import sampling
from consultdesk.shared.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode, UserId
from consultdesk.shared.scope import SYSTEM, Scope
from tests.quality.conftest import Desk

BJ01, SH01 = Scope.of_branch("BJ01"), Scope.of_branch("SH01")


def _draw(desk: Desk, **kw: object) -> sampling.Draw:
    args: dict[str, object] = {"month": "2026-11", "scope": SYSTEM, "branch": "BJ01"} | kw
    with desk.container.uow() as s:
        return sampling.draw_monthly_sample(session=s, now=desk.clock.now(), **args)  # type: ignore[arg-type]


def test_each_agent_gets_the_policy_number_stratified_by_channel(desk: Desk) -> None:
    """REQ: QC-2 — 5 per agent (policy), every channel the agent served represented."""
    for _ in range(6):
        desk.closed(branch="BJ01", agent_id="agt_a", channel="chat")
    for _ in range(3):
        desk.closed(branch="BJ01", agent_id="agt_a", channel="phone")
    desk.closed(branch="BJ01", agent_id="agt_a", channel="app")
    desk.closed(branch="BJ01", agent_id="agt_b", channel="phone")
    desk.closed(branch="SH01", agent_id="agt_c")  # another branch
    desk.closed(branch="BJ01", agent_id="agt_b", at=datetime(2026, 10, 31, 15, 59, tzinfo=UTC))
    draw = _draw(desk)
    a = [s for s in draw.drawn if s.agent_id == "agt_a"]
    assert sorted(s.channel for s in a) == ["app", "chat", "chat", "chat", "phone"]
    assert [s.agent_id for s in draw.drawn].count("agt_b") == 1  # October's is not in November
    assert {s.branch for s in draw.drawn} == {"BJ01"}
    assert all(s.status.value == "drawn" for s in draw.drawn)


def test_the_sample_carries_the_automatic_scorecard(desk: Desk) -> None:
    """REQ: QC-2 — the checklist of compliance/qa.py over the transcript, 0–100."""
    desk.closed(branch="BJ01", agent_id="agt_a")
    desk.closed(branch="BJ01", agent_id="agt_b", turns=(("agent", "嗯"), ("customer", "好")))
    by_agent = {s.agent_id: s for s in _draw(desk).drawn}
    good, poor = by_agent["agt_a"], by_agent["agt_b"]
    assert good.auto_score == 100 and {i.item for i in good.scorecard} >= {"greeting"}
    assert poor.auto_score < 100 and not poor.scorecard[0].passed


def test_the_draw_is_deterministic_and_idempotent(desk: Desk, container: object) -> None:
    """REQ: QC-2 — same (month, agent, seed), same consultations; a second draw adds none."""
    for _ in range(12):
        desk.closed(branch="BJ01", agent_id="agt_a")
    first = {s.consultation_id for s in _draw(desk, seed="x").drawn}
    again = _draw(desk, seed="x")
    assert again.drawn == [] and again.agents_already_drawn == ["agt_a"]
    with desk.container.uow() as s:
        listed = sampling.list_samples(session=s, scope=BJ01, month="2026-11")
    assert {x.consultation_id for x in listed} == first and len(first) == 5


def test_the_branch_policy_sets_the_number(desk: Desk) -> None:
    """REQ: QC-2, ANX-1 — a branch's local rule."""
    with desk.container.uow() as s:
        set_policy_value(
            session=s,
            now=desk.clock.now(),
            key="quality.qa_samples_per_agent",
            value=2,
            scope=BranchCode("BJ01"),
            author=UserId("usr_admin"),
            reason="试点",
        )
    for _ in range(4):
        desk.closed(branch="BJ01", agent_id="agt_a")
    assert len(_draw(desk).drawn) == 2


def test_a_reviewer_scores_once_and_figures_follow(desk: Desk) -> None:
    """REQ: QC-2 — then a reviewer scores (0–100, note) and the report gets the figures."""
    for agent in ("agt_a", "agt_a", "agt_b"):
        desk.closed(branch="BJ01", agent_id=agent)
    drawn = _draw(desk).drawn
    with desk.container.uow() as s:
        for bad, field in ((101, "review_score"), (-1, "review_score")):
            with pytest.raises(ValidationFailed) as refused:
                sampling.score_sample(
                    session=s, now=desk.clock.now(), sample_id=drawn[0].id, scope=BJ01,
                    reviewer_id="qa1", review_score=bad,
                )  # fmt: skip
            assert refused.value.field == field
        with pytest.raises(Forbidden):
            sampling.score_sample(
                session=s, now=desk.clock.now(), sample_id=drawn[0].id, scope=BJ01,
                reviewer_id=drawn[0].agent_id, review_score=80,
            )  # fmt: skip
        with pytest.raises(NotFound):
            sampling.get_sample(session=s, sample_id=drawn[0].id, scope=SH01)
        scored = sampling.score_sample(
            session=s, now=desk.clock.now(), sample_id=drawn[0].id, scope=BJ01,
            reviewer_id="qa1", review_score=70, note="开场白可更规范",
        )  # fmt: skip
        with pytest.raises(IllegalTransition):
            sampling.score_sample(
                session=s, now=desk.clock.now(), sample_id=drawn[0].id, scope=BJ01,
                reviewer_id="qa1", review_score=90,
            )  # fmt: skip
        figures = sampling.sample_figures(session=s, month="2026-11", branch="BJ01")
    assert scored.status.value == "scored" and scored.review_note == "开场白可更规范"
    assert figures["drawn"] == 3 and figures["scored"] == 1
    assert figures["mean_auto"] == 100.0 and figures["mean_review"] == 70.0
    assert [a["agent_id"] for a in figures["by_agent"]] == ["agt_a", "agt_b"]
    assert figures["by_agent"][1]["mean_review"] is None


def test_bad_month_and_a_branch_outside_the_scope_are_refused(desk: Desk) -> None:
    """REQ: QC-2, RSK-2"""
    with pytest.raises(ValidationFailed) as month:
        _draw(desk, month="Nov")
    with pytest.raises(ValidationFailed) as running:
        _draw(desk, month="2026-12")  # the desk's clock is 1 December
    assert running.value.field == "month"
    with pytest.raises(Forbidden) as branch:
        _draw(desk, scope=SH01)
    assert month.value.field == "month" and branch.value.field == "branch"
