"""Satisfaction API (CLS-2, QC-1) and the public survey page ``/survey/{token}`` (zh/en)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from consultdesk.consultations import service as consultations
from consultdesk.notifications.outbox import NotificationChannel
from consultdesk.shared.errors import Conflict, DomainError, NotFound
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.surveys import service
from consultdesk.surveys.model import RATING_EN, RATING_ZH, MonthlySatisfaction, QualityReview
from consultdesk.web.console import lang_of, render
from consultdesk.web.deps import ContainerDep, require
from consultdesk.web.i18n import Lang, translate

router = APIRouter(tags=["surveys"])
Handler = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
Reports = Annotated[StaffMember, Depends(require(Permission.REPORTS))]
Reviewer = Annotated[StaffMember, Depends(require(Permission.QA_REVIEW))]
RatingValue = Literal["very_satisfied", "fair", "unsatisfied"]


class RatingIn(BaseModel):
    rating: RatingValue


class RatingOut(BaseModel):
    consultation_id: str
    rating: str


class InvitationOut(BaseModel):
    survey_id: str
    consultation_id: str
    channel: str
    expires_at: datetime


class ReviewIn(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    branch: str | None = Field(default=None, pattern=r"^[A-Z0-9]{2,12}$")
    cause_analysis: str = Field(min_length=10, max_length=4000)
    improvement_plan: str = Field(min_length=10, max_length=4000)


class ReviewOut(BaseModel):
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

    @classmethod
    def of(cls, r: QualityReview) -> ReviewOut:
        return cls(**{f: getattr(r, f) for f in cls.model_fields})


class MonthlyOut(BaseModel):
    month: str
    branch: str | None
    ratings: int
    counts: dict[str, int]
    score: Decimal | None
    threshold: int
    policy_version: str
    review_required: bool
    review_missing: bool
    surveys_answered: int
    mean_resolution: Decimal | None
    mean_attitude: Decimal | None
    mean_efficiency: Decimal | None
    review: ReviewOut | None
    formula: str = "(100×非常满意 + 60×一般 + 0×不满意) / 评价数"

    @classmethod
    def of(cls, m: MonthlySatisfaction) -> MonthlyOut:
        return cls(
            month=m.month,
            branch=m.branch,
            ratings=m.ratings,
            counts=dict(m.counts),
            score=m.score,
            threshold=m.threshold,
            policy_version=m.policy_version,
            review_required=m.review_required,
            review_missing=m.review_missing,
            surveys_answered=m.surveys_answered,
            mean_resolution=m.mean_resolution,
            mean_attitude=m.mean_attitude,
            mean_efficiency=m.mean_efficiency,
            review=ReviewOut.of(m.review) if m.review else None,
        )


def _consultation_branch(container: ContainerDep, member: StaffMember, cid: str) -> None:
    with container.uow() as session:
        consultations.get_consultation(session=session, consultation_id=cid, scope=member.scope)


@router.put("/api/v1/consultations/{consultation_id}/rating", response_model=RatingOut)
def rate(
    consultation_id: str, body: RatingIn, container: ContainerDep, member: Handler
) -> RatingOut:
    """CLS-2: very satisfied / fair / unsatisfied, as the customer said it."""
    _consultation_branch(container, member, consultation_id)
    with container.uow() as session:
        rating = service.rate_satisfaction(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            rating=body.rating,
            actor=member.id,
        )
    return RatingOut(consultation_id=consultation_id, rating=rating.value)


@router.post("/api/v1/chat/{consultation_id}/rating", response_model=RatingOut)
def visitor_rate(
    consultation_id: str,
    body: RatingIn,
    container: ContainerDep,
    token: Annotated[str, Header(alias="X-Chat-Token", max_length=100)],
) -> RatingOut:
    """CLS-2: the customer rates the chat in the widget once it is resolved (the chat
    token names the consultation); a later rating replaces it."""
    from consultdesk.consultations import visitors
    from consultdesk.consultations.model import Status

    with container.uow() as session:
        c = visitors.consultation_for_token(
            session=session, consultation_id=consultation_id, token=token
        )
        if c.status not in (Status.RESOLVED, Status.CLOSED):
            raise Conflict("咨询结束后才能评价", field="consultation_id")
        rating = service.rate_satisfaction(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            rating=body.rating,
            actor="customer",
            source="widget",
        )
    return RatingOut(consultation_id=consultation_id, rating=rating.value)


def public_base_url(request: Request, container: ContainerDep) -> str:
    """Where customers reach the survey page: ``settings.public_url`` when the deployment
    defines it, else this request's own address."""
    configured = getattr(container.settings, "public_url", None)
    return str(configured or request.base_url)


class InviteIn(BaseModel):
    channel: Literal["sms", "email"] = "sms"


