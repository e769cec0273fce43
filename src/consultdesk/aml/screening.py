"""Screening transactions for large-value reports and structuring (RSK-5). Pure.

Rules (per customer, per calendar day, each currency totalled on its own):

* large_cash: cash_in + cash_out, any customer, total ≥ cash threshold;
* large_transfer_domestic / large_transfer_crossborder: individuals' transfers;
* large_entity_transfer: entities' domestic and cross-border transfers together;
* structuring: a CNY daily cash total inside [floor, cash threshold) on
  ``structuring_days`` or more consecutive days: one alert per run, on its last day,
  carrying the run's total and transactions.

``asks_to_evade_reporting`` flags a customer's message asking how to avoid reporting
or to split transfers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from consultdesk.aml.model import (
    Alert,
    AlertRule,
    CustomerId,
    Kind,
    Party,
    Thresholds,
    Transaction,
)

_ORDER = {rule: i for i, rule in enumerate(AlertRule)}


def _large_rule(tx: Transaction) -> AlertRule:
    if tx.kind.is_cash:
        return AlertRule.LARGE_CASH
    if tx.party is Party.ENTITY:
        return AlertRule.LARGE_ENTITY_TRANSFER
    if tx.kind is Kind.TRANSFER_DOMESTIC:
        return AlertRule.LARGE_TRANSFER_DOMESTIC
    return AlertRule.LARGE_TRANSFER_CROSSBORDER


def screen_transactions(
    transactions: Iterable[Transaction], *, thresholds: Thresholds | None = None
) -> list[Alert]:
    """All alerts for a batch, sorted by date, customer, rule and currency."""
    policy = thresholds or Thresholds()
    buckets: dict[tuple[CustomerId, date, AlertRule, str], list[Transaction]] = defaultdict(list)
    for tx in transactions:
        buckets[(tx.customer_id, tx.day, _large_rule(tx), tx.currency)].append(tx)

    alerts: list[Alert] = []
    for (customer, day, rule, currency), txs in buckets.items():
        total = sum((t.amount for t in txs), Decimal(0))
        if total >= policy.threshold(rule, currency):
            alerts.append(Alert(customer, day, rule, currency, total, tuple(t.id for t in txs)))

    alerts.extend(_structuring(buckets, policy))
    alerts.sort(key=lambda a: (a.day, a.customer_id, _ORDER[a.rule], a.currency))
    return alerts


def _structuring(
    buckets: dict[tuple[CustomerId, date, AlertRule, str], list[Transaction]],
    policy: Thresholds,
) -> list[Alert]:
    # RSK-5: cash kept just under the reporting line day after day.
    in_band: dict[CustomerId, dict[date, list[Transaction]]] = defaultdict(dict)
    for (customer, day, rule, currency), txs in buckets.items():
        if rule is not AlertRule.LARGE_CASH or currency != "CNY":
            continue
        total = sum((t.amount for t in txs), Decimal(0))
        if policy.structuring_floor_cny <= total < policy.cash_cny:
            in_band[customer][day] = txs
    alerts: list[Alert] = []
    for customer, days in in_band.items():
        run: list[date] = []
        for day in sorted(days):
            if run and day - run[-1] == timedelta(days=1):
                run.append(day)
            else:
                alerts.extend(_run_alert(customer, run, days, policy))
                run = [day]
        alerts.extend(_run_alert(customer, run, days, policy))
    return alerts


def _run_alert(
    customer: CustomerId,
    run: list[date],
    days: dict[date, list[Transaction]],
    policy: Thresholds,
) -> list[Alert]:
    if len(run) < policy.structuring_days:
        return []
    txs = [t for day in run for t in days[day]]
    total = sum((t.amount for t in txs), Decimal(0))
    return [Alert(customer, run[-1], AlertRule.STRUCTURING, "CNY", total, tuple(t.id for t in txs))]


# RSK-5: a customer asking how to stay under the reporting line, or to split a payment
# so that it is not reported, is itself a suspicious pattern.
_EVASION = re.compile(
    r"(?:怎么|怎样|如何|有没有办法|能不能|可不可以|能否).{0,6}?(?:才能|可以|才)?(?:不|避免|不用|逃避|绕过|规避|躲过|避开)"
    r"(?:被)?(?:上报|报告|申报|监管|查|反洗钱|大额|央行)"
    r"|(?:拆|分|化整为零).{0,4}(?:成|开|为)?.{0,4}(?:几笔|多笔|小笔|小额|几次|几天|几个账户)"
    r".{0,8}(?:转|存|取|汇|打)"
    r"|(?:分|拆)(?:成)?(?:几|多|两|三|[2-9])(?:笔|次|天)(?:来)?(?:转|存|取|汇|打)"
    r"|(?:避开|躲开|绕开|规避|逃避)(?:大额|监管|申报|上报|反洗钱|报告)"
    r"|(?:不想|不要|别|不让|不会)(?:被)?(?:上报|报告|央行查|监管查|查到|反洗钱)"
    r"|每(?:次|天|笔)(?:只)?(?:存|取|转)(?:个)?(?:4万9|四万九|49999|不到5万|不到五万|5万以下|五万以下)"
    r"|化整为零"
)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "\u200b\u200c\u200d\ufeff")


def asks_to_evade_reporting(text: str) -> str | None:
    """The phrase with which a customer asks to avoid reporting or to split a payment,
    or None (RSK-5)."""
    match = _EVASION.search(_fold(text))
    return match.group() if match else None
