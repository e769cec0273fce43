"""Masking of personal financial information for display (RSK-1, JR/T 0171-2020 C2).

Pure functions, standard library only. Each `mask_*` function takes one value and
returns its masked display form; `mask_text` finds unmasked numbers inside free text
(full-width digits, spaces and hyphens inside numbers included) and masks them.

Display rules:
- bank card: first 6 + last 4 (`622202******1234`)
- resident ID: first 3 + last 4 (`110***********123X`)
- mobile phone: first 3 + last 4 (`138****5678`)
- account number: last 4 only (`************5678`)
"""

from __future__ import annotations

import re

from consultdesk.shared.errors import ValidationFailed

MASK = "*"

# Full-width digits and letters, ideographic space and full-width hyphen become ASCII.
_FULLWIDTH = {0xFF10 + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update({0xFF38: ord("X"), 0xFF58: ord("x"), 0x3000: ord(" "), 0xFF0D: ord("-")})


def to_halfwidth(text: str) -> str:
    """Return `text` with full-width digits, X, space and hyphen turned into ASCII."""
    return text.translate(_FULLWIDTH)


def _compact(value: str) -> str:
    """Half-width, without the spaces and hyphens people put inside numbers."""
    return re.sub(r"[\s\-]", "", to_halfwidth(value))


def _keep(digits: str, head: int, tail: int) -> str:
    return digits[:head] + MASK * (len(digits) - head - tail) + digits[len(digits) - tail :]


def mask_card(number: str) -> str:
    """Mask a bank card number (12 to 19 digits): first 6 and last 4 stay visible.

    Raises ValidationFailed(field="card_number") when `number` is not a card number.
    """
    digits = _compact(number)
    if not re.fullmatch(r"\d{12,19}", digits):
        raise ValidationFailed("银行卡号应为 12 至 19 位数字", field="card_number")
    return _keep(digits, 6, 4)


def mask_id(number: str) -> str:
    """Mask a resident ID number (18 characters, or the old 15 digits): first 3 + last 4.

    Raises ValidationFailed(field="id_number") when `number` is not an ID number.
    """
    value = _compact(number).upper()
    if not re.fullmatch(r"\d{17}[\dX]|\d{15}", value):
        raise ValidationFailed("身份证号应为 18 位（末位可为 X）或 15 位数字", field="id_number")
    return _keep(value, 3, 4)


def mask_phone(number: str) -> str:
    """Mask a mainland mobile number (11 digits, optional +86/86 prefix): first 3 + last 4.

    Raises ValidationFailed(field="phone") when `number` is not a mobile number.
    """
    digits = _compact(number)
    digits = re.sub(r"^\+?86(?=1\d{10}$)", "", digits)
    if not re.fullmatch(r"1\d{10}", digits):
        raise ValidationFailed("手机号应为 11 位数字", field="phone")
    return _keep(digits, 3, 4)


def mask_account(number: str) -> str:
    """Mask a bank account number (6 to 32 digits): only the last 4 stay visible.

    Raises ValidationFailed(field="account_number") when `number` is not an account number.
    """
    digits = _compact(number)
    if not re.fullmatch(r"\d{6,32}", digits):
        raise ValidationFailed("账号应为 6 至 32 位数字", field="account_number")
    return _keep(digits, 0, 4)


# A run of digits, allowing one space or hyphen between digits ("6222 0212 3456 7890",
# "138-0013-8000"), full-width forms included; an ID may end in X. Digits glued to
# letters or other digits on either side, or hyphenated onto them (the last group of a
# UUID, "a716-446655440000"), are not a separate number.
_DIGIT = r"[0-9０-９]"
_SEP = r"[ \-　－]"
_ALNUM = r"[0-9０-９A-Za-z]"
_NUMBER = re.compile(
    rf"(?<!{_ALNUM})(?<!{_ALNUM}[\-－]){_DIGIT}(?:{_SEP}?{_DIGIT})*(?:{_SEP}?[XxＸｘ])?"
    rf"(?!{_ALNUM})(?![\-－]{_ALNUM})"
)
_ID18 = re.compile(r"\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]")
_ID15 = re.compile(r"\d{6}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
_PHONE = re.compile(r"(?:86)?1[3-9]\d{9}")


def _mask_number(raw: str) -> str:
    value = _compact(raw).upper()
    if value.endswith("X"):
        return mask_id(value) if _ID18.fullmatch(value) else raw
    if _ID18.fullmatch(value) or (len(value) == 15 and _ID15.fullmatch(value)):
        return mask_id(value)
    if _PHONE.fullmatch(value):
        return ("86" if len(value) == 13 else "") + mask_phone(value)
    if 12 <= len(value) <= 19:
        return mask_card(value)
    if 20 <= len(value) <= 32:
        return mask_account(value)
    return raw


def mask_text(text: str) -> str:
    """Return `text` with every unmasked card, ID, phone and long account number masked.

    Shorter numbers (amounts, dates, card last four such as "尾号1234") are left alone;
    numbers already masked with `*` are not touched again. The masked form is written in
    half-width digits without the separators.
    """
    return _NUMBER.sub(lambda m: _mask_number(m.group(0)), text)
