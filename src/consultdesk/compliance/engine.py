"""The reply compliance engine (QC-6): a versioned rule pack of detectors run over a
normalised reply. Pure: standard library and PyYAML-free once the pack is parsed
(parsing lives in ``rulepack.py``); no clock, no database.

``check_reply`` is the contract: given a reply and its context it returns every
violation (code, rule id, span in the original text, Chinese message, action) and the
text after the fixing rules ran (numbers masked, standard disclosures appended).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from consultdesk.compliance.model import (
    Action,
    CheckResult,
    ReplyContext,
    RuleExample,
    RuleId,
    Violation,
)
from consultdesk.compliance.normalize import Normalized, fold_char, normalize

_SENTENCE_END = re.compile(r"[。！？；;!?\n]")
_OPEN_QUOTES = frozenset("“「『\"'‘《")
_CLOSE_QUOTES = frozenset("”」』\"'’》")
_QUESTION = re.compile(r"[吗么嘛]")
_RANGE_AFTER = re.compile(r"\s*(?:以上|以下|以内|起|封顶)")


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a detector fired: original [start, end) and values for the message."""

    span: tuple[int, int]
    values: Mapping[str, str] = field(default_factory=dict)
    mask: str | None = None  # "card" | "id" | "mobile": the span is to be masked


class Detector(Protocol):
    """How a rule looks at a reply."""

    def find(self, norm: Normalized, ctx: ReplyContext) -> list[Hit]: ...


@dataclass(frozen=True, slots=True)
class Negation:
    """Negation and mention awareness shared by the claim rules (本产品不保本 is no claim)."""

    before: re.Pattern[str]
    before_clause: re.Pattern[str]
    before_question: re.Pattern[str]
    question: re.Pattern[str]
    gap: int
    gap_allowed: re.Pattern[str]
    after: re.Pattern[str]
    not_negating: re.Pattern[str]
    boundaries: frozenset[str]
    lookback: int
    lookahead: int

    def _crosses_boundary(self, norm: Normalized, left: int, right: int) -> bool:
        """True when original text between compact positions left (exclusive end) and
        right (start) holds a clause boundary; adjacent positions (left == right) can
        still have one between them (谨防诈骗。告诉我密码)."""
        if left > right:
            return False
        start = norm.compact_index[left - 1] + 1 if left > 0 else 0
        end = norm.compact_index[right] if right < len(norm.compact_index) else len(norm.original)
        return any(ch in self.boundaries for ch in norm.original[start:end])

    @staticmethod
    def _quoted(norm: Normalized, start: int, end: int) -> bool:
        """A claim inside quotation marks is mentioned, not made (不要轻信“稳赚”)."""
        first, last = norm.span_of_compact(start, end)
        before = norm.original[max(0, first - 4) : first]
        opened = max((before.rfind(q) for q in _OPEN_QUOTES), default=-1)
        if opened < 0 or any(q in before[opened + 1 :] for q in _CLOSE_QUOTES):
            return False
        after = norm.original[last : last + 8]
        return any(q in after for q in _CLOSE_QUOTES)

    def governs_clause(self, norm: Normalized, pattern: re.Pattern[str], start: int) -> bool:
        """True when ``pattern`` matches within ``lookback`` compact characters before
        ``start`` with no clause boundary in between (不得用于…证券投资…分红类保险):
        a prohibition governs its whole clause, so the look-back is three times the
        negation's."""
        window = max(0, start - 3 * self.lookback)
        for m in pattern.finditer(norm.compact, window, start):
            guarded = any(
                g.start() <= m.start() < g.end()
                for g in self.not_negating.finditer(
                    norm.compact, max(0, m.start() - 4), min(len(norm.compact), m.end() + 4)
                )
            )  # 不得不说 prohibits nothing
            if not guarded and not self._crosses_boundary(norm, m.end(), start):
                return True
        return False

    def negates(
        self, norm: Normalized, start: int, end: int, *, questions_negate: bool = True
    ) -> bool:
        """True when the compact match [start, end) is negated, warned against or quoted,
        or (when ``questions_negate``) asked as a question (是否保本 / 保本吗)."""
        compact = norm.compact
        window = max(0, start - self.lookback)
        limit = min(len(compact), end + self.lookahead)
        guards = [m.span() for m in self.not_negating.finditer(compact, max(0, window - 4), limit)]
        if self._quoted(norm, start, end):
            return True
        for m in self.before.finditer(compact, window, start):
            if any(g0 <= m.start() < g1 for g0, g1 in guards):
                continue
            if self._crosses_boundary(norm, m.end(), start):
                continue
            if start - m.end() <= self.gap or self.gap_allowed.match(compact, m.end(), start):
                return True
        clause_markers = [self.before_clause]
        if questions_negate:
            clause_markers.append(self.before_question)
        for pattern in clause_markers:
            for m in pattern.finditer(compact, window, start):
                # 不得不说… is no prohibition, 我们不是骗子 no warning about fraudsters.
                if any(g0 <= m.start() < g1 for g0, g1 in guards):
                    continue
                if not self._crosses_boundary(norm, m.end(), start):
                    return True
        after_markers = [self.after, self.question] if questions_negate else [self.after]
        for pattern in after_markers:
            for m in pattern.finditer(compact, end, limit):
                if any(g0 <= m.start() < g1 for g0, g1 in guards):
                    continue  # 保本不是骗局 still claims 保本
                if not self._crosses_boundary(norm, end, m.start()):
                    return True
                break
        return False


