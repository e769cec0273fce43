"""Parallel checks on one consultation are serialised (ACC-6, RSK-4)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from consultdesk.bootstrap import Container
from consultdesk.identity import service
from consultdesk.security.ratelimit import limiter_for

from .conftest import open_desk


@pytest.mark.parametrize("attempts", [4])
def test_parallel_first_checks_all_land_and_none_is_lost(
    container: Container, auth_headers: Any, attempts: int
) -> None:
    # REQ: ACC-6  REQ: RSK-2
    desk = open_desk(container, auth_headers("agent", branch="BJ01"))
    right = desk.profile.id_number[-4:]
    errors: list[BaseException] = []
    start = threading.Barrier(attempts)

    def check() -> None:
        try:
            start.wait()
            with container.uow() as session:
                service.check_id_last_four(
                    session=session,
                    now=container.clock.now(),
                    corebank=container.corebank,
                    limiter=limiter_for(container),
                    consultation_id=desk.consultation_id,
                    last_four=right,
                    actor="usr_t",
                )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=check) for _ in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with container.uow() as session:
        found = service.verification_of(session=session, consultation_id=desk.consultation_id)
    assert found.verified and len(found.checks) == attempts
