"""The learned layer of the reply check (QC-6, RSK-1/3/7, SOL-5, issue 13): shipped
weights, the held-out figures they reach, what a learned flag carries, and how the
context enters the decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from consultdesk.compliance.evaluation import evaluate
from consultdesk.compliance.labelled import digest, read_labelled
from consultdesk.compliance.learned import MODEL_FILE, PRODUCT_TALK, default_layer
from consultdesk.compliance.model import VIOLATION_CODES, Action, ReplyContext
from consultdesk.compliance.rulepack import check_reply, default_rule_pack

CORPUS = Path(__file__).parent / "data" / "corpus.jsonl"
WEIGHTS = Path(__file__).parents[2] / "src/consultdesk/compliance/data" / MODEL_FILE

WEALTH = ReplyContext.from_mapping(
    {
        "topic": "wealth",
        "product_risk": "R2",
        "customer_risk": "C3",
        "guaranteed": False,
        "verified": True,
    }
)
UNVERIFIED = ReplyContext(topic="account", verified=False)
VERIFIED = ReplyContext(topic="account", verified=True)
EBANKING = ReplyContext(topic="ebanking", verified=False)


@pytest.fixture(scope="module")
def unseen() -> list:  # type: ignore[type-arg]
    rows = read_labelled(CORPUS)
    return [r for r in rows if r.split in ("test", "holdout")]


# REQ: QC-6
def test_shipped_weights_are_small_and_were_trained_on_this_corpus() -> None:
    layer = default_layer()
    assert WEIGHTS.stat().st_size < 400 * 1024
    assert layer.codes == (*VIOLATION_CODES, PRODUCT_TALK)
    # Retrain (bench/train_compliance_model.py) whenever the corpus changes.
    assert layer.meta["corpus_sha256"] == digest(CORPUS)
    assert layer.meta["pack_version"] == default_rule_pack().version


# REQ: QC-6
def test_families_never_trained_on_meet_the_targets(unseen: list) -> None:  # type: ignore[type-arg]
    report = evaluate(unseen, learned=True)
    low = {
        code: row["recall"]
        for code, row in report["per_code"].items()
        if row["recall"] is not None and row["recall"] < 0.95
    }
    assert low == {}
    assert report["false_alarm_rate"] <= 0.05


# REQ: QC-6
def test_the_learned_layer_beats_the_rules_alone_on_unseen_families(unseen: list) -> None:  # type: ignore[type-arg]
    rules = evaluate(unseen, learned=False)
    both = evaluate(unseen, learned=True)
    assert both["min_recall"] > rules["min_recall"] + 0.2


# REQ: RSK-3
def test_a_learned_flag_names_code_evidence_score_and_fix() -> None:
    text = "您把那个六位的东西发我一下就行。"
    assert check_reply(text=text, context=EBANKING, learned=False).violations == ()
    (flag,) = check_reply(text=text, context=EBANKING).violations
    assert flag.code == "credential_request"
    assert flag.rule == "ML-credential_request"
    assert flag.action is Action.BLOCK  # the action of the code's rules
    start, end = flag.span
    assert 0 <= start < end <= len(text) and "六位" in text[start:end]
    assert "模型评分" in flag.message and "手机银行自行输入" in flag.message


# REQ: RSK-7
def test_a_learned_disclosure_flag_appends_the_packs_disclosure() -> None:
    text = "现在是低点，可以多买一些。"
    result = check_reply(text=text, context=WEALTH)
    assert {v.rule for v in result.violations} == {
        "ML-missing_risk_disclosure",
        "ML-missing_non_guaranteed",
    }
    assert "非保本" in result.fixed_text and "投资须谨慎" in result.fixed_text
    # the fixed reply passes
    assert check_reply(text=result.fixed_text, context=WEALTH).violations == ()


# REQ: RSK-1
def test_account_facts_without_an_amount_are_flagged_only_before_verification() -> None:
    text = "您那张卡最近一直没动过，钱都还在。"
    assert check_reply(text=text, context=UNVERIFIED, learned=False).violations == ()
    assert check_reply(text=text, context=UNVERIFIED).codes == {"balance_unverified"}
    assert check_reply(text=text, context=VERIFIED).codes == frozenset()


# REQ: SOL-5
def test_the_same_recommendation_is_a_mismatch_only_above_the_customers_tolerance() -> None:
    text = "这只偏股基金挺适合您，可以买一些。本产品不保本，理财非存款、产品有风险、投资须谨慎。"
    above = ReplyContext.from_mapping({**_wealth(), "product_risk": "R4", "customer_risk": "C2"})
    within = ReplyContext.from_mapping({**_wealth(), "product_risk": "R2", "customer_risk": "C3"})
    assert check_reply(text=text, context=above).codes == {"suitability_mismatch"}
    assert check_reply(text=text, context=within).codes == frozenset()


# REQ: RSK-7
def test_a_guaranteed_product_needs_no_non_guaranteed_statement() -> None:
    text = "现在是低点，可以多买一些。"
    guaranteed = ReplyContext.from_mapping({**_wealth(), "guaranteed": True})
    assert "missing_non_guaranteed" not in check_reply(text=text, context=guaranteed).codes


# REQ: QC-6
@pytest.mark.parametrize(
    "text",
    [
        "按规定我们不能承诺收益。",
        "不法分子常以“保本保息”为诱饵，请不要轻信。",
        "我行工作人员不会索要您的验证码，任何人问您要都请拒绝。",
    ],
)
def test_refusals_and_fraud_warnings_pass(text: str) -> None:
    assert check_reply(text=text, context=WEALTH).violations == ()


# REQ: QC-6
def test_the_context_alone_never_flags() -> None:
    assert check_reply(text="", context=WEALTH).violations == ()
    assert check_reply(text="好的。", context=UNVERIFIED).violations == ()


def _wealth() -> dict[str, object]:
    return {
        "topic": "wealth",
        "product_risk": "R2",
        "customer_risk": "C3",
        "guaranteed": False,
        "verified": True,
    }
