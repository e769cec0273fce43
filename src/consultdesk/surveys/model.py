"""Ratings, surveys and the monthly satisfaction score (CLS-2, QC-1). Pure.

Monthly satisfaction score (QC-1), over the ratings given in a calendar month (Beijing):

    score = (100 × very_satisfied + 60 × fair + 0 × unsatisfied) / ratings

a mean on a 0–100 scale, one decimal, rounded half up. "Fair" (一般) earns 60 points, not
100: a month of only "fair" answers scores 60 and calls for a review, while a month with
three "very satisfied" for every "fair" scores exactly 90. No ratings: no score (and no
review required). When the score is below ``quality.satisfaction_min`` (90) the month
needs a recorded cause analysis and improvement plan (``quality_reviews``).
The survey's three questions (resolution, attitude, efficiency, 1–5) are reported as
means alongside; they explain a score, they do not enter it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NewType

from consultdesk.shared.errors import ValidationFailed

# Months live in shared/months.py; re-exported for this feature's callers.
from consultdesk.shared.months import BEIJING as BEIJING
from consultdesk.shared.months import Month as Month
from consultdesk.shared.months import local_date as local_date
from consultdesk.shared.months import parse_month as parse_month

SurveyId = NewType("SurveyId", str)
SURVEY_VALID_DAYS = 30
MAX_COMMENT = 500
MIN_REVIEW_TEXT = 10
MAX_REVIEW_TEXT = 4000


class Rating(StrEnum):
    VERY_SATISFIED = "very_satisfied"
    FAIR = "fair"
    UNSATISFIED = "unsatisfied"


RATING_POINTS: Mapping[Rating, int] = {
    Rating.VERY_SATISFIED: 100,
    Rating.FAIR: 60,
    Rating.UNSATISFIED: 0,
}
RATING_ZH = {Rating.VERY_SATISFIED: "非常满意", Rating.FAIR: "一般", Rating.UNSATISFIED: "不满意"}
RATING_EN = {
    Rating.VERY_SATISFIED: "Very satisfied",
    Rating.FAIR: "Fair",
    Rating.UNSATISFIED: "Unsatisfied",
}


def parse_rating(value: str, *, field: str = "rating") -> Rating:
    try:
        return Rating(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Rating)
        raise ValidationFailed(f"{field} 取值无效；可选 {allowed}", field=field) from None


def satisfaction_score(counts: Mapping[Rating, int]) -> Decimal | None:
    """The month's score (see the module docstring); None without ratings."""
    total = sum(counts.values())
    if total == 0:
        return None
    points = sum(RATING_POINTS[r] * n for r, n in counts.items())
    return (Decimal(points) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_of(moment: datetime) -> Month:
    local = moment.astimezone(BEIJING)
    return Month(local.year, local.month)


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    resolution: int
    attitude: int
    efficiency: int
    comment: str | None
    rating: Rating | None


def check_answers(
    *, resolution: int, attitude: int, efficiency: int, comment: str | None, rating: str | None
) -> SurveyAnswers:
    """Each question 1–5; a comment up to 500 characters; the overall rating optional."""
    for name, label, value in (
        ("resolution", "问题解决", resolution),
        ("attitude", "服务态度", attitude),
        ("efficiency", "办理效率", efficiency),
    ):
        if not 1 <= value <= 5:
            raise ValidationFailed(f"请为“{label}”评 1–5 分", field=name)
    text = (comment or "").strip() or None
    if text is not None and len(text) > MAX_COMMENT:
        raise ValidationFailed(f"留言不得超过 {MAX_COMMENT} 个字符", field="comment")
    return SurveyAnswers(
        resolution=resolution,
        attitude=attitude,
        efficiency=efficiency,
        comment=text,
        rating=parse_rating(rating) if rating else None,
    )


def check_review_text(text: str, *, field: str) -> str:
    value = text.strip()
    if len(value) < MIN_REVIEW_TEXT or len(value) > MAX_REVIEW_TEXT:
        raise ValidationFailed(
            f"须为 {MIN_REVIEW_TEXT}–{MAX_REVIEW_TEXT} 个字符的具体说明", field=field
        )
    return value


@dataclass(frozen=True)
class Survey:
    id: SurveyId
    consultation_id: str
    branch: str
    channel: str
    invited_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    answers: SurveyAnswers | None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def invitation_text(*, bank: str, link: str) -> str:
    return (
        f"【{bank}】感谢您的咨询。请花一分钟评价本次服务（问题解决、服务态度、办理效率）：{link}"
        f" 链接 {SURVEY_VALID_DAYS} 天内有效。"
    )


@dataclass(frozen=True)
class QualityReview:
    id: str
    month: str
    branch: str
    score: Decimal | None
    threshold: int
    cause_analysis: str
    improvement_plan: str
    author: str
    created_at: datetime
    policy_version: str


@dataclass(frozen=True)
class MonthlySatisfaction:
    """QC-1: the month's score, its inputs, and whether a review is required / missing."""

    month: str
    branch: str | None
    ratings: int
    counts: Mapping[str, int]
    score: Decimal | None
    threshold: int
    policy_version: str
    surveys_answered: int
    mean_resolution: Decimal | None
    mean_attitude: Decimal | None
    mean_efficiency: Decimal | None
    review: QualityReview | None

    @property
    def review_required(self) -> bool:
        return self.score is not None and self.score < self.threshold

    @property
    def review_missing(self) -> bool:
        return self.review_required and self.review is None


def day_label(day: date) -> str:
    return f"{day.month}月{day.day}日"
