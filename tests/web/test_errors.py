"""Every user mistake gets a 4xx in one shape, naming the field; never a 500."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD


def _error(r: Any) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    return body["error"]


def test_bad_login_is_401_without_saying_whether_the_user_exists(
    client: TestClient, make_user: Any
) -> None:
    member = make_user("agent")
    wrong = client.post(
        "/api/v1/auth/token", json={"username": member.username, "password": "nope-12345"}
    )
    ghost = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "nope-12345"})
    assert wrong.status_code == ghost.status_code == 401
    assert _error(wrong)["message"] == _error(ghost)["message"]


def test_missing_field_names_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", json={"username": "agent"})
    assert r.status_code == 422
    assert _error(r)["field"] == "password"


def test_wrong_type_names_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", json={"username": "a", "password": "b", "days": "many"})
    assert r.status_code == 422
    assert _error(r)["field"] == "days"


def test_over_long_string_is_refused_with_the_limit(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", json={"username": "a" * 65, "password": "x"})
    assert r.status_code == 422
    err = _error(r)
    assert err["field"] == "username"
    assert "64" in err["message"]


def test_body_that_is_not_json_is_422(client: TestClient) -> None:
    r = client.post(
        "/api/v1/auth/token", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert _error(r)["code"] == "validation_error"


def test_unknown_id_is_404(client: TestClient, auth_headers: Any) -> None:
    r = client.get("/api/v1/users/usr_doesnotexist", headers=auth_headers("admin"))
    assert r.status_code == 404
    assert _error(r)["field"] == "user_id"


def test_forbidden_role_is_403(client: TestClient, auth_headers: Any) -> None:
    # REQ: RSK-2 — permissions checked in one place; an agent cannot manage users.
    r = client.get("/api/v1/users", headers=auth_headers("agent"))
    assert r.status_code == 403
    assert _error(r)["code"] == "forbidden"


def test_no_credentials_is_401(client: TestClient) -> None:
    r = client.get("/api/v1/me")
    assert r.status_code == 401


def test_unknown_route_is_404_in_the_error_shape(client: TestClient) -> None:
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert _error(r)["code"] == "http_404"


def test_duplicate_username_is_409(client: TestClient, auth_headers: Any, make_user: Any) -> None:
    make_user("agent", username="dup.user")
    r = client.post(
        "/api/v1/users",
        headers=auth_headers("admin"),
        json={
            "username": "dup.user",
            "display_name": "甲",
            "role": "agent",
            "branch": "HO",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 409
    assert _error(r)["field"] == "username"


def test_unknown_branch_is_404_and_nothing_is_written(
    client: TestClient, auth_headers: Any
) -> None:
    headers = auth_headers("admin")
    r = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "new.user",
            "display_name": "乙",
            "role": "agent",
            "branch": "XX99",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 404
    assert _error(r)["field"] == "branch"
    names = [u["username"] for u in client.get("/api/v1/users", headers=headers).json()]
    assert "new.user" not in names


def test_unknown_role_is_422(client: TestClient, auth_headers: Any) -> None:
    r = client.post(
        "/api/v1/users",
        headers=auth_headers("admin"),
        json={
            "username": "x.user",
            "display_name": "丙",
            "role": "king",
            "branch": "HO",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 422
    assert _error(r)["field"] == "role"
