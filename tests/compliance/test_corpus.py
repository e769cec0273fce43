"""Recall and false alarms of the shipped rule pack on the labelled corpus (QC-6)."""

from __future__ import annotations

from collections import Counter

from consultdesk.compliance.model import VIOLATION_CODES, ReplyContext
from consultdesk.compliance.rulepack import check_reply
from tests.compliance.corpus import full_corpus

CORPUS = full_corpus()
RESULTS = [
    (expected, check_reply(text=text, context=ReplyContext.from_mapping(ctx)).codes)
    for text, ctx, expected in CORPUS
]


def test_corpus_holds_at_least_300_replies_with_every_code() -> None:
    assert len(CORPUS) >= 300
    seen = Counter(code for _, _, expected in CORPUS for code in expected)
    assert set(seen) == set(VIOLATION_CODES)
    assert sum(1 for _, _, expected in CORPUS if not expected) >= 100


# REQ: QC-6
def test_recall_is_at_least_95_percent_for_every_code() -> None:
    for code in VIOLATION_CODES:
        positives = [got for expected, got in RESULTS if code in expected]
        recall = sum(code in got for got in positives) / len(positives)
        assert recall >= 0.95, (code, recall)


# REQ: QC-6
def test_false_alarms_on_compliant_replies_are_at_most_5_percent() -> None:
    compliant = [got for expected, got in RESULTS if not expected]
    assert sum(bool(got) for got in compliant) / len(compliant) <= 0.05


# REQ: QC-6
def test_no_code_is_raised_where_the_label_does_not_have_it_beyond_5_percent() -> None:
    for code in VIOLATION_CODES:
        negatives = [got for expected, got in RESULTS if code not in expected]
        rate = sum(code in got for got in negatives) / len(negatives)
        assert rate <= 0.05, (code, rate)


# REQ: QC-6
def test_fixed_text_leaves_nothing_for_the_fixing_rules() -> None:
    from consultdesk.compliance.model import Action

    for text, ctx, _ in CORPUS:
        context = ReplyContext.from_mapping(ctx)
        fixed = check_reply(text=text, context=context).fixed_text
        again = check_reply(text=fixed, context=context)
        assert not [v for v in again.violations if v.action is Action.FIX], fixed
