"""The monthly quality report (QC-1, QC-3, CLS-5, issue 14) on both databases: its
figures against independent counts of the same rows, the top five and their trend, the
alert flag, branch scope, the managed category list and how consultations get one."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.consultations.tables import ConsultationRow
from consultdesk.quality import categories as cats
from consultdesk.quality.history import generate_history, has_history
from consultdesk.quality.report import monthly_report
from consultdesk.shared.errors import Forbidden, ValidationFailed
from consultdesk.shared.scope import HEAD_OFFICE_SCOPE, Scope
from consultdesk.sla.tables import SlaTimerRow
from consultdesk.surveys.model import parse_month

MONTH = "2026-02"  # the last full month before the test clock (2026-03-02)


@pytest.fixture
def history(container: Container) -> Container:
    generate_history(
        engine=container.engine, now=container.clock.now(), months=3, consultations=1500
    )
    return container


def test_report_figures_match_independent_counts(history: Container) -> None:
    # REQ: CLS-5, QC-3 — volume by channel and category, shares and service levels.
    c = history
    m = parse_month(MONTH)
    with c.uow() as s:
        report = monthly_report(session=s, now=c.clock.now(), month=MONTH, scope=HEAD_OFFICE_SCOPE)
        rows = s.execute(
            select(ConsultationRow.channel, ConsultationRow.problem_category).where(
                ConsultationRow.opened_at >= m.starts, ConsultationRow.opened_at < m.ends
            )
        ).all()
        timers = s.execute(
            select(SlaTimerRow.state).where(
                SlaTimerRow.kind == "first_response",
                SlaTimerRow.started_at >= m.starts,
                SlaTimerRow.started_at < m.ends,
            )
        ).all()
    assert report.total == len(rows) > 300
    assert report.by_channel == dict(Counter(ch for ch, _ in rows))
    by_cat = Counter(cat for _, cat in rows)
    assert len(report.top_problems) == 5
    for p in report.top_problems:
        assert p.count == by_cat[p.code]
        assert p.share == (Decimal(p.count) / len(rows)).quantize(Decimal("0.0001"))
    counts = [p.count for p in report.top_problems]
    assert counts == sorted(counts, reverse=True) and "other" not in {
        p.code for p in report.top_problems
    }
    met = sum(1 for (st,) in timers if st == "met")
    fired = sum(1 for (st,) in timers if st == "fired")
    assert report.service.online_first_response_met == met
    assert report.service.online_first_response_total == met + fired
    assert report.satisfaction["ratings"] > 0 and report.satisfaction["method"]


def test_a_category_over_the_alert_share_is_flagged_with_its_required_plan(
    history: Container,
) -> None:
    # REQ: QC-3 — any category over 20 % of volume raises an alert and needs a plan.
    with history.uow() as s:
        report = monthly_report(
            session=s, now=history.clock.now(), month=MONTH, scope=HEAD_OFFICE_SCOPE
        )
    assert report.alert_share == Decimal("0.20")
    flagged = {f.category: f for f in report.flags if f.trigger == "category_share"}
    assert "ebank_login" in flagged, [(p.code, p.share) for p in report.top_problems]
    flag = flagged["ebank_login"]
    assert flag.value is not None and flag.value > Decimal("0.20")
    assert "整改计划" in flag.action and flag.plan_id is None
    top = report.top_problems[0]
    assert top.code == "ebank_login" and top.trend_pp is not None and top.trend_pp > 0


def test_branch_staff_read_their_branch_and_are_refused_another(history: Container) -> None:
    # REQ: RSK-2 — the report takes the caller's scope like every other read.
    with history.uow() as s:
        now = history.clock.now()
        own = monthly_report(session=s, now=now, month=MONTH, scope=Scope.of_branch("BJ01"))
        bank = monthly_report(session=s, now=now, month=MONTH, scope=HEAD_OFFICE_SCOPE)
        assert own.branch == "BJ01" and 0 < own.total < bank.total
        with pytest.raises(Forbidden) as refused:
            monthly_report(
                session=s, now=now, month=MONTH, scope=Scope.of_branch("BJ01"), branch="SH01"
            )
        assert refused.value.field == "branch"
        with pytest.raises(ValidationFailed) as bad:
            monthly_report(session=s, now=now, month="2026-13", scope=HEAD_OFFICE_SCOPE)
        assert bad.value.field == "month"


def test_history_is_generated_once_and_is_deterministic(container: Container) -> None:
    assert not has_history(container.engine)
    first = generate_history(
        engine=container.engine, now=container.clock.now(), months=2, consultations=200
    )
    assert has_history(container.engine)
    assert first.consultations == 200 and first.messages > 400
    assert first.months == ["2026-01", "2026-02", "2026-03"]


def test_the_classifier_reads_the_banks_keywords() -> None:
    shipped = cats.shipped_categories()
    assert cats.classify("手机银行登录不上了，一直提示密码错误", shipped) == "ebank_login"
    assert cats.classify("跨行转账多久到账？", shipped) == "transfer"
    assert cats.classify("ＡＢＣ　你好", shipped) == "other"


def test_categories_are_a_managed_versioned_list(container: Container) -> None:
    # REQ: QC-3 — branch-editable, every change kept (who, when, why, before, after).
    with container.uow() as s:
        now = container.clock.now()
        bank = cats.list_categories(session=s, now=now)
        assert bank[0].code == "ebank_login" and bank[-1].code == "other"
        changed = cats.set_category_definition(
            session=s,
            now=now,
            code="ebank_login",
            label="手机银行登录",
            label_en="Mobile banking sign-in",
            keywords=["掌银", "登录"],
            actor="zhang.min",
            reason="分行口径",
            branch="BJ01",
        )
        assert changed.version == 1 and changed.branch == "BJ01"
        bj = {c.code: c for c in cats.list_categories(session=s, now=now, branch="BJ01")}
        sh = {c.code: c for c in cats.list_categories(session=s, now=now, branch="SH01")}
        assert bj["ebank_login"].label == "手机银行登录"
        assert sh["ebank_login"].label == "电子银行登录问题"
        again = cats.set_category_definition(
            session=s,
            now=now,
            code="ebank_login",
            label="手机银行登录问题",
            label_en="",
            keywords=["掌银"],
            actor="zhang.min",
            reason="改名",
            branch="BJ01",
        )
        assert again.version == 2
        history = cats.category_history(session=s, code="ebank_login")
        assert [h["version"] for h in history] == [1, 2]
        assert history[1]["before"]["label"] == "手机银行登录" and history[1]["reason"] == "改名"
        for field, kwargs in (
            ("code", {"code": "坏 代码"}),
            ("reason", {"reason": " "}),
            ("active", {"code": "other", "active": False}),
        ):
            args = {
                "session": s,
                "now": now,
                "code": "x_new",
                "label": "新类别",
                "label_en": "",
                "keywords": [],
                "actor": "a",
                "reason": "r",
            } | kwargs
            with pytest.raises(ValidationFailed) as bad:
                cats.set_category_definition(**args)  # type: ignore[arg-type]
            assert bad.value.field == field


def test_closed_consultations_get_a_category_and_the_agents_choice_wins(
    container: Container,
) -> None:
    # REQ: QC-3 — category from the agent's closing choice, else the classifier.
    c = container
    with c.uow() as s:
        now = c.clock.now()
        ids = []
        for text in ("信用卡额度能提高吗", "我的卡丢了要挂失"):
            cid = consultations.open_consultation(
                session=s, now=now, channel="chat", branch="BJ01", actor="customer"
            ).id
            consultations.post_message(
                session=s, now=now, consultation_id=cid, author_kind="customer", text=text
            )
            ids.append(cid)
        cats.set_category(
            session=s, now=now, consultation_id=ids[1], code="complaint_service", branch="BJ01"
        )
        with pytest.raises(ValidationFailed) as bad:
            cats.set_category(
                session=s, now=now, consultation_id=ids[0], code="nonsense", branch="BJ01"
            )
        assert bad.value.field == "category"
        for cid in ids:
            s.get(ConsultationRow, cid).status = "closed"  # type: ignore[union-attr]
        s.flush()
        assert cats.categorize_pending(session=s, now=now + timedelta(minutes=1)) == 1
        found = {
            r.id: (r.problem_category, r.category_source)
            for r in s.scalars(select(ConsultationRow).where(ConsultationRow.id.in_(ids)))
        }
    assert found[ids[0]] == ("credit_card", "classifier")
    assert found[ids[1]] == ("complaint_service", "agent")


def test_the_plans_job_opens_a_plan_per_flag_and_the_next_report_follows_it(
    history: Container,
) -> None:
    # REQ: QC-1, QC-3 — a flagged category opens a plan; next month shows whether it fell.
    from consultdesk.quality.jobs import open_plans_for_last_month
    from consultdesk.quality.tables import ImprovementPlanRow

    c = history
    flagged = open_plans_for_last_month(container=c)
    assert flagged >= 1
    assert open_plans_for_last_month(container=c) == flagged  # idempotent
    with c.uow() as s:
        plans = s.scalars(select(ImprovementPlanRow)).all()
        assert len(plans) == flagged
        assert any(p.category == "ebank_login" and p.branch == "HO" for p in plans)
        report = monthly_report(session=s, now=c.clock.now(), month=MONTH, scope=HEAD_OFFICE_SCOPE)
        flag = next(f for f in report.flags if f.category == "ebank_login")
        assert flag.plan_id is not None and flag.plan_status == "open"
        later = monthly_report(
            session=s,
            now=c.clock.now() + timedelta(days=40),
            month="2026-03",
            scope=HEAD_OFFICE_SCOPE,
        )
    follow = next(p for p in later.plan_follow_ups if p.category == "ebank_login")
    assert follow.share_then == flag.value and follow.fell is not None
