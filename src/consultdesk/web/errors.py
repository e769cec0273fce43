"""One error shape for every failure: ``{"error": {"code", "message", "field"}}``.

User mistakes are 4xx with a message naming the field; the database being unreachable
(PostgreSQL restarting, a dropped connection) is a 503 ``database_unavailable`` the
client may retry; anything unexpected is a 500 with a request id to quote, never a trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from consultdesk.logs import request_id_var
from consultdesk.shared.errors import DomainError, Unauthorized

log = logging.getLogger("consultdesk.web")

_PYDANTIC_ZH = {
    "missing": "缺少必填字段",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "string_type": "须为文本",
    "json_invalid": "请求体不是合法的 JSON",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "extra_forbidden": "不允许的字段",
    "model_attributes_type": "须为 JSON 对象",
    "dict_type": "须为 JSON 对象",
    "list_type": "须为列表",
    "string_pattern_mismatch": "格式不正确",
    "value_error": "取值不正确",
    "datetime_parsing": "须为 ISO 8601 时间",
    "date_parsing": "须为 YYYY-MM-DD 日期",
    "decimal_parsing": "须为数字",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, Unauthorized) and _wants_html(request):
        return RedirectResponse("/login", status_code=303)
    return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    loc = [
        str(p)
        for p in first.get("loc", ())
        if p not in ("body", "query", "path", "header", "cookie")
    ]
    field = ".".join(loc) or "body"
    kind = str(first.get("type", "value_error"))
    message = f"{field}: {_PYDANTIC_ZH.get(kind, '取值不正确')}"
    ctx = first.get("ctx") or {}
    if "max_length" in ctx:
        message += f"（最多 {ctx['max_length']} 个字符）"
    if "min_length" in ctx:
        message += f"（至少 {ctx['min_length']} 个字符）"
    return JSONResponse(error_body("validation_error", message, field), status_code=422)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    messages = {404: "资源不存在", 405: "不支持该请求方法", 401: "请先登录", 403: "无权访问"}
    return JSONResponse(
        error_body(f"http_{exc.status_code}", messages.get(exc.status_code, str(exc.detail)), None),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", exc_info=exc)
    rid = request_id_var.get() or "-"
    return JSONResponse(
        error_body("internal_error", f"系统繁忙，请稍后再试（请求编号 {rid}）"), status_code=500
    )


# Seconds a client is told to wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER_S = 5


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached (refused, shutting down,
    connection lost), as opposed to a bug or a constraint: the former is a 503."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def on_database_error(request: Request, exc: Exception) -> Response:
    """503 while the database is unreachable: the unit of work rolled back, so nothing
    of the request was written, and the pool's pre-ping reconnects once it is back."""
    assert isinstance(exc, DBAPIError)
    if not is_database_unavailable(exc):
        return await on_unexpected(request, exc)
    rid = request_id_var.get() or "-"
    log.warning(
        "database unavailable",
        extra={"path": request.url.path, "error": type(exc.orig).__name__ if exc.orig else "-"},
    )
    return JSONResponse(
        error_body(
            "database_unavailable",
            f"数据库暂时不可用，请稍后重试（请求编号 {rid}）"
            " / The database is temporarily unavailable, please retry.",
        ),
        status_code=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
