"""A customer in one browser page and an agent in another chat over WebSocket.

The shared ``live_server`` runs uvicorn without WebSockets, so this module serves the
demo bank itself with WebSockets on (``websockets-sansio``, as ``consultdesk serve``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from consultdesk.bootstrap import bootstrap
from consultdesk.demo import DEMO_LOGINS, seed_demo
from consultdesk.settings import Settings
from consultdesk.web.app import create_app


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("e2e-chat")
    container = bootstrap(
        Settings(
            database_url=f"sqlite:///{folder / 'chat.sqlite3'}",
            data_dir=folder,
            environment="test",
            secret_key="e2e-chat-secret-key-long-enough-0123456789",
        )
    )
    seed_demo(container)
    config = uvicorn.Config(
        create_app(container),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    container.close()


def agent_page(browser: Browser, base: str) -> Page:
    login = next(x for x in DEMO_LOGINS if x.username == "agent")  # 李娜, BJ01
    page = browser.new_context().new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", login.username)
    page.fill("input[name=password]", login.password)
    page.click("[data-testid=login-submit]")
    expect(page.get_by_test_id("welcome")).to_be_visible()
    return page


def test_customer_and_agent_chat_in_two_pages(browser: Browser, chat_server: str) -> None:
    # REQ: ACC-1, ACC-3, ACP-1 — widget and agent talk; greeting names bank and agent;
    # the agent's restatement is confirmed by the customer.
    customer = browser.new_context().new_page()
    customer.goto(chat_server + "/chat")
    customer.get_by_test_id("chat-subject").fill("信用卡额度")
    customer.get_by_test_id("chat-start").click()
    expect(customer.get_by_test_id("chat-status")).not_to_be_empty()

    agent = agent_page(browser, chat_server)
    agent.goto(chat_server + "/console/queue")
    row = agent.locator("#queue-rows tr", has_text="信用卡额度").first
    row.get_by_test_id("accept").click()
    expect(agent.get_by_test_id("chat-panel")).to_be_visible()

    # ACC-3: the greeting reaches the customer, naming the bank and the agent.
    expect(customer.get_by_test_id("chat-log")).to_contain_text("李娜")
    expect(customer.get_by_test_id("chat-log")).to_contain_text("示例银行")

    # Stored XSS: a message that looks like a script is shown as text on the agent side.
    customer.get_by_test_id("chat-input").fill("<script>alert(1)</script>我的额度是多少？")
    customer.get_by_test_id("chat-send").click()
    expect(agent.get_by_test_id("agent-log")).to_contain_text("<script>alert(1)</script>")
    assert agent.locator("#agent-log script").count() == 0

    agent.get_by_test_id("agent-input").fill("您好，您的临时额度可以申请提升。")
    agent.get_by_test_id("agent-send").click()
    expect(customer.get_by_test_id("chat-log")).to_contain_text("临时额度可以申请提升")

    agent.get_by_test_id("restate-input").fill("客户想了解信用卡临时额度")
    agent.get_by_test_id("restate").click()
    expect(customer.get_by_test_id("chat-summary")).to_have_text("客户想了解信用卡临时额度")
    customer.get_by_test_id("chat-confirm").click()
    expect(agent.get_by_test_id("summary-state")).to_have_text("客户已确认复述")


def test_a_new_chat_appears_in_the_open_queue_without_reload(
    browser: Browser, chat_server: str
) -> None:
    # REQ: ACC-1 — the agent's queue shows chats opened after the page was loaded.
    agent = agent_page(browser, chat_server)
    agent.goto(chat_server + "/console/queue")
    customer = browser.new_context().new_page()
    customer.goto(chat_server + "/chat")
    customer.get_by_test_id("chat-subject").fill("外汇牌价")
    customer.get_by_test_id("chat-start").click()
    expect(agent.locator("#queue-rows tr", has_text="外汇牌价")).to_be_visible(timeout=10_000)
