"""Knowledge-base use cases. Each takes a SQLAlchemy `session` and `now`, flushes,
and never commits: the caller's unit of work does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.knowledge.model import (
    Acknowledgement,
    Action,
    Bulletin,
    BulletinId,
    BulletinKind,
    BusinessLine,
    Complexity,
    Entry,
    EntryContent,
    EntryId,
    EntrySpec,
    EntryVersion,
    PublishedAnswer,
    Transition,
    UserId,
    VersionStatus,
    published_answer,
    unacknowledged,
)
from consultdesk.knowledge.tables import (
    BulletinAckRow,
    BulletinRow,
    EntryRow,
    EntryTransitionRow,
    EntryVersionRow,
)
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed

# --- entries -------------------------------------------------------------------------


def create_draft(
    *,
    session: Session,
    now: datetime,
    author: UserId,
    business_line: BusinessLine,
    owner: UserId,
    content: EntryContent,
    entry_id: EntryId | None = None,
) -> Entry:
    """A new entry whose version 1 is a draft by `author`. Conflict if the id is taken."""
    new_id = entry_id or EntryId(f"KB-{uuid.uuid4().hex[:12]}")
    if session.get(EntryRow, new_id) is not None:
        raise Conflict(f"条目编号 {new_id} 已存在", field="entry_id")
    entry = Entry.draft(
        entry_id=new_id,
        business_line=business_line,
        owner=owner,
        content=content,
        author=author,
        now=now,
    )
    _save(session, entry)
    return entry


def revise_entry(
    *, session: Session, now: datetime, entry_id: EntryId, author: UserId, content: EntryContent
) -> Entry:
    """Start a new draft version of an entry; its published version stays live meanwhile."""
    entry = get_entry(session=session, entry_id=entry_id)
    entry.revise(content=content, author=author, now=now)
    _save(session, entry)
    return entry


def edit_draft(
    *, session: Session, now: datetime, entry_id: EntryId, actor: UserId, content: EntryContent
) -> Entry:
    """Replace the content of an entry's draft (e.g. after a rejection); the editor may
    then not review that version."""
    entry = get_entry(session=session, entry_id=entry_id)
    entry.edit_draft(content=content, actor=actor, now=now)
    _save(session, entry)
    return entry


def submit_for_review(
    *, session: Session, now: datetime, entry_id: EntryId, actor: UserId
) -> Entry:
    """Draft → in review; refused while the answer misses SOL-2/RSK-7 wording."""
    entry = get_entry(session=session, entry_id=entry_id)
    entry.submit_for_review(actor=actor, now=now)
    _save(session, entry)
    return entry


def publish(*, session: Session, now: datetime, entry_id: EntryId, reviewer: UserId) -> Entry:
    """In review → published by a reviewer who is not the author (PREP-1)."""
    entry = get_entry(session=session, entry_id=entry_id)
    entry.publish(reviewer=reviewer, now=now)
    _save(session, entry)
    return entry


def reject(
    *, session: Session, now: datetime, entry_id: EntryId, reviewer: UserId, reason: str
) -> Entry:
    """In review → draft, with the reviewer's reason recorded."""
    entry = get_entry(session=session, entry_id=entry_id)
    entry.reject(reviewer=reviewer, reason=reason, now=now)
    _save(session, entry)
    return entry


def archive(
    *, session: Session, now: datetime, entry_id: EntryId, actor: UserId, reason: str = ""
) -> Entry:
    """Withdraw an entry: it is no longer answerable."""
    entry = get_entry(session=session, entry_id=entry_id)
    entry.archive(actor=actor, now=now, reason=reason)
    _save(session, entry)
    return entry


def get_entry(*, session: Session, entry_id: EntryId) -> Entry:
    """The entry with all its versions and history; NotFound if absent."""
    row = session.get(EntryRow, entry_id)
    if row is None:
        raise NotFound(f"知识条目 {entry_id} 不存在", field="entry_id")
    return _load(session, row)


