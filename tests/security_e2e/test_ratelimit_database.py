"""Rate limits kept in the database (RSK-2, ACC-6): one count for every process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.security.ratelimit import (
    DatabaseRateLimiter,
    Limit,
    forget_old_hits,
    limiter_for,
)
from consultdesk.security.tables import RateHitRow
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import TooManyRequests

THREE_A_MINUTE = Limit("test", 3, 60, "太频繁")


@pytest.fixture
def two_containers(db_settings: Settings, clock: FakeClock) -> Iterator[tuple[Container, ...]]:
    if not db_settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one web process; its limiter is in memory")
    a, b = bootstrap(db_settings, clock=clock), bootstrap(db_settings, clock=clock)
    yield a, b
    a.close()
    b.close()


def test_two_processes_share_one_count(two_containers: tuple[Container, ...]) -> None:
    a, b = (limiter_for(c) for c in two_containers)
    assert isinstance(a, DatabaseRateLimiter) and a is not b
    a.hit(THREE_A_MINUTE, "10.0.0.9")
    b.hit(THREE_A_MINUTE, "10.0.0.9")
    a.hit(THREE_A_MINUTE, "10.0.0.9")
    with pytest.raises(TooManyRequests):
        b.hit(THREE_A_MINUTE, "10.0.0.9")
    assert a.remaining(THREE_A_MINUTE, "10.0.0.9") == 0
    b.hit(THREE_A_MINUTE, "10.0.0.10")  # another key counts apart


def test_the_window_slides_and_old_hits_are_forgotten(
    two_containers: tuple[Container, ...], clock: FakeClock
) -> None:
    c = two_containers[0]
    limiter = limiter_for(c)
    for _ in range(3):
        limiter.hit(THREE_A_MINUTE, "k")
    clock.advance(60)
    limiter.hit(THREE_A_MINUTE, "k")
    assert limiter.remaining(THREE_A_MINUTE, "k") == 2
    with c.uow() as s:
        stored = s.scalars(select(RateHitRow.key_digest)).all()
    assert "k" not in stored and len(stored[0]) == 64  # keyed digests, never the key
    clock.advance(timedelta(days=1, seconds=61).total_seconds())
    with c.uow() as s:
        assert forget_old_hits(session=s, now=clock.now()) == 4
        assert s.scalar(select(func.count()).select_from(RateHitRow)) == 0


def test_concurrent_hits_never_pass_the_limit(two_containers: tuple[Container, ...]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    limiters = [limiter_for(c) for c in two_containers]
    ten = Limit("burst", 10, 60, "太频繁")

    def one(n: int) -> bool:
        try:
            limiters[n % 2].hit(ten, "same")
            return True
        except TooManyRequests:
            return False

    with ThreadPoolExecutor(8) as pool:
        passed = sum(pool.map(one, range(40)))
    assert passed == 10