@dataclass(frozen=True, slots=True)
class ClaimDetector:
    """Phrases that must not be said unless negated (forbidden claims, credential requests)."""

    patterns: tuple[re.Pattern[str], ...]
    negation: Negation
    topics: frozenset[str] | None = None
    unless_guaranteed: bool = False
    questions_negate: bool = True
    same_clause: bool = False  # the match may not run across a clause boundary
    only_unverified: bool = False  # account facts: only before identity is verified

    def find(self, norm: Normalized, ctx: ReplyContext) -> list[Hit]:
        if self.topics is not None and ctx.topic not in self.topics:
            return []
        if self.only_unverified and ctx.verified:
            return []
        if self.unless_guaranteed and ctx.guaranteed is True:
            return []
        hits: list[Hit] = []
        taken: list[tuple[int, int]] = []
        for pattern in self.patterns:
            for m in pattern.finditer(norm.compact):
                s, e = m.span()
                if s == e or any(s < t1 and t0 < e for t0, t1 in taken):
                    continue
                span = norm.span_of_compact(s, e)
                if self.same_clause and any(
                    ch in self.negation.boundaries for ch in norm.original[span[0] : span[1]]
                ):
                    continue
                if self.negation.negates(norm, s, e, questions_negate=self.questions_negate):
                    continue
                taken.append((s, e))
                hits.append(Hit(span, {"match": norm.original[span[0] : span[1]]}))
        return hits


@dataclass(frozen=True, slots=True)
class RequiredDisclosureDetector:
    """A statement that must be present whenever a product is talked about."""

    triggers: Mapping[str, re.Pattern[str]]
    satisfied: re.Pattern[str]
    any_topic: re.Pattern[str] | None = None
    unless_guaranteed: bool = False
    unless: re.Pattern[str] | None = None  # e.g. the reply declines to sell the product
    any_topic_cue: re.Pattern[str] | None = None  # recommending or describing words
    # A trigger inside a prohibition's clause (不得用于…证券投资) introduces no product.
    prohibition: re.Pattern[str] | None = None
    negation: Negation | None = None

    def _trigger(self, pattern: re.Pattern[str], norm: Normalized) -> re.Match[str] | None:
        for m in pattern.finditer(norm.compact):
            if (
                self.prohibition is None
                or self.negation is None
                or not self.negation.governs_clause(norm, self.prohibition, m.start())
            ):
                return m
        return None

    def find(self, norm: Normalized, ctx: ReplyContext) -> list[Hit]:
        if self.unless_guaranteed and ctx.guaranteed is True:
            return []
        trigger = None
        topic_pattern = self.triggers.get(ctx.topic)
        if topic_pattern is not None:
            trigger = self._trigger(topic_pattern, norm)
        # Outside the topics with their own trigger, any investment product counts.
        if topic_pattern is None and self.any_topic is not None:
            trigger = self._trigger(self.any_topic, norm)
            if trigger is not None and self.any_topic_cue is not None:
                trigger = trigger if self.any_topic_cue.search(norm.compact) else None
        if trigger is None or self.is_satisfied(norm.compact):
            return []
        if self.unless is not None and self.unless.search(norm.compact):
            return []
        span = norm.span_of_compact(*trigger.span())
        return [Hit(span, {"match": norm.original[span[0] : span[1]]})]

    def is_satisfied(self, compact: str) -> bool:
        """True when the required statement is made (a question, 不保本吗？, is not)."""
        return any(not _QUESTION.match(compact, m.end()) for m in self.satisfied.finditer(compact))


