"""QA scoring of transcripts (QC-2)."""

from __future__ import annotations

import pytest

from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.qa import IDENTITY_VERIFIED, Turn, score_transcript
from consultdesk.shared.errors import ValidationFailed

ACCOUNT = ReplyContext(topic="account", verified=False)

GOOD = [
    Turn("agent", "您好，很高兴为您服务。"),
    Turn("customer", "我想查一下余额。"),
    Turn("agent", "跟您确认一下，您是想查询借记卡余额，对吗？请先验证身份。"),
    Turn("customer", "对。"),
    Turn("agent", event=IDENTITY_VERIFIED),
    Turn("agent", "核验通过，您的余额为1,000.00元。"),
    Turn("agent", "请问还有其他可以帮您的吗？"),
]


# REQ: QC-2
def test_good_transcript_scores_full_marks_with_evidence() -> None:
    score = score_transcript(turns=GOOD, context=ACCOUNT)
    assert score.score == 100
    assert "第1句" in score.item("greeting").evidence


# REQ: QC-2
def test_balance_before_verification_fails_that_item_with_the_turn() -> None:
    turns = [GOOD[0], Turn("agent", "您的余额为1,000.00元。"), GOOD[-1]]
    item = score_transcript(turns=turns, context=ACCOUNT).item("verification_first")
    assert not item.passed
    assert "第2句" in item.evidence and "balance_unverified" in item.evidence


# REQ: QC-2
def test_missing_greeting_and_closing_lower_the_score() -> None:
    turns = [Turn("agent", "请讲。"), Turn("agent", "好的。")]
    score = score_transcript(turns=turns, context=ACCOUNT)
    assert not score.item("greeting").passed
    assert not score.item("closing_question").passed
    assert score.score < 100


# REQ: QC-2
def test_forbidden_claim_fails_no_violations() -> None:
    wealth = ReplyContext(topic="wealth", guaranteed=False, verified=True)
    turns = [Turn("agent", "您好，这款稳赚，本产品不保本，产品有风险。")]
    assert not score_transcript(turns=turns, context=wealth).item("no_violations").passed


def test_transcript_without_agent_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        score_transcript(turns=[Turn("customer", "喂？")], context=ACCOUNT)


def test_unknown_speaker_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        Turn("robot", "hi")
