"""Online chat over WebSocket (ACC-1), and the two chat pages.

- ``/ws/chat/{consultation_id}?token=…``: the customer (widget or app), with the chat token.
- ``/ws/agent``: staff, with the console session cookie; subscribes to consultations of
  their branch.

Protocol (JSON text frames). Client → server::

    {"type": "message", "client_msg_id": "c-1", "text": "…"}            (customer)
    {"type": "subscribe", "consultation_id": "con_…"}                  (agent)
    {"type": "message", "consultation_id": "con_…", "client_msg_id": "a-1", "text": "…"}

Server → client: ``history`` (transcript on connect/subscribe), ``ack`` (``client_msg_id``,
``seq``) sent ONLY after the message's transaction committed, ``message`` (anything
stored in a consultation you follow, except what this socket sent: that gets the ack),
``warning`` (C3 data was removed, RSK-3; ``stored_text`` is what was kept), ``error``
(``field``, ``message``). A resend with the same ``client_msg_id`` is
acknowledged again with the same ``seq`` and stored once. Acks on one socket come in the
order the messages were sent.

Broadcast: each process's hub is fed by its own ingest writer and bot after each commit
and, on PostgreSQL, by the other processes through LISTEN/NOTIFY (``fanout.py``), so a
customer on one web process and the agent on another see each other's messages live.
Clients that reconnect get the stored transcript (``history``), or
``GET …/messages?after_seq=``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from consultdesk.bootstrap import Container
from consultdesk.consultations import service, visitors
from consultdesk.consultations.fanout import ChatFanout
from consultdesk.consultations.ingest import Incoming, ingest_for
from consultdesk.consultations.messages import MAX_MESSAGE_CHARS, AuthorKind, Message
from consultdesk.consultations.reply_gate import blocked_error, gate_agent_text
from consultdesk.consultations.schemas import CLIENT_MSG_ID, ID_PATTERN
from consultdesk.org import service as org
from consultdesk.shared.errors import DomainError, Forbidden, Unauthorized
from consultdesk.shared.scope import SYSTEM, Scope
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import SESSION_COOKIE, ContainerDep

log = logging.getLogger("consultdesk.chat")
router = APIRouter(include_in_schema=False)

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
SESSION_RECHECK_S = 30
MAX_FRAME_CHARS = MAX_MESSAGE_CHARS * 6 + 512  # JSON escapes of CJK text: up to \uXXXX


# ---- hub ---------------------------------------------------------------------------


class Subscriber:
    """One socket's outbound queue; ``deliver`` may be called from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.outbox: asyncio.Queue[str] = asyncio.Queue()

    def deliver(self, event: str) -> None:
        with contextlib.suppress(RuntimeError):  # loop already closed: socket gone
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, event)


class Hub:
    """Who follows which consultation, in this process, and what each was last sent.

    Fed by this process's inserts (``publish``, after their commit) and, on PostgreSQL,
    by the other processes' (``deliver_remote``, from ``fanout.ChatFanout``). A message
    reaches each follower once: the sequence numbers recently sent per consultation are
    remembered, so a catch-up read after a reconnect repeats nothing."""

    RECENT = 256  # sequence numbers remembered per followed consultation

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscriber]] = {}
        self._sent: dict[str, dict[int, None]] = {}  # insertion-ordered set per consultation
        self.on_close: list[Callable[[], None]] = []

    def subscribe(self, consultation_id: str, sub: Subscriber) -> None:
        with self._lock:
            self._subs.setdefault(consultation_id, set()).add(sub)
            self._sent.setdefault(consultation_id, {})

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            for subs in self._subs.values():
                subs.discard(sub)
            self._subs = {k: v for k, v in self._subs.items() if v}
            self._sent = {k: v for k, v in self._sent.items() if k in self._subs}

    def following(self) -> dict[str, int]:
        with self._lock:
            return {cid: max(sent, default=0) for cid, sent in self._sent.items()}

    def _first_time(self, message: Message) -> bool:
        """Record ``message`` as sent; False when it was sent before. Lock held."""
        sent = self._sent.get(message.consultation_id)
        if sent is None:
            return True  # nobody follows it here
        if message.seq in sent:
            return False
        sent[message.seq] = None
        if len(sent) > self.RECENT:
            del sent[next(iter(sent))]
        return True

    def publish(self, item: Incoming | None, posted: service.Posted) -> None:
        """Push a message this process stored to everyone following its consultation
        except the socket that sent it (that one gets the ack)."""
        with self._lock:
            if not self._first_time(posted.message):
                return
            targets = list(self._subs.get(posted.message.consultation_id, ()))
        origin = item.origin if item is not None else None
        self._send(posted.message, [sub for sub in targets if sub is not origin])

    def deliver_remote(self, messages: Iterable[Message]) -> None:
        """Push messages another process stored (its sockets got their acks there)."""
        for message in messages:
            with self._lock:
                if not self._first_time(message):
                    continue
                targets = list(self._subs.get(message.consultation_id, ()))
            self._send(message, targets)

    @staticmethod
    def _send(message: Message, targets: list[Subscriber]) -> None:
        if not targets:
            return
        event = json.dumps(
            {"type": "message", "message": message_json(message)}, ensure_ascii=False
        )
        for sub in targets:
            sub.deliver(event)

    def close(self) -> None:
        for closer in self.on_close:
            closer()


