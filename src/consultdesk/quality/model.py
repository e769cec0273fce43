"""The quality loop's pure core: improvement plans and their lifecycle (QC-1, QC-3), case
library entries (QC-4) and the QA sample draw (QC-2). Standard library only.

Plan lifecycle, as data::

    open -> in_progress -> done
    open | in_progress -> cancelled

A plan is done only with a cause analysis and at least one action (QC-1).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, NewType, TypeVar

from consultdesk.shared.errors import IllegalTransition, ValidationFailed

# Months live in shared/months.py; re-exported for this feature's callers.
from consultdesk.shared.months import BEIJING as BEIJING
from consultdesk.shared.months import Month as Month
from consultdesk.shared.months import local_date as local_date
from consultdesk.shared.months import parse_month as parse_month

PlanId = NewType("PlanId", str)
CaseId = NewType("CaseId", str)
SampleId = NewType("SampleId", str)


# --- months ---------------------------------------------------------------------------


def _text(value: str | None, *, field: str, label: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"请填写{label}", field=field)
    if len(text) > limit:
        raise ValidationFailed(f"{label}不得超过 {limit} 个字符", field=field)
    return text


_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")


def check_category(value: str | None, *, required: bool = False) -> str:
    """A problem category code (quality/categories.py manages the list): 1–40 letters,
    digits or ``_.:-``; empty when not required."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationFailed("请填写问题类别", field="category")
        return ""
    if not _CODE.match(text):
        raise ValidationFailed("问题类别代码应为 1–40 位字母、数字或 _.:-", field="category")
    return text


# --- improvement plans (QC-1, QC-3) ----------------------------------------------------


class PlanTrigger(StrEnum):
    CATEGORY_SHARE = "category_share"  # a category over quality.top_problem_alert_share
    SATISFACTION = "satisfaction"  # the month's score under quality.satisfaction_min
    MANUAL = "manual"


class PlanStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


_P = PlanStatus
PLAN_MOVES: Mapping[PlanStatus, frozenset[PlanStatus]] = {
    _P.OPEN: frozenset({_P.IN_PROGRESS, _P.CANCELLED}),
    _P.IN_PROGRESS: frozenset({_P.DONE, _P.CANCELLED}),
    _P.DONE: frozenset(),
    _P.CANCELLED: frozenset(),
}
PLAN_STATUS_ZH: Mapping[PlanStatus, str] = {
    _P.OPEN: "待处理",
    _P.IN_PROGRESS: "整改中",
    _P.DONE: "已完成",
    _P.CANCELLED: "已取消",
}
TRIGGER_ZH: Mapping[PlanTrigger, str] = {
    PlanTrigger.CATEGORY_SHARE: "单类问题占比超限",
    PlanTrigger.SATISFACTION: "满意度低于下限",
    PlanTrigger.MANUAL: "人工发起",
}
MAX_CAUSE = 4000
MAX_ACTION = 500
MAX_ACTIONS = 30
MAX_OUTCOME = 2000


class IllegalPlanMove(IllegalTransition):
    def __init__(self, current: PlanStatus, target: PlanStatus) -> None:
        super().__init__(
            f"整改计划当前为“{PLAN_STATUS_ZH[current]}”，不能改为“{PLAN_STATUS_ZH[target]}”",
            field="status",
        )


E = TypeVar("E", bound=StrEnum)


def parse_enum(kind: type[E], value: str, *, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        raise ValidationFailed(f"{field} 取值无效：{value}；可选 {allowed}", field=field) from None


@dataclass(frozen=True, slots=True)
class Action:
    text: str
    done: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "done": self.done}


def parse_actions(raw: Sequence[Mapping[str, Any]]) -> tuple[Action, ...]:
    """Actions from ``[{"text", "done"}]``: text 1–500 characters, at most 30 actions."""
    if len(raw) > MAX_ACTIONS:
        raise ValidationFailed(f"整改措施最多 {MAX_ACTIONS} 项", field="actions")
    actions: list[Action] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise ValidationFailed("每项整改措施应为 {text, done}", field="actions")
        text = item.get("text")
        done = item.get("done", False)
        if not isinstance(text, str) or not text.strip():
            raise ValidationFailed("整改措施内容不能为空", field="actions")
        if len(text.strip()) > MAX_ACTION:
            raise ValidationFailed(f"每项整改措施不得超过 {MAX_ACTION} 个字符", field="actions")
        if not isinstance(done, bool):
            raise ValidationFailed("整改措施的 done 应为 true 或 false", field="actions")
        actions.append(Action(text.strip(), done))
    return tuple(actions)


