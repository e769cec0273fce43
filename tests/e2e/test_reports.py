"""The supervisor's monthly report in a real browser (issue 14, QC-3): after the demo's
history, last month's report opens with its charts, the flagged category in alert red,
the downloads linked, and the same page in English."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consultdesk.bootstrap import bootstrap
from consultdesk.demo import DEMO_LOGINS, seed_demo
from consultdesk.policy.service import set_policy_value
from consultdesk.quality.history import generate_history
from consultdesk.settings import Settings
from consultdesk.shared.ids import UserId
from consultdesk.surveys.model import BEIJING
from consultdesk.web.app import create_app
from tests.e2e.test_console_shell import sign_in
from tests.servers import serve_in_thread


@pytest.fixture(scope="module")
def report_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("e2e-report")
    container = bootstrap(
        Settings(
            database_url=f"sqlite:///{folder / 'r.sqlite3'}",
            data_dir=folder,
            environment="test",
            secret_key="e2e-report-secret-key-long-enough-0123456789",
        )
    )
    seed_demo(container)
    with container.uow() as session:
        set_policy_value(
            session=session,
            now=container.clock.now(),
            author=UserId("e2e"),
            key="security.sign_in_per_address",
            value=10_000,
            reason="浏览器测试",
        )
    generate_history(
        engine=container.engine, now=container.clock.now(), months=3, consultations=2000
    )
    with serve_in_thread(create_app(container)) as url:
        yield url
    container.close()


def last_month() -> str:
    from datetime import datetime

    first = datetime.now(BEIJING).date().replace(day=1)
    d = first - timedelta(days=1)
    return f"{d.year:04d}-{d.month:02d}"


def test_a_supervisor_opens_last_months_report_with_charts(page: Page, report_server: str) -> None:
    # REQ: QC-3, CLS-5 — top five with the alert, service levels, downloads.
    login = next(x for x in DEMO_LOGINS if x.role == "supervisor")
    sign_in(page, report_server, login.username, login.password)
    page.click("a[href='/console/reports']")
    report = page.locator("#monthly-report")
    expect(report).to_be_visible()
    expect(report).to_have_attribute("data-month", last_month())
    expect(report).to_have_attribute("data-branch", "BJ01")
    for chart in ("#chart-top-problems", "#chart-channels", "#chart-violations"):
        expect(page.locator(chart)).to_be_visible()
    assert page.locator("#chart-top-problems rect.bar").count() == 5
    expect(page.locator("#top-problems")).to_contain_text("电子银行登录问题")
    expect(page.locator("#flags")).to_contain_text("整改计划")
    expect(page.locator("#service-levels")).to_contain_text("在线首次响应")
    hrefs = page.locator(".downloads a").evaluate_all("els => els.map(e => e.dataset.format)")
    assert hrefs == ["html", "pdf", "json", "csv"]
    artifacts = Path(os.environ.get("CONSULTDESK_ARTIFACTS", "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts / "monthly-report.png"), full_page=True)
    with page.expect_download() as download:
        page.click(".downloads a[data-format=csv]")
    assert download.value.suggested_filename.endswith("-BJ01.csv")
    page.context.add_cookies([{"name": "cd_lang", "value": "en", "url": report_server}])
    page.reload()
    expect(page.locator("#monthly-report h1")).to_contain_text("Monthly service report")
