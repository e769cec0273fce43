"""The knowledge base domain: entries (话术库, PREP-1) with versions and a review
workflow, and bulletins agents acknowledge at shift start (PREP-2).

Pure: imports only the standard library. Time is always passed in as `now`
(an aware datetime); calendar dates are read in Beijing time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import NewType

from consultdesk.shared.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from consultdesk.shared.ids import UserId as UserId  # one staff id type across features

EntryId = NewType("EntryId", str)
BulletinId = NewType("BulletinId", str)

# China keeps no daylight saving time, so a fixed offset is exact.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class BusinessLine(StrEnum):
    """The nine business lines of PREP-1."""

    DEPOSITS = "deposits"
    LOANS = "loans"
    CREDIT_CARDS = "credit_cards"
    EBANKING = "ebanking"
    PRECIOUS_METALS = "precious_metals"
    WEALTH = "wealth"
    INSURANCE = "insurance"
    FOREX = "forex"
    ACCOUNTS = "accounts"


BUSINESS_LINE_NAMES: dict[BusinessLine, str] = {
    BusinessLine.DEPOSITS: "存款",
    BusinessLine.LOANS: "贷款",
    BusinessLine.CREDIT_CARDS: "信用卡",
    BusinessLine.EBANKING: "电子银行",
    BusinessLine.PRECIOUS_METALS: "贵金属",
    BusinessLine.WEALTH: "理财",
    BusinessLine.INSURANCE: "保险",
    BusinessLine.FOREX: "外汇",
    BusinessLine.ACCOUNTS: "账户",
}

# Lines whose answers are about investment products: they must disclose risk (RSK-7).
RISK_DISCLOSING_LINES = frozenset(
    {
        BusinessLine.WEALTH,
        BusinessLine.INSURANCE,
        BusinessLine.PRECIOUS_METALS,
        BusinessLine.FOREX,
    }
)


class Complexity(StrEnum):
    """ACP-4: decides handling (simple answered at once, complex analysed further)."""

    SIMPLE = "simple"
    MEDIUM = "medium"
    COMPLEX = "complex"


class VersionStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    ARCHIVED = "archived"


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    ARCHIVE = "archive"
    SUPERSEDE = "supersede"


# PREP-1: the review workflow, as data. Anything not listed is an illegal move.
TRANSITIONS: dict[tuple[VersionStatus, Action], VersionStatus] = {
    (VersionStatus.DRAFT, Action.EDIT): VersionStatus.DRAFT,
    (VersionStatus.DRAFT, Action.SUBMIT): VersionStatus.IN_REVIEW,
    (VersionStatus.DRAFT, Action.ARCHIVE): VersionStatus.ARCHIVED,
    (VersionStatus.IN_REVIEW, Action.PUBLISH): VersionStatus.PUBLISHED,
    (VersionStatus.IN_REVIEW, Action.REJECT): VersionStatus.DRAFT,
    (VersionStatus.PUBLISHED, Action.ARCHIVE): VersionStatus.ARCHIVED,
    # Publishing a newer version retires the older published one.
    (VersionStatus.PUBLISHED, Action.SUPERSEDE): VersionStatus.SUPERSEDED,
}

OPEN_STATUSES = frozenset({VersionStatus.DRAFT, VersionStatus.IN_REVIEW})

STATUS_NAMES: dict[VersionStatus, str] = {
    VersionStatus.DRAFT: "草稿",
    VersionStatus.IN_REVIEW: "待审核",
    VersionStatus.PUBLISHED: "已发布",
    VersionStatus.SUPERSEDED: "已被新版本替代",
    VersionStatus.ARCHIVED: "已归档",
}

ACTION_NAMES: dict[Action, str] = {
    Action.CREATE: "新建",
    Action.EDIT: "修改",
    Action.SUBMIT: "提交审核",
    Action.PUBLISH: "发布",
    Action.REJECT: "驳回",
    Action.ARCHIVE: "归档",
    Action.SUPERSEDE: "替代",
}


class IllegalEntryTransition(IllegalTransition):
    """A workflow move the transition table does not allow."""

    code = "illegal_entry_transition"


class ReviewerIsAuthor(Forbidden):
    """PREP-1: the reviewer who publishes or rejects must not have written the version."""

    code = "reviewer_is_author"


class RevisionAlreadyOpen(Conflict):
    """An entry has at most one draft or in-review version at a time."""

    code = "revision_already_open"


# A figure: an amount, a rate or a weight. SOL-2 wants such answers to say they are
# final only on approval / as published ("以审批为准", "以实际公布为准").
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|元|万|亿|美元|克|bp|个基点)")
FINAL_ONLY_WHEN = re.compile(r"以[^，。；,;]{0,12}为准")
NOT_GUARANTEED = ("不保本", "非保本")
RISK_WORDS = ("不保本", "非保本", "有风险", "风险提示", "谨慎")


ENTRY_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")

# Control characters other than tab and newline: invisible, and refused by XLSX.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FIELD_NAMES = {
    "standard_question": "标准问题",
    "answer": "答案",
    "paraphrases": "相似问法",
    "steps": "操作步骤",
    "risk_tags": "风险标签",
}


def states_figures(text: str) -> bool:
    """True when the text quotes an amount, a rate or a weight."""
    return FIGURE.search(text) is not None


def compliance_problems(line: BusinessLine, answer: str) -> list[str]:
    """What an answer is missing to be publishable, in Chinese; empty when compliant.

    SOL-2: figures say they are final only on approval / as published.
    RSK-7: wealth answers say the product is not principal-guaranteed.
    Investment lines (insurance, precious metals, forex) carry a risk warning.
    """
    problems: list[str] = []
    if states_figures(answer) and FINAL_ONLY_WHEN.search(answer) is None:
        problems.append("答案含有金额或利率，须注明“以审批为准”或“以实际公布为准”")
    if line is BusinessLine.WEALTH and not any(w in answer for w in NOT_GUARANTEED):
        problems.append("理财类答案须注明“本产品不保本”或“非保本”")
    elif line in RISK_DISCLOSING_LINES and not any(w in answer for w in RISK_WORDS):
        problems.append("投资类答案须包含风险提示（如“投资有风险”）")
    return problems


@dataclass(frozen=True)
class EntryContent:
    """What a version of an entry says. Validated on construction."""

    standard_question: str
    paraphrases: tuple[str, ...]
    answer: str
    steps: tuple[str, ...]
    complexity: Complexity
    risk_tags: tuple[str, ...]
    source: str
    effective_from: date
    expires_on: date | None = None

    def __post_init__(self) -> None:
        if not self.standard_question.strip():
            raise ValidationFailed("标准问题不能为空", field="standard_question")
        if not self.answer.strip():
            raise ValidationFailed("答案不能为空", field="answer")
        if not self.source.strip():
            raise ValidationFailed("须注明答案来源", field="source")
        if len(self.source) > 200:
            raise ValidationFailed("答案来源不能超过 200 字", field="source")
        for name, items in (
            ("paraphrases", self.paraphrases),
            ("steps", self.steps),
            ("risk_tags", self.risk_tags),
        ):
            # One item per line in CSV/XLSX cells, so an item may not span lines.
            if any(not i.strip() or "\n" in i or "\r" in i for i in items):
                raise ValidationFailed(f"{FIELD_NAMES[name]}的每一项须为非空的单行文本", field=name)
        for name, text in (("standard_question", self.standard_question), ("answer", self.answer)):
            if CONTROL.search(text):
                raise ValidationFailed(f"{FIELD_NAMES[name]}含有不可见控制字符", field=name)
        if len(set(self.paraphrases)) != len(self.paraphrases):
            raise ValidationFailed("相似问法有重复", field="paraphrases")
        if self.expires_on is not None and self.expires_on < self.effective_from:
            raise ValidationFailed("失效日期不能早于生效日期", field="expires_on")

    def is_in_force(self, now: datetime) -> bool:
        """Answerable from `effective_from` through `expires_on` inclusive, Beijing dates."""
        today = now.astimezone(BEIJING).date()
        if today < self.effective_from:
            return False
        return self.expires_on is None or today <= self.expires_on


@dataclass(frozen=True)
class Transition:
    """One recorded workflow move: who did what to which version, when."""

    version: int
    action: Action
    from_status: VersionStatus | None
    to_status: VersionStatus
    actor: UserId
    at: datetime
    reason: str = ""


@dataclass
class EntryVersion:
    number: int
    content: EntryContent
    author: UserId
    created_at: datetime
    status: VersionStatus = VersionStatus.DRAFT
    reviewer: UserId | None = None
    published_at: datetime | None = None


@dataclass
class Entry:
    """A knowledge-base entry: one business question, many versions over time.

    At most one version is published (the one agents and the bot answer from) and at
    most one is open (draft or in review) at any time.
    """

    id: EntryId
    business_line: BusinessLine
    owner: UserId
    versions: list[EntryVersion] = field(default_factory=list)
    history: list[Transition] = field(default_factory=list)

    @classmethod
    def draft(
        cls,
        *,
        entry_id: EntryId,
        business_line: BusinessLine,
        owner: UserId,
        content: EntryContent,
        author: UserId,
        now: datetime,
    ) -> Entry:
        """A new entry whose first version is a draft by `author`."""
        entry = cls(id=entry_id, business_line=business_line, owner=owner)
        entry._add_version(content, author=author, now=now)
        return entry

    @property
    def latest(self) -> EntryVersion:
        return self.versions[-1]

    @property
    def published(self) -> EntryVersion | None:
        """The version currently published, if any."""
        for version in reversed(self.versions):
            if version.status is VersionStatus.PUBLISHED:
                return version
        return None

    @property
    def open_version(self) -> EntryVersion | None:
        """The draft or in-review version, if any."""
        latest = self.latest
        return latest if latest.status in OPEN_STATUSES else None

    def is_answerable(self, now: datetime) -> bool:
        """Published and within its effective and expiry dates at `now`."""
        published = self.published
        return published is not None and published.content.is_in_force(now)

    def revise(self, *, content: EntryContent, author: UserId, now: datetime) -> EntryVersion:
        """Start a new draft version; the published one stays live until it is replaced."""
        if self.open_version is not None:
            raise RevisionAlreadyOpen(
                f"条目 {self.id} 已有未完成的草稿或待审核版本，请先处理", field="entry_id"
            )
        return self._add_version(content, author=author, now=now)

    def edit_draft(self, *, content: EntryContent, actor: UserId, now: datetime) -> None:
        """Replace the content of the draft; the editor becomes one of its contributors."""
        version = self._working_version()
        self._move(version, Action.EDIT, actor=actor, now=now)
        version.content = content

    def contributors(self, version: EntryVersion) -> frozenset[UserId]:
        """Who wrote `version`: its author and everyone who edited it."""
        editors = {
            t.actor for t in self.history if t.version == version.number and t.action is Action.EDIT
        }
        return frozenset({version.author, *editors})

    def submit_for_review(self, *, actor: UserId, now: datetime) -> None:
        """Draft → in review. Refused while the answer is not compliant (SOL-2, RSK-7)."""
        version = self._working_version()
        problems = compliance_problems(self.business_line, version.content.answer)
        if problems:
            raise ValidationFailed("；".join(problems), field="answer")
        self._move(version, Action.SUBMIT, actor=actor, now=now)

    def publish(self, *, reviewer: UserId, now: datetime) -> None:
        """In review → published, by a reviewer other than the author; retires the old one."""
        version = self._working_version()
        self._target(version, Action.PUBLISH)
        self._require_independent(version, reviewer)
        previous = self.published
        self._move(version, Action.PUBLISH, actor=reviewer, now=now)
        version.reviewer = reviewer
        version.published_at = now
        if previous is not None:
            self._move(previous, Action.SUPERSEDE, actor=reviewer, now=now)

    def reject(self, *, reviewer: UserId, reason: str, now: datetime) -> None:
        """In review → back to draft, with the reviewer's reason."""
        if not reason.strip():
            raise ValidationFailed("驳回须填写原因", field="reason")
        version = self._working_version()
        self._target(version, Action.REJECT)
        self._require_independent(version, reviewer)
        self._move(version, Action.REJECT, actor=reviewer, now=now, reason=reason)

    def archive(self, *, actor: UserId, now: datetime, reason: str = "") -> None:
        """Withdraw the entry: its published version (or else its open draft) is archived."""
        version = self.published or self.latest
        self._move(version, Action.ARCHIVE, actor=actor, now=now, reason=reason)

    def _add_version(self, content: EntryContent, *, author: UserId, now: datetime) -> EntryVersion:
        version = EntryVersion(
            number=len(self.versions) + 1, content=content, author=author, created_at=now
        )
        self.versions.append(version)
        self.history.append(
            Transition(
                version=version.number,
                action=Action.CREATE,
                from_status=None,
                to_status=VersionStatus.DRAFT,
                actor=author,
                at=now,
            )
        )
        return version

    def _working_version(self) -> EntryVersion:
        return self.open_version or self.latest

    def _target(self, version: EntryVersion, action: Action) -> VersionStatus:
        """Where `action` takes `version`, or IllegalEntryTransition."""
        target = TRANSITIONS.get((version.status, action))
        if target is None:
            raise IllegalEntryTransition(
                f"条目 {self.id} 第 {version.number} 版当前为“{STATUS_NAMES[version.status]}”，"
                f"不能{ACTION_NAMES[action]}",
                field="status",
            )
        return target

    def _require_independent(self, version: EntryVersion, reviewer: UserId) -> None:
        if reviewer in self.contributors(version):
            raise ReviewerIsAuthor("审核人不能是该版本的作者或修改人", field="reviewer")

    def _move(
        self,
        version: EntryVersion,
        action: Action,
        *,
        actor: UserId,
        now: datetime,
        reason: str = "",
    ) -> None:
        target = self._target(version, action)
        self.history.append(
            Transition(
                version=version.number,
                action=action,
                from_status=version.status,
                to_status=target,
                actor=actor,
                at=now,
                reason=reason,
            )
        )
        version.status = target


