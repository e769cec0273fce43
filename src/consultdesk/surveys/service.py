"""Use cases on satisfaction (CLS-2, QC-1): rate a consultation, invite the customer to a
survey after closing (SMS or e-mail through the outbox, a unique link), take the answers
from the public page and link them back to the consultation, the monthly score, and the
quality review a month below the minimum requires."""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Status
from consultdesk.notifications import service as notifications
from consultdesk.notifications.outbox import NotificationChannel
from consultdesk.policy.service import current_policy
from consultdesk.security.crypto import KeyRing
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode, new_id
from consultdesk.shared.scope import SYSTEM
from consultdesk.surveys.model import (
    SURVEY_VALID_DAYS,
    MonthlySatisfaction,
    QualityReview,
    Rating,
    Survey,
    SurveyAnswers,
    SurveyId,
    check_answers,
    check_review_text,
    invitation_text,
    parse_month,
    parse_rating,
    satisfaction_score,
)
from consultdesk.surveys.tables import QualityReviewRow, RatingRow, SurveyRow

WHOLE_BANK = "ALL"
SURVEY_PATH = "/survey/"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def rate_satisfaction(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    rating: str,
    actor: str,
    source: str = "agent",
) -> Rating:
    """CLS-2: very satisfied / fair / unsatisfied for one consultation; a later rating
    replaces an earlier one (the customer's survey answer has the last word)."""
    the_rating = parse_rating(rating)
    consultation = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    row = session.get(RatingRow, consultation.id, with_for_update=True)
    if row is None:
        row = RatingRow(consultation_id=consultation.id, branch=consultation.branch)
        session.add(row)
    row.rating = the_rating.value
    row.source = source
    row.recorded_by = actor
    row.rated_at = now
    consultations.record_fact(
        session=session,
        consultation_id=consultation.id,
        kind="satisfaction_rated",
        actor=actor,
        now=now,
        data={"rating": the_rating.value, "source": source},
    )
    session.flush()
    return the_rating


def rating_of(*, session: Session, consultation_id: str) -> Rating | None:
    row = session.get(RatingRow, consultation_id)
    return Rating(row.rating) if row else None


def _survey(row: SurveyRow) -> Survey:
    answers = None
    if row.answered_at is not None:
        answers = SurveyAnswers(
            resolution=row.resolution or 0,
            attitude=row.attitude or 0,
            efficiency=row.efficiency or 0,
            comment=row.comment,
            rating=Rating(row.rating) if row.rating else None,
        )
    return Survey(
        id=SurveyId(row.id),
        consultation_id=row.consultation_id,
        branch=row.branch,
        channel=row.channel,
        invited_at=row.invited_at,
        expires_at=row.expires_at,
        answered_at=row.answered_at,
        answers=answers,
    )


def invite_survey(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    consultation_id: str,
    base_url: str,
    actor: str,
    bank: str = "本行",
    prefer: NotificationChannel = NotificationChannel.SMS,
) -> tuple[Survey, str]:
    """CLS-2: after closing, send the customer a survey link (SMS to the registered phone,
    else e-mail; e-mail first when ``prefer`` says so and there is an address) through the
    outbox. Returns the survey and its link (shown once; only a
    hash of the token is stored). Conflict when not closed or already invited."""
    consultation = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    if consultation.status != Status.CLOSED:
        raise Conflict("咨询关闭后才能发送满意度调查", field="consultation_id")
    if consultation.customer_id is None:
        raise ValidationFailed("该咨询未关联客户，无法发送调查", field="consultation_id")
    if session.scalars(
        select(SurveyRow.id).where(SurveyRow.consultation_id == consultation.id)
    ).first():
        raise Conflict("该咨询已发送过满意度调查", field="consultation_id")
    token = secrets.token_urlsafe(24)
    link = base_url.rstrip("/") + SURVEY_PATH + token
    survey_id = new_id("srv")
    entry = notifications.notify_customer(
        session=session,
        now=now,
        keyring=keyring,
        customer_id=consultation.customer_id,
        text=invitation_text(bank=bank, link=link),
        subject=f"{bank}：请评价本次咨询服务",
        purpose="survey_invitation",
        ref=survey_id,
        idempotency_key=f"survey:{consultation.id}:invitation",
        prefer=prefer,
    )
    row = SurveyRow(
        id=survey_id,
        consultation_id=consultation.id,
        branch=consultation.branch,
        token_hash=_hash(token),
        channel=entry.channel.value,
        outbox_id=entry.id,
        invited_at=now,
        expires_at=now + timedelta(days=SURVEY_VALID_DAYS),
    )
    session.add(row)
    consultations.record_fact(
        session=session,
        consultation_id=consultation.id,
        kind="survey_invited",
        actor=actor,
        now=now,
        data={"survey_id": survey_id, "channel": entry.channel.value},
    )
    session.flush()
    return _survey(row), link


