"""The bot on a consultation: one customer message in, one gated bot reply out.

`ask` runs the dialogue (`assistant.dialogue.respond`) on the live knowledge base under
the branch's policy thresholds, fetches a verified customer's figures from the core bank
(source and time cited, SOL-2), passes the reply through the reply gate (QC-6; a reply
that would be blocked is never sent: the bot hands over instead), posts it into the
transcript, queues low-confidence and unanswered questions for review (QC-5), and hands
over when needed: a system message with the reason and the bot's best guesses, a
timeline fact, the move to `transferred` and the agent queue (routing).

The bot speaks only while no agent has the consultation: status `queued` and no agent.
`attach_bot(container)` hooks it into the customer chat: every stored customer message
of such a consultation gets a bot reply, from a worker thread (never the ingest writer).
The chat bot is on when the knowledge base has published answers.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from consultdesk.assistant import review
from consultdesk.assistant.dialogue import (
    AccountFigure,
    Action,
    BotTurn,
    figures_reply,
    limit_reply,
    respond,
    transactions_reply,
)
from consultdesk.assistant.service import CACHE_FOLDER, Assistant, policy_for
from consultdesk.consultations import service as consultations
from consultdesk.consultations.messages import MAX_MESSAGE_CHARS, AuthorKind, Message
from consultdesk.consultations.model import Channel, Consultation, Move, Status
from consultdesk.consultations.reply_gate import GateResult, gate_reply
from consultdesk.shared.errors import Conflict, DomainError
from consultdesk.shared.scope import SYSTEM

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container

log = logging.getLogger("consultdesk.assistant.bot")

BOT_ACTOR = "bot"
REFRESH_SECONDS = 30.0
BOT_CHANNELS = frozenset({Channel.CHAT, Channel.APP, Channel.BOT})
_CREATE = threading.Lock()


def assistant_for(container: Container) -> Assistant:
    """The container's assistant (created on first use; the knowledge loads in the
    background on the first `refresh`)."""
    with _CREATE:
        found = container.attached.assistant
        if found is None:
            found = container.attached.assistant = Assistant(
                uow=container.uow,
                clock=container.clock,
                cache_dir=Path(container.settings.data_dir) / CACHE_FOLDER,
            )
        return found


def install_assistant(container: Container, assistant: Assistant) -> None:
    """Use `assistant` for this container (tests, or a pre-built one)."""
    with _CREATE:
        container.attached.assistant = assistant


def bot_may_speak(c: Consultation) -> bool:
    """The bot answers only before an agent takes over."""
    return c.status is Status.QUEUED and c.agent_id is None and c.channel in BOT_CHANNELS


@dataclass(frozen=True)
class Asked:
    """What happened to one question: the turn, the gate's verdict, the stored bot reply."""

    turn: BotTurn
    gate: GateResult | None
    reply: Message | None
    handed_over: bool
    posted: tuple[Message, ...]


def _figures(session: Session, container: Any, consultation_id: str, turn: BotTurn) -> BotTurn:
    """The verified customer's balances or recent transactions from the core bank."""
    from dataclasses import replace

    from consultdesk.identity import service as identity

    now = container.clock.now()
    accounts = identity.customer_accounts(
        session=session, now=now, corebank=container.corebank, consultation_id=consultation_id
    ).data
    if turn.figure == "limit" and accounts:
        account = accounts[0]
        text = limit_reply(
            number_masked=account.number_masked,
            limit=account.daily_transfer_limit,
            used=account.transferred_today,
            currency=account.currency,
            system=identity.SOURCE_SYSTEM_ZH,
            as_of=now,
            lang=turn.lang,
        )
        return replace(turn, text=text, business_line="ebanking")
    if turn.figure == "transactions" and accounts:
        found = identity.account_transactions(
            session=session,
            now=now,
            corebank=container.corebank,
            consultation_id=consultation_id,
            account_id=accounts[0].account_id,
            limit=5,
            actor=BOT_ACTOR,
        )
        text = transactions_reply(
            number_masked=accounts[0].number_masked,
            transactions=[
                (t.booked_on, t.amount, t.currency, t.summary, t.counterparty_masked)
                for t in found.data
            ],
            system=identity.SOURCE_SYSTEM_ZH,
            as_of=found.as_of,
            lang=turn.lang,
        )
        return replace(turn, text=text, business_line="accounts")
    figures = []
    as_of = now
    for account in accounts[:5]:
        balance = identity.account_balance(
            session=session,
            now=now,
            corebank=container.corebank,
            consultation_id=consultation_id,
            account_id=account.account_id,
            actor=BOT_ACTOR,
        )
        as_of = balance.as_of
        figures.append(
            AccountFigure(account.number_masked, balance.data.amount, balance.data.currency)
        )
    text = figures_reply(
        figures=figures, system=identity.SOURCE_SYSTEM_ZH, as_of=as_of, lang=turn.lang
    )
    return replace(turn, text=text, business_line="accounts")


