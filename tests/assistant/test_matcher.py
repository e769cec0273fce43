from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from consultdesk.assistant.encoder import Role, SentenceEncoder
from consultdesk.assistant.entries import demo_knowledge_items
from consultdesk.assistant.matcher import (
    KnowledgeItem,
    LiveMatcher,
    Matcher,
    MatchPolicy,
)
from consultdesk.shared.errors import ValidationFailed


class CountingEncoder:
    """Wraps the real encoder and counts how many texts it embedded."""

    def __init__(self, inner: SentenceEncoder) -> None:
        self.inner = inner
        self.embedded = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def encode(self, texts: Sequence[str], *, role: Role) -> NDArray[np.float32]:
        self.embedded += len(texts)
        return self.inner.encode(texts, role=role)


def test_paraphrase_in_traditional_chinese_is_answered(demo_matcher: Matcher) -> None:
    # REQ: ACP-4 simple questions are answered at once by the bot
    result = demo_matcher.match("我的銀行卡丟了，怎麼辦？")
    assert result.top == "card-lost"
    assert result.decision == "answer"


def test_full_width_question_matches_like_half_width(demo_matcher: Matcher) -> None:
    assert demo_matcher.match("信用卡怎么提额？").top == demo_matcher.match("信用卡怎么提额?").top


def test_off_topic_question_is_handed_over(demo_matcher: Matcher) -> None:
    assert demo_matcher.match("今天的天气怎么样").decision == "handover"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀🙏", "<script>alert(1)</script>", "！！！？？？"],
)
def test_input_without_content_asks_to_clarify(demo_matcher: Matcher, text: str) -> None:
    # REQ: RSK-3 bad input never breaks the bot; it gets a safe decision
    result = demo_matcher.match(text)
    assert result.decision == "clarify" and result.candidates == ()


@pytest.mark.parametrize(
    "text",
    ["啊" * 10_000, "I lost my card 卡丢了 help", "<b>转账</b>限额<img src=x onerror=alert(1)>"],
)
def test_odd_input_gets_a_decision_with_confidence_in_range(
    demo_matcher: Matcher, text: str
) -> None:
    result = demo_matcher.match(text)
    assert result.decision in {"answer", "offer", "clarify", "handover"}
    assert 0.0 <= result.confidence <= 1.0


def test_candidates_are_at_most_k_and_best_first(demo_matcher: Matcher) -> None:
    candidates = demo_matcher.match("转账手续费", k=3).candidates
    scores = [c.score for c in candidates]
    assert len(candidates) == 3 and scores == sorted(scores, reverse=True)


def test_policy_thresholds_decide(demo_matcher: Matcher) -> None:
    strict = demo_matcher.with_policy(MatchPolicy(answer_confidence=1.0, offer_confidence=0.0))
    assert strict.match("银行卡丢了怎么办").decision == "offer"


def test_policy_rejects_offer_above_answer() -> None:
    with pytest.raises(ValidationFailed):
        MatchPolicy(answer_confidence=0.3, offer_confidence=0.6)


def test_empty_knowledge_base_is_refused(encoder: SentenceEncoder) -> None:
    with pytest.raises(ValidationFailed):
        Matcher.build([], encoder=encoder)


def test_duplicate_entry_ids_are_refused(encoder: SentenceEncoder) -> None:
    items = [KnowledgeItem("a", ("转账",)), KnowledgeItem("a", ("挂失",))]
    with pytest.raises(ValidationFailed) as error:
        Matcher.build(items, encoder=encoder)
    assert error.value.field == "entry_id"


def test_entries_without_paraphrases_match_by_retrieval(encoder: SentenceEncoder) -> None:
    items = [
        KnowledgeItem("loss", ("银行卡丢了怎么挂失",)),
        KnowledgeItem("hours", ("网点营业时间是几点",)),
    ]
    matcher = Matcher.build(items, encoder=encoder)
    assert not matcher.uses_classifier
    assert matcher.match("卡丢了").top == "loss"


def test_restart_reuses_cached_embeddings(encoder: SentenceEncoder, tmp_path: Path) -> None:
    items = demo_knowledge_items()[:5]
    Matcher.build(items, encoder=encoder, cache_dir=tmp_path)
    counting = CountingEncoder(encoder)
    Matcher.build(items, encoder=counting, cache_dir=tmp_path)
    assert counting.embedded == 0


def test_changed_entry_is_embedded_again(encoder: SentenceEncoder, tmp_path: Path) -> None:
    items = demo_knowledge_items()[:5]
    Matcher.build(items, encoder=encoder, cache_dir=tmp_path)
    changed = [*items[:4], KnowledgeItem("new", ("怎么开通手机银行",))]
    counting = CountingEncoder(encoder)
    Matcher.build(changed, encoder=counting, cache_dir=tmp_path)
    assert counting.embedded > 0


def test_publish_swaps_in_the_rebuilt_matcher(encoder: SentenceEncoder) -> None:
    old = Matcher.build([KnowledgeItem("old", ("银行卡挂失",))], encoder=encoder)
    new = Matcher.build([KnowledgeItem("new", ("银行卡挂失",))], encoder=encoder)
    live = LiveMatcher(old)
    assert live.publish(new) is old
    assert live.match("挂失").top == "new"


def test_readers_never_see_a_half_built_index(encoder: SentenceEncoder) -> None:
    items_a = [KnowledgeItem("a1", ("挂失",)), KnowledgeItem("a2", ("转账",))]
    items_b = [KnowledgeItem("b1", ("挂失",)), KnowledgeItem("b2", ("转账",))]
    live = LiveMatcher(Matcher.build(items_a, encoder=encoder))
    seen: set[str | None] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(live.match("挂失").top)

    reader = threading.Thread(target=read)
    reader.start()
    live.rebuild(items_b, encoder=encoder)
    stop.set()
    reader.join()
    assert seen <= {"a1", "b1"} and live.match("挂失").top == "b1"


def test_same_meaning_pair_scores_above_different(demo_matcher: Matcher) -> None:
    same = demo_matcher.score_pair("信用卡怎么提额", "如何提高信用卡额度")
    different = demo_matcher.score_pair("信用卡怎么提额", "网点几点开门")
    assert same > different


def test_a_question_far_from_every_paraphrase_gets_no_neighbour_vote(
    demo_matcher: Matcher,
) -> None:
    # REQ: QC-5 — the nearest-paraphrase vote must not lend confidence to off-topic text.
    classifier = demo_matcher._classifier
    assert classifier is not None
    questions = len(classifier.question_entry)
    far = classifier._vote(np.full(questions, 0.2, dtype=np.float32))
    assert far.sum() < 0.01
    near = np.full(questions, 0.2, dtype=np.float32)
    near[0] = 2.0  # one knowledge-base question matches exactly (cosine 1 + TF-IDF 1)
    vote = classifier._vote(near)
    assert vote.argmax() == classifier.question_entry[0] and vote.max() > 0.99
