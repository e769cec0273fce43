"""A customer in one browser page and an agent in another chat over WebSocket.

The shared ``live_server`` runs uvicorn without WebSockets, so this module serves the
demo bank itself with WebSockets on (``websockets-sansio``, as ``consultdesk serve``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Route, expect

from consultdesk.bootstrap import bootstrap
from consultdesk.demo import DEMO_LOGINS, seed_demo
from consultdesk.knowledge.demo import load_demo_entries
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


def agent_page(browser: Browser, base: str, *, lang: str = "zh") -> Page:
    login = next(x for x in DEMO_LOGINS if x.username == "agent")  # 李娜, BJ01
    page = browser.new_context().new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", login.username)
    page.fill("input[name=password]", login.password)
    page.click("[data-testid=login-submit]")
    expect(page.get_by_test_id("welcome")).to_be_visible()
    if lang != "zh":
        page.goto(base + "/lang/" + lang)
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


def test_the_queue_page_speaks_english_throughout_when_asked(
    browser: Browser, chat_server: str
) -> None:
    """The console's English covers the queue's live parts too: rows added by the
    5-second refresh, statuses, authors in the conversation, the restatement state."""
    agent = agent_page(browser, chat_server, lang="en")
    agent.goto(chat_server + "/console/queue")
    customer = browser.new_context().new_page()
    customer.goto(chat_server + "/chat")
    customer.get_by_test_id("chat-subject").fill("English queue")
    customer.get_by_test_id("chat-start").click()
    row = agent.locator("#queue-rows tr", has_text="English queue").first
    expect(row).to_contain_text("Queued", timeout=10_000)  # drawn by the refresh script
    expect(row.get_by_test_id("accept")).to_have_text("Accept")
    row.get_by_test_id("accept").click()
    expect(row).to_contain_text("In progress")
    expect(agent.get_by_test_id("history-list")).to_contain_text("Visitor (not identified)")

    customer.get_by_test_id("chat-input").fill("hello, my card is blocked")
    customer.get_by_test_id("chat-send").click()
    expect(agent.get_by_test_id("agent-log")).to_contain_text("Customer: hello, my card")
    agent.get_by_test_id("restate-input").fill("The customer's card is blocked")
    agent.get_by_test_id("restate").click()
    expect(agent.get_by_test_id("summary-state")).to_have_text(
        "Restated; waiting for the customer to confirm"
    )
    panel_text = agent.get_by_test_id("chat-panel").inner_text()
    assert "客户" not in panel_text and "已复述" not in panel_text


# ---- knowledge suggestions in the agent's conversation panel -------------------------

DEMO_ENTRIES = {s.entry_id: s.content for s in load_demo_entries()}


def wait_for_knowledge(page: Page, base: str) -> None:
    """This server runs without the app's lifespan, so the first suggestion request
    starts loading the published knowledge base; wait until the matcher is ready."""
    page.request.get(base + "/api/v1/assistant/suggest", params={"text": "信用卡"})
    deadline = time.monotonic() + 180
    while not page.request.get(base + "/api/v1/assistant/status").json()["ready"]:
        assert time.monotonic() < deadline, "the knowledge base did not load"
        time.sleep(0.5)


def chat_taken_by_agent(browser: Browser, base: str, subject: str) -> tuple[Page, Page]:
    """A customer opens a chat about `subject` and the agent accepts it: (customer, agent)."""
    customer = browser.new_context().new_page()
    customer.goto(base + "/chat")
    customer.get_by_test_id("chat-subject").fill(subject)
    customer.get_by_test_id("chat-start").click()
    expect(customer.get_by_test_id("chat-status")).not_to_be_empty()
    agent = agent_page(browser, base)
    wait_for_knowledge(agent, base)
    agent.goto(base + "/console/queue")
    agent.locator("#queue-rows tr", has_text=subject).first.get_by_test_id("accept").click()
    expect(agent.get_by_test_id("chat-panel")).to_be_visible()
    return customer, agent


def test_agent_typing_sees_suggestions_and_inserts_the_answer(
    browser: Browser, chat_server: str
) -> None:
    """QC-5, PREP-1: as the agent types, the knowledge base's best entries appear beside
    the conversation (question, business line, score), and "insert" puts the entry's
    answer into the reply box for the agent to send."""
    limit = DEMO_ENTRIES["CC-002"]
    _, agent = chat_taken_by_agent(browser, chat_server, "额度咨询-建议")
    box = agent.get_by_test_id("suggest-box")
    expect(box).to_contain_text("知识库建议")

    agent.get_by_test_id("agent-input").fill("信用卡怎么提额")
    first = box.get_by_test_id("suggest-item").first
    expect(first).to_contain_text(limit.standard_question)
    expect(first).to_contain_text("信用卡")
    expect(first).to_contain_text("%")
    assert box.get_by_test_id("suggest-item").count() <= 3

    first.get_by_test_id("suggest-insert").click()
    expect(agent.get_by_test_id("agent-input")).to_have_value(limit.answer)


def test_a_customer_message_shows_suggestions_before_the_agent_types(
    browser: Browser, chat_server: str
) -> None:
    """QC-5, PREP-1: the customer's latest message brings suggestions without typing."""
    lost_card = DEMO_ENTRIES["ACC-005"]
    customer, agent = chat_taken_by_agent(browser, chat_server, "来信-建议")
    expect(agent.get_by_test_id("suggest-item")).to_have_count(0)

    customer.get_by_test_id("chat-input").fill("我的借记卡丢了，怎么挂失？")
    customer.get_by_test_id("chat-send").click()
    expect(agent.get_by_test_id("agent-log")).to_contain_text("借记卡丢了")
    expect(agent.get_by_test_id("suggest-item").first).to_contain_text(lost_card.standard_question)
    expect(agent.get_by_test_id("agent-input")).to_have_value("")


