"""The learned combination of dense and lexical evidence into a calibrated
probability that a knowledge-base entry answers a question.

Contract: `Combination.probability(dense, lexical)` maps the best cosine of a
question against an entry's questions and the best normalised BM25 score onto
P(entry is right) in [0, 1]. `fit_combination` learns it from held-out paraphrases
(logistic regression on candidates: the right entry against the strongest wrong ones).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# Derived by `fit_combination` on the demo knowledge base's paraphrases
# (resources/demo_kb.yaml, leave-one-question-out, USE encoder); see
# bench/derive_assistant_defaults.py. Never fitted on BQ or BANKING77.
DEFAULT_DENSE_WEIGHT = 5.790
DEFAULT_LEXICAL_WEIGHT = 1.852
DEFAULT_BIAS = -5.442


def logistic(logits: NDArray[np.floating]) -> NDArray[np.float64]:
    """The logistic function, clipped so that no logit overflows."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30))), dtype=np.float64)


@dataclass(frozen=True)
class Combination:
    dense_weight: float = DEFAULT_DENSE_WEIGHT
    lexical_weight: float = DEFAULT_LEXICAL_WEIGHT
    bias: float = DEFAULT_BIAS
    fitted: bool = False

    def probability(
        self, dense: NDArray[np.floating], lexical: NDArray[np.floating]
    ) -> NDArray[np.float64]:
        """P(right entry) for each (dense, lexical) pair, elementwise."""
        return logistic(self.dense_weight * dense + self.lexical_weight * lexical + self.bias)


def fit_combination(
    dense: NDArray[np.floating], lexical: NDArray[np.floating], right: NDArray[np.bool_]
) -> Combination | None:
    """Fit the combination on candidate rows; None when the rows hold one class only
    (then the caller keeps the defaults)."""
    if right.size == 0 or right.all() or not right.any():
        return None
    from sklearn.linear_model import LogisticRegression

    features = np.column_stack([dense, lexical])
    model = LogisticRegression(C=1.0, max_iter=500).fit(features, right.astype(int))
    return Combination(
        dense_weight=float(model.coef_[0][0]),
        lexical_weight=float(model.coef_[0][1]),
        bias=float(model.intercept_[0]),
        fitted=True,
    )
