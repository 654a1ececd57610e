"""The GS1 EPCIS 2.0 standard interface: capture jobs and the SimpleEventQuery, over the cold-chain pipeline.

Capture is the cold-chain ingest itself (ColdChainService.anchor_document: the same permission checks,
pending-first rows and one all-or-nothing transaction), preceded by GS1's JSON Schema. A capture job finishes
before the request is answered, so its resource already says whether it succeeded. Queries read the store's
EPCIS index, a projection of the confirmed anchored events brought up to date before each query.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from gzchain.chain.gateway import ChainGateway
from gzchain.domain.coldchain import event_hash_bytes
from gzchain.domain.epcis import canonical_gs1_uri, parse_document, parse_event
from gzchain.domain.epcis.limits import check_document as check_document_limits
from gzchain.domain.epcis.schema import check_document
from gzchain.domain.epcis.timestamps import parse_timestamp
from gzchain.domain.epcis.validate import STANDARD_CONTEXT
from gzchain.domain.epcis.vocabulary import ACTIONS, BIZ_STEPS, DISPOSITIONS, EVENT_TYPES
from gzchain.domain.errors import (
    Conflict,
    ContractReverted,
    GzchainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from gzchain.services.coldchain import MAX_DOCUMENT_ANCHORS, ColdChainService
from gzchain.store import epcis as index_store
from gzchain.store.db import Store, StoreUnavailable
from gzchain.store.epcis import EpcisCaptureJobRow, EpcisEventEpcRow, EpcisEventIndexRow, EventQuery

CAPTURE_LIMIT: Final = MAX_DOCUMENT_ANCHORS  # every event anchors at least one lot in the one transaction
DEFAULT_PER_PAGE: Final = 30  # the binding's default
MAX_PER_PAGE: Final = 1000
_INDEX_CHUNK: Final = 500
# What each MATCH_ parameter looks at (EPCIS 2.0 §8.2.7.1); the per-EPC resource looks at all of them.
MATCH_ROLES: Final[Mapping[str, tuple[str, ...]]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("class", "child_class"),
    "MATCH_inputEPCClass": ("input_class",),
    "MATCH_outputEPCClass": ("output_class",),
}
ALL_ROLES: Final = index_store.EPC_ROLES
QUERY_PARAMETERS: Final = frozenset(
    {
        "eventType",
        "GE_eventTime",
        "LT_eventTime",
        "GE_recordTime",
        "LT_recordTime",
        "EQ_action",
        "EQ_bizStep",
        "EQ_disposition",
        "EQ_readPoint",
        "EQ_bizLocation",
        *MATCH_ROLES,
    }
)
_LISTS: Final = (
    ("epcList", "epc"),
    ("childEPCs", "child"),
    ("inputEPCList", "input"),
    ("outputEPCList", "output"),
)
_QUANTITY_LISTS: Final = (
    ("quantityList", "class"),
    ("childQuantityList", "child_class"),
    ("inputQuantityList", "input_class"),
    ("outputQuantityList", "output_class"),
)

Describe = Callable[[GzchainError], dict[str, Any]]  # an error as an RFC 9457 problem body


class CaptureLimitExceeded(InvalidInput):
    """A capture holds more events than one capture job takes (GS1-EPCIS-Capture-Limit)."""


@dataclass(frozen=True)
class CaptureJob:
    capture_id: str
    created_at: datetime
    finished_at: datetime | None
    running: bool
    success: bool
    error_behaviour: str
    errors: list[dict[str, Any]]
    event_ids: list[str]
    tx_hash: str | None

    @classmethod
    def of(cls, row: EpcisCaptureJobRow) -> CaptureJob:
        return cls(
            row.capture_id,
            _aware(row.created_at),
            _aware(row.finished_at) if row.finished_at else None,
            row.running,
            row.success,
            row.error_behaviour,
            list(row.errors),
            list(row.event_ids),
            row.tx_hash,
        )


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_token: str | None


class EpcisInterface:
    def __init__(
        self, coldchain: ColdChainService, store: Store, gateway: ChainGateway, describe: Describe
    ) -> None:
        self.coldchain = coldchain
        self.store = store
        self.gateway = gateway
        self.describe = describe

    # ---- capture ----

    def capture(self, as_agency: str, document: object) -> CaptureJob:
        """Check ``document`` (schema, then gzchain's rules) and anchor it; a bad document raises
        InvalidInput before any job exists, a refused capture is a finished job with success false."""
        # The same bounds as every other ingest, counted before the schema or the parser walks it.
        check_document_limits(document, self.coldchain.limits)
        check_document(document)
        events = parse_document(document)
        if not events:
            raise InvalidInput("the document has no events", field="epcisBody.eventList")
        if len(events) > CAPTURE_LIMIT:
            raise CaptureLimitExceeded(
                f"holds {len(events)} events; one capture takes at most {CAPTURE_LIMIT}",
                field="epcisBody.eventList",
            )
        assert isinstance(document, Mapping)
        created = datetime.now(UTC)
        errors: list[dict[str, Any]] = []
        tx_hash = None
        try:
            anchoring = self.coldchain.anchor_document(as_agency, document, events)
            tx_hash = anchoring.receipt.tx_hash
        except (ContractReverted, InvalidInput, NotFound, Conflict, PermissionDenied) as exc:
            errors.append(self.describe(exc))
        row = EpcisCaptureJobRow(
            capture_id="cap-" + uuid.uuid4().hex,
            agency=as_agency,
            created_at=created,
            finished_at=datetime.now(UTC),
            running=False,
            success=not errors,
            error_behaviour="rollback",
            errors=errors,
            event_ids=[] if errors else [event.event_id or _hash_uri(event) for event in events],
            tx_hash=tx_hash,
        )
        with self.store.session() as session:
            index_store.add_capture_job(session, row)
        return CaptureJob.of(row)

    def job(self, as_agency: str, capture_id: str) -> CaptureJob:
        with self.store.session() as session:
            row = index_store.capture_job(session, as_agency, capture_id)
        if row is None:
            raise NotFound(f"no capture job {capture_id!r} of agency {as_agency!r}")
        return CaptureJob.of(row)

    def jobs(self, as_agency: str, token: str | None, per_page: int) -> Page:
        after = None
        if token is not None:
            moment, capture_id = _decode(token)
            after = (datetime.fromtimestamp(int(moment) / 1_000_000, UTC), capture_id)
        with self.store.session() as session:
            rows = index_store.capture_jobs(session, as_agency, after, per_page + 1)
        jobs = [CaptureJob.of(row) for row in rows[:per_page]]
        next_token = None
        if len(rows) > per_page:
            last = jobs[-1]
            next_token = _encode(str(int(last.created_at.timestamp() * 1_000_000)), last.capture_id)
        return Page(jobs, next_token)

    # ---- queries ----

    def events(self, query: EventQuery, token: str | None, per_page: int) -> Page:
        """One page of the events ``query`` selects, each as anchored plus its recordTime and eventID."""
        after = None
        if token is not None:
            moment, event_hash = _decode(token)
            after = (int(moment), event_hash)
        self.refresh_index()
        with self.store.session() as session:
            found = index_store.find_events(session, query, after, per_page + 1)
        shown = found[:per_page]
        next_token = None
        if len(found) > per_page:
            last = shown[-1].row
            next_token = _encode(str(last.event_time_ms), last.event_hash)
        return Page(shown, next_token)

    def event(self, event_id: str) -> index_store.IndexedEvent:
        self.refresh_index()
        digest = None
        if event_id.startswith("ni:///sha-256;"):
            try:
                digest = "0x" + event_hash_bytes(event_id).hex()
            except InvalidInput:
                digest = None
        with self.store.session() as session:
            found = index_store.find_event(session, event_id, digest)
        if found is None:
            raise NotFound(f"no anchored event has eventID {event_id!r}")
        return found

    def refresh_index(self) -> None:
        """Bring the EPCIS index up to the confirmed anchored events (a concurrent refresh may win a race)."""
        self.coldchain.outbox.settle_all()
        with self.store.session() as session:
            index_store.drop_stale_index_rows(session)
        while True:
            with self.store.session() as session:
                sources = index_store.unindexed_events(session, _INDEX_CHUNK)
            if not sources:
                return
            times: dict[int, int] = {}
            rows, epcs = [], []
            for source in sources:
                if source.block_number not in times:
                    times[source.block_number] = self.gateway.block_timestamp(source.block_number) * 1000
                row, named = _index_row(source, times[source.block_number])
                rows.append(row)
                epcs += named
            try:
                with self.store.session() as session:
                    index_store.add_index_rows(session, rows, epcs)
            except StoreUnavailable:
                return  # another request indexed them first; what it wrote is what this would have


# ---- query parameters ----


def event_query(params: Mapping[str, str], extra: Mapping[str, tuple[str, ...]] | None = None) -> EventQuery:
    """The SimpleEventQuery ``params`` ask for, normalised as the index is; pipes separate alternatives."""
    unknown = sorted(set(params) - QUERY_PARAMETERS - {"perPage", "nextPageToken"})
    if unknown:
        raise InvalidInput("is not a query parameter this repository supports", field=unknown[0])

    def listed(name: str) -> tuple[str, ...]:
        if name not in params:
            return ()
        values = tuple(value.strip() for value in params[name].split("|"))
        if not all(values):
            raise InvalidInput("has an empty value", field=name)
        return values

    def word(name: str, vocabulary: Any) -> tuple[str, ...]:
        return tuple(vocabulary.word(value) or value for value in listed(name))

    actions = listed("EQ_action")
    for action in actions:
        if action not in ACTIONS:
            raise InvalidInput(f"{action!r} is not ADD, OBSERVE or DELETE", field="EQ_action")
    event_types = listed("eventType")
    for event_type in event_types:
        if event_type not in EVENT_TYPES and ":" not in event_type:
            raise InvalidInput(f"{event_type!r} is not an EPCIS event type", field="eventType")
    epcs = [
        (MATCH_ROLES[name], tuple(map(_identifier, listed(name)))) for name in MATCH_ROLES if name in params
    ]
    epcs += [(roles, tuple(map(_identifier, values))) for roles, values in (extra or {}).items()]
    return EventQuery(
        event_types=event_types,
        actions=actions,
        biz_steps=word("EQ_bizStep", BIZ_STEPS),
        dispositions=word("EQ_disposition", DISPOSITIONS),
        read_points=tuple(map(_identifier, listed("EQ_readPoint"))),
        biz_locations=tuple(map(_identifier, listed("EQ_bizLocation"))),
        event_time_from_ms=_millis(params, "GE_eventTime"),
        event_time_before_ms=_millis(params, "LT_eventTime"),
        record_time_from_ms=_millis(params, "GE_recordTime"),
        record_time_before_ms=_millis(params, "LT_recordTime"),
        epcs=tuple(epcs),
    )


def per_page(value: str | None) -> int:
    if value is None:
        return DEFAULT_PER_PAGE
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a whole number", field="perPage") from None
    if not 1 <= number <= MAX_PER_PAGE:
        raise InvalidInput(f"must be 1 to {MAX_PER_PAGE}", field="perPage")
    return number


# ---- rendering ----


def query_document(events: Sequence[index_store.IndexedEvent], query_name: str = "SimpleEventQuery") -> dict:
    """An EPCISQueryDocument (JSON-LD) of ``events``: each as anchored, with its recordTime and eventID.

    The document's @context is the standard one plus every prefix the events' documents declared; an event
    whose prefix clashes with another's keeps its own document's @context.
    """
    urls: list[str] = [STANDARD_CONTEXT]
    prefixes: dict[str, Any] = {}
    rendered = []
    for found in events:
        event = dict(found.event)
        event.setdefault("eventID", found.row.event_id)
        event["recordTime"] = _iso(found.row.record_time_ms)
        entries = found.context if isinstance(found.context, list) else [found.context]
        declared: dict[str, Any] = {}
        for entry in entries:
            if isinstance(entry, str) and entry not in urls:
                urls.append(entry)
            elif isinstance(entry, Mapping):
                declared.update(entry)
        if any(prefix in prefixes and prefixes[prefix] != iri for prefix, iri in declared.items()):
            event["@context"] = found.context
        else:
            prefixes.update(declared)
        rendered.append(event)
    return {
        "@context": [*urls, prefixes] if prefixes else urls,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "epcisBody": {"queryResults": {"queryName": query_name, "resultsBody": {"eventList": rendered}}},
    }


# ---- helpers ----


def _index_row(source: Any, record_time_ms: int) -> tuple[EpcisEventIndexRow, list[EpcisEventEpcRow]]:
    raw = source.event
    event = parse_event(raw, context=source.context)
    row = EpcisEventIndexRow(
        event_hash=source.event_hash,
        source_id=source.id,
        event_id=raw.get("eventID") or f"ni:///sha-256;{source.event_hash[2:]}?ver=CBV2.0",
        event_type=event.type,
        action=event.action,
        biz_step=event.biz_step,
        disposition=event.disposition,
        read_point=_identifier(event.read_point) if event.read_point else None,
        biz_location=_identifier(event.biz_location) if event.biz_location else None,
        event_time_ms=source.event_time_ms,
        record_time_ms=record_time_ms,
        block_number=source.block_number,
    )
    named: set[tuple[str, str]] = set()
    for key, role in _LISTS:
        named.update((role, _identifier(epc)) for epc in raw.get(key, ()) if isinstance(epc, str))
    for key, role in _QUANTITY_LISTS:
        for element in raw.get(key, ()):
            if isinstance(element, Mapping) and isinstance(element.get("epcClass"), str):
                named.add((role, _identifier(element["epcClass"])))
    if isinstance(raw.get("parentID"), str):
        named.add(("parent", _identifier(raw["parentID"])))
    epcs = [EpcisEventEpcRow(event_hash=source.event_hash, role=role, epc=epc) for role, epc in sorted(named)]
    return row, epcs


def _identifier(uri: str) -> str:
    """An identifier as the index keeps it: EPC URNs and Digital Links of one thing meet in one spelling."""
    return canonical_gs1_uri(uri.strip()) or uri.strip()


def _millis(params: Mapping[str, str], name: str) -> int | None:
    if name not in params:
        return None
    moment = parse_timestamp(params[name].strip(), field=name).moment
    return int(moment.timestamp() * 1000)


def _hash_uri(event: Any) -> str:
    from gzchain.domain.epcis import event_hash

    return event_hash(event)


def _iso(millis: int) -> str:
    return (
        datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _encode(position: str, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([position, key]).encode()).decode().rstrip("=")


def _decode(token: str) -> tuple[str, str]:
    try:
        position, key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        int(position)
        if not isinstance(key, str):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("is not a token this repository gave", field="nextPageToken") from None
    return position, key
