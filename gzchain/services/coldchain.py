"""Cold-chain traceability use cases: book batches, attach certificates, anchor EPCIS events, split, recall,
release, and trace a lot from the port to the shelf.

Every write validates its whole input first (an EPCIS document: every event), stages what the store keeps
(lots, full events, raw readings) as pending, then sends one transaction (a document's events go in one
`multicall`, so the chain takes all of them or none) and confirms the staged rows once the chain has accepted
it (gzchain.services.outbox): a refused transaction stores nothing, and a crash in between leaves pending
rows that recovery settles by the chain's word. Every read takes the chain's word and checks the store
against it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from gzchain.chain.gateway import ChainGateway
from gzchain.chain.keys import KeyRing
from gzchain.chain.transactions import Receipt
from gzchain.domain.coldchain import (
    SPLIT_FORBIDDEN_STEPS,
    CertificateKind,
    EventAnchor,
    Lot,
    ReadingProof,
    ReadingRecord,
    TemperatureWindow,
    Trace,
    anchor_for,
    biz_step_code,
    event_hash_bytes,
    raw_temperature_reports,
    reading_records,
    unit_bytes,
    unit_text,
    validate_country,
    validate_quantity,
    validate_reason,
    validate_split,
)
from gzchain.domain.epcis import (
    EpcisEvent,
    QuantityElement,
    event_hash,
    parse_document,
    parse_event,
)
from gzchain.domain.epcis.limits import DEFAULT_LIMITS, DocumentLimits, check_document, check_event
from gzchain.domain.epcis.timestamps import check_moment
from gzchain.domain.epcis.validate import STANDARD_CONTEXT
from gzchain.domain.errors import ContractReverted, InvalidInput, NotFound
from gzchain.domain.reasons import ReasonAction, SaltedReason, salt_reason
from gzchain.services.coldchain_trace import (
    CHINA_STANDARD_TIME,
    ZERO_ADDRESS,
    ColdChainReader,
    hex_id,
    short_id,
)
from gzchain.services.consortium import ConsortiumService
from gzchain.services.outbox import AnchoredRows, Outbox, Recovery, Stage
from gzchain.store.coldchain import ColdChainEventRow, ColdChainLotRow, ColdChainReadingRow
from gzchain.store.db import Store
from gzchain.store.reasons import ReasonTextRow, reason_row

# A document is one transaction; at ~150k gas per anchor this keeps it well inside a 30M-gas block.
MAX_DOCUMENT_ANCHORS = 100
# Dispositions an event recorded through `record_event` carries unless told otherwise (CBV 2.0).
_DEFAULT_DISPOSITIONS = {
    "shipping": "in_transit",
    "transporting": "in_transit",
    "receiving": "in_progress",
    "storing": "sellable_not_accessible",
    "retail_selling": "retail_sold",
    "destroying": "destroyed",
}
_ACTIONS = {"commissioning": "ADD", "destroying": "DELETE", "decommissioning": "DELETE"}


def reading_rows(
    readings: Sequence[ReadingRecord], reports: Sequence[dict[str, Any]], **columns: Any
) -> list[dict[str, Any]]:
    """The store's row of each temperature reading of one event, in position order, each also holding
    `columns`: what ingest writes and reindex rebuilds."""
    return [
        {
            "position": position,
            "start_ms": reading.start_ms,
            "end_ms": reading.end_ms,
            "device": reading.device,
            "low_tenths": reading.low_tenths,
            "high_tenths": reading.high_tenths,
            "value": reading.value,
            "report": report,
            **columns,
        }
        for position, (reading, report) in enumerate(zip(readings, reports, strict=True))
    ]


@dataclass(frozen=True)
class BatchCreated:
    lot: Lot
    receipt: Receipt

    @property
    def batch_id(self) -> bytes:
        return self.lot.batch_id


@dataclass(frozen=True)
class CertificateAttached:
    batch_id: bytes
    kind: CertificateKind
    document_hash: bytes
    cleared: bool  # this certificate was the fifth
    receipt: Receipt


@dataclass(frozen=True)
class Entitlement:
    agency: str
    kinds: tuple[CertificateKind, ...]
    receipt: Receipt


@dataclass(frozen=True)
class RegulatorDecision:
    batch_id: bytes
    decision: str  # "recalled" or "released"
    reason: SaltedReason  # the code and hash went on chain, the words and salt to the store
    receipt: Receipt


@dataclass(frozen=True)
class AnchoredItem:
    """One event anchored for one lot."""

    lot: str
    batch_id: bytes
    event_hash: bytes
    biz_step: str | None
    path: str  # the event's place in its document, e.g. eventList[2]
    recipient: str | None = None
    children: tuple[str, ...] = ()  # lots a split created


@dataclass(frozen=True)
class Anchoring:
    """What one transaction anchored, and what the chain concluded from it."""

    items: tuple[AnchoredItem, ...]
    flagged: tuple[tuple[str, int, int], ...]  # (lot, min tenths, max tenths) of each breach
    receipt: Receipt


@dataclass(frozen=True)
class _LotInfo:
    lot: Lot
    batch_id: bytes
    gtin: str
    quantity: int
    unit: str


@dataclass(frozen=True)
class _Op:
    """One contract call planned for one event and one lot."""

    path: str
    lot: Lot
    event: EpcisEvent
    anchor: EventAnchor
    readings: tuple[ReadingRecord, ...]
    function: str
    args: tuple[Any, ...]
    recipient: str | None = None
    children: tuple[tuple[Lot, int], ...] = ()


class ColdChainService:
    def __init__(
        self,
        gateway: ChainGateway,
        keys: KeyRing,
        store: Store,
        consortium: ConsortiumService,
        address: str,
        from_block: int = 0,
        limits: DocumentLimits = DEFAULT_LIMITS,
    ) -> None:
        self.gateway = gateway
        self.limits = limits
        self.keys = keys
        self.store = store
        self.consortium = consortium
        self.contract = gateway.contract("ColdChainTrace", address)
        self._members: dict[str, tuple[str, str]] = {}
        self.reader = ColdChainReader(gateway, self.contract, store, self._member, from_block)
        self.outbox = Outbox(
            gateway,
            store,
            "coldchain",
            tuple(
                AnchoredRows(model)
                for model in (ColdChainLotRow, ColdChainEventRow, ColdChainReadingRow, ReasonTextRow)
            ),
        )

    def recover(self) -> Recovery:
        """Settle the writes a crash left pending: confirmed if the chain has them, else removed."""
        return self.outbox.settle_all(final=True)

    # ---- regulator (REGULATOR) ----

    def entitle(self, as_agency: str, agency: str, kinds: Iterable[CertificateKind]) -> Entitlement:
        """Set exactly which certificates `agency` may attach (none withdraws them all)."""
        kinds = tuple(sorted(set(kinds)))
        account = self.consortium.resolve(agency)
        fn = self.contract.functions.setEntitlements(account, CertificateKind.mask(kinds))
        return Entitlement(account, kinds, self.gateway.transact(fn, self.keys.signer(as_agency)))

    def entitlements(self, agency: str) -> tuple[CertificateKind, ...]:
        mask = self.gateway.call(self.contract.functions.entitlementsOf(self.consortium.resolve(agency)))
        return CertificateKind.from_mask(mask)

    def recall(self, as_agency: str, batch: str | bytes, code: int | str, reason: str) -> RegulatorDecision:
        """Recall a batch and every lot split from it, for a RecallReason `code`, in `reason`'s words (kept
        in the store; the chain gets the code and their salted hash); they then accept only destruction or
        return."""
        return self._decide(ReasonAction.RECALL, "recalled", as_agency, batch, code, reason)

    def release(self, as_agency: str, batch: str | bytes, code: int | str, reason: str) -> RegulatorDecision:
        """Release a flagged batch (and the lots split from it) for sale again, for a ReleaseReason `code`."""
        return self._decide(ReasonAction.RELEASE, "released", as_agency, batch, code, reason)

    def _decide(
        self,
        action: ReasonAction,
        decision: str,
        as_agency: str,
        batch: str | bytes,
        code: int | str,
        reason: str,
    ) -> RegulatorDecision:
        salted = salt_reason(action, code, validate_reason(reason))
        batch_id = self.resolve_batch(batch)
        signer = self.keys.signer(as_agency)
        fn = getattr(self.contract.functions, action.value)(batch_id, int(salted.code), salted.digest)

        def stage(session: Session, tx_hash: str) -> None:
            session.add(reason_row(salted, signer.address, tx_hash))

        receipt = self.outbox.send(fn, signer, f"the {action.value} of {hex_id(batch_id)}", stage)
        return RegulatorDecision(batch_id, decision, salted, receipt)

    # ---- operators (COLDCHAIN_OPERATOR) ----

    def create(
        self,
        as_agency: str,
        *,
        gtin: str,
        lot: str,
        quantity: int | str | Decimal,
        unit: str,
        origin: str,
        window: TemperatureWindow,
    ) -> BatchCreated:
        """Book an imported batch: a GS1 lot with its quantity, origin and allowed temperature window."""
        booked = Lot.of(gtin, lot)
        amount = validate_quantity(quantity)
        country = validate_country(origin)
        fn = self.contract.functions.createBatch(
            booked.batch_id,
            int(booked.gtin),
            amount,
            unit_bytes(unit),
            country.encode("ascii"),
            window.min_tenths,
            window.max_tenths,
        )

        def stage(session: Session, tx_hash: str) -> None:
            session.add(
                ColdChainLotRow(
                    batch_id=hex_id(booked.batch_id),
                    lot_uri=booked.uri,
                    gtin=booked.gtin,
                    lot_number=booked.number,
                    parent_id=None,
                    tx_hash=tx_hash,
                    block_number=None,
                )
            )

        signer = self.keys.signer(as_agency)
        receipt = self.outbox.send(fn, signer, f"batch {booked.number}", stage)
        return BatchCreated(booked, receipt)

    def certify(
        self, as_agency: str, batch: str | bytes, kind: CertificateKind, document: bytes
    ) -> CertificateAttached:
        """Attach one of the five certificates: the document's SHA-256 goes on chain, never its content."""
        batch_id = self.resolve_batch(batch)
        if not document:
            raise InvalidInput("is empty; there is no certificate to attach", field="document")
        digest = hashlib.sha256(document).digest()
        fn = self.contract.functions.certify(batch_id, int(kind), digest)
        receipt = self.gateway.transact(fn, self.keys.signer(as_agency))
        cleared = bool(self.gateway.events(self.contract, "ColdChainBatchCleared", receipt))
        return CertificateAttached(batch_id, kind, digest, cleared, receipt)

    def record_event(
        self,
        as_agency: str,
        batch: str | bytes,
        biz_step: str,
        *,
        location: str,
        time: datetime | None = None,
        readings: Sequence[tuple[datetime, Decimal | str | float]] = (),
        device: str | None = None,
        recipient: str | None = None,
        disposition: str | None = None,
    ) -> Anchoring:
        """Write one EPCIS 2.0 ObjectEvent for a lot and anchor it.

        `readings` are (time, °C) pairs from one sensor, `device` its URI; a shipping event names the
        next custodian (`recipient`, an agency id or address), who then records the receiving event.
        """
        info = self._known_lot(batch)
        biz_step_code(biz_step)
        moment = _aware(time or datetime.now(CHINA_STANDARD_TIME), "time")
        raw: dict[str, Any] = {
            "type": "ObjectEvent",
            "eventTime": moment.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": _offset(moment),
            "action": _ACTIONS.get(biz_step, "OBSERVE"),
            "bizStep": biz_step,
            "readPoint": {"id": location},
            "quantityList": [{"epcClass": info.lot.uri, "quantity": info.quantity, "uom": info.unit}],
        }
        if disposition or biz_step in _DEFAULT_DISPOSITIONS:
            raw["disposition"] = disposition or _DEFAULT_DISPOSITIONS[biz_step]
        if biz_step == "shipping":
            if recipient is None:
                raise InvalidInput("a shipping event names the next custodian", field="recipient")
            raw["sourceList"] = [{"type": "possessing_party", "source": self._party_uri(as_agency)}]
            raw["destinationList"] = [{"type": "possessing_party", "destination": self._party_uri(recipient)}]
        elif recipient is not None:
            raise InvalidInput("only a shipping event names a next custodian", field="recipient")
        if readings:
            raw["sensorElementList"] = [_sensor_element(readings, device)]
        check_event(raw, self.limits)
        context = [STANDARD_CONTEXT]
        return self._anchor_all(as_agency, [parse_event(raw, 0, context=context)], context)

    def split(
        self,
        as_agency: str,
        batch: str | bytes,
        children: Sequence[tuple[str, int | str | Decimal]],
        *,
        location: str,
        time: datetime | None = None,
        biz_step: str = "repackaging",
    ) -> Anchoring:
        """Split a batch into child lots (an EPCIS TransformationEvent); `children` are (lot, quantity), a lot
        as a lot number of the same GTIN or a lot URI."""
        parent = self._known_lot(batch)
        moment = _aware(time or datetime.now(CHINA_STANDARD_TIME), "time")
        outputs = []
        for index, (lot, quantity) in enumerate(children):
            child = Lot.parse(lot, f"children[{index}].lot") if ":" in lot else Lot.of(parent.gtin, lot)
            amount = validate_quantity(quantity, f"children[{index}].quantity")
            outputs.append({"epcClass": child.uri, "quantity": amount, "uom": parent.unit})
        raw = {
            "type": "TransformationEvent",
            "eventTime": moment.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": _offset(moment),
            "bizStep": biz_step,
            "readPoint": {"id": location},
            "inputQuantityList": [
                {"epcClass": parent.lot.uri, "quantity": parent.quantity, "uom": parent.unit}
            ],
            "outputQuantityList": outputs,
        }
        context = [STANDARD_CONTEXT]
        return self._anchor_all(as_agency, [parse_event(raw, 0, context=context)], context)

    def ingest(self, as_agency: str, document: bytes | str | Mapping[str, Any]) -> Anchoring:
        """Anchor every event of an EPCIS 2.0 JSON(-LD) document in one transaction: all or none.

        Each event names its lots by class (quantityList; childQuantityList; a TransformationEvent's input
        and output lists split a lot); a shipping event names the next custodian in its destinationList as
        a possessing_party identified by the member's domain (https://logistics.lingnan.example.cn).
        """
        # Counted and measured before anything else: a document of 300,000 events is refused by its count
        # in milliseconds, not after every event has been parsed (and, from the API, before the copy below).
        if isinstance(document, Mapping):
            check_document(document, self.limits)
        data = _json_document(document)
        if not isinstance(document, Mapping):
            check_document(data, self.limits)
        return self.anchor_document(as_agency, data, parse_document(data))

    def anchor_document(
        self, as_agency: str, document: Mapping[str, Any], events: Sequence[EpcisEvent]
    ) -> Anchoring:
        """`ingest` for a document already bounded (`check_document`) and parsed into `events` (the EPCIS
        capture interface checks it against the JSON Schema first, and answers a bad document before
        anything is planned)."""
        if not events:
            raise InvalidInput("the document has no events", field="epcisBody.eventList")
        return self._anchor_all(as_agency, events, document["@context"])

    # ---- anchoring ----

    def _anchor_all(self, as_agency: str, events: Sequence[EpcisEvent], context: object) -> Anchoring:
        planner = _Planner(self)
        ops = [op for index, event in enumerate(events) for op in planner.plan(event, index)]
        if len(ops) > MAX_DOCUMENT_ANCHORS:
            raise InvalidInput(
                f"anchors {len(ops)} event-lot pairs; one document is one transaction of at most "
                f"{MAX_DOCUMENT_ANCHORS}: send it in parts",
                field="epcisBody.eventList",
            )
        signer = self.keys.signer(as_agency)

        def stage(session: Session, tx_hash: str) -> None:
            # Core bulk inserts (one executemany per table): a document may carry 100,000 readings, and
            # the ORM's bulk path still handles each row in Python, which costs more than the chain
            # transaction that anchors them.
            for model, rows in self._rows(ops, context, signer.address, tx_hash).items():
                if rows:
                    session.execute(model.__table__.insert(), rows)

        receipt = self._execute(ops, signer, stage)
        flagged = tuple(
            (self._label_of(ops, e["batchId"]), e["minTenths"], e["maxTenths"])
            for e in self.gateway.events(self.contract, "ColdChainBatchFlagged", receipt)
        )
        items = tuple(
            AnchoredItem(
                lot=op.lot.number,
                batch_id=op.lot.batch_id,
                event_hash=op.anchor.event_hash,
                biz_step=op.event.biz_step,
                path=op.path,
                recipient=op.recipient,
                children=tuple(child.number for child, _ in op.children),
            )
            for op in ops
        )
        return Anchoring(items, flagged, receipt)

    def _execute(self, ops: Sequence[_Op], signer: Any, stage: Stage) -> Receipt:
        functions = self.contract.functions
        purpose = f"{len(ops)} anchored event(s)"
        if len(ops) == 1:
            fn = getattr(functions, ops[0].function)(*ops[0].args)
            return self.outbox.send(fn, signer, purpose, stage)
        calls = [self.contract.encode_abi(op.function, args=list(op.args)) for op in ops]
        try:
            return self.outbox.send(functions.multicall(calls), signer, purpose, stage)
        except ContractReverted as exc:
            raise self._with_failing_event(exc, ops, calls, signer.address) from None

    def _with_failing_event(
        self, exc: ContractReverted, ops: Sequence[_Op], calls: list[str], sender: str
    ) -> ContractReverted:
        """The refusal, naming the first event the chain refuses (found by dry runs of growing prefixes)."""
        for count in range(1, len(calls) + 1):
            try:
                self.gateway.call(self.contract.functions.multicall(calls[:count]), sender)
            except ContractReverted as refused:
                return ContractReverted(
                    refused.error_name,
                    {**refused.args_by_name, "event": ops[count - 1].path},
                    raw=refused.raw,
                )
        return exc

    def _rows(
        self, ops: Sequence[_Op], context: object, agency: str, tx_hash: str
    ) -> dict[Any, list[dict[str, Any]]]:
        """The rows an anchoring stores, by model, waiting on its transaction (tx_hash) to be mined."""
        proof = {"tx_hash": tx_hash}  # no block nor index yet: the rows are pending until it is mined
        lots: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        readings: list[dict[str, Any]] = []
        for op in ops:
            batch_id = hex_id(op.lot.batch_id)
            event_hash_hex = hex_id(op.anchor.event_hash)
            for child, _ in op.children:
                lots.append(
                    {
                        "batch_id": hex_id(child.batch_id),
                        "lot_uri": child.uri,
                        "gtin": child.gtin,
                        "lot_number": child.number,
                        "parent_id": batch_id,
                        **proof,
                    }
                )
            events.append(
                {
                    "batch_id": batch_id,
                    "event_hash": event_hash_hex,
                    "event": dict(op.event.raw),
                    "context": context,
                    "biz_step": op.event.biz_step,
                    "event_time_ms": op.anchor.event_time_ms,
                    "agency": agency,
                    **proof,
                }
            )
            readings += reading_rows(
                op.readings,
                raw_temperature_reports(op.event),
                batch_id=batch_id,
                event_hash=event_hash_hex,
                **proof,
            )
        return {ColdChainLotRow: lots, ColdChainEventRow: events, ColdChainReadingRow: readings}

    @staticmethod
    def _label_of(ops: Sequence[_Op], batch_id: bytes) -> str:
        for op in ops:
            if op.lot.batch_id == batch_id:
                return op.lot.number
            for child, _ in op.children:
                if child.batch_id == batch_id:
                    return child.number
        return short_id(batch_id)

    # ---- looking lots up ----

    def resolve_batch(self, batch: str | bytes) -> bytes:
        """A batch id from the id (32 bytes, or 0x and 64 hex digits), a lot URI, or a stored lot number."""
        if isinstance(batch, bytes):
            if len(batch) != 32:
                raise InvalidInput("a batch id is 32 bytes", field="batch")
            return batch
        text = batch.strip()
        if text.startswith("0x") and len(text) == 66:
            try:
                return bytes.fromhex(text[2:])
            except ValueError:
                raise InvalidInput("is not a batch id: 0x and 64 hex digits", field="batch") from None
        if ":" in text:
            return Lot.parse(text, "batch").batch_id
        return self.reader.stored_lot_by_number(text).batch_id

    def _known_lot(self, batch: str | bytes) -> _LotInfo:
        """A lot this store can write EPCIS events for: its URI must be known to name it in them."""
        batch_id = self.resolve_batch(batch)
        lot = (
            Lot.parse(batch)
            if isinstance(batch, str) and ":" in batch
            else self.reader.stored_lots([batch_id]).get(batch_id)
        )
        if lot is None:
            raise NotFound(
                f"this store does not know which lot batch {hex_id(batch_id)} is; give its lot URI"
            )
        on_chain = self.reader.batch(batch_id)
        return _LotInfo(lot, batch_id, lot.gtin, on_chain.quantity, unit_text(on_chain.unit))

    # ---- agencies ----

    def _member(self, address: str) -> tuple[str, str]:
        """(name, domain) of a consortium member, or the address twice for anyone else."""
        if address not in self._members:
            try:
                member = self.consortium.member(address)
                self._members[address] = (member.name, member.domain)
            except NotFound:
                return address, address
        return self._members[address]

    def _party_uri(self, agency: str) -> str:
        """How EPCIS events name an agency as a party: its consortium domain as an https URI."""
        return f"https://{self._member(self.consortium.resolve(agency))[1]}"

    def _party(self, uri: str, field: str) -> str:
        parts = urlsplit(uri)
        host = parts.hostname if parts.scheme in ("http", "https") else None
        account = ZERO_ADDRESS
        if host:
            account = self.gateway.call(self.consortium.contract.functions.memberByDomain(host))
        if account == ZERO_ADDRESS:
            raise InvalidInput(
                f"{uri!r} is not a consortium member: name the next custodian by its domain, "
                "e.g. https://logistics.lingnan.example.cn",
                field=field,
            )
        return account

    # ---- public reads ----

    def trace(self, batch: str | bytes) -> Trace:
        """A lot's whole story, from the chain, with the store's copy of every event checked against it."""
        self.outbox.settle_all()  # rows whose transaction was mined since a crash are confirmed first
        return self.reader.trace(self.resolve_batch(batch))

    def reading_proof(self, batch: str | bytes, event: str | bytes, index: int) -> ReadingProof:
        """A Merkle proof that the stored reading `index` of an event is one of those anchored with it,
        checked here and by the contract's `verifyReading`."""
        return self.reader.reading_proof(self.resolve_batch(batch), _event_hash_of(event), index)


