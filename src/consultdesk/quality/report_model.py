"""The monthly quality report as plain data (QC-1, QC-2, QC-3, CLS-5). Pure: the
queries live in ``report.py``, the four formats in ``render.py``; every number a format
prints comes from ``MonthlyReport.figures()``, so HTML, PDF, JSON and CSV agree."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def ratio(part: int, whole: int) -> Decimal | None:
    """part / whole to four places, None when there is nothing to divide."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def mean(total: float | Decimal | None, count: int) -> Decimal | None:
    if not count or total is None:
        return None
    return (Decimal(str(total)) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Problem:
    """One category's line in the top problems: count, share, last month's share."""

    code: str
    label: str
    label_en: str
    count: int
    share: Decimal | None
    previous_share: Decimal | None

    @property
    def trend_pp(self) -> Decimal | None:
        """Month-on-month change of the share, in percentage points."""
        if self.share is None or self.previous_share is None:
            return None
        return ((self.share - self.previous_share) * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class Flag:
    """A category over the alert share (QC-3) or a score under the floor (QC-1): the
    improvement plan it requires, and that plan when one is open."""

    trigger: str  # category_share | satisfaction
    category: str
    label: str
    value: Decimal | None
    threshold: Decimal
    action: str
    plan_id: str | None = None
    plan_status: str | None = None


@dataclass(frozen=True, slots=True)
class PlanFollowUp:
    """Last month's plan for a category, and whether the category fell this month."""

    plan_id: str
    category: str
    label: str
    status: str
    share_then: Decimal | None
    share_now: Decimal | None

    @property
    def fell(self) -> bool | None:
        if self.share_then is None or self.share_now is None:
            return None
        return self.share_now < self.share_then


@dataclass(frozen=True, slots=True)
class ServiceLevels:
    online_first_response_met: int
    online_first_response_total: int
    online_first_response_target_s: int
    simple_resolution_met: int
    simple_resolution_total: int
    simple_resolution_target_s: int
    long_waits: int
    long_waits_escalated: int
    long_wait_s: int
    calls: int
    calls_answered_in_target: int
    phone_answer_target_s: int
    speed_of_answer_s: Decimal | None
    talk_s: Decimal | None

    @property
    def first_response_share(self) -> Decimal | None:
        return ratio(self.online_first_response_met, self.online_first_response_total)

    @property
    def simple_resolution_share(self) -> Decimal | None:
        return ratio(self.simple_resolution_met, self.simple_resolution_total)

    @property
    def long_waits_escalated_share(self) -> Decimal | None:
        return ratio(self.long_waits_escalated, self.long_waits)

    @property
    def phone_answer_share(self) -> Decimal | None:
        return ratio(self.calls_answered_in_target, self.calls)


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    month: str
    branch: str | None  # None: the whole bank
    branch_name: str
    generated_at: str
    policy_version: str
    total: int
    by_channel: dict[str, int]
    by_type: dict[str, int]
    by_business_line: dict[str, int]
    top_problems: list[Problem]
    alert_share: Decimal
    flags: list[Flag]
    plan_follow_ups: list[PlanFollowUp]
    satisfaction: dict[str, Any]
    service: ServiceLevels
    complaints: dict[str, int]
    bot: dict[str, Any]
    violations_by_code: dict[str, int]
    violations_by_agent: list[dict[str, Any]]
    aml_alerts: dict[str, int]
    qa: dict[str, Any]
    previous_total: int = 0
    notes: list[str] = field(default_factory=list)

    def figures(self) -> list[tuple[str, str, str, Any]]:
        """Every number of the report as (section, key, label, value): the one list the
        CSV prints and the test compares with the other formats."""
        out: list[tuple[str, str, str, Any]] = [
            ("volume", "total", "咨询总量", self.total),
            ("volume", "previous_total", "上月咨询总量", self.previous_total),
        ]
        out += [("by_channel", k, k, v) for k, v in self.by_channel.items()]
        out += [("by_type", k, k, v) for k, v in self.by_type.items()]
        out += [("by_business_line", k, k, v) for k, v in self.by_business_line.items()]
        for i, p in enumerate(self.top_problems, 1):
            out += [
                ("top_problems", f"{i}.count", p.label, p.count),
                ("top_problems", f"{i}.share", p.label, p.share),
                ("top_problems", f"{i}.trend_pp", p.label, p.trend_pp),
            ]
        out += [("flags", f"{f.trigger}:{f.category}", f.label, f.value) for f in self.flags]
        s = self.service
        out += [
            ("service", "first_response_share", "在线首次响应达标率", s.first_response_share),
            ("service", "simple_resolution_share", "简单问题按时解答率", s.simple_resolution_share),
            ("service", "long_waits", "等待超时数", s.long_waits),
            ("service", "long_waits_escalated", "等待超时已升级数", s.long_waits_escalated),
            ("service", "phone_answer_share", "电话接听达标率", s.phone_answer_share),
            ("service", "speed_of_answer_s", "平均接听速度（秒）", s.speed_of_answer_s),
            ("service", "talk_s", "平均通话时长（秒）", s.talk_s),
        ]
        out += [("satisfaction", "score", "满意度得分", self.satisfaction.get("score"))]
        out += [("satisfaction", "ratings", "评价数", self.satisfaction.get("ratings"))]
        out += [("complaints", k, k, v) for k, v in self.complaints.items()]
        out += [("bot", k, k, self.bot[k]) for k in ("consultations", "contained", "containment")]
        out += [("bot", "faq_accuracy", "FAQ 准确率", self.bot.get("faq_accuracy"))]
        out += [("violations", k, k, v) for k, v in self.violations_by_code.items()]
        out += [("aml", k, k, v) for k, v in self.aml_alerts.items()]
        out += [("qa", k, k, self.qa.get(k)) for k in ("drawn", "scored", "mean_auto_score")]
        return out

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["top_problems"] = [asdict(p) | {"trend_pp": p.trend_pp} for p in self.top_problems]
        data["plan_follow_ups"] = [asdict(p) | {"fell": p.fell} for p in self.plan_follow_ups]
        s = self.service
        data["service"] |= {
            "first_response_share": s.first_response_share,
            "simple_resolution_share": s.simple_resolution_share,
            "long_waits_escalated_share": s.long_waits_escalated_share,
            "phone_answer_share": s.phone_answer_share,
        }
        return data
