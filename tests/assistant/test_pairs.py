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


def _demo_pairs(count: int, seed: int) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Labelled pairs from the demo knowledge base: two questions of one entry are
    the same meaning, questions of two entries are not."""
    from consultdesk.assistant.entries import demo_knowledge_items

    items = [item for item in demo_knowledge_items() if len(item.questions) >= 2]
    rng = np.random.default_rng(seed)
    pairs: list[tuple[str, str]] = []
    labels: list[int] = []
    for n in range(count):
        first = items[int(rng.integers(len(items)))]
        if n % 2 == 0:
            a, b = rng.choice(len(first.questions), 2, replace=False)
            pairs.append((first.questions[int(a)], first.questions[int(b)]))
        else:
            second = items[int(rng.integers(len(items)))]
            while second.entry_id == first.entry_id:
                second = items[int(rng.integers(len(items)))]
            pairs.append((first.questions[0], second.questions[-1]))
        labels.append(1 - n % 2)
    return pairs, np.array(labels, dtype=np.int64)


def test_calibration_reweights_the_scores_on_labelled_pairs(encoder: SentenceEncoder) -> None:
    # REQ: QC-5 — pairs labelled same/different calibrate the matcher's pair score.
    from sklearn.metrics import roc_auc_score

    from consultdesk.assistant.pairs import CalibratedPairModel, calibrate_pair_model

    pairs, same = _demo_pairs(400, seed=1)
    model, scores = calibrate_pair_model(pairs, same, encoder=encoder)
    assert isinstance(model, CalibratedPairModel) and scores.shape == (400,)
    held_out, truth = _demo_pairs(200, seed=2)
    calibrated = model.score(held_out, encoder=encoder)
    builtin = builtin_pair_model().score(held_out, encoder=encoder)
    assert roc_auc_score(truth, calibrated) > 0.9
    assert roc_auc_score(truth, calibrated) >= roc_auc_score(truth, builtin) - 0.02


def test_too_few_or_one_sided_labels_keep_the_builtin_weights(encoder: SentenceEncoder) -> None:
    from consultdesk.assistant.pairs import calibrate_pair_model

    pairs, same = _demo_pairs(20, seed=3)
    model, scores = calibrate_pair_model(pairs, same, encoder=encoder)
    assert model is builtin_pair_model() and scores.shape == (20,)
    pairs, _ = _demo_pairs(300, seed=4)
    model, _ = calibrate_pair_model(pairs, np.ones(300, dtype=np.int64), encoder=encoder)
    assert model is builtin_pair_model()


def test_trained_model_blends_tokens_network_and_trees(encoder: SentenceEncoder) -> None:
    from sklearn.metrics import roc_auc_score

    from consultdesk.assistant.pairs import train_pair_model

    pairs, same = _demo_pairs(300, seed=5)
    model = train_pair_model(pairs, same, encoder=encoder)
    held_out, truth = _demo_pairs(200, seed=6)
    scores = model.score(held_out, encoder=encoder)
    assert scores.shape == (200,) and ((scores >= 0) & (scores <= 1)).all()
    assert roc_auc_score(truth, scores) > 0.85
    assert model.score([], encoder=encoder).shape == (0,)


def test_difference_rows_encode_what_only_one_side_says(encoder: SentenceEncoder) -> None:
    from consultdesk.assistant.pairs import DIFFERENCE_NAMES, _difference_rows, _encoded

    pairs = [("信用卡怎么还款", "信用卡怎么还款"), ("信用卡怎么还款", "信用卡如何还款"),
             ("信用卡怎么还款", "信用卡怎么借款")]  # fmt: skip
    left, right, [(u, v)] = _encoded(pairs, [encoder])
    rows = _difference_rows(left, right, u, v, encoder)
    assert rows.shape == (3, len(DIFFERENCE_NAMES)) and np.isfinite(rows).all()
    names = {n: i for i, n in enumerate(DIFFERENCE_NAMES)}
    assert rows[0, names["difference_both_empty"]] == 1 and rows[0, names["difference_cosine"]] == 0
    assert rows[1, names["difference_one_empty"]] == 0
    # 怎么/如何 differ in words, not in meaning; 还款/借款 differ in meaning
    assert rows[1, names["difference_cosine"]] > rows[2, names["difference_cosine"]]
