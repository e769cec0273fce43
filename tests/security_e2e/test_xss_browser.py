"""Stored XSS: hostile text from a customer is shown as text in the agent's console (RSK-1).

A visitor opens a chat with a hostile subject and sends hostile messages; the agent
opens the consultation in a real browser. The page shows the characters, runs nothing
and creates no element from them."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from consultdesk.demo import DEMO_LOGINS

pytestmark = pytest.mark.browser

SUBJECT = "<script>window.__xss = 'subject'</script>卡被冻结"
MESSAGE = "<img src=x onerror=\"window.__xss='message'\">我的卡怎么了"


def test_hostile_chat_text_is_shown_escaped_in_the_queue(page: Page, chat_server: str) -> None:
    # REQ: RSK-1  REQ: RSK-2
    agent = next(x for x in DEMO_LOGINS if x.username == "agent")
    opened = httpx.post(
        f"{chat_server}/api/v1/chat", json={"branch": agent.branch, "subject": SUBJECT}
    )
    assert opened.status_code == 201, opened.text
    chat = opened.json()
    consultation_id = chat["consultation_id"]
    sent = httpx.post(
        f"{chat_server}/api/v1/chat/{consultation_id}/messages",
        headers={"X-Chat-Token": chat["token"]},
        json={"text": MESSAGE, "client_msg_id": "xss-1"},
    )
    assert sent.status_code in (200, 201), sent.text

    page.goto(chat_server + "/login")
    page.fill("input[name=username]", agent.username)
    page.fill("input[name=password]", agent.password)
    page.click("[data-testid=login-submit]")
    page.goto(chat_server + "/console/queue")
    row = page.locator(f"tr[data-id='{consultation_id}']")
    expect(row).to_contain_text(SUBJECT)
    row.get_by_test_id("open").click()
    log = page.get_by_test_id("agent-log")
    expect(log).to_contain_text(MESSAGE)
    assert log.locator("img").count() == 0
    assert row.locator("script").count() == 0
    assert page.evaluate("window.__xss === undefined")
