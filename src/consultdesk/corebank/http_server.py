"""Any CoreBank served over HTTP: the contract a bank's integration gateway implements.

All paths are under /corebank/v1, JSON in and out, `Authorization: Bearer <token>`.
Amounts are strings ("52340.18"), dates ISO 8601. Errors have one shape:
`{"error": code, "message": Chinese text, "field": name or null}` with 401 (token),
404 (not_found), 422 (validation_error), 503 (corebank_unavailable).

    GET  /corebank/v1/health
    GET  /corebank/v1/customers/{customer_id}
    POST /corebank/v1/customers/search              {"phone": ...} or {"id_number": ...}
    POST /corebank/v1/customers/{customer_id}/id-check         {"last_four": "002X"}
    GET  /corebank/v1/customers/{customer_id}/phone             {"phone_masked": ...}
    GET  /corebank/v1/customers/{customer_id}/accounts
    GET  /corebank/v1/customers/{customer_id}/eligibility/{product_code}
    GET  /corebank/v1/accounts/{account_id}
    GET  /corebank/v1/accounts/{account_id}/status              {"status": ...}
    GET  /corebank/v1/accounts/{account_id}/balance
    GET  /corebank/v1/accounts/{account_id}/transactions?limit=20
    GET  /corebank/v1/accounts/{account_id}/refused-transfers
    GET  /corebank/v1/accounts/{account_id}/refused-transfers/{serial}
    PUT  /corebank/v1/sandbox/outage                  {"on": true}  (sandbox only)
    PUT  /corebank/v1/sandbox/latency                 {"seconds": 4.5}  (sandbox only)

The latency switch makes every other request wait that long before it is answered, to
rehearse a core bank that stalls past the client's timeout (``HttpCoreBank`` gives up
after 3 s and the desk degrades, PREP-3); 0 turns it off and lets waiting requests go
at once. ``consultdesk corebank serve --latency 4.5`` starts with it on.

The search and id-check take the ID number and phone in the body, never in the URL,
so they stay out of access logs.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from consultdesk.corebank.model import AccountId, CustomerId
from consultdesk.corebank.port import CoreBank
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.corebank.wire import encode
from consultdesk.shared.errors import DomainError, Unauthorized, ValidationFailed

PREFIX = "/corebank/v1"


class CustomerSearch(BaseModel):
    phone: str | None = None
    id_number: str | None = None


class IdCheck(BaseModel):
    last_four: str


class OutageSwitch(BaseModel):
    on: bool


MAX_LATENCY_S = 600.0


class LatencySwitch(BaseModel):
    seconds: float = Field(ge=0, le=MAX_LATENCY_S)


class Latency:
    """How long the sandbox server waits before answering (0: not at all)."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds

    async def wait(self) -> None:
        # In short steps, so switching the latency off releases the requests waiting.
        started = time.monotonic()
        while self.seconds > 0 and time.monotonic() - started < self.seconds:
            await asyncio.sleep(min(0.05, self.seconds))


def _error(exc: DomainError) -> JSONResponse:
    return JSONResponse(
        status_code=exc.status,
        content={"error": exc.code, "message": exc.message, "field": exc.field},
    )


def create_corebank_app(*, bank: CoreBank, token: str, latency_s: float = 0.0) -> FastAPI:
    """An ASGI app serving `bank`; requests must carry `Bearer <token>`. For the sandbox,
    ``latency_s`` delays every answer (see the latency switch above)."""

    def authorised(authorization: Annotated[str | None, Header()] = None) -> None:
        expected = f"Bearer {token}"
        if authorization is None or not hmac.compare_digest(
            authorization.encode(), expected.encode()
        ):
            raise Unauthorized("访问令牌无效", field="authorization")

    app = FastAPI(title="consultdesk core-bank sandbox", version="1")
    router = APIRouter(prefix=PREFIX, dependencies=[Depends(authorised)])

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return _error(exc)

    latency = Latency(latency_s if isinstance(bank, SandboxCoreBank) else 0.0)
    app.state.latency = latency

    @app.middleware("http")
    async def stall(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path != f"{PREFIX}/sandbox/latency":
            await latency.wait()
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query")]
        field = location[-1] if location else None
        return _error(ValidationFailed("请求格式不正确", field=field))

    @router.get("/health")
    def health() -> dict[str, str]:
        bank.ping()
        return {"status": "ok"}

    @router.post("/customers/search")
    def search(body: CustomerSearch) -> Any:
        if (body.phone is None) == (body.id_number is None):
            raise ValidationFailed("请提供手机号码或身份证号码其中之一", field="phone")
        if body.phone is not None:
            return encode(bank.find_customer_by_phone(phone=body.phone))
        return encode(bank.find_customer_by_id_number(id_number=body.id_number or ""))

    @router.get("/customers/{customer_id}")
    def customer(customer_id: str) -> Any:
        return encode(bank.get_customer(customer_id=CustomerId(customer_id)))

    @router.post("/customers/{customer_id}/id-check")
    def id_check(customer_id: str, body: IdCheck) -> dict[str, bool]:
        found = bank.check_id_last_four(
            customer_id=CustomerId(customer_id), last_four=body.last_four
        )
        return {"match": found}

    @router.get("/customers/{customer_id}/phone")
    def phone(customer_id: str) -> dict[str, str]:
        return {"phone_masked": bank.registered_phone_masked(customer_id=CustomerId(customer_id))}

    @router.get("/customers/{customer_id}/accounts")
    def accounts(customer_id: str) -> Any:
        return encode(bank.list_accounts(customer_id=CustomerId(customer_id)))

    @router.get("/customers/{customer_id}/eligibility/{product_code}")
    def eligibility(customer_id: str, product_code: str) -> Any:
        return encode(
            bank.product_eligibility(customer_id=CustomerId(customer_id), product_code=product_code)
        )

    @router.get("/accounts/{account_id}")
    def account(account_id: str) -> Any:
        return encode(bank.get_account(account_id=AccountId(account_id)))

    @router.get("/accounts/{account_id}/status")
    def status(account_id: str) -> dict[str, str]:
        return {"status": bank.account_status(account_id=AccountId(account_id)).value}

    @router.get("/accounts/{account_id}/balance")
    def balance(account_id: str) -> Any:
        return encode(bank.balance(account_id=AccountId(account_id)))

    @router.get("/accounts/{account_id}/transactions")
    def transactions(account_id: str, limit: Annotated[int, Query()] = 20) -> Any:
        return encode(bank.recent_transactions(account_id=AccountId(account_id), limit=limit))

    @router.get("/accounts/{account_id}/refused-transfers")
    def refusals(account_id: str) -> Any:
        return encode(bank.refused_transfers(account_id=AccountId(account_id)))

    @router.get("/accounts/{account_id}/refused-transfers/{serial}")
    def refusal(account_id: str, serial: str) -> Any:
        return encode(
            bank.explain_refused_transfer(account_id=AccountId(account_id), serial=serial)
        )

    if isinstance(bank, SandboxCoreBank):
        sandbox = bank

        @router.put("/sandbox/outage")
        def outage(body: OutageSwitch) -> dict[str, bool]:
            sandbox.outage = body.on
            return {"on": sandbox.outage}

        @router.put("/sandbox/latency")
        def set_latency(body: LatencySwitch) -> dict[str, float]:
            latency.seconds = body.seconds
            return {"seconds": latency.seconds}

    app.include_router(router)
    return app
