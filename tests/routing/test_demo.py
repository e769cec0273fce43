"""The routing demo seeder makes agents routable with skills (STD-1)."""

from __future__ import annotations

from typing import Any

from consultdesk.bootstrap import Container
from consultdesk.routing import service as routing
from consultdesk.routing.demo import seed_demo_routing


def test_seeder_registers_seniors_with_certificates_and_twice_is_harmless(
    container: Container, make_user: Any
) -> None:
    # REQ: STD-1
    senior = make_user("senior_agent", branch="BJ01")
    for _ in range(2):
        with container.uow() as s:
            seed_demo_routing(session=s, now=container.clock.now(), container=container)
    with container.uow() as s:
        [agent] = routing.agents(session=s)
    assert agent.agent_id == senior.id
    assert "wealth" in agent.certificates and len(agent.skills) >= 5
