"""Cold chain: regulators entitle, recall and release; operators book lots, record EPCIS events and split;
inspectors and the supervised warehouse attach the five certificates; anyone traces a lot and proves a
reading (what a QR code opens)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from gzchain.api.deps import Certifier, ColdChainOperator, Regulator, RuntimeDep, holding
from gzchain.api.idempotency import run_once
from gzchain.api.schemas.coldchain import (
    EPCIS_EXAMPLE,
    AnchoringPublic,
    BatchCreate,
    BatchCreatedPublic,
    CertificateAttachedPublic,
    CertificateCreate,
    DecisionCreate,
    DecisionPublic,
    EntitlementChangePublic,
    EntitlementCreate,
    EntitlementPublic,
    EventCreate,
    SplitCreate,
)
from gzchain.api.schemas.common import PROBLEM_RESPONSES
from gzchain.domain.coldchain import CertificateKind, TemperatureWindow

router = APIRouter(prefix="/coldchain", tags=["cold chain"], responses=PROBLEM_RESPONSES)
Batch = Annotated[
    str, Path(min_length=1, max_length=300, description="batch id (0x…), lot URI or lot number")
]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="retry-safe POST key")]
EpcisDocument = Annotated[
    dict[str, Any],
    Body(
        examples=[EPCIS_EXAMPLE],
        description="an EPCIS 2.0 JSON-LD EPCISDocument; each event names its lots by class (quantityList)",
    ),
]

_ENCODERS = {
    bytes: lambda value: "0x" + value.hex(),
    datetime: lambda value: value.isoformat(),
    Decimal: str,
    Enum: lambda value: value.name.lower(),
}


def _public(value: Any) -> Any:
    """`value` as JSON values, as `jsonable_encoder(value, custom_encoder=_ENCODERS)` gives them, except that
    an EPCIS extension key starting with "_sa" is kept (jsonable_encoder drops those, a SQLAlchemy guard).

    A trace is thousands of small dataclasses, which jsonable_encoder deep-copies (dataclasses.asdict)
    before walking them again; this walks the types a trace is made of once (plain JSON values are taken
    as they are without a call) and leaves any other type to jsonable_encoder.
    """
    kind = type(value)
    if kind in _JSON_SCALARS:
        return value
    if kind is list or kind is tuple:
        return [item if type(item) in _JSON_SCALARS else _public(item) for item in value]
    if kind is dict:
        return {
            key if type(key) is str else _public(key): item if type(item) in _JSON_SCALARS else _public(item)
            for key, item in value.items()
        }
    names = _field_names(kind)
    if names is not None:
        return {name: _public(getattr(value, name)) for name in names}
    encode = _ENCODERS.get(kind)
    if encode is not None:
        return encode(value)
    return jsonable_encoder(value, custom_encoder=_ENCODERS)


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})  # exact types: an IntEnum is no plain int


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names in order (the keys dataclasses.asdict gives), or None for other types."""
    return tuple(field.name for field in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


@router.get(
    "/batches/{batch}/trace",
    summary="A lot's whole story: origin, custody, certificates, events, temperatures, recall (public)",
    response_model=dict[str, Any],
)
def trace(batch: Batch, runtime: RuntimeDep) -> JSONResponse:
    found = runtime.coldchain().trace(batch)
    # Already JSON values: returned as a response, FastAPI does not walk the whole trace once more.
    return JSONResponse(
        {
            **_public(found),
            "status": _public(found.status),
            "cleared": found.cleared,
            "window": _public(found.window),
            "verified": found.verified,
            "problems": list(found.problems),
        }
    )


@router.get(
    "/batches/{batch}/events/{event_hash}/readings/{index}/proof",
    summary="A Merkle proof that one sensor reading belongs to the set anchored on chain (public)",
)
def reading_proof(
    batch: Batch,
    event_hash: Annotated[str, Path(min_length=1, max_length=120)],
    index: Annotated[int, Path(ge=0, le=1_000_000)],
    runtime: RuntimeDep,
) -> dict[str, Any]:
    return _public(runtime.coldchain().reading_proof(batch, event_hash, index))


# ---- regulators ----


@router.post(
    "/entitlements",
    status_code=201,
    summary="Set exactly which certificates an agency may attach (regulators)",
    response_model=EntitlementChangePublic,
)
def entitle(
    body: EntitlementCreate, runtime: RuntimeDep, agency: Regulator, idempotency_key: IdempotencyKey = None
):
    service = runtime.coldchain()
    kinds = [CertificateKind.parse(kind) for kind in body.kinds]
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"entitle": body},
        lambda: EntitlementChangePublic.of_change(service.entitle(agency.id, body.agency, kinds)),
    )


