"""A deterministic in-memory core bank for demos and tests.

Eight fictional customers whose ID numbers, cards and phones have valid formats (check
characters computed) but belong to no one. Ages and assessment dates are set relative to
the injected clock, so "the 68-year-old" stays 68 whatever day the demo runs. The same
clock and seed always give the same transactions. `outage = True` makes every call
raise CoreBankUnavailable, to rehearse the degraded desk (PREP-3).

    张伟 C003: debit card frozen, transfer refused (frozen)
    刘芳 C004: debit card near its daily transfer limit, transfer refused (limit)
    陈建国 C005: loan 45 days overdue, transfer refused (overdue)
    李秀英 C002: 68 years old
    杨静 C006: risk tolerance C5 with an expired assessment
    赵磊 C007: no risk assessment, dormant savings, transfer refused (insufficient funds)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from stdnum import luhn

from consultdesk.corebank.model import (
    Account,
    AccountId,
    AccountKind,
    AccountStatus,
    Balance,
    Customer,
    CustomerId,
    Eligibility,
    RefusalReason,
    RiskTolerance,
    Transaction,
    TransferRefusal,
    explain_refusal,
    mask_name,
    mask_number,
    mask_phone,
)
from consultdesk.corebank.port import CoreBankUnavailable
from consultdesk.shared.clock import Clock
from consultdesk.shared.errors import NotFound, ValidationFailed
from consultdesk.validation.checks import (
    check_mobile,
    check_resident_id,
    resident_id_check_char,
)

CNY = "CNY"
BEIJING = ZoneInfo("Asia/Shanghai")
RISK_ASSESSMENT_VALIDITY = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class DemoProfile:
    """What a demo customer would say on the phone: sandbox only, never on the port."""

    customer_id: CustomerId
    name: str
    id_number: str
    phone: str
    card_numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Person:
    customer_id: str
    name: str
    region: str
    age: int
    sequence: str
    phone: str
    risk: RiskTolerance | None
    assessed_days_ago: int | None


@dataclass(frozen=True, slots=True)
class _AccountSeed:
    suffix: str
    kind: AccountKind
    status: AccountStatus
    balance: str
    limit: str | None = None
    transferred_today: str = "0"
    overdue_days: int = 0
    refusal: RefusalReason | None = None
    refused_amount: str = "0"


_PEOPLE: tuple[tuple[_Person, tuple[_AccountSeed, ...]], ...] = (
    (
        _Person("C001", "王小明", "110105", 35, "135", "13812340001", RiskTolerance.C3, 100),
        (
            _AccountSeed("01", AccountKind.DEBIT_CARD, AccountStatus.NORMAL, "52340.18", "50000"),
            _AccountSeed("02", AccountKind.SAVINGS, AccountStatus.NORMAL, "200000.00"),
        ),
    ),
    (
        _Person("C002", "李秀英", "310104", 68, "246", "13912340002", RiskTolerance.C4, 200),
        (
            _AccountSeed("01", AccountKind.DEBIT_CARD, AccountStatus.NORMAL, "8650.40", "20000"),
            _AccountSeed("02", AccountKind.SAVINGS, AccountStatus.NORMAL, "350000.00"),
        ),
    ),
    (
        _Person("C003", "张伟", "440305", 42, "317", "15012340003", RiskTolerance.C4, 50),
        (
            _AccountSeed(
                "01",
                AccountKind.DEBIT_CARD,
                AccountStatus.FROZEN,
                "12800.00",
                "50000",
                refusal=RefusalReason.FROZEN,
                refused_amount="3000.00",
            ),
            _AccountSeed("02", AccountKind.CREDIT_CARD, AccountStatus.NORMAL, "-2350.60"),
        ),
    ),
    (
        _Person("C004", "刘芳", "510104", 29, "428", "18612340004", RiskTolerance.C3, 30),
        (
            _AccountSeed(
                "01",
                AccountKind.DEBIT_CARD,
                AccountStatus.NORMAL,
                "96500.00",
                "50000",
                transferred_today="48000.00",
                refusal=RefusalReason.LIMIT,
                refused_amount="5000.00",
            ),
        ),
    ),
    (
        _Person("C005", "陈建国", "320102", 51, "519", "13612340005", RiskTolerance.C2, 300),
        (
            _AccountSeed(
                "01",
                AccountKind.DEBIT_CARD,
                AccountStatus.NORMAL,
                "2310.55",
                "50000",
                refusal=RefusalReason.OVERDUE,
                refused_amount="1500.00",
            ),
            _AccountSeed(
                "02", AccountKind.LOAN, AccountStatus.NORMAL, "-86000.00", overdue_days=45
            ),
        ),
    ),
    (
        _Person("C006", "杨静", "330106", 33, "622", "17712340006", RiskTolerance.C5, 400),
        (_AccountSeed("01", AccountKind.DEBIT_CARD, AccountStatus.NORMAL, "41200.00", "50000"),),
    ),
    (
        _Person("C007", "赵磊", "420106", 24, "713", "19912340007", None, None),
        (
            _AccountSeed(
                "01",
                AccountKind.DEBIT_CARD,
                AccountStatus.NORMAL,
                "320.75",
                "20000",
                refusal=RefusalReason.INSUFFICIENT_FUNDS,
                refused_amount="800.00",
            ),
            _AccountSeed("02", AccountKind.SAVINGS, AccountStatus.DORMANT, "15.20"),
        ),
    ),
    (
        _Person("C008", "孙丽", "370102", 46, "824", "15812340008", RiskTolerance.C1, 20),
        (
            _AccountSeed("01", AccountKind.DEBIT_CARD, AccountStatus.NORMAL, "27800.00", "50000"),
            _AccountSeed("02", AccountKind.DEBIT_CARD, AccountStatus.CLOSED, "0.00"),
        ),
    ),
)

# Product catalogue of the sandbox: code -> (name, product risk level 1..5 or 0).
PRODUCTS: dict[str, tuple[str, int]] = {
    "DEP-3Y": ("三年期定期存款", 0),
    "WM-R2-01": ("稳健理财 R2", 2),
    "WM-R4-01": ("权益类理财 R4", 4),
    "LOAN-CONS": ("个人消费贷款", 0),
}
ELDERLY_AGE = 65

_COUNTERPARTIES = ("李娜", "王强", "周杰", "吴敏", "郑华", "美团支付", "国家电网", "中国移动")
_CHANNELS = ("mobile_app", "counter", "atm", "online_banking", "quick_pay")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def _card_number(customer_index: int, account_index: int) -> str:
    body = f"622202{customer_index:05d}{account_index:02d}00001"[:18]
    return body + luhn.calc_check_digit(body)


class SandboxCoreBank:
    """In-memory CoreBank. `seed` varies the generated transactions; `outage` switches
    every call to CoreBankUnavailable."""

    def __init__(self, *, clock: Clock, seed: int = 0) -> None:
        self._clock = clock
        self.seed = seed
        self.outage = False
        today = self._today()
        self._customers: dict[CustomerId, Customer] = {}
        self._id_numbers: dict[CustomerId, str] = {}
        self._phones: dict[CustomerId, str] = {}
        self._accounts: dict[AccountId, Account] = {}
        self._balances: dict[AccountId, Decimal] = {}
        self._transactions: dict[AccountId, list[Transaction]] = {}
        self._refusals: dict[AccountId, list[TransferRefusal]] = {}
        self._profiles: list[DemoProfile] = []
        for index, (person, accounts) in enumerate(_PEOPLE, start=1):
            self._add_person(index, person, accounts, today=today)

    # --- construction -----------------------------------------------------------------

    def _add_person(
        self, index: int, person: _Person, seeds: tuple[_AccountSeed, ...], *, today: date
    ) -> None:
        customer_id = CustomerId(person.customer_id)
        # Birthday a few weeks ago, so the age is exact today.
        born = _years_before(today - timedelta(days=20 + 17 * index), person.age)
        first17 = f"{person.region}{born:%Y%m%d}{person.sequence}"
        id_number = first17 + resident_id_check_char(first17)
        assessed = (
            today - timedelta(days=person.assessed_days_ago)
            if person.assessed_days_ago is not None
            else None
        )
        self._customers[customer_id] = Customer(
            customer_id=customer_id,
            name=person.name,
            birth_date=born,
            phone_masked=mask_phone(person.phone),
            risk_tolerance=person.risk,
            risk_assessed_on=assessed,
            risk_assessment_valid_until=assessed + RISK_ASSESSMENT_VALIDITY if assessed else None,
        )
        self._id_numbers[customer_id] = id_number
        self._phones[customer_id] = person.phone
        cards: list[str] = []
        for account_index, seed in enumerate(seeds, start=1):
            number = _card_number(index, account_index)
            cards.append(number)
            account_id = AccountId(f"{person.customer_id}-{seed.suffix}")
            account = Account(
                account_id=account_id,
                customer_id=customer_id,
                kind=seed.kind,
                number_masked=mask_number(number),
                status=seed.status,
                currency=CNY,
                daily_transfer_limit=Decimal(seed.limit) if seed.limit else None,
                transferred_today=Decimal(seed.transferred_today),
                overdue_days=seed.overdue_days,
            )
            self._accounts[account_id] = account
            self._balances[account_id] = Decimal(seed.balance)
            self._transactions[account_id] = self._generate_transactions(account, today=today)
            self._refusals[account_id] = []
            if seed.refusal is not None:
                amount = Decimal(seed.refused_amount)
                attempted = self._clock.now() - timedelta(hours=2)
                self._refusals[account_id].append(
                    TransferRefusal(
                        serial=f"TR{attempted:%Y%m%d}{index:04d}{account_index:04d}",
                        attempted_at=attempted,
                        amount=amount,
                        currency=CNY,
                        reason=seed.refusal,
                        explanation=explain_refusal(seed.refusal, account=account, amount=amount),
                    )
                )
        self._profiles.append(
            DemoProfile(customer_id, person.name, id_number, person.phone, tuple(cards))
        )

    def _generate_transactions(self, account: Account, *, today: date) -> list[Transaction]:
        rng = random.Random(f"{self.seed}:{account.account_id}")
        if account.status is AccountStatus.CLOSED:
            return []
        count = 3 if account.status is AccountStatus.DORMANT else 12
        days_back = 400 if account.status is AccountStatus.DORMANT else 30
        booked = sorted(rng.randint(1, days_back) for _ in range(count))
        found: list[Transaction] = []
        for sequence, days_ago in enumerate(booked, start=1):
            day = today - timedelta(days=days_ago)
            if account.kind is AccountKind.LOAN:
                amount, summary, party = Decimal("3120.00"), "贷款还款", "本人账户"
            elif rng.random() < 0.3:
                amount = Decimal(rng.randint(100_00, 1_500_000)).scaleb(-2)
                summary, party = "转账收入", mask_name(rng.choice(_COUNTERPARTIES[:5]))
            else:
                amount = -Decimal(rng.randint(5_00, 300_000)).scaleb(-2)
                party = rng.choice(_COUNTERPARTIES)
                party = mask_name(party) if len(party) <= 2 else party
                summary = "消费" if len(party) > 3 else "转账支出"
            found.append(
                Transaction(
                    serial=f"TX{day:%Y%m%d}{account.account_id[1:4]}{sequence:05d}",
                    booked_on=day,
                    amount=amount,
                    currency=CNY,
                    counterparty_masked=party,
                    channel=rng.choice(_CHANNELS),
                    summary=summary,
                )
            )
        return found

    # --- sandbox-only helpers ---------------------------------------------------------

    def demo_profiles(self) -> list[DemoProfile]:
        """Full demo identities (ID, phone, cards) for the demo script; sandbox only."""
        return list(self._profiles)

    def set_account_status(self, *, account_id: AccountId, status: AccountStatus) -> None:
        """Change an account's status, e.g. to rehearse a freeze."""
        self._accounts[account_id] = replace(self._account(account_id), status=status)

    # --- the port ---------------------------------------------------------------------

    def _today(self) -> date:
        return self._clock.now().astimezone(BEIJING).date()

    def _guard(self) -> None:
        if self.outage:
            raise CoreBankUnavailable("sandbox outage switched on")

    def _customer(self, customer_id: CustomerId) -> Customer:
        try:
            return self._customers[customer_id]
        except KeyError:
            raise NotFound("未找到该客户", field="customer_id") from None

    def _account(self, account_id: AccountId) -> Account:
        try:
            return self._accounts[account_id]
        except KeyError:
            raise NotFound("未找到该账户", field="account_id") from None

    def ping(self) -> None:
        self._guard()

    def get_customer(self, *, customer_id: CustomerId) -> Customer:
        self._guard()
        return self._customer(customer_id)

    def find_customer_by_phone(self, *, phone: str) -> Customer:
        self._guard()
        verdict = check_mobile(phone)
        if not verdict.valid:
            raise ValidationFailed(verdict.reason or "手机号码无效", field="phone")
        for customer_id, registered in self._phones.items():
            if registered == verdict.normalized:
                return self._customers[customer_id]
        raise NotFound("未找到登记此手机号码的客户", field="phone")

    def find_customer_by_id_number(self, *, id_number: str) -> Customer:
        self._guard()
        verdict = check_resident_id(id_number, today=self._today())
        if not verdict.valid:
            raise ValidationFailed(verdict.reason or "身份证号码无效", field="id_number")
        for customer_id, number in self._id_numbers.items():
            if number == verdict.normalized:
                return self._customers[customer_id]
        raise NotFound("未找到持有此身份证号码的客户", field="id_number")

    def check_id_last_four(self, *, customer_id: CustomerId, last_four: str) -> bool:
        self._guard()
        typed = last_four.strip().upper()
        if (
            len(typed) != 4
            or not typed[:3].isdigit()
            or not (typed[3].isdigit() or typed[3] == "X")
        ):
            raise ValidationFailed("请输入身份证号码后四位（最后一位可为 X）", field="last_four")
        self._customer(customer_id)
        return self._id_numbers[customer_id][-4:] == typed

    def registered_phone_masked(self, *, customer_id: CustomerId) -> str:
        self._guard()
        return self._customer(customer_id).phone_masked

    def list_accounts(self, *, customer_id: CustomerId) -> list[Account]:
        self._guard()
        self._customer(customer_id)
        return [a for a in self._accounts.values() if a.customer_id == customer_id]

    def get_account(self, *, account_id: AccountId) -> Account:
        self._guard()
        return self._account(account_id)

    def account_status(self, *, account_id: AccountId) -> AccountStatus:
        self._guard()
        return self._account(account_id).status

    def balance(self, *, account_id: AccountId) -> Balance:
        self._guard()
        account = self._account(account_id)
        return Balance(
            account_id=account_id,
            amount=self._balances[account_id],
            currency=account.currency,
            as_of=self._clock.now(),
        )

    def recent_transactions(self, *, account_id: AccountId, limit: int = 20) -> list[Transaction]:
        self._guard()
        if not 1 <= limit <= 100:
            raise ValidationFailed("limit 应在 1 到 100 之间", field="limit")
        self._account(account_id)
        return self._transactions[account_id][:limit]

    def refused_transfers(self, *, account_id: AccountId) -> list[TransferRefusal]:
        self._guard()
        self._account(account_id)
        return list(self._refusals[account_id])

    def explain_refused_transfer(self, *, account_id: AccountId, serial: str) -> TransferRefusal:
        self._guard()
        self._account(account_id)
        wanted = serial.strip().upper()
        for refusal in self._refusals[account_id]:
            if refusal.serial == wanted:
                return refusal
        raise NotFound("未找到该笔被拒绝的转账", field="serial")

    def product_eligibility(self, *, customer_id: CustomerId, product_code: str) -> Eligibility:
        self._guard()
        customer = self._customer(customer_id)
        code = product_code.strip().upper()
        if code not in PRODUCTS:
            raise NotFound("未找到该产品", field="product_code")
        name, risk_level = PRODUCTS[code]
        today = self._today()
        accounts = [a for a in self._accounts.values() if a.customer_id == customer_id]

        def answer(eligible: bool, reason_code: str, reason: str) -> Eligibility:
            return Eligibility(code, eligible, reason_code, reason)

        if code == "LOAN-CONS":
            if any(a.overdue_days > 0 for a in accounts):
                return answer(False, "overdue", "名下有逾期贷款，结清逾期款项前不能申请新的贷款")
            age = customer.age_on(today)
            if not 18 <= age <= 60:
                return answer(False, "age", f"{name}申请人年龄须在 18 至 60 周岁之间")
            return answer(True, "eligible", f"符合{name}的基本申请条件，最终额度以审批为准")
        if not any(
            a.status is AccountStatus.NORMAL and a.kind is not AccountKind.LOAN for a in accounts
        ):
            return answer(False, "no_normal_account", "名下没有状态正常的结算账户")
        if risk_level == 0:
            return answer(True, "eligible", f"可以办理{name}")
        if customer.risk_tolerance is None or customer.risk_assessed_on is None:
            return answer(False, "no_assessment", "尚未进行风险承受能力评估，请先完成评估")
        if not customer.risk_assessment_current(today):
            return answer(False, "assessment_expired", "风险承受能力评估已过期，请重新评估后再购买")
        tolerance = int(customer.risk_tolerance.value[1])
        if tolerance < risk_level:
            return answer(
                False,
                "risk_mismatch",
                f"该产品（{name}）风险等级为 R{risk_level}，"
                f"高于您的风险承受能力 {customer.risk_tolerance.value}",
            )
        if risk_level >= 4 and customer.age_on(today) >= ELDERLY_AGE:
            return answer(
                False,
                "elderly_high_risk",
                "年满 65 周岁的客户购买 R4 及以上产品，须本人到柜台进行适当性评估并录音录像",
            )
        return answer(True, "eligible", f"风险承受能力与{name}相匹配，可以购买")
