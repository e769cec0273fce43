"""Properties of the check-digit rules (ACP-2): every valid number passes, and every
single-character typing error is caught by the check character."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.validation import check_bank_card, check_resident_id, check_uscc
from consultdesk.validation.checks import resident_id_check_char

TODAY = date(2026, 11, 29)
REGIONS = ("110105", "310104", "440305", "510104", "650102", "820000")

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


def id_number(region: str, born: date, seq: str) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq}"
    return first17 + resident_id_check_char(first17)


# REQ: ACP-2
@settings(max_examples=200, deadline=None)
@given(st.sampled_from(REGIONS), birth_dates, sequences)
def test_every_well_formed_id_is_valid(region: str, born: date, seq: str) -> None:
    assert check_resident_id(id_number(region, born, seq), today=TODAY).valid


# REQ: ACP-2
@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(REGIONS),
    birth_dates,
    sequences,
    st.integers(min_value=14, max_value=16),
    st.integers(min_value=1, max_value=9),
)
def test_changing_one_sequence_digit_breaks_the_check_char(
    region: str, born: date, seq: str, position: int, shift: int
) -> None:
    number = id_number(region, born, seq)
    changed = str((int(number[position]) + shift) % 10)
    typo = number[:position] + changed + number[position + 1 :]
    assert check_resident_id(typo, today=TODAY).reason_code == "bad_check_digit"


# REQ: ACP-2
@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=400))
def test_birth_dates_after_today_are_always_refused(days_ahead: int) -> None:
    number = id_number("110105", TODAY + timedelta(days=days_ahead), "123")
    assert check_resident_id(number, today=TODAY).reason_code == "birth_date_in_future"


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


card_bodies = st.integers(min_value=15, max_value=18).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).map(lambda s: "6" + s[1:])
)


# REQ: ACP-2
@settings(max_examples=200, deadline=None)
@given(card_bodies)
def test_every_luhn_complete_card_is_valid(body: str) -> None:
    assert check_bank_card(body + luhn_digit(body)).valid


# REQ: ACP-2
@settings(max_examples=200, deadline=None)
@given(card_bodies, st.data())
def test_any_single_digit_change_in_a_card_is_caught(body: str, data: st.DataObject) -> None:
    number = body + luhn_digit(body)
    position = data.draw(st.integers(min_value=0, max_value=len(number) - 1))
    shift = data.draw(st.integers(min_value=1, max_value=9))
    typo = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assert not check_bank_card(typo).valid


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# REQ: ACP-2
@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["11", "12", "91", "92", "93", "51", "52", "Y1"]),
    st.sampled_from(["110000", "310115", "440300", "510104"]),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
def test_every_uscc_with_its_check_char_is_valid(kind: str, region: str, body: str) -> None:
    first17 = kind + region + body
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    assert check_uscc(first17 + USCC_ALPHABET[(31 - total % 31) % 31]).valid
