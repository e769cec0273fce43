"""The story test reuses the bot's fixtures (a small published knowledge base and one
matcher per session) and adds a real SMTP server the container's mailer talks to."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock
from tests.assistant.bot.conftest import (  # noqa: F401 - fixtures used by the story
    bot_client,
    cache_dir,
    kb_slice,
    live,
    slice_matcher,
)
from tests.assistant.conftest import encoder  # noqa: F401


class Inbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope.original_content or b"")
        return "250 Message accepted"


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def container(
    db_settings: Settings, clock: FakeClock, smtp_inbox: tuple[Inbox, int]
) -> Iterator[Container]:
    """The suite's container, with mail going to the local SMTP server."""
    settings = db_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp_inbox[1]})
    c = bootstrap(settings, clock=clock)
    with c.uow() as session:
        seed_session_only(session)
    yield c
    c.close()
