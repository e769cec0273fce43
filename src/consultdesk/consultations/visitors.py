"""Customer-side access to a chat (widget or app) without staff credentials.

Opening a chat as a visitor issues a random per-consultation token, returned once; only
its SHA-256 digest is stored. Every customer-side request presents it (ACC-1).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from consultdesk.consultations import service
from consultdesk.consultations.model import Consultation
from consultdesk.consultations.visitor_tables import ChatTokenRow
from consultdesk.customers import service as customers
from consultdesk.shared.errors import Unauthorized, ValidationFailed
from consultdesk.shared.scope import SYSTEM

VISITOR_CHANNELS = ("chat", "app")
_ID = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
LANGS = ("zh", "en")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class VisitorChat:
    consultation: Consultation
    token: str
    lang: str


def open_visitor_chat(
    *,
    session: Session,
    now: datetime,
    index_key: bytes,
    branch: str,
    channel: str = "chat",
    subject: str | None = None,
    phone: str | None = None,
    lang: str = "zh",
) -> VisitorChat:
    """Queue a chat for a visitor and issue its token. A phone that belongs to a known
    customer links the chat to them, so the agent sees their history (ACC-5); the
    visitor is told nothing about whether it matched."""
    if channel not in VISITOR_CHANNELS:
        raise ValidationFailed("channel 须为 chat 或 app", field="channel")
    if lang not in LANGS:
        raise ValidationFailed("lang 须为 zh 或 en", field="lang")
    customer = customers.find_by_phone(session=session, index_key=index_key, phone=phone or "")
    consultation = service.open_consultation(
        session=session,
        now=now,
        channel=channel,
        branch=branch,
        actor="customer",
        customer_id=customer.id if customer else None,
        subject=subject,
    )
    if customer is not None:
        # Anyone can type a phone number: the match helps the agent (ACC-5) but proves
        # nothing; identity is verified separately before anything sensitive (ACC-6).
        service.record_fact(
            session=session,
            consultation_id=consultation.id,
            kind="customer_matched_by_phone",
            actor="customer",
            now=now,
            data={"verified": False},
        )
    token = secrets.token_urlsafe(32)
    session.add(
        ChatTokenRow(
            consultation_id=consultation.id, token_hash=_digest(token), lang=lang, issued_at=now
        )
    )
    session.flush()
    return VisitorChat(consultation=consultation, token=token, lang=lang)


def consultation_for_token(*, session: Session, consultation_id: str, token: str) -> Consultation:
    """The consultation the token opens, or ``Unauthorized`` (same answer for an unknown
    consultation and a wrong token, so ids cannot be probed)."""
    plausible = token and _ID.match(consultation_id)
    row = session.get(ChatTokenRow, consultation_id) if plausible else None
    if row is None or not hmac.compare_digest(row.token_hash, _digest(token)):
        raise Unauthorized("会话凭证无效或已过期", field="token", code="bad_chat_token")
    return service.get_consultation(scope=SYSTEM, session=session, consultation_id=consultation_id)


def visitor_lang(*, session: Session, consultation_id: str) -> str:
    """The language the visitor chose (for the greeting); staff-opened chats: Chinese."""
    row = session.get(ChatTokenRow, consultation_id)
    return row.lang if row else "zh"
