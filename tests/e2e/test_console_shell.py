"""The console shell in a real browser: sign-in, navigation per role, language switch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from consultdesk.demo import DEMO_LOGINS

NAV_BY_ROLE = {
    # REQ: PREP-5 — sign-in checks permissions; each role sees its own navigation.
    "agent": {"nav.queue", "nav.knowledge"},
    "supervisor": {"nav.supervisor", "nav.reports"},
    "qa": {"nav.qa"},
    "compliance_officer": {"nav.compliance", "nav.aml", "nav.audit"},
    "admin": {"nav.users", "nav.policy"},
}


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")


@pytest.mark.parametrize("role", sorted(NAV_BY_ROLE))
def test_each_role_signs_in_and_sees_its_navigation(
    page: Page, live_server: str, role: str
) -> None:
    login = next(x for x in DEMO_LOGINS if x.role == role)
    sign_in(page, live_server, login.username, login.password)
    expect(page.get_by_test_id("welcome")).to_contain_text(login.display_name)
    shown = set(page.locator("[data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)"))
    assert NAV_BY_ROLE[role] <= shown
    if role != "admin":
        assert "nav.users" not in shown


def test_wrong_password_shows_a_chinese_error(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "agent", "not-the-password-1")
    expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码错误")


def test_language_switch_shows_english(page: Page, live_server: str) -> None:
    login = next(x for x in DEMO_LOGINS if x.role == "agent")
    sign_in(page, live_server, login.username, login.password)
    expect(page.locator("[data-nav='nav.queue']")).to_have_text("咨询队列")
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("[data-nav='nav.queue']")).to_have_text("Queue")


def test_admin_changes_a_policy_number_in_the_console(page: Page, live_server: str) -> None:
    # REQ: ANX-2 — the change makes a new version, recorded with author and reason.
    login = next(x for x in DEMO_LOGINS if x.role == "admin")
    sign_in(page, live_server, login.username, login.password)
    page.goto(live_server + "/console/policy")
    before = page.get_by_test_id("policy-version").first.inner_text()
    page.select_option("select[name=key]", "sla.counter_question_s")
    page.fill("input[name=value]", "280")
    page.fill("input[name=reason]", "浏览器测试")
    page.click("form[action='/console/policy'] button")
    expect(page.locator("td[data-key='sla.counter_question_s']")).to_have_text("280")
    after = page.get_by_test_id("policy-version").first.inner_text()
    assert after != before and re.match(r"HO-\d+", after)


def test_sign_out_returns_to_the_login_page(page: Page, live_server: str) -> None:
    login = next(x for x in DEMO_LOGINS if x.role == "qa")
    sign_in(page, live_server, login.username, login.password)
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login$"))
