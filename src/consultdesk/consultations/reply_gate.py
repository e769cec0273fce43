"""The reply compliance gate (QC-6, RSK-6): every outgoing reply, the bot's or an agent's,
is checked by the compliance engine before it is sent.

`gate_reply` builds the `ReplyContext` from the consultation (topic from its business
line, verified from identity, customer risk tolerance from the customer; product risk
and principal guarantee when the caller knows them), runs the rule pack and decides:

* ``send``: no finding that changes the text;
* ``send_fixed``: the fixing rules changed it (risk disclosure appended, a number
  masked): the fixed text is what goes out;
* ``blocked``: a blocking rule fired. An agent's reply is recorded against the agent
  (`compliance.service.record_blocked_reply`, RSK-6) and must be edited; a bot reply that
  would be blocked is never sent (the bot hands over instead).

`send_agent_reply` is the agent path in one call: gate, then store through the chat
ingest only when the reply may go out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from consultdesk.compliance import service as compliance
from consultdesk.compliance.model import CheckResult, ReplyContext
from consultdesk.compliance.rulepack import check_reply
from consultdesk.consultations import service
from consultdesk.consultations.messages import AuthorKind
from consultdesk.customers import service as customers
from consultdesk.shared.errors import ValidationFailed
from consultdesk.shared.scope import SYSTEM

# Knowledge/consultation business line → compliance topic.
TOPIC_OF_LINE = {
    "deposits": "deposit",
    "loans": "loan",
    "credit_cards": "credit_card",
    "ebanking": "ebanking",
    "wealth": "wealth",
    "precious_metals": "wealth",  # an investment product: the same disclosures apply
    "insurance": "insurance",
    "forex": "forex",
    "accounts": "account",
}


class Verdict(StrEnum):
    SEND = "send"
    SEND_FIXED = "send_fixed"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class GateResult:
    """The verdict, the text to send (the original when blocked), the check behind it."""

    verdict: Verdict
    text: str
    check: CheckResult
    context: ReplyContext

    @property
    def sendable(self) -> bool:
        return self.verdict is not Verdict.BLOCKED

    @property
    def messages(self) -> tuple[str, ...]:
        """What the agent is told: one line per finding."""
        return tuple(v.message for v in self.check.violations)


def _verified(session: Session, consultation_id: str) -> bool:
    from consultdesk.identity import service as identity

    return identity.verification_of(session=session, consultation_id=consultation_id).verified


def reply_context(
    *,
    session: Session,
    consultation_id: str,
    business_line: str | None = None,
    product_risk: int | None = None,
    guaranteed: bool | None = None,
) -> ReplyContext:
    """What the desk knows about the consultation when a reply is about to go out.
    `business_line` overrides the consultation's (e.g. the answered entry's line)."""
    c = service.get_consultation(scope=SYSTEM, session=session, consultation_id=consultation_id)
    line = business_line or c.business_line
    customer_risk = None
    if c.customer_id is not None:
        customer = customers.get_customer(scope=SYSTEM, session=session, customer_id=c.customer_id)
        if customer.risk_tolerance is not None:
            customer_risk = int(customer.risk_tolerance.value[1])
    return ReplyContext(
        topic=TOPIC_OF_LINE.get(line or "", "general"),
        product_risk=product_risk,
        customer_risk=customer_risk,
        guaranteed=guaranteed,
        verified=_verified(session, consultation_id),
    )


def gate_reply(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    text: str,
    author_kind: AuthorKind | str,
    author_id: str | None = None,
    business_line: str | None = None,
    product_risk: int | None = None,
    guaranteed: bool | None = None,
) -> GateResult:
    """Check one outgoing reply (QC-6). A blocked agent reply is recorded against the
    agent in the caller's unit of work (RSK-6); nothing is sent here."""
    context = reply_context(
        session=session,
        consultation_id=consultation_id,
        business_line=business_line,
        product_risk=product_risk,
        guaranteed=guaranteed,
    )
    result = check_reply(text=text, context=context)
    if result.blocked:
        if AuthorKind(author_kind) is AuthorKind.AGENT and author_id:
            compliance.record_blocked_reply(
                session=session,
                now=now,
                agent_id=author_id,
                consultation_id=consultation_id,
                text=text,
                result=result,
            )
        return GateResult(Verdict.BLOCKED, text, result, context)
    if result.fixed_text != text:
        return GateResult(Verdict.SEND_FIXED, result.fixed_text, result, context)
    return GateResult(Verdict.SEND, text, result, context)


def gate_agent_text(
    *, container: Any, consultation_id: str, text: str, agent_id: str
) -> GateResult:
    """QC-6: check an agent's reply in its own unit of work (a block is recorded against
    the agent, RSK-6, and stays recorded although nothing is sent)."""
    with container.uow() as session:
        return gate_reply(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            text=text,
            author_kind=AuthorKind.AGENT,
            author_id=agent_id,
        )


def blocked_error(gated: GateResult) -> ValidationFailed:
    """What the agent is told when a reply may not go out: edit it first."""
    return ValidationFailed(
        "回复未通过合规检查，请修改后再发送：" + "；".join(gated.messages),
        field="text",
        code="reply_blocked",
    )


def send_agent_reply(
    *,
    container: Any,
    consultation_id: str,
    text: str,
    agent_id: str,
    client_msg_id: str | None = None,
) -> tuple[GateResult, service.Posted | None]:
    """Gate an agent's reply, then store it through the chat ingest when it may go out
    (the fixed text when the rules fixed it). Blocked: recorded, nothing stored."""
    from consultdesk.consultations.ingest import Incoming, ingest_for

    gated = gate_agent_text(
        container=container, consultation_id=consultation_id, text=text, agent_id=agent_id
    )
    if not gated.sendable:
        return gated, None
    posted = ingest_for(container).post(
        Incoming(consultation_id, AuthorKind.AGENT, gated.text, agent_id, client_msg_id)
    )
    return gated, posted
