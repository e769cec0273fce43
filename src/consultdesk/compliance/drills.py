"""Compliance drills (RSK-8): scripted simulated customers an agent answers, scored.

Pure. Scripts live in ``drill_scripts/*.yaml`` (a complaint, an investor demanding a
guarantee, a fraudster asking for a code). A run walks the customer's lines in order;
each agent answer is checked with the reply compliance engine under the script's
context and against the step's expectations: phrases it must contain (``must_say``,
each with the reason) and violation codes it must not raise (``must_not``). The run's
score is the share of checks passed (0–100); it passes at the script's ``pass_mark``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from consultdesk.compliance.model import VIOLATION_CODES, ReplyContext
from consultdesk.compliance.normalize import normalize
from consultdesk.compliance.rulepack import check_reply
from consultdesk.shared.errors import IllegalTransition, NotFound, ValidationFailed


@dataclass(frozen=True, slots=True)
class Expectation:
    pattern: re.Pattern[str]
    why: str


@dataclass(frozen=True, slots=True)
class DrillStep:
    customer: str
    must_say: tuple[Expectation, ...]
    must_not: frozenset[str]


@dataclass(frozen=True, slots=True)
class DrillScript:
    id: str
    title: str
    context: ReplyContext
    steps: tuple[DrillStep, ...]
    pass_mark: int = 80


@dataclass(frozen=True, slots=True)
class StepResult:
    """The checks of one answer: (what was checked, passed) in order."""

    customer: str
    answer: str
    checks: tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class DrillResult:
    script_id: str
    steps: tuple[StepResult, ...]
    score: int
    passed: bool


def parse_drill_script(document: object, *, source: str = "script") -> DrillScript:
    """Build a script from parsed YAML; ValidationFailed names what is wrong."""
    if not isinstance(document, dict):
        raise ValidationFailed(f"{source} 应为对象", field=source)
    steps_raw = document.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise ValidationFailed(f"{source} 没有步骤", field=f"{source}.steps")
    steps = []
    for i, raw in enumerate(steps_raw):
        where = f"{source}.steps[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("customer"), str):
            raise ValidationFailed(f"{where} 缺少客户台词", field=where)
        expect: dict[str, Any] = raw.get("expect") or {}
        must_not = frozenset(str(c) for c in expect.get("must_not") or [])
        unknown = must_not - set(VIOLATION_CODES)
        if unknown:
            raise ValidationFailed(f"{where} 未知的违规代码 {sorted(unknown)}", field=where)
        try:
            must_say = tuple(
                Expectation(re.compile(str(item["pattern"])), str(item.get("why", "")))
                for item in expect.get("must_say") or []
            )
        except (re.error, KeyError, TypeError) as exc:
            raise ValidationFailed(f"{where} 要求格式有误：{exc}", field=where) from exc
        steps.append(DrillStep(raw["customer"], must_say, must_not))
    return DrillScript(
        id=str(document.get("id") or source),
        title=str(document.get("title", "")),
        context=ReplyContext.from_mapping(document.get("context")),
        steps=tuple(steps),
        pass_mark=int(document.get("pass_mark", 80)),
    )


def shipped_drill_scripts() -> dict[str, DrillScript]:
    """The drill scripts shipped in ``drill_scripts/``, by id."""
    folder = resources.files("consultdesk.compliance").joinpath("drill_scripts")
    scripts: dict[str, DrillScript] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            script = parse_drill_script(
                yaml.safe_load(entry.read_text(encoding="utf-8")), source=entry.name
            )
            scripts[script.id] = script
    return scripts


def find_drill_script(script_id: str) -> DrillScript:
    """A shipped script by id, or NotFound."""
    try:
        return shipped_drill_scripts()[script_id]
    except KeyError:
        raise NotFound(f"没有该演练脚本：{script_id}", field="script_id") from None


@dataclass(slots=True)
class DrillRun:
    """An agent's run through one script; answer the customer's lines in order."""

    script: DrillScript
    results: list[StepResult] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return len(self.results) == len(self.script.steps)

    @property
    def customer_line(self) -> str | None:
        """What the simulated customer says now, or None when the run is over."""
        return None if self.finished else self.script.steps[len(self.results)].customer

    def answer(self, text: str) -> StepResult:
        """Score the agent's answer to the current line and move on."""
        if self.finished:
            raise IllegalTransition("演练已结束", field="answer")
        step = self.script.steps[len(self.results)]
        compact = normalize(text).compact
        checks: list[tuple[str, bool]] = [
            (f"应{e.why}", bool(e.pattern.search(text) or e.pattern.search(compact)))
            for e in step.must_say
        ]
        codes = check_reply(text=text, context=self.script.context).codes
        checks.extend((f"不得出现 {code}", code not in codes) for code in sorted(step.must_not))
        result = StepResult(step.customer, text, tuple(checks))
        self.results.append(result)
        return result

    def outcome(self) -> DrillResult:
        """The scored run; only once every line is answered."""
        if not self.finished:
            raise IllegalTransition("演练尚未完成", field="answer")
        checks = [ok for step in self.results for _, ok in step.checks]
        score = round(100 * sum(checks) / len(checks)) if checks else 100
        return DrillResult(
            self.script.id, tuple(self.results), score, score >= self.script.pass_mark
        )


def start_drill(*, script_id: str) -> DrillRun:
    """Begin a run of a shipped script."""
    return DrillRun(find_drill_script(script_id))
