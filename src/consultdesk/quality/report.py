"""The monthly quality report, computed with aggregate queries (QC-1, QC-2, QC-3, CLS-5).

Each figure is one GROUP BY or COUNT over rows the desk already keeps: consultations
(with their problem category, set at close), SLA timers (met or fired), escalations,
calls, follow-ups, ratings and surveys, violations, AML alerts, QA samples and plans.
Months are Beijing calendar months. ``branch=None`` is the whole bank (head office).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from consultdesk.aml.tables import AmlAlertRow
from consultdesk.compliance.tables import ViolationRecordRow
from consultdesk.consultations.tables import ConsultationEventRow, ConsultationRow
from consultdesk.followups.tables import FollowUpRow
from consultdesk.org import service as org
from consultdesk.policy.service import current_policy
from consultdesk.quality.categories import OTHER, list_categories
from consultdesk.quality.report_model import (
    Flag,
    MonthlyReport,
    PlanFollowUp,
    Problem,
    ServiceLevels,
    mean,
    ratio,
)
from consultdesk.quality.tables import ImprovementPlanRow, QaSampleRow
from consultdesk.shared.errors import Forbidden
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode
from consultdesk.shared.scope import Scope
from consultdesk.sla.tables import SlaEscalationRow, SlaTimerRow
from consultdesk.staff.tables import StaffUserRow
from consultdesk.surveys import service as surveys
from consultdesk.surveys.model import BEIJING, Month, parse_month
from consultdesk.telephony.tables import CallRow

ONLINE_CHANNELS = ("chat", "app", "bot")
PLAN_TRIGGER_CATEGORY = "category_share"
PLAN_TRIGGER_SATISFACTION = "satisfaction"


def previous_month(month: Month) -> Month:
    return Month(month.year - 1, 12) if month.month == 1 else Month(month.year, month.month - 1)


def _in_month(column: Any, month: Month) -> Any:
    return and_(column >= month.starts, column < month.ends)


_Q = TypeVar("_Q", bound="Select[*tuple[Any, ...]]")


def _scoped(query: _Q, column: Any, branch: str | None) -> _Q:
    return query if branch is None else query.where(column == branch)


def _grouped(session: Session, query: Select[*tuple[Any, ...]]) -> dict[str, int]:
    return {str(k if k is not None else "unknown"): int(n) for k, n in session.execute(query)}


def _timers(session: Session, month: Month, branch: str | None, kind: str) -> tuple[int, int]:
    """(met, met + fired) of one SLA rule for timers started in the month."""
    q = select(SlaTimerRow.state, func.count()).where(
        SlaTimerRow.kind == kind, _in_month(SlaTimerRow.started_at, month)
    )
    states = _grouped(session, _scoped(q, SlaTimerRow.branch, branch).group_by(SlaTimerRow.state))
    met, fired = states.get("met", 0), states.get("fired", 0)
    return met, met + fired


def _service_levels(
    session: Session, month: Month, branch: str | None, policy: Any
) -> ServiceLevels:
    fr_met, fr_total = _timers(session, month, branch, "first_response")
    simple_met, simple_total = _timers(session, month, branch, "simple_resolution")
    _, waits = _timers(session, month, branch, "wait_supervisor")
    escalated_q = select(func.count()).where(
        SlaEscalationRow.rule == "wait_supervisor", _in_month(SlaEscalationRow.due_at, month)
    )
    escalated = int(
        session.execute(_scoped(escalated_q, SlaEscalationRow.branch, branch)).scalar_one()
    )
    target = policy.int("sla.phone_answer_s")
    calls_q = select(
        func.count(),
        func.count(CallRow.answered_at),
        func.sum(CallRow.speed_of_answer_s),
        func.count(CallRow.speed_of_answer_s),
        func.sum(CallRow.talk_s),
        func.count(CallRow.talk_s),
    ).where(_in_month(CallRow.rung_at, month))
    calls, _answered, soa_sum, soa_n, talk_sum, talk_n = session.execute(
        _scoped(calls_q, CallRow.branch, branch)
    ).one()
    in_target_q = select(func.count()).where(
        _in_month(CallRow.rung_at, month), CallRow.speed_of_answer_s <= target
    )
    in_target = int(session.execute(_scoped(in_target_q, CallRow.branch, branch)).scalar_one())
    return ServiceLevels(
        online_first_response_met=fr_met,
        online_first_response_total=fr_total,
        online_first_response_target_s=policy.int("sla.online_first_response_s"),
        simple_resolution_met=simple_met,
        simple_resolution_total=simple_total,
        simple_resolution_target_s=policy.int("sla.simple_resolution_s"),
        long_waits=waits,
        long_waits_escalated=min(escalated, waits) if waits else escalated,
        long_wait_s=policy.int("escalation.wait_supervisor_s"),
        calls=int(calls or 0),
        calls_answered_in_target=in_target,
        phone_answer_target_s=target,
        speed_of_answer_s=mean(soa_sum, int(soa_n or 0)),
        talk_s=mean(talk_sum, int(talk_n or 0)),
    )


def _complaints(
    session: Session, month: Month, branch: str | None, now: datetime
) -> dict[str, int]:
    q = select(FollowUpRow.due_date, FollowUpRow.done_at, FollowUpRow.state).where(
        FollowUpRow.kind == "complaint", _in_month(FollowUpRow.received_at, month)
    )
    total = on_time = late = open_overdue = still_open = 0
    today = now.astimezone(BEIJING).date()
    for due, done_at, _state in session.execute(_scoped(q, FollowUpRow.branch, branch)):
        total += 1
        if done_at is not None:
            if done_at.astimezone(BEIJING).date() <= due:
                on_time += 1
            else:
                late += 1
        else:
            still_open += 1
            if due < today:
                open_overdue += 1
    return {
        "received": total,
        "done_on_time": on_time,
        "done_late": late,
        "open": still_open,
        "open_overdue": open_overdue,
    }


def _bot(session: Session, month: Month, branch: str | None, policy: Any) -> dict[str, Any]:
    """Bot consultations of the month, how many were handed over, and the FAQ accuracy.
    Four index scans (the month's bot consultations; bot answers, hand-overs and
    unsatisfied ratings in the month and the two days after) intersected here: faster
    than a correlated lookup per consultation on both databases."""
    from consultdesk.surveys.tables import RatingRow

    c, e = ConsultationRow, ConsultationEventRow
    until = month.ends + timedelta(days=2)  # a chat opened late on the last day
    ids = {
        cid
        for (cid,) in session.execute(
            _scoped(
                select(c.id).where(c.channel == "bot", _in_month(c.opened_at, month)),
                c.branch,
                branch,
            )
        )
    }

    def with_event(kind: str) -> set[str]:
        q = select(e.consultation_id).where(e.kind == kind, e.at >= month.starts, e.at < until)
        return {cid for (cid,) in session.execute(q)} & ids

    handed, answered = with_event("bot_handover"), with_event("bot_answer")
    unhappy = {
        cid
        for (cid,) in session.execute(
            select(RatingRow.consultation_id).where(
                RatingRow.rating == "unsatisfied",
                RatingRow.rated_at >= month.starts,
                RatingRow.rated_at < until,
            )
        )
    }
    # Answered by the bot and then neither handed over nor rated unsatisfied: the desk's
    # measured proxy of FAQ accuracy (QC-5), beside the policy floor.
    right = answered - handed - unhappy
    total = len(ids)
    return {
        "consultations": total,
        "handed_over": len(handed),
        "contained": total - len(handed),
        "containment": ratio(total - len(handed), total),
        "answered": len(answered),
        "faq_accuracy": ratio(len(right), len(answered)),
        "faq_accuracy_min": policy.decimal("quality.faq_accuracy_min"),
        "faq_accuracy_method": "机器人作答后未转人工且未获差评的比例",
    }


def _violations(
    session: Session, month: Month, branch: str | None
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    q = (
        select(ViolationRecordRow.code, ViolationRecordRow.agent_id, func.count())
        .join(StaffUserRow, StaffUserRow.id == ViolationRecordRow.agent_id, isouter=True)
        .where(_in_month(ViolationRecordRow.created_at, month))
        .add_columns(StaffUserRow.display_name)
    )
    if branch is not None:
        q = q.where(StaffUserRow.branch == branch)
    by_code: dict[str, int] = {}
    by_agent: dict[str, dict[str, Any]] = {}
    for code, agent, n, name in session.execute(
        q.group_by(ViolationRecordRow.code, ViolationRecordRow.agent_id, StaffUserRow.display_name)
    ):
        by_code[code] = by_code.get(code, 0) + int(n)
        a = by_agent.setdefault(agent, {"agent_id": agent, "name": name or agent, "total": 0})
        a["total"] += int(n)
        a[code] = a.get(code, 0) + int(n)
    ranked = sorted(by_agent.values(), key=lambda a: (-a["total"], a["name"]))
    return dict(sorted(by_code.items(), key=lambda kv: -kv[1])), ranked


def _aml(session: Session, month: Month, branch: str | None) -> dict[str, int]:
    # AML alerts are screened per customer, bank-wide; a branch's report shows the bank's.
    q = select(AmlAlertRow.rule, func.count()).where(_in_month(AmlAlertRow.created_at, month))
    found = _grouped(session, q.group_by(AmlAlertRow.rule))
    open_q = select(func.count()).where(
        _in_month(AmlAlertRow.created_at, month), AmlAlertRow.status == "open"
    )
    found["open"] = int(session.execute(open_q).scalar_one())
    return found


def _qa(session: Session, month: Month, branch: str | None) -> dict[str, Any]:
    q = select(
        func.count(),
        func.count(QaSampleRow.review_score),
        func.sum(QaSampleRow.auto_score),
        func.sum(QaSampleRow.review_score),
    ).where(QaSampleRow.month == month.label)
    drawn, scored, auto_sum, review_sum = session.execute(
        _scoped(q, QaSampleRow.branch, branch)
    ).one()
    return {
        "drawn": int(drawn or 0),
        "scored": int(scored or 0),
        "mean_auto_score": mean(auto_sum, int(drawn or 0)),
        "mean_review_score": mean(review_sum, int(scored or 0)),
    }


def _plans(
    session: Session, branch_key: str, months: list[str]
) -> dict[tuple[str, str, str], ImprovementPlanRow]:
    rows = session.scalars(
        select(ImprovementPlanRow).where(
            ImprovementPlanRow.branch == branch_key, ImprovementPlanRow.month.in_(months)
        )
    )
    return {(r.month, r.trigger, r.category): r for r in rows}


def monthly_report(
    *, session: Session, now: datetime, month: str, scope: Scope, branch: str | None = None
) -> MonthlyReport:
    """The report of ``month`` for ``branch`` (None: the whole bank, head office only)."""
    the_month = parse_month(month)
    branch = branch.strip().upper() if branch else None
    if branch == HEAD_OFFICE:
        branch = None
    if branch is None and scope.branch is not None:
        branch = scope.branch  # a branch's staff read their own branch's report
    if branch is not None and not scope.admits(branch):
        raise Forbidden(f"无权查看机构 {branch} 的报表", field="branch")
    branch_key = branch or HEAD_OFFICE
    branch_name = org.get_branch(session=session, code=branch).name if branch else "全行"
    policy = current_policy(session=session, branch=BranchCode(branch_key))
    prev = previous_month(the_month)

    def volume(m: Month) -> dict[str, dict[str, int]]:
        """One scan of the month (the covering index): counts by channel, type,
        business line and category, summed here from their combinations."""
        c = ConsultationRow
        cols = (c.channel, c.type, c.business_line, c.problem_category)
        q = _scoped(
            select(*cols, func.count()).where(_in_month(c.opened_at, m)), c.branch, branch
        ).group_by(*cols)
        out: dict[str, dict[str, int]] = {"channel": {}, "type": {}, "line": {}, "category": {}}
        for channel, ctype, line, category, n in session.execute(q):
            for key, value in zip(out, (channel, ctype, line, category), strict=True):
                name = str(value) if value is not None else "unknown"
                out[key][name] = out[key].get(name, 0) + int(n)
        return {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in out.items()}

    this, before = volume(the_month), volume(prev)
    by_channel = this["channel"]
    total = sum(by_channel.values())
    previous_total = sum(before["channel"].values())
    cats = {c.code: c for c in list_categories(session=session, now=now, branch=branch)}
    now_counts = dict(this["category"])
    prev_counts = dict(before["category"])
    uncategorized = now_counts.pop("unknown", 0)
    prev_counts.pop("unknown", None)
    prev_total_cat = sum(prev_counts.values())
    top_n = policy.int("quality.top_problems")
    alert = policy.decimal("quality.top_problem_alert_share")

    def label(code: str) -> tuple[str, str]:
        c = cats.get(code)
        return (c.label, c.label_en) if c else (code, code)

    ranked = sorted(
        ((code, n) for code, n in now_counts.items() if code != OTHER),
        key=lambda kv: (-kv[1], kv[0]),
    )
    problems = [
        Problem(
            code=code,
            label=label(code)[0],
            label_en=label(code)[1],
            count=n,
            share=ratio(n, total),
            previous_share=ratio(prev_counts.get(code, 0), prev_total_cat),
        )
        for code, n in ranked[:top_n]
    ]
    plans = _plans(session, branch_key, [the_month.label, prev.label])
    flags: list[Flag] = []
    for code, n in ranked:
        share = ratio(n, total)
        if share is not None and share > alert:
            plan = plans.get((the_month.label, PLAN_TRIGGER_CATEGORY, code))
            flags.append(
                Flag(
                    trigger=PLAN_TRIGGER_CATEGORY,
                    category=code,
                    label=label(code)[0],
                    value=share,
                    threshold=alert,
                    action="占比超过预警线：须制定整改计划，分析原因并跟踪至完成（QC-3）",
                    plan_id=plan.id if plan else None,
                    plan_status=plan.status if plan else None,
                )
            )
    sat = surveys.monthly_satisfaction(session=session, month=the_month.label, branch=branch)
    satisfaction: dict[str, Any] = {
        "score": sat.score,
        "threshold": sat.threshold,
        "ratings": sat.ratings,
        "counts": dict(sat.counts),
        "surveys_answered": sat.surveys_answered,
        "mean_resolution": sat.mean_resolution,
        "mean_attitude": sat.mean_attitude,
        "mean_efficiency": sat.mean_efficiency,
        "method": "满意=100、一般=60、不满意=0 的加权平均（CLS-2）；问卷三维度 1–5 分",
    }
    if sat.score is not None and sat.score < sat.threshold:
        plan = plans.get((the_month.label, PLAN_TRIGGER_SATISFACTION, ""))
        flags.append(
            Flag(
                trigger=PLAN_TRIGGER_SATISFACTION,
                category="",
                label="满意度",
                value=sat.score,
                threshold=Decimal(sat.threshold),
                action="满意度低于下限：须记录原因分析并制定改进措施（QC-1）",
                plan_id=plan.id if plan else None,
                plan_status=plan.status if plan else None,
            )
        )
    follow_ups = [
        PlanFollowUp(
            plan_id=p.id,
            category=p.category,
            label=label(p.category)[0],
            status=p.status,
            share_then=ratio(prev_counts.get(p.category, 0), prev_total_cat),
            share_now=ratio(now_counts.get(p.category, 0), total),
        )
        for (m, trigger, _c), p in sorted(plans.items())
        if m == prev.label and trigger == PLAN_TRIGGER_CATEGORY
    ]
    by_code, by_agent = _violations(session, the_month, branch)
    notes = []
    if uncategorized:
        notes.append(
            f"{uncategorized} 条咨询尚未归类（未结束或待后台任务归类），计入总量但不计入类别"
        )
    return MonthlyReport(
        month=the_month.label,
        branch=branch,
        branch_name=branch_name,
        generated_at=now.astimezone(BEIJING).isoformat(timespec="minutes"),
        policy_version=policy.version,
        total=total,
        previous_total=previous_total,
        by_channel=by_channel,
        by_type=this["type"],
        by_business_line=this["line"],
        top_problems=problems,
        alert_share=alert,
        flags=flags,
        plan_follow_ups=follow_ups,
        satisfaction=satisfaction,
        service=_service_levels(session, the_month, branch, policy),
        complaints=_complaints(session, the_month, branch, now),
        bot=_bot(session, the_month, branch, policy),
        violations_by_code=by_code,
        violations_by_agent=by_agent,
        aml_alerts=_aml(session, the_month, branch),
        qa=_qa(session, the_month, branch),
        notes=notes,
    )
