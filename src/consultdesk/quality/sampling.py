"""QA sampling (QC-2): each month, for every agent with closed consultations, up to
``quality.qa_samples_per_agent`` of them drawn stratified by channel, each with the
automatic QA scorecard over its transcript (compliance/qa.py); then a reviewer's score.

The draw is deterministic for (month, agent, seed) and idempotent: an agent who already
has samples for the month keeps them and gets none added, and a consultation is sampled
at most once a month (unique month + consultation)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultdesk.compliance import review
from consultdesk.consultations import service as consultations
from consultdesk.policy.service import current_policy
from consultdesk.quality.model import (
    QaSample,
    SampleId,
    SampleStatus,
    ScoreItem,
    check_review_score,
    mean,
    parse_enum,
    parse_month,
    pick_sample,
    sample_seed,
)
from consultdesk.quality.tables import QaSampleRow
from consultdesk.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    IllegalTransition,
    NotFound,
    ValidationFailed,
)
from consultdesk.shared.ids import BranchCode, new_id
from consultdesk.shared.scope import SYSTEM, Scope

MAX_SEED = 64


def _sample(row: QaSampleRow) -> QaSample:
    return QaSample(
        id=SampleId(row.id),
        month=row.month,
        branch=row.branch,
        agent_id=row.agent_id,
        consultation_id=row.consultation_id,
        channel=row.channel,
        auto_score=row.auto_score,
        scorecard=tuple(
            ScoreItem(str(i["item"]), bool(i["passed"]), str(i.get("evidence", "")))
            for i in row.scorecard or ()
        ),
        status=SampleStatus(row.status),
        reviewer_id=row.reviewer_id,
        review_score=row.review_score,
        review_note=row.review_note,
        drawn_at=row.drawn_at,
        scored_at=row.scored_at,
    )


@dataclass(frozen=True)
class Draw:
    """What a draw did: the new samples, and the agents skipped because they already had
    samples for the month."""

    month: str
    drawn: list[QaSample]
    agents_already_drawn: list[str]


def _auto_score(session: Session, consultation_id: str) -> tuple[int, list[dict[str, object]]]:
    try:
        score = review.score_consultation(session=session, consultation_id=consultation_id)
    except DomainError as exc:
        # Nothing the checklist can score (no agent turn): kept with score 0 and the reason,
        # so the reviewer sees it rather than the sample silently shrinking.
        return 0, [{"item": "transcript", "passed": False, "evidence": exc.message}]
    items = [{"item": i.item, "passed": i.passed, "evidence": i.evidence} for i in score.items]
    return score.score, items


def draw_monthly_sample(
    *,
    session: Session,
    now: datetime,
    month: str,
    scope: Scope,
    branch: str | None = None,
    seed: str = "",
    per_agent: int | None = None,
) -> Draw:
    """QC-2: draw the month's samples for ``branch`` (every branch ``scope`` admits when
    None). Per agent and branch: ``per_agent`` or the branch's policy
    ``quality.qa_samples_per_agent`` consultations closed in the month (Beijing), stratified
    by channel (model.allocate_by_channel), chosen in the SHA-256 order of
    (month, agent, seed). Only a month that has ended can be drawn."""
    the_month = parse_month(month)
    if now < the_month.ends:
        # An agent drawn once keeps the draw: a month still running would be sampled from
        # part of its consultations.
        raise ValidationFailed(f"{the_month.label} 尚未结束，月末后再抽样", field="month")
    if len(seed) > MAX_SEED:
        raise ValidationFailed(f"seed 不得超过 {MAX_SEED} 个字符", field="seed")
    population = consultations.closed_between(
        session=session, scope=scope, start=the_month.starts, end=the_month.ends, branch=branch
    )
    groups: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for c in population:
        assert c.agent_id is not None
        groups[(c.branch, c.agent_id)][c.channel.value].append(c.id)
    taken_agents = {
        (code, agent)
        for code, agent in session.execute(
            select(QaSampleRow.branch, QaSampleRow.agent_id).where(
                QaSampleRow.month == the_month.label
            )
        )
    }
    taken_consultations = set(
        session.scalars(
            select(QaSampleRow.consultation_id).where(QaSampleRow.month == the_month.label)
        )
    )
    quota: dict[str, int] = {}
    drawn: list[QaSample] = []
    skipped: list[str] = []
    for (code, agent_id), by_channel in sorted(groups.items()):
        if (code, agent_id) in taken_agents:
            skipped.append(agent_id)
            continue
        if code not in quota:
            quota[code] = per_agent or current_policy(session=session, branch=BranchCode(code)).int(
                "quality.qa_samples_per_agent"
            )
        picked = pick_sample(
            by_channel, quota[code], seed=sample_seed(the_month.label, agent_id, seed)
        )
        for channel, consultation_id in picked:
            if consultation_id in taken_consultations:
                continue
            auto, items = _auto_score(session, consultation_id)
            row = QaSampleRow(
                id=new_id("qas"),
                month=the_month.label,
                branch=code,
                agent_id=agent_id,
                consultation_id=consultation_id,
                channel=channel,
                auto_score=auto,
                scorecard=items,
                status=SampleStatus.DRAWN.value,
                drawn_at=now,
            )
            session.add(row)
            taken_consultations.add(consultation_id)
            drawn.append(_sample(row))
    try:
        session.flush()
    except IntegrityError:
        # unique (month, consultation): a concurrent draw of the same month won the race
        raise Conflict("本月抽样正在进行，请稍后重试", field="month") from None
    return Draw(month=the_month.label, drawn=drawn, agents_already_drawn=skipped)


def _row(session: Session, sample_id: str, scope: Scope, *, lock: bool = False) -> QaSampleRow:
    row = session.get(QaSampleRow, sample_id, with_for_update=lock or None)
    if row is None or not scope.admits(row.branch):
        raise NotFound("质检样本不存在", field="sample_id")  # RSK-2
    return row


def get_sample(*, session: Session, sample_id: str, scope: Scope) -> QaSample:
    return _sample(_row(session, sample_id, scope))


def score_sample(
    *,
    session: Session,
    now: datetime,
    sample_id: str,
    scope: Scope,
    reviewer_id: str,
    review_score: int,
    note: str | None = None,
) -> QaSample:
    """The reviewer's score, 0–100, with an optional note: drawn -> scored. A sample is
    scored once; a reviewer does not score their own consultation."""
    score, text = check_review_score(review_score, note)
    row = _row(session, sample_id, scope, lock=True)
    if row.status != SampleStatus.DRAWN.value:
        raise IllegalTransition("该样本已评分", field="status")
    if row.agent_id == reviewer_id:
        raise Forbidden("不能为自己处理的咨询评分", field="reviewer_id")
    row.status = SampleStatus.SCORED.value
    row.reviewer_id = reviewer_id
    row.review_score = score
    row.review_note = text
    row.scored_at = now
    session.flush()
    return _sample(row)


def list_samples(
    *,
    session: Session,
    scope: Scope,
    month: str,
    branch: str | None = None,
    agent_id: str | None = None,
    status: str | None = None,
) -> list[QaSample]:
    """The month's samples within ``scope``, by branch, agent and channel."""
    query = select(QaSampleRow).where(QaSampleRow.month == parse_month(month).label)
    if branch:
        code = branch.strip().upper()
        if not scope.admits(code):
            raise Forbidden("只能查看本机构的质检样本", field="branch")
        query = query.where(QaSampleRow.branch == code)
    if scope.branch is not None:
        query = query.where(QaSampleRow.branch == scope.branch)
    if agent_id:
        query = query.where(QaSampleRow.agent_id == agent_id)
    if status:
        query = query.where(
            QaSampleRow.status == parse_enum(SampleStatus, status, field="status").value
        )
    query = query.order_by(
        QaSampleRow.branch, QaSampleRow.agent_id, QaSampleRow.channel, QaSampleRow.id
    )
    return [_sample(r) for r in session.scalars(query)]


