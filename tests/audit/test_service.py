from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from consultdesk.audit.service import record, search, verify_chain
from consultdesk.audit.tables import AuditCheckpointRow, AuditEntryRow
from consultdesk.shared.errors import ValidationFailed

from .conftest import NOW


def append(session: Session, n: int, **kwargs: object) -> None:
    for i in range(n):
        record(
            session=session,
            now=NOW + timedelta(minutes=i),
            actor=str(kwargs.get("actor", f"agent-{i % 2}")),
            action=str(kwargs.get("action", "consultation.view")),
            subject=str(kwargs.get("subject", f"consultation:{i}")),
            details={"i": i},
        )
    session.commit()


def test_entries_take_consecutive_seqs_from_one(session: Session) -> None:
    append(session, 3)
    assert list(session.scalars(select(AuditEntryRow.seq).order_by(AuditEntryRow.seq))) == [1, 2, 3]


# REQ: RSK-2
def test_recorded_chain_verifies(session: Session) -> None:
    append(session, 25)
    result = verify_chain(session=session)
    assert result.ok
    assert result.count == 25


def test_empty_log_verifies(session: Session) -> None:
    assert verify_chain(session=session).ok


def test_stored_time_round_trips_so_the_hash_still_matches(session: Session) -> None:
    record(
        session=session,
        now=NOW + timedelta(microseconds=123457),
        actor="a",
        action="b",
        subject="c",
        details={},
    )
    session.commit()
    session.expunge_all()
    assert verify_chain(session=session).ok


# REQ: RSK-3
def test_c3_secret_in_details_is_never_stored(session: Session) -> None:
    record(
        session=session,
        now=NOW,
        actor="agent-1",
        action="chat.message",
        subject="consultation:1",
        details={"message": "我的取款密码是135790，帮我查下余额"},
    )
    session.commit()
    stored = session.scalars(select(AuditEntryRow.details)).one()
    assert "135790" not in stored
    assert "[已屏蔽]" in stored


# REQ: RSK-3
def test_secret_named_detail_key_is_blanked(session: Session) -> None:
    record(
        session=session,
        now=NOW,
        actor="a",
        action="b",
        subject="c",
        details={"nested": {"pin": "2468"}, "cvv": 135},
    )
    session.commit()
    stored = session.scalars(select(AuditEntryRow.details)).one()
    assert "2468" not in stored
    assert "135" not in stored


# REQ: RSK-1
def test_c2_numbers_in_details_are_masked(session: Session) -> None:
    record(
        session=session,
        now=NOW,
        actor="agent-1",
        action="account.view",
        subject="customer:9",
        details={"card": "6222021234567890123", "note": "客户手机13800138000"},
    )
    session.commit()
    stored = session.scalars(select(AuditEntryRow.details)).one()
    assert "622202*********0123" in stored
    assert "138****8000" in stored
    assert "13800138000" not in stored


def test_float_details_are_refused_without_taking_a_seq(session: Session) -> None:
    with pytest.raises(ValidationFailed) as err:
        record(session=session, now=NOW, actor="a", action="b", subject="c", details={"x": 1.5})
    assert err.value.field == "details"
    session.rollback()
    append(session, 1)
    assert session.scalars(select(AuditEntryRow.seq)).one() == 1


def test_overlong_subject_is_refused_naming_the_field(session: Session) -> None:
    with pytest.raises(ValidationFailed) as err:
        record(session=session, now=NOW, actor="a", action="b", subject="s" * 257)
    assert err.value.field == "subject"


def test_naive_time_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as err:
        record(session=session, now=NOW.replace(tzinfo=None), actor="a", action="b", subject="c")
    assert err.value.field == "now"


def test_rolled_back_append_gives_its_seq_back(session: Session) -> None:
    append(session, 2)
    record(session=session, now=NOW, actor="a", action="b", subject="c")
    session.rollback()
    append(session, 1)
    assert verify_chain(session=session).ok
    assert session.scalar(select(func.max(AuditEntryRow.seq))) == 3


def test_checkpoint_is_written_every_n_entries(session: Session) -> None:
    for i in range(12):
        record(session=session, now=NOW, actor="a", action="b", subject=str(i), checkpoint_every=5)
    session.commit()
    seqs = list(session.scalars(select(AuditCheckpointRow.seq).order_by(AuditCheckpointRow.seq)))
    assert seqs == [5, 10]


# REQ: RSK-2
def test_deleting_the_last_entry_is_caught_by_the_chain_head(session: Session) -> None:
    append(session, 5)
    session.execute(text("DELETE FROM audit_entries WHERE seq = 5"))
    result = verify_chain(session=session)
    assert not result.ok
    assert result.first_bad_seq == 5


# REQ: RSK-2
def test_deleting_a_checkpointed_stretch_is_caught(session: Session) -> None:
    for i in range(6):
        record(session=session, now=NOW, actor="a", action="b", subject=str(i), checkpoint_every=3)
    session.commit()
    session.execute(text("DELETE FROM audit_entries WHERE seq >= 3"))
    session.execute(text("UPDATE audit_chain_head SET last_seq = 2"))
    result = verify_chain(session=session)
    assert not result.ok
    assert result.first_bad_seq == 3


def test_search_filters_by_actor(session: Session) -> None:
    append(session, 6)
    found = search(session=session, actor="agent-1")
    assert {e.actor for e in found} == {"agent-1"}
    assert len(found) == 3


def test_search_filters_by_action_and_subject(session: Session) -> None:
    append(session, 3)
    record(session=session, now=NOW, actor="qa", action="export", subject="report:7")
    session.commit()
    found = search(session=session, action="export", subject="report:7")
    assert [e.actor for e in found] == ["qa"]


def test_search_filters_by_time_window_since_inclusive_until_exclusive(session: Session) -> None:
    append(session, 5)
    found = search(
        session=session, since=NOW + timedelta(minutes=1), until=NOW + timedelta(minutes=3)
    )
    assert [e.seq for e in found] == [3, 2]


def test_search_returns_newest_first_up_to_limit(session: Session) -> None:
    append(session, 5)
    assert [e.seq for e in search(session=session, limit=2)] == [5, 4]


def test_search_refuses_a_zero_limit(session: Session) -> None:
    with pytest.raises(ValidationFailed) as err:
        search(session=session, limit=0)
    assert err.value.field == "limit"


def test_two_engines_on_one_file_share_the_chain(sqlite_file_url: str) -> None:
    from sqlalchemy import create_engine

    first: Engine = create_engine(sqlite_file_url)
    second: Engine = create_engine(sqlite_file_url)
    with Session(first) as s:
        append(s, 2)
    with Session(second) as s:
        append(s, 2)
        assert verify_chain(session=s).count == 4
    first.dispose()
    second.dispose()
