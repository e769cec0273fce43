"""Figures for reports (ACC-2, STD-4, STD-6): first-response time, speed of answer,
handling time, breaches per rule and service level (share within the target), each
beside its target from the policy in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultdesk.counter import service as counter
from consultdesk.policy.service import current_policy
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode
from consultdesk.sla.model import TimerKind, TimerState, percentile
from consultdesk.sla.tables import SlaEscalationRow, SlaTimerRow
from consultdesk.telephony import service as telephony


@dataclass(frozen=True)
class Measure:
    """Durations in seconds against a target: count, mean, p50, p90, share within."""

    target_s: int
    count: int
    mean_s: float | None
    p50_s: float | None
    p90_s: float | None
    within_target: int
    service_level: float | None


def measure(values: list[float], target_s: int, *, breached: int = 0) -> Measure:
    """``breached`` counts cases known to be over the target without a duration."""
    within = sum(1 for v in values if v <= target_s)
    total = len(values) + breached
    return Measure(
        target_s=target_s,
        count=total,
        mean_s=round(sum(values) / len(values), 3) if values else None,
        p50_s=percentile(values, 50),
        p90_s=percentile(values, 90),
        within_target=within,
        service_level=round(within / total, 4) if total else None,
    )


@dataclass(frozen=True)
class RuleLevel:
    met: int
    fired: int
    service_level: float | None


@dataclass(frozen=True)
class SlaFigures:
    since: datetime
    until: datetime
    branch: str | None
    policy_version: str
    first_response: Measure
    speed_of_answer: Measure
    phone_handling: Measure
    counter_handling: Measure
    simple_resolution: Measure
    calls: int
    abandoned_calls: int
    breaches_per_rule: dict[str, int] = field(default_factory=dict)
    rules: dict[str, RuleLevel] = field(default_factory=dict)


def _timer_durations(
    session: Session, kind: TimerKind, since: datetime, until: datetime, branch: str | None
) -> tuple[list[float], int]:
    query = select(SlaTimerRow).where(
        SlaTimerRow.kind == kind.value,
        SlaTimerRow.started_at >= since,
        SlaTimerRow.started_at < until,
        SlaTimerRow.state.in_([TimerState.MET.value, TimerState.FIRED.value]),
    )
    if branch:
        query = query.where(SlaTimerRow.branch == branch)
    values: list[float] = []
    fired = 0
    for row in session.scalars(query):
        if row.state == TimerState.MET.value and row.met_at is not None:
            values.append(max(0.0, (row.met_at - row.started_at).total_seconds()))
        else:
            fired += 1
    return values, fired


def sla_figures(
    *, session: Session, since: datetime, until: datetime, branch: str | None = None
) -> SlaFigures:
    """The service-level figures of [since, until), optionally for one branch."""
    policy = current_policy(session=session, branch=BranchCode(branch or HEAD_OFFICE))
    fr_values, fr_fired = _timer_durations(session, TimerKind.FIRST_RESPONSE, since, until, branch)
    simple_values, simple_fired = _timer_durations(
        session, TimerKind.SIMPLE_RESOLUTION, since, until, branch
    )
    calls = telephony.call_figures(session=session, since=since, until=until, branch=branch)
    unanswered_late = calls.abandoned  # an abandoned call never met the answer target
    breaches_q = (
        select(SlaEscalationRow.rule, func.count())
        .where(
            SlaEscalationRow.fired_at >= since,
            SlaEscalationRow.fired_at < until,
            SlaEscalationRow.timer_id.is_not(None),
        )
        .group_by(SlaEscalationRow.rule)
    )
    rules_q = (
        select(SlaTimerRow.kind, SlaTimerRow.state, func.count())
        .where(SlaTimerRow.started_at >= since, SlaTimerRow.started_at < until)
        .group_by(SlaTimerRow.kind, SlaTimerRow.state)
    )
    if branch:
        breaches_q = breaches_q.where(SlaEscalationRow.branch == branch)
        rules_q = rules_q.where(SlaTimerRow.branch == branch)
    counts: dict[str, dict[str, int]] = {}
    for kind, state, n in session.execute(rules_q):
        counts.setdefault(kind, {})[state] = n
    rules = {}
    for kind, by_state in sorted(counts.items()):
        met, fired = by_state.get(TimerState.MET.value, 0), by_state.get(TimerState.FIRED.value, 0)
        rules[kind] = RuleLevel(
            met=met,
            fired=fired,
            service_level=round(met / (met + fired), 4) if met + fired else None,
        )
    return SlaFigures(
        since=since,
        until=until,
        branch=branch,
        policy_version=policy.version,
        first_response=measure(
            fr_values, policy.int("sla.online_first_response_s"), breached=fr_fired
        ),
        speed_of_answer=measure(
            calls.speed_of_answer_s, policy.int("sla.phone_answer_s"), breached=unanswered_late
        ),
        phone_handling=measure(calls.talk_s, policy.int("sla.phone_average_handling_s")),
        counter_handling=measure(
            counter.service_times(session=session, since=since, until=until, branch=branch),
            policy.int("sla.counter_question_s"),
        ),
        simple_resolution=measure(
            simple_values, policy.int("sla.simple_resolution_s"), breached=simple_fired
        ),
        calls=calls.calls,
        abandoned_calls=calls.abandoned,
        breaches_per_rule={rule: n for rule, n in session.execute(breaches_q)},
        rules=rules,
    )
