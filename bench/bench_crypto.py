"""Benchmark: what field encryption adds to reading a consultation (target: <= 1 ms p99).

Two tables in one SQLite file, same rows: one with six C2 fields in plaintext, one with
the same fields sealed by `encrypt_field` (AES-256-GCM, record id + field as associated
data). Each round reads one random record from each table (interleaved, same run) and,
for the sealed one, opens all six fields. Prints p50/p99 of both and the p99 overhead.

    .venv/bin/python bench/bench_crypto.py [--reads 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from consultdesk.security.crypto import KeyRing, new_keyring, open_fields, seal_fields

FIELDS = (
    "customer_phone",
    "id_number",
    "card_number",
    "account_number",
    "balance",
    "transaction_note",
)
TARGET_MS = 1.0


class BenchBase(DeclarativeBase):
    pass


class PlainConsultation(BenchBase):
    __tablename__ = "bench_plain"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    customer_phone: Mapped[str | None] = mapped_column(String(300))
    id_number: Mapped[str | None] = mapped_column(String(300))
    card_number: Mapped[str | None] = mapped_column(String(300))
    account_number: Mapped[str | None] = mapped_column(String(300))
    balance: Mapped[str | None] = mapped_column(String(300))
    transaction_note: Mapped[str | None] = mapped_column(String(600))


class SealedConsultation(BenchBase):
    __tablename__ = "bench_sealed"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    customer_phone: Mapped[str | None] = mapped_column(String(300))
    id_number: Mapped[str | None] = mapped_column(String(300))
    card_number: Mapped[str | None] = mapped_column(String(300))
    account_number: Mapped[str | None] = mapped_column(String(300))
    balance: Mapped[str | None] = mapped_column(String(300))
    transaction_note: Mapped[str | None] = mapped_column(String(600))


def sample_values(i: int) -> dict[str, str | None]:
    return {
        "customer_phone": f"138{i:08d}",
        "id_number": f"11010519{i % 90 + 10:02d}0101{i % 1000:03d}X",
        "card_number": f"622202{i:013d}",
        "account_number": f"6217000{i:012d}",
        "balance": f"{(i * 37) % 1_000_000}.{i % 100:02d}",
        "transaction_note": f"2026-03-0{i % 9 + 1} 转账 {i % 50_000} 元 至 尾号{i % 10_000:04d}",
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--reads", type=int, default=20000)
    args = parser.parse_args()

    keyring = new_keyring("bench")
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        BenchBase.metadata.create_all(engine)
        ids = [f"c-{i:06d}" for i in range(args.rows)]
        with Session(engine) as session:
            for i, rid in enumerate(ids):
                values = sample_values(i)
                session.add(PlainConsultation(id=rid, topic="余额查询", **values))
                session.add(
                    SealedConsultation(
                        id=rid,
                        topic="余额查询",
                        **seal_fields(values, record_id=rid, keyring=keyring),
                    )
                )
            session.commit()

        rng = random.Random(7)
        plain_ms: list[float] = []
        sealed_ms: list[float] = []
        decrypt_ms: list[float] = []
        with Session(engine) as session:
            for _ in range(200):  # warm-up
                rid = rng.choice(ids)
                session.execute(
                    select(PlainConsultation).where(PlainConsultation.id == rid)
                ).scalar_one()
                session.expunge_all()
            for n in range(args.reads):
                rid = rng.choice(ids)
                # Alternate which table is read first so neither always pays for the
                # other's garbage collection or cache misses.
                if n % 2:
                    sealed, opening = read_sealed(session, rid, keyring)
                    plain, row = read_plain(session, rid)
                else:
                    plain, row = read_plain(session, rid)
                    sealed, opening = read_sealed(session, rid, keyring)
                assert row["card_number"] is not None
                plain_ms.append(plain)
                sealed_ms.append(sealed)
                decrypt_ms.append(opening)
        engine.dispose()

    overhead = percentile(sealed_ms, 0.99) - percentile(plain_ms, 0.99)
    print(f"reads per variant: {args.reads}, rows: {args.rows}, sealed fields: {len(FIELDS)}")
    show("plaintext read", plain_ms)
    show("encrypted read + open", sealed_ms)
    show("opening 6 fields only", decrypt_ms)
    verdict = "OK" if overhead <= TARGET_MS else "OVER TARGET"
    print(f"p99 overhead of encryption: {overhead:.3f} ms (target <= {TARGET_MS:.1f} ms) {verdict}")


def show(label: str, values: list[float]) -> None:
    p50, p99 = statistics.median(values), percentile(values, 0.99)
    print(f"{label:<24} p50 {p50:.3f} ms   p99 {p99:.3f} ms")


def read_plain(session: Session, rid: str) -> tuple[float, dict[str, str | None]]:
    t0 = time.perf_counter()
    row = session.execute(select(PlainConsultation).where(PlainConsultation.id == rid)).scalar_one()
    values = {name: getattr(row, name) for name in FIELDS}
    elapsed = (time.perf_counter() - t0) * 1000
    session.expunge_all()
    return elapsed, values


def read_sealed(session: Session, rid: str, keyring: KeyRing) -> tuple[float, float]:
    """Milliseconds for read + open, and for the opening alone."""
    t0 = time.perf_counter()
    row = session.execute(
        select(SealedConsultation).where(SealedConsultation.id == rid)
    ).scalar_one()
    t1 = time.perf_counter()
    open_fields({name: getattr(row, name) for name in FIELDS}, record_id=row.id, keyring=keyring)
    t2 = time.perf_counter()
    session.expunge_all()
    return (t2 - t0) * 1000, (t2 - t1) * 1000


if __name__ == "__main__":
    main()
