from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from consultdesk.knowledge.model import (
    TRANSITIONS,
    Action,
    Bulletin,
    BulletinId,
    BulletinKind,
    BusinessLine,
    Entry,
    EntryId,
    IllegalEntryTransition,
    ReviewerIsAuthor,
    RevisionAlreadyOpen,
    UserId,
    VersionStatus,
    compliance_problems,
    published_answer,
    unacknowledged,
)
from consultdesk.shared.errors import IllegalTransition, ValidationFailed
from tests.knowledge.conftest import NOW, make_content

AUTHOR = UserId("alice")
REVIEWER = UserId("bob")


def new_entry(line: BusinessLine = BusinessLine.DEPOSITS, **changes: object) -> Entry:
    return Entry.draft(
        entry_id=EntryId("DEP-001"),
        business_line=line,
        owner=UserId("owner"),
        content=make_content(**changes),
        author=AUTHOR,
        now=NOW,
    )


def published_entry() -> Entry:
    entry = new_entry()
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    entry.publish(reviewer=REVIEWER, now=NOW)
    return entry


# REQ: PREP-1
def test_draft_goes_through_review_to_published() -> None:
    entry = new_entry()
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    statuses = [entry.latest.status]
    entry.publish(reviewer=REVIEWER, now=NOW)
    statuses.append(entry.latest.status)
    assert statuses == [VersionStatus.IN_REVIEW, VersionStatus.PUBLISHED]
    assert entry.latest.reviewer == REVIEWER


# REQ: PREP-1
def test_author_cannot_publish_own_version() -> None:
    entry = new_entry()
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    with pytest.raises(ReviewerIsAuthor):
        entry.publish(reviewer=AUTHOR, now=NOW)
    assert entry.latest.status is VersionStatus.IN_REVIEW


# REQ: PREP-1
def test_author_cannot_reject_own_version() -> None:
    entry = new_entry()
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    with pytest.raises(ReviewerIsAuthor):
        entry.reject(reviewer=AUTHOR, reason="自己驳回", now=NOW)


# REQ: PREP-1
def test_publishing_a_draft_that_skipped_review_is_illegal() -> None:
    entry = new_entry()
    with pytest.raises(IllegalEntryTransition) as raised:
        entry.publish(reviewer=REVIEWER, now=NOW)
    assert isinstance(raised.value, IllegalTransition)
    assert "草稿" in raised.value.message


def test_rejection_returns_the_version_to_draft_with_reason() -> None:
    entry = new_entry()
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    entry.reject(reviewer=REVIEWER, reason="缺少风险提示", now=NOW)
    assert entry.latest.status is VersionStatus.DRAFT
    assert entry.history[-1].action is Action.REJECT
    assert entry.history[-1].reason == "缺少风险提示"


def test_rejection_without_reason_is_refused() -> None:
    entry = new_entry()
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    with pytest.raises(ValidationFailed) as raised:
        entry.reject(reviewer=REVIEWER, reason=" ", now=NOW)
    assert raised.value.field == "reason"


# REQ: PREP-1
def test_every_move_is_recorded_with_actor_and_time() -> None:
    entry = published_entry()
    assert [(t.action, t.actor) for t in entry.history] == [
        (Action.CREATE, AUTHOR),
        (Action.SUBMIT, AUTHOR),
        (Action.PUBLISH, REVIEWER),
    ]
    assert all(t.at == NOW for t in entry.history)


# REQ: PREP-1
def test_revision_keeps_old_version_live_until_new_one_is_published() -> None:
    entry = published_entry()
    entry.revise(
        content=make_content(answer="新答案，利率以实际公布为准。"), author=AUTHOR, now=NOW
    )
    assert entry.published is not None and entry.published.number == 1
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    entry.publish(reviewer=REVIEWER, now=NOW)
    assert entry.published is not None and entry.published.number == 2
    assert entry.versions[0].status is VersionStatus.SUPERSEDED


def test_second_open_revision_is_refused() -> None:
    entry = published_entry()
    entry.revise(content=make_content(answer="第二版"), author=AUTHOR, now=NOW)
    with pytest.raises(RevisionAlreadyOpen):
        entry.revise(content=make_content(answer="第三版"), author=AUTHOR, now=NOW)


def test_archived_entry_is_not_answerable() -> None:
    entry = published_entry()
    entry.archive(actor=REVIEWER, now=NOW)
    assert not entry.is_answerable(NOW)
    assert published_answer(entry, now=NOW) is None


def test_archived_version_cannot_be_published_again() -> None:
    entry = published_entry()
    entry.archive(actor=REVIEWER, now=NOW)
    with pytest.raises(IllegalEntryTransition):
        entry.publish(reviewer=REVIEWER, now=NOW)


def test_transition_table_has_no_way_out_of_archived() -> None:
    assert not [key for key in TRANSITIONS if key[0] is VersionStatus.ARCHIVED]


# REQ: PREP-1
def test_entry_is_not_answerable_before_its_effective_date() -> None:
    entry = Entry.draft(
        entry_id=EntryId("DEP-002"),
        business_line=BusinessLine.DEPOSITS,
        owner=UserId("owner"),
        content=make_content(effective_from=date(2026, 4, 1)),
        author=AUTHOR,
        now=NOW,
    )
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    entry.publish(reviewer=REVIEWER, now=NOW)
    assert not entry.is_answerable(NOW)
    assert entry.is_answerable(datetime(2026, 4, 1, 0, 0, tzinfo=UTC))


