"""Normalisation before every check (QC-6, issue 13): Traditional, full width, spacing
inside words, English and pinyin phrases, numbers written in Chinese; spans still point
into the text the agent wrote."""

from __future__ import annotations

import pytest

from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.normalize import chinese_number, normalize
from consultdesk.compliance.rulepack import check_reply

WEALTH = ReplyContext(topic="wealth", guaranteed=False, verified=True)
UNVERIFIED = ReplyContext(topic="account", verified=False)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("十", 10),
        ("十万", 100_000),
        ("两万", 20_000),
        ("三万五", 35_000),
        ("两千五", 2_500),
        ("一千零五", 1_005),
        ("二十三万", 230_000),
        ("八百", 800),
        ("一亿两千万", 120_000_000),
    ],
)
def test_chinese_numbers_are_read(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value


@pytest.mark.parametrize(
    ("typed", "compact"),
    [
        ("您卡里大概还剩三万多", "您卡里大概还剩3万多"),
        ("两万出头", "2万出头"),
        ("八百块", "800块"),
        ("十分感谢", "十分感谢"),  # 十分 is "very", not ten
        ("千万别告诉别人", "千万别告诉别人"),  # 千万 is "by all means"
        ("一定要核实", "一定要核实"),
        ("年化能到百分之六左右", "年化能到6%左右"),  # a rate in words is a rate
        ("百分之四十", "40%"),
    ],
)
def test_numbers_before_a_unit_become_digits_and_idioms_stay(typed: str, compact: str) -> None:
    assert normalize(typed).compact == compact


@pytest.mark.parametrize(
    ("typed", "compact"),
    [
        ("這款是 zero risk 的", "这款是零风险的"),
        ("Principal-Protected 产品", "保本产品"),
        ("guaranteed return 哦", "保证收益哦"),
        ("bao ben bao xi", "保本保息"),
        ("把 yanzhengma 发我", "把验证码发我"),
        ("保 本 保 息", "保本保息"),
        ("ｚｅｒｏ ｒｉｓｋ", "零风险"),
    ],
)
def test_english_pinyin_full_width_and_spacing_are_folded(typed: str, compact: str) -> None:
    assert normalize(typed).compact == compact


def test_a_rate_said_in_words_keeps_its_decimal_in_the_text_view() -> None:
    assert normalize("利率百分之三点五").text == "利率3.5%"


def test_a_rewritten_phrase_maps_back_to_the_original_words() -> None:
    text = "这款产品 zero risk，放心。"
    norm = normalize(text)
    start = norm.compact.index("零风险")
    first, last = norm.span_of_compact(start, start + 3)
    assert text[first:last] == "zero risk"


def test_a_chinese_amount_maps_back_to_the_original_characters() -> None:
    text = "您卡里还剩两万五千块哦"
    norm = normalize(text)
    start = norm.text.index("25000")
    first, last = norm.span_of_text(start, start + len("25000块"))
    assert text[first:last] == "两万五千块"


# REQ: QC-6
@pytest.mark.parametrize(
    ("text", "context", "code"),
    [
        ("这款理财 zero risk，放心买。", WEALTH, "forbidden_claim"),
        ("這款理財保本保息，您放心。", WEALTH, "forbidden_claim"),
        ("这款理财保 本 保 息。", WEALTH, "forbidden_claim"),
        ("这款产品是baoben的。", WEALTH, "forbidden_claim"),
        ("請告訴我您的網銀登錄密碼。", ReplyContext(topic="ebanking"), "credential_request"),
        ("您卡里大概还剩三万多。", UNVERIFIED, "balance_unverified"),
    ],
)
def test_evasive_spellings_are_caught_with_evidence_in_the_original(
    text: str, context: ReplyContext, code: str
) -> None:
    found = [v for v in check_reply(text=text, context=context).violations if v.code == code]
    assert found
    start, end = found[0].span
    assert 0 <= start < end <= len(text)
