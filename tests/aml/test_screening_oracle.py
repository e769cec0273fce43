"""Screening agrees with a plain re-statement of PBOC Order 2016 No. 3, Art. 5 on
random batches (large-value rules; structuring has its own edge tests)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.aml.model import CustomerId, Kind, Party, Transaction, TransactionId
from consultdesk.aml.screening import screen_transactions

LIMITS = {
    ("cash", "CNY"): Decimal(50000),
    ("cash", "USD"): Decimal(10000),
    ("domestic", "CNY"): Decimal(500000),
    ("domestic", "USD"): Decimal(100000),
    ("crossborder", "CNY"): Decimal(200000),
    ("crossborder", "USD"): Decimal(10000),
    ("entity", "CNY"): Decimal(2000000),
    ("entity", "USD"): Decimal(200000),
}
NAMES = {
    "cash": "large_cash",
    "domestic": "large_transfer_domestic",
    "crossborder": "large_transfer_crossborder",
    "entity": "large_entity_transfer",
}

transactions = st.lists(
    st.builds(
        lambda i, c, p, k, cents, cur, d: Transaction(
            TransactionId(f"t{i}"),
            CustomerId(c),
            p,
            k,
            Decimal(cents) / 100,
            cur,
            date(2026, 3, 1) + timedelta(days=d),
        ),
        st.integers(0, 10**6),
        st.sampled_from(["a", "b"]),
        st.sampled_from(list(Party)),
        st.sampled_from(list(Kind)),
        st.integers(1, 80_000_000),
        st.sampled_from(["CNY", "USD"]),
        st.integers(0, 3),
    ),
    max_size=25,
)


def oracle(txs: list[Transaction]) -> set[tuple[str, date, str, str, Decimal]]:
    sums: dict[tuple[str, date, str, str], Decimal] = defaultdict(Decimal)
    for t in txs:
        if t.kind in (Kind.CASH_IN, Kind.CASH_OUT):
            family = "cash"
        elif t.party is Party.ENTITY:
            family = "entity"
        elif t.kind is Kind.TRANSFER_DOMESTIC:
            family = "domestic"
        else:
            family = "crossborder"
        sums[(t.customer_id, t.day, family, t.currency)] += t.amount
    return {
        (c, d, NAMES[f], cur, total)
        for (c, d, f, cur), total in sums.items()
        if total >= LIMITS[(f, cur)]
    }


# REQ: RSK-5
@settings(max_examples=150, deadline=None)
@given(transactions)
def test_large_value_alerts_match_the_regulation(txs: list[Transaction]) -> None:
    got = {
        (a.customer_id, a.day, a.rule.value, a.currency, a.total)
        for a in screen_transactions(txs)
        if a.rule.value != "structuring"
    }
    assert got == oracle(txs)
