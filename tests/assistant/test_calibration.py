"""The learned dense/lexical combination keeps its weights non-negative."""

import numpy as np

from consultdesk.assistant.calibration import fit_combination


def test_the_fit_equals_a_plain_logistic_regression_when_weights_come_out_positive() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    dense, lexical = rng.random(2000), rng.random(2000)
    right = dense * 3 + lexical + rng.normal(0, 1, 2000) > 2.5
    fitted = fit_combination(dense, lexical, right)
    plain = LogisticRegression(C=1.0).fit(np.column_stack([dense, lexical]), right)
    assert fitted is not None and fitted.fitted
    assert np.allclose(
        [fitted.dense_weight, fitted.lexical_weight, fitted.bias],
        [*plain.coef_[0], plain.intercept_[0]],
        atol=0.01,
    )


def test_more_word_overlap_never_lowers_the_probability() -> None:
    # Near-duplicate entries (same words, another circumstance) outscore the right
    # entry's paraphrases lexically; unconstrained, the BM25 weight went negative.
    rng = np.random.default_rng(1)
    dense, lexical = rng.random(2000), rng.random(2000)
    right = dense * 3 - lexical * 2 + rng.normal(0, 0.5, 2000) > 0.5
    fitted = fit_combination(dense, lexical, right)
    assert fitted is not None and fitted.lexical_weight == 0.0 and fitted.dense_weight > 0
    assert (np.diff(fitted.probability(np.full(5, 0.5), np.linspace(0, 1, 5))) >= 0).all()


def test_a_fit_where_similarity_does_not_help_keeps_the_defaults() -> None:
    rng = np.random.default_rng(2)
    dense, lexical = rng.random(2000), rng.random(2000)
    right = -dense - lexical + rng.normal(0, 0.3, 2000) > -1.0
    assert fit_combination(dense, lexical, right) is None
    assert fit_combination(dense, lexical, np.ones(2000, dtype=bool)) is None
