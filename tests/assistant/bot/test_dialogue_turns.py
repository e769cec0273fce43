"""The bot's turn with the real matcher on the knowledge-base slice (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from consultdesk.assistant.dialogue import (
    _Z,
    AccountFigure,
    Action,
    BotTurn,
    Route,
    figures_reply,
    respond,
)
from consultdesk.assistant.matcher import Matcher, MatchPolicy
from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.rulepack import check_reply
from consultdesk.knowledge.model import EntrySpec
from tests.assistant.bot.conftest import views_of


def turn(matcher: Matcher, specs: list[EntrySpec], text: object, **kw: object) -> BotTurn:
    return respond(
        text=text,
        verified=bool(kw.pop("verified", False)),
        match=matcher.match,
        entries=views_of(specs),
        lang=kw.pop("lang", None),  # type: ignore[arg-type]
    )


def test_a_confident_match_is_answered_with_the_script_steps_and_source(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    # REQ: SOL-1 — the unified answer script and its standard steps.
    t = turn(slice_matcher, kb_slice, "手机银行转账额度不够怎么调高")
    assert (t.action, t.entry_id) == (Action.ANSWER, "EB-005")
    assert "手机银行：我的-安全中心-转账限额" in t.text
    assert "示例银行" in t.text  # the entry's source is cited
    assert not t.handover


def test_a_complex_entry_is_handed_over_not_answered(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    # REQ: ACP-4 — complex questions are transferred or booked, never answered by the bot.
    t = turn(slice_matcher, kb_slice, "我的账户为什么被冻结了")
    assert (t.action, t.entry_id, t.handover) == (Action.HANDOVER, "ACC-007", True)
    assert "预约" in t.text
    assert t.guesses[0].entry_id == "ACC-007"


def test_a_middling_match_offers_the_top_three_and_goes_to_review(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    # REQ: QC-5
    cautious = slice_matcher.with_policy(MatchPolicy(answer_confidence=1.0, offer_confidence=0.0))
    t = turn(cautious, kb_slice, "信用卡怎么办")
    assert t.action is Action.OFFER and t.review
    assert len(t.guesses) == 3
    assert all(g.question in t.text for g in t.guesses)


def test_a_weak_match_is_handed_over_with_the_best_guesses(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    # REQ: QC-5 — unanswered questions go to review; the agent gets the bot's guesses.
    strict = slice_matcher.with_policy(MatchPolicy(answer_confidence=1.0, offer_confidence=1.0))
    t = turn(strict, kb_slice, "你们银行的停车场在哪里")
    assert (t.action, t.handover, t.review) == (Action.HANDOVER, True, True)
    assert len(t.guesses) == 3


BAD_INPUT = [
    "",
    "   ",
    "😀🙏👍",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "啊" * 10_000,
    "我的credit card怎么还款",
    "信用卡\x00怎么\u200b激活",
    "𝕙𝕖𝕝𝕝𝕠",
    "؟؟؟ مرحبا",
    None,
    12345,
]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_gets_a_clarifying_reply_or_a_safe_handover(
    slice_matcher: Matcher, kb_slice: list[EntrySpec], text: object
) -> None:
    t = turn(slice_matcher, kb_slice, text)
    assert t.action in {
        Action.CLARIFY,
        Action.HANDOVER,
        Action.ANSWER,
        Action.OFFER,
        Action.SMALL_TALK,
    }
    assert t.text


def test_ten_thousand_characters_are_handed_to_a_person(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    t = turn(slice_matcher, kb_slice, "我想问一下" * 2_000)
    assert (t.route, t.handover) == (Route.HUMAN, True)


def test_script_only_input_asks_to_clarify(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    t = turn(slice_matcher, kb_slice, "<script>document.cookie</script>")
    assert t.action is Action.CLARIFY


def test_english_is_answered_in_english_when_the_visitor_chose_it(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    t = turn(slice_matcher, kb_slice, "你好", lang="en")
    assert (t.lang, t.text) == ("en", _Z["greet"][1])


def test_without_a_knowledge_base_faq_questions_are_handed_over(
    kb_slice: list[EntrySpec],
) -> None:
    t = respond(text="信用卡怎么还款", verified=False, match=None, entries={})
    assert (t.action, t.handover, t.review) == (Action.HANDOVER, True, True)


def test_the_balance_near_miss_is_answered_from_the_knowledge_base(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    # REQ: ACC-6 — asking how to check a balance is no balance request.
    t = turn(slice_matcher, kb_slice, "怎么查余额")
    assert t.route is Route.FAQ and t.guesses[0].entry_id == "ACC-020"


def test_figures_cite_their_source_time_and_that_the_core_system_is_final() -> None:
    # REQ: SOL-2
    text = figures_reply(
        figures=[AccountFigure("6222 **** **** 1234", Decimal("12345.6"), "CNY")],
        system="核心银行系统",
        as_of=datetime(2026, 11, 29, 2, 30, tzinfo=UTC),
    )
    assert "12,345.60" in text
    assert "核心银行系统" in text and "2026-11-29 10:30" in text and "以核心系统为准" in text


@pytest.mark.parametrize("key", list(_Z))
def test_every_canned_reply_passes_the_compliance_check(key: str) -> None:
    # REQ: QC-6, RSK-3 — the refusals themselves never ask for a password or code.
    for text in _Z[key]:
        filled = text.format(op="转账", q="我的账户为什么被冻结了", source="示例银行")
        if filled:
            assert not check_reply(text=filled, context=ReplyContext()).blocked, filled


def test_a_number_after_an_offer_picks_the_offered_entry(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    t = respond(
        text="第二个",
        verified=False,
        match=slice_matcher.match,
        entries=views_of(kb_slice),
        offered=("CC-001", "EB-005", "ACC-001"),
    )
    assert (t.action, t.entry_id) == (Action.ANSWER, "EB-005")


def test_a_number_without_an_offer_is_an_ordinary_message(
    slice_matcher: Matcher, kb_slice: list[EntrySpec]
) -> None:
    t = respond(text="2", verified=False, match=slice_matcher.match, entries=views_of(kb_slice))
    assert t.entry_id is None or t.action is not Action.ANSWER or t.confidence < 1.0
