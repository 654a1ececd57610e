"""GS1 EPCIS 2.0 REST binding: capture jobs, event queries, per-EPC events; epcisException errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from gzchain.api.deps import ColdChainOperator, CurrentAgency, RuntimeDep
from gzchain.api.errors import PROBLEM, reverted_problem
from gzchain.api.idempotency import run_once
from gzchain.api.schemas.coldchain import EPCIS_EXAMPLE
from gzchain.domain.epcis.schema import SchemaMissing
from gzchain.domain.errors import (
    ChainUnavailable,
    ContractReverted,
    GzchainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from gzchain.services.epcis_interface import (
    ALL_ROLES,
    CAPTURE_LIMIT,
    CaptureJob,
    CaptureLimitExceeded,
    EpcisInterface,
    event_query,
    per_page,
    query_document,
)
from gzchain.store.db import StoreUnavailable

EPCIS_VERSION, CBV_VERSION = "2.0.0", "2.0.0"
CAPTURE_FILE_SIZE_LIMIT = 16 * 1024 * 1024  # octets of one capture document
_VERSIONED = {"GS1-EPCIS-Version": EPCIS_VERSION, "GS1-CBV-Version": CBV_VERSION}


def _problem(status: int, kind: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": f"epcisException:{kind}", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=_VERSIONED)


def describe(exc: GzchainError) -> dict[str, Any]:
    """An error as the problem body a capture job lists (and the binding's exception type)."""
    if isinstance(exc, ContractReverted):
        body = json.loads(reverted_problem(exc).body)
        kind = "SecurityException" if body["status"] == 403 else "ValidationException"
        return {**body, "type": f"epcisException:{kind}"}
    if isinstance(exc, PermissionDenied):
        return {
            "type": "epcisException:SecurityException",
            "title": "Forbidden",
            "status": 403,
            "detail": str(exc),
        }
    if isinstance(exc, NotFound):
        return {
            "type": "epcisException:NoSuchResourceException",
            "title": "Not found",
            "status": 404,
            "detail": str(exc),
        }
    field = {"field": exc.field} if isinstance(exc, InvalidInput) and exc.field else {}
    detail = exc.reason if isinstance(exc, InvalidInput) else str(exc)
    return {
        "type": "epcisException:ValidationException",
        "title": "Invalid",
        "status": 400,
        "detail": detail,
        **field,
    }


class EpcisRoute(APIRoute):
    """Every answer carries the versions; every error is an epcisException problem (binding §12)."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()
        is_query = "GET" in self.methods

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
            except StarletteHTTPException as exc:
                if exc.status_code in (401, 403):
                    response = _problem(
                        exc.status_code, "SecurityException", "Unauthorised request", str(exc.detail)
                    )
                    for key, value in (exc.headers or {}).items():
                        response.headers[key] = value
                    return response
                return _problem(exc.status_code, "ImplementationException", "Error", str(exc.detail))
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
                field = ".".join(str(p) for p in first["loc"] if p not in ("query", "header", "path", "body"))
                kind = "QueryParameterException" if is_query else "ValidationException"
                return _problem(400, kind, "Invalid request", f"{field}: {first['msg']}", field=field)
            except CaptureLimitExceeded as exc:
                too_large = _problem(
                    413,
                    "CaptureLimitExceededException",
                    "Capture payload too large",
                    exc.reason,
                    field=exc.field,
                )
                too_large.headers.update(_limits())
                return too_large
            except InvalidInput as exc:
                kind = "QueryParameterException" if is_query else "ValidationException"
                return _problem(400, kind, "Invalid request", exc.reason, field=exc.field)
            except PermissionDenied as exc:
                return _problem(403, "SecurityException", "Access to resource forbidden", str(exc))
            except NotFound as exc:
                return _problem(404, "NoSuchResourceException", "Resource not found", str(exc))
            except (ChainUnavailable, StoreUnavailable, SchemaMissing) as exc:
                return _problem(503, "ImplementationException", "Service unavailable", str(exc))
            for key, value in _VERSIONED.items():
                response.headers.setdefault(key, value)
            return response

        return run


router = APIRouter(prefix="/epcis", tags=["EPCIS 2.0"], route_class=EpcisRoute)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="retry-safe POST key")]
PerPage = Annotated[str | None, Query(alias="perPage", max_length=8, description="events per page, 1-1000")]
PageToken = Annotated[str | None, Query(alias="nextPageToken", max_length=400)]
Piped = Annotated[str | None, Query(max_length=4000, description="alternatives separated by |")]


def _service(runtime: Any) -> EpcisInterface:
    return EpcisInterface(runtime.coldchain(), runtime.store, runtime.gateway, describe)


def _job_public(job: CaptureJob) -> dict[str, Any]:
    return {
        "captureID": job.capture_id,
        "createdAt": job.created_at.isoformat(),
        "finishedAt": job.finished_at.isoformat() if job.finished_at else None,
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": job.error_behaviour,
        "errors": job.errors,
        "eventIDs": job.event_ids,
    }


def _check_versions(epcis: str | None, cbv: str | None) -> None:
    for name, value in (("GS1-EPCIS-Version", epcis), ("GS1-CBV-Version", cbv)):
        if value is not None and not value.strip().startswith("2.0"):
            raise StarletteHTTPException(406, f"{name} {value!r}: this repository speaks 2.0.0 only")


def _limits() -> dict[str, str]:
    return {
        "GS1-EPCIS-Capture-Limit": str(CAPTURE_LIMIT),
        "GS1-EPCIS-Capture-File-Size-Limit": str(CAPTURE_FILE_SIZE_LIMIT),
        "GS1-Capture-Error-Behaviour": "rollback",
    }


@router.options("/capture", status_code=204, summary="The capture interface's settings (discovery)")
def capture_options() -> Response:
    return Response(status_code=204, headers={"Allow": "OPTIONS, POST, GET", **_VERSIONED, **_limits()})


@router.post(
    "/capture",
    status_code=202,
    summary="Capture an EPCIS 2.0 document: checked by GS1's JSON Schema, anchored in one transaction "
    "(cold-chain operators); the capture job is finished when this answers",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}, "example": EPCIS_EXAMPLE},
                "application/ld+json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def capture(
    request: Request,
    runtime: RuntimeDep,
    agency: ColdChainOperator,
    epcis_version: Annotated[str | None, Header(alias="GS1-EPCIS-Version", max_length=20)] = None,
    cbv_version: Annotated[str | None, Header(alias="GS1-CBV-Version", max_length=20)] = None,
    error_behaviour: Annotated[str | None, Header(alias="GS1-Capture-Error-Behaviour", max_length=20)] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    _check_versions(epcis_version, cbv_version)
    if error_behaviour not in (None, "rollback"):
        raise StarletteHTTPException(
            406, "GS1-Capture-Error-Behaviour: only rollback: a document is one all-or-nothing transaction"
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in ("application/json", "application/ld+json"):
        return _problem(
            415,
            "UnsupportedMediaTypeException",
            "Unsupported Media Type",
            "send the document as application/json or application/ld+json",
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > CAPTURE_FILE_SIZE_LIMIT:
            too_large = _problem(
                413,
                "CaptureLimitExceededException",
                "Capture payload too large",
                f"more than {CAPTURE_FILE_SIZE_LIMIT} octets",
            )
            too_large.headers.update(_limits())
            return too_large
    try:
        document = json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"not a UTF-8 JSON document: {exc}", field="document") from None
    service = _service(runtime)
    response = run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"epcis-capture": document},
        lambda: _job_public(service.capture(agency.id, document)),
        status_code=202,
    )
    response.headers["Location"] = f"/epcis/capture/{json.loads(response.body)['captureID']}"
    for key, value in _limits().items():
        response.headers[key] = value
    return response


@router.get("/capture", summary="The acting agency's capture jobs, oldest first")
def capture_jobs(
    request: Request,
    runtime: RuntimeDep,
    agency: CurrentAgency,
    perPage: PerPage = None,
    nextPageToken: PageToken = None,
) -> Response:
    page = _service(runtime).jobs(agency.id, nextPageToken, per_page(perPage))
    return _paged(request, [_job_public(job) for job in page.items], page.next_token)


@router.get("/capture/{captureID}", summary="One capture job of the acting agency")
def capture_job(
    captureID: Annotated[str, Path(max_length=64)], runtime: RuntimeDep, agency: CurrentAgency
) -> dict[str, Any]:
    return _job_public(_service(runtime).job(agency.id, captureID))


def _query_params(request: Request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items()}


def _paged(request: Request, content: Any, next_token: str | None) -> JSONResponse:
    response = JSONResponse(content)
    if next_token is not None:
        params = {k: v for k, v in request.query_params.items() if k != "nextPageToken"}
        params["nextPageToken"] = next_token
        response.headers["Link"] = f'<{request.url.path}?{urlencode(params)}>; rel="next"'
    return response


def _events(request: Request, runtime: Any, extra: dict | None = None) -> JSONResponse:
    params = _query_params(request)
    query = event_query(params, extra)
    page = _service(runtime).events(query, params.get("nextPageToken"), per_page(params.get("perPage")))
    return _paged(request, query_document(page.items), page.next_token)


@router.get("/events", summary="EPCIS SimpleEventQuery over every anchored event (public)")
def events(
    request: Request,
    runtime: RuntimeDep,
    eventType: Piped = None,
    GE_eventTime: Annotated[str | None, Query(max_length=40)] = None,
    LT_eventTime: Annotated[str | None, Query(max_length=40)] = None,
    GE_recordTime: Annotated[str | None, Query(max_length=40)] = None,
    LT_recordTime: Annotated[str | None, Query(max_length=40)] = None,
    EQ_action: Piped = None,
    EQ_bizStep: Piped = None,
    EQ_disposition: Piped = None,
    EQ_readPoint: Piped = None,
    EQ_bizLocation: Piped = None,
    MATCH_epc: Piped = None,
    MATCH_anyEPC: Piped = None,
    MATCH_parentID: Piped = None,
    MATCH_inputEPC: Piped = None,
    MATCH_outputEPC: Piped = None,
    MATCH_epcClass: Piped = None,
    MATCH_inputEPCClass: Piped = None,
    MATCH_outputEPCClass: Piped = None,
    perPage: PerPage = None,
    nextPageToken: PageToken = None,
) -> JSONResponse:
    return _events(request, runtime)


@router.get("/events/{eventID:path}", summary="One anchored event by its eventID or CBV 2.0 hash (public)")
def event(eventID: str, runtime: RuntimeDep) -> JSONResponse:
    return JSONResponse(query_document([_service(runtime).event(eventID)]))


@router.get("/epcs/{epc:path}/events", summary="Every anchored event naming an EPC or EPC class (public)")
def epc_events(
    epc: str,
    request: Request,
    runtime: RuntimeDep,
    eventType: Piped = None,
    GE_eventTime: Annotated[str | None, Query(max_length=40)] = None,
    LT_eventTime: Annotated[str | None, Query(max_length=40)] = None,
    EQ_bizStep: Piped = None,
    perPage: PerPage = None,
    nextPageToken: PageToken = None,
) -> JSONResponse:
    if not epc.strip() or len(epc) > 2000:
        raise InvalidInput("names no EPC", field="epc")
    return _events(request, runtime, {ALL_ROLES: (epc,)})
