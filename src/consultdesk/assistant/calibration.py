"""The learned combination of dense and lexical evidence into a calibrated
probability that a knowledge-base entry answers a question.

Contract: `Combination.probability(dense, lexical)` maps the best cosine of a
question against an entry's questions and the best normalised BM25 score onto
P(entry is right) in [0, 1]. `fit_combination` learns it from held-out paraphrases
(logistic regression on candidates: the right entry against the strongest wrong ones,
weights held non-negative).
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
    (then the caller keeps the defaults).

    A logistic regression (L2, C = 1) whose two weights are held >= 0: more
    similarity can never make an entry less likely right. Unconstrained, a knowledge
    base with near-duplicate entries (the same words, another circumstance: "在柜台
    办理信用卡" beside "手机办理信用卡") taught the fit a negative BM25 weight, and
    every answer on a 1,000-entry base was wrong (bench/bench_kb_scale.py); None
    as well when the dense weight ends at zero."""
    if right.size == 0 or right.all() or not right.any():
        return None
    from scipy.optimize import minimize

    features = np.column_stack([dense, lexical]).astype(np.float64)
    signs = np.where(right, 1.0, -1.0)

    def loss(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        margins = signs * (features @ theta[:2] + theta[2])
        value = float(np.sum(np.logaddexp(0.0, -margins)) + 0.5 * theta[:2] @ theta[:2])
        weights = -signs * logistic(-margins)
        gradient = np.append(features.T @ weights + theta[:2], weights.sum())
        return value, gradient

    result = minimize(
        loss,
        np.zeros(3),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None), (0.0, None), (None, None)],
    )
    if result.x[0] <= 1e-6:
        # Similarity pinned at zero weight: among this base's candidates the closest
        # is no likelier right (entries nearer each other than their paraphrases);
        # such a fit would rank every entry alike, so the defaults stay.
        return None
    return Combination(
        dense_weight=float(result.x[0]),
        lexical_weight=float(result.x[1]),
        bias=float(result.x[2]),
        fitted=True,
    )