class AgentFigures(TypedDict):
    agent_id: str
    drawn: int
    scored: int
    mean_auto: float | None
    mean_review: float | None


class SampleFigures(TypedDict):
    month: str
    branch: str | None
    drawn: int
    scored: int
    mean_auto: float | None
    mean_review: float | None
    by_agent: list[AgentFigures]


def _figures(samples: list[QaSample]) -> tuple[int, int, float | None, float | None]:
    reviews = [s.review_score for s in samples if s.review_score is not None]
    return len(samples), len(reviews), mean([s.auto_score for s in samples]), mean(reviews)


def sample_figures(
    *, session: Session, month: str, branch: str | None = None, scope: Scope = SYSTEM
) -> SampleFigures:
    """QC-2 figures for the monthly report: samples drawn and scored, the mean automatic
    and reviewer scores (one decimal; None when there are none), and the same per agent.
    ``branch`` None: every branch ``scope`` admits (the report's caller passes SYSTEM)."""
    samples = list_samples(session=session, scope=scope, month=month, branch=branch)
    by_agent: dict[str, list[QaSample]] = defaultdict(list)
    for s in samples:
        by_agent[s.agent_id].append(s)
    agents: list[AgentFigures] = []
    for agent_id in sorted(by_agent):
        drawn, scored, mean_auto, mean_review = _figures(by_agent[agent_id])
        agents.append(
            AgentFigures(
                agent_id=agent_id,
                drawn=drawn,
                scored=scored,
                mean_auto=mean_auto,
                mean_review=mean_review,
            )
        )
    drawn, scored, mean_auto, mean_review = _figures(samples)
    return SampleFigures(
        month=parse_month(month).label,
        branch=branch.strip().upper() if branch else None,
        drawn=drawn,
        scored=scored,
        mean_auto=mean_auto,
        mean_review=mean_review,
        by_agent=agents,
    )
