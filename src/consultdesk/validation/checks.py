"""The format checks (ACP-2). Pure: standard library plus python-stdnum and phonenumbers.

Each `check_*` takes the raw text a person typed and returns a `Verdict`. A verdict
carries one reason only, the first rule the value breaks, in the order the rules are
listed in each function's docstring, so the message tells the customer what to fix first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import phonenumbers
from stdnum import luhn
from stdnum.cn import uscc as stdnum_uscc

from consultdesk.shared.errors import ValidationFailed
from consultdesk.validation.normalize import clean, foreign_digit, leading_sign


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one format check.

    `normalized` is the canonical form (e.g. '11010519491231002X', '13812345678') when
    the input could be brought into the kind's alphabet, else None. `reason_code` and
    `reason` are None exactly when `valid` is True.
    """

    kind: str
    valid: bool
    normalized: str | None
    reason_code: str | None = None
    reason: str | None = None


def _ok(kind: str, normalized: str) -> Verdict:
    return Verdict(kind=kind, valid=True, normalized=normalized)


def _fail(kind: str, normalized: str | None, code: str, reason: str) -> Verdict:
    return Verdict(kind=kind, valid=False, normalized=normalized, reason_code=code, reason=reason)


def _form_problem(kind: str, raw: str, label: str, *, plus_allowed: bool = False) -> Verdict | None:
    """ACP-2: only ASCII digits count as digits; any other digit form (full-width ones
    from an input method's full-width mode included) is refused with the character named,
    never converted, since a look-alike digit is how a wrong number slips through. A
    leading sign is refused too (a number is not negative); ``plus_allowed`` lets a phone
    number start with its +86 country code."""
    odd = foreign_digit(raw)
    if odd is not None:
        return _fail(
            kind,
            None,
            "non_ascii_digit",
            f"{label}只能使用半角阿拉伯数字 0-9，不能使用“{odd}”（U+{ord(odd):04X}）"
            "这样的其他数字字符（全角数字请切换为半角输入）",
        )
    sign = leading_sign(raw)
    if sign is not None and not (plus_allowed and sign in "+\uff0b"):
        return _fail(kind, None, "signed", f"{label}前面不能带正负号“{sign}”")
    return None


# --- resident ID (GB 11643-1999) -------------------------------------------------------

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"
# First two digits: province-level division codes of GB/T 2260 (81/82/83: residence
# permits of Hong Kong, Macao and Taiwan residents).
_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_EARLIEST_BIRTH = date(1900, 1, 1)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def check_resident_id(raw: str, *, today: date) -> Verdict:
    """Check an 18-character resident identity card number.

    Rules, in order: not empty; ASCII digits only and no leading sign (ACP-2); 17
    digits then a digit or X (lower-case x accepted); exactly 18 characters; known
    province code; birth date a real date; birth date not after `today` and not before
    1900; check character right.
    """
    kind = "id"
    value = clean(raw).upper()
    if not value:
        return _fail(kind, None, "empty", "请输入身份证号码")
    if (problem := _form_problem(kind, raw, "身份证号码")) is not None:
        return problem
    if not (value[:-1].isdigit() and (value[-1].isdigit() or value[-1] == "X")) or (
        "X" in value[:-1]
    ):
        return _fail(kind, None, "bad_characters", "身份证号码只能由数字组成，最后一位可以是 X")
    if len(value) == 15 and value.isdigit():
        return _fail(
            kind, value, "bad_length", "这是 15 位旧版身份证号码，请提供 18 位二代身份证号码"
        )
    if len(value) != 18:
        return _fail(kind, value, "bad_length", f"身份证号码应为 18 位，您输入了 {len(value)} 位")
    if int(value[:2]) not in _PROVINCE_CODES:
        return _fail(kind, value, "bad_region", "身份证号码前两位不是有效的省级行政区划代码")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _fail(kind, value, "bad_birth_date", "身份证号码中的出生日期不是真实存在的日期")
    if born > today:
        return _fail(kind, value, "birth_date_in_future", "身份证号码中的出生日期晚于今天")
    if born < _EARLIEST_BIRTH:
        return _fail(kind, value, "bad_birth_date", "身份证号码中的出生日期早于 1900 年")
    if resident_id_check_char(value[:17]) != value[17]:
        return _fail(kind, value, "bad_check_digit", "身份证号码校验位不正确，请核对后重新输入")
    return _ok(kind, value)


# --- bank card (ISO/IEC 7812, Luhn) ----------------------------------------------------