class BulletinKind(StrEnum):
    """PREP-2: what changed."""

    RATE_CHANGE = "rate_change"
    LIMIT_CHANGE = "limit_change"
    NAV_MOVE = "nav_move"
    POLICY = "policy"
    PRODUCT = "product"


@dataclass(frozen=True)
class Acknowledgement:
    agent: UserId
    at: datetime


@dataclass
class Bulletin:
    """A product or policy bulletin agents must read and acknowledge (PREP-2)."""

    id: BulletinId
    kind: BulletinKind
    title: str
    body: str
    posted_by: UserId
    posted_at: datetime
    business_line: BusinessLine | None = None
    expires_at: datetime | None = None
    acknowledgements: list[Acknowledgement] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValidationFailed("公告标题不能为空", field="title")
        if not self.body.strip():
            raise ValidationFailed("公告内容不能为空", field="body")
        if self.expires_at is not None and self.expires_at <= self.posted_at:
            raise ValidationFailed("公告失效时间须晚于发布时间", field="expires_at")

    def is_active(self, now: datetime) -> bool:
        return self.posted_at <= now and (self.expires_at is None or now < self.expires_at)

    def acknowledged_by(self, agent: UserId) -> bool:
        return any(a.agent == agent for a in self.acknowledgements)

    def acknowledge(self, *, agent: UserId, now: datetime) -> Acknowledgement:
        """Record that `agent` has read it; acknowledging again keeps the first time."""
        for existing in self.acknowledgements:
            if existing.agent == agent:
                return existing
        ack = Acknowledgement(agent=agent, at=now)
        self.acknowledgements.append(ack)
        return ack