_HUB_LOCK = threading.Lock()


def hub_for(container: Container) -> Hub:
    """The container's hub, listening to its ingest writer and, on PostgreSQL, to the
    other processes through ``fanout.ChatFanout`` (created on first use, stopped when
    the container closes)."""
    with _HUB_LOCK:
        hub = container.attached.hub
        if hub is None:
            hub = container.attached.hub = Hub()
            ingest_for(container).listeners.append(hub.publish)
            if container.engine.dialect.name == "postgresql":
                relay = ChatFanout(
                    engine=container.engine,
                    uow=container.uow,
                    hub=hub,
                    read_messages=lambda s, keys: service.messages_at(session=s, keys=keys),
                    read_after=lambda s, cid, after: service.transcript(
                        session=s, consultation_id=cid, scope=SYSTEM, after_seq=after
                    ),
                )
                relay.start()
                hub.on_close.append(relay.stop)
                container.attached.fanout = relay
            container.on_close.append(hub.close)
        return hub


def message_json(m: Message) -> dict[str, Any]:
    """The message as ``MessageOut`` fields (built by hand: this runs for every message)."""
    return {
        "id": m.id,
        "consultation_id": m.consultation_id,
        "seq": m.seq,
        "author_kind": m.author_kind.value,
        "author_id": m.author_id,
        "text": m.text,
        "client_msg_id": m.client_msg_id,
        "created_at": m.created_at.isoformat(),
        "redacted": list(m.redacted),
    }


class WireMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str = Field(max_length=20)
    client_msg_id: str = Field(pattern=CLIENT_MSG_ID)
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    consultation_id: str | None = Field(default=None, max_length=40)


def error_event(field: str | None, message: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "field": field, "message": message, **extra}


def parse_frame(raw: str) -> dict[str, Any]:
    if len(raw) > MAX_FRAME_CHARS:
        raise DomainError("消息过长", field="text")
    try:
        data = json.loads(raw)
    except ValueError:
        raise DomainError("消息须为 JSON 对象", field="body") from None
    if not isinstance(data, dict):
        raise DomainError("消息须为 JSON 对象", field="body")
    return data


def parse_message(data: dict[str, Any]) -> WireMessage:
    try:
        return WireMessage.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise DomainError(f"{field}: 取值不正确", field=field) from None


