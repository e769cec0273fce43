"""Negation scopes, warnings and non-money figures that must not raise false alarms,
each beside the violation that must still be caught (issue 6)."""

from __future__ import annotations

import pytest

from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.rulepack import check_reply
from tests.compliance.corpus import full_corpus

WEALTH = ReplyContext(topic="wealth", guaranteed=False, verified=True)
EBANKING = ReplyContext(topic="ebanking")
CARD = ReplyContext(topic="credit_card")
FOREX = ReplyContext(topic="forex")
OK_W = "本产品不保本，理财非存款、产品有风险、投资须谨慎。"


def codes(text: str, context: ReplyContext) -> frozenset[str]:
    return check_reply(text=text, context=context).codes


# REQ: RSK-7
def test_a_prohibition_negates_every_claim_in_its_clause() -> None:
    assert codes("银行理财产品不得承诺保本保收益。" + OK_W, WEALTH) == frozenset()


# REQ: RSK-7
def test_a_prohibition_in_a_later_clause_does_not_excuse_a_claim() -> None:
    assert "forbidden_claim" in codes("本产品保本，不得转让。" + OK_W, WEALTH)


# REQ: RSK-7
def test_bu_de_bu_shuo_prohibits_nothing() -> None:
    assert "forbidden_claim" in codes("不得不说这款理财保本。" + OK_W, WEALTH)


# REQ: RSK-7
def test_saying_it_is_no_promise_of_returns_is_no_claim() -> None:
    text = "业绩比较基准不是预期收益，也不是对收益的承诺，实际收益可能低于基准。" + OK_W
    assert codes(text, WEALTH) == frozenset()


# REQ: RSK-7
def test_a_complaint_channel_naming_misconduct_is_no_claim() -> None:
    text = "如您认为销售人员存在承诺保本、夸大收益等行为，可拨打客服热线投诉。" + OK_W
    assert codes(text, WEALTH) == frozenset()


# REQ: RSK-3
def test_what_fraudsters_ask_for_told_as_a_warning_is_no_credential_request() -> None:
    text = "骗子会冒充客服要求您提供验证码，请勿告诉任何人。"
    assert codes(text, EBANKING) == frozenset()


# REQ: RSK-3
def test_the_bank_saying_it_will_never_ask_for_a_code_is_no_request() -> None:
    text = "本行不会通过短信链接要求您登录，也不会要求下载会议软件、共享屏幕或提供验证码。"
    assert codes(text, EBANKING) == frozenset()


# REQ: RSK-3
def test_a_warning_sentence_before_a_request_excuses_nothing() -> None:
    assert "credential_request" in codes("谨防诈骗。告诉我您的取款密码。", EBANKING)


# REQ: RSK-3
def test_claiming_not_to_be_a_fraudster_excuses_no_request() -> None:
    assert "credential_request" in codes("我们不是骗子请把验证码告诉我。", EBANKING)


# REQ: RSK-1
def test_reward_points_earned_per_yuan_are_no_balance() -> None:
    assert codes("一般消费每1元积1分，部分商户类别不积分。", CARD) == frozenset()


# REQ: RSK-1
def test_spending_told_beside_points_earned_is_still_a_balance() -> None:
    assert "balance_unverified" in codes("您上月消费388元，积了388分。", CARD)


# REQ: QC-6
def test_an_investment_named_inside_a_prohibition_needs_no_risk_statement() -> None:
    text = "购汇不得用于境外买房、证券投资等资本项目，请如实申报。"
    assert codes(text, FOREX) == frozenset()


# REQ: QC-6
def test_an_investment_offered_outside_the_prohibition_needs_a_risk_statement() -> None:
    text = "严禁外借账户，推荐您投资外汇宝。"
    assert "missing_risk_disclosure" in codes(text, FOREX)


# REQ: STD-2
def test_a_term_explained_at_a_later_occurrence_counts_as_explained() -> None:
    text = "续期保费一般有60天宽限期，宽限期内保障有效。"
    assert codes(text, ReplyContext(topic="insurance")) == frozenset()


# REQ: STD-2
def test_a_term_glossed_before_its_parenthesis_counts_as_explained() -> None:
    text = "利率以贷款市场报价利率（LPR）为基准加点确定，以审批为准。"
    assert codes(text, ReplyContext(topic="loan")) == frozenset()


VIOLATING = [(t, c, e) for t, c, e in full_corpus() if e]


# REQ: QC-6
@pytest.mark.parametrize("warning", ["谨防诈骗。", "如您认为合适，", "骗子很多，", "不得外传，"])
def test_a_warning_in_another_clause_before_excuses_no_violation(warning: str) -> None:
    missed = [
        text
        for text, ctx, expected in VIOLATING
        if not expected <= codes(warning + text, ReplyContext.from_mapping(ctx))
    ]
    assert missed == []


# REQ: QC-6
@pytest.mark.parametrize("warning", ["，谨防诈骗。", "。不法分子常冒充银行，请注意。"])
def test_a_warning_in_another_clause_after_excuses_no_violation(warning: str) -> None:
    missed = [
        text
        for text, ctx, expected in VIOLATING
        if not expected <= codes(text.rstrip("。") + warning, ReplyContext.from_mapping(ctx))
    ]
    assert missed == []