def _handover_turn(turn: BotTurn, reason: str) -> BotTurn:
    from dataclasses import replace

    text = (
        "Transferring you to an agent now."
        if turn.lang == "en"
        else "这个问题需要人工客服为您处理，正在为您转接，请稍候。"
    )
    return replace(turn, action=Action.HANDOVER, text=text, handover=True, reason=reason)


def _guess_lines(turn: BotTurn) -> str:
    if not turn.guesses:
        return "无"
    return "；".join(
        f"{i}. {g.question}（{g.entry_id}，{g.score:.2f}）"
        for i, g in enumerate(turn.guesses, start=1)
    )


def _hand_over(
    session: Session, container: Any, c: Consultation, turn: BotTurn, question_seq: int | None
) -> list[Message]:
    """System message with the reason and best guesses, a timeline fact, the move to
    `transferred` and the agent queue."""
    now = container.clock.now()
    note = (
        f"【机器人转人工】原因：{turn.reason or '客户需要人工服务'}。"
        f"客户问题：{turn.question[:200] or '（无）'}。机器人推测：{_guess_lines(turn)}"
    )
    posted = consultations.post_message(
        session=session,
        now=now,
        consultation_id=c.id,
        author_kind=AuthorKind.SYSTEM,
        text=note,
        client_msg_id=f"bot-handover:{question_seq}" if question_seq else None,
    )
    consultations.record_fact(
        session=session,
        consultation_id=c.id,
        kind="bot_handover",
        actor=BOT_ACTOR,
        now=now,
        reason=turn.reason or None,
        data={
            "question": turn.question[:200],
            "guesses": [
                {"entry_id": g.entry_id, "question": g.question, "score": g.score}
                for g in turn.guesses
            ],
            "confidence": turn.confidence,
        },
    )
    current = consultations.get_consultation(scope=SYSTEM, session=session, consultation_id=c.id)
    if current.status is Status.QUEUED:
        consultations.move(
            session=session,
            now=now,
            consultation_id=c.id,
            move=Move.TRANSFER,
            actor=BOT_ACTOR,
            reason=f"机器人转人工：{turn.reason}"[:200],
        )
    from consultdesk.routing import service as routing

    with contextlib.suppress(Conflict):  # already queued or over
        routing.enqueue(session=session, now=now, consultation_id=c.id)
    return [] if posted.duplicate else [posted.message]


