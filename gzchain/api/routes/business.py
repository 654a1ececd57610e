"""Business registration: registrars write, notaries file, anyone looks up and verifies."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Request
from fastapi.concurrency import run_in_threadpool

from gzchain.api.deps import Notariser, Registrar, RuntimeDep
from gzchain.api.idempotency import run_once
from gzchain.api.schemas.business import (
    RECORD_EXAMPLE,
    BusinessPublic,
    ErasurePublic,
    FileVerificationPublic,
    FilingChangePublic,
    FilingCreate,
    RegistryChangePublic,
    RevocationCreate,
    StatusChange,
)
from gzchain.api.schemas.common import PROBLEM_RESPONSES
from gzchain.domain.errors import InvalidInput

router = APIRouter(tags=["businesses"], responses=PROBLEM_RESPONSES)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="retry-safe POST key")]
Uscc = Annotated[str, Path(min_length=1, max_length=32, description="Unified Social Credit Code")]
FileHash = Annotated[str, Path(min_length=1, max_length=80, description="SHA-256 of the file, 64 hex digits")]
RecordBody = Annotated[
    dict[str, Any], Body(examples=[RECORD_EXAMPLE], description="the full registration record")
]


@router.post(
    "/businesses",
    status_code=201,
    summary="Register a business (registrars)",
    response_model=RegistryChangePublic,
)
def register(
    record: RecordBody, runtime: RuntimeDep, agency: Registrar, idempotency_key: IdempotencyKey = None
):
    service = runtime.business()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        record,
        lambda: RegistryChangePublic.of(service.register(agency.id, record)),
    )


@router.post(
    "/businesses/{uscc}/amendments",
    status_code=201,
    summary="Amend a business's record: a new version (registrars)",
    response_model=RegistryChangePublic,
)
def amend(
    uscc: Uscc,
    record: RecordBody,
    runtime: RuntimeDep,
    agency: Registrar,
    idempotency_key: IdempotencyKey = None,
):
    if str(record.get("uscc", "")).strip().upper() != uscc.strip().upper():
        raise InvalidInput("must be the USCC in the path", field="uscc")
    service = runtime.business()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"amend": uscc, **record},
        lambda: RegistryChangePublic.of(service.amend(agency.id, record)),
    )


@router.post(
    "/businesses/{uscc}/status",
    status_code=201,
    summary="Suspend (abnormal operations), reinstate or deregister a business (registrars)",
    response_model=RegistryChangePublic,
)
def change_status(
    uscc: Uscc,
    body: StatusChange,
    runtime: RuntimeDep,
    agency: Registrar,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.business()
    action = {"suspend": service.suspend, "reinstate": service.reinstate, "deregister": service.deregister}[
        body.action
    ]
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"status": uscc, **body.model_dump()},
        lambda: RegistryChangePublic.of(action(agency.id, uscc, body.reason_code, body.reason)),
    )


@router.post(
    "/businesses/{uscc}/erasure",
    status_code=201,
    summary="Erase a deregistered business's personal data and its salts (registrars; PIPL art. 47)",
    response_model=ErasurePublic,
)
def erase_personal_data(uscc: Uscc, runtime: RuntimeDep, agency: Registrar):
    return ErasurePublic.of(runtime.business().erase_personal_data(agency.id, uscc))


@router.get(
    "/businesses/{uscc}",
    summary="Look a business up: record, history, filings, each checked against the chain (public)",
)
def lookup(uscc: Uscc, runtime: RuntimeDep) -> BusinessPublic:
    return BusinessPublic.of(runtime.business().lookup(uscc))


@router.post(
    "/filings",
    status_code=201,
    summary="Notarise a document for a business by its SHA-256 (notaries; registrars for what they issue)",
    response_model=FilingChangePublic,
)
def notarise(
    body: FilingCreate, runtime: RuntimeDep, agency: Notariser, idempotency_key: IdempotencyKey = None
):
    service = runtime.business()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        body,
        lambda: FilingChangePublic.of(
            service.notarise_hash(agency.id, body.uscc, body.file_hash, body.document_type)
        ),
    )


@router.post(
    "/filings/{file_hash}/revocation",
    status_code=201,
    summary="Revoke a notarisation with a reason (the agency that notarised it)",
    response_model=FilingChangePublic,
)
def revoke(
    file_hash: FileHash,
    body: RevocationCreate,
    runtime: RuntimeDep,
    agency: Notariser,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.business()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"revoke": file_hash, **body.model_dump()},
        lambda: FilingChangePublic.of(
            service.revoke_notarisation(agency.id, file_hash, body.reason_code, body.reason)
        ),
    )


@router.get(
    "/filings/{file_hash}", summary="Was a file with this SHA-256 notarised? By whom, when, revoked? (public)"
)
def verify_hash(file_hash: FileHash, runtime: RuntimeDep) -> FileVerificationPublic:
    return FileVerificationPublic.of(runtime.business().verify_file_hash(file_hash))


@router.post(
    "/filings/verify",
    summary="Was this file notarised? Send its bytes; only their hash is used, nothing is kept (public)",
    openapi_extra={
        "requestBody": {
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            "required": True,
        }
    },
)
async def verify_file(request: Request, runtime: RuntimeDep) -> FileVerificationPublic:
    # Hashed as it streams in, in constant memory; the limits middleware stops it past max_file_bytes.
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        digest.update(chunk)
        size += len(chunk)
    if not size:
        raise InvalidInput("is empty; there is nothing to notarise", field="file")
    verification = await run_in_threadpool(runtime.business().verify_file_hash, digest.digest())
    return FileVerificationPublic.of(verification)
