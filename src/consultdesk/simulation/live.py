"""The desk at work when ``make demo`` starts (once; running the demo again adds none).

- waiting on every channel in Beijing and Shanghai, one chat waiting 9½ minutes, so the
  10-minute rule (STD-6) fires on the supervisor's wall within a minute of start-up;
- chats in hand: the senior agent (王强) holds a returning customer's chat;
- returning customers: each demo customer has two earlier, closed consultations, so the
  agent's customer panel shows history.
Every step uses the real services (consultations, routing, SLA clocks)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.consultations.messages import AuthorKind
from consultdesk.consultations.model import Move
from consultdesk.consultations.tables import ConsultationEventRow
from consultdesk.customers.tables import CustomerRow
from consultdesk.routing import service as routing
from consultdesk.shared.errors import Conflict
from consultdesk.staff import service as staff

LIVE_ACTOR = "demo:live"

# (branch, channel, subject, first customer message, minutes waiting, business line)
WAITING = (
    ("BJ01", "chat", "转账未到账", "昨天跨行转账到现在还没到账，能帮我查一下吗？", 9.5, "accounts"),
    ("BJ01", "app", "手机银行登录", "手机银行一直提示密码错误，登不进去", 3.0, "ebanking"),
    ("BJ01", "phone", "信用卡分期", "", 1.0, "credit_cards"),
    ("SH01", "chat", "理财到期", "我的理财到期了钱什么时候到账？", 4.0, "wealth"),
    ("SH01", "phone", "挂失补卡", "", 0.5, "accounts"),
)
PAST = (
    ("信用卡年费", "信用卡年费怎么收的？", "您好，该卡首年免年费，当年刷卡满六次可免次年年费。"),
    ("挂失", "我的卡丢了，怎么挂失？", "已为您办理临时挂失，正式挂失请携带身份证件到网点办理。"),
    ("大额存单", "大额存单怎么买？", "大额存单可在手机银行购买，利率以购买当日公布为准。"),
    ("转账限额", "转账限额怎么调？", "您可以在手机银行的安全中心调整转账限额。"),
)


@dataclass
class LiveReport:
    waiting: list[str] = field(default_factory=list)
    in_hand: list[str] = field(default_factory=list)
    history: int = 0
    skipped: bool = False


def has_live(session: Session) -> bool:
    found = session.scalars(
        select(ConsultationEventRow.id).where(ConsultationEventRow.actor == LIVE_ACTOR).limit(1)
    )
    return found.first() is not None


def _message(session: Session, now: datetime, cid: str, kind: AuthorKind, text: str) -> None:
    consultations.post_message(
        session=session, now=now, consultation_id=cid, author_kind=kind, text=text
    )


def _past(session: Session, now: datetime, customer: CustomerRow, agent_id: str, n: int) -> None:
    subject, question, answer = PAST[n % len(PAST)]
    opened = now - timedelta(days=6 + 9 * n, hours=n)
    c = consultations.open_consultation(
        session=session,
        now=opened,
        channel="chat",
        branch=customer.branch,
        actor=LIVE_ACTOR,
        customer_id=customer.id,
        subject=subject,
    )
    _message(session, opened, c.id, AuthorKind.CUSTOMER, question)
    consultations.move(
        session=session,
        now=opened + timedelta(seconds=20),
        consultation_id=c.id,
        move=Move.ACCEPT,
        actor=agent_id,
        agent_id=agent_id,
    )
    _message(session, opened + timedelta(seconds=25), c.id, AuthorKind.AGENT, answer)
    consultations.move(
        session=session,
        now=opened + timedelta(minutes=4),
        consultation_id=c.id,
        move=Move.RESOLVE,
        actor=agent_id,
    )
    consultations.move(
        session=session,
        now=opened + timedelta(minutes=5),
        consultation_id=c.id,
        move=Move.CLOSE,
        actor=agent_id,
    )


def seed_live(container: Container) -> LiveReport:
    """Put the desk to work (see the module docstring); once per database."""
    report = LiveReport()
    now = container.clock.now()
    with container.uow() as session:
        if has_live(session):
            report.skipped = True
            return report
        senior = staff.find_user(session=session, username="senior")
        customers = list(session.scalars(select(CustomerRow).order_by(CustomerRow.id)))
        for i, customer in enumerate(customers):
            for n in range(2):
                _past(session, now, customer, senior.id, i + n)
                report.history += 1

        # a returning customer's chat in the senior agent's hands
        regular = next((c for c in customers if c.branch == "BJ01"), None)
        opened = now - timedelta(minutes=6)
        held = consultations.open_consultation(
            session=session,
            now=opened,
            channel="chat",
            branch="BJ01",
            actor=LIVE_ACTOR,
            customer_id=regular.id if regular else None,
            subject="信用卡临时额度",
        )
        consultations.record_fact(
            session=session, consultation_id=held.id, kind="demo_live", actor=LIVE_ACTOR, now=now
        )
        _message(session, opened, held.id, AuthorKind.CUSTOMER, "下个月出国，想临时提高信用卡额度")
        routing.set_presence(session=session, now=opened, member=senior, status="available")
        routing.enqueue(session=session, now=opened, consultation_id=held.id)
        with contextlib.suppress(Conflict):
            routing.accept(
                session=session,
                now=opened + timedelta(seconds=15),
                member=senior,
                consultation_id=held.id,
            )
        _message(
            session,
            opened + timedelta(seconds=25),
            held.id,
            AuthorKind.AGENT,
            "您好，我是示例银行客服王强，临时额度可以为您申请，请先完成身份核实。",
        )
        routing.set_presence(session=session, now=now, member=senior, status="busy")
        report.in_hand.append(held.id)

        for branch, channel, subject, text, minutes, line in WAITING:
            at = now - timedelta(minutes=minutes)
            c = consultations.open_consultation(
                session=session,
                now=at,
                channel=channel,
                branch=branch,
                actor=LIVE_ACTOR,
                subject=subject,
            )
            consultations.classify(
                session=session, now=at, consultation_id=c.id, actor=LIVE_ACTOR, business_line=line
            )
            if text:
                _message(session, at, c.id, AuthorKind.CUSTOMER, text)
            routing.enqueue(session=session, now=at, consultation_id=c.id)
            report.waiting.append(c.id)
    return report
