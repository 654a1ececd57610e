"""Reading cold-chain lots back: the chain's word on a lot's story, with the store checked against it.

The chain answers what happened (batches, anchors, certificates, custody, recalls) and its event logs say in
which transaction and block; the store supplies the EPCIS events and readings those anchors were computed
from, and every one of them is compared with its anchor before it is shown as part of the story.

Two things are remembered between traces, both keyed so that they cannot go stale:
* the chain's answers (views and logs) per head block hash: state at a given block never changes, and any new
  block (or a snapshot revert) changes the hash;
* what a stored event's exact text hashes and parses to (its CBV 2.0 hash, its anchor, its readings), keyed
  by a SHA-256 of that text: a stored row altered in any way has another digest and is hashed and parsed
  afresh, so the trace still catches it on its next request.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta, timezone
from functools import cached_property
from typing import Any, Final, NamedTuple

from sqlalchemy import Text, cast, select
from web3.contract import Contract

from gzchain.chain.event_decoding import EventDecoder
from gzchain.chain.gateway import ChainGateway
from gzchain.chain.multicall import call_views
from gzchain.chain.per_gateway import PerGateway
from gzchain.domain.coldchain import (
    BatchFacts,
    BatchStatus,
    CertificateEntry,
    CertificateKind,
    CustodyStep,
    EventAnchor,
    Incident,
    Lot,
    LotNode,
    Proof,
    ReadingProof,
    ReadingRecord,
    TemperaturePoint,
    TemperatureWindow,
    Trace,
    TracedEvent,
    anchor_for,
    biz_step_word,
    celsius_text,
    from_millis,
    reading_records,
    unit_text,
)
from gzchain.domain.epcis import TemperatureRange, event_hash, parse_event
from gzchain.domain.errors import ContractReverted, InvalidInput, NotFound
from gzchain.domain.merkle import build_tree, verify
from gzchain.domain.reasons import ReasonAction
from gzchain.services.reasons import load_reason_texts, stated
from gzchain.store.coldchain import ColdChainEventRow, ColdChainLotRow, ColdChainReadingRow
from gzchain.store.db import Store
from gzchain.store.reasons import ReasonTextRow

CHINA_STANDARD_TIME = timezone(timedelta(hours=8))
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO_HASH = b"\x00" * 32
Head = tuple[int, bytes]  # a block's number and hash
MAX_REMEMBERED_EVENTS: Final = 20_000  # stored events whose check is kept; beyond that all are re-checked
MAX_REMEMBERED_ANSWERS: Final = 2_000  # lots' chain answers kept for the head; beyond that all are re-read

_REASON_EVENTS: Final = frozenset({"ColdChainBatchReleased", "ColdChainRecallOrdered"})


class OnChainBatch(NamedTuple):
    """IColdChainTrace.Batch, field for field."""

    parent_id: bytes
    custodian: str
    certificates: int
    split: bool
    destroyed: bool
    recalled: bool
    flagged: bool
    pending_custodian: str
    gtin: int
    unit: bytes
    quantity: int
    origin_country: bytes
    min_tenths: int
    max_tenths: int
    created_at: int

    @property
    def window(self) -> TemperatureWindow:
        return TemperatureWindow(self.min_tenths, self.max_tenths)


class OnChainEvent(NamedTuple):
    """IColdChainTrace.AnchoredEvent, field for field."""

    custodian: str
    event_time_ms: int
    biz_step: int
    min_tenths: int
    max_tenths: int
    reading_count: int
    location: bytes
    readings_root: bytes


class _Views(NamedTuple):
    """The contract's current state about a lot and its lineage that logs cannot answer: one multicall
    for the lot, one more for each ancestor."""

    lineage: list[tuple[bytes, OnChainBatch]]  # the lot first, up to its root
    status: dict[bytes, BatchStatus]
    custodians: dict[bytes, list[str]]
    children: list[bytes]
    certificates: list[Any]
    recall: Any
    hold: Any


@dataclass
class _Logs:
    """The contract's events about a set of batches, with the transaction and block of each."""

    created: dict[bytes, Proof]
    anchored: dict[tuple[bytes, bytes], Proof]
    # Each batch's anchored events in the order they were anchored, as the anchoring log states them
    # (the contract stores exactly what it logs and never changes an anchor after).
    events: dict[bytes, list[tuple[bytes, OnChainEvent]]]
    certified: dict[tuple[bytes, int], Proof]
    transfers: dict[bytes, list[tuple[str, bytes, Proof]]]
    recalls: dict[bytes, Proof]
    flags: dict[tuple[bytes, bytes], Proof]
    anchored_by: dict[tuple[bytes, bytes], str]
    incidents: list[tuple[int, int, Incident]]
    # The store's words for the recalls' and releases' reason hashes, read once per trace.
    reasons: Mapping[bytes, ReasonTextRow] = field(default_factory=dict)