def invite_closed_consultations(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    base_url: str,
    bank: str = "本行",
    limit: int = 100,
) -> list[Survey]:
    """Invite every recently closed consultation with a reachable customer that has no
    survey yet (a periodic job: ``consultdesk surveys invite-closed``)."""
    invited: list[Survey] = []
    for consultation in consultations.list_consultations(
        scope=SYSTEM, session=session, status=Status.CLOSED.value, limit=limit
    ):
        if consultation.customer_id is None:
            continue
        exists = session.scalars(
            select(SurveyRow.id).where(SurveyRow.consultation_id == consultation.id)
        ).first()
        if exists:
            continue
        try:
            with session.begin_nested():
                survey, _ = invite_survey(
                    session=session,
                    now=now,
                    keyring=keyring,
                    consultation_id=consultation.id,
                    base_url=base_url,
                    actor="system",
                    bank=bank,
                )
        except ValidationFailed:
            continue  # no phone and no e-mail: nobody to ask
        invited.append(survey)
    return invited


def _by_token(session: Session, token: str, *, lock: bool = False) -> SurveyRow:
    if not token or len(token) > 64:
        raise NotFound("调查链接无效", field="token")
    query = select(SurveyRow).where(SurveyRow.token_hash == _hash(token))
    row = session.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("调查链接无效", field="token")
    return row


def survey_for_token(*, session: Session, token: str) -> Survey:
    """The survey behind a link; NotFound(field='token') for an unknown link."""
    return _survey(_by_token(session, token))


def answer_survey(
    *,
    session: Session,
    now: datetime,
    token: str,
    resolution: int,
    attitude: int,
    efficiency: int,
    comment: str | None = None,
    rating: str | None = None,
) -> Survey:
    """The customer's answers, stored on the survey and linked back to the consultation:
    the overall rating (if given) becomes the consultation's rating (CLS-2). Conflict
    when already answered or the link expired."""
    answers = check_answers(
        resolution=resolution,
        attitude=attitude,
        efficiency=efficiency,
        comment=comment,
        rating=rating,
    )
    row = _by_token(session, token, lock=True)
    if row.answered_at is not None:
        raise Conflict("您已提交过本次评价，感谢您的反馈", field="token")
    if now >= row.expires_at:
        raise Conflict("调查链接已过期", field="token")
    row.answered_at = now
    row.resolution = answers.resolution
    row.attitude = answers.attitude
    row.efficiency = answers.efficiency
    row.comment = answers.comment
    row.rating = answers.rating.value if answers.rating else None
    consultations.record_fact(
        session=session,
        consultation_id=row.consultation_id,
        kind="survey_answered",
        actor="customer",
        now=now,
        data={
            "survey_id": row.id,
            "resolution": answers.resolution,
            "attitude": answers.attitude,
            "efficiency": answers.efficiency,
        },
    )
    if answers.rating is not None:
        rate_satisfaction(
            session=session,
            now=now,
            consultation_id=row.consultation_id,
            rating=answers.rating.value,
            actor="customer",
            source="survey",
        )
    session.flush()
    return _survey(row)


def survey_of(*, session: Session, consultation_id: str) -> Survey | None:
    row = session.scalars(
        select(SurveyRow).where(SurveyRow.consultation_id == consultation_id)
    ).first()
    return _survey(row) if row else None


