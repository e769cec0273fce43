"""Behaviour of the check itself: evasion, negation, spans, fixes, context."""

from __future__ import annotations

from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.normalize import normalize
from consultdesk.compliance.rulepack import check_reply

WEALTH = ReplyContext(topic="wealth", guaranteed=False, verified=True)
DISCLOSED = "本产品不保本，理财非存款、产品有风险、投资须谨慎。"


def codes(text: str, context: ReplyContext = WEALTH) -> set[str]:
    return set(check_reply(text=text, context=context).codes)


# REQ: RSK-7
def test_required_non_guaranteed_wording_is_not_a_forbidden_claim() -> None:
    assert "forbidden_claim" not in codes("本产品不保本，产品有风险。")


# REQ: RSK-7
def test_zero_width_characters_do_not_hide_a_claim() -> None:
    assert "forbidden_claim" in codes("这款稳\u200b赚，" + DISCLOSED)


# REQ: RSK-7
def test_traditional_characters_do_not_hide_a_claim() -> None:
    assert "forbidden_claim" in codes("這款產品無風險，" + DISCLOSED)


# REQ: RSK-7
def test_full_width_pinyin_mix_does_not_hide_a_claim() -> None:
    assert "forbidden_claim" in codes("这款产品ｗｕ风险，" + DISCLOSED)


# REQ: RSK-7
def test_negation_does_not_reach_across_a_clause_boundary() -> None:
    assert "forbidden_claim" in codes("不用犹豫，这款保本，" + DISCLOSED)


def test_span_points_at_the_claim_in_the_original_text() -> None:
    text = "您放心，保 本的。" + DISCLOSED
    result = check_reply(text=text, context=WEALTH)
    claim = next(v for v in result.violations if v.code == "forbidden_claim")
    assert text[claim.span[0] : claim.span[1]] == "保 本"


# REQ: RSK-1
def test_fixed_text_masks_an_unmasked_card_number() -> None:
    result = check_reply(
        text="您的卡号是6222021234567890123。", context=ReplyContext(topic="account", verified=True)
    )
    assert result.fixed_text == "您的卡号是6222***********0123。"


# REQ: RSK-1
def test_fixed_text_masks_a_mobile_number() -> None:
    result = check_reply(text="号码13812345678已绑定。", context=ReplyContext(topic="account"))
    assert result.fixed_text == "号码138****5678已绑定。"


# REQ: RSK-7
def test_fixed_text_appends_the_missing_non_guaranteed_statement() -> None:
    result = check_reply(text="这款理财期限90天，产品有风险。", context=WEALTH)
    assert "非保本" in result.fixed_text
    assert "missing_non_guaranteed" not in codes(result.fixed_text)


# REQ: SOL-2
def test_fixed_text_appends_a_rate_source() -> None:
    context = ReplyContext(topic="loan")
    result = check_reply(text="年利率3.45%。", context=context)
    assert codes(result.fixed_text, context) == set()


# REQ: RSK-7
def test_guaranteed_product_may_be_called_principal_guaranteed() -> None:
    context = ReplyContext(topic="deposit", guaranteed=True)
    assert codes("大额存单保本保息。", context) == set()


# REQ: RSK-7
def test_wealth_product_without_guarantee_flag_needs_the_statement() -> None:
    context = ReplyContext(topic="wealth", guaranteed=None)
    assert "missing_non_guaranteed" in codes("这款理财期限90天，产品有风险。", context)


# REQ: SOL-5
def test_product_within_tolerance_is_no_suitability_mismatch() -> None:
    context = ReplyContext(topic="wealth", product_risk=3, customer_risk=3)
    assert "suitability_mismatch" not in codes("推荐您这款产品，" + DISCLOSED, context)


# REQ: SOL-5
def test_product_above_tolerance_in_a_recommendation_is_a_mismatch() -> None:
    context = ReplyContext(topic="wealth", product_risk=4, customer_risk=2)
    result = check_reply(text="推荐您这款产品，" + DISCLOSED, context=context)
    assert "suitability_mismatch" in result.codes
    assert result.blocked


# REQ: RSK-1
def test_balance_after_verification_is_allowed() -> None:
    context = ReplyContext(topic="account", verified=True)
    assert codes("您的余额为100.00元。", context) == set()


# REQ: RSK-3
def test_warning_against_sharing_a_code_is_not_a_request() -> None:
    context = ReplyContext(topic="ebanking")
    assert codes("验证码请勿告诉任何人。", context) == set()


# REQ: STD-2
def test_jargon_only_warns() -> None:
    result = check_reply(text="可选等额本息。", context=ReplyContext(topic="loan"))
    assert result.codes == {"jargon_unexplained"}
    assert not result.blocked


def test_normalized_views_map_back_to_original_offsets() -> None:
    norm = normalize("保\u200b本")
    assert norm.compact == "保本"
    assert norm.span_of_compact(0, 2) == (0, 3)


def test_empty_reply_has_no_violations() -> None:
    assert codes("") == set()


# REQ: RSK-7
def test_ensure_in_person_is_not_a_principal_guarantee() -> None:
    context = ReplyContext(topic="account")
    assert codes("请确保本人持身份证办理，确保本次交易安全。", context) == set()


# REQ: RSK-1
def test_balance_in_ten_thousands_without_yuan_is_still_a_balance() -> None:
    assert "balance_unverified" in codes("您账户余额3.5万。", ReplyContext(topic="account"))


# REQ: SOL-2
def test_allocation_share_is_not_a_rate() -> None:
    context = ReplyContext(topic="wealth", guaranteed=True)
    assert "missing_rate_source" not in codes("建议您配置20%的稳健资产，产品有风险。", context)


# REQ: RSK-1
def test_mobile_in_chinese_digits_is_masked() -> None:
    result = check_reply(text="手机一三八一二三四五六七八", context=ReplyContext(topic="account"))
    assert result.codes == {"pii_leak"}
    assert result.fixed_text == "手机一三八****五六七八"


# REQ: RSK-7
def test_japanese_variant_characters_do_not_hide_a_claim() -> None:
    assert "forbidden_claim" in codes("这款無風険，" + DISCLOSED)


# REQ: QC-6
def test_naming_an_investment_product_without_selling_it_needs_no_risk_statement() -> None:
    assert codes("基金定投可以在App里设置扣款日。", ReplyContext(topic="general")) == set()


# REQ: QC-6
def test_recommending_a_fund_in_any_topic_needs_a_risk_statement() -> None:
    context = ReplyContext(topic="general")
    assert codes("推荐您买这只基金。", context) == {"missing_risk_disclosure"}


# REQ: RSK-3
def test_a_credential_request_asked_as_a_question_is_still_a_request() -> None:
    assert codes("您方便把验证码告诉我吗？", ReplyContext(topic="ebanking")) == {
        "credential_request"
    }


# REQ: RSK-7
def test_a_claim_asked_as_a_question_is_not_a_claim() -> None:
    assert "forbidden_claim" not in codes("您是问这款产品保本吗？" + DISCLOSED)


# REQ: RSK-1
def test_transaction_detail_without_amount_before_verification_is_blocked() -> None:
    assert codes("您昨天在星巴克有一笔消费。", ReplyContext(topic="account")) == {
        "balance_unverified"
    }


# REQ: RSK-1
def test_general_transfer_timing_is_no_transaction_detail() -> None:
    assert codes("您今天转账的话会实时到账。", ReplyContext(topic="ebanking")) == set()


# REQ: RSK-7
def test_returns_without_guarantee_are_not_a_claim() -> None:
    assert "forbidden_claim" not in codes("本产品不保本，收益没有保障，产品有风险。")
