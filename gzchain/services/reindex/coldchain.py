"""The cold-chain tables as the chain's events say they should be.

Lots: every batch the contract created (booked, or split off a parent); which GS1 lot a batch id stands for
is not on chain, so it comes from the store (a lot row, or any stored event naming the lot), checked by
hashing the lot URI back to the batch id. Events: every anchor, with the EPCIS event the store holds whose
CBV 2.0 hash is the anchored one. Readings: recomputed from those events.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzchain.domain.coldchain import Lot, event_hash_bytes, raw_temperature_reports, reading_records
from gzchain.domain.epcis import event_hash, parse_event
from gzchain.domain.errors import InvalidInput
from gzchain.services.coldchain import ColdChainService, reading_rows
from gzchain.services.coldchain_trace import ZERO_HASH, hex_id
from gzchain.services.reindex.engine import Item, TablePlan, chain_logs
from gzchain.store.coldchain import ColdChainEventRow, ColdChainLotRow, ColdChainReadingRow

_READING_PAYLOAD = ("start_ms", "end_ms", "device", "low_tenths", "high_tenths", "value", "report")


def coldchain_plans(
    service: ColdChainService, session: Session, in_flight: Collection[str]
) -> list[TablePlan]:
    logs = chain_logs(service.gateway, [service.contract], service.reader.from_block)
    events = _stored_events(session)
    lots, events_plan, readings_plan = (
        _lots(session, logs, events, in_flight),
        *_events_and_readings(session, logs, events, in_flight),
    )
    return [lots, events_plan, readings_plan]


def _stored_events(session: Session) -> dict[str, tuple[dict[str, Any], Any]]:
    """Every stored EPCIS event whose hash recomputes, by that hash: (event, @context)."""
    found: dict[str, tuple[dict[str, Any], Any]] = {}
    for row in session.scalars(select(ColdChainEventRow)):
        try:
            digest = _event_digest(row.event, row.context)
        except InvalidInput:
            continue
        found.setdefault(digest, (row.event, row.context))
    return found


def _lots(
    session: Session,
    logs: list[Any],
    events: dict[str, tuple[dict[str, Any], Any]],
    in_flight: Collection[str],
) -> TablePlan:
    plan = TablePlan(
        "cold-chain lots",
        ColdChainLotRow,
        key_of=lambda row: row.batch_id,
        payload_columns=("lot_uri", "lot_number"),
    )
    known: dict[str, Lot] = {}
    for row in session.scalars(select(ColdChainLotRow)):
        if row.block_number is None and row.tx_hash in in_flight:
            plan.leave[row.batch_id] = ("pending", f"waits on tx {row.tx_hash}, still in flight")
        lot = _lot(row.lot_uri)
        if lot is not None and hex_id(lot.batch_id) == row.batch_id:
            known[row.batch_id] = lot
    for event, _ in events.values():
        for uri in _epc_classes(event):
            lot = _lot(uri)
            if lot is not None:
                known.setdefault(hex_id(lot.batch_id), lot)
    for name, args, position, _ in logs:
        if name != "ColdChainBatchCreated":
            continue
        batch_id = hex_id(args["batchId"])
        lot = known.get(batch_id)
        parent = None if args["parentId"] == ZERO_HASH else hex_id(args["parentId"])
        plan.items.append(
            Item(
                key=batch_id,
                label=f"batch {lot.number if lot else batch_id}",
                index={
                    "batch_id": batch_id,
                    "gtin": f"{args['gtin']:014d}",
                    "parent_id": parent,
                    **position.columns(),
                },
                payload=None if lot is None else {"lot_uri": lot.uri, "lot_number": lot.number},
                payload_ok=lambda row, batch_id=batch_id: _lot_of(row) == batch_id,
            )
        )
    return plan


def _events_and_readings(
    session: Session,
    logs: list[Any],
    events: dict[str, tuple[dict[str, Any], Any]],
    in_flight: Collection[str],
) -> tuple[TablePlan, TablePlan]:
    event_plan = TablePlan(
        "cold-chain events",
        ColdChainEventRow,
        key_of=lambda row: (row.batch_id, row.event_hash),
        payload_columns=("event", "context", "biz_step"),
    )
    reading_plan = TablePlan(
        "cold-chain readings",
        ColdChainReadingRow,
        key_of=lambda row: (row.batch_id, row.event_hash, row.position),
        payload_columns=_READING_PAYLOAD,
    )
    for model, plan in ((ColdChainEventRow, event_plan), (ColdChainReadingRow, reading_plan)):
        for row in session.scalars(select(model).where(model.block_number.is_(None))):
            if row.tx_hash in in_flight:
                plan.leave[plan.key_of(row)] = ("pending", f"waits on tx {row.tx_hash}, still in flight")
    for name, args, position, _ in logs:
        if name != "ColdChainEventAnchored":
            continue
        batch_id, digest = hex_id(args["batchId"]), hex_id(args["eventHash"])
        stored = events.get(digest)
        payload = None
        readings: list[tuple[int, dict[str, Any]]] = []
        parsed = _parsed(stored)
        if stored is not None and parsed is not None:
            event, context = stored
            payload = {"event": event, "context": context, "biz_step": parsed.biz_step}
            for values in reading_rows(reading_records(parsed), raw_temperature_reports(parsed)):
                readings.append((values.pop("position"), values))
        event_plan.items.append(
            Item(
                key=(batch_id, digest),
                label=f"event {digest} of batch {batch_id}",
                index={
                    "batch_id": batch_id,
                    "event_hash": digest,
                    "event_time_ms": int(args["eventTimeMs"]),
                    "agency": args["custodian"],
                    **position.columns(),
                },
                payload=payload,
                payload_ok=lambda row, digest=digest, payload=payload: _event_ok(row, digest, payload),
            )
        )
        for number, values in readings:
            reading_plan.items.append(
                Item(
                    key=(batch_id, digest, number),
                    label=f"reading {number} of event {digest} of batch {batch_id}",
                    index={
                        "batch_id": batch_id,
                        "event_hash": digest,
                        "position": number,
                        **position.columns(),
                    },
                    payload=values,
                    payload_ok=lambda row, values=values: all(
                        getattr(row, column) == value for column, value in values.items()
                    ),
                )
            )
    return event_plan, reading_plan


def _parsed(stored: tuple[dict[str, Any], Any] | None) -> Any:
    if stored is None:
        return None
    try:
        return parse_event(stored[0], 0, context=stored[1])
    except InvalidInput:
        return None


def _event_ok(row: ColdChainEventRow, digest: str, payload: dict[str, Any] | None) -> bool:
    try:
        recomputed = _event_digest(row.event, row.context)
    except InvalidInput:
        return False
    return recomputed == digest and (payload is None or row.biz_step == payload["biz_step"])


def _event_digest(event: Any, context: Any) -> str:
    return hex_id(event_hash_bytes(event_hash(event, context=context)))


def _epc_classes(value: Any) -> Iterator[str]:
    """Every epcClass a stored event names, in any of its quantity lists."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "epcClass" and isinstance(inner, str):
                yield inner
            else:
                yield from _epc_classes(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _epc_classes(inner)


def _lot(uri: str) -> Lot | None:
    try:
        return Lot.parse(uri)
    except InvalidInput:
        return None


def _lot_of(row: ColdChainLotRow) -> str | None:
    lot = _lot(row.lot_uri)
    if lot is None or lot.number != row.lot_number:
        return None
    return hex_id(lot.batch_id)
