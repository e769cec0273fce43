"""The ACC/RSK-2 acceptance test: tamper with each of 100 rows, three ways, every time caught.

The chain is built once (120 rows); each tampering runs inside a transaction on the same
connection that is rolled back afterwards, so every case starts from a fresh copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session

from consultdesk.audit.service import record, verify_chain
from consultdesk.audit.tables import AuditEntryRow

from .conftest import NOW

ROWS = 120
TAMPERED = range(1, 101)
entries = AuditEntryRow.__table__

# Which column each row's edit touches, cycling through all of them.
EDITS: list[dict[str, object]] = [
    {"details": '{"amount":"999999.00"}'},
    {"actor": "intruder"},
    {"action": "consultation.delete"},
    {"subject": "consultation:other"},
    {"time": NOW + timedelta(days=1)},
    {"prev_hash": "f" * 64},
    {"hash": "e" * 64},
]


@pytest.fixture
def chain(engine: Engine) -> Iterator[Connection]:
    with Session(engine) as session:
        for i in range(ROWS):
            record(
                session=session,
                now=NOW + timedelta(seconds=i),
                actor=f"agent-{i % 7}",
                action="consultation.view",
                subject=f"consultation:{i}",
                details={"i": i},
                checkpoint_every=1000,
            )
        session.commit()
    with engine.connect() as conn:
        yield conn


def first_bad_after(conn: Connection, tamper: Callable[[Connection], None]) -> int | None:
    trans = conn.begin()
    try:
        tamper(conn)
        with Session(bind=conn) as session:
            result = verify_chain(session=session)
    finally:
        trans.rollback()
    assert not result.ok
    return result.first_bad_seq


def swap_with_next(conn: Connection, seq: int) -> None:
    conn.execute(update(entries).where(entries.c.seq == seq).values(seq=-1))
    conn.execute(update(entries).where(entries.c.seq == seq + 1).values(seq=seq))
    conn.execute(update(entries).where(entries.c.seq == -1).values(seq=seq + 1))


# REQ: RSK-2
def test_untampered_chain_verifies(chain: Connection) -> None:
    with Session(bind=chain) as session:
        result = verify_chain(session=session)
    assert result.ok
    assert result.count == ROWS


# REQ: RSK-2
def test_editing_any_of_100_rows_names_that_row(chain: Connection) -> None:
    caught = []
    for seq in TAMPERED:
        change = EDITS[seq % len(EDITS)]
        bad = first_bad_after(
            chain,
            lambda c, s=seq, v=change: c.execute(  # type: ignore[misc]
                update(entries).where(entries.c.seq == s).values(**v)
            ),
        )
        caught.append(bad == seq)
    assert all(caught), [s for s, ok in zip(TAMPERED, caught, strict=True) if not ok]


# REQ: RSK-2
def test_deleting_any_of_100_rows_names_that_row(chain: Connection) -> None:
    caught = []
    for seq in TAMPERED:
        bad = first_bad_after(
            chain,
            lambda c, s=seq: c.execute(  # type: ignore[misc]
                entries.delete().where(entries.c.seq == s)
            ),
        )
        caught.append(bad == seq)
    assert all(caught), [s for s, ok in zip(TAMPERED, caught, strict=True) if not ok]


# REQ: RSK-2
def test_swapping_any_of_100_rows_with_its_neighbour_names_that_row(chain: Connection) -> None:
    caught = []
    for seq in TAMPERED:
        bad = first_bad_after(chain, lambda c, s=seq: swap_with_next(c, s))  # type: ignore[misc]
        caught.append(bad == seq)
    assert all(caught), [s for s, ok in zip(TAMPERED, caught, strict=True) if not ok]
