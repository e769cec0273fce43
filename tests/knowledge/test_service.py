from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.knowledge import service
from consultdesk.knowledge.model import (
    Action,
    BulletinId,
    BulletinKind,
    BusinessLine,
    EntryId,
    EntrySpec,
    ReviewerIsAuthor,
    UserId,
    VersionStatus,
)
from consultdesk.knowledge.tables import EntryRow, EntryTransitionRow
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from tests.knowledge.conftest import NOW, make_content

AUTHOR = UserId("alice")
REVIEWER = UserId("bob")
DEP1 = EntryId("DEP-001")


def publish_new(session: Session, entry_id: EntryId = DEP1, **changes: object) -> None:
    service.create_draft(
        session=session,
        now=NOW,
        author=AUTHOR,
        business_line=BusinessLine.DEPOSITS,
        owner=UserId("owner"),
        content=make_content(**changes),
        entry_id=entry_id,
    )
    service.submit_for_review(session=session, now=NOW, entry_id=entry_id, actor=AUTHOR)
    service.publish(session=session, now=NOW, entry_id=entry_id, reviewer=REVIEWER)


# REQ: PREP-1
def test_published_entry_is_listed_for_the_matcher(session: Session) -> None:
    publish_new(session)
    [answer] = service.list_published(session=session, now=NOW)
    assert answer.entry_id == DEP1
    assert answer.questions[0] == "定期存款怎么办理？"
    assert "咋存定期" in answer.paraphrases


def test_draft_is_not_listed_for_the_matcher(session: Session) -> None:
    service.create_draft(
        session=session,
        now=NOW,
        author=AUTHOR,
        business_line=BusinessLine.DEPOSITS,
        owner=UserId("owner"),
        content=make_content(),
    )
    assert service.list_published(session=session, now=NOW) == []


# REQ: PREP-1
def test_expired_entry_drops_out_of_the_matcher_list(session: Session) -> None:
    publish_new(session, expires_on=date(2026, 3, 10))
    assert service.list_published(session=session, now=NOW)
    assert service.list_published(session=session, now=NOW + timedelta(days=30)) == []


# REQ: PREP-1
def test_reviewer_must_differ_from_author_through_the_service(session: Session) -> None:
    service.create_draft(
        session=session,
        now=NOW,
        author=AUTHOR,
        business_line=BusinessLine.DEPOSITS,
        owner=UserId("owner"),
        content=make_content(),
        entry_id=DEP1,
    )
    service.submit_for_review(session=session, now=NOW, entry_id=DEP1, actor=AUTHOR)
    with pytest.raises(ReviewerIsAuthor):
        service.publish(session=session, now=NOW, entry_id=DEP1, reviewer=AUTHOR)


# REQ: PREP-1
def test_transitions_are_stored_with_actor_and_time(session: Session) -> None:
    publish_new(session)
    rows = session.scalars(select(EntryTransitionRow).order_by(EntryTransitionRow.seq)).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("create", "alice"),
        ("submit", "alice"),
        ("publish", "bob"),
    ]
    assert all(r.at == NOW for r in rows)


# REQ: PREP-1
def test_revision_history_survives_a_reload(session: Session) -> None:
    publish_new(session)
    service.revise_entry(
        session=session,
        now=NOW,
        entry_id=DEP1,
        author=AUTHOR,
        content=make_content(answer="更新后的答案，利率以实际公布为准。"),
    )
    service.submit_for_review(session=session, now=NOW, entry_id=DEP1, actor=AUTHOR)
    service.publish(session=session, now=NOW, entry_id=DEP1, reviewer=REVIEWER)
    session.expunge_all()
    entry = service.get_entry(session=session, entry_id=DEP1)
    assert [v.status for v in entry.versions] == [
        VersionStatus.SUPERSEDED,
        VersionStatus.PUBLISHED,
    ]
    assert entry.history[-1].action is Action.SUPERSEDE
    [answer] = service.list_published(session=session, now=NOW)
    assert answer.version == 2 and answer.answer.startswith("更新后")


def test_duplicate_entry_id_is_a_conflict(session: Session) -> None:
    publish_new(session)
    with pytest.raises(Conflict):
        publish_new(session)


def test_unknown_entry_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        service.get_entry(session=session, entry_id=EntryId("NOPE"))


def test_search_finds_entries_by_paraphrase_first(session: Session) -> None:
    publish_new(session)
    publish_new(
        session,
        EntryId("DEP-002"),
        standard_question="大额存单是什么？",
        paraphrases=("大额存单介绍",),
        answer="大额存单起存金额20万元，以实际公布为准；与定期相比期限更灵活。",
    )
    found = service.search(session=session, now=NOW, text="定期")
    assert [a.entry_id for a in found] == [DEP1, EntryId("DEP-002")]


def test_empty_search_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as raised:
        service.search(session=session, now=NOW, text="  ")
    assert raised.value.field == "text"