def list_entries(*, session: Session, business_line: BusinessLine | None = None) -> list[Entry]:
    """Every entry (any status), ordered by id."""
    query = select(EntryRow).order_by(EntryRow.id)
    if business_line is not None:
        query = query.where(EntryRow.business_line == business_line.value)
    rows = list(session.scalars(query))
    # Three queries in all, however many entries (the matcher reloads this list).
    versions: dict[str, list[EntryVersionRow]] = {}
    transitions: dict[str, list[EntryTransitionRow]] = {}
    ids = [row.id for row in rows]
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for v in session.scalars(
            select(EntryVersionRow)
            .where(EntryVersionRow.entry_id.in_(chunk))
            .order_by(EntryVersionRow.number)
        ):
            versions.setdefault(v.entry_id, []).append(v)
        for t in session.scalars(
            select(EntryTransitionRow)
            .where(EntryTransitionRow.entry_id.in_(chunk))
            .order_by(EntryTransitionRow.seq)
        ):
            transitions.setdefault(t.entry_id, []).append(t)
    return [_entry_from(row, versions.get(row.id, []), transitions.get(row.id, [])) for row in rows]


def list_published(
    *, session: Session, now: datetime, business_line: BusinessLine | None = None
) -> list[PublishedAnswer]:
    """What the matcher needs: the live answer of every entry answerable at `now`."""
    answers = []
    for entry in list_entries(session=session, business_line=business_line):
        answer = published_answer(entry, now=now)
        if answer is not None:
            answers.append(answer)
    return answers


def search(
    *,
    session: Session,
    now: datetime,
    text: str,
    business_line: BusinessLine | None = None,
) -> list[PublishedAnswer]:
    """Answerable entries whose question, paraphrases or answer contain `text`.

    Entries matching on the standard question or a paraphrase come first.
    """
    needle = text.strip().lower()
    if not needle:
        raise ValidationFailed("请输入搜索内容", field="text")
    on_question: list[PublishedAnswer] = []
    on_answer: list[PublishedAnswer] = []
    for answer in list_published(session=session, now=now, business_line=business_line):
        if any(needle in q.lower() for q in answer.questions):
            on_question.append(answer)
        elif needle in answer.answer.lower():
            on_answer.append(answer)
    return on_question + on_answer


@dataclass(frozen=True)
class ImportReport:
    created: tuple[EntryId, ...]
    revised: tuple[EntryId, ...]
    unchanged: tuple[EntryId, ...]


def import_entries(
    *,
    session: Session,
    now: datetime,
    specs: Sequence[EntrySpec],
    author: UserId,
    submit: bool = True,
) -> ImportReport:
    """Bring parsed entries in, all or nothing.

    A new id becomes a new entry; a known id with different content gets a new version;
    identical content is left alone. With `submit`, new versions go straight to review.
    Any failure (compliance, open revision, duplicate id in the batch) rolls back the
    whole batch and names the row (1-based data row).
    """
    seen: dict[EntryId, int] = {}
    for row_no, spec in enumerate(specs, start=1):
        if spec.entry_id in seen:
            raise ValidationFailed(
                f"第 {row_no} 行：条目编号 {spec.entry_id} 与第 {seen[spec.entry_id]} 行重复",
                field=f"row {row_no}: entry_id",
            )
        seen[spec.entry_id] = row_no
    created: list[EntryId] = []
    revised: list[EntryId] = []
    unchanged: list[EntryId] = []
    savepoint = session.begin_nested()
    try:
        for row_no, spec in enumerate(specs, start=1):
            try:
                outcome = _import_one(
                    session=session, now=now, spec=spec, author=author, submit=submit
                )
            except (ValidationFailed, Conflict) as error:
                raise type(error)(
                    f"第 {row_no} 行：{error.message}",
                    field=f"row {row_no}: {error.field or 'entry'}",
                ) from error
            {"created": created, "revised": revised, "unchanged": unchanged}[outcome].append(
                spec.entry_id
            )
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return ImportReport(tuple(created), tuple(revised), tuple(unchanged))


def _import_one(
    *, session: Session, now: datetime, spec: EntrySpec, author: UserId, submit: bool
) -> str:
    row = session.get(EntryRow, spec.entry_id)
    if row is None:
        entry = Entry.draft(
            entry_id=spec.entry_id,
            business_line=spec.business_line,
            owner=spec.owner,
            content=spec.content,
            author=author,
            now=now,
        )
        outcome = "created"
    else:
        entry = _load(session, row)
        if (
            entry.latest.content == spec.content
            and entry.business_line is spec.business_line
            and entry.latest.status is not VersionStatus.ARCHIVED
        ):
            return "unchanged"
        if entry.business_line is not spec.business_line:
            raise ValidationFailed(
                f"条目 {spec.entry_id} 的业务条线不能从 {entry.business_line} 改为 "
                f"{spec.business_line}",
                field="business_line",
            )
        entry.revise(content=spec.content, author=author, now=now)
        outcome = "revised"
    if submit:
        entry.submit_for_review(actor=author, now=now)
    _save(session, entry)
    return outcome


