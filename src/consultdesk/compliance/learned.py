"""The learned layer of the reply check (QC-6, RSK-1/3/7, SOL-5): per-code linear
classifiers over character n-grams of the normalised reply, plus the reply's context and
which rules fired, combined with the rule pack by one documented decision.

Features (``features``): 1-, 2- and 3-grams of the compact view (Traditional already
Simplified, full-width folded, spaces removed, English / pinyin phrases and Chinese
numbers rewritten; every run of digits read as one "0"), and context tokens: the topic,
verified, guaranteed, whether the product's risk is above the customer's tolerance, and
one token per code the rules raised.

Decision, per code c, with the score s = sigmoid(bias + Σ weights of present features):

* a rule hit flags, with the rule's own evidence and message, unless s < veto[c]
  (the model, reading the whole reply, is sure it is a compliant near miss: a
  refusal quoting the rule, a fraud warning naming the claim);
* with no rule hit, the model flags when s >= threshold[c] AND the context makes the
  code applicable (``APPLICABLE``: account facts only matter before verification,
  suitability only when the product's risk exceeds the customer's tolerance, 非保本 only
  for a wealth product that is not guaranteed, a missing rate source only when the reply
  holds a figure) AND the text's own share of the logit is positive (context alone, as
  in an empty reply, never flags). Unmasked numbers (pii_leak) are left to the rules:
  digits are exact.

For missing_risk_disclosure and missing_non_guaranteed the score is that of one more
column, ``product_talk`` (does the reply recommend or describe an investment product?),
and the flag also needs the pack's own pattern for the statement (风险提示 / 不保本) to be
absent: the model learns what product talk sounds like, the reviewed pack keeps deciding
what counts as the disclosure. A reply flagged forbidden_claim (a promise about returns
or principal) counts as product talk whatever its product_talk score. The product_talk
column is fitted without the rule-hit tokens, so it can veto a disclosure rule that
fired on a fraud warning or a refusal.

Thresholds and vetoes were chosen by cross-validation over training families (see
``training.py``); a code whose threshold is +inf is rules-only. A learned flag names
its code, the rule id ``ML-<code>``, the highest-weight span of the reply as evidence,
its score in the message, and the fix (the action and appended disclosure of the code's
first rule in the pack). The weights ship in ``data/reply_model.npz``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from consultdesk.compliance.engine import Hit, RequiredDisclosureDetector, Rule, RulePack
from consultdesk.compliance.model import ReplyContext, RuleId, Violation
from consultdesk.compliance.normalize import Normalized

MODEL_FILE = "reply_model.npz"
# An extra column: does the reply talk about (recommend, describe) an investment product?
PRODUCT_TALK = "product_talk"
# Codes decided as "product talk (learned) and the statement absent (the pack's pattern)".
DISCLOSURE_CODES = frozenset({"missing_risk_disclosure", "missing_non_guaranteed"})
MAX_N = 3
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_EVIDENCE_MAX = 24  # compact characters

# When a code can apply at all, from the context (the rules gate the same way).
APPLICABLE: Mapping[str, Callable[[ReplyContext, Normalized], bool]] = {
    "balance_unverified": lambda ctx, norm: not ctx.verified,
    "suitability_mismatch": lambda ctx, norm: (
        ctx.product_risk is not None
        and ctx.customer_risk is not None
        and ctx.product_risk > ctx.customer_risk
    ),
    "missing_non_guaranteed": lambda ctx, norm: (
        ctx.topic == "wealth" and ctx.guaranteed is not True
    ),
    "missing_rate_source": lambda ctx, norm: any(ch.isdigit() for ch in norm.text),
    "pii_leak": lambda ctx, norm: False,  # rules only: card, ID and mobile numbers are exact
}

# What an agent reads on a learned flag: {match} is the evidence, {score} the model's score.
MESSAGES: Mapping[str, str] = {
    "forbidden_claim": (
        "疑似承诺保本、保收益或夸大收益：“{match}”（模型评分 "
        "{score}）。请删除该说法，如实说明产品不保本、收益不确定。"
    ),
    "missing_risk_disclosure": (
        "介绍或推荐产品须作风险提示（模型评分 {score}，依据“{match}”），已在末尾补充。"
    ),
    "missing_non_guaranteed": (
        "理财产品须说明不保本（非保本）（模型评分 {score}，依据“{match}”），已在末尾补充。"
    ),
    "missing_rate_source": (
        "数字未注明来源或“以审批为准”（模型评分 {score}，依据“{match}”），已在末尾补充。"
    ),
    "credential_request": (
        "疑似索要密码、验证码等凭据：“{match}”（模型评分 {"
        "score}）。请删除，改请客户在手机银行自行输入，切勿索要。"
    ),
    "balance_unverified": (
        "身份核验前疑似告知余额或账户信息：“{match}”（模型评分 {score}）。请先完成身份核验再答复。"
    ),
    "suitability_mismatch": (
        "产品风险高于客户风险承受能力，回复疑似仍在推荐：“{ma"
        "tch}”（模型评分 {score}）。请改为说明不匹配。"
    ),
    "jargon_unexplained": (
        "疑似使用未解释的术语：“{match}”（模型评分 {score}），请用通俗语言说明。"
    ),
    "pii_leak": ("回复疑似含未遮盖的个人信息：“{match}”（模型评分 {score}）。"),
}


def shape(compact: str) -> tuple[str, list[int]]:
    """The compact view with each run of digits read as one "0", and for each character
    of the result its position in ``compact``."""
    out: list[str] = []
    index: list[int] = []
    last = 0
    for m in _DIGITS.finditer(compact):
        out.append(compact[last : m.start()])
        index.extend(range(last, m.start()))
        out.append("0")
        index.append(m.start())
        last = m.end()
    out.append(compact[last:])
    index.extend(range(last, len(compact)))
    return "".join(out), index


def text_ngrams(shaped: str) -> Iterable[tuple[str, int]]:
    """Every 1- to 3-gram of the shaped text with its start; "^"/"$" mark the ends."""
    padded = "^" + shaped + "$"
    for n in range(1, MAX_N + 1):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram in ("^", "$"):
                continue
            yield gram, i - 1


def context_tokens(ctx: ReplyContext, rule_codes: Iterable[str]) -> list[str]:
    """The context as features: topic, verified, guaranteed, risk mismatch, rules fired."""
    mismatch = (
        ctx.product_risk is not None
        and ctx.customer_risk is not None
        and ctx.product_risk > ctx.customer_risk
    )
    tokens = [
        f"#topic={ctx.topic}",
        f"#verified={int(ctx.verified)}",
        f"#guaranteed={ctx.guaranteed}",
        f"#mismatch={int(mismatch)}",
        f"#topic={ctx.topic}&verified={int(ctx.verified)}",
    ]
    tokens.extend(f"#rule={code}" for code in sorted(set(rule_codes)))
    return tokens


def features(norm: Normalized, ctx: ReplyContext, rule_codes: Iterable[str]) -> set[str]:
    """The feature set of one reply (shared by training and checking)."""
    shaped, _ = shape(norm.compact)
    found = {gram for gram, _ in text_ngrams(shaped)}
    found.update(context_tokens(ctx, rule_codes))
    return found


@dataclass(frozen=True)
class LearnedLayer:
    """Fitted weights: vocabulary → row of ``weights`` (one column per code)."""

    codes: tuple[str, ...]
    vocabulary: Mapping[str, int]
    weights: NDArray[np.float32]
    bias: NDArray[np.float32]
    thresholds: NDArray[np.float32]
    vetoes: NDArray[np.float32]
    meta: Mapping[str, object]

    def scores(self, feats: Iterable[str]) -> tuple[dict[str, float], dict[str, float]]:
        """The model's score (0..1) for every code, and the part of each logit that comes
        from the text alone (context tokens start with "#")."""
        rows = [self.vocabulary[f] for f in feats if f in self.vocabulary and f[0] != "#"]
        context_rows = [self.vocabulary[f] for f in feats if f in self.vocabulary and f[0] == "#"]
        text = self.weights[rows].sum(axis=0) if rows else np.zeros(len(self.codes))
        logits = self.bias + text + self.weights[context_rows].sum(axis=0)
        scores = {
            code: 1.0 / (1.0 + math.exp(-float(z)))
            for code, z in zip(self.codes, logits, strict=True)
        }
        return scores, {code: float(t) for code, t in zip(self.codes, text, strict=True)}

    def evidence(self, norm: Normalized, code: str) -> tuple[int, int]:
        """The original span whose n-grams weigh most towards ``code`` (max-sum window)."""
        column = self.codes.index(code)
        shaped, index = shape(norm.compact)
        if not shaped:
            return (0, 0)
        gain = [0.0] * len(shaped)
        for gram, start in text_ngrams(shaped):
            row = self.vocabulary.get(gram)
            if row is None:
                continue
            weight = float(self.weights[row, column]) / len(gram)
            for p in range(max(0, start), min(len(shaped), start + len(gram))):
                gain[p] += weight
        best, best_span, run, run_start = -math.inf, (0, 1), 0.0, 0
        for p, g in enumerate(gain):
            if run <= 0 or p - run_start >= _EVIDENCE_MAX:
                run, run_start = 0.0, p
            run += g
            if run > best:
                best, best_span = run, (run_start, p + 1)
        first = index[best_span[0]]
        last = index[best_span[1] - 1]
        # A digit run read as "0" stands for the whole number.
        m = _DIGITS.match(norm.compact, last)
        end = m.end() if m else last + 1
        return norm.span_of_compact(first, end)

    def decide(
        self,
        *,
        norm: Normalized,
        context: ReplyContext,
        found: Sequence[tuple[Violation, Hit]],
        pack: RulePack,
    ) -> list[tuple[Violation, Hit]]:
        """The rule findings kept and the learned flags added (see the module docstring)."""
        rule_codes = {v.code for v, _ in found}
        scores, text_part = self.scores(features(norm, context, rule_codes))

        def column_of(code: str) -> str:
            return PRODUCT_TALK if code in DISCLOSURE_CODES else code

        kept = [
            (v, h)
            for v, h in found
            if v.code not in self.codes
            or scores[column_of(v.code)] >= self.vetoes[self.codes.index(v.code)]
        ]
        for column, code in enumerate(self.codes):
            if code == PRODUCT_TALK or code in rule_codes:
                continue
            score = scores[column_of(code)]
            # A promise about returns or principal is talk about a product.
            claimed = code in DISCLOSURE_CODES and any(v.code == "forbidden_claim" for v, _ in kept)
            # Product talk is one question for both disclosures: a wealth reply that is
            # product talk enough to need a risk line needs the 非保本 statement too.
            threshold = self.thresholds[column]
            if code == "missing_non_guaranteed" and "missing_risk_disclosure" in self.codes:
                threshold = min(
                    threshold, self.thresholds[self.codes.index("missing_risk_disclosure")]
                )
            if not claimed and (score < threshold or text_part[column_of(code)] <= 0):
                continue  # the context alone never flags: the words must point to the code
            applicable = APPLICABLE.get(code)
            if applicable is not None and not applicable(context, norm):
                continue
            rule = pack.primary_rule(code)
            if rule is None:
                continue
            if code in DISCLOSURE_CODES and _statement_made(rule, norm):
                continue
            span = self.evidence(norm, column_of(code))
            match = norm.original[span[0] : span[1]]
            message = MESSAGES[code].format(match=match, score=f"{score:.2f}")
            violation = Violation(code, RuleId(f"ML-{code}"), span, message, rule.action)
            kept.append((violation, Hit(span, {"match": match, "score": f"{score:.2f}"})))
        return kept


def _statement_made(rule: Rule, norm: Normalized) -> bool:
    """The pack's own test of a required statement (风险提示 / 不保本) on the reply."""
    detector = rule.detector
    return isinstance(detector, RequiredDisclosureDetector) and detector.is_satisfied(norm.compact)


