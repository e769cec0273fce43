"""The assistant over HTTP: the bot (`POST /api/v1/assistant/ask`), suggestions for agents
as they type (`GET /api/v1/assistant/suggest`), the review queue and pair labels (QC-5),
and the console page `/console/knowledge`.

`ask` is called by the customer's app with the chat token (`X-Chat-Token`), or by staff
of the consultation's branch; another branch's consultation answers 404. The router's
lifespan hooks the bot into the customer chat (`bot.attach_bot`) and unhooks it at
shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Header, Query, Request
from fastapi.responses import RedirectResponse, Response

from consultdesk.assistant import bot, review
from consultdesk.assistant.schemas import (
    AskIn,
    AskOut,
    PairIn,
    PairOut,
    ResolveIn,
    ReviewItemOut,
    SuggestionOut,
)
from consultdesk.assistant.service import KnowledgeLoading, suggest, suggest_min_score
from consultdesk.shared.errors import DomainError, Forbidden
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import ContainerDep, current_principal, require


@asynccontextmanager
async def _bot_lifespan(app: FastAPI) -> AsyncIterator[None]:
    container = app.state.container
    bot.attach_bot(container, refresh_seconds=container.tuning.assistant_refresh_s)
    try:
        yield
    finally:
        bot.detach_bot(container)


router = APIRouter(tags=["assistant"], lifespan=_bot_lifespan)
Agent = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
Editor = Annotated[StaffMember, Depends(require(Permission.KB_EDIT))]
Reviewer = Annotated[StaffMember, Depends(require(Permission.KB_REVIEW))]
ChatToken = Annotated[str | None, Header(alias="X-Chat-Token", max_length=100)]


def _check_caller(
    request: Request, container: Any, consultation_id: str, token: str | None
) -> None:
    from consultdesk.consultations import service as consultations
    from consultdesk.consultations import visitors

    with container.uow() as session:
        if token is not None:
            visitors.consultation_for_token(
                session=session, consultation_id=consultation_id, token=token
            )
            return
        member = request.state.assistant_member
        if not member.can(Permission.HANDLE_CONSULTATIONS):
            raise Forbidden("当前角色无权执行此操作", code="forbidden")
        consultations.get_consultation(
            session=session, consultation_id=consultation_id, scope=member.scope
        )


async def _caller(request: Request, container: ContainerDep, token: ChatToken = None) -> None:
    """The customer with the chat token, or a signed-in member of staff."""
    if token is None:
        principal = await current_principal(request, container)
        request.state.assistant_member = principal.member


@router.post("/api/v1/assistant/ask", response_model=AskOut, dependencies=[Depends(_caller)])
def ask(body: AskIn, request: Request, container: ContainerDep, token: ChatToken = None) -> AskOut:
    """The bot answers one customer message on the consultation (posted to its transcript)."""
    _check_caller(request, container, body.consultation_id, token)
    asked = bot.ask(container=container, consultation_id=body.consultation_id, text=body.text)
    return AskOut.of(asked)


@router.get("/api/v1/assistant/suggest", response_model=list[SuggestionOut])
def suggestions(
    container: ContainerDep,
    member: Agent,
    text: Annotated[str, Query(min_length=1, max_length=600)],
) -> list[SuggestionOut]:
    """The top three entries with their answers for what the agent is typing; 503
    `assistant_loading` until the knowledge base has been loaded once after start-up."""
    assistant = bot.assistant_for(container)
    assistant.ensure_loaded()
    if assistant.loading:
        raise KnowledgeLoading("知识库正在加载，请稍候再试")
    with container.uow() as session:
        floor = suggest_min_score(session=session, branch=member.branch)
    found = suggest(knowledge=assistant.knowledge, text=text, min_score=floor)
    return [SuggestionOut.of(s) for s in found]


@router.get("/api/v1/assistant/review", response_model=list[ReviewItemOut])
def review_queue(
    container: ContainerDep,
    member: Editor,
    status: Annotated[str, Query(max_length=20)] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ReviewItemOut]:
    with container.uow() as session:
        found = review.list_review_items(
            session=session, status=None if status == "all" else status, limit=limit
        )
    return [ReviewItemOut.of(i) for i in found]


@router.post("/api/v1/assistant/review/{item_id}/resolve", response_model=ReviewItemOut)
def resolve(
    item_id: str, body: ResolveIn, container: ContainerDep, member: Editor
) -> ReviewItemOut:
    """Mark an item: added as a paraphrase to an entry, new entry drafted, or dismissed."""
    with container.uow() as session:
        item = review.resolve_review_item(
            session=session,
            now=container.clock.now(),
            item_id=item_id[:40],
            outcome=body.outcome,
            actor=member.id,
            entry_id=body.entry_id,
            note=body.note,
        )
    return ReviewItemOut.of(item)


@router.post("/api/v1/assistant/pairs", response_model=PairOut, status_code=201)
def label_pair(body: PairIn, container: ContainerDep, member: Agent) -> PairOut:
    """An agent labels two questions as the same or different (matcher training)."""
    with container.uow() as session:
        label = review.label_pair(
            session=session,
            now=container.clock.now(),
            first=body.first,
            second=body.second,
            same=body.same,
            actor=member.id,
        )
    return PairOut.of(label)


@router.get("/api/v1/assistant/pairs", response_model=list[PairOut])
def pairs(container: ContainerDep, member: Editor) -> list[PairOut]:
    with container.uow() as session:
        return [PairOut.of(p) for p in review.list_pair_labels(session=session)]


@router.post("/api/v1/assistant/refresh", status_code=202)
def refresh(container: ContainerDep, member: Reviewer) -> dict[str, Any]:
    """Reload the published knowledge now (e.g. right after a publish); a changed
    knowledge base is rebuilt in the background while the old one keeps answering."""
    started = bot.assistant_for(container).refresh()
    return {"rebuilding": started}


@router.get("/api/v1/assistant/status")
def status(container: ContainerDep, member: Agent) -> dict[str, Any]:
    assistant = bot.assistant_for(container)
    knowledge = assistant.knowledge
    return {
        "ready": knowledge.ready,
        "loading": assistant.loading,
        "entries": len(knowledge.entries),
    }


# ---- console page -------------------------------------------------------------------


@router.get("/console/knowledge", include_in_schema=False)
def knowledge_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    q: Annotated[str, Query(max_length=600)] = "",
) -> Response:
    """Search/suggest box over the live knowledge base and the review queue (QC-5)."""
    member = principal.member
    if not member.can(Permission.KB_EDIT):
        raise Forbidden("当前角色无权访问该页面")
    assistant = bot.assistant_for(container)
    assistant.ensure_loaded()
    found = suggest(knowledge=assistant.knowledge, text=q) if q.strip() else []
    with container.uow() as session:
        items = review.list_review_items(session=session, status="open", limit=100)
    return render(
        request,
        "knowledge.html",
        member=member,
        csrf=principal.csrf,
        q=q,
        suggestions=found,
        items=items,
        ready=assistant.knowledge.ready,
        entries=len(assistant.knowledge.entries),
        error=request.query_params.get("error"),
    )


@router.post("/console/knowledge/review/{item_id}", include_in_schema=False)
def knowledge_resolve(
    item_id: str,
    container: ContainerDep,
    principal: ConsoleDep,
    outcome: Annotated[str, Form(max_length=20)],
    entry_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    member = principal.member
    if not member.can(Permission.KB_EDIT):
        raise Forbidden("当前角色无权执行此操作")
    try:
        with container.uow() as session:
            review.resolve_review_item(
                session=session,
                now=container.clock.now(),
                item_id=item_id[:40],
                outcome=outcome,
                actor=member.id,
                entry_id=entry_id.strip() or None,
            )
    except DomainError as exc:
        from urllib.parse import quote

        return RedirectResponse(f"/console/knowledge?error={quote(exc.message)}", status_code=303)
    return RedirectResponse("/console/knowledge", status_code=303)