def check_bank_card(raw: str) -> Verdict:
    """Check a bank card number.

    Rules, in order: not empty; ASCII digits only and no leading sign (ACP-2); digits
    only; 16 to 19 digits; not all zeros; Luhn check digit right.
    """
    kind = "card"
    value = clean(raw)
    if not value:
        return _fail(kind, None, "empty", "请输入银行卡号")
    if (problem := _form_problem(kind, raw, "银行卡号")) is not None:
        return problem
    if not value.isdigit():
        return _fail(kind, None, "bad_characters", "银行卡号只能由数字组成")
    if not 16 <= len(value) <= 19:
        return _fail(
            kind, value, "bad_length", f"银行卡号应为 16 至 19 位数字，您输入了 {len(value)} 位"
        )
    if set(value) == {"0"}:
        return _fail(kind, value, "all_zeros", "银行卡号不能全为 0")
    if not luhn.is_valid(value):
        return _fail(kind, value, "bad_check_digit", "银行卡号校验位不正确，请核对卡面号码")
    return _ok(kind, value)


# --- mainland mobile number ------------------------------------------------------------


def check_mobile(raw: str) -> Verdict:
    """Check a mainland China mobile number; normalised to the 11-digit national form.

    Accepts +86, 0086 and 86 prefixes, spaces, dashes and brackets. Rules, in order: not
    empty; only digits and '+'; parses as a phone number; a mainland (+86) number; a
    valid number; a mobile number (landlines are refused). Before all of these: ASCII
    digits only, and no leading sign other than the + of +86 (ACP-2).
    """
    kind = "phone"
    value = clean(raw).replace("(", "").replace(")", "")
    if not value:
        return _fail(kind, None, "empty", "请输入手机号码")
    if (problem := _form_problem(kind, raw, "手机号码", plus_allowed=True)) is not None:
        return problem
    if not value.lstrip("+").isdigit() or "+" in value[1:]:
        return _fail(kind, None, "bad_characters", "手机号码只能由数字组成（可带 +86）")
    if value.startswith("0086"):
        value = "+86" + value[4:]
    elif value.startswith("86") and len(value) == 13:
        value = "+" + value
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return _fail(kind, None, "bad_format", "无法识别的电话号码，请输入 11 位手机号码")
    national = str(number.national_number)
    if number.country_code != 86:
        return _fail(kind, None, "not_mainland", "仅支持中国大陆手机号码（+86）")
    if not phonenumbers.is_valid_number(number):
        if len(national) != 11:
            return _fail(
                kind, national, "bad_length", f"手机号码应为 11 位，您输入了 {len(national)} 位"
            )
        return _fail(kind, national, "bad_format", "该号码不是有效的中国大陆手机号码")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return _fail(kind, national, "not_mobile", "该号码是固定电话，请提供手机号码")
    return _ok(kind, national)


# --- unified social credit code (GB 32100-2015) ----------------------------------------


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100-2015 position 1, registration authority: 1-9, A (military), N (agriculture),
# Y (other); B-G are reserved by later allocations. Position 2: organisation category 1-9.
_USCC_AUTHORITIES = frozenset("123456789ABCDEFGNY")


def check_uscc(raw: str) -> Verdict:
    """Check an 18-character unified social credit code of an organisation.

    Rules, in order: not empty; letters and digits only; 18 characters; not all zeros;
    no I, O, Z, S or V; registration-authority code (position 1) and organisation
    category (position 2) known; positions 3-8 a region code (a province, or 100000 for
    central bodies); check character right (GB 32100, computed by python-stdnum).
    python-stdnum's own `validate` insists on eight leading digits and so refuses valid
    codes of authorities A, N and Y; the structure is checked here instead.
    """
    kind = "uscc"
    value = clean(raw).upper()
    if not value:
        return _fail(kind, None, "empty", "请输入统一社会信用代码")
    if (problem := _form_problem(kind, raw, "统一社会信用代码")) is not None:
        return problem
    if not value.isalnum() or not value.isascii():
        return _fail(kind, None, "bad_characters", "统一社会信用代码只能由数字和大写字母组成")
    if len(value) != 18:
        return _fail(
            kind, value, "bad_length", f"统一社会信用代码应为 18 位，您输入了 {len(value)} 位"
        )
    if set(value) == {"0"}:
        return _fail(kind, value, "all_zeros", "统一社会信用代码不能全为 0")
    if any(ch not in _USCC_ALPHABET for ch in value):
        return _fail(
            kind, value, "bad_characters", "统一社会信用代码不使用字母 I、O、Z、S、V，请核对"
        )
    if value[0] not in _USCC_AUTHORITIES or value[1] not in "123456789":
        return _fail(
            kind, value, "bad_format", "统一社会信用代码前两位（登记管理部门和机构类别）无效"
        )
    region = value[2:8]
    if not region.isdigit() or int(region[:2]) not in _PROVINCE_CODES | {10}:
        return _fail(
            kind, value, "bad_region", "统一社会信用代码第 3 至 8 位不是有效的行政区划代码"
        )
    if stdnum_uscc.calc_check_digit(value[:17]) != value[17]:
        return _fail(kind, value, "bad_check_digit", "统一社会信用代码校验位不正确，请核对")
    return _ok(kind, value)


