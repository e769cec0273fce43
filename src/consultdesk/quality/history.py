"""Months of plausible history for the demo and the benchmarks (issue 14 item 6):
consultations across channels with their messages, bot answers and hand-overs, SLA
timers met or fired, escalations, calls, complaints, ratings and surveys, compliance
violations and AML alerts. Deterministic for a seed; bulk inserts (Core executemany),
so a million consultations take minutes, not hours.

The mix is fictional but shaped like a retail bank's desk: phone and online chat carry
most volume, the bot a fifth; e-banking sign-in problems grow month on month until the
last full month passes the 20 % alert share (the procedure's own example), so the report
has a flag and a plan to show. Satisfaction sits around 90, lower in one branch.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert, select

from consultdesk.aml.tables import AmlAlertRow
from consultdesk.compliance.tables import ViolationRecordRow
from consultdesk.consultations.tables import ConsultationEventRow, ConsultationRow, MessageRow
from consultdesk.followups.tables import FollowUpRow
from consultdesk.sla.tables import SlaEscalationRow, SlaTimerRow
from consultdesk.staff.tables import StaffUserRow
from consultdesk.surveys.model import BEIJING, Month
from consultdesk.surveys.tables import RatingRow
from consultdesk.telephony.tables import CallRow

CHANNELS = (("phone", 35), ("chat", 25), ("bot", 20), ("app", 15), ("counter", 5))
# (category, business line, weight in the first month, growth per month, questions)
CATEGORIES: tuple[tuple[str, str, float, float, tuple[str, ...]], ...] = (
    (
        "ebank_login",
        "ebanking",
        14,
        4.5,
        (
            "手机银行登录不上，一直提示密码错误",
            "网银登陆的时候验证码收不到怎么办",
            "手机银行打不开了，闪退",
            "人脸识别总是失败，登不进去",
            "密码输错几次被锁定了，怎么解锁",
        ),
    ),
    (
        "transfer",
        "accounts",
        16,
        0,
        (
            "跨行转账多久能到账",
            "转账提示超过限额，怎么调整",
            "昨天汇款到现在还没到账",
            "转错账了能退回吗",
        ),
    ),
    (
        "balance_query",
        "accounts",
        12,
        -0.5,
        (
            "想查一下卡里的余额",
            "怎么打印近三个月的流水",
            "这笔扣款是什么，我没消费过",
        ),
    ),
    (
        "credit_card",
        "credit_cards",
        12,
        -1,
        (
            "信用卡额度能不能提一下",
            "这个月账单分期怎么办理",
            "信用卡年费怎么收的",
            "还款日能不能改",
        ),
    ),
    (
        "card_loss",
        "accounts",
        6,
        0,
        (
            "银行卡丢了，要挂失",
            "卡被ATM吞了怎么办",
            "卡片磁条坏了想补卡",
        ),
    ),
    (
        "loan",
        "loans",
        8,
        0,
        (
            "房贷想提前还款需要预约吗",
            "消费贷利率现在是多少",
            "月供扣款失败了会影响征信吗",
        ),
    ),
    (
        "wealth",
        "wealth",
        9,
        -0.5,
        (
            "这款理财产品保本吗",
            "基金赎回几天到账",
            "理财到期了钱怎么还没回来",
        ),
    ),
    (
        "deposit",
        "deposits",
        8,
        0,
        (
            "大额存单现在利率多少",
            "定期存款提前支取利息怎么算",
        ),
    ),
    ("forex", "forex", 3, 0, ("购汇额度每年多少", "境外汇款手续费怎么收")),
    ("insurance", "insurance", 2, 0, ("这份保单想退保", "分红险的分红什么时候发")),
    ("complaint_service", "accounts", 4, 0, ("网点排队等太久了，我要投诉", "客服态度很差")),
    ("other", "accounts", 6, -1, ("你们几点下班", "附近有没有网点")),
)
REPLIES = (
    "您好，很高兴为您服务。我来帮您查一下，请稍等。",
    "已为您核实，按以下步骤操作即可，如仍有问题请随时联系我们。",
    "请问还有其他可以帮您的吗？感谢您的来电，祝您生活愉快。",
)
VIOLATION_CODES = (
    ("missing_risk_disclosure", 30),
    ("balance_unverified", 20),
    ("jargon_unexplained", 20),
    ("missing_non_guaranteed", 12),
    ("forbidden_claim", 8),
    ("credential_request", 5),
    ("missing_rate_source", 5),
)
AGENT_NAMES = (
    "王芳",
    "李娜",
    "张伟",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄婷",
    "周杰",
    "吴倩",
    "徐涛",
    "孙丽",
    "马超",
    "朱琳",
    "胡斌",
    "郭颖",
)


@dataclass
class HistoryReport:
    months: list[str]
    consultations: int = 0
    messages: int = 0
    by_table: dict[str, int] = field(default_factory=dict)


def _months_back(today: date, months: int, include_current: bool) -> list[Month]:
    y, m = today.year, today.month
    out: list[Month] = []
    for _ in range(months + (1 if include_current else 0)):
        out.append(Month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    out.reverse()
    return out


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for item, w in weighted:
        x -= w
        if x <= 0:
            return item
    return weighted[-1][0]


def has_history(engine: Engine) -> bool:
    """Whether generated history is already there (``make demo`` adds it once)."""
    with engine.connect() as conn:
        found = conn.execute(
            select(ConsultationRow.id).where(ConsultationRow.id.like("con_h%")).limit(1)
        ).first()
    return found is not None


def _agents(engine: Engine, branch: str, now: datetime, want: int = 8) -> list[str]:
    """The branch's agents; demo agents are added (inactive, no usable password) until
    there are ``want``, so the per-agent figures have names."""
    with engine.begin() as conn:
        found = [
            r
            for (r,) in conn.execute(
                select(StaffUserRow.id).where(
                    StaffUserRow.branch == branch, StaffUserRow.role.in_(("agent", "senior_agent"))
                )
            )
        ]
        i = 0
        while len(found) < want:
            uid = f"usr_hist_{branch.lower()}_{i:02d}"
            i += 1
            if conn.execute(select(StaffUserRow.id).where(StaffUserRow.id == uid)).first():
                found.append(uid)
                continue
            conn.execute(
                insert(StaffUserRow).values(
                    id=uid,
                    username=f"hist.{branch.lower()}.{i:02d}",
                    display_name=AGENT_NAMES[
                        (len(found) + sum(map(ord, branch)) % 7) % len(AGENT_NAMES)
                    ],
                    role="agent",
                    branch=branch,
                    password_hash="!",  # noqa: S106 (not a hash: nobody can sign in as it)
                    active=False,
                    failed_logins=0,
                    created_at=now,
                )
            )
            found.append(uid)
    return found


def _spread(rng: random.Random, month: Month, limit: datetime) -> datetime:
    """A moment in ``month`` (busier on working hours), never after ``limit``."""
    end = min(month.ends, limit)
    span = (end - month.starts).total_seconds()
    if span <= 0:
        return month.starts
    for _ in range(5):
        t = month.starts + timedelta(seconds=rng.random() * span)
        hour = t.astimezone(BEIJING).hour
        if 8 <= hour < 21 or rng.random() < 0.15:
            return t
    return t


def generate_history(
    *,
    engine: Engine,
    now: datetime,
    months: int = 3,
    consultations: int = 3000,
    branches: Sequence[str] = ("BJ01", "SH01"),
    seed: int = 20261206,
    messages: bool = True,
    batch: int = 5000,
    include_current: bool = True,
) -> HistoryReport:
    """Insert ``consultations`` spread over the last ``months`` full months (and the
    current month to date), for ``branches``. Everything is closed except the current
    month's last few days' share."""
    rng = random.Random(seed)
    today = now.astimezone(BEIJING).date()
    span = _months_back(today, months, include_current)
    full = [m for m in span if m.ends <= now]
    report = HistoryReport(months=[m.label for m in span])
    agents = {b: _agents(engine, b, now) for b in branches}
    counts: dict[str, int] = {}
    weights_per_month = []
    for i, _m in enumerate(span):
        weights_per_month.append([(c, max(0.5, w + g * i)) for (c, _bl, w, g, _q) in CATEGORIES])
    lines = {c: bl for (c, bl, _w, _g, _q) in CATEGORIES}
    questions = {c: q for (c, _bl, _w, _g, q) in CATEGORIES}
    per_month = [consultations * (0.9 if m not in full else rng.uniform(0.9, 1.1)) for m in span]
    scale = consultations / sum(per_month)
    plan = [max(1, round(n * scale)) for n in per_month]
    plan[-1] += consultations - sum(plan)
    rows: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, row: dict[str, Any]) -> None:
        rows.setdefault(table, []).append(row)
        if len(rows[table]) >= batch:
            flush_all()

    def flush_all() -> None:
        """Every pending table in one transaction, parents first (foreign keys)."""
        with engine.begin() as conn:
            for table, target in TABLES.items():
                pending = rows.get(table)
                if pending:
                    conn.execute(insert(target), pending)
                    counts[table] = counts.get(table, 0) + len(pending)
                    rows[table] = []

    for mi, month in enumerate(span):
        weights = weights_per_month[mi]
        for _ in range(plan[mi]):
            branch = branches[0] if rng.random() < 0.6 else branches[rng.randrange(len(branches))]
            channel = _pick(rng, CHANNELS)
            category = _pick(rng, weights)
            cid = f"con_h{uuid.UUID(int=rng.getrandbits(128)).hex[:20]}"
            opened = _spread(rng, month, now - timedelta(minutes=30))
            complaint = category == "complaint_service" or rng.random() < 0.02
            ctype = (
                "complaint"
                if complaint
                else _pick(
                    rng,
                    [
                        ("account_query", 35),
                        ("product_info", 25),
                        ("business_handling", 30),
                        ("suggestion", 2),
                        ("other", 8),
                    ],
                )
            )
            complexity = _pick(rng, [("simple", 60), ("medium", 30), ("complex", 10)])
            agent = None if channel == "bot" else rng.choice(agents[branch])
            handed = channel == "bot" and rng.random() < 0.28
            if handed:
                agent = rng.choice(agents[branch])
            online = channel in ("chat", "app", "bot")
            first_s = rng.lognormvariate(2.3, 0.6) if channel != "bot" else 1.0
            first_at = opened + timedelta(seconds=first_s)
            handle_s = rng.lognormvariate(4.1 if complexity == "simple" else 5.6, 0.5)
            resolved = opened + timedelta(seconds=first_s + handle_s)
            open_now = resolved > now - timedelta(minutes=10)
            status = "in_progress" if open_now else "closed"
            question = rng.choice(questions[category])
            msgs = [("customer", question)]
            if channel == "bot":
                msgs.append(("bot", "您好，我是智能客服。" + REPLIES[1]))
            if agent:
                msgs += [("agent", REPLIES[0]), ("customer", "好的，谢谢"), ("agent", REPLIES[2])]
            add(
                "consultations",
                {
                    "id": cid,
                    "channel": channel,
                    "type": ctype,
                    "priority": "normal",
                    "status": status,
                    "branch": branch,
                    "policy_version": "HO-1",
                    "customer_id": None,
                    "agent_id": agent,
                    "complexity": complexity,
                    "business_line": lines[category],
                    "subject": None,
                    "summary": None,
                    "summary_confirmed_at": None,
                    "outcome": None,
                    "problem_category": None if open_now else category,
                    "category_source": None
                    if open_now
                    else ("kb" if channel == "bot" else "agent"),
                    "message_count": len(msgs) if messages else 0,
                    "opened_at": opened,
                    "first_response_at": first_at,
                    "resolved_at": None if open_now else resolved,
                    "closed_at": None if open_now else resolved,
                },
            )
            if messages:
                for seq, (kind, text) in enumerate(msgs, 1):
                    add(
                        "messages",
                        {
                            "id": f"msg_{cid[5:]}_{seq}",
                            "consultation_id": cid,
                            "seq": seq,
                            "author_kind": kind,
                            "author_id": agent if kind == "agent" else None,
                            "text": text,
                            "client_msg_id": None,
                            "redacted": [],
                            "created_at": opened + timedelta(seconds=seq * 20),
                        },
                    )
            add(
                "events",
                {
                    "consultation_id": cid,
                    "kind": "opened",
                    "from_status": None,
                    "to_status": "queued",
                    "actor": "customer",
                    "at": opened,
                    "reason": None,
                    "data": {},
                },
            )
            if channel == "bot":
                add(
                    "events",
                    {
                        "consultation_id": cid,
                        "kind": "bot_answer",
                        "from_status": None,
                        "to_status": None,
                        "actor": "bot",
                        "at": first_at,
                        "reason": None,
                        "data": {"entry_id": f"hist-{category}"},
                    },
                )
                if handed:
                    add(
                        "events",
                        {
                            "consultation_id": cid,
                            "kind": "bot_handover",
                            "from_status": None,
                            "to_status": None,
                            "actor": "bot",
                            "at": first_at + timedelta(seconds=30),
                            "reason": "客户要求人工",
                            "data": {},
                        },
                    )
            if (online and channel != "bot") or handed:
                late = first_s > 30
                add(
                    "timers",
                    {
                        "consultation_id": cid,
                        "kind": "first_response",
                        "branch": branch,
                        "channel": channel,
                        "started_at": opened,
                        "due_at": opened + timedelta(seconds=30),
                        "target_s": 30,
                        "policy_version": "HO-1",
                        "state": "fired" if late else "met",
                        "met_at": None if late else first_at,
                        "fired_at": opened + timedelta(seconds=30) if late else None,
                        "fired_by": "worker" if late else None,
                    },
                )
                if first_s > 600 or rng.random() < 0.012:
                    add(
                        "timers",
                        {
                            "consultation_id": cid,
                            "kind": "wait_supervisor",
                            "branch": branch,
                            "channel": channel,
                            "started_at": opened,
                            "due_at": opened + timedelta(seconds=600),
                            "target_s": 600,
                            "policy_version": "HO-1",
                            "state": "fired",
                            "met_at": None,
                            "fired_at": opened + timedelta(seconds=600),
                            "fired_by": "worker",
                        },
                    )
                    if rng.random() < 0.95:
                        add(
                            "escalations",
                            {
                                "timer_id": None,
                                "consultation_id": cid,
                                "rule": "wait_supervisor",
                                "queue": "supervisor",
                                "branch": branch,
                                "channel": channel,
                                "due_at": opened + timedelta(seconds=600),
                                "fired_at": opened + timedelta(seconds=601),
                                "policy_version": "HO-1",
                                "detail": {},
                                "acknowledged_at": None,
                                "acknowledged_by": None,
                            },
                        )
            if complexity == "simple" and not open_now:
                met = first_s + handle_s <= 120
                add(
                    "timers",
                    {
                        "consultation_id": cid,
                        "kind": "simple_resolution",
                        "branch": branch,
                        "channel": channel,
                        "started_at": opened,
                        "due_at": opened + timedelta(seconds=120),
                        "target_s": 120,
                        "policy_version": "HO-1",
                        "state": "met" if met else "fired",
                        "met_at": resolved if met else None,
                        "fired_at": None if met else opened + timedelta(seconds=120),
                        "fired_by": None if met else "worker",
                    },
                )
            if channel == "phone":
                soa = max(1.0, rng.lognormvariate(2.0, 0.5))
                talk = max(20.0, rng.lognormvariate(5.0, 0.5))
                add(
                    "calls",
                    {
                        "call_id": f"call_{cid[5:]}",
                        "consultation_id": cid,
                        "branch": branch,
                        "state": "ended",
                        "agent_id": agent,
                        "rung_at": opened,
                        "answered_at": opened + timedelta(seconds=soa),
                        "hold_started_at": None,
                        "held_s": 0.0,
                        "ended_at": opened + timedelta(seconds=soa + talk),
                        "speed_of_answer_s": round(soa, 1),
                        "talk_s": round(talk, 1),
                        "transfers": 0,
                    },
                )
            if complaint and agent:
                due = (opened + timedelta(days=5)).astimezone(BEIJING).date()
                done = (
                    None
                    if open_now or rng.random() < 0.05
                    else opened + timedelta(days=rng.choice((1, 2, 3, 4, 4, 6)))
                )
                add(
                    "followups",
                    {
                        "id": f"fu_{cid[5:]}",
                        "consultation_id": cid,
                        "customer_id": None,
                        "branch": branch,
                        "kind": "complaint",
                        "state": "done" if done else "open",
                        "owner_id": agent,
                        "received_at": opened,
                        "due_date": due,
                        "policy_version": "HO-1",
                        "return_call_note": None,
                        "called_back_at": None,
                        "result": "已处理" if done else None,
                        "informed_at": done,
                        "done_at": done,
                        "created_by": agent,
                        "created_at": opened,
                    },
                )
            if not open_now and rng.random() < 0.4:
                low = 0.09 if branch == branches[-1] else 0.04
                rating = _pick(
                    rng, [("very_satisfied", 0.86 - low), ("fair", 0.10), ("unsatisfied", low)]
                )
                if complaint and rng.random() < 0.5:
                    rating = "unsatisfied"
                add(
                    "ratings",
                    {
                        "consultation_id": cid,
                        "branch": branch,
                        "rating": rating,
                        "source": "chat" if online else "ivr",
                        "recorded_by": "customer",
                        "rated_at": resolved + timedelta(minutes=2),
                    },
                )
            if agent and rng.random() < 0.006:
                code = _pick(rng, VIOLATION_CODES)
                add(
                    "violations",
                    {
                        "id": f"vio_{cid[5:]}",
                        "agent_id": agent,
                        "consultation_id": cid,
                        "code": code,
                        "rule_id": code[:20],
                        "outcome": "blocked",
                        "message": "回复未通过合规检查",
                        "excerpt": "（历史演示数据）",
                        "override_reason": None,
                        "pack_version": "hist",
                        "created_at": first_at,
                    },
                )
        for _ in range(rng.randint(2, 6)):
            at = _spread(rng, month, now)
            add(
                "aml",
                {
                    "id": f"aml_{uuid.UUID(int=rng.getrandbits(128)).hex[:16]}",
                    "customer_id": f"C{rng.randint(1, 999):03d}",
                    "day": at.astimezone(BEIJING).date(),
                    "rule": _pick(
                        rng,
                        [
                            ("large_cash", 5),
                            ("large_transfer_domestic", 4),
                            ("structuring", 2),
                            ("evasion_inquiry", 1),
                        ],
                    ),
                    "currency": "CNY",
                    "total": Decimal(rng.randint(50, 500) * 1000),
                    "transaction_ids": [],
                    "status": rng.choice(("open", "reported", "dismissed")),
                    "reviewer_id": None,
                    "reason": None,
                    "policy_version": "HO-1",
                    "retention_class": "aml",
                    "retain_until": at + timedelta(days=365 * 5),
                    "created_at": at,
                    "decided_at": None,
                },
            )
    flush_all()
    report.consultations = counts.get("consultations", 0)
    report.messages = counts.get("messages", 0)
    report.by_table = counts
    return report


TABLES: dict[str, Any] = {
    "consultations": ConsultationRow.__table__,
    "messages": MessageRow.__table__,
    "events": ConsultationEventRow.__table__,
    "timers": SlaTimerRow.__table__,
    "escalations": SlaEscalationRow.__table__,
    "calls": CallRow.__table__,
    "followups": FollowUpRow.__table__,
    "ratings": RatingRow.__table__,
    "violations": ViolationRecordRow.__table__,
    "aml": AmlAlertRow.__table__,
}