@dataclass(frozen=True, slots=True)
class FigureSourceDetector:
    """Rate, fee and limit figures must cite a source or say 以审批为准 (SOL-2)."""

    figures: tuple[re.Pattern[str], ...]
    sources: re.Pattern[str]
    ignore_before: re.Pattern[str] | None = None  # 配置20% is an allocation, not a rate

    def find(self, norm: Normalized, ctx: ReplyContext) -> list[Hit]:
        found: list[tuple[int, int]] = []
        for pattern in self.figures:
            for m in pattern.finditer(norm.text):
                s, e = m.span()
                if self.ignore_before is not None and self.ignore_before.search(
                    norm.text[max(0, s - 4) : s]
                ):
                    continue
                if not any(s < t1 and t0 < e for t0, t1 in found):
                    found.append((s, e))
        if not found or self.sources.search(norm.compact):
            return []
        hits = []
        for s, e in sorted(found):
            span = norm.span_of_text(s, e)
            hits.append(Hit(span, {"match": norm.original[span[0] : span[1]]}))
        return hits


_CARD = re.compile(r"(?<![\d*])(?:\d[ \-]?){15,18}\d(?![\d*])")
_RESIDENT_ID = re.compile(
    r"(?<![\da-z*])[1-9]\d{5} ?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r" ?\d{3}[\dx](?![\da-z*])"
)
_MOBILE = re.compile(r"(?<![\d*])(?:\+?86[ \-]?)?1[3-9]\d(?:[ \-]?\d){8}(?![\d*])")
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九幺", "001234567891")
_CARD_PREFIXES = ("62", "60", "65", "4", "5", "3", "9")
_PII_NAMES = {"card": "银行卡号", "id": "身份证号", "mobile": "手机号"}


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum used by bank card numbers."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class PiiDetector:
    """Unmasked card (16–19 digits), resident ID (18 characters) or mobile (11 digits)."""

    ignore_after: re.Pattern[str] | None

    def _labelled_reference(self, norm: Normalized, start: int) -> bool:
        if self.ignore_after is None:
            return False
        before = norm.text[max(0, start - 10) : start]
        return self.ignore_after.search(before) is not None

    def find(self, norm: Normalized, ctx: ReplyContext) -> list[Hit]:
        # Numbers spelt in Chinese digits (一三八…) leak just the same.
        text = norm.text.translate(_CHINESE_DIGITS)
        taken: list[tuple[int, int]] = []
        hits: list[Hit] = []

        def add(s: int, e: int, kind: str) -> None:
            taken.append((s, e))
            span = norm.span_of_text(s, e)
            hits.append(Hit(span, {"kind": _PII_NAMES[kind]}, mask=kind))

        for m in _RESIDENT_ID.finditer(text):
            if not self._labelled_reference(norm, m.start()):
                add(*m.span(), "id")
        for m in _CARD.finditer(text):
            s, e = m.span()
            if any(s < t1 and t0 < e for t0, t1 in taken):
                continue
            digits = re.sub(r"\D", "", m.group())
            if not 16 <= len(digits) <= 19:
                continue
            if self._labelled_reference(norm, s):
                continue
            if luhn_valid(digits) or digits.startswith(_CARD_PREFIXES):
                add(s, e, "card")
        for m in _MOBILE.finditer(text):
            s, e = m.span()
            if any(s < t1 and t0 < e for t0, t1 in taken):
                continue
            add(s, e, "mobile")
        return hits


