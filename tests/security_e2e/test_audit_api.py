"""Compliance officers search the audit log in the console and over the API (RSK-2)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.audit import service as audit
from consultdesk.bootstrap import Container

HOSTILE = "<script>window.__xss=1</script>"


def _entry(container: Container, *, actor: str, subject: str) -> None:
    with container.uow() as session:
        audit.record(
            session=session,
            now=container.clock.now(),
            actor=actor,
            action="kb.answer_shown",
            subject=subject,
            details={"answer": HOSTILE},
        )


def test_search_by_actor_returns_only_that_actors_entries(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: RSK-2
    _entry(container, actor="usr_a", subject="con_1")
    _entry(container, actor="usr_b", subject="con_2")
    r = client.get(
        "/api/v1/audit", params={"actor": "usr_a"}, headers=auth_headers("compliance_officer")
    )
    assert r.status_code == 200
    assert [e["subject"] for e in r.json()] == ["con_1"]


def test_an_agent_cannot_search_the_audit_log(client: TestClient, auth_headers: Any) -> None:
    # REQ: RSK-2
    r = client.get("/api/v1/audit", headers=auth_headers("agent", branch="BJ01"))
    assert r.status_code == 403


def test_verify_reports_an_intact_chain(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: RSK-2
    _entry(container, actor="usr_a", subject="con_1")
    r = client.get("/api/v1/audit/verify", headers=auth_headers("admin"))
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["count"] >= 1


def test_a_reversed_date_range_is_a_422_naming_until(client: TestClient, auth_headers: Any) -> None:
    r = client.get(
        "/api/v1/audit",
        params={"since": "2026-03-02", "until": "2026-03-01"},
        headers=auth_headers("compliance_officer"),
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "until"


def test_the_console_page_shows_hostile_text_escaped(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: RSK-1  REQ: RSK-2
    _entry(container, actor="usr_a", subject=HOSTILE)
    r = client.get(
        "/console/audit",
        params={"actor": "usr_a"},
        headers={**auth_headers("compliance_officer"), "accept": "text/html"},
    )
    assert r.status_code == 200
    assert 'data-testid="audit-row"' in r.text
    assert HOSTILE not in r.text
    assert "&lt;script&gt;" in r.text


def test_searching_is_itself_audited(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: RSK-2
    client.get("/api/v1/audit", params={"action": "pii.reveal"}, headers=auth_headers("admin"))
    with container.uow() as session:
        (entry,) = audit.search(session=session, action="audit.searched")
    assert entry.details_dict() == {"action": "pii.reveal"}
