"""RSK-2: the services take the caller's scope and refuse ids outside it, so REST, the
chat socket, the console and the command line share one isolation rule. Here the services
on both databases, and the command line as an operator types it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.consultations import service
from consultdesk.customers import service as customers
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from consultdesk.shared.errors import Forbidden, NotFound
from consultdesk.shared.scope import HEAD_OFFICE_SCOPE, SYSTEM, Scope
from consultdesk.staff import service as staff

EXE = str(Path(sys.executable).parent / "consultdesk")
BJ01 = Scope.of_branch("BJ01")
SH01 = Scope.of_branch("SH01")


def open_at(container: Container, branch: str, *, customer_id: str | None = None) -> str:
    with container.uow() as s:
        return service.open_consultation(
            session=s,
            now=container.clock.now(),
            channel="chat",
            branch=branch,
            actor="customer",
            customer_id=customer_id,
        ).id


def test_head_office_scope_of_branch_hq_is_the_whole_bank() -> None:
    assert Scope.of_branch("ho") == HEAD_OFFICE_SCOPE
    assert HEAD_OFFICE_SCOPE.admits("SH01") and BJ01.admits("BJ01") and not BJ01.admits("SH01")


def test_another_branchs_consultation_reads_as_unknown(container: Container) -> None:
    # REQ: RSK-2 — the same NotFound as an id that does not exist, from every read.
    cid = open_at(container, "SH01")
    with container.uow() as s:
        assert service.get_consultation(session=s, consultation_id=cid, scope=SH01).id == cid
        for read in (service.get_consultation, service.transcript, service.timeline):
            with pytest.raises(NotFound) as refused:
                read(session=s, consultation_id=cid, scope=BJ01)
            assert refused.value.field == "consultation_id"


def test_listing_keeps_to_the_scope_and_refuses_a_branch_outside_it(
    container: Container,
) -> None:
    # REQ: RSK-2
    mine, theirs = open_at(container, "BJ01"), open_at(container, "SH01")
    with container.uow() as s:
        seen = {c.id for c in service.list_consultations(session=s, scope=BJ01)}
        everything = {c.id for c in service.list_consultations(session=s, scope=SYSTEM)}
        with pytest.raises(Forbidden) as refused:
            service.list_consultations(session=s, scope=BJ01, branch="SH01")
    assert mine in seen and theirs not in seen
    assert {mine, theirs} <= everything
    assert refused.value.field == "branch"


def test_a_customer_of_another_branch_and_their_history_are_refused(
    container: Container,
) -> None:
    # REQ: RSK-2, ACC-5
    with container.uow() as s:
        customer = customers.register_customer(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name="吴磊",
            branch="SH01",
        )
    open_at(container, "SH01", customer_id=customer.id)
    with container.uow() as s:
        assert len(service.customer_history(session=s, customer_id=customer.id, scope=SH01)) == 1
        with pytest.raises(NotFound):
            customers.get_customer(session=s, customer_id=customer.id, scope=BJ01)
        with pytest.raises(NotFound):
            service.customer_history(session=s, customer_id=customer.id, scope=BJ01)


@pytest.fixture
def shop(tmp_path: Path) -> tuple[dict[str, str], str]:
    """An SQLite file with a Shanghai consultation and agents of BJ01 and SH01; the shell
    environment that points the real executable at it."""
    url = f"sqlite:///{tmp_path / 'scope.sqlite3'}"
    c = bootstrap(Settings(database_url=url, data_dir=tmp_path))
    upgrade(c.engine)
    with c.uow() as s:
        seed_session_only(s)
        for username, branch in (("li.na", "BJ01"), ("zhou.ting", "SH01")):
            staff.create_user(
                session=s,
                now=c.clock.now(),
                username=username,
                display_name=username,
                role="agent",
                branch=branch,
                password="Agent-scope-2026!",
            )
    cid = open_at(c, "SH01")
    c.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    env |= {"CONSULTDESK_DATABASE_URL": url, "CONSULTDESK_DATA_DIR": str(tmp_path)}
    return env, cid


def consultdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_command_line_reads_with_the_scope_of_the_member_named_by_as(
    shop: tuple[dict[str, str], str],
) -> None:
    # REQ: RSK-2 — `consultdesk consultations show|list --as USER`, the real executable.
    env, cid = shop
    own = consultdesk(env, "consultations", "show", cid, "--as", "zhou.ting", "--json")
    assert own.returncode == 0, own.stderr
    assert json.loads(own.stdout)["consultation"]["branch"] == "SH01"
    other = consultdesk(env, "consultations", "show", cid, "--as", "li.na")
    assert other.returncode == 2
    assert other.stderr.strip() == "错误（consultation_id）：咨询不存在"
    listed = consultdesk(env, "consultations", "list", "--as", "li.na", "--json")
    assert json.loads(listed.stdout) == []
    nobody = consultdesk(env, "consultations", "list", "--as", "ghost")
    assert nobody.returncode == 2 and "username" in nobody.stderr
    missing = consultdesk(env, "consultations", "list")
    assert missing.returncode == 2 and "--as" in missing.stderr