@dataclass(frozen=True, slots=True)
class SuitabilityDetector:
    """A product above the customer's risk tolerance is recommended or described (SOL-5)."""

    triggers: re.Pattern[str]
    refusals: re.Pattern[str]

    def find(self, norm: Normalized, ctx: ReplyContext) -> list[Hit]:
        if ctx.product_risk is None or ctx.customer_risk is None:
            return []
        if ctx.product_risk <= ctx.customer_risk:
            return []
        trigger = self.triggers.search(norm.compact)
        if trigger is None or self.refusals.search(norm.compact):
            return []
        span = norm.span_of_compact(*trigger.span())
        return [Hit(span, {"product": str(ctx.product_risk), "customer": str(ctx.customer_risk)})]


@dataclass(frozen=True, slots=True)
class BalanceDetector:
    """A balance or transaction detail told before identity is verified (RSK-1)."""

    amount: re.Pattern[str]
    before_amount: re.Pattern[str]
    after_amount: re.Pattern[str]
    generic: re.Pattern[str]
    detail: re.Pattern[str]
    ignore_after: re.Pattern[str] | None = None  # 1元积1分: reward points, not money

    def find(self, norm: Normalized, ctx: ReplyContext) -> list[Hit]:
        if ctx.verified:
            return []
        text = norm.text
        hits: list[Hit] = []
        for m in self.amount.finditer(text):
            s, e = m.span()
            before = text[max(0, s - 14) : s]
            ends = [m.end() for m in _SENTENCE_END.finditer(before)]
            if ends:
                before = before[ends[-1] :]
            after = text[e : e + 6]
            if self.generic.search(before[-8:]) or _RANGE_AFTER.match(after):
                continue
            if self.ignore_after is not None and self.ignore_after.match(text, e, e + 12):
                continue
            if self.before_amount.search(before) or self.after_amount.match(
                after.lstrip().removeprefix("的")
            ):
                span = norm.span_of_text(s, e)
                hits.append(Hit(span, {"match": norm.original[span[0] : span[1]]}))
        if not hits:
            d = self.detail.search(norm.compact)
            if d is not None:
                span = norm.span_of_compact(*d.span())
                hits.append(Hit(span, {"match": norm.original[span[0] : span[1]]}))
        return hits


@dataclass(frozen=True, slots=True)
class JargonDetector:
    """Jargon used without a plain explanation next to it (STD-2)."""

    terms: re.Pattern[str]
    explained_after: re.Pattern[str]
    explained_before: re.Pattern[str]
    window: int

    def find(self, norm: Normalized, ctx: ReplyContext) -> list[Hit]:
        # A term is explained when any of its occurrences is (宽限期，宽限期内保障有效);
        # otherwise its first occurrence is reported.
        first: dict[str, tuple[int, int]] = {}
        explained: set[str] = set()
        text = norm.text
        for m in self.terms.finditer(text):
            term = m.group()
            first.setdefault(term, m.span())
            if term in explained:
                continue
            after = text[m.end() : m.end() + self.window]
            before = text[max(0, m.start() - 6) : m.start()]
            if self.explained_after.search(after) or self.explained_before.search(before):
                explained.add(term)
        hits: list[Hit] = []
        for term, (s, e) in first.items():
            if term not in explained:
                span = norm.span_of_text(s, e)
                hits.append(Hit(span, {"match": norm.original[span[0] : span[1]]}))
        return hits


