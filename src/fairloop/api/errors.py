"""Every error leaves as ``{"error": {"code", "message", "field"}}``; no traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from fairloop.api.headers import HEADERS
from fairloop.domain.specs import field_path
from fairloop.errors import FairloopError

log = logging.getLogger("fairloop")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None


class ErrorBody(BaseModel):
    error: ErrorDetail


API_ERRORS: dict[int | str, dict[str, object]] = {
    "default": {"model": ErrorBody, "description": "an error: what went wrong, and where"}
}
"""Declared on every API route, so the OpenAPI document tells the truth about errors."""


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "field": field}}


PageErrorRenderer = Callable[[Request, FairloopError], Response]


def is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz"


def install_error_handlers(app: FastAPI, *, render_page_error: PageErrorRenderer) -> None:
    """JSON errors for the API; pages get ``render_page_error`` (an HTML page)."""

    @app.exception_handler(FairloopError)
    async def _fairloop(request: Request, exc: FairloopError) -> Response:
        if not is_api(request):
            return render_page_error(request, exc)
        return JSONResponse(exc.as_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if p not in ("body", "query", "path", "header"))
        field = field_path(loc) or None
        message = err["msg"] if field is None else f"{field}: {err['msg']}"
        return JSONResponse(error_body("invalid", message, field), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # Starlette answers this from its outermost layer, outside SecurityHeaders, so
        # the headers are added here.
        return JSONResponse(
            error_body("internal", "something went wrong on our side"),
            status_code=500,
            headers={name.decode(): value.decode() for name, value in HEADERS},
        )
