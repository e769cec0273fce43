"""Sliding-window rate limits (RSK-2, ACC-6): sign-in per client address, identity code
sends and verification attempts per consultation and per customer.

In memory, per process, with the clock injected: enough for one worker. With several
workers each process counts on its own, so the effective limit is multiplied by the
worker count (the per-account lockout and the per-challenge attempt count stay exact,
they live in the database).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import Request

from consultdesk.shared.clock import Clock
from consultdesk.shared.errors import TooManyRequests

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` hits per `window_s` seconds for one key of this kind."""

    kind: str
    count: int
    window_s: int
    message: str


# Numbers chosen so a real customer never meets them and a script does at once.
SIGN_IN_PER_ADDRESS = Limit("sign_in_ip", 20, 300, "登录尝试过于频繁，请 5 分钟后再试")
CODE_SENDS_PER_CONSULTATION = Limit(
    "otp_send_consultation", 3, 600, "验证码发送过于频繁，请 10 分钟后再试"
)
CODE_SENDS_PER_CUSTOMER = Limit(
    "otp_send_customer", 6, 3600, "该客户验证码发送次数过多，请 1 小时后再试"
)
ATTEMPTS_PER_CONSULTATION = Limit(
    "verify_consultation", 10, 600, "身份验证尝试过于频繁，请 10 分钟后再试"
)
ATTEMPTS_PER_CUSTOMER = Limit(
    "verify_customer", 20, 3600, "该客户身份验证尝试次数过多，请 1 小时后再试"
)


class RateLimiter:
    """Counts hits per (limit kind, key) in a sliding window; thread-safe."""

    def __init__(self, *, clock: Clock, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.Lock()

    def hit(self, limit: Limit, key: str) -> None:
        """Count one hit for `key`; raise TooManyRequests (429, nothing counted) when the
        window already holds `limit.count` hits."""
        now = self._clock.now()
        start = now - timedelta(seconds=limit.window_s)
        with self._lock:
            if len(self._hits) >= self._max_keys:
                self._forget_idle(now)
            window = self._hits.setdefault((limit.kind, key), deque())
            while window and window[0] <= start:
                window.popleft()
            if len(window) >= limit.count:
                raise TooManyRequests(limit.message, code="rate_limited")
            window.append(now)

    def remaining(self, limit: Limit, key: str) -> int:
        """Hits still allowed for `key` in the current window."""
        now = self._clock.now()
        start = now - timedelta(seconds=limit.window_s)
        with self._lock:
            window = self._hits.get((limit.kind, key), deque())
            return max(limit.count - sum(1 for t in window if t > start), 0)

    def _forget_idle(self, now: datetime) -> None:
        # Drop keys with nothing in the last day so a flood of addresses cannot grow memory.
        horizon = now - timedelta(days=1)
        for k in [k for k, w in self._hits.items() if not w or w[-1] <= horizon]:
            del self._hits[k]
        if len(self._hits) >= self._max_keys:
            self._hits.clear()


_CREATE = threading.Lock()


def limiter_for(container: Container) -> RateLimiter:
    """The container's limiter, created on first use (kept in `container.extras`)."""
    with _CREATE:
        found = container.extras.get("rate_limiter")
        if not isinstance(found, RateLimiter):
            found = RateLimiter(clock=container.clock)
            container.extras["rate_limiter"] = found
        return found


def client_address(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy: configure uvicorn's
    --forwarded-allow-ips so this is the client, not the proxy)."""
    return request.client.host if request.client else "unknown"


def sign_in_guard(request: Request) -> None:
    """FastAPI dependency for the sign-in routes: at most `security.sign_in_per_address`
    attempts per client address in `security.sign_in_window_s` (policy; defaults as
    SIGN_IN_PER_ADDRESS), on top of the per-account lockout (RSK-2). 429 beyond."""
    from consultdesk.policy.service import current_policy

    container = request.app.state.container
    with container.uow() as session:
        policy = current_policy(session=session)
    limit = Limit(
        SIGN_IN_PER_ADDRESS.kind,
        policy.int("security.sign_in_per_address"),
        policy.int("security.sign_in_window_s"),
        SIGN_IN_PER_ADDRESS.message,
    )
    limiter_for(container).hit(limit, client_address(request))
