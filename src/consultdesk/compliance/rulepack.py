"""Loading reviewed rule packs from YAML (``rules/*.yaml``) into an engine ``RulePack``.

A pack that does not parse, names an unknown code, action or detector, or holds a
broken pattern is refused with ``ValidationFailed`` naming the rule and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from consultdesk.compliance.engine import (
    BalanceDetector,
    ClaimDetector,
    Detector,
    FigureSourceDetector,
    JargonDetector,
    Negation,
    PackSettings,
    PiiDetector,
    RequiredDisclosureDetector,
    Rule,
    RulePack,
    SuitabilityDetector,
)
from consultdesk.compliance.model import (
    VIOLATION_CODES,
    Action,
    CheckResult,
    ReplyContext,
    RuleExample,
    RuleId,
)
from consultdesk.compliance.normalize import normalize
from consultdesk.shared.errors import ValidationFailed

DEFAULT_PACK = "reply_rules.yaml"


def _text(params: Mapping[str, Any], key: str, where: str) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise ValidationFailed(f"{where}.{key} 缺失或不是文本", field=f"{where}.{key}")
    return value


def _optional(
    params: Mapping[str, Any], key: str, settings: PackSettings
) -> re.Pattern[str] | None:
    value = params.get(key)
    return settings.compile(value) if isinstance(value, str) and value else None


def _claim(params: Mapping[str, Any], settings: PackSettings, where: str) -> Detector:
    patterns = params.get("patterns")
    if not isinstance(patterns, list) or not patterns:
        raise ValidationFailed(f"{where}.patterns 缺失", field=f"{where}.patterns")
    topics = params.get("topics")
    return ClaimDetector(
        patterns=tuple(settings.compile(str(p)) for p in patterns),
        negation=settings.negation,
        topics=frozenset(str(t) for t in topics) if isinstance(topics, list) else None,
        unless_guaranteed=bool(params.get("unless_guaranteed", False)),
        questions_negate=bool(params.get("questions_negate", True)),
        same_clause=bool(params.get("same_clause", False)),
        only_unverified=bool(params.get("only_unverified", False)),
    )


def _required(params: Mapping[str, Any], settings: PackSettings, where: str) -> Detector:
    triggers = params.get("triggers") or {}
    if not isinstance(triggers, dict):
        raise ValidationFailed(f"{where}.triggers 应为 话题: 模式", field=f"{where}.triggers")
    return RequiredDisclosureDetector(
        triggers={str(k): settings.compile(str(v)) for k, v in triggers.items()},
        satisfied=settings.compile(_text(params, "satisfied", where)),
        any_topic=_optional(params, "any_topic", settings),
        unless=_optional(params, "unless", settings),
        any_topic_cue=_optional(params, "any_topic_cue", settings),
        unless_guaranteed=bool(params.get("unless_guaranteed", False)),
        prohibition=_optional(params, "prohibition", settings),
        negation=settings.negation,
    )


def _figures(params: Mapping[str, Any], settings: PackSettings, where: str) -> Detector:
    figures = params.get("figures")
    if not isinstance(figures, list) or not figures:
        raise ValidationFailed(f"{where}.figures 缺失", field=f"{where}.figures")
    return FigureSourceDetector(
        figures=tuple(settings.compile(str(p)) for p in figures),
        sources=settings.compile(_text(params, "sources", where)),
        ignore_before=_optional(params, "ignore_before", settings),
    )


def _pii(params: Mapping[str, Any], settings: PackSettings, where: str) -> Detector:
    return PiiDetector(ignore_after=_optional(params, "ignore_after", settings))


def _suitability(params: Mapping[str, Any], settings: PackSettings, where: str) -> Detector:
    return SuitabilityDetector(
        triggers=settings.compile(_text(params, "triggers", where)),
        refusals=settings.compile(_text(params, "refusals", where)),
    )


def _balance(params: Mapping[str, Any], settings: PackSettings, where: str) -> Detector:
    return BalanceDetector(
        amount=settings.compile(_text(params, "amount", where)),
        before_amount=settings.compile(_text(params, "before_amount", where)),
        after_amount=settings.compile(_text(params, "after_amount", where)),
        generic=settings.compile(_text(params, "generic", where)),
        detail=settings.compile(_text(params, "detail", where)),
        ignore_after=_optional(params, "ignore_after", settings),
    )


def _jargon(params: Mapping[str, Any], settings: PackSettings, where: str) -> Detector:
    terms = _text(params, "terms", where)
    return JargonDetector(
        terms=settings.compile(f"(?<![a-z])(?:{terms})(?![a-z])"),
        explained_after=settings.compile(_text(params, "explained_after", where)),
        explained_before=settings.compile(_text(params, "explained_before", where)),
        window=int(params.get("window", 12)),
    )


DETECTORS = {
    "claim": _claim,
    "required_disclosure": _required,
    "figure_source": _figures,
    "pii": _pii,
    "suitability": _suitability,
    "balance": _balance,
    "jargon": _jargon,
}


def _examples(raw: object, where: str) -> tuple[RuleExample, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValidationFailed(f"{where}.examples 应为列表", field=f"{where}.examples")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValidationFailed(f"{where}.examples[{i}] 缺少 text", field=f"{where}.examples")
        out.append(
            RuleExample(
                text=item["text"],
                expect=bool(item.get("expect")),
                context=ReplyContext.from_mapping(item.get("context")),
            )
        )
    return tuple(out)


def parse_rule_pack(document: object) -> RulePack:
    """Build a pack from already-parsed YAML data (see module docstring for refusals)."""
    if not isinstance(document, dict):
        raise ValidationFailed("规则包应为对象", field="pack")
    negation_raw = document.get("negation") or {}
    macros_raw = document.get("macros") or {}
    if not isinstance(negation_raw, dict) or not isinstance(macros_raw, dict):
        raise ValidationFailed("negation/macros 应为对象", field="negation")
    macros = {str(k): str(v) for k, v in macros_raw.items()}

    def compile_plain(key: str) -> re.Pattern[str]:
        pattern = str(negation_raw.get(key, "(?!)"))
        for name, value in macros.items():
            pattern = pattern.replace("{" + name + "}", value)
        return re.compile(pattern)

    try:
        negation = Negation(
            before=compile_plain("before"),
            before_clause=compile_plain("before_clause"),
            before_question=compile_plain("before_question"),
            question=compile_plain("question"),
            gap=int(negation_raw.get("gap", 4)),
            gap_allowed=compile_plain("gap_allowed"),
            after=compile_plain("after"),
            not_negating=compile_plain("not_negating"),
            boundaries=frozenset(str(negation_raw.get("boundaries", "。！？!?；;\n，,"))),
            lookback=int(negation_raw.get("lookback", 8)),
            lookahead=int(negation_raw.get("lookahead", 12)),
        )
    except re.error as exc:
        raise ValidationFailed(f"否定词模式有误：{exc}", field="negation") from exc
    settings = PackSettings(macros=macros, negation=negation)
    rules_raw = document.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise ValidationFailed("规则包没有规则", field="rules")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(rules_raw):
        where = f"rules[{index}]"
        if not isinstance(raw, dict):
            raise ValidationFailed(f"{where} 应为对象", field=where)
        rule_id = _text(raw, "id", where)
        where = f"rules[{rule_id}]"
        if rule_id in seen:
            raise ValidationFailed(f"规则编号重复：{rule_id}", field=f"{where}.id")
        seen.add(rule_id)
        code = _text(raw, "code", where)
        if code not in VIOLATION_CODES:
            raise ValidationFailed(f"未知的违规代码：{code}", field=f"{where}.code")
        try:
            action = Action(_text(raw, "action", where))
        except ValueError as exc:
            raise ValidationFailed("action 应为 block/warn/fix", field=f"{where}.action") from exc
        factory = DETECTORS.get(_text(raw, "detector", where))
        if factory is None:
            raise ValidationFailed("未知的检测方式", field=f"{where}.detector")
        params = raw.get("params") or {}
        if not isinstance(params, dict):
            raise ValidationFailed(f"{where}.params 应为对象", field=f"{where}.params")
        try:
            detector = factory(params, settings, f"{where}.params")
        except re.error as exc:
            raise ValidationFailed(f"模式有误：{exc}", field=f"{where}.params") from exc
        fix_append = raw.get("fix_append")
        rules.append(
            Rule(
                id=RuleId(rule_id),
                code=code,
                description=_text(raw, "description", where),
                reference=_text(raw, "reference", where),
                action=action,
                message=_text(raw, "message", where),
                detector=detector,
                fix_append=str(fix_append) if fix_append else None,
                examples=_examples(raw.get("examples"), where),
            )
        )
    return RulePack(
        name=str(document.get("pack", "reply-compliance")),
        version=str(document.get("version", "0")),
        rules=tuple(rules),
    )


def load_rule_pack(path: Path | None = None) -> RulePack:
    """Load a pack from ``path``, or the shipped default pack when None."""
    if path is None:
        content = resources.files("consultdesk.compliance").joinpath("rules", DEFAULT_PACK)
        raw_text = content.read_text(encoding="utf-8")
    else:
        raw_text = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(raw_text)
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"规则包不是有效的 YAML：{exc}", field="pack") from exc
    return parse_rule_pack(document)


@cache
def default_rule_pack() -> RulePack:
    """The shipped pack, loaded once per process."""
    return load_rule_pack()


def check_reply(
    *,
    text: str,
    context: ReplyContext,
    pack: RulePack | None = None,
    learned: bool = True,
) -> CheckResult:
    """Check one outgoing reply (agent's or bot's) before it is sent (QC-6).

    The rule pack runs on the normalised reply; then, unless ``learned`` is False (the
    rules-only baseline), the shipped learned layer keeps or vetoes each rule finding
    and adds its own flags (the decision is documented in ``learned.py``)."""
    rules = pack or default_rule_pack()
    norm = normalize(text)
    found = rules.findings(norm, context)
    if learned:
        from consultdesk.compliance.learned import default_layer

        found = default_layer().decide(norm=norm, context=context, found=found, pack=rules)
    return rules.result(text, found)
