"""The quality console pages render in both languages and their forms work (QC-1..QC-4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.quality import plans
from tests.quality.conftest import Desk, sign_in

LANGS = [
    ("zh", "整改计划", "案例库", "质检抽样"),
    ("en", "Improvement plans", "Case library", "QA sampling"),
]


@pytest.mark.parametrize(("lang", "plans_title", "_c", "_s"), LANGS)
def test_plans_page_lists_and_edits_a_plan(
    client: TestClient, desk: Desk, lang: str, plans_title: str, _c: str, _s: str
) -> None:
    """REQ: QC-1, QC-3 — supervisors open, edit and finish plans on the console."""
    supervisor = desk.make_user("supervisor", branch="BJ01")
    csrf = sign_in(client, supervisor.username, lang=lang)
    page = client.get("/console/quality/plans")
    assert page.status_code == 200 and plans_title in page.text
    made = client.post(
        "/console/quality/plans",
        data={"csrf_token": csrf, "month": "2026-11", "category": "ebanking_login"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = client.get("/console/quality/plans").text
    pid = page.split('data-plan="')[1].split('"')[0]
    saved = client.post(
        f"/console/quality/plans/{pid}",
        data={
            "csrf_token": csrf,
            "owner": supervisor.username,
            "cause_analysis": "验证码短信延迟",
            "actions": "[x] 扩容短信通道\n更新登录话术",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    start = {"csrf_token": csrf, "status": "in_progress"}
    assert client.post(f"/console/quality/plans/{pid}/status", data=start).status_code == 200
    refused = client.post(
        f"/console/quality/plans/{pid}/status", data={"csrf_token": csrf, "status": "cancelled"}
    )
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    shown = client.get("/console/quality/plans?status=in_progress").text
    assert "验证码短信延迟" in shown and "[x] 扩容短信通道" in shown


@pytest.mark.parametrize(("lang", "_p", "cases_title", "_s"), LANGS)
def test_cases_page_marks_from_a_consultation_id_and_searches(
    client: TestClient, desk: Desk, lang: str, _p: str, cases_title: str, _s: str
) -> None:
    """REQ: QC-4 — "mark as case" from a consultation id; failure needs its measure."""
    cid = desk.closed(branch="BJ01", agent_id="agt_1")
    qa = desk.make_user("qa", branch="BJ01")
    csrf = sign_in(client, qa.username, lang=lang)
    page = client.get(f"/console/quality/cases?mark={cid}")
    assert page.status_code == 200 and cases_title in page.text and f'value="{cid}"' in page.text
    form = {
        "csrf_token": csrf,
        "consultation_id": cid,
        "kind": "failure",
        "title": "登录失败未引导重置",
        "summary": "坐席未提示自助重置",
        "tags": "电子银行，登录",
    }
    refused = client.post("/console/quality/cases", data=form)
    assert refused.status_code == 422 and "预防措施" in refused.text
    assert "登录失败未引导重置" in refused.text  # the draft is kept
    done = client.post(
        "/console/quality/cases",
        data=form | {"preventive_measure": "先查锁定状态"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    found = client.get("/console/quality/cases?q=登录").text
    assert "先查锁定状态" in found and "电子银行, 登录" in found


def test_agents_read_cases_but_cannot_mark_or_see_plans(
    client: TestClient, desk: Desk, make_user: Any
) -> None:
    """REQ: QC-4, RSK-2"""
    agent = make_user("agent", branch="BJ01")
    csrf = sign_in(client, agent.username)
    page = client.get("/console/quality/cases")
    assert page.status_code == 200 and 'data-testid="case-mark"' not in page.text
    assert client.get("/console/quality/plans").status_code == 403
    denied = client.post(
        "/console/quality/cases",
        data={
            "csrf_token": csrf,
            "consultation_id": "x",
            "kind": "success",
            "title": "t",
            "summary": "s",
        },
    )
    assert denied.status_code == 403


@pytest.mark.parametrize(("lang", "_p", "_c", "samples_title"), LANGS)
def test_samples_page_draws_and_scores(
    client: TestClient, desk: Desk, lang: str, _p: str, _c: str, samples_title: str
) -> None:
    """REQ: QC-2"""
    desk.closed(branch="BJ01", agent_id="agt_1", channel="phone")
    qa = desk.make_user("qa", branch="BJ01")
    csrf = sign_in(client, qa.username, lang=lang)
    page = client.get("/console/quality/samples")
    assert page.status_code == 200 and samples_title in page.text
    assert 'value="2026-11"' in page.text  # last month by default
    drawn = client.post(
        "/console/quality/samples",
        data={"csrf_token": csrf, "month": "2026-11"},
        follow_redirects=False,
    )
    assert drawn.status_code == 303
    page = client.get("/console/quality/samples?month=2026-11").text
    sid = page.split('data-sample="')[1].split('"')[0]
    bad = client.post(
        f"/console/quality/samples/{sid}/score",
        data={"csrf_token": csrf, "month": "2026-11", "review_score": "abc"},
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/console/quality/samples/{sid}/score",
        data={"csrf_token": csrf, "month": "2026-11", "review_score": "90", "note": "规范"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "规范" in client.get("/console/quality/samples?month=2026-11").text


def test_a_flagged_plan_shows_its_figure_and_threshold(client: TestClient, desk: Desk) -> None:
    """REQ: QC-3 — a category over 20 % reads as a share; satisfaction as points."""
    with desk.container.uow() as s:
        plans.open_plans_for_flags(
            session=s,
            now=desk.clock.now(),
            branch="BJ01",
            month="2026-11",
            flags=[
                ("category_share", "ebanking_login", Decimal("0.27"), Decimal("0.20")),
                ("satisfaction", "", Decimal("86.5"), 90),
            ],
        )
    sign_in(client, desk.make_user("qa", branch="BJ01").username, lang="en")
    page = client.get("/console/quality/plans").text
    assert "27% / 20%" in page and "86.5 / 90" in page
    assert "Category over its share" in page and "Satisfaction under the floor" in page