def export_entries(
    *, session: Session, business_line: BusinessLine | None = None
) -> list[EntrySpec]:
    """Each non-archived entry's latest version, in the import layout."""
    specs = []
    for entry in list_entries(session=session, business_line=business_line):
        version = entry.latest
        if version.status is VersionStatus.ARCHIVED:
            continue
        specs.append(
            EntrySpec(
                entry_id=entry.id,
                business_line=entry.business_line,
                owner=entry.owner,
                content=version.content,
            )
        )
    return specs


def load_demo_knowledge_base(
    *, session: Session, now: datetime, author: UserId, reviewer: UserId
) -> ImportReport:
    """Import the Demo Bank FAQ, publish every entry that went to review, and post the
    demo bulletins (posted by `reviewer`) that are not there yet. Safe to run again."""
    from consultdesk.knowledge.demo import load_demo_bulletins, load_demo_entries

    report = import_entries(session=session, now=now, specs=load_demo_entries(), author=author)
    for entry_id in (*report.created, *report.revised):
        publish(session=session, now=now, entry_id=entry_id, reviewer=reviewer)
    for bulletin in load_demo_bulletins():
        if session.get(BulletinRow, bulletin.id) is None:
            post_bulletin(
                session=session,
                now=now,
                posted_by=reviewer,
                kind=bulletin.kind,
                title=bulletin.title,
                body=bulletin.body,
                business_line=bulletin.business_line,
                bulletin_id=bulletin.id,
            )
    return report


# --- bulletins -----------------------------------------------------------------------


