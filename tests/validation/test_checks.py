"""Format checks (ACP-2): each failure gives one reason code and a Chinese message."""

from __future__ import annotations

from datetime import date

import pytest

from consultdesk.shared.errors import ValidationFailed
from consultdesk.validation import (
    check,
    check_account_number,
    check_bank_card,
    check_mobile,
    check_resident_id,
    check_transaction_serial,
    check_uscc,
    require_valid,
)

TODAY = date(2026, 11, 29)


def gb11643(first17: str) -> str:
    """Independent check-character computation for the tests (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def make_id(region: str, birth: str, seq: str) -> str:
    first17 = region + birth + seq
    return first17 + gb11643(first17)


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to `prefix` (independent implementation)."""
    digits = [int(d) for d in prefix + "0"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        doubled = d * 2 if i % 2 == 1 else d
        total += doubled - 9 if doubled > 9 else doubled
    return prefix + str((10 - total % 10) % 10)


def uscc_check(first17: str) -> str:
    """GB 32100 check character, computed independently: weights 3^i mod 31."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return alphabet[(31 - total % 31) % 31]


# --- resident ID ----------------------------------------------------------------------


# REQ: ACP-2
def test_published_sample_id_with_x_check_char_is_valid() -> None:
    verdict = check_resident_id("11010519491231002X", today=TODAY)
    assert verdict.valid
    assert verdict.normalized == "11010519491231002X"
    assert verdict.reason is None and verdict.reason_code is None


# REQ: ACP-2
@pytest.mark.parametrize(
    ("region", "birth", "seq"),
    [("310104", "19850312", "123"), ("440305", "20000229", "456"), ("650102", "19680101", "007")],
)
def test_computed_ids_are_valid(region: str, birth: str, seq: str) -> None:
    assert check_resident_id(make_id(region, birth, seq), today=TODAY).valid


# REQ: ACP-2
def test_lower_case_x_is_accepted_and_normalised_to_upper() -> None:
    verdict = check_resident_id("11010519491231002x", today=TODAY)
    assert verdict.valid and verdict.normalized == "11010519491231002X"


# REQ: ACP-2
def test_id_with_spaces_and_a_full_width_check_letter_is_normalised() -> None:
    verdict = check_resident_id("110105 19491231 002Ｘ", today=TODAY)
    assert verdict.valid and verdict.normalized == "11010519491231002X"


# REQ: ACP-2 — only ASCII digits count: full-width digits are refused, not converted.
def test_full_width_digits_are_refused_naming_the_character() -> None:
    verdict = check_resident_id("１１０１０５１９４９１２３１００２Ｘ", today=TODAY)
    assert not verdict.valid and verdict.reason_code == "non_ascii_digit"
    assert verdict.reason is not None and "“１”" in verdict.reason and "半角" in verdict.reason


# REQ: ACP-2
def test_wrong_check_char_is_bad_check_digit() -> None:
    verdict = check_resident_id("110105194912310021", today=TODAY)
    assert not verdict.valid
    assert verdict.reason_code == "bad_check_digit"
    assert verdict.reason is not None and "校验位" in verdict.reason


# REQ: ACP-2
def test_feb_30_birth_date_is_rejected() -> None:
    verdict = check_resident_id(make_id("110105", "19900230", "123"), today=TODAY)
    assert verdict.reason_code == "bad_birth_date"
    assert verdict.reason is not None and "出生日期" in verdict.reason


# REQ: ACP-2
def test_feb_29_in_non_leap_year_is_rejected() -> None:
    verdict = check_resident_id(make_id("110105", "20010229", "123"), today=TODAY)
    assert verdict.reason_code == "bad_birth_date"


# REQ: ACP-2
def test_birth_date_after_today_is_rejected() -> None:
    verdict = check_resident_id(make_id("110105", "20261130", "123"), today=TODAY)
    assert verdict.reason_code == "birth_date_in_future"


# REQ: ACP-2
def test_birth_date_today_is_accepted() -> None:
    assert check_resident_id(make_id("110105", "20261129", "123"), today=TODAY).valid


# REQ: ACP-2
def test_future_rule_uses_the_date_passed_in() -> None:
    number = make_id("110105", "20261130", "123")
    assert check_resident_id(number, today=date(2026, 12, 1)).valid


# REQ: ACP-2
def test_unknown_province_code_is_rejected() -> None:
    verdict = check_resident_id(make_id("990105", "19850312", "123"), today=TODAY)
    assert verdict.reason_code == "bad_region"


# REQ: ACP-2
@pytest.mark.parametrize("number", ["110105491231002", "1101051949123100201"])
def test_15_and_19_character_ids_are_bad_length(number: str) -> None:
    verdict = check_resident_id(number, today=TODAY)
    assert verdict.reason_code == "bad_length"
    assert verdict.reason is not None and "18" in verdict.reason


# REQ: ACP-2
def test_15_digit_old_id_is_named_as_old_format() -> None:
    verdict = check_resident_id("110105491231002", today=TODAY)
    assert verdict.reason is not None and "15 位旧版" in verdict.reason


# REQ: ACP-2
def test_letters_inside_id_are_bad_characters_and_not_normalised() -> None:
    verdict = check_resident_id("1101051949A231002X", today=TODAY)
    assert verdict.reason_code == "bad_characters"
    assert verdict.normalized is None


# REQ: ACP-2
def test_empty_id_is_rejected_with_empty_code() -> None:
    assert check_resident_id("  ", today=TODAY).reason_code == "empty"


# --- bank card ------------------------------------------------------------------------


# REQ: ACP-2
@pytest.mark.parametrize("prefix", ["622202123456789", "62284801234567890", "621700123456789012"])
def test_luhn_valid_cards_of_16_to_19_digits_are_valid(prefix: str) -> None:
    number = luhn_complete(prefix)
    verdict = check_bank_card(number)
    assert verdict.valid and verdict.normalized == number


# REQ: ACP-2
def test_card_with_one_digit_changed_fails_luhn() -> None:
    number = luhn_complete("622202123456789")
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert check_bank_card(broken).reason_code == "bad_check_digit"


# REQ: ACP-2
def test_all_zero_card_is_rejected_even_though_luhn_passes() -> None:
    verdict = check_bank_card("0000 0000 0000 0000")
    assert verdict.reason_code == "all_zeros"


# REQ: ACP-2
@pytest.mark.parametrize("number", ["622202123456789", "62220212345678901234"])
def test_15_and_20_digit_cards_are_bad_length(number: str) -> None:
    assert check_bank_card(number).reason_code == "bad_length"


# REQ: ACP-2
def test_card_typed_with_full_width_dashes_and_spaces_is_normalised() -> None:
    number = luhn_complete("622202123456789")
    typed = "－".join(number[i : i + 4] for i in range(0, 16, 4)).replace("－", "\u3000", 1)
    verdict = check_bank_card(typed)
    assert verdict.valid and verdict.normalized == number


# REQ: ACP-2
def test_card_with_letters_is_bad_characters() -> None:
    assert check_bank_card("6222O21234567890").reason_code == "bad_characters"


# --- mobile ---------------------------------------------------------------------------


# REQ: ACP-2
@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "+8613812345678",
        "+86 138 1234 5678",
        "0086-138-1234-5678",
        "8613812345678",
    ],
)
def test_mobile_number_forms_normalise_to_11_digits(typed: str) -> None:
    verdict = check_mobile(typed)
    assert verdict.valid and verdict.normalized == "13812345678"


# REQ: ACP-2
@pytest.mark.parametrize("typed", ["010-12345678", "021 6234 5678", "+86 10 1234 5678"])
def test_landlines_are_rejected_as_mobile(typed: str) -> None:
    verdict = check_mobile(typed)
    assert verdict.reason_code == "not_mobile"
    assert verdict.reason is not None and "固定电话" in verdict.reason


# REQ: ACP-2
def test_ten_digit_mobile_is_bad_length() -> None:
    assert check_mobile("1381234567").reason_code == "bad_length"


# REQ: ACP-2
def test_foreign_number_is_not_mainland() -> None:
    assert check_mobile("+1 650 253 0000").reason_code == "not_mainland"


# REQ: ACP-2
def test_unallocated_mobile_prefix_is_bad_format() -> None:
    assert check_mobile("12345678901").reason_code == "bad_format"


# REQ: ACP-2
def test_mobile_with_letters_is_bad_characters() -> None:
    assert check_mobile("138abc45678").reason_code == "bad_characters"


# --- USCC -----------------------------------------------------------------------------


# REQ: ACP-2
@pytest.mark.parametrize("code", ["91110000600037341L", "91 1100 0060 0037 341l"])
def test_valid_uscc_samples_pass(code: str) -> None:
    assert check_uscc(code).valid


# REQ: ACP-2
def test_uscc_with_computed_check_char_passes() -> None:
    body = "91440300MA5D9XK8R"
    assert check_uscc((body + uscc_check(body)).lower()).valid


# REQ: ACP-2
def test_uscc_wrong_check_char_is_bad_check_digit() -> None:
    assert check_uscc("91110000600037341A").reason_code == "bad_check_digit"


# REQ: ACP-2
def test_uscc_with_forbidden_letter_is_bad_characters() -> None:
    verdict = check_uscc("9111000060003734IL")
    assert verdict.reason_code == "bad_characters"
    assert verdict.reason is not None and "I、O、Z、S、V" in verdict.reason


# REQ: ACP-2
def test_uscc_of_other_authority_y_is_valid() -> None:
    # Position 1 'Y' (other registration authority): python-stdnum alone refuses it.
    assert check_uscc("Y1110000000000000" + uscc_check("Y1110000000000000")).valid


# REQ: ACP-2
def test_uscc_with_unknown_authority_is_bad_format() -> None:
    assert check_uscc("H1110000000000000" + uscc_check("H1110000000000000")).reason_code == (
        "bad_format"
    )


# REQ: ACP-2
def test_uscc_with_unknown_region_is_bad_region() -> None:
    assert check_uscc("91990000600037341" + uscc_check("91990000600037341")).reason_code == (
        "bad_region"
    )


# REQ: ACP-2
def test_uscc_of_17_characters_is_bad_length() -> None:
    assert check_uscc("91110000600037341").reason_code == "bad_length"


# --- account number and serial --------------------------------------------------------


# REQ: ACP-2
def test_account_number_of_19_digits_is_valid() -> None:
    assert check_account_number("6212 2612 0200 1234 567").normalized == "6212261202001234567"


# REQ: ACP-2
@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("123456789", "bad_length"),
        ("1" * 26, "bad_length"),
        ("0" * 12, "all_zeros"),
        ("12345abc901", "bad_characters"),
    ],
)
def test_bad_account_numbers_name_the_rule(typed: str, code: str) -> None:
    assert check_account_number(typed).reason_code == code


# REQ: ACP-2
def test_transaction_serial_is_upper_cased() -> None:
    verdict = check_transaction_serial("tx20261129000123")
    assert verdict.valid and verdict.normalized == "TX20261129000123"


# REQ: ACP-2
@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("TX2026", "bad_length"),
        ("ABCDEFGHIJKL1234", "bad_format"),
        ("0" * 16, "all_zeros"),
        ("TX2026/1129-0001", "bad_characters"),
    ],
)
def test_bad_serials_name_the_rule(typed: str, code: str) -> None:
    assert check_transaction_serial(typed).reason_code == code


# --- dispatch -------------------------------------------------------------------------


def test_check_dispatches_on_kind() -> None:
    assert check("phone", "+86 13812345678", today=TODAY).normalized == "13812345678"


def test_check_refuses_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        check("passport", "E12345678", today=TODAY)


# REQ: ACP-2
def test_require_valid_raises_validation_failed_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        require_valid(check_bank_card("1234"))
    assert caught.value.field == "card_number"
    assert caught.value.code == "bad_length"


def test_require_valid_returns_normalised_value() -> None:
    assert require_valid(check_mobile("+8613812345678"), field="to") == "13812345678"


# --- ACP-2: digit forms and signs -----------------------------------------------------

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# REQ: ACP-2
@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("card", luhn_complete("622202123456789").translate(ARABIC_INDIC)),
        ("card", "６２２２０２１２３４５６７８９"),
        ("phone", "１３８１２３４５６７８"),
        ("phone", "138١٢٣٤٥٦٧٨"),
        ("account", "6222021234\u0966\u0967"),  # Devanagari digits
        ("id", "1101051949123100" + "②" + "X"),
        ("serial", "2026112912345678\u00b9\u00b2"),  # superscripts
        ("card", "622202123456789" + "\U0001d7d4"),  # mathematical bold digit
    ],
)
def test_digits_other_than_ascii_are_refused_not_converted(kind: str, typed: str) -> None:
    verdict = check(kind, typed, today=TODAY)
    assert not verdict.valid
    assert verdict.reason_code == "non_ascii_digit"
    assert verdict.normalized is None
    assert verdict.reason is not None and "0-9" in verdict.reason


# REQ: ACP-2
@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("card", "-" + luhn_complete("622702123456789")),
        ("card", "+" + luhn_complete("622702123456789")),
        ("card", " －" + luhn_complete("622702123456789")),
        ("account", "-6227021234567"),
        ("account", "\u22126227021234567"),
        ("id", "+" + make_id("110105", "19491231", "002")),
        ("phone", "-13812345678"),
        ("serial", "-202611291234567890"),
    ],
)
def test_a_leading_sign_is_refused(kind: str, typed: str) -> None:
    verdict = check(kind, typed, today=TODAY)
    assert verdict.reason_code == "signed"
    assert verdict.reason is not None and "正负号" in verdict.reason


# REQ: ACP-2
@pytest.mark.parametrize("typed", ["+8613812345678", "＋86 138 1234 5678"])
def test_plus_86_is_still_accepted_for_phones(typed: str) -> None:
    assert check_mobile(typed).normalized == "13812345678"


# REQ: ACP-2
def test_unsigned_ascii_card_with_inner_dashes_is_still_valid() -> None:
    number = luhn_complete("622702123456789")
    assert check_bank_card(f"{number[:4]}-{number[4:]}").valid
