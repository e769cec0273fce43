from consultdesk.assistant.normalize import (
    MAX_INPUT_CHARS,
    chinese_numeral_value,
    has_content,
    normalize_text,
)


def test_traditional_chinese_becomes_simplified() -> None:
    assert normalize_text("網銀轉賬限額") == "网银转账限额"


def test_full_width_letters_and_digits_become_half_width_lower_case() -> None:
    assert normalize_text("ＡＢＣ１２３") == "abc123"


def test_punctuation_becomes_single_spaces() -> None:
    assert normalize_text("你好，请问！！信用卡？") == "你好 请问 信用卡"


def test_script_and_tags_are_removed() -> None:
    assert normalize_text("<script>alert('x')</script><b>转账</b>") == "转账"


def test_chinese_amount_before_unit_becomes_digits() -> None:
    assert normalize_text("转账五万元") == "转账50000元"


def test_numeral_words_without_unit_stay() -> None:
    assert normalize_text("看一下") == "看一下"


def test_chinese_numeral_value_reads_mixed_units() -> None:
    assert chinese_numeral_value("一亿五千万") == 150_000_000


def test_emoji_only_has_no_content() -> None:
    assert not has_content(normalize_text("😀🙏🔥"))


def test_very_long_input_is_cut() -> None:
    assert len(normalize_text("转" * 10_000)) == MAX_INPUT_CHARS


def test_normalisation_is_idempotent() -> None:
    once = normalize_text("信用卡，怎麼提額？ＡＴＭ轉賬五千元")
    assert normalize_text(once) == once
