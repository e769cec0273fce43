"""A shift in three browsers: a customer on a phone, an agent, a supervisor.

The server runs as ``consultdesk serve`` does on SQLite: the app's start-up hooks the bot
into the chat and runs the jobs (SLA timers) in the process. Its clock is the wall clock
plus a jump the test makes, so the customer's ten-minute wait passes in a moment and the
real timer job fires the escalation. Screenshots of each step are kept in
``test-artifacts/shift/`` (``CONSULTDESK_ARTIFACTS`` moves the folder)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from consultdesk.assistant.bot import assistant_for
from consultdesk.bootstrap import Container, bootstrap
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.demo import DEMO_LOGINS, seed_demo
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.policy.service import set_policy_value
from consultdesk.settings import Settings
from consultdesk.shared.ids import UserId
from consultdesk.web.app import create_app
from tests.servers import serve_in_thread

PHONE = {"width": 390, "height": 844}
WAIT = 20_000  # ms: the bot's first answer waits for the knowledge base to load


class ShiftClock:
    """The wall clock plus whatever the test has jumped."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class Desk:
    base: str
    clock: ShiftClock
    container: Container
    shots: Path

    def shot(self, page: Page, name: str) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = tmp_path_factory.mktemp("shift")
    clock = ShiftClock()
    container = bootstrap(
        Settings(
            database_url=f"sqlite:///{folder / 'shift.sqlite3'}",
            data_dir=folder,
            environment="test",
            secret_key="e2e-shift-secret-key-long-enough-0123456789",
        ),
        clock=clock,
    )
    container.tuning.jobs_in_web = True  # as `serve` on SQLite: timers fire in-process
    seed_demo(container)
    with container.uow() as session:
        set_policy_value(
            session=session,
            now=clock.now(),
            author=UserId("e2e"),
            key="security.sign_in_per_address",
            value=10_000,
            reason="浏览器测试",
        )
    shots = Path(os.environ.get("CONSULTDESK_ARTIFACTS", "test-artifacts")) / "shift"
    shots.mkdir(parents=True, exist_ok=True)
    with serve_in_thread(create_app(container), lifespan="on") as url:
        yield Desk(base=url, clock=clock, container=container, shots=shots)
    container.close()


def signed_in(browser: Browser, base: str, username: str) -> Page:
    login = next(x for x in DEMO_LOGINS if x.username == username)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", login.username)
    page.fill("input[name=password]", login.password)
    page.click("[data-testid=login-submit]")
    expect(page.get_by_test_id("welcome")).to_be_visible()
    return page


def wait_for_the_bot(container: Container) -> None:
    """The app's start-up loads the published knowledge base in the background."""
    assistant = assistant_for(container)
    deadline = time.monotonic() + 180
    while assistant.loading:
        assert time.monotonic() < deadline, "the knowledge base did not load"
        time.sleep(0.5)