class _LogEntry(NamedTuple):
    """One decoded log of the contract, where it sits in the chain."""

    block_number: int
    log_index: int
    name: str
    args: Any
    proof: Proof


class _StoredEvent(NamedTuple):
    """A stored event as a trace reads it: its JSON and @context as the stored text, not yet parsed."""

    event_text: str
    context_text: str
    agency: str
    tx_hash: str
    block_number: int | None


class _Expected(NamedTuple):
    """What a stored event's text hashes and parses to: the anchor the chain must hold for it, and a digest
    of its reading records (what the stored reading rows must equal); or why it cannot be read."""

    anchor: EventAnchor | None
    readings: bytes = b""
    invalid: str | None = None


_UNKNOWN: Final = object()


class TraceMemory:
    """What traces on one chain remember (see the module's docstring); shared by every request's reader."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._head: Head | None = None
        self._answers: dict[tuple[Any, ...], Any] = {}
        self._expected: dict[bytes, _Expected] = {}

    def recall(self, head: Head, key: tuple[Any, ...]) -> Any:
        """The answer kept for `key` at `head`, or _UNKNOWN."""
        with self._lock:
            return self._answers.get(key, _UNKNOWN) if self._head == head else _UNKNOWN

    def keep(self, head: Head, key: tuple[Any, ...], answer: Any) -> None:
        """Keep `answer` for `key` at `head` (a new head drops every answer of the one before)."""
        with self._lock:
            if self._head != head or len(self._answers) >= MAX_REMEMBERED_ANSWERS:
                self._head, self._answers = head, {}  # answers of older heads are never asked for again
            self._answers[key] = answer

    def expected(self, row: _StoredEvent) -> _Expected:
        """What the stored event's exact text hashes and parses to, worked out once per distinct text."""
        digest = hashlib.sha256(f"{row.event_text}\0{row.context_text}".encode()).digest()
        with self._lock:
            found = self._expected.get(digest)
        if found is None:
            found = _expected(row.event_text, row.context_text)
            with self._lock:
                if len(self._expected) >= MAX_REMEMBERED_EVENTS:
                    self._expected.clear()
                self._expected[digest] = found
        return found


# Shared by every reader on a gateway: services are built per request, this lasts.
memory_for: PerGateway[TraceMemory] = PerGateway(lambda _gateway: TraceMemory())