def check_cause_analysis(value: str) -> str:
    return _text(value, field="cause_analysis", label="原因分析", limit=MAX_CAUSE, required=False)


def check_outcome(value: str | None, *, required: bool) -> str | None:
    text = _text(value, field="outcome", label="处理结果说明", limit=MAX_OUTCOME, required=required)
    return text or None


def check_trigger_figures(
    trigger: PlanTrigger, category: str, value: Decimal | None, threshold: Decimal | None
) -> None:
    """A category-share plan names its category; an automatic plan carries the figure and
    the threshold it crossed; a satisfaction plan has no category."""
    if trigger == PlanTrigger.CATEGORY_SHARE and not category:
        raise ValidationFailed("占比预警须指明问题类别", field="category")
    if trigger == PlanTrigger.SATISFACTION and category:
        raise ValidationFailed("满意度整改计划不指定问题类别", field="category")
    if trigger != PlanTrigger.MANUAL:
        if value is None:
            raise ValidationFailed("请给出触发数值", field="trigger_value")
        if threshold is None:
            raise ValidationFailed("请给出触发阈值", field="threshold")


@dataclass(frozen=True, slots=True)
class Plan:
    id: PlanId
    branch: str
    month: str
    trigger: PlanTrigger
    category: str
    trigger_value: Decimal | None
    threshold: Decimal | None
    owner_id: str | None
    cause_analysis: str
    actions: tuple[Action, ...]
    due_date: date
    status: PlanStatus
    outcome: str | None
    policy_version: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None

    @property
    def closed(self) -> bool:
        return self.status in (PlanStatus.DONE, PlanStatus.CANCELLED)

    def is_overdue(self, today: date) -> bool:
        return not self.closed and today > self.due_date

    def check_editable(self) -> None:
        if self.closed:
            raise IllegalTransition(
                f"整改计划已{PLAN_STATUS_ZH[self.status]}，不能再修改", field="status"
            )

    def check_move(self, target: PlanStatus) -> None:
        """IllegalPlanMove unless ``target`` is allowed from here; done also needs a cause
        analysis and at least one action (QC-1), each a ValidationFailed naming the field."""
        if target not in PLAN_MOVES[self.status]:
            raise IllegalPlanMove(self.status, target)
        if target == PlanStatus.DONE:
            if not self.cause_analysis.strip():
                raise ValidationFailed("完成整改前须填写原因分析", field="cause_analysis")
            if not self.actions:
                raise ValidationFailed("完成整改前须至少填写一项整改措施", field="actions")


# --- case library (QC-4) ---------------------------------------------------------------


