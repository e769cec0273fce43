"""The CoreBank contract (ACP-3, PREP-3): one suite, run against every implementation.

A test module subclasses `CoreBankContract` and provides two fixtures: `bank` (the
implementation under test) and `sandbox` (the SandboxCoreBank whose data it serves, to
read the demo identities and to switch the outage on)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from consultdesk.corebank.model import (
    AccountId,
    AccountKind,
    AccountStatus,
    CustomerId,
    RefusalReason,
)
from consultdesk.corebank.port import EMERGENCY_SCRIPT, CoreBank, CoreBankUnavailable
from consultdesk.corebank.sandbox import DemoProfile, SandboxCoreBank
from consultdesk.corebank.wire import encode
from consultdesk.shared.errors import NotFound, ValidationFailed
from consultdesk.validation import check_transaction_serial

TODAY = date(2026, 3, 2)


def profile(sandbox: SandboxCoreBank, customer_id: str) -> DemoProfile:
    return next(p for p in sandbox.demo_profiles() if p.customer_id == customer_id)


class CoreBankContract:
    # --- health and outage (PREP-3, PREP-4) ----------------------------------------

    # REQ: PREP-3
    def test_ping_answers_when_up(self, bank: CoreBank) -> None:
        bank.ping()

    # REQ: PREP-3
    def test_outage_raises_core_bank_unavailable(
        self, bank: CoreBank, sandbox: SandboxCoreBank
    ) -> None:
        sandbox.outage = True
        with pytest.raises(CoreBankUnavailable):
            bank.get_customer(customer_id=CustomerId("C001"))

    # REQ: PREP-4
    def test_outage_error_carries_the_emergency_script(
        self, bank: CoreBank, sandbox: SandboxCoreBank
    ) -> None:
        sandbox.outage = True
        with pytest.raises(CoreBankUnavailable) as caught:
            bank.ping()
        assert caught.value.message == EMERGENCY_SCRIPT
        assert caught.value.status == 503

    # --- customer lookup ------------------------------------------------------------

    # REQ: ACP-3
    def test_get_customer_returns_name_and_masked_phone(self, bank: CoreBank) -> None:
        customer = bank.get_customer(customer_id=CustomerId("C001"))
        assert customer.name == "王小明"
        assert customer.phone_masked == "138****0001"

    def test_unknown_customer_is_not_found(self, bank: CoreBank) -> None:
        with pytest.raises(NotFound) as caught:
            bank.get_customer(customer_id=CustomerId("C999"))
        assert caught.value.field == "customer_id"

    # REQ: ACP-3
    def test_find_by_phone_accepts_plus_86_and_spaces(self, bank: CoreBank) -> None:
        customer = bank.find_customer_by_phone(phone="+86 138 1234 0001")
        assert customer.customer_id == "C001"

    def test_find_by_unregistered_phone_is_not_found(self, bank: CoreBank) -> None:
        with pytest.raises(NotFound) as caught:
            bank.find_customer_by_phone(phone="13800000000")
        assert caught.value.field == "phone"

    # REQ: ACP-2
    def test_find_by_landline_is_validation_failed_naming_phone(self, bank: CoreBank) -> None:
        with pytest.raises(ValidationFailed) as caught:
            bank.find_customer_by_phone(phone="010-12345678")
        assert caught.value.field == "phone"

    # REQ: ACP-3
    def test_find_by_id_number(self, bank: CoreBank, sandbox: SandboxCoreBank) -> None:
        number = profile(sandbox, "C003").id_number
        assert bank.find_customer_by_id_number(id_number=number.lower()).name == "张伟"

    def test_find_by_malformed_id_number_names_the_field(self, bank: CoreBank) -> None:
        with pytest.raises(ValidationFailed) as caught:
            bank.find_customer_by_id_number(id_number="110105194912310021")
        assert caught.value.field == "id_number"

    def test_find_by_unknown_id_number_is_not_found(self, bank: CoreBank) -> None:
        with pytest.raises(NotFound):
            bank.find_customer_by_id_number(id_number="11010519491231002X")

    # --- identity verification (ACC-6) ----------------------------------------------

    # REQ: ACC-6
    def test_right_last_four_of_id_matches(self, bank: CoreBank, sandbox: SandboxCoreBank) -> None:
        last_four = profile(sandbox, "C002").id_number[-4:]
        assert bank.check_id_last_four(customer_id=CustomerId("C002"), last_four=last_four)

    # REQ: ACC-6
    def test_wrong_last_four_of_id_does_not_match(
        self, bank: CoreBank, sandbox: SandboxCoreBank
    ) -> None:
        right = profile(sandbox, "C002").id_number[-4:]
        wrong = "0000" if right != "0000" else "1111"
        assert not bank.check_id_last_four(customer_id=CustomerId("C002"), last_four=wrong)

    def test_malformed_last_four_is_validation_failed(self, bank: CoreBank) -> None:
        with pytest.raises(ValidationFailed) as caught:
            bank.check_id_last_four(customer_id=CustomerId("C002"), last_four="12a")
        assert caught.value.field == "last_four"

    # REQ: ACC-6
    def test_customer_record_never_carries_the_full_id_or_phone(
        self, bank: CoreBank, sandbox: SandboxCoreBank
    ) -> None:
        person = profile(sandbox, "C001")
        text = str(encode(bank.get_customer(customer_id=CustomerId("C001"))))
        assert person.id_number not in text
        assert person.phone not in text

    # REQ: ACC-6
    def test_registered_phone_is_masked(self, bank: CoreBank) -> None:
        masked = bank.registered_phone_masked(customer_id=CustomerId("C004"))
        assert masked == "186****0004"

    # --- accounts ---------------------------------------------------------------------

    # REQ: ACP-3
    def test_list_accounts_shows_masked_numbers(self, bank: CoreBank) -> None:
        accounts = bank.list_accounts(customer_id=CustomerId("C001"))
        assert [a.account_id for a in accounts] == ["C001-01", "C001-02"]
        assert all(a.number_masked.startswith("**** ") for a in accounts)

    # REQ: ACP-3
    @pytest.mark.parametrize(
        ("account_id", "status"),
        [
            ("C001-01", AccountStatus.NORMAL),
            ("C003-01", AccountStatus.FROZEN),
            ("C007-02", AccountStatus.DORMANT),
            ("C008-02", AccountStatus.CLOSED),
        ],
    )
    def test_account_status(self, bank: CoreBank, account_id: str, status: AccountStatus) -> None:
        assert bank.account_status(account_id=AccountId(account_id)) is status

    def test_unknown_account_is_not_found(self, bank: CoreBank) -> None:
        with pytest.raises(NotFound) as caught:
            bank.balance(account_id=AccountId("C001-99"))
        assert caught.value.field == "account_id"

    # REQ: ACP-3
    def test_balance_is_an_exact_decimal_with_currency(self, bank: CoreBank) -> None:
        balance = bank.balance(account_id=AccountId("C001-01"))
        assert balance.amount == Decimal("52340.18")
        assert isinstance(balance.amount, Decimal)
        assert balance.currency == "CNY"

    # REQ: ACP-3
    def test_account_near_its_transfer_limit(self, bank: CoreBank) -> None:
        account = bank.get_account(account_id=AccountId("C004-01"))
        assert account.daily_transfer_limit is not None
        assert account.daily_transfer_limit - account.transferred_today <= Decimal("2000")

    # REQ: ACP-3
    def test_overdue_loan(self, bank: CoreBank) -> None:
        loan = bank.get_account(account_id=AccountId("C005-02"))
        assert loan.kind is AccountKind.LOAN and loan.overdue_days == 45

    # --- transactions -----------------------------------------------------------------

    # REQ: ACP-3
    def test_recent_transactions_are_newest_first_and_limited(self, bank: CoreBank) -> None:
        found = bank.recent_transactions(account_id=AccountId("C001-01"), limit=5)
        assert len(found) == 5
        assert [t.booked_on for t in found] == sorted((t.booked_on for t in found), reverse=True)

    # REQ: ACP-2
    def test_transaction_serials_have_the_documented_format(self, bank: CoreBank) -> None:
        found = bank.recent_transactions(account_id=AccountId("C002-01"))
        assert found and all(check_transaction_serial(t.serial).valid for t in found)

    # REQ: ACC-6
    def test_transaction_counterparties_are_masked_people_or_merchants(
        self, bank: CoreBank
    ) -> None:
        found = bank.recent_transactions(account_id=AccountId("C001-01"), limit=20)
        people = [t.counterparty_masked for t in found if len(t.counterparty_masked) <= 3]
        assert people and all(name[1:] == "*" * (len(name) - 1) for name in people)

    def test_transaction_amounts_are_decimals_in_cents(self, bank: CoreBank) -> None:
        found = bank.recent_transactions(account_id=AccountId("C001-01"))
        assert all(t.amount.as_tuple().exponent == -2 for t in found)

    def test_transaction_limit_out_of_range_is_validation_failed(self, bank: CoreBank) -> None:
        with pytest.raises(ValidationFailed):
            bank.recent_transactions(account_id=AccountId("C001-01"), limit=0)

    # --- refused transfers (ACP-3) ----------------------------------------------------

    # REQ: ACP-3
    @pytest.mark.parametrize(
        ("account_id", "reason", "phrase"),
        [
            ("C003-01", RefusalReason.FROZEN, "冻结"),
            ("C004-01", RefusalReason.LIMIT, "限额"),
            ("C005-01", RefusalReason.OVERDUE, "逾期"),
            ("C007-01", RefusalReason.INSUFFICIENT_FUNDS, "余额"),
        ],
    )
    def test_refused_transfer_gives_reason_and_chinese_explanation(
        self, bank: CoreBank, account_id: str, reason: RefusalReason, phrase: str
    ) -> None:
        (refusal,) = bank.refused_transfers(account_id=AccountId(account_id))
        assert refusal.reason is reason
        assert phrase in refusal.explanation

    # REQ: ACP-3
    def test_explain_refused_transfer_by_serial(self, bank: CoreBank) -> None:
        (refusal,) = bank.refused_transfers(account_id=AccountId("C004-01"))
        found = bank.explain_refused_transfer(
            account_id=AccountId("C004-01"), serial=refusal.serial.lower()
        )
        assert found == refusal

    def test_unknown_refused_serial_is_not_found(self, bank: CoreBank) -> None:
        with pytest.raises(NotFound) as caught:
            bank.explain_refused_transfer(account_id=AccountId("C004-01"), serial="TR0000/0")
        assert caught.value.field == "serial"

    def test_account_without_refusals_lists_none(self, bank: CoreBank) -> None:
        assert bank.refused_transfers(account_id=AccountId("C001-01")) == []

    # --- product eligibility (ACP-3, SOL-5) ---------------------------------------------

    # REQ: ACP-3
    @pytest.mark.parametrize(
        ("customer_id", "product", "eligible", "code"),
        [
            ("C001", "DEP-3Y", True, "eligible"),
            ("C001", "WM-R2-01", True, "eligible"),
            ("C001", "WM-R4-01", False, "risk_mismatch"),
            ("C002", "WM-R4-01", False, "elderly_high_risk"),
            ("C006", "WM-R2-01", False, "assessment_expired"),
            ("C007", "WM-R2-01", False, "no_assessment"),
            ("C005", "LOAN-CONS", False, "overdue"),
            ("C002", "LOAN-CONS", False, "age"),
            ("C004", "loan-cons", True, "eligible"),
        ],
    )
    def test_product_eligibility(
        self, bank: CoreBank, customer_id: str, product: str, eligible: bool, code: str
    ) -> None:
        answer = bank.product_eligibility(customer_id=CustomerId(customer_id), product_code=product)
        assert (answer.eligible, answer.reason_code) == (eligible, code)
        assert answer.reason

    def test_unknown_product_is_not_found(self, bank: CoreBank) -> None:
        with pytest.raises(NotFound) as caught:
            bank.product_eligibility(customer_id=CustomerId("C001"), product_code="NOPE")
        assert caught.value.field == "product_code"

    # --- demo population --------------------------------------------------------------

    # REQ: SOL-3
    def test_a_68_year_old_customer(self, bank: CoreBank) -> None:
        assert bank.get_customer(customer_id=CustomerId("C002")).age_on(TODAY) == 68

    # REQ: SOL-5
    def test_an_expired_risk_assessment(self, bank: CoreBank) -> None:
        customer = bank.get_customer(customer_id=CustomerId("C006"))
        assert customer.risk_tolerance is not None
        assert not customer.risk_assessment_current(TODAY)
