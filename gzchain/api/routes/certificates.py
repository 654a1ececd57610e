"""Electronic certificates: issuing agencies issue, anchor and revoke; anyone lists templates and batches,
verifies a certificate and withholds fields of one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query

from gzchain.api.deps import CertIssuer, RuntimeDep
from gzchain.api.idempotency import run_once
from gzchain.api.schemas.certificates import (
    WRAPPED_EXAMPLE,
    AnchorCreate,
    AnchoredBatchPublic,
    BatchList,
    BatchPublic,
    IssueCreate,
    IssuedBatchPublic,
    ObfuscateCreate,
    RevocationCreate,
    RevocationPublic,
    StorePublic,
    TemplateList,
    TemplatePublic,
    VerificationPublic,
)
from gzchain.api.schemas.common import PROBLEM_RESPONSES, TxProof
from gzchain.domain.certificates.revocation import parse_hash
from gzchain.domain.errors import Conflict, InvalidInput
from gzchain.services.certificates.templates import builtin_templates
from gzchain.services.certificates.wallet import withhold

router = APIRouter(prefix="/certificates", tags=["certificates"], responses=PROBLEM_RESPONSES)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="retry-safe POST key")]
# Any JSON, so that a body that is no object is refused by the service's own check, naming the field.
WrappedDocumentBody = Annotated[Any, Body()]
_WRAPPED_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "an OpenAttestation v2 wrapped document"},
                "examples": {"graduation": {"summary": "a graduation certificate", "value": WRAPPED_EXAMPLE}},
            }
        },
    }
}


@router.get("/templates", summary="The certificate templates and the fields their records need (public)")
def templates() -> TemplateList:
    return TemplateList(templates=[TemplatePublic.of(t) for t in builtin_templates().values()])


@router.post(
    "/stores",
    status_code=201,
    summary="Create the agency's document store through the factory, one per agency (certificate issuers)",
    response_model=StorePublic,
)
def create_store(runtime: RuntimeDep, agency: CertIssuer, idempotency_key: IdempotencyKey = None):
    service = runtime.certificates()

    def create() -> StorePublic:
        created = service.create_store(agency.id)
        if created.receipt is None:
            raise Conflict(f"{agency.id} already issues from document store {created.address}")
        return StorePublic(address=created.address, proof=TxProof.of(created.receipt))

    return run_once(runtime.store, agency.id, idempotency_key, {"create_store": agency.id}, create)


@router.post(
    "/batches",
    status_code=201,
    summary="Issue a batch from a template and records: every record checked, all wrapped, one root "
    "anchored in one transaction; the wrapped certificates come back (certificate issuers)",
    response_model=IssuedBatchPublic,
)
def issue(body: IssueCreate, runtime: RuntimeDep, agency: CertIssuer, idempotency_key: IdempotencyKey = None):
    template = builtin_templates().get(body.template)
    if template is None:
        known = ", ".join(builtin_templates())
        raise InvalidInput(f"no template {body.template!r}; known: {known}", field="template")
    service = runtime.certificates()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        body,
        # Wrapped in this process: a bounded batch takes seconds, less than starting worker processes.
        lambda: IssuedBatchPublic.of(service.issue_records(agency.id, template, body.records, workers=1)),
    )


@router.post(
    "/anchors",
    status_code=201,
    summary="Issue on the agency's store the root of certificates wrapped by other OpenAttestation tools "
    "(certificate issuers)",
    response_model=AnchoredBatchPublic,
)
def anchor(
    body: AnchorCreate, runtime: RuntimeDep, agency: CertIssuer, idempotency_key: IdempotencyKey = None
):
    service = runtime.certificates()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        body,
        lambda: AnchoredBatchPublic.of(service.anchor(agency.id, body.documents)),
    )


@router.get("/batches", summary="The batches issued through this gzchain, newest first (public)")
def batches(
    runtime: RuntimeDep,
    agency: Annotated[
        str | None, Query(min_length=1, max_length=64, description="only this agency's (id or 0x address)")
    ] = None,
) -> BatchList:
    return BatchList(batches=[BatchPublic.of(b) for b in runtime.certificates().batches(agency)])


@router.post(
    "/revocations",
    status_code=201,
    summary="Revoke a certificate, or its whole batch, with a reason (the issuing agency, on its own store)",
    response_model=RevocationPublic,
)
def revoke(
    body: RevocationCreate, runtime: RuntimeDep, agency: CertIssuer, idempotency_key: IdempotencyKey = None
):
    if (body.document is None) == (body.target_hash is None):
        raise InvalidInput(
            "give either the certificate (document) or its hash, not both", field="target_hash"
        )
    if body.whole_batch and body.document is None:
        raise InvalidInput("revoking a whole batch needs the certificate (document)", field="whole_batch")
    service = runtime.certificates()
    reason = body.revocation_reason()
    if body.document is not None:
        document = body.document

        def write() -> RevocationPublic:
            return RevocationPublic.of(
                service.revoke_document(
                    agency.id, document, reason, body.reason, whole_batch=body.whole_batch
                )
            )
    else:
        revoked = parse_hash(body.target_hash or "", "target_hash")

        def write() -> RevocationPublic:
            return RevocationPublic.of(service.revoke_hash(agency.id, revoked, reason, body.reason))

    return run_once(runtime.store, agency.id, idempotency_key, body, write)


@router.post(
    "/verify",
    summary="Verify a certificate: integrity, status, issuer identity, validity period; what it shows and "
    "what it withholds (public). Not valid is an answer (200), not an error",
    openapi_extra=_WRAPPED_DOCUMENT_BODY,
)
def verify(runtime: RuntimeDep, document: WrappedDocumentBody = None) -> VerificationPublic:
    return VerificationPublic.of(runtime.certificates().report(document))


@router.post(
    "/obfuscate",
    summary="Withhold chosen fields of a certificate; the result still verifies (public; nothing is kept)",
)
def obfuscate(body: ObfuscateCreate) -> dict[str, Any]:
    return withhold(body.document, body.fields)