# REQ: PREP-1
def test_entry_is_answerable_through_its_expiry_day_in_beijing_time() -> None:
    entry = Entry.draft(
        entry_id=EntryId("DEP-003"),
        business_line=BusinessLine.DEPOSITS,
        owner=UserId("owner"),
        content=make_content(expires_on=date(2026, 3, 31)),
        author=AUTHOR,
        now=NOW,
    )
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    entry.publish(reviewer=REVIEWER, now=NOW)
    # 2026-03-31 15:59 UTC is 23:59 in Beijing: still the last day.
    assert entry.is_answerable(datetime(2026, 3, 31, 15, 59, tzinfo=UTC))
    # 16:00 UTC is midnight in Beijing on 1 April: expired.
    assert not entry.is_answerable(datetime(2026, 3, 31, 16, 0, tzinfo=UTC))


def test_expiry_before_effective_date_is_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        make_content(effective_from=date(2026, 5, 1), expires_on=date(2026, 4, 1))
    assert raised.value.field == "expires_on"


def test_duplicate_paraphrases_are_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        make_content(paraphrases=("咋存定期", "咋存定期"))
    assert raised.value.field == "paraphrases"


# REQ: RSK-7
def test_wealth_answer_without_not_guaranteed_wording_cannot_be_submitted() -> None:
    entry = new_entry(BusinessLine.WEALTH, answer="这款理财收益稳定，放心买。")
    with pytest.raises(ValidationFailed) as raised:
        entry.submit_for_review(actor=AUTHOR, now=NOW)
    assert "不保本" in raised.value.message


# REQ: SOL-2
def test_answer_quoting_a_rate_must_say_final_on_approval() -> None:
    problems = compliance_problems(BusinessLine.LOANS, "贷款年利率3.5%起。")
    assert problems and "以审批为准" in problems[0]
    assert compliance_problems(BusinessLine.LOANS, "贷款年利率3.5%起，以审批为准。") == []


def test_forex_answer_needs_a_risk_warning() -> None:
    assert compliance_problems(BusinessLine.FOREX, "可以在手机银行购汇。")
    assert not compliance_problems(BusinessLine.FOREX, "可以在手机银行购汇，汇率波动有风险。")


def make_bulletin(**changes: object) -> Bulletin:
    values: dict[str, object] = {
        "id": BulletinId("B1"),
        "kind": BulletinKind.RATE_CHANGE,
        "title": "定期存款利率调整",
        "body": "自3月5日起三年期定存挂牌利率调整，以实际公布为准。",
        "posted_by": UserId("kb-lead"),
        "posted_at": NOW,
    }
    values.update(changes)
    return Bulletin(**values)  # type: ignore[arg-type]


# REQ: PREP-2
def test_acknowledged_bulletin_no_longer_pending_for_that_agent() -> None:
    bulletin = make_bulletin()
    bulletin.acknowledge(agent=UserId("agent-1"), now=NOW)
    assert unacknowledged([bulletin], agent=UserId("agent-1"), now=NOW) == []
    assert unacknowledged([bulletin], agent=UserId("agent-2"), now=NOW) == [bulletin]


def test_acknowledging_twice_keeps_the_first_time() -> None:
    bulletin = make_bulletin()
    first = bulletin.acknowledge(agent=UserId("agent-1"), now=NOW)
    second = bulletin.acknowledge(agent=UserId("agent-1"), now=NOW + timedelta(hours=1))
    assert second == first and len(bulletin.acknowledgements) == 1


def test_expired_bulletin_is_not_pending() -> None:
    bulletin = make_bulletin(expires_at=NOW + timedelta(days=1))
    assert unacknowledged([bulletin], agent=UserId("a"), now=NOW + timedelta(days=2)) == []


def test_bulletin_without_title_is_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        make_bulletin(title="")
    assert raised.value.field == "title"


# REQ: PREP-1
def test_editor_of_a_draft_cannot_review_it() -> None:
    entry = new_entry()
    entry.edit_draft(content=make_content(answer="改过的答案"), actor=REVIEWER, now=NOW)
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    with pytest.raises(ReviewerIsAuthor):
        entry.publish(reviewer=REVIEWER, now=NOW)
    entry.publish(reviewer=UserId("carol"), now=NOW)
    assert entry.latest.content.answer == "改过的答案"


def test_version_under_review_cannot_be_edited() -> None:
    entry = new_entry()
    entry.submit_for_review(actor=AUTHOR, now=NOW)
    with pytest.raises(IllegalEntryTransition):
        entry.edit_draft(content=make_content(answer="偷偷改"), actor=AUTHOR, now=NOW)


def test_multi_line_paraphrase_is_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        make_content(paraphrases=("第一行\n第二行",))
    assert raised.value.field == "paraphrases"


def test_answer_with_control_character_is_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        make_content(answer="答案\x07")
    assert raised.value.field == "answer"


def test_publishing_twice_reports_the_state_not_the_reviewer() -> None:
    entry = published_entry()
    with pytest.raises(IllegalEntryTransition) as raised:
        entry.publish(reviewer=AUTHOR, now=NOW)
    assert "已发布" in raised.value.message