class ColdChainReader:
    """Reads batches, traces and reading proofs; `member` names an address: (name, domain)."""

    def __init__(
        self,
        gateway: ChainGateway,
        contract: Contract,
        store: Store,
        member: Callable[[str], tuple[str, str]],
        from_block: int = 0,
    ) -> None:
        self.gateway = gateway
        self.contract = contract
        self.store = store
        self.member = member
        self.from_block = from_block  # the contract's deployment block: no event of it is older
        self.memory = memory_for(gateway)

    # ---- batches and lots ----

    def batch(self, batch_id: bytes) -> OnChainBatch:
        try:
            return OnChainBatch(*self.gateway.call(self.contract.functions.batch(batch_id)))
        except ContractReverted as exc:
            if exc.error_name == "ColdChainUnknownBatch":
                raise NotFound(f"no batch {hex_id(batch_id)} is booked on chain") from None
            raise

    def batch_or_none(self, batch_id: bytes) -> OnChainBatch | None:
        try:
            return self.batch(batch_id)
        except NotFound:
            return None

    def stored_lots(self, batch_ids: Iterable[bytes]) -> dict[bytes, Lot]:
        """The GS1 lots this store knows the batch ids of."""
        keys = [hex_id(batch_id) for batch_id in batch_ids]
        if not keys:
            return {}
        with self.store.session() as session:
            rows = session.scalars(
                select(ColdChainLotRow).where(ColdChainLotRow.batch_id.in_(keys), _confirmed(ColdChainLotRow))
            ).all()
        # A lot's name is shown as the chain's: only a row whose GTIN and number hash back to its batch id
        # names it; an altered row is ignored and the lot is shown by its id.
        lots = {bytes.fromhex(row.batch_id[2:]): Lot(row.gtin, row.lot_number) for row in rows}
        return {batch_id: lot for batch_id, lot in lots.items() if lot.batch_id == batch_id}

    def stored_lot_by_number(self, number: str) -> Lot:
        with self.store.session() as session:
            rows = session.scalars(
                select(ColdChainLotRow).where(
                    ColdChainLotRow.lot_number == number, _confirmed(ColdChainLotRow)
                )
            ).all()
        if not rows:
            raise NotFound(f"no lot numbered {number!r} in this store; give the lot's GS1 Digital Link URI")
        if len(rows) > 1:
            raise InvalidInput(
                f"lot number {number!r} is used with several GTINs; give the lot URI", field="batch"
            )
        return Lot(rows[0].gtin, rows[0].lot_number)

    # ---- the story ----

    def trace(self, batch_id: bytes) -> Trace:
        """A lot's whole story, from the chain, with the store's copy of every event checked against it."""
        head = self._head()
        views = self._remembered(head, ("views", batch_id), lambda: self._views(batch_id))
        lineage_raw = views.lineage
        ids = [batch_id for batch_id, _ in lineage_raw]
        lots = self.stored_lots(ids)
        logs = self._logs(ids, head, lots)
        facts = {
            bid: self._facts(bid, raw, views.status[bid], lots.get(bid), logs.created.get(bid))
            for bid, raw in lineage_raw
        }
        lineage = [facts[bid] for bid in reversed(ids)]  # root first
        events, temperatures, store_problems = self._events(lineage, logs, facts[batch_id].window)
        recall, recalled_lot = self._recall(views.recall, facts, logs)
        return Trace(
            batch=facts[batch_id],
            ancestors=tuple(facts[bid] for bid in ids[1:]),
            descendants=self._descendants(views.children),
            custody=self._custody(lineage, views.custodians, logs),
            certificates=self._certificates(views.certificates, facts, logs),
            events=events,
            temperatures=temperatures,
            recall=recall,
            recalled_lot=recalled_lot,
            hold=self._hold(views.hold, facts, logs),
            incidents=tuple(incident for _, _, incident in sorted(logs.incidents, key=lambda i: i[:2])),
            store_problems=store_problems,
        )

    def reading_proof(self, batch_id: bytes, digest: bytes, index: int) -> ReadingProof:
        """A Merkle proof that the stored reading `index` of an event is one of those anchored with it,
        checked here and by the contract."""
        try:
            anchored = OnChainEvent(
                *self.gateway.call(self.contract.functions.anchoredEvent(batch_id, digest))
            )
        except ContractReverted as exc:
            if exc.error_name in ("ColdChainUnknownEvent", "ColdChainUnknownBatch"):
                raise NotFound(
                    f"event {hex_id(digest)} is not anchored for batch {hex_id(batch_id)}"
                ) from None
            raise
        with self.store.session() as session:
            rows = session.scalars(
                select(ColdChainReadingRow)
                .where(
                    ColdChainReadingRow.batch_id == hex_id(batch_id),
                    ColdChainReadingRow.event_hash == hex_id(digest),
                    _confirmed(ColdChainReadingRow),
                )
                .order_by(ColdChainReadingRow.position)
            ).all()
        if not 0 <= index < len(rows):
            raise NotFound(
                f"the store holds {len(rows)} readings of event {hex_id(digest)}, none numbered {index}"
            )
        records = [_record(row) for row in rows]
        siblings = tuple(build_tree([record.leaf for record in records]).proof(index))
        leaf = records[index].leaf
        on_chain = self.gateway.call(
            self.contract.functions.verifyReading(batch_id, digest, leaf, list(siblings))
        )
        proof = self._logs([batch_id]).anchored.get((batch_id, digest))
        # The leaf holds the value's tenths only: the displayed value is proven by the stored event's own
        # sensor report, which its hash on chain covers, so the event is checked as a trace checks it.
        stored, _ = self._stored_events([hex_id(batch_id)], event_hash=hex_id(digest))
        _, problem = self._check_event(
            stored.get((hex_id(batch_id), hex_id(digest))), records, digest, anchored, proof
        )
        lot = self.stored_lots([batch_id]).get(batch_id)
        return ReadingProof(
            lot=lot.number if lot else short_id(batch_id),
            batch_id=batch_id,
            event_hash=digest,
            index=index,
            reading=records[index],
            leaf=leaf,
            siblings=siblings,
            root=anchored.readings_root,
            verified_locally=verify(siblings, anchored.readings_root, leaf) and problem is None,
            verified_on_chain=on_chain,
            proof=proof,
            problem=problem,
        )

    @cached_property
    def _decoder(self) -> EventDecoder:
        # Built when logs are first decoded: most traces use the logs decoded once for their head.
        return EventDecoder(self.contract)

    # ---- the chain's answers, kept per head ----

    def _head(self) -> Head:
        with self.gateway.translated_errors():
            return self.gateway.backend.head()

    def _remembered(self, head: Head, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        """`read()` as of `head`, asked of the chain once per head."""
        key = (self.contract.address, *key)
        found = self.memory.recall(head, key)
        if found is not _UNKNOWN:
            return found
        answer = read()
        # Views are read at the latest block: an answer is kept only if no block came in meanwhile.
        if self._head() == head:
            self.memory.keep(head, key, answer)
        return answer

    # ---- parts of the story ----

    def _views(self, batch_id: bytes) -> _Views:
        """Every state view a trace needs that logs cannot answer: each lineage lot's batch record,
        status and custodians, and the lot's children, current certificates, recall and hold."""
        functions = self.contract.functions
        kinds = list(CertificateKind)
        raw, status, custodians, rest = self._lot_views(
            batch_id,
            [
                functions.childrenOf(batch_id),
                *(functions.certificate(batch_id, int(kind)) for kind in kinds),
                functions.recallOf(batch_id),
                functions.holdOf(batch_id),
            ],
        )
        views = _Views(
            lineage=[(batch_id, raw)],
            status={batch_id: status},
            custodians={batch_id: custodians},
            children=list(rest[0]),
            certificates=rest[1 : 1 + len(kinds)],
            recall=rest[1 + len(kinds)],
            hold=rest[2 + len(kinds)],
        )
        while raw.parent_id != ZERO_HASH:
            parent_id = raw.parent_id
            raw, views.status[parent_id], views.custodians[parent_id], _ = self._lot_views(parent_id, [])
            views.lineage.append((parent_id, raw))
        return views

    def _lot_views(
        self, batch_id: bytes, more: Sequence[Any]
    ) -> tuple[OnChainBatch, BatchStatus, list[str], list[Any]]:
        """A lot's batch record, status and custodians, and the results of `more` views, in one multicall."""
        functions = self.contract.functions
        try:
            raw, status, custodians, *rest = call_views(
                self.gateway,
                self.contract,
                [
                    functions.batch(batch_id),
                    functions.status(batch_id),
                    functions.custodiansOf(batch_id),
                    *more,
                ],
            )
        except ContractReverted as exc:
            if exc.error_name == "ColdChainUnknownBatch":
                raise NotFound(f"no batch {hex_id(batch_id)} is booked on chain") from None
            raise
        return OnChainBatch(*raw), BatchStatus(status), list(custodians), rest

    def _facts(
        self,
        batch_id: bytes,
        raw: OnChainBatch,
        status: BatchStatus,
        lot: Lot | None,
        created: Proof | None,
    ) -> BatchFacts:
        return BatchFacts(
            batch_id=batch_id,
            lot=lot,
            parent_id=None if raw.parent_id == ZERO_HASH else raw.parent_id,
            gtin=f"{raw.gtin:014d}",
            quantity=raw.quantity,
            unit=unit_text(raw.unit),
            origin=raw.origin_country.decode("ascii"),
            window=raw.window,
            custodian=raw.custodian,
            custodian_name=self.member(raw.custodian)[0],
            pending_custodian=None if raw.pending_custodian == ZERO_ADDRESS else raw.pending_custodian,
            status=status,
            created_at=raw.created_at,
            created=created,
        )

    def _descendants(self, child_ids: Sequence[bytes]) -> tuple[LotNode, ...]:
        """The lots split off from a lot and from those, read one generation per multicall."""
        functions = self.contract.functions
        known: dict[bytes, tuple[OnChainBatch, BatchStatus, list[bytes]]] = {}
        generation = list(child_ids)
        while generation:
            results = call_views(
                self.gateway,
                self.contract,
                [
                    fn
                    for c in generation
                    for fn in (functions.batch(c), functions.status(c), functions.childrenOf(c))
                ],
            )
            for n, child in enumerate(generation):
                raw, status, children = results[3 * n : 3 * n + 3]
                known[child] = (OnChainBatch(*raw), BatchStatus(status), list(children))
            generation = [grandchild for child in generation for grandchild in known[child][2]]
        lots = self.stored_lots(known)

        def node(child: bytes) -> LotNode:
            raw, status, children = known[child]
            facts = self._facts(child, raw, status, lots.get(child), None)
            return LotNode(facts, tuple(node(grandchild) for grandchild in children))

        return tuple(node(child) for child in child_ids)

    def _custody(
        self, lineage: Sequence[BatchFacts], custodians: Mapping[bytes, list[str]], logs: _Logs
    ) -> tuple[CustodyStep, ...]:
        steps: list[CustodyStep] = []
        for fact in lineage:
            first = custodians[fact.batch_id][0]
            # A lot split off is held by whoever held its parent: the chain of hands goes on unbroken.
            if not steps or steps[-1].custodian != first:
                steps.append(CustodyStep(fact.label, first, self.member(first)[0], None, fact.created))
            for to, receiving, proof in logs.transfers.get(fact.batch_id, []):
                steps.append(CustodyStep(fact.label, to, self.member(to)[0], receiving, proof))
        return tuple(steps)

    def _certificates(
        self, certificates: Sequence[Any], facts: Mapping[bytes, BatchFacts], logs: _Logs
    ) -> tuple[CertificateEntry, ...]:
        """Each kind's current certificate, from `certificate(batch, kind)` in CertificateKind order."""
        entries = []
        for kind, ((document_hash, certifier, attached_at), holder) in zip(
            CertificateKind, certificates, strict=True
        ):
            if holder == ZERO_HASH:
                entries.append(CertificateEntry(kind, None))
                continue
            entries.append(
                CertificateEntry(
                    kind=kind,
                    document_hash=document_hash,
                    certifier=certifier,
                    certifier_name=self.member(certifier)[0],
                    attached_at=attached_at,
                    attached_to=facts[holder].label,
                    proof=logs.certified.get((holder, int(kind))),
                )
            )
        return tuple(entries)

    def _recall(
        self, recall: Any, facts: Mapping[bytes, BatchFacts], logs: _Logs
    ) -> tuple[Incident | None, str | None]:
        (regulator, _, code, digest), recalled_id = recall
        if recalled_id == ZERO_HASH:
            return None, None
        lot = facts[recalled_id].label
        name = self.member(regulator)[0]
        why = stated(ReasonAction.RECALL, code, digest, logs.reasons)
        proof = logs.recalls.get(recalled_id)
        return Incident("recalled", lot, regulator, name, why and why.words, None, proof, why), lot

    def _hold(self, hold: Any, facts: Mapping[bytes, BatchFacts], logs: _Logs) -> Incident | None:
        flagged_id, breach = hold
        if flagged_id == ZERO_HASH:
            return None
        event = dict(logs.events.get(flagged_id, [])).get(breach)
        if event is None:  # the flagged lot is in the lineage, so its anchoring log was read with it
            raise NotFound(f"no anchoring log of breach event {hex_id(breach)} of batch {hex_id(flagged_id)}")
        return Incident(
            "flagged",
            facts[flagged_id].label,
            event.custodian,
            self.member(event.custodian)[0],
            _breach_reason(TemperatureRange(event.min_tenths, event.max_tenths), facts[flagged_id].window),
            breach,
            logs.flags.get((flagged_id, breach)),
        )

    def _events(
        self, lineage: Sequence[BatchFacts], logs: _Logs, window: TemperatureWindow
    ) -> tuple[tuple[TracedEvent, ...], tuple[TemperaturePoint, ...], tuple[str, ...]]:
        stored, readings = self._stored_events([hex_id(fact.batch_id) for fact in lineage])
        traced: list[tuple[int, int, TracedEvent]] = []
        points: list[TemperaturePoint] = []
        for depth, fact in enumerate(lineage):
            for order, (digest, chain) in enumerate(logs.events.get(fact.batch_id, [])):
                key = (hex_id(fact.batch_id), hex_id(digest))
                proof = logs.anchored.get((fact.batch_id, digest))
                event, problem = self._check_event(
                    stored.pop(key, None), readings.get(key, []), digest, chain, proof
                )
                location = None
                if event is not None:
                    location = (event.get("bizLocation") or event.get("readPoint") or {}).get("id")
                traced_event = TracedEvent(
                    lot=fact.label,
                    batch_id=fact.batch_id,
                    event_hash=digest,
                    biz_step=biz_step_word(chain.biz_step),
                    event_time=from_millis(chain.event_time_ms).astimezone(CHINA_STANDARD_TIME),
                    custodian=chain.custodian,
                    custodian_name=self.member(chain.custodian)[0],
                    location=location,
                    readings=TemperatureRange(chain.min_tenths, chain.max_tenths)
                    if chain.reading_count
                    else None,
                    reading_count=chain.reading_count,
                    proof=proof,
                    event=event,
                    problem=problem,
                )
                # Ties in time keep the order of the lineage, then of anchoring.
                traced.append((chain.event_time_ms, depth * 1_000_000 + order, traced_event))
                if event is None:
                    continue  # readings of an event that fails its check are not shown as proven
                points.extend(
                    TemperaturePoint(
                        lot=fact.label,
                        batch_id=fact.batch_id,
                        event_hash=digest,
                        index=position,
                        reading=record,
                        within=window.admits(TemperatureRange(record.low_tenths, record.high_tenths)),
                    )
                    for position, record in enumerate(readings.get(key, []))
                )
        store_problems = tuple(
            f"the store holds event {digest} of batch {batch}, which the chain never anchored"
            for (batch, digest), row in sorted(stored.items())
            if row.block_number is not None  # a pending one may yet be: it is not a contradiction
        )
        events = tuple(event for _, _, event in sorted(traced, key=lambda t: t[:2]))
        ordered_points = tuple(sorted(points, key=lambda p: (p.reading.start_ms, p.reading.end_ms)))
        return events, ordered_points, store_problems

    def _stored_events(
        self, keys: Sequence[str], event_hash: str | None = None
    ) -> tuple[dict[tuple[str, str], _StoredEvent], dict[tuple[str, str], list[ReadingRecord]]]:
        """The stored events of these batches (or only the one `event_hash`), by (batch, event hash), and
        their confirmed readings in order.

        Plain rows, not ORM objects, and each event's JSON as the stored text: a trace reads hundreds of
        events and their readings, and the text is what a stored event's check is remembered by.
        """
        events = ColdChainEventRow.__table__.c
        readings = ColdChainReadingRow.__table__.c
        of_events = [events.batch_id.in_(keys)]
        of_readings = [readings.batch_id.in_(keys), readings.block_number.is_not(None)]
        if event_hash is not None:
            of_events.append(events.event_hash == event_hash)
            of_readings.append(readings.event_hash == event_hash)
        with self.store.session() as session:
            stored = {
                (batch_id, event_hash): _StoredEvent(*rest)
                for batch_id, event_hash, *rest in session.execute(
                    select(
                        events.batch_id,
                        events.event_hash,
                        cast(events.event, Text),
                        cast(events.context, Text),
                        events.agency,
                        events.tx_hash,
                        events.block_number,
                    ).where(*of_events)
                )
            }
            records: dict[tuple[str, str], list[ReadingRecord]] = {}
            for batch_id, event_hash, *values in session.execute(
                select(
                    readings.batch_id,
                    readings.event_hash,
                    readings.start_ms,
                    readings.end_ms,
                    readings.device,
                    readings.low_tenths,
                    readings.high_tenths,
                    readings.value,
                )
                .where(*of_readings)
                .order_by(readings.position)
            ):
                records.setdefault((batch_id, event_hash), []).append(ReadingRecord(*values))
        return stored, records

    def _check_event(
        self,
        row: _StoredEvent | None,
        records: Sequence[ReadingRecord],
        digest: bytes,
        chain: OnChainEvent,
        proof: Proof | None,
    ) -> tuple[Mapping[str, Any] | None, str | None]:
        """The stored event if it matches what the chain anchored, else None and why not."""
        if row is None:
            return None, "the chain anchored this event; the store has no copy of it"
        if row.block_number is None:
            return None, f"the store's copy waits for its transaction {row.tx_hash} to be settled"
        expected = self.memory.expected(row)
        if expected.anchor is None:
            return None, f"the stored event is no longer a valid EPCIS event ({expected.invalid})"
        anchor = expected.anchor
        if anchor.event_hash != digest:
            return (
                None,
                "the stored event does not match its hash on chain: it was altered after it was anchored",
            )
        agreement = {
            "business step": anchor.biz_step == chain.biz_step,
            "location": anchor.location == chain.location,
            "event time": anchor.event_time_ms == chain.event_time_ms,
            "readings": (anchor.reading_count, anchor.readings_root)
            == (chain.reading_count, chain.readings_root)
            and (anchor.min_tenths, anchor.max_tenths) == (chain.min_tenths, chain.max_tenths),
            "stored readings": _readings_digest(records) == expected.readings,
            "agency": row.agency == chain.custodian,
            "transaction": proof is not None
            and (proof.tx_hash, proof.block_number) == (row.tx_hash, row.block_number),
        }
        differing = [what for what, agrees in agreement.items() if not agrees]
        if differing:
            return None, "the store's " + ", ".join(differing) + " differ from the chain's"
        return json.loads(row.event_text), None

    # ---- the contract's event logs ----

    def _logs(
        self, batch_ids: Sequence[bytes], head: Head | None = None, lots: Mapping[bytes, Lot] | None = None
    ) -> _Logs:
        """Every event about these batches (their id is each event's first topic), with its tx and block;
        `lots` are the stored lots of these batches when the caller has read them already."""
        head = head or self._head()
        entries = self._remembered(
            head, ("logs", tuple(batch_ids)), lambda: self._decoded_logs(batch_ids, head[0])
        )
        digests = [entry.args["reasonHash"] for entry in entries if entry.name in _REASON_EVENTS]
        found = _Logs({}, {}, {}, {}, {}, {}, {}, {}, [], load_reason_texts(self.store, digests))
        lots = self.stored_lots(batch_ids) if lots is None else lots
        for entry in entries:
            incident = self._file_log(found, entry.name, entry.args, entry.proof, lots)
            if incident is not None:
                found.incidents.append((entry.block_number, entry.log_index, incident))
        return found

    def _decoded_logs(self, batch_ids: Sequence[bytes], to_block: int) -> list[_LogEntry]:
        """The contract's logs about these batches up to `to_block`, decoded, in chain order."""
        with self.gateway.translated_errors():
            raw_logs = self.gateway.w3.eth.get_logs(
                {
                    "address": self.contract.address,
                    "fromBlock": self.from_block,
                    "toBlock": to_block,
                    "topics": [None, [hex_id(batch_id) for batch_id in batch_ids]],
                }
            )
        entries = []
        # Anchoring order is log order; sorted here so it holds whatever order a node returns logs in.
        for log in sorted(raw_logs, key=lambda log: (int(log["blockNumber"]), int(log["logIndex"]))):
            decoded = self._decoder.decode(log)
            if decoded is not None:
                proof = Proof(hex_id(bytes(log["transactionHash"])), int(log["blockNumber"]))
                entries.append(_LogEntry(int(log["blockNumber"]), int(log["logIndex"]), *decoded, proof))
        return entries

    def _file_log(
        self, found: _Logs, name: str, args: Any, proof: Proof, lots: Mapping[bytes, Lot]
    ) -> Incident | None:
        """Files one log where a trace looks for it; returns it as an incident if it is one."""

        def label(batch_id: bytes) -> str:
            lot = lots.get(batch_id)
            return lot.number if lot else short_id(batch_id)

        def incident(
            what: str, batch_id: bytes, actor: str, reason: str | None, event: bytes | None
        ) -> Incident:
            return Incident(what, label(batch_id), actor, self.member(actor)[0], reason, event, proof)

        def decision(what: str, action: ReasonAction, event: bytes | None) -> Incident:
            why = stated(action, args["reasonCode"], args["reasonHash"], found.reasons)
            made = incident(what, args["batchId"], args["regulator"], why and why.words, event)
            return replace(made, reason_detail=why)

        if name == "ColdChainBatchCreated":
            found.created[args["batchId"]] = proof
        elif name == "ColdChainEventAnchored":
            found.anchored[(args["batchId"], args["eventHash"])] = proof
            found.anchored_by[(args["batchId"], args["eventHash"])] = args["custodian"]
            found.events.setdefault(args["batchId"], []).append(
                (
                    args["eventHash"],
                    OnChainEvent(
                        args["custodian"],
                        args["eventTimeMs"],
                        args["bizStep"],
                        args["minTenths"],
                        args["maxTenths"],
                        args["readingCount"],
                        args["location"],
                        args["readingsRoot"],
                    ),
                )
            )
        elif name == "ColdChainCertificateAttached":
            found.certified[(args["batchId"], int(args["kind"]))] = proof
        elif name == "ColdChainCustodyTransferred":
            found.transfers.setdefault(args["batchId"], []).append((args["to"], args["eventHash"], proof))
        elif name == "ColdChainBatchFlagged":
            key = (args["batchId"], args["eventHash"])
            found.flags[key] = proof
            window = TemperatureWindow(args["windowMinTenths"], args["windowMaxTenths"])
            reason = _breach_reason(TemperatureRange(args["minTenths"], args["maxTenths"]), window)
            # The anchoring log comes first in the same transaction: it names who reported the readings.
            return incident("flagged", args["batchId"], found.anchored_by[key], reason, args["eventHash"])
        elif name == "ColdChainBatchReleased":
            return decision("released", ReasonAction.RELEASE, args["breachEventHash"])
        elif name == "ColdChainRecallOrdered":
            found.recalls[args["batchId"]] = proof
            return decision("recalled", ReasonAction.RECALL, None)
        elif name == "ColdChainBatchSplit":
            children = self.stored_lots(args["childIds"])
            names = [children[c].number if c in children else short_id(c) for c in args["childIds"]]
            reason = "into " + ", ".join(names)
            return incident("split", args["parentId"], args["custodian"], reason, args["eventHash"])
        elif name == "ColdChainBatchDestroyed":
            return incident("destroyed", args["batchId"], args["custodian"], None, args["eventHash"])
        return None


# ---- checking the store against the chain ----


def _expected(event_text: str, context_text: str) -> _Expected:
    """What a stored event hashes and parses to, recomputed from its stored text."""
    try:
        event, context = json.loads(event_text), json.loads(context_text)
        recomputed = event_hash(event, context=context)
        parsed = parse_event(event, 0, context=context)
        readings = reading_records(parsed)
        anchor = anchor_for(parsed, recomputed, readings=readings)
    except (InvalidInput, ValueError) as exc:
        return _Expected(None, invalid=str(exc))
    return _Expected(anchor, _readings_digest(readings))


def _readings_digest(records: Iterable[ReadingRecord]) -> bytes:
    """One digest of everything a trace shows of its readings: what the Merkle leaf commits to, and the
    displayed value too. The leaf holds only the value's tenths, so the value is checked against the stored
    event's own sensor report, which the event hash on chain covers (issue #15: a value changed from -20.2
    to -5.0 in the store kept its tenths' leaf and still showed as verified)."""
    fields = [(r.start_ms, r.end_ms, r.device, r.low_tenths, r.high_tenths, r.value) for r in records]
    return hashlib.sha256(repr(fields).encode()).digest()


def _confirmed(model: Any) -> Any:
    """Rows whose transaction is mined: a pending row is never read as part of the story."""
    return model.block_number.is_not(None)


def _record(row: ColdChainReadingRow) -> ReadingRecord:
    return ReadingRecord(row.start_ms, row.end_ms, row.device, row.low_tenths, row.high_tenths, row.value)


def _breach_reason(readings: TemperatureRange, window: TemperatureWindow) -> str:
    return (
        f"readings from {celsius_text(readings.min_tenths)} to {celsius_text(readings.max_tenths)}, "
        f"outside the window {window.label}"
    )


def hex_id(value: bytes) -> str:
    return "0x" + value.hex()


def short_id(value: bytes) -> str:
    return "0x" + value.hex()[:12] + "…"
