"""Health of the core-banking adapter (PREP-3): one probe the health endpoint calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consultdesk.corebank.port import CoreBank, CoreBankUnavailable
from consultdesk.shared.clock import Clock


@dataclass(frozen=True, slots=True)
class CoreBankHealth:
    """`up` with the probe's duration, or down with what went wrong (for the outage log)."""

    up: bool
    checked_at: datetime
    elapsed_ms: float
    detail: str | None


def probe_core_bank(*, bank: CoreBank, clock: Clock) -> CoreBankHealth:
    """Ping the core bank once; never raises for an outage."""
    started = clock.now()
    try:
        bank.ping()
    except CoreBankUnavailable as exc:
        finished = clock.now()
        return CoreBankHealth(False, finished, _ms(started, finished), exc.detail)
    finished = clock.now()
    return CoreBankHealth(True, finished, _ms(started, finished), None)


def _ms(started: datetime, finished: datetime) -> float:
    return (finished - started).total_seconds() * 1000