class Connection:
    """One socket: a sender task drains the outbox, an acker task resolves acks in order."""

    def __init__(self, websocket: WebSocket, container: Container) -> None:
        self.ws = websocket
        self.container = container
        self.sub = Subscriber(asyncio.get_running_loop())
        self.pending: asyncio.Queue[tuple[WireMessage, str, asyncio.Future[service.Posted]]] = (
            asyncio.Queue()
        )

    def send(self, event: dict[str, Any]) -> None:
        self.sub.outbox.put_nowait(json.dumps(event, ensure_ascii=False))

    def submit(self, wire: WireMessage, consultation_id: str, item: Incoming) -> None:
        item = replace(item, origin=self.sub)
        future = ingest_for(self.container).submit_async(item)
        self.pending.put_nowait((wire, consultation_id, future))

    async def _sender(self) -> None:
        while True:
            await self.ws.send_text(await self.sub.outbox.get())

    async def _acker(self) -> None:
        while True:
            wire, consultation_id, future = await self.pending.get()
            try:
                posted = await future
            except DomainError as exc:
                self.send(
                    error_event(
                        exc.field,
                        exc.message,
                        client_msg_id=wire.client_msg_id,
                        consultation_id=consultation_id,
                    )
                )
                continue
            except Exception:
                log.exception("storing a chat message failed")
                self.send(
                    error_event(
                        None, "系统繁忙，消息未保存，请重发", client_msg_id=wire.client_msg_id
                    )
                )
                continue
            self.send(
                {
                    "type": "ack",
                    "client_msg_id": wire.client_msg_id,
                    "seq": posted.message.seq,
                    "consultation_id": consultation_id,
                    "duplicate": posted.duplicate,
                }
            )
            if posted.warning:  # RSK-3: tell the customer their secret was not stored
                self.send(
                    {
                        "type": "warning",
                        "client_msg_id": wire.client_msg_id,
                        "text": posted.warning,
                        "stored_text": posted.message.text,
                    }
                )

    async def run(self, handle: Callable[[dict[str, Any]], Any]) -> None:
        hub = hub_for(self.container)
        tasks = [asyncio.create_task(self._sender()), asyncio.create_task(self._acker())]
        try:
            while True:
                raw = await self.ws.receive_text()
                try:
                    await handle(parse_frame(raw))
                except DomainError as exc:
                    self.send(error_event(exc.field, exc.message))
        except WebSocketDisconnect:
            pass
        finally:
            # Messages already handed to the ingest are stored either way; their acks
            # have nowhere to go, and a client resends what it saw no ack for.
            hub.unsubscribe(self.sub)
            for task in tasks:
                task.cancel()


async def _refuse(websocket: WebSocket, code: int, exc: DomainError) -> None:
    await websocket.accept()
    await websocket.send_text(json.dumps(error_event(exc.field, exc.message), ensure_ascii=False))
    await websocket.close(code=code)


def _history(container: Container, consultation_id: str, scope: Scope) -> list[dict[str, Any]]:
    with container.uow() as session:
        found = service.transcript(session=session, consultation_id=consultation_id, scope=scope)
    return [message_json(m) for m in found]


@router.websocket("/ws/chat/{consultation_id}")
async def customer_socket(websocket: WebSocket, consultation_id: str) -> None:
    container: Container = websocket.app.state.container
    token = websocket.query_params.get("token", "")[:100]

    def check() -> None:
        with container.uow() as session:
            visitors.consultation_for_token(
                session=session, consultation_id=consultation_id, token=token
            )

    try:
        await run_in_threadpool(check)
    except DomainError as exc:
        await _refuse(websocket, CLOSE_UNAUTHORIZED, exc)
        return
    await websocket.accept()
    conn = Connection(websocket, container)
    # Follow first, then read the history: nothing falls between (clients dedupe by seq).
    hub_for(container).subscribe(consultation_id, conn.sub)
    # The token names this consultation: the visitor's own, whatever its branch.
    history = await run_in_threadpool(_history, container, consultation_id, SYSTEM)
    conn.send({"type": "history", "consultation_id": consultation_id, "messages": history})

    async def handle(data: dict[str, Any]) -> None:
        wire = parse_message(data)
        if wire.type != "message":
            raise DomainError("type 须为 message", field="type")
        conn.submit(
            wire,
            consultation_id,
            Incoming(consultation_id, AuthorKind.CUSTOMER, wire.text, None, wire.client_msg_id),
        )

    await conn.run(handle)


def _same_origin(websocket: WebSocket) -> bool:
    """Cookie-authenticated sockets refuse other sites' pages (cross-site WebSocket
    hijacking); clients that send no Origin (not browsers) are let through."""
    origin = websocket.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