def post_bulletin(
    *,
    session: Session,
    now: datetime,
    posted_by: UserId,
    kind: BulletinKind,
    title: str,
    body: str,
    business_line: BusinessLine | None = None,
    expires_at: datetime | None = None,
    bulletin_id: BulletinId | None = None,
) -> Bulletin:
    """Post a product or policy bulletin for agents to acknowledge (PREP-2)."""
    bulletin = Bulletin(
        id=bulletin_id or BulletinId(f"BUL-{uuid.uuid4().hex[:12]}"),
        kind=kind,
        title=title,
        body=body,
        posted_by=posted_by,
        posted_at=now,
        business_line=business_line,
        expires_at=expires_at,
    )
    if session.get(BulletinRow, bulletin.id) is not None:
        raise Conflict(f"公告编号 {bulletin.id} 已存在", field="bulletin_id")
    session.add(
        BulletinRow(
            id=bulletin.id,
            kind=bulletin.kind.value,
            title=bulletin.title,
            body=bulletin.body,
            business_line=business_line.value if business_line else None,
            posted_by=posted_by,
            posted_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return bulletin


def acknowledge_bulletin(
    *, session: Session, now: datetime, bulletin_id: BulletinId, agent: UserId
) -> Acknowledgement:
    """Record that `agent` read the bulletin; a repeat keeps the first time."""
    bulletin = _load_bulletin(session, bulletin_id)
    before = len(bulletin.acknowledgements)
    ack = bulletin.acknowledge(agent=agent, now=now)
    if len(bulletin.acknowledgements) > before:
        session.add(BulletinAckRow(bulletin_id=bulletin_id, agent=agent, at=ack.at))
        session.flush()
    return ack


def unacknowledged_bulletins(*, session: Session, now: datetime, agent: UserId) -> list[Bulletin]:
    """Active bulletins the agent still has to acknowledge, oldest first (shift start)."""
    rows = session.scalars(select(BulletinRow).where(BulletinRow.posted_at <= now))
    return unacknowledged([_bulletin_from(session, r) for r in rows], agent=agent, now=now)


def _load_bulletin(session: Session, bulletin_id: BulletinId) -> Bulletin:
    row = session.get(BulletinRow, bulletin_id)
    if row is None:
        raise NotFound(f"公告 {bulletin_id} 不存在", field="bulletin_id")
    return _bulletin_from(session, row)


def _bulletin_from(session: Session, row: BulletinRow) -> Bulletin:
    acks = session.scalars(
        select(BulletinAckRow)
        .where(BulletinAckRow.bulletin_id == row.id)
        .order_by(BulletinAckRow.id)
    )
    return Bulletin(
        id=BulletinId(row.id),
        kind=BulletinKind(row.kind),
        title=row.title,
        body=row.body,
        posted_by=UserId(row.posted_by),
        posted_at=row.posted_at,
        business_line=BusinessLine(row.business_line) if row.business_line else None,
        expires_at=row.expires_at,
        acknowledgements=[Acknowledgement(agent=UserId(a.agent), at=a.at) for a in acks],
    )


# --- mapping entries onto rows -------------------------------------------------------


def _load(session: Session, row: EntryRow) -> Entry:
    versions = session.scalars(
        select(EntryVersionRow)
        .where(EntryVersionRow.entry_id == row.id)
        .order_by(EntryVersionRow.number)
    )
    transitions = session.scalars(
        select(EntryTransitionRow)
        .where(EntryTransitionRow.entry_id == row.id)
        .order_by(EntryTransitionRow.seq)
    )
    return _entry_from(row, list(versions), list(transitions))


def _entry_from(
    row: EntryRow, versions: list[EntryVersionRow], transitions: list[EntryTransitionRow]
) -> Entry:
    return Entry(
        id=EntryId(row.id),
        business_line=BusinessLine(row.business_line),
        owner=UserId(row.owner),
        versions=[_version_from(v) for v in versions],
        history=[
            Transition(
                version=t.version,
                action=Action(t.action),
                from_status=VersionStatus(t.from_status) if t.from_status else None,
                to_status=VersionStatus(t.to_status),
                actor=UserId(t.actor),
                at=t.at,
                reason=t.reason,
            )
            for t in transitions
        ],
    )


def _version_from(row: EntryVersionRow) -> EntryVersion:
    return EntryVersion(
        number=row.number,
        content=EntryContent(
            standard_question=row.standard_question,
            paraphrases=tuple(row.paraphrases),
            answer=row.answer,
            steps=tuple(row.steps),
            complexity=Complexity(row.complexity),
            risk_tags=tuple(row.risk_tags),
            source=row.source,
            effective_from=row.effective_from,
            expires_on=row.expires_on,
        ),
        author=UserId(row.author),
        created_at=row.created_at,
        status=VersionStatus(row.status),
        reviewer=UserId(row.reviewer) if row.reviewer else None,
        published_at=row.published_at,
    )


def _save(session: Session, entry: Entry) -> None:
    row = session.get(EntryRow, entry.id)
    if row is None:
        session.add(
            EntryRow(id=entry.id, business_line=entry.business_line.value, owner=entry.owner)
        )
        session.flush()
    stored = {
        v.number: v
        for v in session.scalars(
            select(EntryVersionRow).where(EntryVersionRow.entry_id == entry.id)
        )
    }
    for version in entry.versions:
        version_row = stored.get(version.number)
        if version_row is None:
            version_row = EntryVersionRow(entry_id=entry.id, number=version.number)
            session.add(version_row)
        c = version.content
        version_row.status = version.status.value
        version_row.standard_question = c.standard_question
        version_row.paraphrases = list(c.paraphrases)
        version_row.answer = c.answer
        version_row.steps = list(c.steps)
        version_row.complexity = c.complexity.value
        version_row.risk_tags = list(c.risk_tags)
        version_row.source = c.source
        version_row.effective_from = c.effective_from
        version_row.expires_on = c.expires_on
        version_row.author = version.author
        version_row.reviewer = version.reviewer
        version_row.created_at = version.created_at
        version_row.published_at = version.published_at
    recorded = len(
        session.scalars(
            select(EntryTransitionRow.id).where(EntryTransitionRow.entry_id == entry.id)
        ).all()
    )
    for seq, t in enumerate(entry.history[recorded:], start=recorded):
        session.add(
            EntryTransitionRow(
                entry_id=entry.id,
                seq=seq,
                version=t.version,
                action=t.action.value,
                from_status=t.from_status.value if t.from_status else None,
                to_status=t.to_status.value,
                actor=t.actor,
                at=t.at,
                reason=t.reason,
            )
        )
    session.flush()
