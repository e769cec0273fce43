"""Sliding-window rate limits (RSK-2, ACC-6) with an injected clock."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from consultdesk.security.ratelimit import SIGN_IN_PER_ADDRESS, Limit, RateLimiter, sign_in_guard
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import TooManyRequests

THREE_A_MINUTE = Limit("test", 3, 60, "太频繁")


def test_the_hit_over_the_limit_is_refused() -> None:
    limiter = RateLimiter(clock=FakeClock())
    for _ in range(3):
        limiter.hit(THREE_A_MINUTE, "k")
    with pytest.raises(TooManyRequests):
        limiter.hit(THREE_A_MINUTE, "k")


def test_the_window_slides_with_the_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    for _ in range(3):
        limiter.hit(THREE_A_MINUTE, "k")
    clock.advance(60)
    limiter.hit(THREE_A_MINUTE, "k")
    assert limiter.remaining(THREE_A_MINUTE, "k") == 2


def test_keys_are_counted_apart() -> None:
    limiter = RateLimiter(clock=FakeClock())
    for _ in range(3):
        limiter.hit(THREE_A_MINUTE, "a")
    limiter.hit(THREE_A_MINUTE, "b")


def test_sign_in_guard_answers_429_per_client_address() -> None:
    # REQ: RSK-2
    @dataclass
    class Box:  # the two container attributes the limiter uses
        clock: FakeClock = field(default_factory=FakeClock)
        extras: dict[str, object] = field(default_factory=dict)

    app = FastAPI()
    app.state.container = Box()

    @app.post("/sign-in", dependencies=[Depends(sign_in_guard)])
    def sign_in() -> dict[str, bool]:
        return {"ok": True}

    from consultdesk.web.errors import install

    install(app)
    with TestClient(app) as client:
        codes = [client.post("/sign-in").status_code for _ in range(SIGN_IN_PER_ADDRESS.count + 1)]
    assert codes[:-1] == [200] * SIGN_IN_PER_ADDRESS.count
    assert codes[-1] == 429