class _Planner:
    """Turns EPCIS events into contract calls, checking each against what is booked so far (on chain, or
    created by an earlier event of the same document)."""

    def __init__(self, service: ColdChainService) -> None:
        self.service = service
        self.planned: dict[bytes, _LotInfo] = {}
        # Lots read from the chain while planning: nothing is sent before the plan is done, so one read
        # per lot serves every event of the document that names it.
        self.booked: dict[bytes, _LotInfo] = {}
        self.seen: set[tuple[bytes, bytes]] = set()

    def plan(self, event: EpcisEvent, index: int) -> list[_Op]:
        path = f"eventList[{index}]"
        hash_id = event_hash(event)
        readings = reading_records(event, path)
        anchor = anchor_for(event, hash_id, path, readings)
        if event.type == "TransformationEvent":
            return [self._split(event, path, anchor, readings)]
        field, elements = self._quantity_elements(event)
        recipient = self._recipient(event, path) if event.biz_step == "shipping" else None
        ops = []
        for lot in self._lots(elements, f"{path}.{field}"):
            info = self._info(lot, f"{path}.{field}")
            self._once(info.batch_id, anchor.event_hash, path)
            if recipient is not None:
                function, args = "ship", (info.batch_id, anchor.as_abi(), recipient)
            else:
                function, args = "anchorEvent", (info.batch_id, anchor.as_abi())
            ops.append(_Op(path, lot, event, anchor, readings, function, args, recipient))
        return ops

    @staticmethod
    def _quantity_elements(event: EpcisEvent) -> tuple[str, tuple[QuantityElement, ...]]:
        if event.type in ("AggregationEvent", "AssociationEvent"):
            return "childQuantityList", event.child_quantity_list
        return "quantityList", event.quantity_list

    @staticmethod
    def _lots(elements: Sequence[QuantityElement], path: str) -> list[Lot]:
        lots: list[Lot] = []
        for j, element in enumerate(elements):
            lot = Lot.parse(element.epc_class, f"{path}[{j}].epcClass")
            if lot not in lots:
                lots.append(lot)
        if not lots:
            raise InvalidInput(
                "names no lot: list the batch's lot as an epcClass, e.g. "
                '{"epcClass": "https://id.gs1.org/01/07891234000019/10/BR2405", '
                '"quantity": 8000, "uom": "KGM"}',
                field=path,
            )
        return lots

    def _info(self, lot: Lot, path: str) -> _LotInfo:
        if lot.batch_id in self.planned:
            return self.planned[lot.batch_id]
        if lot.batch_id not in self.booked:
            on_chain = self.service.reader.batch_or_none(lot.batch_id)
            if on_chain is None:
                raise InvalidInput(f"no batch is booked for lot {lot.uri}", field=path)
            self.booked[lot.batch_id] = _LotInfo(
                lot, lot.batch_id, lot.gtin, on_chain.quantity, unit_text(on_chain.unit)
            )
        return self.booked[lot.batch_id]

    def _once(self, batch_id: bytes, event_hash_: bytes, path: str) -> None:
        if (batch_id, event_hash_) in self.seen:
            raise InvalidInput("the same event for the same lot is listed twice", field=path)
        self.seen.add((batch_id, event_hash_))

    def _recipient(self, event: EpcisEvent, path: str) -> str:
        parties = [(j, d) for j, d in enumerate(event.destinations) if d.type == "possessing_party"]
        if len(parties) != 1:
            raise InvalidInput(
                "a shipping event names the next custodian: one destinationList entry of type "
                "possessing_party, e.g. https://logistics.lingnan.example.cn",
                field=f"{path}.destinationList",
            )
        j, party = parties[0]
        return self.service._party(party.identifier, f"{path}.destinationList[{j}].destination")

    def _split(
        self, event: EpcisEvent, path: str, anchor: EventAnchor, readings: tuple[ReadingRecord, ...]
    ) -> _Op:
        if event.biz_step in SPLIT_FORBIDDEN_STEPS:
            raise InvalidInput(
                f"a split cannot be a {event.biz_step} event (e.g. use repackaging)", field=f"{path}.bizStep"
            )
        if len(event.input_quantity_list) != 1 or event.input_epc_list:
            raise InvalidInput("a split names exactly one input lot", field=f"{path}.inputQuantityList")
        source = event.input_quantity_list[0]
        parent = self._info(Lot.parse(source.epc_class, f"{path}.inputQuantityList[0].epcClass"), path)
        if source.quantity is not None and (source.quantity != parent.quantity or source.uom != parent.unit):
            raise InvalidInput(
                f"the input is {source.quantity} {source.uom or ''}, "
                f"the batch holds {parent.quantity} {parent.unit}",
                field=f"{path}.inputQuantityList[0].quantity",
            )
        if event.output_epc_list or not event.output_quantity_list:
            raise InvalidInput(
                "a split lists its child lots with quantities", field=f"{path}.outputQuantityList"
            )
        children: list[tuple[Lot, int]] = []
        for j, output in enumerate(event.output_quantity_list):
            where = f"{path}.outputQuantityList[{j}]"
            child = Lot.parse(output.epc_class, f"{where}.epcClass")
            if child.gtin != parent.gtin:
                raise InvalidInput(
                    f"a child lot keeps the batch's GTIN {parent.gtin}", field=f"{where}.epcClass"
                )
            if (
                child.batch_id in self.planned
                or self.service.reader.batch_or_none(child.batch_id) is not None
            ):
                raise InvalidInput(f"lot {child.uri} is booked already", field=f"{where}.epcClass")
            if output.uom != parent.unit:
                raise InvalidInput(f"must be the batch's unit {parent.unit}", field=f"{where}.uom")
            children.append((child, validate_quantity(output.quantity, f"{where}.quantity")))
        try:
            validate_split(parent.quantity, [quantity for _, quantity in children], parent.unit)
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, field=f"{path}.outputQuantityList") from None
        self._once(parent.batch_id, anchor.event_hash, path)
        for child, quantity in children:
            self.planned[child.batch_id] = _LotInfo(child, child.batch_id, child.gtin, quantity, parent.unit)
        args = (
            parent.batch_id,
            anchor.as_abi(),
            [child.batch_id for child, _ in children],
            [quantity for _, quantity in children],
        )
        return _Op(path, parent.lot, event, anchor, readings, "split", args, children=tuple(children))