class CaseKind(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


CASE_KIND_ZH: Mapping[CaseKind, str] = {CaseKind.SUCCESS: "成功案例", CaseKind.FAILURE: "失败案例"}
MAX_TITLE = 120
MAX_SUMMARY = 4000
MAX_MEASURE = 2000
MAX_TAGS = 10
MAX_TAG = 30


@dataclass(frozen=True, slots=True)
class CaseDraft:
    kind: CaseKind
    title: str
    summary: str
    preventive_measure: str | None
    category: str | None
    tags: tuple[str, ...]


def check_case(
    *,
    kind: str,
    title: str,
    summary: str,
    preventive_measure: str | None,
    category: str | None,
    tags: Sequence[str],
) -> CaseDraft:
    """A case to keep; a failure case requires its preventive measure (QC-4)."""
    the_kind = parse_enum(CaseKind, kind, field="kind")
    measure = _text(
        preventive_measure,
        field="preventive_measure",
        label="预防措施",
        limit=MAX_MEASURE,
        required=the_kind == CaseKind.FAILURE,
    )
    if len(tags) > MAX_TAGS:
        raise ValidationFailed(f"标签最多 {MAX_TAGS} 个", field="tags")
    clean: list[str] = []
    for tag in tags:
        text = tag.strip() if isinstance(tag, str) else ""
        if not text or len(text) > MAX_TAG:
            raise ValidationFailed(f"每个标签应为 1–{MAX_TAG} 个字符", field="tags")
        if text not in clean:
            clean.append(text)
    return CaseDraft(
        kind=the_kind,
        title=_text(title, field="title", label="案例标题", limit=MAX_TITLE, required=True),
        summary=_text(summary, field="summary", label="案例摘要", limit=MAX_SUMMARY, required=True),
        preventive_measure=measure or None,
        category=check_category(category) or None,
        tags=tuple(clean),
    )


@dataclass(frozen=True, slots=True)
class Case:
    id: CaseId
    consultation_id: str
    branch: str
    kind: CaseKind
    title: str
    summary: str
    preventive_measure: str | None
    category: str | None
    tags: tuple[str, ...]
    drill_uses: int
    created_by: str
    created_at: datetime


LIKE_ESCAPE = "!"


def like_pattern(text: str) -> str:
    """``%text%`` with the wildcards and the escape character escaped (ESCAPE '!')."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


# --- QA sampling (QC-2) ----------------------------------------------------------------


class SampleStatus(StrEnum):
    DRAWN = "drawn"
    SCORED = "scored"


SAMPLE_STATUS_ZH: Mapping[SampleStatus, str] = {
    SampleStatus.DRAWN: "待评分",
    SampleStatus.SCORED: "已评分",
}
MAX_REVIEW_NOTE = 2000


def allocate_by_channel(available: Mapping[str, int], n: int) -> dict[str, int]:
    """How many of ``n`` samples each channel gets: proportional to the channel's closed
    consultations, rounded by largest remainder (ties: larger channel, then name), then at
    least one per channel when ``n`` allows it, taken from the channel furthest above its
    exact quota. Never
    more than a channel has; the total is ``min(n, sum(available))``."""
    channels = sorted(c for c, k in available.items() if k > 0)
    total = sum(available[c] for c in channels)
    n = max(0, min(n, total))
    if n == 0:
        return {}
    quotas = {c: Decimal(n * available[c]) / Decimal(total) for c in channels}
    given = {c: int(quotas[c]) for c in channels}
    left = n - sum(given.values())
    order = sorted(channels, key=lambda c: (-(quotas[c] - given[c]), -available[c], c))
    for c in order[:left]:
        given[c] += 1
    if n >= len(channels):
        for c in channels:
            if given[c] == 0:
                # the channel furthest above its exact quota gives one up
                donors = [d for d in channels if given[d] > 1]
                donor = max(donors, key=lambda d: (given[d] - quotas[d], given[d], d))
                given[donor] -= 1
                given[c] = 1
    return {c: k for c, k in given.items() if k > 0}


def draw_order(ids: Sequence[str], *, seed: str) -> list[str]:
    """``ids`` in a fixed pseudo-random order for ``seed``: SHA-256 of seed and id (no
    global random state, the same on every machine and run)."""
    return sorted(ids, key=lambda i: (hashlib.sha256(f"{seed}\x1f{i}".encode()).hexdigest(), i))


def sample_seed(month: str, agent_id: str, seed: str = "") -> str:
    return f"qa-sample\x1f{month}\x1f{agent_id}\x1f{seed}"


def pick_sample(
    by_channel: Mapping[str, Sequence[str]], n: int, *, seed: str
) -> list[tuple[str, str]]:
    """(channel, consultation id) pairs: the per-channel allocation, each channel's
    share taken from its draw order."""
    allocation = allocate_by_channel({c: len(ids) for c, ids in by_channel.items()}, n)
    picked: list[tuple[str, str]] = []
    for channel in sorted(allocation):
        order = draw_order(by_channel[channel], seed=f"{seed}\x1f{channel}")
        picked.extend((channel, cid) for cid in order[: allocation[channel]])
    return picked


def check_review_score(score: int, note: str | None) -> tuple[int, str | None]:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise ValidationFailed("评分应为 0–100 的整数", field="review_score")
    text = _text(note, field="review_note", label="评语", limit=MAX_REVIEW_NOTE, required=False)
    return score, text or None


@dataclass(frozen=True, slots=True)
class ScoreItem:
    item: str
    passed: bool
    evidence: str


@dataclass(frozen=True, slots=True)
class QaSample:
    id: SampleId
    month: str
    branch: str
    agent_id: str
    consultation_id: str
    channel: str
    auto_score: int
    scorecard: tuple[ScoreItem, ...]
    status: SampleStatus
    reviewer_id: str | None
    review_score: int | None
    review_note: str | None
    drawn_at: datetime
    scored_at: datetime | None


def mean(values: Sequence[int]) -> float | None:
    """The mean to one decimal; None for no values."""
    if not values:
        return None
    return round(sum(values) / len(values), 1)