def _scope(branch: str | None) -> str:
    return branch or WHOLE_BANK


def _review(row: QualityReviewRow) -> QualityReview:
    return QualityReview(
        id=row.id,
        month=row.month,
        branch=row.branch,
        score=row.score,
        threshold=row.threshold,
        cause_analysis=row.cause_analysis,
        improvement_plan=row.improvement_plan,
        author=row.author,
        created_at=row.created_at,
        policy_version=row.policy_version,
    )


def _mean(value: object) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def monthly_satisfaction(
    *, session: Session, month: str, branch: str | None = None
) -> MonthlySatisfaction:
    """QC-1: the score of ``month`` ('YYYY-MM', Beijing) for ``branch`` (whole bank when
    None), the minimum in force, and the recorded review if any."""
    the_month = parse_month(month)
    query = select(RatingRow.rating, func.count()).where(
        RatingRow.rated_at >= the_month.starts, RatingRow.rated_at < the_month.ends
    )
    survey_query = select(
        func.count(),
        func.avg(SurveyRow.resolution),
        func.avg(SurveyRow.attitude),
        func.avg(SurveyRow.efficiency),
    ).where(SurveyRow.answered_at >= the_month.starts, SurveyRow.answered_at < the_month.ends)
    if branch:
        query = query.where(RatingRow.branch == branch)
        survey_query = survey_query.where(SurveyRow.branch == branch)
    counts: Counter[Rating] = Counter()
    for rating, count in session.execute(query.group_by(RatingRow.rating)):
        counts[Rating(rating)] = int(count)
    answered, resolution, attitude, efficiency = session.execute(survey_query).one()
    policy = current_policy(session=session, branch=BranchCode(branch or HEAD_OFFICE))
    review = session.scalars(
        select(QualityReviewRow).where(
            QualityReviewRow.month == the_month.label, QualityReviewRow.branch == _scope(branch)
        )
    ).first()
    return MonthlySatisfaction(
        month=the_month.label,
        branch=branch,
        ratings=sum(counts.values()),
        counts={r.value: counts.get(r, 0) for r in Rating},
        score=satisfaction_score(counts),
        threshold=policy.int("quality.satisfaction_min"),
        policy_version=policy.version,
        surveys_answered=int(answered or 0),
        mean_resolution=_mean(resolution),
        mean_attitude=_mean(attitude),
        mean_efficiency=_mean(efficiency),
        review=_review(review) if review else None,
    )


def record_quality_review(
    *,
    session: Session,
    now: datetime,
    month: str,
    cause_analysis: str,
    improvement_plan: str,
    author: str,
    branch: str | None = None,
) -> QualityReview:
    """QC-1: the cause analysis and improvement plan for a month, stamped with the score
    and minimum in force. One per month and scope (Conflict on a second)."""
    cause = check_review_text(cause_analysis, field="cause_analysis")
    plan = check_review_text(improvement_plan, field="improvement_plan")
    summary = monthly_satisfaction(session=session, month=month, branch=branch)
    row = QualityReviewRow(
        id=new_id("qrv"),
        month=summary.month,
        branch=_scope(branch),
        score=summary.score,
        threshold=summary.threshold,
        cause_analysis=cause,
        improvement_plan=plan,
        author=author,
        created_at=now,
        policy_version=summary.policy_version,
    )
    if summary.review is not None:
        raise Conflict("该月已记录原因分析与改进计划", field="month")
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict("该月已记录原因分析与改进计划", field="month") from None
    return _review(row)


def list_quality_reviews(*, session: Session, branch: str | None = None) -> list[QualityReview]:
    query = select(QualityReviewRow).order_by(QualityReviewRow.month.desc())
    if branch:
        query = query.where(QualityReviewRow.branch == branch)
    return [_review(r) for r in session.scalars(query)]


def get_survey(*, session: Session, survey_id: str) -> Survey:
    row = session.get(SurveyRow, survey_id)
    if row is None:
        raise NotFound("调查不存在", field="survey_id")
    return _survey(row)