def _agent(container: Container, cookie: str) -> StaffMember:
    with container.uow() as session:
        member, _ = staff.resolve_session(session=session, now=container.clock.now(), token=cookie)
    if not member.can(Permission.HANDLE_CONSULTATIONS):
        raise Forbidden("当前角色无权处理咨询", code="forbidden")
    return member


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    container: Container = websocket.app.state.container
    cookie = websocket.cookies.get(SESSION_COOKIE, "")
    try:
        if not _same_origin(websocket):
            raise Forbidden("来源不被允许", field="origin")
        if not cookie:
            raise Unauthorized("请先登录", code="not_signed_in")
        member = await run_in_threadpool(_agent, container, cookie)
    except DomainError as exc:
        code = CLOSE_UNAUTHORIZED if isinstance(exc, Unauthorized) else CLOSE_FORBIDDEN
        await _refuse(websocket, code, exc)
        return
    await websocket.accept()
    conn = Connection(websocket, container)
    hub = hub_for(container)
    following: set[str] = set()

    checked_at = container.clock.now()

    def check(consultation_id: str) -> None:
        with container.uow() as session:
            # RSK-2: another branch's id is refused by the service, as over REST.
            service.get_consultation(
                session=session, consultation_id=consultation_id, scope=member.scope
            )

    async def still_signed_in() -> None:
        """A signed-out or expired session stops the socket too (checked every
        SESSION_RECHECK_S, on the next frame)."""
        nonlocal checked_at
        now = container.clock.now()
        if (now - checked_at).total_seconds() < SESSION_RECHECK_S:
            return
        try:
            await run_in_threadpool(_agent, container, cookie)
        except DomainError as exc:
            await websocket.send_text(json.dumps(error_event(exc.field, exc.message)))
            await websocket.close(code=CLOSE_UNAUTHORIZED)
            raise WebSocketDisconnect(code=CLOSE_UNAUTHORIZED) from None
        checked_at = now

    async def handle(data: dict[str, Any]) -> None:
        await still_signed_in()
        kind = data.get("type")
        consultation_id = data.get("consultation_id")
        if not isinstance(consultation_id, str) or not re.match(ID_PATTERN, consultation_id):
            raise DomainError("缺少或无效的 consultation_id", field="consultation_id")
        if kind == "subscribe":
            await run_in_threadpool(check, consultation_id)
            following.add(consultation_id)
            hub.subscribe(consultation_id, conn.sub)
            history = await run_in_threadpool(_history, container, consultation_id, member.scope)
            conn.send({"type": "history", "consultation_id": consultation_id, "messages": history})
            return
        if kind != "message":
            raise DomainError("type 须为 subscribe 或 message", field="type")
        if consultation_id not in following:
            raise DomainError("请先订阅该咨询", field="consultation_id")
        wire = parse_message(data)
        # QC-6: the reply is checked before it is sent; a blocked one is refused and recorded.
        gated = await run_in_threadpool(
            lambda: gate_agent_text(
                container=container,
                consultation_id=consultation_id,
                text=wire.text,
                agent_id=member.id,
            )
        )
        if not gated.sendable:
            raise blocked_error(gated)
        conn.submit(
            wire,
            consultation_id,
            Incoming(consultation_id, AuthorKind.AGENT, gated.text, member.id, wire.client_msg_id),
        )

    await conn.run(handle)


# ---- pages ---------------------------------------------------------------------------


@router.get("/chat")
def chat_widget(request: Request, container: ContainerDep) -> Response:
    """The public customer widget: opens a chat as a visitor and talks over WebSocket."""
    with container.uow() as session:
        branches = org.list_branches(session=session)
    return render(request, "chat.html", member=None, csrf=None, branches=branches)


@router.get("/console/queue")
def queue_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
) -> Response:
    """The agent's queue: open consultations of the branch, and the chat window."""
    member = principal.member
    if not member.can(Permission.HANDLE_CONSULTATIONS):
        raise Forbidden("当前角色无权访问该页面")
    with container.uow() as session:
        found = service.list_consultations(
            session=session,
            scope=member.scope,
            open_only=True,
            limit=200,
        )
    return render(
        request,
        "queue.html",
        member=member,
        csrf=principal.csrf,
        consultations=found,
    )
