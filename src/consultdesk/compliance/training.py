"""Fitting the learned layer (``learned.py``) on a labelled corpus (QC-6).

``train_layer`` reads labelled replies (the fields of ``compliance check`` input plus
``expect``, ``family`` and ``split``), keeps the ``train`` split, and for every code:

1. fits an L2 logistic regression (liblinear, balanced classes) on binary features
   (n-grams seen in at least ``min_df`` training replies, plus context tokens);
2. scores every training reply out of fold (grouped 5-fold: a family is never in the
   fold it is scored by) and picks the threshold and the rule veto that maximise
   recall − cost × false-positive rate of the combined decision, where the cost is
   ``fp_cost`` for a code whose rules block the reply (the agent must rewrite it) and
   ``fp_cost`` × ``fix_discount`` for one whose rules fix it (a disclosure or source
   line appended, the reply still goes out): a false fix costs an agent less;
3. refits on all training families; weights below ``prune`` in every column are
   dropped so the shipped file stays small.

Training needs scikit-learn; checking does not. Reproduce the shipped weights with
``.venv/bin/python bench/train_compliance_model.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from consultdesk.compliance.engine import RequiredDisclosureDetector
from consultdesk.compliance.labelled import Labelled
from consultdesk.compliance.learned import (
    APPLICABLE,
    DISCLOSURE_CODES,
    PRODUCT_TALK,
    LearnedLayer,
    features,
)
from consultdesk.compliance.model import VIOLATION_CODES, Action
from consultdesk.compliance.normalize import normalize
from consultdesk.compliance.rulepack import default_rule_pack
from consultdesk.shared.errors import ValidationFailed


def _prepared(
    rows: Sequence[Labelled],
) -> tuple[list[set[str]], list[set[str]], list[dict[str, bool]]]:
    pack = default_rule_pack()
    feats, rule_codes, gates = [], [], []
    for row in rows:
        norm = normalize(row.text)
        codes = {v.code for v, _ in pack.findings(norm, row.context)}
        rule_codes.append(codes)
        feats.append(features(norm, row.context, codes))
        gates.append(
            {
                c: (APPLICABLE[c](row.context, norm) if c in APPLICABLE else True)
                for c in VIOLATION_CODES
            }
        )
    return feats, rule_codes, gates


def _matrix(feats: Sequence[set[str]], vocabulary: dict[str, int]) -> csr_matrix:
    indptr, indices = [0], []
    for fs in feats:
        indices.extend(sorted(vocabulary[f] for f in fs if f in vocabulary))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return csr_matrix((data, indices, indptr), shape=(len(feats), len(vocabulary)))


def _fit(x: csr_matrix, y: NDArray[np.bool_], c: float) -> LogisticRegression:
    model = LogisticRegression(
        C=c, solver="liblinear", class_weight="balanced", max_iter=200, random_state=0
    )
    model.fit(x, y)
    return model


def choose_cut(
    y: NDArray[np.bool_],
    scores: NDArray[np.float64],
    rule: NDArray[np.bool_],
    gate: NDArray[np.bool_],
    *,
    fp_cost: float,
    also: NDArray[np.bool_] | None = None,
) -> tuple[float, float, dict[str, float]]:
    """Threshold and veto maximising recall − fp_cost × FP rate of
    (rule ∧ s ≥ veto) ∨ (gate ∧ s ≥ threshold); ties go to the higher threshold and the
    lower veto."""
    positives = max(1, int(y.sum()))
    negatives = max(1, int((~y).sum()))
    grid = sorted({float(v) for v in np.quantile(scores, np.linspace(0, 1, 201))} | {0.5})
    thresholds = [*grid, float("inf")]
    vetoes = [0.0, *[v for v in grid if v <= 0.5]]
    best: tuple[float, float, float, float] | None = None
    best_stats: dict[str, float] = {}
    for thr in thresholds:
        learned = gate & (scores >= thr)
        if also is not None:
            learned = learned | also
        for veto in vetoes:
            pred = (rule & (scores >= veto)) | learned
            tp = int((pred & y).sum())
            fp = int((pred & ~y).sum())
            objective = tp / positives - fp_cost * fp / negatives
            key = (objective, thr, -veto, 0.0)
            if best is None or key > best:
                best = key
                best_stats = {"recall": tp / positives, "fp_rate": fp / negatives, "fp": fp}
    assert best is not None
    return best[1], -best[2], best_stats


def train_layer(
    rows: Sequence[Labelled],
    *,
    c: float = 2.0,
    min_df: int = 2,
    fp_cost: float = 8.0,
    fix_discount: float = 0.5,
    prune: float = 0.01,
    folds: int = 5,
    corpus_digest: str = "",
) -> LearnedLayer:
    """Fit the layer on the ``train`` rows (see the module docstring)."""
    train = [r for r in rows if r.split == "train"]
    if not train:
        raise ValidationFailed("没有训练数据（split=train）", field="split")
    feats, rule_codes, gates = _prepared(train)
    df = Counter(f for fs in feats for f in fs)
    vocabulary = {
        f: i
        for i, f in enumerate(sorted(f for f, n in df.items() if n >= min_df or f.startswith("#")))
    }
    x = _matrix(feats, vocabulary)
    groups = np.array([r.family for r in train])
    ordered = sorted(vocabulary, key=vocabulary.__getitem__)
    text_columns = np.array([not f.startswith("#") for f in ordered])
    x_text = x[:, np.flatnonzero(text_columns)]
    # Product talk is judged from the words and the context, not from which rules fired
    # (so that it can overrule a disclosure rule that fired on a fraud warning).
    rule_columns = np.array([f.startswith("#rule=") for f in ordered])
    x_no_rules = x[:, np.flatnonzero(~rule_columns)]
    columns = (*VIOLATION_CODES, PRODUCT_TALK)
    weights = np.zeros((len(vocabulary), len(columns)), dtype=np.float32)
    bias = np.zeros(len(columns), dtype=np.float32)
    thresholds = np.full(len(columns), np.inf, dtype=np.float32)
    vetoes = np.zeros(len(columns), dtype=np.float32)
    cv: dict[str, Any] = {}
    norms = [normalize(r.text) for r in train]

    def fit_column(
        j: int, y: NDArray[np.bool_], known: NDArray[np.bool_], *, use_rules: bool = True
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Out-of-fold scores and text-share signs of column j; then the final fit."""
        xs = x if use_rules else x_no_rules
        kept_columns = np.ones(len(ordered), dtype=bool) if use_rules else ~rule_columns
        text_of_kept = text_columns[kept_columns]
        oof = np.zeros(len(train))
        text_says = np.zeros(len(train), dtype=bool)
        for fold_idx, score_idx in GroupKFold(n_splits=folds).split(xs, y, groups):
            fit_idx = fold_idx[known[fold_idx]]
            if y[fit_idx].all() or not y[fit_idx].any():
                oof[score_idx] = y[fit_idx].mean() if len(fit_idx) else 0.0
                continue
            model = _fit(xs[fit_idx], y[fit_idx], c)
            oof[score_idx] = model.predict_proba(xs[score_idx])[:, 1]
            text_says[score_idx] = (x_text[score_idx] @ model.coef_[0][text_of_kept]) > 0
        model = _fit(xs[known], y[known], c)
        weights[np.flatnonzero(kept_columns), j] = model.coef_[0]
        bias[j] = model.intercept_[0]
        return oof, text_says

    everyone = np.ones(len(train), dtype=bool)
    talk_y = np.array([bool(r.product_talk) for r in train])
    talk_known = np.array([r.product_talk is not None for r in train])
    talk_oof, talk_text = fit_column(len(VIOLATION_CODES), talk_y, talk_known, use_rules=False)
    pack = default_rule_pack()
    claim_flags: NDArray[np.bool_] | None = None
    for j, code in enumerate(VIOLATION_CODES):
        primary_rule = pack.primary_rule(code)
        cost = fp_cost
        if primary_rule is not None and primary_rule.action is Action.FIX:
            cost = fp_cost * fix_discount
        y = np.array([code in r.expect for r in train])
        rule = np.array([code in rc for rc in rule_codes])
        gate = np.array([g[code] for g in gates])
        if y.sum() < 2:
            continue
        if code in DISCLOSURE_CODES:
            # Whether the reply talks about a product is learned; whether the statement
            # is there is the pack's own (reviewed) pattern.
            primary = pack.primary_rule(code)
            detector = primary.detector if primary is not None else None
            if not isinstance(detector, RequiredDisclosureDetector):
                raise ValidationFailed(f"规则包缺少 {code} 的披露规则", field="pack")
            said = np.array([detector.is_satisfied(n.compact) for n in norms])
            oof, text_says, gate = talk_oof, talk_text, gate & ~said
            # A promise about returns or principal is talk about a product (see learned.py).
            claimed = claim_flags if claim_flags is not None else np.zeros(len(train), dtype=bool)
            thr, veto, stats = choose_cut(
                y, oof, rule, gate & text_says, fp_cost=cost, also=gate & claimed
            )
        else:
            oof, text_says = fit_column(j, y, everyone)
            # The same gates as learned.LearnedLayer.decide: context, and the text's own share.
            thr, veto, stats = choose_cut(y, oof, rule, gate & text_says, fp_cost=cost)
            if code == "forbidden_claim":
                claim_flags = (rule & (oof >= veto)) | (gate & text_says & (oof >= thr))
        if code != "pii_leak":  # rules only (see learned.APPLICABLE)
            thresholds[j] = thr
        vetoes[j] = veto if code not in ("pii_leak", "suitability_mismatch") else 0.0
        rules_tp = int((rule & y).sum())
        cv[code] = {
            "threshold": thr,
            "veto": float(vetoes[j]),
            "oof_recall": round(stats["recall"], 4),
            "oof_fp_rate": round(stats["fp_rate"], 4),
            "rules_only_recall": round(rules_tp / max(1, int(y.sum())), 4),
            "positives": int(y.sum()),
        }
    cv_objective = float(
        np.mean([v["oof_recall"] - fp_cost * v["oof_fp_rate"] for v in cv.values()])
    )
    keep = np.abs(weights).max(axis=1) >= prune
    grams = sorted(vocabulary, key=vocabulary.__getitem__)
    kept = [g for g, k in zip(grams, keep, strict=True) if k]
    meta = {
        "pack_version": default_rule_pack().version,
        "corpus_sha256": corpus_digest,
        "train_replies": len(train),
        "train_families": len(set(groups)),
        "c": c,
        "min_df": min_df,
        "fp_cost": fp_cost,
        "fix_discount": fix_discount,
        "cv_objective": round(cv_objective, 4),
        "cv": cv,
    }
    return LearnedLayer(
        codes=columns,
        vocabulary={g: i for i, g in enumerate(kept)},
        weights=weights[keep],
        bias=bias,
        thresholds=thresholds,
        vetoes=vetoes,
        meta=meta,
    )