# ---- small helpers ----


def _json_document(document: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """The document as plain JSON values: what the store can keep and the hash was computed from."""
    try:
        if isinstance(document, bytes):
            data = json.loads(document.decode("utf-8"))
        elif isinstance(document, str):
            data = json.loads(document)
        else:
            data = json.loads(json.dumps(document))
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        raise InvalidInput(f"is not a UTF-8 JSON document: {exc}", field="document") from None
    if not isinstance(data, dict):
        raise InvalidInput("an EPCIS document is a JSON object", field="document")
    return data


def _sensor_element(readings: Sequence[tuple[datetime, Decimal | str | float]], device: str | None) -> dict:
    reports = []
    for index, (moment, celsius) in enumerate(readings):
        value = Decimal(str(celsius))
        if not value.is_finite():
            raise InvalidInput(f"{celsius!r} is not a temperature", field=f"readings[{index}]")
        reports.append(
            {
                "type": "Temperature",
                "time": _aware(moment, f"readings[{index}].time").isoformat(timespec="milliseconds"),
                "value": float(value),
                "uom": "CEL",
            }
        )
    element: dict[str, Any] = {"sensorReport": reports}
    if device:
        element["sensorMetadata"] = {"deviceID": device}
    return element


def _aware(moment: datetime, field: str) -> datetime:
    return check_moment(moment, field=field)


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _event_hash_of(event: str | bytes) -> bytes:
    if isinstance(event, bytes):
        return event
    text = event.strip()
    if text.startswith("ni:"):
        return event_hash_bytes(text)
    try:
        digest = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        digest = b""
    if len(digest) != 32:
        raise InvalidInput("must be an event hash: ni:///sha-256;…, or 0x and 64 hex digits", field="event")
    return digest
