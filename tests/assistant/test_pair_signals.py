"""Text signals of question pairs: overlap, alignment and agreement (pair_signals)."""

import numpy as np

from consultdesk.assistant.normalize import normalize_text
from consultdesk.assistant.pair_signals import SIGNAL_NAMES, text_signals


def _signals(a: str, b: str) -> dict[str, float]:
    row = text_signals([normalize_text(a)], [normalize_text(b)])[0]
    return dict(zip(SIGNAL_NAMES, row.tolist(), strict=True))


def test_identical_questions_overlap_fully_and_agree() -> None:
    row = _signals("信用卡怎么提额", "信用卡怎么提额")
    assert row["char1_jaccard"] == row["char2_jaccard"] == row["edit_similarity"] == 1.0
    assert row["lcsubsequence_ratio"] == row["lcsubstring_ratio"] == 1.0
    conflicts = ("numbers_conflict", "negation_mismatch", "question_kind_conflict")
    assert all(row[name] == 0.0 for name in conflicts)


def test_different_amounts_and_terms_conflict() -> None:
    # 金额、期限 differ: not the same question even with the same words around them.
    assert _signals("借5000元分12期利息多少", "借3000元分6期利息多少")["numbers_conflict"] == 1.0
    # Chinese numerals are read as numbers (normalisation) before comparing.
    assert _signals("借五千元", "借5000元")["numbers_conflict"] == 0.0
    assert _signals("还款日是几号", "还款日是15号")["numbers_one_side"] == 1.0


def test_negation_mismatch_ignores_a_not_a_questions() -> None:
    assert _signals("可以提前还款", "不可以提前还款")["negation_mismatch"] == 1.0
    assert _signals("能不能提前还款", "能提前还款吗")["negation_mismatch"] == 0.0
    assert _signals("为什么没有到账", "为什么没到账")["negation_mismatch"] == 0.0


def test_question_kind_conflict_tells_why_from_how() -> None:
    assert _signals("为什么借款失败", "怎么借款")["question_kind_conflict"] == 1.0
    assert _signals("什么时候到账", "多久能到账")["question_kind_conflict"] == 0.0
    assert _signals("什么时候到账", "多久能到账")["question_kind_shared"] == 1.0


def test_edit_and_alignment_measure_the_shared_run() -> None:
    row = _signals("怎么更换绑定的银行卡", "如何更换绑定银行卡")
    assert 0.5 < row["edit_similarity"] < 1.0
    assert row["lcsubstring_ratio"] == 4 / 9  # 更换绑定 of the shorter 如何更换绑定银行卡
    assert row["suffix_shared"] == 3 / 9  # 银行卡


def test_any_text_gives_finite_signals() -> None:
    rows = text_signals(["", "a", "😀", "x" * 600], ["", "", "b", "y"])
    assert rows.shape == (4, len(SIGNAL_NAMES)) and np.isfinite(rows).all()
    assert text_signals([], []).shape == (0, len(SIGNAL_NAMES))