def spec(entry_id: str, **changes: object) -> EntrySpec:
    return EntrySpec(
        entry_id=EntryId(entry_id),
        business_line=BusinessLine.DEPOSITS,
        owner=UserId("owner"),
        content=make_content(**changes),
    )


def test_import_puts_new_entries_in_review(session: Session) -> None:
    report = service.import_entries(
        session=session, now=NOW, specs=[spec("A"), spec("B")], author=AUTHOR
    )
    assert report.created == ("A", "B")
    entry = service.get_entry(session=session, entry_id=EntryId("A"))
    assert entry.latest.status is VersionStatus.IN_REVIEW


def test_reimporting_identical_content_changes_nothing(session: Session) -> None:
    service.import_entries(session=session, now=NOW, specs=[spec("A")], author=AUTHOR)
    service.publish(session=session, now=NOW, entry_id=EntryId("A"), reviewer=REVIEWER)
    report = service.import_entries(session=session, now=NOW, specs=[spec("A")], author=AUTHOR)
    assert report.unchanged == ("A",)


# REQ: PREP-1
def test_import_with_a_noncompliant_row_imports_nothing(session: Session) -> None:
    bad = spec("C", answer="年利率3%。")  # figure without 以…为准 (SOL-2)
    with pytest.raises(ValidationFailed) as raised:
        service.import_entries(
            session=session, now=NOW, specs=[spec("A"), spec("B"), bad], author=AUTHOR
        )
    assert "第 3 行" in raised.value.message
    assert raised.value.field == "row 3: answer"
    assert session.scalars(select(EntryRow)).all() == []


def test_import_with_repeated_id_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as raised:
        service.import_entries(
            session=session, now=NOW, specs=[spec("A"), spec("A")], author=AUTHOR
        )
    assert raised.value.field == "row 2: entry_id"


def test_export_gives_back_what_was_imported(session: Session) -> None:
    specs = [spec("A"), spec("B", answer="另一个答案")]
    service.import_entries(session=session, now=NOW, specs=specs, author=AUTHOR)
    assert service.export_entries(session=session) == specs


# REQ: PREP-2
def test_agent_sees_unacknowledged_bulletins_until_acknowledged(session: Session) -> None:
    bulletin = service.post_bulletin(
        session=session,
        now=NOW,
        posted_by=UserId("kb-lead"),
        kind=BulletinKind.LIMIT_CHANGE,
        title="信用卡临时额度政策调整",
        body="临时额度有效期调整为60天，以审批为准。",
        business_line=BusinessLine.CREDIT_CARDS,
    )
    agent = UserId("agent-7")
    pending = service.unacknowledged_bulletins(session=session, now=NOW, agent=agent)
    assert [b.id for b in pending] == [bulletin.id]
    service.acknowledge_bulletin(session=session, now=NOW, bulletin_id=bulletin.id, agent=agent)
    service.acknowledge_bulletin(session=session, now=NOW, bulletin_id=bulletin.id, agent=agent)
    assert service.unacknowledged_bulletins(session=session, now=NOW, agent=agent) == []
    other = service.unacknowledged_bulletins(session=session, now=NOW, agent=UserId("agent-8"))
    assert [b.id for b in other] == [bulletin.id]


def test_bulletin_posted_later_is_not_yet_pending(session: Session) -> None:
    service.post_bulletin(
        session=session,
        now=NOW + timedelta(hours=1),
        posted_by=UserId("kb-lead"),
        kind=BulletinKind.NAV_MOVE,
        title="净值波动提示",
        body="某理财产品净值回撤，本产品不保本。",
    )
    assert service.unacknowledged_bulletins(session=session, now=NOW, agent=UserId("a")) == []


def test_acknowledging_unknown_bulletin_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        service.acknowledge_bulletin(
            session=session, now=NOW, bulletin_id=BulletinId("X"), agent=UserId("a")
        )


def test_rejected_draft_edited_and_resubmitted_is_published(session: Session) -> None:
    service.import_entries(session=session, now=NOW, specs=[spec("A")], author=AUTHOR)
    a = EntryId("A")
    service.reject(session=session, now=NOW, entry_id=a, reviewer=REVIEWER, reason="缺少步骤")
    service.edit_draft(
        session=session, now=NOW, entry_id=a, actor=AUTHOR, content=make_content(answer="补充后")
    )
    service.submit_for_review(session=session, now=NOW, entry_id=a, actor=AUTHOR)
    service.publish(session=session, now=NOW, entry_id=a, reviewer=REVIEWER)
    [answer] = service.list_published(session=session, now=NOW)
    assert answer.answer == "补充后"


def test_reimporting_an_archived_entry_opens_a_new_version(session: Session) -> None:
    service.import_entries(session=session, now=NOW, specs=[spec("A")], author=AUTHOR)
    service.publish(session=session, now=NOW, entry_id=EntryId("A"), reviewer=REVIEWER)
    service.archive(session=session, now=NOW, entry_id=EntryId("A"), actor=REVIEWER)
    report = service.import_entries(session=session, now=NOW, specs=[spec("A")], author=AUTHOR)
    assert report.revised == ("A",)
