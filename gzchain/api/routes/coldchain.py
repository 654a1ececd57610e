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

from fastapi import APIRouter, Body, Header, Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from gzchain.api.deps import Certifier, ColdChainOperator, Regulator, RuntimeDep, TraceSlots, holding
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
from gzchain.api.schemas.common import PROBLEM_RESPONSES, ReasonPublic
from gzchain.domain.coldchain import CertificateKind, TemperatureWindow, TracedEvent
from gzchain.domain.errors import LimitExceeded
from gzchain.domain.reasons import StatedReason

router = APIRouter(prefix="/coldchain", tags=["cold chain"], responses=PROBLEM_RESPONSES)
Batch = Annotated[
    str,
    Path(
        min_length=1,
        max_length=300,
        description="batch id (0x…), lot number, or lot URI: a GS1 Digital Link URI's slashes as they are "
        "or percent-encoded",
    ),
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
    if kind is StatedReason:
        return ReasonPublic.of(value).model_dump()
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
    "/batches/{batch:path}/trace",
    summary="A lot's whole story: origin, custody, certificates, events, temperatures, recall (public)",
    response_model=dict[str, Any],
)
def trace(
    batch: Batch,
    runtime: RuntimeDep,
    slots: TraceSlots,
    readings_offset: Annotated[
        int, Query(ge=0, le=10_000_000, description="first temperature reading of the page")
    ] = 0,
    readings_limit: Annotated[
        int | None,
        Query(ge=1, description="readings in the page (default GZCHAIN_TRACE_READINGS_PAGE)"),
    ] = None,
) -> JSONResponse:
    settings = runtime.settings
    if readings_limit is not None and readings_limit > settings.trace_readings_max_page:
        raise LimitExceeded(
            f"asks for {readings_limit:,} readings in one page; at most "
            f"{settings.trace_readings_max_page:,} are served (GZCHAIN_TRACE_READINGS_MAX_PAGE)",
            field="readings_limit",
            limit="trace_readings_max_page",
            maximum=settings.trace_readings_max_page,
        )
    with slots:
        found = runtime.coldchain().trace(batch)
    limit = readings_limit or settings.trace_readings_page
    # A lot may carry a million readings: the trace serves one page of them (what a chart can show) and the
    # breaching ones first, so that its size is bounded whatever a custodian sent; the events leave their
    # sensor reports out for the same reason (each reading is served, and provable, page by page).
    page = found.temperatures[readings_offset : readings_offset + limit]
    breaches = [point for point in found.temperatures if not point.within]
    following = readings_offset + len(page)
    story = dataclasses.replace(
        found,
        temperatures=(),
        events=tuple(_without_reports(event) for event in found.events),
    )
    # Already JSON values: returned as a response, FastAPI does not walk the whole trace once more.
    return JSONResponse(
        {
            **_public(story),
            "temperatures": _public(page),
            "temperature_count": len(found.temperatures),
            "readings_offset": readings_offset,
            "readings_next": following if following < len(found.temperatures) else None,
            "breaches": _public(breaches[: settings.trace_max_breaches]),
            "breach_count": len(breaches),
            "status": _public(found.status),
            "cleared": found.cleared,
            "window": _public(found.window),
            "verified": found.verified,
            "problems": list(found.problems),
        }
    )


@router.get(
    "/batches/{batch:path}/status",
    summary="Whether a lot is on hold, recalled or cleared: what a pack's page shows first (public)",
    response_model=dict[str, Any],
)
def status(batch: Batch, runtime: RuntimeDep, slots: TraceSlots) -> JSONResponse:
    # A few hundred bytes whatever the lot carries: the portal shows a hold or recall from this alone, before
    # (and whether or not) the rest of the trace arrives and renders.
    with slots:
        found = runtime.coldchain().trace(batch)
    return JSONResponse(
        {
            "batch_id": _public(found.batch.batch_id),
            "lot": found.batch.label,
            "status": _public(found.status),
            "cleared": found.cleared,
            "recall": _public(found.recall),
            "recalled_lot": found.recalled_lot,
            "hold": _public(found.hold),
        }
    )


def _without_reports(event: TracedEvent) -> TracedEvent:
    """The event with its stored EPCIS event minus the sensor reports (the trace pages those)."""
    if event.event is None or "sensorElementList" not in event.event:
        return event
    stored = {key: value for key, value in event.event.items() if key != "sensorElementList"}
    return dataclasses.replace(event, event=stored)


@router.get(
    "/batches/{batch:path}/events/{event_hash}/readings/{index}/proof",
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
    "/batches/{batch:path}/recall",
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
        lambda: DecisionPublic.of(service.recall(agency.id, batch, body.reason_code, body.reason)),
    )


@router.post(
    "/batches/{batch:path}/release",
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
        lambda: DecisionPublic.of(service.release(agency.id, batch, body.reason_code, body.reason)),
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
    "/batches/{batch:path}/events",
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
    "/batches/{batch:path}/splits",
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
    "/batches/{batch:path}/certificates",
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