@router.post(
    "/api/v1/consultations/{consultation_id}/survey",
    response_model=InvitationOut,
    status_code=201,
)
def invite(
    consultation_id: str,
    request: Request,
    container: ContainerDep,
    member: Handler,
    body: InviteIn | None = None,
) -> InvitationOut:
    """CLS-2: after closing, send the survey link by SMS (or e-mail) through the outbox;
    ``{"channel": "email"}`` asks for e-mail when the customer has an address."""
    _consultation_branch(container, member, consultation_id)
    with container.uow() as session:
        survey, _ = service.invite_survey(
            session=session,
            now=container.clock.now(),
            keyring=container.keyring,
            consultation_id=consultation_id,
            base_url=public_base_url(request, container),
            actor=member.id,
            bank=container.settings.bank_name,
            prefer=NotificationChannel((body or InviteIn()).channel),
        )
    return InvitationOut(
        survey_id=survey.id,
        consultation_id=survey.consultation_id,
        channel=survey.channel,
        expires_at=survey.expires_at,
    )


@router.get("/api/v1/satisfaction/monthly", response_model=MonthlyOut)
def monthly(
    container: ContainerDep,
    member: Reports,
    month: Annotated[str, Query(max_length=7)],
    branch: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{2,12}$")] = None,
) -> MonthlyOut:
    """QC-1: the month's satisfaction score and whether a review is required/missing."""
    scope = branch if member.at_head_office else member.branch
    with container.uow() as session:
        summary = service.monthly_satisfaction(session=session, month=month, branch=scope)
    return MonthlyOut.of(summary)


@router.post("/api/v1/quality-reviews", response_model=ReviewOut, status_code=201)
def record_review(body: ReviewIn, container: ContainerDep, member: Reviewer) -> ReviewOut:
    """QC-1: cause analysis and improvement plan for a month below the minimum."""
    if body.branch and not member.sees_branch(body.branch):
        raise NotFound("机构不存在", field="branch")
    with container.uow() as session:
        review = service.record_quality_review(
            session=session,
            now=container.clock.now(),
            month=body.month,
            branch=body.branch,
            cause_analysis=body.cause_analysis,
            improvement_plan=body.improvement_plan,
            author=member.id,
        )
    return ReviewOut.of(review)


@router.get("/api/v1/quality-reviews", response_model=list[ReviewOut])
def reviews(container: ContainerDep, member: Reports) -> list[ReviewOut]:
    with container.uow() as session:
        found = service.list_quality_reviews(
            session=session, branch=None if member.at_head_office else member.branch
        )
    return [ReviewOut.of(r) for r in found]


# --- the public survey page -----------------------------------------------------------


def _lang(request: Request) -> Lang:
    asked = request.query_params.get("lang")
    if asked in ("zh", "en"):
        return "en" if asked == "en" else "zh"
    return lang_of(request)


def _page(request: Request, lang: Lang, status: int = 200, **ctx: object) -> Response:
    ratings = RATING_EN if lang == "en" else RATING_ZH
    response = render(
        request,
        "survey.html",
        member=None,
        csrf=None,
        lang=lang,
        t=lambda key, **p: translate(key, lang, **p),
        ratings=[(r.value, label) for r, label in ratings.items()],
        **ctx,
    )
    response.status_code = status
    return response


@router.get("/survey/{token}", include_in_schema=False)
def survey_page(token: str, request: Request, container: ContainerDep) -> Response:
    lang = _lang(request)
    try:
        with container.uow() as session:
            survey = service.survey_for_token(session=session, token=token)
    except NotFound as exc:
        return _page(request, lang, 404, error=exc.message, done=False, fatal=True, token=token)
    if survey.answered_at is not None:
        return _page(request, lang, done=True, error=None, fatal=False, token=token)
    if survey.is_expired(container.clock.now()):
        return _page(
            request, lang, 410, error="调查链接已过期", done=False, fatal=True, token=token
        )
    return _page(request, lang, error=None, done=False, fatal=False, token=token)


@router.post("/survey/{token}", include_in_schema=False)
def survey_submit(
    token: str,
    request: Request,
    container: ContainerDep,
    resolution: Annotated[int | None, Form()] = None,
    attitude: Annotated[int | None, Form()] = None,
    efficiency: Annotated[int | None, Form()] = None,
    rating: Annotated[str, Form(max_length=20)] = "",
    comment: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    lang = _lang(request)
    try:
        with container.uow() as session:
            service.answer_survey(
                session=session,
                now=container.clock.now(),
                token=token,
                # A question left blank is 0: refused on the page, naming the question.
                resolution=resolution or 0,
                attitude=attitude or 0,
                efficiency=efficiency or 0,
                comment=comment or None,
                rating=rating or None,
            )
    except DomainError as exc:
        fatal = isinstance(exc, (Conflict, NotFound))  # link unknown, expired or used
        return _page(
            request, lang, exc.status, error=exc.message, done=False, fatal=fatal, token=token
        )
    return _page(request, lang, done=True, error=None, fatal=False, token=token)
