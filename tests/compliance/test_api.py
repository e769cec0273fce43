"""Checking a reply over the API before it is sent (QC-6)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_forbidden_claim_is_blocked(client: TestClient, auth_headers: Any) -> None:
    # REQ: QC-6, RSK-7 — a wealth reply promising principal safety is blocked.
    r = client.post(
        "/api/v1/compliance/check",
        headers=auth_headers("agent"),
        json={"text": "这款理财产品保本保收益，稳赚不赔。", "context": {"topic": "wealth"}},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["blocked"] is True
    assert "forbidden_claim" in {v["code"] for v in body["violations"]}


def test_unmasked_card_number_is_masked_in_the_fixed_text(
    client: TestClient, auth_headers: Any
) -> None:
    # REQ: RSK-1 — personal data never leaves unmasked.
    r = client.post(
        "/api/v1/compliance/check",
        headers=auth_headers("agent"),
        json={"text": "您的卡号 6222021234567890128 已登记。", "context": {"topic": "account"}},
    )
    body = r.json()
    assert "pii_leak" in {v["code"] for v in body["violations"]}
    assert "6222021234567890128" not in body["fixed_text"]


def test_unknown_topic_names_the_field(client: TestClient, auth_headers: Any) -> None:
    r = client.post(
        "/api/v1/compliance/check",
        headers=auth_headers("agent"),
        json={"text": "您好", "context": {"topic": "lottery"}},
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "context.topic"


def test_console_checker_shows_the_violation_and_the_fixed_text(
    client: TestClient, make_user: Any
) -> None:
    # REQ: QC-6 — compliance officers check a reply in the console.
    from tests.aml.test_console import sign_in

    officer = make_user("compliance_officer")
    csrf = sign_in(client, officer.username)
    page = client.post(
        "/console/compliance",
        data={"csrf_token": csrf, "text": "这款理财稳赚不赔", "topic": "wealth"},
    )
    assert page.status_code == 200
    assert "forbidden_claim" in page.text


def test_console_checker_shows_a_learned_flag_with_its_evidence_like_a_rule_flag(
    client: TestClient, make_user: Any
) -> None:
    # REQ: QC-6 — a flag from the learned layer reads like a rule's: code, evidence, fix.
    from tests.aml.test_console import sign_in

    officer = make_user("compliance_officer")
    csrf = sign_in(client, officer.username)
    text = "您那张卡最近一直没动过，钱都还在。"
    page = client.post(
        "/console/compliance", data={"csrf_token": csrf, "text": text, "topic": "account"}
    )
    assert page.status_code == 200
    assert "balance_unverified" in page.text and "ML-balance_unverified" in page.text
    assert 'data-testid="evidence">您那张卡' in page.text
    verified = client.post(
        "/console/compliance",
        data={"csrf_token": csrf, "text": text, "topic": "account", "verified": "true"},
    )
    assert "balance_unverified" not in verified.text