def test_a_shift_from_the_bot_to_the_rating_with_the_supervisor_watching(
    browser: Browser, desk: Desk
) -> None:
    # REQ: ACC-1, ACC-6, STD-6, QC-6, SOL-1, CLS-2, PREP-5
    bank = desk.container.corebank
    assert isinstance(bank, SandboxCoreBank)
    person = bank.demo_profiles()[0]  # 王小明, a BJ01 customer

    # 1. The customer opens the chat on a phone and talks to the bot, which hands over.
    customer = browser.new_context(viewport=PHONE).new_page()
    customer.goto(desk.base + "/chat")
    customer.get_by_test_id("chat-subject").fill("理财产品咨询")
    customer.fill("input[name=phone]", person.phone)
    customer.get_by_test_id("chat-start").click()
    expect(customer.get_by_test_id("chat-status")).not_to_be_empty()
    wait_for_the_bot(desk.container)
    customer.get_by_test_id("chat-input").fill("我要转人工，想买点理财")
    customer.get_by_test_id("chat-send").click()
    log = customer.get_by_test_id("chat-log")
    expect(log.locator("li.author-system, li.author-bot").first).to_be_visible(timeout=WAIT)
    assert customer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    desk.shot(customer, "01-customer-bot-hands-over")

    # 2. Nobody is free: the wait passes ten minutes and the timer job calls the supervisor.
    desk.clock.jump(minutes=11)
    supervisor = signed_in(browser, desk.base, "supervisor")
    supervisor.goto(desk.base + "/console/supervisor")
    expect(supervisor.get_by_test_id("live-status")).not_to_have_text("连接中…")
    chat_row = supervisor.locator("#channel-rows tr[data-channel='chat'] td.breach")
    expect(chat_row).to_contain_text("超过 10 分钟", timeout=WAIT)
    escalation = supervisor.locator("#escalation-rows tr").first
    expect(escalation).to_be_visible(timeout=WAIT)
    desk.shot(supervisor, "02-supervisor-wait-breach")

    # 3. The agent starts the shift: available, takes the chat, sees the customer.
    agent = signed_in(browser, desk.base, "agent")  # 李娜
    agent.get_by_test_id("presence-available").check()
    expect(agent.get_by_test_id("desk-load")).not_to_be_empty()
    desk.shot(agent, "03-agent-desk-available")
    agent.goto(desk.base + "/console/queue")
    row = agent.locator("#queue-rows tr", has_text="理财产品咨询").first
    row.get_by_test_id("accept").click()
    panel = agent.get_by_test_id("chat-panel")
    expect(panel).to_be_visible()
    expect(agent.get_by_test_id("identity-state")).to_contain_text("身份未核验")
    expect(agent.get_by_test_id("history-list")).to_contain_text(person.name)
    expect(log).to_contain_text("李娜", timeout=WAIT)  # ACC-3: the greeting names the agent

    # 4. Identity: the agent sends a one-time code from the verification page beside the
    #    chat; the customer types it in the widget (never reads it out).
    with agent.context.expect_page() as opened:
        agent.get_by_test_id("verify-link").click()
    verify = opened.value
    verify.get_by_test_id("send-code").click()
    expect(customer.get_by_test_id("chat-verify")).to_be_visible(timeout=WAIT)
    sms = desk.container.sms
    assert isinstance(sms, SandboxSmsGateway)
    code = re.search(r"\d{6}", sms.inbox(to=person.phone)[-1].text)
    assert code
    customer.get_by_test_id("chat-code").fill(code.group(0))
    desk.shot(customer, "04a-customer-enters-the-code")
    customer.get_by_test_id("chat-verify-submit").click()
    expect(customer.get_by_test_id("chat-verified")).to_be_visible()
    verify.reload()
    expect(verify.get_by_test_id("identity-level")).to_have_text("已核验")
    desk.shot(verify, "04b-agent-sees-verified")
    verify.close()
    expect(agent.get_by_test_id("identity-state")).to_contain_text("身份已核验", timeout=WAIT)

    # 5. The agent records the consultation (ACC-4) as a wealth product question; a wealth
    #    answer without the principal statement is flagged before send, fixed in one click
    #    (Alt+F), and the customer receives the fixed text.
    agent.get_by_test_id("classify-type").select_option("product_info")
    agent.get_by_test_id("classify-line").select_option("wealth")
    agent.get_by_test_id("classify-save").click()
    expect(agent.get_by_test_id("work-state")).to_have_text("已保存登记")
    reply = agent.get_by_test_id("agent-input")
    reply.fill("这款理财产品年化业绩比较基准4%，推荐您购买。")
    flags = agent.get_by_test_id("draft-flags")
    expect(flags.locator("li[data-code='missing_non_guaranteed']")).to_be_visible(timeout=WAIT)
    desk.shot(agent, "05-agent-draft-flagged")
    reply.press("Alt+f")
    expect(reply).to_have_value(re.compile(".*不保证本金.*", re.S))
    reply.press("Control+Enter")
    expect(log).to_contain_text("不保证本金", timeout=WAIT)

    # 6. A closing script from the library, then resolve.
    agent.get_by_test_id("panel-script-q").fill("结束")
    script = agent.get_by_test_id("panel-scripts").locator("li").first
    expect(script).to_be_visible(timeout=WAIT)
    script.get_by_test_id("insert-script").click()
    inserted = reply.input_value()
    assert inserted
    agent.get_by_test_id("agent-send").click()
    expect(log).to_contain_text(inserted[:12], timeout=WAIT)
    agent.get_by_test_id("resolve").click()
    expect(agent.get_by_test_id("summary-state")).to_contain_text("已邀请客户评价")
    desk.shot(agent, "06-agent-script-and-close")

    # 7. The customer rates the service.
    customer.get_by_test_id("rate-very_satisfied").click(timeout=WAIT)
    expect(customer.get_by_test_id("chat-thanks")).to_be_visible()
    desk.shot(customer, "07-customer-rates")

    # 8. The supervisor's wall names the agent who held the escalated consultation.
    supervisor.reload()
    expect(supervisor.locator("#escalation-rows tr").first).to_contain_text("李娜")
    desk.shot(supervisor, "08-supervisor-escalation-with-agent")


def test_chats_in_hand_sit_side_by_side_and_count_what_was_not_read(
    browser: Browser, desk: Desk
) -> None:
    # REQ: PREP-5 — up to the policy's three chats; a message in another chat is not missed.
    customers = []
    for subject in ("并行一：挂失", "并行二：转账限额"):
        page = browser.new_context(viewport=PHONE).new_page()
        page.goto(desk.base + "/chat")
        page.get_by_test_id("chat-subject").fill(subject)
        page.get_by_test_id("chat-start").click()
        expect(page.get_by_test_id("chat-status")).not_to_be_empty()
        customers.append(page)
    agent = signed_in(browser, desk.base, "agent")
    agent.goto(desk.base + "/console/queue")
    for subject in ("并行一：挂失", "并行二：转账限额"):
        agent.locator("#queue-rows tr", has_text=subject).first.get_by_test_id("accept").click()
        expect(agent.get_by_test_id("chat-panel")).to_be_visible()
    tabs = agent.get_by_test_id("held-chats").get_by_test_id("held-chat")
    expect(tabs.filter(has_text="并行一")).to_be_visible(timeout=WAIT)
    expect(tabs.filter(has_text="并行二")).to_have_attribute("aria-selected", "true")

    customers[0].get_by_test_id("chat-input").fill("我的卡丢了，请帮我挂失")
    customers[0].get_by_test_id("chat-send").click()
    first = tabs.filter(has_text="并行一")
    expect(first.get_by_test_id("unread")).to_have_text("1", timeout=WAIT)
    desk.shot(agent, "09-agent-two-chats-one-unread")
    first.click()
    expect(agent.get_by_test_id("agent-log")).to_contain_text("请帮我挂失")
    expect(first.get_by_test_id("unread")).to_have_count(0)