def save_layer(layer: LearnedLayer, path: Path) -> None:
    """Write the fitted layer as one compressed npz (weights float16)."""
    grams = sorted(layer.vocabulary, key=layer.vocabulary.__getitem__)
    np.savez_compressed(
        path,
        vocabulary=np.frombuffer("\n".join(grams).encode("utf-8"), dtype=np.uint8),
        weights=layer.weights.astype(np.float16),
        bias=layer.bias.astype(np.float32),
        thresholds=layer.thresholds.astype(np.float32),
        vetoes=layer.vetoes.astype(np.float32),
        codes=np.frombuffer("\n".join(layer.codes).encode("utf-8"), dtype=np.uint8),
        meta=np.frombuffer(
            json.dumps(layer.meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
        ),
    )


def load_layer(path: Path | None = None) -> LearnedLayer:
    """Read a layer written by ``save_layer``; the shipped one when ``path`` is None."""
    source = (
        resources.files("consultdesk.compliance").joinpath("data", MODEL_FILE)
        if path is None
        else path
    )
    with source.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
        grams = bytes(data["vocabulary"]).decode("utf-8").split("\n")
        return LearnedLayer(
            codes=tuple(bytes(data["codes"]).decode("utf-8").split("\n")),
            vocabulary={gram: i for i, gram in enumerate(grams)},
            weights=data["weights"].astype(np.float32),
            bias=data["bias"].astype(np.float32),
            thresholds=data["thresholds"].astype(np.float32),
            vetoes=data["vetoes"].astype(np.float32),
            meta=json.loads(bytes(data["meta"]).decode("utf-8")),
        )


@cache
def default_layer() -> LearnedLayer:
    """The shipped layer, loaded once per process."""
    return load_layer()