def unacknowledged(
    bulletins: Iterable[Bulletin], *, agent: UserId, now: datetime
) -> list[Bulletin]:
    """Active bulletins `agent` has not yet acknowledged, oldest first."""
    pending = [b for b in bulletins if b.is_active(now) and not b.acknowledged_by(agent)]
    return sorted(pending, key=lambda b: b.posted_at)


@dataclass(frozen=True)
class EntrySpec:
    """One entry as it travels through import and export: identity plus content."""

    entry_id: EntryId
    business_line: BusinessLine
    owner: UserId
    content: EntryContent

    def __post_init__(self) -> None:
        if not ENTRY_ID.fullmatch(self.entry_id):
            raise ValidationFailed(
                "条目编号须为 1–64 位字母、数字、“-”、“_”或“.”", field="entry_id"
            )
        if not self.owner.strip() or len(self.owner) > 64:
            raise ValidationFailed("负责人须为 1–64 位的用户编号", field="owner")


@dataclass(frozen=True)
class PublishedAnswer:
    """What the matcher and agents read: the live version of an answerable entry."""

    entry_id: EntryId
    version: int
    business_line: BusinessLine
    complexity: Complexity
    standard_question: str
    paraphrases: tuple[str, ...]
    answer: str
    steps: tuple[str, ...]
    risk_tags: tuple[str, ...]
    source: str

    @property
    def questions(self) -> tuple[str, ...]:
        """The standard question followed by every paraphrase."""
        return (self.standard_question, *self.paraphrases)


def published_answer(entry: Entry, *, now: datetime) -> PublishedAnswer | None:
    """The entry's live answer at `now`, or None when it is not answerable."""
    version = entry.published
    if version is None or not version.content.is_in_force(now):
        return None
    c = version.content
    return PublishedAnswer(
        entry_id=entry.id,
        version=version.number,
        business_line=entry.business_line,
        complexity=c.complexity,
        standard_question=c.standard_question,
        paraphrases=c.paraphrases,
        answer=c.answer,
        steps=c.steps,
        risk_tags=c.risk_tags,
        source=c.source,
    )
