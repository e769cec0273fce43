"""The contract run against the in-memory sandbox, plus what only the sandbox promises."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from consultdesk.corebank.model import AccountId, CustomerId, RiskTolerance
from consultdesk.corebank.port import CoreBank
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.shared.clock import FakeClock
from consultdesk.validation import check_bank_card, check_mobile, check_resident_id
from tests.corebank.contract import TODAY, CoreBankContract

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Iterator[SandboxCoreBank]:
    yield SandboxCoreBank(clock=FakeClock(START), seed=7)


@pytest.fixture
def bank(sandbox: SandboxCoreBank) -> CoreBank:
    return sandbox


class TestSandboxContract(CoreBankContract):
    pass


def test_at_least_eight_demo_people_with_valid_format_identities(
    sandbox: SandboxCoreBank,
) -> None:
    people = sandbox.demo_profiles()
    assert len(people) >= 8
    for person in people:
        assert check_resident_id(person.id_number, today=TODAY).valid
        assert check_mobile(person.phone).valid
        assert all(check_bank_card(card).valid for card in person.card_numbers)


def test_every_risk_tolerance_appears(sandbox: SandboxCoreBank) -> None:
    tolerances = {
        sandbox.get_customer(customer_id=p.customer_id).risk_tolerance
        for p in sandbox.demo_profiles()
    }
    assert set(RiskTolerance) <= tolerances


def test_same_seed_gives_same_transactions() -> None:
    first = SandboxCoreBank(clock=FakeClock(START), seed=3)
    second = SandboxCoreBank(clock=FakeClock(START), seed=3)
    account = AccountId("C001-01")
    assert first.recent_transactions(account_id=account) == second.recent_transactions(
        account_id=account
    )


def test_different_seed_gives_different_transactions() -> None:
    account = AccountId("C001-01")
    first = SandboxCoreBank(clock=FakeClock(START), seed=3).recent_transactions(account_id=account)
    second = SandboxCoreBank(clock=FakeClock(START), seed=4).recent_transactions(account_id=account)
    assert first != second


def test_ages_follow_the_clock() -> None:
    later = SandboxCoreBank(clock=FakeClock(datetime(2031, 7, 1, tzinfo=UTC)))
    customer = later.get_customer(customer_id=CustomerId("C002"))
    assert customer.age_on(date(2031, 7, 1)) == 68


def test_outage_switched_off_again_answers(sandbox: SandboxCoreBank) -> None:
    sandbox.outage = True
    sandbox.outage = False
    sandbox.ping()