@dataclass(frozen=True, slots=True)
class Rule:
    """One reviewed rule of a pack."""

    id: RuleId
    code: str
    description: str
    reference: str
    action: Action
    message: str
    detector: Detector
    fix_append: str | None = None
    examples: tuple[RuleExample, ...] = ()

    def violations(self, norm: Normalized, ctx: ReplyContext) -> list[tuple[Violation, Hit]]:
        out = []
        for hit in self.detector.find(norm, ctx):
            message = self.message.format_map(_Defaulting(hit.values))
            out.append((Violation(self.code, self.id, hit.span, message, self.action), hit))
        return out


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class RulePack:
    """A versioned, reviewed set of rules (loaded from YAML by ``rulepack.load_rule_pack``)."""

    name: str
    version: str
    rules: tuple[Rule, ...]

    def check(self, text: str, context: ReplyContext) -> CheckResult:
        """Run every rule over ``text``; see the module docstring for the contract."""
        return self.result(text, self.findings(normalize(text), context))

    def findings(self, norm: Normalized, context: ReplyContext) -> list[tuple[Violation, Hit]]:
        """Every rule's findings on an already normalised reply, in text order."""
        found: list[tuple[Violation, Hit]] = []
        for rule in self.rules:
            for violation, hit in rule.violations(norm, context):
                # One finding per code and place: a backstop rule does not repeat an earlier one.
                if any(
                    v.code == violation.code
                    and v.span[0] < violation.span[1]
                    and violation.span[0] < v.span[1]
                    for v, _ in found
                ):
                    continue
                found.append((violation, hit))
        found.sort(key=lambda pair: (pair[0].span[0], pair[0].rule))
        return found

    def result(self, text: str, found: Sequence[tuple[Violation, Hit]]) -> CheckResult:
        """The verdict from findings (the rules', and any added by the learned layer)."""
        ordered = sorted(found, key=lambda pair: (pair[0].span[0], pair[0].rule))
        return CheckResult(
            violations=tuple(v for v, _ in ordered),
            fixed_text=_apply_fixes(text, ordered, self.rules),
            pack_version=self.version,
        )

    def primary_rule(self, code: str) -> Rule | None:
        """The first rule of the pack for ``code`` (its action and fix serve learned flags)."""
        return next((rule for rule in self.rules if rule.code == code), None)


def _mask_span(original: str, start: int, end: int, kind: str) -> str:
    piece = original[start:end]
    digit_positions = [
        i for i, ch in enumerate(piece) if fold_char(ch).translate(_CHINESE_DIGITS).isdigit()
    ]
    keep_head, keep_tail = {"card": (4, 4), "mobile": (3, 4), "id": (1, 1)}[kind]
    if not digit_positions:
        return piece
    hidden = set(digit_positions[keep_head : len(digit_positions) - keep_tail])
    out = []
    for i, ch in enumerate(piece):
        if i in hidden or (kind == "id" and fold_char(ch) == "x" and i != len(piece) - 1):
            out.append("*")
        else:
            out.append(ch)
    return "".join(out)


def _apply_fixes(text: str, found: Sequence[tuple[Violation, Hit]], rules: Sequence[Rule]) -> str:
    masks = sorted(
        {(h.span[0], h.span[1], h.mask) for v, h in found if h.mask and v.action is Action.FIX},
        reverse=True,
    )
    fixed = text
    last_start = len(text) + 1
    for start, end, kind in masks:
        if end > last_start or kind is None:
            continue
        fixed = fixed[:start] + _mask_span(fixed, start, end, kind) + fixed[end:]
        last_start = start
    fired = {v.rule for v, _ in found if v.action is Action.FIX}
    # A learned flag (rule id "ML-…") applies the fix of its code's first fixing rule.
    learned_codes = {
        v.code for v, _ in found if v.action is Action.FIX and v.rule.startswith("ML-")
    }
    appendices = []
    for rule in rules:
        wanted = rule.id in fired
        if not wanted and rule.code in learned_codes and rule.fix_append:
            wanted = True
            learned_codes.discard(rule.code)
        if wanted and rule.fix_append and rule.fix_append not in appendices:
            appendices.append(rule.fix_append)
    if appendices:
        stripped = fixed.rstrip()
        if stripped and stripped[-1] not in "。！？.!?）)":
            stripped += "。"
        fixed = stripped + "".join(appendices)
    return fixed


DetectorFactory = Callable[[Mapping[str, object], "PackSettings"], Detector]


@dataclass(frozen=True, slots=True)
class PackSettings:
    """Pack-wide settings detectors are built with: macros and the negation model."""

    macros: Mapping[str, str]
    negation: Negation

    def compile(self, pattern: str) -> re.Pattern[str]:
        """Expand {macro} names then compile; raises re.error on a broken pattern."""
        for name, value in self.macros.items():
            pattern = pattern.replace("{" + name + "}", value)
        return re.compile(pattern)
