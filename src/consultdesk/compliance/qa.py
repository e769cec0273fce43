"""QA scoring of a consultation transcript (QC-2). Pure.

A transcript is scored against a fixed checklist; each item carries whether it passed
and the evidence (the turn it rests on, or why it failed):

* greeting: the agent's first turn greets the customer;
* verification_first: no balance, transaction or unmasked personal number is told
  before identity is verified (turns are checked with the verification state they had);
* restate_confirm: the agent restates the request and asks for confirmation;
* disclosures: no required disclosure (risk, non-guaranteed, rate source) is missing;
* closing_question: one of the agent's last two turns asks whether anything else is needed;
* no_violations: no other blocking violation (forbidden claim, credential request,
  suitability mismatch) in any agent turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from consultdesk.compliance.engine import RulePack
from consultdesk.compliance.model import CheckResult, ReplyContext
from consultdesk.compliance.rulepack import check_reply
from consultdesk.shared.errors import ValidationFailed

SPEAKERS: Final = frozenset({"agent", "bot", "customer"})
IDENTITY_VERIFIED: Final = "identity_verified"

_GREETING = re.compile(r"您好|你好|很高兴为您服务|欢迎致电|欢迎咨询|早上好|下午好|晚上好")
_RESTATE = re.compile(
    r"您是想|您的意思是|跟您确认|和您确认|向您确认|确认一下|我理解您|您是说|您需要的是|您要办理的是"
    r"|您想了解的是|我复述一下|是这样吗|对吗|是吗"
)
_CLOSING = re.compile(
    r"还有(?:什么|其他|别的|其它).{0,8}(?:问题|需要|帮您|帮助|咨询)|其他问题|还需要.{0,4}帮"
)
_DISCLOSURE_CODES: Final = frozenset(
    {"missing_risk_disclosure", "missing_non_guaranteed", "missing_rate_source"}
)
_VERIFICATION_CODES: Final = frozenset({"balance_unverified", "pii_leak"})


@dataclass(frozen=True, slots=True)
class Turn:
    """One line of a transcript; ``event`` marks e.g. identity verification."""

    speaker: str
    text: str = ""
    event: str | None = None

    def __post_init__(self) -> None:
        if self.speaker not in SPEAKERS:
            raise ValidationFailed(f"未知的发言方：{self.speaker!r}", field="speaker")


@dataclass(frozen=True, slots=True)
class ItemScore:
    item: str
    passed: bool
    evidence: str


@dataclass(frozen=True, slots=True)
class QaScore:
    """The scored checklist; ``score`` is the share of items passed, 0–100."""

    items: tuple[ItemScore, ...]

    @property
    def score(self) -> int:
        return round(100 * sum(i.passed for i in self.items) / len(self.items))

    def item(self, name: str) -> ItemScore:
        return next(i for i in self.items if i.item == name)


def _excerpt(index: int, text: str) -> str:
    short = text if len(text) <= 40 else text[:40] + "…"
    return f"第{index + 1}句：{short}"


def score_transcript(
    *, turns: list[Turn], context: ReplyContext, pack: RulePack | None = None
) -> QaScore:
    """Score a transcript against the checklist (see module docstring)."""
    verified = context.verified
    agent_turns: list[tuple[int, Turn, CheckResult]] = []
    for index, turn in enumerate(turns):
        if turn.event == IDENTITY_VERIFIED:
            verified = True
        if turn.speaker == "customer" or not turn.text:
            continue
        turn_context = ReplyContext(
            topic=context.topic,
            product_risk=context.product_risk,
            customer_risk=context.customer_risk,
            guaranteed=context.guaranteed,
            verified=verified,
        )
        agent_turns.append(
            (index, turn, check_reply(text=turn.text, context=turn_context, pack=pack))
        )
    if not agent_turns:
        raise ValidationFailed("记录中没有坐席发言，无法评分", field="turns")

    items: list[ItemScore] = []
    first_index, first, _ = agent_turns[0]
    greeted = bool(_GREETING.search(first.text))
    items.append(
        ItemScore(
            "greeting",
            greeted,
            _excerpt(first_index, first.text) if greeted else "坐席首句未问候",
        )
    )
    items.append(
        _by_codes("verification_first", agent_turns, _VERIFICATION_CODES, "核验前未透露敏感信息")
    )
    restate = next((t for t in agent_turns if _RESTATE.search(t[1].text)), None)
    items.append(
        ItemScore(
            "restate_confirm",
            restate is not None,
            _excerpt(restate[0], restate[1].text) if restate else "未复述并确认客户需求",
        )
    )
    items.append(_by_codes("disclosures", agent_turns, _DISCLOSURE_CODES, "披露完整"))
    closing = next((t for t in agent_turns[-2:] if _CLOSING.search(t[1].text)), None)
    items.append(
        ItemScore(
            "closing_question",
            closing is not None,
            _excerpt(closing[0], closing[1].text) if closing else "结束前未询问是否还有其他问题",
        )
    )
    blocking = frozenset({"forbidden_claim", "credential_request", "suitability_mismatch"})
    items.append(_by_codes("no_violations", agent_turns, blocking, "无违规表述"))
    return QaScore(tuple(items))


def _by_codes(
    name: str,
    agent_turns: list[tuple[int, Turn, CheckResult]],
    codes: frozenset[str],
    ok_evidence: str,
) -> ItemScore:
    for index, turn, result in agent_turns:
        hit = next((v for v in result.violations if v.code in codes), None)
        if hit is not None:
            return ItemScore(
                name, False, f"{_excerpt(index, turn.text)}（{hit.code}：{hit.message}）"
            )
    return ItemScore(name, True, ok_evidence)
