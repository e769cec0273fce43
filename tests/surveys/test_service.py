"""Ratings, survey invitations and answers, monthly score on a real database (CLS-2, QC-1)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.notifications import service as notifications
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import Conflict, ValidationFailed
from consultdesk.shared.scope import SYSTEM
from consultdesk.surveys import service
from consultdesk.surveys.model import BEIJING, Rating
from tests.surveys.conftest import PHONE, closed_consultation, customer

BASE = "https://survey.demo-bank.example"


def rate(container: Container, consultation_id: str, rating: str) -> None:
    with container.uow() as s:
        service.rate_satisfaction(
            session=s,
            now=container.clock.now(),
            consultation_id=consultation_id,
            rating=rating,
            actor="usr_a",
        )


def invite(container: Container, consultation_id: str) -> str:
    with container.uow() as s:
        _, link = service.invite_survey(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            consultation_id=consultation_id,
            base_url=BASE,
            actor="usr_a",
            bank="示例银行",
        )
    return link


# REQ: CLS-2
def test_rating_is_recorded_per_consultation_and_a_later_one_replaces_it(
    container: Container, october: FakeClock
) -> None:
    cid = closed_consultation(container, customer(container))
    rate(container, cid, "fair")
    rate(container, cid, "very_satisfied")
    with container.uow() as s:
        assert service.rating_of(session=s, consultation_id=cid) == Rating.VERY_SATISFIED


def test_unknown_rating_names_the_field(container: Container, october: FakeClock) -> None:
    cid = closed_consultation(container, customer(container))
    with pytest.raises(ValidationFailed) as err:
        rate(container, cid, "great")
    assert err.value.field == "rating"


# REQ: CLS-2
def test_survey_invitation_after_closing_goes_by_sms_with_a_unique_link(
    container: Container, october: FakeClock
) -> None:
    first = invite(container, closed_consultation(container, customer(container)))
    second = invite(
        container, closed_consultation(container, customer(container, phone="13612340000"))
    )
    sandbox = SandboxSmsGateway(clock=october)
    notifications.dispatch_pending(
        uow=container.uow, clock=october, keyring=container.keyring, sms=sandbox, mailer=None
    )
    (sms,) = sandbox.inbox(to=PHONE)
    assert first.startswith(BASE + "/survey/") and first != second
    assert first in sms.text
    assert "问题解决、服务态度、办理效率" in sms.text


# REQ: CLS-2
def test_customer_without_phone_is_invited_by_email(
    container: Container, october: FakeClock
) -> None:
    cid = closed_consultation(container, customer(container, phone=None, email="sun@example.com"))
    link = invite(container, cid)
    with container.uow() as s:
        (entry,) = notifications.list_outbox(session=s)
    assert (entry.channel.value, entry.recipient_masked) == ("email", "s***@example.com")
    assert link in entry.body


def test_open_consultation_cannot_be_surveyed(container: Container, october: FakeClock) -> None:
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s,
            now=october.now(),
            channel="chat",
            branch="BJ01",
            actor="customer",
            customer_id=customer(container),
        )
    with pytest.raises(Conflict) as err:
        invite(container, c.id)
    assert err.value.field == "consultation_id"


def test_a_consultation_is_invited_once(container: Container, october: FakeClock) -> None:
    cid = closed_consultation(container, customer(container))
    invite(container, cid)
    with pytest.raises(Conflict):
        invite(container, cid)


# REQ: CLS-2
def test_answers_are_linked_back_to_the_consultation(
    container: Container, october: FakeClock
) -> None:
    cid = closed_consultation(container, customer(container))
    token = invite(container, cid).rsplit("/", 1)[1]
    with container.uow() as s:
        service.answer_survey(
            session=s,
            now=october.now(),
            token=token,
            resolution=5,
            attitude=4,
            efficiency=3,
            comment="办理很快",
            rating="very_satisfied",
        )
    with container.uow() as s:
        survey = service.survey_of(session=s, consultation_id=cid)
        rating = service.rating_of(session=s, consultation_id=cid)
        kinds = [
            e.kind for e in consultations.timeline(scope=SYSTEM, session=s, consultation_id=cid)
        ]
    assert survey is not None and survey.answers is not None
    assert (survey.answers.resolution, survey.answers.attitude, survey.answers.efficiency) == (
        5,
        4,
        3,
    )
    assert rating == Rating.VERY_SATISFIED
    assert "survey_answered" in kinds


def test_closed_consultations_are_invited_by_the_periodic_job(
    container: Container, october: FakeClock
) -> None:
    reachable = closed_consultation(container, customer(container))
    closed_consultation(container, None)  # no customer: nobody to ask
    closed_consultation(container, customer(container, phone=None))  # no phone, no e-mail
    with container.uow() as s:
        invited = service.invite_closed_consultations(
            session=s, now=october.now(), keyring=container.keyring, base_url=BASE
        )
    with container.uow() as s:
        again = service.invite_closed_consultations(
            session=s, now=october.now(), keyring=container.keyring, base_url=BASE
        )
    assert [i.consultation_id for i in invited] == [reachable]
    assert again == []


def ratings_in_october(container: Container, clock: FakeClock, *ratings: str) -> None:
    cust = customer(container)
    for r in ratings:
        rate(container, closed_consultation(container, cust), r)


# REQ: QC-1
def test_monthly_score_at_ninety_needs_no_review(container: Container, october: FakeClock) -> None:
    ratings_in_october(
        container, october, "very_satisfied", "very_satisfied", "very_satisfied", "fair"
    )
    with container.uow() as s:
        month = service.monthly_satisfaction(session=s, month="2026-10")
    assert (month.score, month.ratings, month.threshold) == (Decimal("90.0"), 4, 90)
    assert not month.review_required


# REQ: QC-1
def test_month_below_ninety_requires_a_recorded_cause_analysis_and_plan(
    container: Container, october: FakeClock
) -> None:
    ratings_in_october(
        container, october, "very_satisfied", "very_satisfied", "fair", "unsatisfied"
    )
    with container.uow() as s:
        before = service.monthly_satisfaction(session=s, month="2026-10")
        service.record_quality_review(
            session=s,
            now=october.now(),
            month="2026-10",
            cause_analysis="国庆后网银登录问题集中，坐席解释不清，客户等待时间长。",
            improvement_plan="补充网银登录标准话术并组织专题培训，高峰时段增加两名坐席。",
            author="usr_qa",
        )
        after = service.monthly_satisfaction(session=s, month="2026-10")
    assert before.score == Decimal("65.0")
    assert before.review_required and before.review_missing
    assert after.review is not None and after.review.score == Decimal("65.0")
    assert not after.review_missing


def test_ratings_count_in_the_beijing_month_they_were_given(
    container: Container, october: FakeClock
) -> None:
    cust = customer(container)
    cid = closed_consultation(container, cust)
    october.set(datetime(2026, 10, 31, 23, 30, tzinfo=BEIJING))  # 15:30 UTC, still October
    rate(container, cid, "unsatisfied")
    with container.uow() as s:
        oct_ = service.monthly_satisfaction(session=s, month="2026-10")
        nov = service.monthly_satisfaction(session=s, month="2026-11")
    assert (oct_.ratings, nov.ratings, nov.score) == (1, 0, None)


def test_review_needs_concrete_text_naming_the_field(
    container: Container, october: FakeClock
) -> None:
    with pytest.raises(ValidationFailed) as err, container.uow() as s:
        service.record_quality_review(
            session=s,
            now=october.now(),
            month="2026-10",
            cause_analysis="不知道",
            improvement_plan="以后注意改进服务质量问题",
            author="usr_qa",
        )
    assert err.value.field == "cause_analysis"


def test_a_month_has_one_review(container: Container, october: FakeClock) -> None:
    text = "原因分析与改进计划的具体说明文字"
    for attempt in range(2):
        with container.uow() as s:
            if attempt:
                with pytest.raises(Conflict):
                    service.record_quality_review(
                        session=s,
                        now=october.now(),
                        month="2026-10",
                        cause_analysis=text,
                        improvement_plan=text,
                        author="usr_qa",
                    )
            else:
                service.record_quality_review(
                    session=s,
                    now=october.now(),
                    month="2026-10",
                    cause_analysis=text,
                    improvement_plan=text,
                    author="usr_qa",
                )


def test_bad_month_names_the_field(container: Container) -> None:
    with pytest.raises(ValidationFailed) as err, container.uow() as s:
        service.monthly_satisfaction(session=s, month="2026-13")
    assert err.value.field == "month"