def test_a_late_answer_to_an_older_draft_does_not_replace_newer_suggestions(
    browser: Browser, chat_server: str
) -> None:
    """QC-5: suggestions follow the latest text even when answers arrive out of order."""
    limit = DEMO_ENTRIES["CC-002"]
    lost_card = DEMO_ENTRIES["ACC-005"]
    _, agent = chat_taken_by_agent(browser, chat_server, "乱序-建议")
    held: list[Route] = []

    def hold_the_first_lost_card_request(route: Route) -> None:
        if "挂失" in unquote(route.request.url) and not held:
            held.append(route)
        else:
            route.continue_()

    agent.route("**/api/v1/assistant/suggest?*", hold_the_first_lost_card_request)
    agent.get_by_test_id("agent-input").fill("借记卡挂失")
    deadline = time.monotonic() + 10
    while not held:
        assert time.monotonic() < deadline, "the first suggestion request was not made"
        agent.wait_for_timeout(50)

    agent.get_by_test_id("agent-input").fill("信用卡怎么提额")
    items = agent.get_by_test_id("suggest-item")
    expect(items.first).to_contain_text(limit.standard_question)

    with agent.expect_request_finished(lambda r: "挂失" in unquote(r.url)):
        held[0].continue_()
    agent.wait_for_timeout(300)
    expect(items.first).to_contain_text(limit.standard_question)
    expect(agent.get_by_test_id("suggest-box")).not_to_contain_text(lost_card.standard_question)


