"""One mapping from gzchain errors to HTTP: RFC 9457 problem+json bodies, never a stack trace."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gzchain.domain.errors import (
    ChainUnavailable,
    Conflict,
    ContractReverted,
    GzchainError,
    InvalidInput,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from gzchain.domain.roles import Role
from gzchain.store.db import StoreUnavailable

PROBLEM = "application/problem+json"
log = logging.getLogger("gzchain.api")

_STATUS: list[tuple[type[GzchainError], int, str]] = [
    (LimitExceeded, 413, "Content too large"),
    (InvalidInput, 422, "Invalid input"),
    (NotFound, 404, "Not found"),
    (PermissionDenied, 403, "Forbidden"),
    (Conflict, 409, "Conflict"),
    (ChainUnavailable, 503, "Chain unavailable"),
    (StoreUnavailable, 503, "Store unavailable"),
]
# Custom errors that mean "you may not", not "the state does not allow it".
_ACCESS_ERRORS = re.compile(
    r"(MissingRole|MemberNotActive|NotTheNotary|NotAllowed|NotOwner|NotIssuer|NotTheIssuer|NotCustodian|"
    r"NotRecipient|NotEntitled)$"
)
# Custom errors that mean "there is no such thing".
_MISSING_ERRORS = re.compile(
    r"(Unknown(Batch|Event|Business|Notarisation|Proposal|RulesChange)|NotAMember|^PetitionUnknown)$"
)
_COMPONENTS = (
    "BusinessRegistry",
    "ColdChainTrace",
    "ColdChain",
    "DocumentStoreFactory",
    "DocumentStore",
    "Consortium",
    "Petition",
)


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def rule_in_words(error_name: str) -> tuple[str, str]:
    """`ConsortiumMissingRole` → ("Consortium", "missing role")."""
    component = next((c for c in _COMPONENTS if error_name.startswith(c)), "")
    rule = error_name[len(component) :] or error_name
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", rule).lower()
    return component or "contract", words


def _argument(value: Any) -> Any:
    if isinstance(value, bytes):
        if len(value) == 32:
            try:
                return Role.from_id(value).value
            except InvalidInput:
                pass
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_argument(v) for v in value]
    return value


def reverted_problem(exc: ContractReverted, actor: str | None = None) -> JSONResponse:
    """`actor` is the acting agency's address: a role another account lacks (an agency a regulator tries to
    entitle, say) is a conflict with the recorded state, not a refusal of the actor."""
    component, rule = rule_in_words(exc.error_name)
    status = 409
    account = exc.args_by_name.get("account")
    if _ACCESS_ERRORS.search(exc.error_name) and (actor is None or account in (None, actor)):
        status = 403
    elif _MISSING_ERRORS.search(exc.error_name):
        status = 404
    arguments = {k: _argument(v) for k, v in exc.args_by_name.items()}
    shown = ", ".join(f"{k}={v}" for k, v in arguments.items())
    return problem(
        status,
        f"Refused by {component}: {rule}",
        f"the {component} contract refused the transaction: {rule} ({shown})",
        error=exc.error_name,
        arguments=arguments,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ContractReverted)
    async def _reverted(request: Request, exc: ContractReverted) -> JSONResponse:
        agency_id = getattr(request.state, "agency_id", None)
        actor = request.app.state.runtime.keys.address(agency_id) if agency_id else None
        return reverted_problem(exc, actor)

    @app.exception_handler(TooManyRequests)
    async def _too_many(_: Request, exc: TooManyRequests) -> JSONResponse:
        response = problem(429, "Too Many Requests", str(exc), limit=exc.limit, max=exc.maximum)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(GzchainError)
    async def _gzchain(_: Request, exc: GzchainError) -> JSONResponse:
        for kind, status, title in _STATUS:
            if isinstance(exc, kind):
                extra: dict[str, Any] = (
                    {"field": exc.field} if isinstance(exc, InvalidInput) and exc.field else {}
                )
                if isinstance(exc, LimitExceeded):
                    extra.update(limit=exc.limit, maximum=exc.maximum)
                detail = exc.reason if isinstance(exc, InvalidInput) else str(exc)
                return problem(status, title, detail, **extra)
        log.error("unmapped gzchain error %s", type(exc).__name__)
        return problem(500, "Internal error", "the server could not complete the request")

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_invalid(e) for e in exc.errors()]
        first = errors[0] if errors else {"field": "", "reason": "invalid request"}
        return problem(
            422, "Invalid input", f"{first['field']}: {first['reason']}", field=first["field"], errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, _title(exc.status_code), str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error: %s", type(exc).__name__)
        return problem(500, "Internal error", "the server could not complete the request")


def _invalid(error: Any) -> dict[str, str]:
    """One validation error as field and reason; a body that is no JSON at all is the body's fault."""
    if error["type"] == "json_invalid":
        position = error["loc"][-1]
        return {"field": "body", "reason": f"not valid JSON (at character {position})"}
    return {"field": ".".join(str(p) for p in error["loc"] if p != "body") or "body", "reason": error["msg"]}


def _title(status: int) -> str:
    return {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}.get(
        status, "Error"
    )
