from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.security.masking import (
    mask_account,
    mask_card,
    mask_id,
    mask_phone,
    mask_text,
    to_halfwidth,
)
from consultdesk.shared.errors import ValidationFailed


# REQ: RSK-1
def test_card_keeps_first_six_and_last_four() -> None:
    assert mask_card("6222021234567890123") == "622202*********0123"


def test_card_with_spaces_is_masked() -> None:
    assert mask_card("6222 0212 3456 7890") == "622202******7890"


def test_card_too_short_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        mask_card("12345")
    assert err.value.field == "card_number"


# REQ: RSK-1
def test_id_keeps_first_three_and_last_four() -> None:
    assert mask_id("11010519491231002X") == "110***********002X"


def test_id_with_lowercase_x_is_masked_uppercase() -> None:
    assert mask_id("11010519491231002x") == "110***********002X"


def test_old_fifteen_digit_id_is_masked() -> None:
    assert mask_id("110105491231002") == "110********1002"


def test_bad_id_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        mask_id("1101051949")
    assert err.value.field == "id_number"


# REQ: RSK-1
def test_phone_keeps_three_and_four() -> None:
    assert mask_phone("13800138000") == "138****8000"


def test_phone_with_country_code_is_masked() -> None:
    assert mask_phone("+86 138-0013-8000") == "138****8000"


def test_bad_phone_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        mask_phone("12345")
    assert err.value.field == "phone"


def test_account_keeps_last_four_only() -> None:
    assert mask_account("6217000010001234") == "************1234"


def test_fullwidth_digits_become_ascii() -> None:
    assert to_halfwidth("１２３　４") == "123 4"


# REQ: RSK-1
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("卡号6222021234567890", "卡号622202******7890"),
        ("卡号 6222 0212 3456 7890 请核实", "卡号 622202******7890 请核实"),
        ("卡号6222-0212-3456-7890", "卡号622202******7890"),
        ("卡号６２２２０２１２３４５６７８９０", "卡号622202******7890"),
        ("身份证11010519491231002X", "身份证110***********002X"),
        ("身份证号：１１０１０５１９４９１２３１００２Ｘ", "身份证号：110***********002X"),
        ("电话13800138000", "电话138****8000"),
        ("电话 138 0013 8000", "电话 138****8000"),
        ("电话１３８－００１３－８０００。", "电话138****8000。"),
        ("账户62170000100012345678901", "账户" + "*" * 19 + "8901"),
    ],
)
def test_mask_text_masks_numbers_in_free_text(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "尾号1234的卡",
        "转账5000元",
        "金额 1,000,000.00 元",
        "2026-03-01 10:30 办理",
        "工单号 20260301",
        "已脱敏 622202******7890",
        "手机 138****8000",
        "利率 2.15%",
        "咨询 550e8400-e29b-41d4-a716-446655440000",
        "流水号 446655440000-a716",
    ],
)
def test_mask_text_leaves_ordinary_numbers_alone(text: str) -> None:
    assert mask_text(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789０１２３ -－Xx卡号电话 元")), max_size=60))
def test_mask_text_never_fails_on_digit_heavy_text(text: str) -> None:
    masked = mask_text(text)
    assert masked == text or "*" in masked
