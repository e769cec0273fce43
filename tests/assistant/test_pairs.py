import numpy as np

from consultdesk.assistant.encoder import SentenceEncoder
from consultdesk.assistant.pairs import (
    FEATURE_NAMES,
    best_threshold,
    builtin_pair_model,
    fit_builtin_weights,
    pair_features,
)


def test_features_have_one_row_per_pair(encoder: SentenceEncoder) -> None:
    rows = pair_features([("转账", "汇款"), ("挂失", "挂失")], encoder=encoder)
    assert rows.shape == (2, len(FEATURE_NAMES))


def test_identical_questions_get_full_overlap(encoder: SentenceEncoder) -> None:
    row = pair_features([("信用卡怎么提额", "信用卡怎麼提額")], encoder=encoder)[0]
    assert row[FEATURE_NAMES.index("char_jaccard")] == 1.0


def test_builtin_model_prefers_paraphrase_over_unrelated(encoder: SentenceEncoder) -> None:
    rows = pair_features(
        [("银行卡丢了怎么办", "我的卡丢失了怎么挂失"), ("银行卡丢了怎么办", "理财收益多少")],
        encoder=encoder,
    )
    same, different = builtin_pair_model().probabilities(rows)
    assert same > different


def test_best_threshold_separates_separable_scores() -> None:
    scores = np.array([0.1, 0.2, 0.8, 0.9])
    labels = np.array([0, 0, 1, 1])
    threshold = best_threshold(scores, labels)
    assert 0.2 < threshold <= 0.8


def test_builtin_fit_keeps_similarity_weights_non_negative() -> None:
    rng = np.random.default_rng(0)
    features = rng.random((200, len(FEATURE_NAMES)))
    labels = (features[:, 0] > 0.5).astype(np.int64)
    model = fit_builtin_weights(features, labels)
    assert min(model.weights[:-1]) >= 0.0 and model.weights[0] > 0.0
