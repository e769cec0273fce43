"""The demo bank loads, and loading it again changes nothing."""

from __future__ import annotations

from consultdesk.bootstrap import Container
from consultdesk.customers import service as customers
from consultdesk.demo import DEMO_LOGINS, seed_demo
from consultdesk.staff import service as staff
from consultdesk.staff.model import Role


def test_demo_has_a_login_for_every_role_and_is_idempotent(container: Container) -> None:
    seed_demo(container)
    seed_demo(container)
    with container.uow() as session:
        users = staff.list_users(session=session)
        found = customers.find_by_phone(
            session=session, index_key=container.index_key, phone="13812340001"
        )
    assert {u.role for u in users} == set(Role)
    assert len(users) == len(DEMO_LOGINS)
    assert found is not None and found.core_customer_id == "C001"
    assert found.phone_masked == "138****0001"


def test_demo_knowledge_base_is_published(container: Container) -> None:
    # REQ: PREP-1 — a knowledge base of standard answers by business line.
    from consultdesk.knowledge import service as knowledge

    seed_demo(container)
    with container.uow() as session:
        published = knowledge.list_published(session=session, now=container.clock.now())
    assert len(published) >= 200
    assert len({p.business_line for p in published}) == 9
