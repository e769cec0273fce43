from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from consultdesk.audit.model import (
    GENESIS_HASH,
    AuditEntry,
    ChainAnchor,
    canonical_json,
    seal_entry,
    verify,
)
from consultdesk.shared.errors import ValidationFailed

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def build_chain(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        entry = seal_entry(
            prev_hash=prev,
            seq=seq,
            time=T0 + timedelta(seconds=seq),
            actor=f"agent-{seq % 3}",
            action="consultation.view",
            subject=f"consultation:{seq}",
            details={"n": seq},
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def test_canonical_json_sorts_keys_without_whitespace_in_utf8() -> None:
    assert canonical_json({"b": 1, "a": "余额"}) == '{"a":"余额","b":1}'


def test_canonical_json_writes_decimal_and_datetime_as_utc_strings() -> None:
    beijing = timezone(timedelta(hours=8))
    value = {"amount": Decimal("50000.00"), "at": datetime(2026, 3, 2, 9, 0, tzinfo=beijing)}
    assert canonical_json(value) == (
        '{"amount":"50000.00","at":"2026-03-02T01:00:00.000000+00:00"}'
    )


def test_canonical_json_writes_dates_as_iso() -> None:
    assert canonical_json({"d": date(2026, 3, 2)}) == '{"d":"2026-03-02"}'


def test_canonical_json_refuses_floats() -> None:
    with pytest.raises(ValidationFailed) as err:
        canonical_json({"amount": 0.1})
    assert err.value.field == "details"


def test_canonical_json_refuses_naive_datetimes() -> None:
    with pytest.raises(ValidationFailed):
        canonical_json({"at": datetime(2026, 3, 2, 9, 0)})


def test_first_entry_links_to_genesis_hash() -> None:
    assert build_chain(1)[0].prev_hash == GENESIS_HASH


def test_each_entry_links_to_the_previous_hash() -> None:
    chain = build_chain(3)
    assert chain[1].prev_hash == chain[0].hash
    assert chain[2].prev_hash == chain[1].hash


# REQ: RSK-2
def test_intact_chain_verifies() -> None:
    result = verify(build_chain(20))
    assert result.ok
    assert result.count == 20
    assert result.first_bad_seq is None


def test_empty_chain_verifies() -> None:
    assert verify([]).ok


# REQ: RSK-2
def test_edited_detail_is_named() -> None:
    chain = build_chain(10)
    chain[4] = dataclasses.replace(chain[4], details='{"n":999}')
    result = verify(chain)
    assert not result.ok
    assert result.first_bad_seq == 5
    assert result.reason is not None and "内容" in result.reason


# REQ: RSK-2
def test_edit_with_recomputed_hash_is_caught_at_the_next_entry() -> None:
    chain = build_chain(10)
    forged = seal_entry(
        prev_hash=chain[4].prev_hash,
        seq=5,
        time=chain[4].time,
        actor="intruder",
        action=chain[4].action,
        subject=chain[4].subject,
        details={"n": 5},
    )
    chain[4] = forged
    result = verify(chain)
    assert result.first_bad_seq == 6


# REQ: RSK-2
def test_deleted_entry_is_named_by_the_seq_gap() -> None:
    chain = build_chain(10)
    del chain[3]
    result = verify(chain)
    assert result.first_bad_seq == 4


# REQ: RSK-2
def test_inserted_entry_is_caught() -> None:
    chain = build_chain(10)
    chain.insert(5, chain[2])
    result = verify(chain)
    assert not result.ok
    assert result.first_bad_seq == 6


# REQ: RSK-2
def test_reordered_entries_are_caught() -> None:
    chain = build_chain(10)
    chain[6], chain[7] = chain[7], chain[6]
    assert verify(chain).first_bad_seq == 7


# REQ: RSK-2
def test_truncated_tail_is_caught_by_the_head() -> None:
    chain = build_chain(10)
    head = ChainAnchor(seq=10, hash=chain[-1].hash)
    result = verify(chain[:8], head=head)
    assert not result.ok
    assert result.first_bad_seq == 9


# REQ: RSK-2
def test_entry_appended_behind_the_heads_back_is_caught() -> None:
    chain = build_chain(10)
    head = ChainAnchor(seq=9, hash=chain[8].hash)
    result = verify(chain, head=head)
    assert not result.ok
    assert result.first_bad_seq == 10


def test_last_entry_not_matching_the_head_hash_is_caught() -> None:
    chain = build_chain(10)
    result = verify(chain, head=ChainAnchor(seq=10, hash="a" * 64))
    assert result.first_bad_seq == 10


# REQ: RSK-2
def test_rewritten_chain_is_caught_by_a_checkpoint() -> None:
    original = build_chain(10)
    checkpoint = ChainAnchor(seq=5, hash=original[4].hash)
    rewritten = build_chain(10)
    rewritten_prev = GENESIS_HASH
    forged: list[AuditEntry] = []
    for entry in rewritten:
        actor = "intruder" if entry.seq == 3 else entry.actor
        new = seal_entry(
            prev_hash=rewritten_prev,
            seq=entry.seq,
            time=entry.time,
            actor=actor,
            action=entry.action,
            subject=entry.subject,
            details=entry.details_dict(),
        )
        forged.append(new)
        rewritten_prev = new.hash
    result = verify(forged, checkpoints=[checkpoint])
    assert result.first_bad_seq == 5


def test_sealing_without_actor_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        seal_entry(
            prev_hash=GENESIS_HASH,
            seq=1,
            time=T0,
            actor="",
            action="x",
            subject="y",
            details={},
        )
    assert err.value.field == "actor"
