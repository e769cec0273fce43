"""The agent's identity panel in a real browser (ACC-6, SOL-2): last four, a code to the
registered phone read out by the customer, then the balance with its source."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from consultdesk.bootstrap import Container
from consultdesk.demo import DEMO_LOGINS
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway

pytestmark = pytest.mark.browser
PHONE = "13812340001"  # 王小明, sandbox C001, registered at BJ01 by the demo


def test_agent_verifies_by_code_and_reads_the_balance_with_its_source(
    page: Page, served: tuple[str, Container]
) -> None:
    # REQ: ACC-6  REQ: SOL-2
    base, container = served
    agent = next(x for x in DEMO_LOGINS if x.username == "agent")
    token = httpx.post(
        f"{base}/api/v1/auth/token", json={"username": agent.username, "password": agent.password}
    ).json()["token"]
    api = {"Authorization": f"Bearer {token}"}
    customer = httpx.get(f"{base}/api/v1/customers", params={"phone": PHONE}, headers=api).json()
    opened = httpx.post(
        f"{base}/api/v1/consultations",
        headers=api,
        json={"channel": "phone", "customer_id": customer["customer"]["id"]},
    )
    assert opened.status_code == 201, opened.text
    consultation_id = opened.json()["id"]

    page.goto(base + "/login")
    page.fill("input[name=username]", agent.username)
    page.fill("input[name=password]", agent.password)
    page.click("[data-testid=login-submit]")
    page.goto(f"{base}/console/identity?consultation_id={consultation_id}")
    expect(page.get_by_test_id("identity-level")).to_have_text("未核验")

    page.get_by_test_id("load-accounts").click()
    page.get_by_role("button", name="余额").first.click()
    expect(page.get_by_test_id("identity-message")).to_contain_text("须先完成客户身份验证")

    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("identity-message")).to_contain_text("138****0001")
    sms = container.sms
    assert isinstance(sms, SandboxSmsGateway)
    found = re.search(r"\d{6}", sms.inbox(to=PHONE)[-1].text)
    assert found
    code = found.group(0)
    assert code not in page.content()
    page.get_by_test_id("code").fill(code)
    page.get_by_test_id("code-form").locator("button").click()
    expect(page.get_by_test_id("identity-level")).to_have_text("已核验")

    page.get_by_role("button", name="余额").first.click()
    expect(page.get_by_test_id("accounts")).to_contain_text("52340.18 CNY")
    expect(page.get_by_test_id("fact-source")).to_contain_text("核心银行系统")