# --- account number --------------------------------------------------------------------

ACCOUNT_NUMBER_MIN_DIGITS = 10
ACCOUNT_NUMBER_MAX_DIGITS = 25


def check_account_number(raw: str) -> Verdict:
    """Check a bank settlement account number (对公/对私结算账号).

    Mainland banks number accounts by their own schemes: digits only, 10 to 25 long
    (e.g. 12-digit legacy passbooks, 19-digit card-linked accounts, 22- to 25-digit
    corporate accounts), with bank-private check digits we cannot verify. Rules, in
    order: not empty; ASCII digits only and no leading sign; digits only; 10 to 25
    digits; not all zeros.
    """
    kind = "account"
    value = clean(raw)
    if not value:
        return _fail(kind, None, "empty", "请输入账号")
    if (problem := _form_problem(kind, raw, "账号")) is not None:
        return problem
    if not value.isdigit():
        return _fail(kind, None, "bad_characters", "账号只能由数字组成")
    if not ACCOUNT_NUMBER_MIN_DIGITS <= len(value) <= ACCOUNT_NUMBER_MAX_DIGITS:
        return _fail(
            kind, value, "bad_length", f"账号应为 10 至 25 位数字，您输入了 {len(value)} 位"
        )
    if set(value) == {"0"}:
        return _fail(kind, value, "all_zeros", "账号不能全为 0")
    return _ok(kind, value)


# --- transaction serial ----------------------------------------------------------------


def check_transaction_serial(raw: str) -> Verdict:
    """Check a transaction serial number (交易流水号) as printed on receipts and in the app.

    Documented format: 12 to 32 characters of digits and upper-case Latin letters
    (lower case is folded to upper), at least 8 of them digits (serials embed the
    date and a sequence number), not all zeros. Rules in that order.
    """
    kind = "serial"
    value = clean(raw).upper()
    if not value:
        return _fail(kind, None, "empty", "请输入交易流水号")
    if (problem := _form_problem(kind, raw, "交易流水号")) is not None:
        return problem
    if not value.isalnum() or not value.isascii():
        return _fail(kind, None, "bad_characters", "交易流水号只能由数字和字母组成")
    if not 12 <= len(value) <= 32:
        return _fail(
            kind, value, "bad_length", f"交易流水号应为 12 至 32 位，您输入了 {len(value)} 位"
        )
    if sum(ch.isdigit() for ch in value) < 8:
        return _fail(kind, value, "bad_format", "交易流水号至少应包含 8 位数字，请核对回单")
    if set(value) == {"0"}:
        return _fail(kind, value, "all_zeros", "交易流水号不能全为 0")
    return _ok(kind, value)


# --- dispatch --------------------------------------------------------------------------

KINDS: tuple[str, ...] = ("id", "card", "phone", "uscc", "account", "serial")

_FIELD_NAMES = {
    "id": "id_number",
    "card": "card_number",
    "phone": "phone",
    "uscc": "uscc",
    "account": "account_number",
    "serial": "transaction_serial",
}


def check(kind: str, raw: str, *, today: date) -> Verdict:
    """Run the check for `kind` (one of KINDS); raises ValueError for an unknown kind."""
    simple: dict[str, Callable[[str], Verdict]] = {
        "card": check_bank_card,
        "phone": check_mobile,
        "uscc": check_uscc,
        "account": check_account_number,
        "serial": check_transaction_serial,
    }
    if kind == "id":
        return check_resident_id(raw, today=today)
    if kind not in simple:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return simple[kind](raw)


def require_valid(verdict: Verdict, *, field: str | None = None) -> str:
    """Return the normalised value, or raise ValidationFailed naming the field."""
    if verdict.valid and verdict.normalized is not None:
        return verdict.normalized
    raise ValidationFailed(
        verdict.reason or "格式不正确",
        field=field or _FIELD_NAMES.get(verdict.kind, verdict.kind),
        code=verdict.reason_code,
    )
