"""Sliding-window rate limits (RSK-2, ACC-6): sign-in per client address, identity code
sends and verification attempts per consultation and per customer.

Two implementations of one ``RateLimiter`` protocol, with the clock injected:

- ``DatabaseRateLimiter`` (PostgreSQL, the production shape of several web processes):
  every hit is a row in ``security_rate_hits``, counted under a per-key advisory lock in
  its own committed transaction, so the limit holds across processes exactly and an
  attempt counts even when the request that made it fails afterwards. Keys are stored
  as keyed digests (no client address or customer id in the table).
- ``MemoryRateLimiter`` (SQLite): SQLite deployments run one web process (``serve``
  refuses ``--workers`` > 1 there) and a second write transaction inside a request would
  wait on the request's own write lock, so the count stays in that process.

The per-account lockout and the per-challenge attempt count live in their own rows.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from fastapi import Request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consultdesk.db.engine import UnitOfWork
from consultdesk.security.tables import RateHitRow
from consultdesk.shared.clock import Clock
from consultdesk.shared.errors import TooManyRequests

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container
    from consultdesk.jobs.model import Job


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


class RateLimiter(Protocol):
    """Counts hits per (limit kind, key) in a sliding window."""

    def hit(self, limit: Limit, key: str) -> None:
        """Count one hit for ``key``; raise TooManyRequests (429, nothing counted) when
        the window already holds ``limit.count`` hits."""
        ...

    def remaining(self, limit: Limit, key: str) -> int:
        """Hits still allowed for ``key`` in the current window."""
        ...


class MemoryRateLimiter:
    """Counts hits per (limit kind, key) in this process's memory; thread-safe."""

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


class DatabaseRateLimiter:
    """Counts hits as rows of ``security_rate_hits``: one count for every process."""

    def __init__(self, *, uow: UnitOfWork, clock: Clock, secret: bytes) -> None:
        self._uow = uow
        self._clock = clock
        self._secret = secret

    def _digest(self, limit: Limit, key: str) -> str:
        return hmac.new(self._secret, f"{limit.kind}|{key}".encode(), hashlib.sha256).hexdigest()

    def _window(self, session: Session, limit: Limit, digest: str, start: datetime) -> int:
        return int(
            session.scalar(
                select(func.count())
                .select_from(RateHitRow)
                .where(
                    RateHitRow.kind == limit.kind,
                    RateHitRow.key_digest == digest,
                    RateHitRow.at > start,
                )
            )
            or 0
        )

    def hit(self, limit: Limit, key: str) -> None:
        now = self._clock.now()
        start = now - timedelta(seconds=limit.window_s)
        digest = self._digest(limit, key)
        with self._uow() as session:
            if session.get_bind().dialect.name == "postgresql":
                # One key at a time across processes: count and insert cannot interleave.
                lock_id = int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)
                session.execute(select(func.pg_advisory_xact_lock(lock_id)))
            if self._window(session, limit, digest, start) >= limit.count:
                raise TooManyRequests(limit.message, code="rate_limited")
            session.add(RateHitRow(kind=limit.kind, key_digest=digest, at=now))

    def remaining(self, limit: Limit, key: str) -> int:
        now = self._clock.now()
        start = now - timedelta(seconds=limit.window_s)
        with self._uow() as session:
            used = self._window(session, limit, self._digest(limit, key), start)
        return max(limit.count - used, 0)


RETAIN_HITS = timedelta(days=1)  # longer than any window above or in the policy


def jobs(*, worker: str, batch: int = 200) -> list[Job]:
    """Hits older than any window go, once an hour (the database limiter's rows)."""
    from consultdesk.jobs.model import Job

    def run(container: Container) -> int:
        with container.uow() as session:
            return forget_old_hits(session=session, now=container.clock.now())

    return [Job("security.forget_rate_hits", every_s=3600.0, run=run)]


def forget_old_hits(*, session: Session, now: datetime) -> int:
    """Delete hits older than any window (the jobs runner calls this); returns how many."""
    result = session.execute(delete(RateHitRow).where(RateHitRow.at < now - RETAIN_HITS))
    return int(getattr(result, "rowcount", 0) or 0)


_CREATE = threading.Lock()


def limiter_for(container: Container) -> RateLimiter:
    """The container's limiter, created on first use: in the database on PostgreSQL
    (several processes), in memory on SQLite (one process)."""
    with _CREATE:
        found = container.attached.rate_limiter
        if found is None:
            if container.engine.dialect.name == "postgresql":
                found = DatabaseRateLimiter(
                    uow=container.uow, clock=container.clock, secret=container.index_key
                )
            else:
                found = MemoryRateLimiter(clock=container.clock)
            container.attached.rate_limiter = found
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