@router.get("/entitlements/{agency}", summary="Which certificates an agency may attach (public)")
def entitlements(
    agency: Annotated[str, Path(min_length=1, max_length=64, description="agency id or 0x address")],
    runtime: RuntimeDep,
) -> EntitlementPublic:
    member = runtime.consortium().member(agency)  # 404 for an agency outside the consortium
    return EntitlementPublic.of(member.address, runtime.coldchain().entitlements(member.address))


@router.post(
    "/batches/{batch}/recall",
    status_code=201,
    summary="Recall a batch and every lot split from it (regulators)",
    response_model=DecisionPublic,
)
def recall(
    batch: Batch,
    body: DecisionCreate,
    runtime: RuntimeDep,
    agency: Regulator,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.coldchain()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"recall": batch, **body.model_dump()},
        lambda: DecisionPublic.of(service.recall(agency.id, batch, body.reason)),
    )


@router.post(
    "/batches/{batch}/release",
    status_code=201,
    summary="Release a batch flagged for a temperature breach, for sale again (regulators)",
    response_model=DecisionPublic,
)
def release(
    batch: Batch,
    body: DecisionCreate,
    runtime: RuntimeDep,
    agency: Regulator,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.coldchain()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"release": batch, **body.model_dump()},
        lambda: DecisionPublic.of(service.release(agency.id, batch, body.reason)),
    )


# ---- operators ----


@router.post(
    "/batches",
    status_code=201,
    summary="Book an imported batch; the operator becomes its custodian (cold-chain operators)",
    response_model=BatchCreatedPublic,
)
def create_batch(
    body: BatchCreate, runtime: RuntimeDep, agency: ColdChainOperator, idempotency_key: IdempotencyKey = None
):
    service = runtime.coldchain()
    window = TemperatureWindow.from_celsius(body.min_celsius, body.max_celsius)
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        body,
        lambda: BatchCreatedPublic.of(
            service.create(
                agency.id,
                gtin=body.gtin,
                lot=body.lot,
                quantity=body.quantity,
                unit=body.unit,
                origin=body.origin,
                window=window,
            ),
            window,
        ),
    )


@router.post(
    "/batches/{batch}/events",
    status_code=201,
    summary="Record one EPCIS 2.0 event of a lot, with readings, and anchor it (its custodian; "
    "receiving: the named recipient)",
    response_model=AnchoringPublic,
)
def record_event(
    batch: Batch,
    body: EventCreate,
    runtime: RuntimeDep,
    agency: ColdChainOperator,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.coldchain()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"event": batch, **body.model_dump(mode="json")},
        lambda: AnchoringPublic.of(
            service.record_event(
                agency.id,
                batch,
                body.biz_step,
                location=body.location,
                time=body.time,
                readings=body.reading_pairs(),
                device=body.device,
                recipient=body.recipient,
                disposition=body.disposition,
            )
        ),
    )


@router.post(
    "/batches/{batch}/splits",
    status_code=201,
    summary="Split a batch into child lots that add up to it (its custodian)",
    response_model=AnchoringPublic,
)
def split(
    batch: Batch,
    body: SplitCreate,
    runtime: RuntimeDep,
    agency: ColdChainOperator,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.coldchain()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"split": batch, **body.model_dump(mode="json")},
        lambda: AnchoringPublic.of(
            service.split(
                agency.id,
                batch,
                body.child_pairs(),
                location=body.location,
                time=body.time,
                biz_step=body.biz_step,
            )
        ),
    )


@router.post(
    "/documents",
    status_code=201,
    summary="Anchor every event of an EPCIS 2.0 document in one transaction: all or none "
    "(cold-chain operators)",
    response_model=AnchoringPublic,
)
def ingest(
    document: EpcisDocument,
    runtime: RuntimeDep,
    agency: ColdChainOperator,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.coldchain()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"document": document},
        lambda: AnchoringPublic.of(service.ingest(agency.id, document)),
    )


# ---- certifiers ----


@router.post(
    "/batches/{batch}/certificates",
    status_code=201,
    summary="Attach one of the five certificates; its SHA-256 goes on chain (the agency entitled to it: "
    "inspectors for customs, quarantine and tests, the supervised warehouse for the rest)",
    response_model=CertificateAttachedPublic,
)
def certify(
    batch: Batch,
    body: CertificateCreate,
    runtime: RuntimeDep,
    agency: Certifier,
    idempotency_key: IdempotencyKey = None,
):
    kind = body.certificate_kind()
    holding(runtime, agency, kind.role)
    service = runtime.coldchain()
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"certify": batch, **body.model_dump()},
        lambda: CertificateAttachedPublic.of(service.certify(agency.id, batch, kind, body.content())),
    )