def test_suggestions_say_so_in_english_when_nothing_matches_or_the_request_fails(
    browser: Browser, chat_server: str
) -> None:
    """QC-5: an empty answer and a failed request are muted notes, never a script error."""
    customer = browser.new_context().new_page()
    customer.goto(chat_server + "/chat")
    customer.get_by_test_id("chat-subject").fill("空结果-建议")
    customer.get_by_test_id("chat-start").click()
    expect(customer.get_by_test_id("chat-status")).not_to_be_empty()
    agent = agent_page(browser, chat_server, lang="en")
    script_errors: list[str] = []
    agent.on("pageerror", lambda error: script_errors.append(str(error)))
    answers = {"status": 200}

    def fake_suggest(route: Route) -> None:
        if answers["status"] == 200:
            route.fulfill(status=200, json=[])
        else:
            route.fulfill(status=answers["status"], json={"error": {"message": "boom"}})

    agent.route("**/api/v1/assistant/suggest?*", fake_suggest)
    agent.goto(chat_server + "/console/queue")
    agent.locator("#queue-rows tr", has_text="空结果-建议").first.get_by_test_id("accept").click()
    box = agent.get_by_test_id("suggest-box")
    expect(box).to_contain_text("Suggestions")

    agent.get_by_test_id("agent-input").fill("nothing like this")
    expect(box).to_contain_text("No matching entry")
    expect(box.get_by_test_id("suggest-item")).to_have_count(0)

    answers["status"] = 500
    agent.get_by_test_id("agent-input").fill("still nothing")
    expect(box).to_contain_text("Suggestions are unavailable right now.")
    expect(box.get_by_test_id("suggest-item")).to_have_count(0)
    assert script_errors == []


def test_suggestion_text_from_the_server_is_shown_as_text(
    browser: Browser, chat_server: str
) -> None:
    """QC-5: a knowledge entry that looks like markup is shown and inserted as text."""
    markup = '<img src=x onerror="document.title=1">'
    _, agent = chat_taken_by_agent(browser, chat_server, "标记-建议")
    agent.route(
        "**/api/v1/assistant/suggest?*",
        lambda route: route.fulfill(
            status=200,
            json=[
                {
                    "entry_id": "KB-XSS",
                    "question": markup + "怎么挂失",
                    "answer": markup + "请致电客服。",
                    "steps": [],
                    "source": "测试",
                    "complexity": "simple",
                    "business_line": "accounts",
                    "score": 0.5,
                }
            ],
        ),
    )
    agent.get_by_test_id("agent-input").fill("挂失")
    box = agent.get_by_test_id("suggest-box")
    expect(box.get_by_test_id("suggest-item")).to_contain_text(markup + "怎么挂失")
    expect(box.get_by_test_id("suggest-item")).to_contain_text("账户 · 匹配度 50%")
    assert box.locator("img").count() == 0
    box.get_by_test_id("suggest-insert").click()
    expect(agent.get_by_test_id("agent-input")).to_have_value(markup + "请致电客服。")


def test_suggestions_say_loading_and_follow_by_themselves_once_loaded(
    browser: Browser, chat_server: str
) -> None:
    """QC-5: while the knowledge base loads after start-up (503 `assistant_loading`),
    the box says so instead of "no matching entry", and shows the suggestions on its
    own once the knowledge base answers, without the agent typing again."""
    limit = DEMO_ENTRIES["CC-002"]
    _, agent = chat_taken_by_agent(browser, chat_server, "加载中-建议")
    calls = {"loading": 0}

    def loading_twice(route: Route) -> None:
        if calls["loading"] < 2:
            calls["loading"] += 1
            route.fulfill(
                status=503,
                json={"error": {"code": "assistant_loading", "message": "知识库正在加载"}},
            )
        else:
            route.continue_()

    agent.route("**/api/v1/assistant/suggest?*", loading_twice)
    agent.get_by_test_id("agent-input").fill("信用卡怎么提额")
    box = agent.get_by_test_id("suggest-box")
    expect(box).to_contain_text("知识库正在加载，稍后自动显示建议。")
    expect(box).not_to_contain_text("没有匹配的知识条目")
    expect(box.get_by_test_id("suggest-item").first).to_contain_text(
        limit.standard_question, timeout=10_000
    )
    assert calls["loading"] == 2
    expect(box).not_to_contain_text("正在加载")
