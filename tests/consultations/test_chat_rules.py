"""The pure chat rules: greeting templates (ACC-3) and the patience rule (STD-3)."""

from __future__ import annotations

import pytest

from consultdesk.consultations.greetings import TEMPLATES, greeting
from consultdesk.consultations.patience import (
    needs_other_channel,
    normalise_question,
    question_key,
    repeat_count,
)


@pytest.mark.parametrize("channel", sorted(TEMPLATES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_channel_greeting_names_bank_and_agent(channel: str, lang: str) -> None:
    # REQ: ACC-3
    text = greeting(channel=channel, bank="示例银行", agent="李娜", lang=lang)
    assert "示例银行" in text
    assert "李娜" in text


def test_unknown_channel_gets_the_chat_greeting() -> None:
    assert greeting(channel="fax", bank="B", agent="A") == greeting(
        channel="chat", bank="B", agent="A"
    )


def test_punctuation_width_and_case_do_not_make_a_new_question() -> None:
    # REQ: STD-3 — near-identical questions count as one.
    assert normalise_question("我的卡被冻结了？？") == normalise_question("我的卡被冻结了")
    assert normalise_question("ＡＴＭ 在哪") == normalise_question("atm在哪!")


def test_acknowledgements_are_not_questions() -> None:
    assert question_key("好") is None
    assert repeat_count(earlier=["好", "好"], latest="好") == 0


def test_repeat_count_includes_the_latest() -> None:
    assert repeat_count(earlier=["怎么开户", "利率多少", "怎么开户？"], latest="怎么开户") == 3


def test_other_channel_is_suggested_once_beyond_the_limit() -> None:
    # REQ: STD-3 — more than [2] times: the third asking, and only then.
    assert [needs_other_channel(times_asked=n, limit=2) for n in range(1, 6)] == [
        False,
        False,
        True,
        False,
        False,
    ]
