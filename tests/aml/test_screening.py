"""Large-value and structuring screening on the edges (RSK-5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from consultdesk.aml.model import Thresholds, Transaction, parse_amount, parse_day
from consultdesk.aml.screening import screen_transactions
from consultdesk.shared.errors import ValidationFailed

_counter = iter(range(1, 10_000))


def tx(
    amount: str,
    *,
    kind: str = "cash_in",
    day: str = "2026-03-02",
    customer: str = "c1",
    party: str = "individual",
    currency: str = "CNY",
) -> Transaction:
    return Transaction.from_mapping(
        {
            "id": f"t{next(_counter)}",
            "customer_id": customer,
            "party": party,
            "kind": kind,
            "amount": amount,
            "currency": currency,
            "date": day,
        }
    )


def rules(*txs: Transaction) -> list[tuple[str, str, str, str]]:
    return [
        (a.rule.value, a.day.isoformat(), a.currency, str(a.total))
        for a in screen_transactions(txs)
    ]


# REQ: RSK-5
def test_cash_just_under_threshold_raises_nothing() -> None:
    assert rules(tx("49999.99")) == []


# REQ: RSK-5
def test_cash_at_threshold_is_large_value() -> None:
    assert rules(tx("50000.00")) == [("large_cash", "2026-03-02", "CNY", "50000.00")]


# REQ: RSK-5
def test_same_day_cash_in_and_out_are_summed() -> None:
    alerts = screen_transactions([tx("30000", kind="cash_in"), tx("20000", kind="cash_out")])
    assert [(a.rule.value, a.total, len(a.transaction_ids)) for a in alerts] == [
        ("large_cash", Decimal("50000"), 2)
    ]


# REQ: RSK-5
def test_different_days_are_not_summed() -> None:
    assert rules(tx("30000", day="2026-03-02"), tx("30000", day="2026-03-04")) == []


# REQ: RSK-5
def test_currencies_are_totalled_separately() -> None:
    assert rules(tx("40000"), tx("9999.99", currency="USD")) == []


# REQ: RSK-5
def test_usd_cash_at_ten_thousand_is_large_value() -> None:
    assert rules(tx("10000", currency="USD")) == [("large_cash", "2026-03-02", "USD", "10000")]


# REQ: RSK-5
def test_individual_domestic_transfer_threshold_is_inclusive() -> None:
    assert rules(tx("499999.99", kind="transfer_domestic")) == []
    assert rules(tx("500000", kind="transfer_domestic"))[0][0] == "large_transfer_domestic"


# REQ: RSK-5
def test_individual_crossborder_usd_threshold() -> None:
    assert rules(tx("9999.99", kind="transfer_crossborder", currency="USD")) == []
    got = rules(tx("10000.00", kind="transfer_crossborder", currency="USD"))
    assert got == [("large_transfer_crossborder", "2026-03-02", "USD", "10000.00")]


# REQ: RSK-5
def test_entity_transfers_domestic_and_crossborder_are_summed() -> None:
    got = rules(
        tx("1000000", kind="transfer_domestic", party="entity"),
        tx("1000000", kind="transfer_crossborder", party="entity"),
    )
    assert got == [("large_entity_transfer", "2026-03-02", "CNY", "2000000")]


# REQ: RSK-5
def test_entity_transfer_below_two_million_is_not_large() -> None:
    assert rules(tx("1999999.99", kind="transfer_domestic", party="entity")) == []


# REQ: RSK-5
def test_different_customers_are_not_summed() -> None:
    assert rules(tx("30000", customer="a"), tx("30000", customer="b")) == []


# REQ: RSK-5
def test_three_consecutive_days_just_under_is_one_structuring_alert_on_the_last_day() -> None:
    got = rules(
        tx("45000", day="2026-03-01"),
        tx("49999.99", day="2026-03-02"),
        tx("46000", day="2026-03-03"),
    )
    assert got == [("structuring", "2026-03-03", "CNY", "140999.99")]


# REQ: RSK-5
def test_five_day_run_is_still_one_alert() -> None:
    days = [f"2026-03-0{d}" for d in range(1, 6)]
    got = rules(*(tx("47000", day=d) for d in days))
    assert [(r, d) for r, d, _, _ in got] == [("structuring", "2026-03-05")]


# REQ: RSK-5
def test_a_gap_day_breaks_the_run() -> None:
    got = rules(
        tx("47000", day="2026-03-01"),
        tx("47000", day="2026-03-02"),
        tx("47000", day="2026-03-04"),
    )
    assert got == []


# REQ: RSK-5
def test_a_day_at_the_threshold_breaks_the_run_and_is_large_cash() -> None:
    got = rules(
        tx("47000", day="2026-03-01"),
        tx("50000", day="2026-03-02"),
        tx("47000", day="2026-03-03"),
    )
    assert got == [("large_cash", "2026-03-02", "CNY", "50000")]


# REQ: RSK-5
def test_band_floor_is_inclusive() -> None:
    got = rules(*(tx("45000.00", day=f"2026-03-0{d}") for d in (1, 2, 3)))
    assert got[0][0] == "structuring"
    assert rules(*(tx("44999.99", day=f"2026-03-0{d}") for d in (1, 2, 3))) == []


# REQ: RSK-5
def test_structuring_counts_the_day_total_not_single_amounts() -> None:
    got = rules(
        *(tx("25000", day=f"2026-03-0{d}") for d in (1, 2, 3)),
        *(tx("22000", day=f"2026-03-0{d}") for d in (1, 2, 3)),
    )
    assert got == [("structuring", "2026-03-03", "CNY", "141000")]


# REQ: ANX-2
def test_thresholds_come_from_the_policy() -> None:
    policy = Thresholds(cash_cny=Decimal("20000"))
    assert [a.rule.value for a in screen_transactions([tx("20000")], thresholds=policy)] == [
        "large_cash"
    ]


def test_float_amount_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_amount(50000.0)
    assert caught.value.field == "amount"


@pytest.mark.parametrize("value", ["abc", "-5", "1e5", "12.345", "", "5,000"])
def test_bad_amount_is_refused(value: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_amount(value)


def test_impossible_date_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_day("2026-02-30")
    assert caught.value.field == "date"


def test_leap_day_is_a_date() -> None:
    assert parse_day("2028-02-29") == date(2028, 2, 29)


# REQ: RSK-5
@pytest.mark.parametrize(
    "text",
    [
        "怎么转账才能不被上报？",
        "我想把100万拆成几笔小额转出去",
        "能不能分三次存，每次存4万9",
        "有没有办法避开大额申报",
    ],
)
def test_asking_to_evade_reporting_is_flagged(text: str) -> None:
    from consultdesk.aml.screening import asks_to_evade_reporting

    assert asks_to_evade_reporting(text) is not None


@pytest.mark.parametrize("text", ["转账限额是多少？", "我想办理分期还款", "如何办理大额存单？"])
def test_ordinary_questions_are_not_flagged(text: str) -> None:
    from consultdesk.aml.screening import asks_to_evade_reporting

    assert asks_to_evade_reporting(text) is None