def ask(
    *,
    container: Any,
    consultation_id: str,
    text: str,
    post_question: bool = True,
    question_seq: int | None = None,
) -> Asked:
    """Answer one customer message on the consultation (see module docstring).

    With `post_question` the customer's text is stored first (API callers); the chat hook
    passes the stored message's `question_seq` instead. Conflict when an agent already
    has the consultation. Never raises on the text itself."""
    assistant = assistant_for(container)
    assistant.ensure_loaded()
    knowledge = assistant.knowledge
    with container.uow() as session:
        now = container.clock.now()
        c = consultations.get_consultation(
            scope=SYSTEM, session=session, consultation_id=consultation_id
        )
        if not bot_may_speak(c):
            raise Conflict("该咨询已由人工客服接待，机器人不再回复", field="consultation_id")
        posted: list[Message] = []
        if post_question and text.strip():
            question = consultations.post_message(
                session=session,
                now=now,
                consultation_id=consultation_id,
                author_kind=AuthorKind.CUSTOMER,
                text=text.strip()[:MAX_MESSAGE_CHARS],
            )
            posted.append(question.message)
            question_seq = question.message.seq
            text = question.message.text  # after C3 redaction (RSK-3)
        turn = _turn(session, container, c, text, knowledge, _last_offer(session, c.id))
        gate = None
        if turn.text:
            gate = gate_reply(
                session=session,
                now=now,
                consultation_id=consultation_id,
                text=turn.text,
                author_kind=AuthorKind.BOT,
                business_line=turn.business_line,
            )
            if not gate.sendable:  # QC-6: a blocked bot reply is never sent
                log.warning("bot reply blocked by %s", sorted(gate.check.codes))
                turn = _handover_turn(turn, "机器人回复未通过合规检查，转人工")
                gate = gate_reply(
                    session=session,
                    now=now,
                    consultation_id=consultation_id,
                    text=turn.text,
                    author_kind=AuthorKind.BOT,
                )
        reply = consultations.post_message(
            session=session,
            now=now,
            consultation_id=consultation_id,
            author_kind=AuthorKind.BOT,
            text=gate.text if gate is not None else turn.text,
            client_msg_id=f"bot:{question_seq}" if question_seq else None,
        )
        if reply.duplicate:  # this question was answered already
            return Asked(turn, gate, reply.message, False, ())
        posted.append(reply.message)
        if turn.action is Action.ANSWER and turn.guesses:  # the entry that answered (QC-3)
            consultations.record_fact(
                session=session,
                consultation_id=consultation_id,
                kind="bot_answer",
                actor=BOT_ACTOR,
                now=now,
                data={"seq": reply.message.seq, "entry_id": turn.guesses[0].entry_id},
            )
        if turn.action is Action.OFFER:  # remembered so that "1"–"3" picks an entry
            consultations.record_fact(
                session=session,
                consultation_id=consultation_id,
                kind="bot_offer",
                actor=BOT_ACTOR,
                now=now,
                data={"seq": reply.message.seq, "entries": [g.entry_id for g in turn.guesses]},
            )
        if turn.review:
            review.queue_for_review(
                session=session,
                now=now,
                question=turn.question,
                decision=turn.action.value,
                confidence=turn.confidence,
                guesses=[
                    {"entry_id": g.entry_id, "question": g.question, "score": g.score}
                    for g in turn.guesses
                ],
                consultation_id=consultation_id,
                branch=c.branch,
            )
        if turn.handover:
            posted += _hand_over(session, container, c, turn, question_seq)
    _broadcast(container, posted)
    return Asked(turn, gate, reply.message, turn.handover, tuple(posted))


def _last_offer(session: Session, consultation_id: str) -> tuple[str, ...]:
    """The entries of the bot's last offer, if nothing the bot said came after it."""
    offers = [
        e
        for e in consultations.timeline(
            scope=SYSTEM, session=session, consultation_id=consultation_id
        )
        if e.kind == "bot_offer"
    ]
    if not offers:
        return ()
    data = offers[-1].data
    later = consultations.transcript(
        scope=SYSTEM,
        session=session,
        consultation_id=consultation_id,
        after_seq=int(data.get("seq", 0)),
    )
    if any(m.author_kind is not AuthorKind.CUSTOMER for m in later):
        return ()
    return tuple(str(e) for e in data.get("entries", ()))


def _turn(
    session: Session,
    container: Any,
    c: Consultation,
    text: str,
    knowledge: Any,
    offered: tuple[str, ...] = (),
) -> BotTurn:
    from consultdesk.consultations import visitors
    from consultdesk.identity import service as identity

    verified = identity.verification_of(session=session, consultation_id=c.id).verified
    lang = visitors.visitor_lang(session=session, consultation_id=c.id)
    match = None
    if knowledge.matcher is not None:
        matcher = knowledge.matcher.with_policy(policy_for(session=session, branch=c.branch))
        match = matcher.match
    turn = respond(
        text=text,
        verified=verified,
        match=match,
        entries=knowledge.entries,
        lang=lang,
        offered=offered,
    )
    if turn.action is Action.FIGURES:
        try:
            with session.begin_nested():
                turn = _figures(session, container, c.id, turn)
        except DomainError as exc:  # no linked customer, core bank down, …
            turn = _handover_turn(turn, f"查询账户信息失败：{exc.message}"[:200])
    return turn


