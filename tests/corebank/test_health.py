"""Core-bank health probe (PREP-3)."""

from __future__ import annotations

from consultdesk.corebank.health import probe_core_bank
from consultdesk.corebank.http_client import HttpCoreBank
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.shared.clock import FakeClock
from tests.servers import closed_port_url


# REQ: PREP-3
def test_probe_reports_up() -> None:
    clock = FakeClock()
    health = probe_core_bank(bank=SandboxCoreBank(clock=clock), clock=clock)
    assert health.up and health.detail is None and health.checked_at == clock.now()


# REQ: PREP-3
def test_probe_reports_outage_with_detail_instead_of_raising() -> None:
    clock = FakeClock()
    bank = SandboxCoreBank(clock=clock)
    bank.outage = True
    health = probe_core_bank(bank=bank, clock=clock)
    assert not health.up
    assert health.detail == "sandbox outage switched on"


# REQ: PREP-3
def test_probe_of_unreachable_gateway_is_down() -> None:
    with HttpCoreBank(base_url=closed_port_url(), token="t") as bank:
        health = probe_core_bank(bank=bank, clock=FakeClock())
    assert not health.up and health.detail is not None
