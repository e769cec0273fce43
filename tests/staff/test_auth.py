"""Sign-in, lockout, sessions, CSRF and tokens (RSK-2, PREP-5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import Unauthorized
from consultdesk.staff import service
from tests.conftest import PASSWORD


def _login_form(client: TestClient) -> str:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def console_login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    csrf = _login_form(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )


def test_five_failures_lock_the_account_for_the_policy_time(
    client: TestClient, make_user: Any, clock: FakeClock
) -> None:
    # REQ: RSK-2 — brute-force lockout after security.login_max_failures (5).
    member = make_user("agent")
    for _ in range(5):
        r = client.post(
            "/api/v1/auth/token", json={"username": member.username, "password": "wrong-pass-1"}
        )
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": member.username, "password": PASSWORD})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "locked"
    clock.advance(seconds=901)
    r = client.post("/api/v1/auth/token", json={"username": member.username, "password": PASSWORD})
    assert r.status_code == 201


def test_console_sign_in_sets_a_secure_http_only_cookie(client: TestClient, make_user: Any) -> None:
    member = make_user("agent")
    r = console_login(client, member.username)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "cd_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_console_sign_in_with_wrong_password_shows_the_form_again(
    client: TestClient, make_user: Any
) -> None:
    member = make_user("agent")
    r = console_login(client, member.username, "Wrong-pass-99")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text


def test_login_without_csrf_token_is_refused(client: TestClient, make_user: Any) -> None:
    member = make_user("agent")
    client.get("/login")
    r = client.post(
        "/login", data={"username": member.username, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert r.status_code == 403


def test_state_change_with_cookie_but_without_csrf_token_is_refused(
    client: TestClient, make_user: Any
) -> None:
    admin = make_user("admin")
    console_login(client, admin.username)
    r = client.post(
        "/console/users",
        data={
            "username": "csrf.victim",
            "display_name": "x",
            "role": "agent",
            "branch": "HO",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "csrf_failed"


def test_tampered_session_cookie_is_not_signed_in(client: TestClient, make_user: Any) -> None:
    member = make_user("agent")
    console_login(client, member.username)
    (cookie,) = [c for c in client.cookies.jar if c.name == "cd_session"]
    issued, domain = cookie.value or "", cookie.domain
    # Replace the issued cookie in place (setting one without its domain would add a
    # second cookie of the same name, and which one the server reads is up to the jar).
    client.cookies.set("cd_session", issued, domain=domain, path="/")
    assert client.get("/api/v1/me").status_code == 200
    client.cookies.set("cd_session", issued + "x", domain=domain, path="/")
    assert [c.value for c in client.cookies.jar if c.name == "cd_session"] == [issued + "x"]
    assert client.get("/api/v1/me").status_code == 401


def test_tampered_bearer_token_is_refused(client: TestClient, auth_headers: Any) -> None:
    headers = auth_headers("agent")
    headers["Authorization"] = headers["Authorization"][:-2] + "zz"
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_disabling_a_user_revokes_tokens_at_once(
    client: TestClient, make_user: Any, container: Container
) -> None:
    member = make_user("agent")
    token = client.post(
        "/api/v1/auth/token", json={"username": member.username, "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with container.uow() as session:
        service.disable_user(session=session, username=member.username)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_session_expires_after_the_configured_hours(
    client: TestClient, make_user: Any, clock: FakeClock
) -> None:
    member = make_user("agent")
    console_login(client, member.username)
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(hours=8, seconds=1)
    assert client.get("/api/v1/me").status_code == 401


def test_passwords_longer_than_72_bytes_count_in_full(container: Container) -> None:
    # argon2id hashes the whole input; bcrypt would ignore everything past byte 72.
    long_pw = "密码" * 30 + "Tail-1"  # 186 bytes in UTF-8
    with container.uow() as session:
        service.create_user(
            session=session,
            now=container.clock.now(),
            username="long.pw",
            display_name="长",
            role="agent",
            branch="HO",
            password=long_pw,
        )
    now = container.clock.now()
    assert service.authenticate(uow=container.uow, now=now, username="long.pw", password=long_pw)
    with pytest.raises(Unauthorized):
        service.authenticate(
            uow=container.uow, now=now, username="long.pw", password=long_pw[:-1] + "2"
        )


def test_me_lists_the_roles_permissions(client: TestClient, auth_headers: Any) -> None:
    me = client.get("/api/v1/me", headers=auth_headers("compliance_officer")).json()
    assert me["role"] == "compliance_officer"
    assert "aml.review" in me["permissions"]
    assert "users.manage" not in me["permissions"]


def test_sign_in_attempts_from_one_address_are_rate_limited(client: TestClient) -> None:
    # REQ: RSK-2 — rate limits on sign-in per client address, on top of the lockout.
    for _ in range(20):
        r = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
