"""SMS over HTTP: a small FastAPI app serving the sandbox gateway, and `HttpSmsGateway`,
the httpx adapter a bank points at its own SMS platform's compatible endpoint.

    POST /sms/v1/messages   {"to", "text"}  header Idempotency-Key   -> receipt
    GET  /sms/v1/messages?to=13812345678                          -> inbox (sandbox)

`Authorization: Bearer <token>`; errors `{"error", "message", "field"}` with 401, 409
(key reused for another message), 422 (bad number/text/key), 503 (outage).
Client mapping: connection errors, timeouts, 5xx, 401 and malformed answers ->
SmsGatewayUnavailable; 409 -> Conflict; 422 -> ValidationFailed.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from consultdesk.notifications.sms import (
    SmsGatewayUnavailable,
    SmsMessageId,
    SmsReceipt,
    check_sms_request,
)
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.shared.errors import Conflict, DomainError, Unauthorized, ValidationFailed

PREFIX = "/sms/v1"


class SendBody(BaseModel):
    to: str
    text: str


def _receipt_json(receipt: SmsReceipt) -> dict[str, str]:
    return {
        "message_id": receipt.message_id,
        "to": receipt.to,
        "idempotency_key": receipt.idempotency_key,
        "accepted_at": receipt.accepted_at.isoformat(),
    }


def _error(exc: DomainError) -> JSONResponse:
    return JSONResponse(
        status_code=exc.status,
        content={"error": exc.code, "message": exc.message, "field": exc.field},
    )


def create_sms_app(*, gateway: SandboxSmsGateway, token: str) -> FastAPI:
    """An ASGI app serving the sandbox gateway; requests must carry `Bearer <token>`."""

    def authorised(authorization: Annotated[str | None, Header()] = None) -> None:
        expected = f"Bearer {token}".encode()
        if authorization is None or not hmac.compare_digest(authorization.encode(), expected):
            raise Unauthorized("访问令牌无效", field="authorization")

    app = FastAPI(title="consultdesk SMS sandbox", version="1")
    router = APIRouter(prefix=PREFIX, dependencies=[Depends(authorised)])

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return _error(exc)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        location = [str(p) for p in (errors[0].get("loc", ()) if errors else ())]
        field = location[-1].replace("-", "_").lower() if location else None
        return _error(ValidationFailed("请求格式不正确", field=field))

    @router.post("/messages")
    def send(
        body: SendBody, idempotency_key: Annotated[str, Header(alias="Idempotency-Key")]
    ) -> dict[str, str]:
        receipt = gateway.send(to=body.to, text=body.text, idempotency_key=idempotency_key)
        return _receipt_json(receipt)

    @router.get("/messages")
    def inbox(to: str | None = None) -> list[dict[str, str]]:
        return [
            {
                "message_id": m.message_id,
                "to": m.to,
                "text": m.text,
                "idempotency_key": m.idempotency_key,
                "accepted_at": m.accepted_at.isoformat(),
            }
            for m in gateway.inbox(to=to)
        ]

    app.include_router(router)
    return app


class HttpSmsGateway:
    """SmsGateway over HTTP. Validates locally first, so a bad number costs no request."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        connect_timeout: float = 1.0,
        read_timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + PREFIX,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpSmsGateway:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        request = check_sms_request(to=to, text=text, idempotency_key=idempotency_key)
        try:
            response = self._client.post(
                "/messages",
                json={"to": request.to, "text": request.text},
                headers={"Idempotency-Key": request.idempotency_key},
            )
        except httpx.TimeoutException as exc:
            raise SmsGatewayUnavailable(f"timeout: {exc.__class__.__name__}") from None
        except httpx.TransportError as exc:
            raise SmsGatewayUnavailable(f"connection failed: {exc.__class__.__name__}") from None
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        error = body if isinstance(body, dict) and "error" in body else {}
        if response.status_code == 409:
            raise Conflict(str(error.get("message") or "幂等键冲突"), field="idempotency_key")
        if response.status_code == 422:
            raise ValidationFailed(
                str(error.get("message") or "短信请求格式不正确"), field=error.get("field")
            )
        if response.status_code != 200 or not isinstance(body, dict):
            raise SmsGatewayUnavailable(f"HTTP {response.status_code}")
        try:
            return SmsReceipt(
                message_id=SmsMessageId(str(body["message_id"])),
                to=str(body["to"]),
                idempotency_key=str(body["idempotency_key"]),
                accepted_at=datetime.fromisoformat(body["accepted_at"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SmsGatewayUnavailable(f"malformed receipt: {exc}") from None
