"""Improvement plans (QC-1, QC-3): opened for a category over the alert share, a monthly
satisfaction score under the floor, or by hand; an owner, a cause analysis and actions;
due a number of working days (policy ``quality.plan_due_working_days``) after opening;
tracked to done. One plan per (branch, month, trigger, category): opening again returns
the plan already there."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultdesk.org import service as org
from consultdesk.policy.service import current_policy
from consultdesk.quality.model import (
    Action,
    Plan,
    PlanId,
    PlanStatus,
    PlanTrigger,
    check_category,
    check_cause_analysis,
    check_outcome,
    check_trigger_figures,
    local_date,
    parse_actions,
    parse_enum,
    parse_month,
)
from consultdesk.quality.tables import ImprovementPlanRow
from consultdesk.shared.errors import Forbidden, NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode, new_id
from consultdesk.shared.scope import Scope
from consultdesk.staff import service as staff
from consultdesk.workdays.chinese_calendar_adapter import mainland_calendar
from consultdesk.workdays.domain import CalendarUnknown, WorkingCalendar, add_working_days

Flag = tuple[str, str, Decimal | float | int | str | None, Decimal | float | int | str | None]

_UNSET: Any = object()


def _plan(row: ImprovementPlanRow) -> Plan:
    return Plan(
        id=PlanId(row.id),
        branch=row.branch,
        month=row.month,
        trigger=PlanTrigger(row.trigger),
        category=row.category,
        trigger_value=row.trigger_value,
        threshold=row.threshold,
        owner_id=row.owner_id,
        cause_analysis=row.cause_analysis,
        actions=tuple(Action(str(a["text"]), bool(a.get("done"))) for a in row.actions or ()),
        due_date=row.due_date,
        status=PlanStatus(row.status),
        outcome=row.outcome,
        policy_version=row.policy_version,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        done_at=row.done_at,
    )


def _decimal(value: Decimal | float | int | str | None, *, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed("应为数字", field=field) from None
    if not number.is_finite() or abs(number) >= 10_000:
        raise ValidationFailed("数值超出范围", field=field)
    return number.quantize(Decimal("0.0001"))


def _find(
    session: Session, branch: str, month: str, trigger: str, category: str
) -> ImprovementPlanRow | None:
    return session.scalars(
        select(ImprovementPlanRow).where(
            ImprovementPlanRow.branch == branch,
            ImprovementPlanRow.month == month,
            ImprovementPlanRow.trigger == trigger,
            ImprovementPlanRow.category == category,
        )
    ).first()


def open_plan(
    *,
    session: Session,
    now: datetime,
    branch: str,
    month: str,
    trigger: str,
    category: str | None = None,
    trigger_value: Decimal | float | int | str | None = None,
    threshold: Decimal | float | int | str | None = None,
    created_by: str,
    calendar: WorkingCalendar | None = None,
    scope: Scope | None = None,
) -> Plan:
    """The plan for (branch, month, trigger, category), opened now if there is none, due
    ``quality.plan_due_working_days`` working days from today (Beijing) on ``calendar``
    (the container's; the mainland calendar by default). A year the calendar does not know
    is a ValidationFailed(field='due_date'). ``scope``, when given, must admit ``branch``."""
    code = branch.strip().upper()
    if scope is not None and not scope.admits(code):
        raise Forbidden("只能为本机构建立整改计划", field="branch")
    org.get_branch(session=session, code=code)
    the_month = parse_month(month).label
    the_trigger = parse_enum(PlanTrigger, trigger, field="trigger")
    the_category = check_category(category, required=the_trigger == PlanTrigger.CATEGORY_SHARE)
    value = _decimal(trigger_value, field="trigger_value")
    limit = _decimal(threshold, field="threshold")
    check_trigger_figures(the_trigger, the_category, value, limit)
    existing = _find(session, code, the_month, the_trigger.value, the_category)
    if existing is not None:
        return _plan(existing)
    policy = current_policy(session=session, branch=BranchCode(code))
    try:
        due = add_working_days(
            local_date(now),
            policy.int("quality.plan_due_working_days"),
            calendar=calendar or mainland_calendar(),
        )
    except CalendarUnknown as exc:
        raise ValidationFailed(exc.message, field="due_date", code=exc.code) from None
    row = ImprovementPlanRow(
        id=new_id("qip"),
        branch=code,
        month=the_month,
        trigger=the_trigger.value,
        category=the_category,
        trigger_value=value,
        threshold=limit,
        owner_id=None,
        cause_analysis="",
        actions=[],
        due_date=due,
        status=PlanStatus.OPEN.value,
        outcome=None,
        policy_version=policy.version,
        created_by=created_by,
        created_at=now,
        updated_at=now,
        done_at=None,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another transaction opened the same plan first: it is the plan.
        found = _find(session, code, the_month, the_trigger.value, the_category)
        if found is None:
            raise
        return _plan(found)
    return _plan(row)


def open_plans_for_flags(
    *,
    session: Session,
    now: datetime,
    branch: str,
    month: str,
    flags: Iterable[Flag],
    created_by: str = "system",
    calendar: WorkingCalendar | None = None,
) -> list[Plan]:
    """QC-1, QC-3: a plan for each flag the monthly report raised, as
    ``(trigger, category, value, threshold)`` — e.g. ``("category_share", "ebanking_login",
    Decimal("0.27"), Decimal("0.20"))`` or ``("satisfaction", "", Decimal("86.5"), 90)``.
    Idempotent: a flag whose plan exists returns that plan."""
    return [
        open_plan(
            session=session,
            now=now,
            branch=branch,
            month=month,
            trigger=trigger,
            category=category,
            trigger_value=value,
            threshold=threshold,
            created_by=created_by,
            calendar=calendar,
        )
        for trigger, category, value, threshold in flags
    ]


def _row(session: Session, plan_id: str, scope: Scope, *, lock: bool = False) -> ImprovementPlanRow:
    row = session.get(ImprovementPlanRow, plan_id, with_for_update=lock or None)
    if row is None or not scope.admits(row.branch):
        raise NotFound("整改计划不存在", field="plan_id")  # RSK-2: another branch reads as unknown
    return row


def get_plan(*, session: Session, plan_id: str, scope: Scope) -> Plan:
    return _plan(_row(session, plan_id, scope))


def update_plan(
    *,
    session: Session,
    now: datetime,
    plan_id: str,
    scope: Scope,
    owner_id: str | None = _UNSET,
    cause_analysis: str | None = _UNSET,
    actions: Sequence[Mapping[str, Any]] | None = _UNSET,
) -> Plan:
    """Set the owner (an active member who sees the plan's branch), the cause analysis or
    the actions (the list replaces the old one); a field left out stays. A done or
    cancelled plan cannot change."""
    row = _row(session, plan_id, scope, lock=True)
    _plan(row).check_editable()
    if owner_id is not _UNSET:
        if owner_id:
            try:
                owner = staff.get_user(session=session, user_id=owner_id)
            except NotFound:
                raise NotFound("负责人不存在", field="owner_id") from None
            if not owner.active:
                raise ValidationFailed("负责人账号已停用", field="owner_id")
            if not owner.sees_branch(row.branch):
                raise ValidationFailed("负责人须为本机构或总行人员", field="owner_id")
            row.owner_id = owner.id
        else:
            row.owner_id = None
    if cause_analysis is not _UNSET:
        row.cause_analysis = check_cause_analysis(cause_analysis or "")
    if actions is not _UNSET:
        row.actions = [a.as_dict() for a in parse_actions(actions or [])]
    row.updated_at = now
    session.flush()
    return _plan(row)


def move_plan(
    *,
    session: Session,
    now: datetime,
    plan_id: str,
    scope: Scope,
    status: str,
    outcome: str | None = None,
) -> Plan:
    """Move the plan along its lifecycle (model.PLAN_MOVES). Done needs a cause analysis
    and at least one action; cancelling needs the reason in ``outcome``."""
    target = parse_enum(PlanStatus, status, field="status")
    row = _row(session, plan_id, scope, lock=True)
    _plan(row).check_move(target)
    text = check_outcome(outcome, required=target == PlanStatus.CANCELLED)
    row.status = target.value
    if text is not None:
        row.outcome = text
    if target == PlanStatus.DONE:
        row.done_at = now
    row.updated_at = now
    session.flush()
    return _plan(row)


def list_plans(
    *,
    session: Session,
    scope: Scope,
    branch: str | None = None,
    month: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[Plan]:
    """Plans within ``scope`` (and ``branch``, which must lie inside it), the month's
    newest first, then by due date."""
    query = select(ImprovementPlanRow)
    if branch:
        if not scope.admits(branch.strip().upper()):
            raise Forbidden("只能查看本机构的整改计划", field="branch")
        query = query.where(ImprovementPlanRow.branch == branch.strip().upper())
    if scope.branch is not None:
        query = query.where(ImprovementPlanRow.branch == scope.branch)
    if month:
        query = query.where(ImprovementPlanRow.month == parse_month(month).label)
    if status:
        query = query.where(
            ImprovementPlanRow.status == parse_enum(PlanStatus, status, field="status").value
        )
    query = query.order_by(
        ImprovementPlanRow.month.desc(), ImprovementPlanRow.due_date, ImprovementPlanRow.id
    ).limit(limit)
    return [_plan(r) for r in session.scalars(query)]