def _broadcast(container: Any, messages: Sequence[Message]) -> None:
    """Push the stored messages to whoever follows the consultation (chat hub)."""
    if not messages:
        return
    try:
        from consultdesk.consultations.chat import hub_for

        hub = hub_for(container)
        for message in messages:
            hub.publish(None, consultations.Posted(message, duplicate=False))
    except Exception:
        log.exception("broadcasting bot messages failed")


# ---- the chat hook -------------------------------------------------------------------


@dataclass
class ChatHook:
    """The bot listening to stored customer messages, with its worker and watcher."""

    container: Container
    executor: ThreadPoolExecutor
    stop: threading.Event
    watcher: threading.Thread | None = None
    pending: int = 0

    def on_stored(self, source: object, posted: consultations.Posted) -> None:
        """Ingest listener (runs on the ingest writer thread: hand off at once)."""
        message = posted.message
        if message.author_kind is not AuthorKind.CUSTOMER or self.stop.is_set():
            return
        if not assistant_for(self.container).knowledge.ready:
            return  # no knowledge base published: the chat bot is off
        self.executor.submit(self._answer, message)

    def _answer(self, message: Message) -> None:
        try:
            with self.container.uow() as session:
                c = consultations.get_consultation(
                    scope=SYSTEM, session=session, consultation_id=message.consultation_id
                )
            if not bot_may_speak(c):
                return
            ask(
                container=self.container,
                consultation_id=message.consultation_id,
                text=message.text,
                post_question=False,
                question_seq=message.seq,
            )
        except DomainError as exc:
            log.info("bot did not answer %s: %s", message.consultation_id, exc.message)
        except Exception:
            log.exception("bot failed on a customer message")

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every submitted message was answered (tests)."""
        self.executor.submit(lambda: None).result(timeout=timeout)


def _watch(hook: ChatHook, interval: float) -> None:
    assistant = assistant_for(hook.container)
    while not hook.stop.is_set():
        try:
            assistant.refresh()
        except Exception:
            log.exception("refreshing the assistant's knowledge failed")
        hook.stop.wait(interval)


def attach_bot(container: Container, *, refresh_seconds: float | None = None) -> ChatHook:
    """Hook the bot into the customer chat of `container` (once) and keep its knowledge
    fresh: reload every `refresh_seconds` (a publish shows within that time), rebuilding
    in the background only when the published answers changed."""
    from consultdesk.consultations.ingest import ingest_for

    with _CREATE:
        hook = container.attached.bot_hook
        if hook is not None:
            return hook
        hook = ChatHook(
            container=container,
            executor=ThreadPoolExecutor(max_workers=1, thread_name_prefix="consultdesk-bot"),
            stop=threading.Event(),
        )
        container.attached.bot_hook = hook
    ingest_for(container).listeners.append(hook.on_stored)
    interval = refresh_seconds if refresh_seconds is not None else REFRESH_SECONDS
    if interval > 0:
        hook.watcher = threading.Thread(
            target=_watch, args=(hook, interval), name="consultdesk-assistant-watch", daemon=True
        )
        hook.watcher.start()
    return hook


def detach_bot(container: Container) -> None:
    """Unhook the bot and stop its threads (app shutdown)."""
    from consultdesk.consultations.ingest import ingest_for

    with _CREATE:
        hook, container.attached.bot_hook = container.attached.bot_hook, None
    if hook is None:
        return
    hook.stop.set()
    listeners = ingest_for(container).listeners
    if hook.on_stored in listeners:
        listeners.remove(hook.on_stored)
    hook.executor.shutdown(wait=True, cancel_futures=True)
    if hook.watcher is not None:
        hook.watcher.join(timeout=5)
    assistant = container.attached.assistant
    if assistant is not None:
        assistant.wait_idle(timeout=5)
