"""Sliding-window rate limits (RSK-2, ACC-6) with an injected clock."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from consultdesk.security.ratelimit import SIGN_IN_PER_ADDRESS, Limit, MemoryRateLimiter
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import TooManyRequests

THREE_A_MINUTE = Limit("test", 3, 60, "太频繁")


def test_the_hit_over_the_limit_is_refused() -> None:
    limiter = MemoryRateLimiter(clock=FakeClock())
    for _ in range(3):
        limiter.hit(THREE_A_MINUTE, "k")
    with pytest.raises(TooManyRequests):
        limiter.hit(THREE_A_MINUTE, "k")


def test_the_window_slides_with_the_clock() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock=clock)
    for _ in range(3):
        limiter.hit(THREE_A_MINUTE, "k")
    clock.advance(60)
    limiter.hit(THREE_A_MINUTE, "k")
    assert limiter.remaining(THREE_A_MINUTE, "k") == 2


def test_keys_are_counted_apart() -> None:
    limiter = MemoryRateLimiter(clock=FakeClock())
    for _ in range(3):
        limiter.hit(THREE_A_MINUTE, "a")
    limiter.hit(THREE_A_MINUTE, "b")


def test_console_sign_in_answers_429_per_client_address(client: TestClient) -> None:
    # REQ: RSK-2 — the console's sign-in form is limited per address like the API's.
    codes = [
        client.post("/login", data={"username": "x", "password": "y"}).status_code
        for _ in range(SIGN_IN_PER_ADDRESS.count + 1)
    ]
    assert 429 not in codes[:-1]
    assert codes[-1] == 429
