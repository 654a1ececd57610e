"""ColdChainService: whole EPCIS documents anchored all or nothing, the store written only after the chain
accepts, traces that tell a lot's story with a proof per item, and catch a stored event altered behind the
chain's back; Merkle proofs of single readings. Runs on the embedded chain (and on anvil, `--lane anvil`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gzchain.bootstrap import Runtime
from gzchain.domain.coldchain import BatchStatus, CertificateKind, Lot, Proof, TemperatureWindow
from gzchain.domain.epcis.validate import STANDARD_CONTEXT
from gzchain.domain.errors import ContractReverted, InvalidInput, NotFound
from gzchain.services.coldchain import CHINA_STANDARD_TIME, ColdChainService
from gzchain.store.coldchain import ColdChainEventRow, ColdChainLotRow, ColdChainReadingRow
from gzchain.store.db import Store, engine_for

IMPORTER, WAREHOUSE, CARRIER, SUPERMARKET = (
    "nansha-importer",
    "gz-cold-warehouse",
    "lingnan-logistics",
    "tianhe-supermarket",
)
GTIN = "07891234000019"
PORT = "urn:epc:id:sgln:6901234.00001.0"
DEPOT = "urn:epc:id:sgln:6901234.00002.0"
STORE = "urn:epc:id:sgln:6901234.00011.0"
FROZEN = TemperatureWindow.from_celsius("-30.0", "-18.0")
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CHINA_STANDARD_TIME)
K = CertificateKind


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(engine_for(None, tmp_path))  # a file, so tests can read and alter it directly
    yield store
    store.close()


@pytest.fixture
def service(runtime: Runtime, store: Store) -> ColdChainService:
    manifest = runtime.require_manifest()
    service = ColdChainService(
        runtime.gateway,
        runtime.keys,
        store,
        runtime.consortium(),
        manifest.address("ColdChainTrace"),
        from_block=manifest.contracts["ColdChainTrace"].block,
    )
    service.entitle("gz-msa", "gz-customs", [K.CUSTOMS_DECLARATION, K.INSPECTION_QUARANTINE])
    service.entitle("gz-msa", "gz-cdc", [K.NUCLEIC_ACID_TEST])
    service.entitle("gz-msa", WAREHOUSE, [K.DISINFECTION, K.WAREHOUSE_RELEASE])
    return service


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """The store's SQLite file opened directly, as someone with access to the disk would."""
    connection = sqlite3.connect(tmp_path / "store.sqlite")
    yield connection
    connection.close()


def rows(store: Store, table: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def head(runtime: Runtime) -> int:
    return runtime.gateway.block_number()


def book(service: ColdChainService, lot: str = "BR-1", quantity: int = 24000) -> str:
    service.create(IMPORTER, gtin=GTIN, lot=lot, quantity=quantity, unit="KGM", origin="BR", window=FROZEN)
    return lot


def readings(start: datetime, *values: str) -> list[tuple[datetime, str]]:
    return [(start + timedelta(minutes=10 * i), value) for i, value in enumerate(values)]


def clear(service: ColdChainService, lot: str) -> None:
    """All five certificates, the batch handed to the supervised warehouse on the way."""
    for agency, kind in (("gz-customs", K.CUSTOMS_DECLARATION), ("gz-customs", K.INSPECTION_QUARANTINE)):
        service.certify(agency, lot, kind, f"{kind.slug} of {lot}".encode())
    service.certify("gz-cdc", lot, K.NUCLEIC_ACID_TEST, b"negative")
    service.record_event(
        IMPORTER, lot, "shipping", location=PORT, time=T0 + timedelta(hours=1), recipient=WAREHOUSE
    )
    service.record_event(WAREHOUSE, lot, "receiving", location=DEPOT, time=T0 + timedelta(hours=2))
    service.certify(WAREHOUSE, lot, K.DISINFECTION, b"disinfected")
    service.certify(WAREHOUSE, lot, K.WAREHOUSE_RELEASE, b"released")


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [STANDARD_CONTEXT, {"gz": "https://gzchain.example/epcis/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-03-02T12:00:00+08:00",
        "epcisBody": {"eventList": list(events)},
    }


def object_event(lot: str, step: str, minute: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": step,
        "eventTime": f"2025-03-02T10:{minute:02d}:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "readPoint": {"id": DEPOT},
        "quantityList": [{"epcClass": Lot(GTIN, lot).uri, "quantity": 8000, "uom": "KGM"}],
        **extra,
    }


def sensors(*values: float) -> list[dict[str, Any]]:
    return [
        {
            "sensorMetadata": {"deviceID": "urn:epc:id:giai:6901234.TRUCK-02"},
            "sensorReport": [
                {
                    "type": "Temperature",
                    "time": f"2025-03-02T09:{5 * i:02d}:00.000+08:00",
                    "value": v,
                    "uom": "CEL",
                }
                for i, v in enumerate(values)
            ],
        }
    ]


# ---- the story of a lot ----


def test_a_trace_tells_a_lots_whole_story_with_a_proof_for_every_item(service: ColdChainService):
    created = service.create(
        IMPORTER, gtin=GTIN, lot="BR-1", quantity=24000, unit="KGM", origin="BR", window=FROZEN
    )
    arrival = service.record_event(
        IMPORTER,
        "BR-1",
        "arriving",
        location=PORT,
        time=T0,
        readings=readings(T0 - timedelta(hours=1), "-21.4", "-20.8"),
    )
    clear(service, "BR-1")
    split = service.split(
        WAREHOUSE, "BR-1", [("BR-1-A", 16000), ("BR-1-B", 8000)], location=DEPOT, time=T0 + timedelta(hours=3)
    )
    service.record_event(
        WAREHOUSE, "BR-1-A", "shipping", location=DEPOT, time=T0 + timedelta(hours=4), recipient=CARRIER
    )
    handed = service.record_event(
        CARRIER, "BR-1-A", "receiving", location=DEPOT, time=T0 + timedelta(hours=5)
    )
    trace = service.trace("BR-1-A")

    assert trace.verified, trace.problems
    assert (trace.batch.label, trace.batch.quantity, trace.batch.origin, trace.window) == (
        "BR-1-A",
        16000,
        "BR",
        FROZEN,
    )
    assert trace.status is BatchStatus.CLEARED
    assert [a.label for a in trace.ancestors] == ["BR-1"]
    assert trace.ancestors[0].created == Proof(created.receipt.tx_hash, created.receipt.block_number)
    assert [(s.lot, s.custodian_name) for s in trace.custody] == [
        ("BR-1", "Nansha Port Frozen Food Import Co."),
        ("BR-1", "Guangzhou Centralised Supervision Cold Warehouse"),
        ("BR-1-A", "Lingnan Cold-Chain Logistics Co."),
    ]
    assert trace.custody[-1].proof == Proof(handed.receipt.tx_hash, handed.receipt.block_number)
    assert [(c.kind, c.attached_to, c.present) for c in trace.certificates] == [
        (kind, "BR-1", True) for kind in K
    ]
    assert trace.certificates[2].certifier_name == "Guangzhou Center for Disease Control and Prevention"
    assert all(c.proof is not None for c in trace.certificates)
    steps = [(e.lot, e.biz_step) for e in trace.events]
    assert steps == [
        ("BR-1", "arriving"),
        ("BR-1", "shipping"),
        ("BR-1", "receiving"),
        ("BR-1", "repackaging"),
        ("BR-1-A", "shipping"),
        ("BR-1-A", "receiving"),
    ]
    assert trace.events[0].proof == Proof(arrival.receipt.tx_hash, arrival.receipt.block_number)
    assert trace.events[3].proof == Proof(split.receipt.tx_hash, split.receipt.block_number)
    assert trace.events[0].location == PORT and trace.events[0].event is not None
    assert [(p.reading.value, p.within) for p in trace.temperatures] == [("-21.4", True), ("-20.8", True)]
    assert trace.recall is None and trace.hold is None
    assert [(i.what, i.lot, i.reason) for i in trace.incidents] == [("split", "BR-1", "into BR-1-A, BR-1-B")]


def test_a_trace_of_a_batch_shows_every_lot_split_from_it_with_its_status(service: ColdChainService):
    book(service)
    service.split(IMPORTER, "BR-1", [("BR-1-A", 12000), ("BR-1-B", 12000)], location=DEPOT, time=T0)
    service.split(IMPORTER, "BR-1-B", [("BR-1-B1", 6000), ("BR-1-B2", 6000)], location=DEPOT, time=T0)
    service.recall("gz-msa", "BR-1-B", "pathogen-detected", "plant delisted")
    trace = service.trace("BR-1")
    assert trace.status is BatchStatus.SPLIT
    assert [(n.batch.label, n.batch.status) for n in trace.descendants] == [
        ("BR-1-A", BatchStatus.AWAITING_CLEARANCE),
        ("BR-1-B", BatchStatus.RECALLED),
    ]
    assert [(n.batch.label, n.batch.status) for n in trace.descendants[1].children] == [
        ("BR-1-B1", BatchStatus.RECALLED),
        ("BR-1-B2", BatchStatus.RECALLED),
    ]
    pack = service.trace("BR-1-B2")
    assert (pack.recalled_lot, pack.recall.reason if pack.recall else None) == ("BR-1-B", "plant delisted")
    assert [a.label for a in pack.ancestors] == ["BR-1-B", "BR-1"]


def test_a_breach_puts_the_lot_on_hold_in_its_trace_until_the_regulator_releases_it(
    service: ColdChainService,
):
    lot = book(service)
    anchored = service.record_event(
        IMPORTER, lot, "holding", location=PORT, time=T0, readings=readings(T0, "-19.0", "-16.5")
    )
    assert anchored.flagged == (("BR-1", -190, -165),)
    trace = service.trace(lot)
    assert trace.status is BatchStatus.FLAGGED
    assert trace.hold is not None and trace.hold.actor_name == "Nansha Port Frozen Food Import Co."
    assert trace.hold.reason == "readings from -19.0 °C to -16.5 °C, outside the window -30.0 °C to -18.0 °C"
    assert [p.within for p in trace.temperatures] == [True, False]
    service.release("gz-msa", lot, "sensor-fault", "probe was outside the carton; core temperature -21 °C")
    trace = service.trace(lot)
    assert trace.hold is None and trace.status is BatchStatus.AWAITING_CLEARANCE
    assert [(i.what, i.reason) for i in trace.incidents][-1] == (
        "released",
        "probe was outside the carton; core temperature -21 °C",
    )


def test_lots_are_found_by_uri_batch_id_or_stored_lot_number(service: ColdChainService):
    book(service)
    lot = Lot(GTIN, "BR-1")
    assert service.resolve_batch("BR-1") == service.resolve_batch(lot.uri) == lot.batch_id
    assert service.resolve_batch("urn:epc:class:lgtin:7891234.000001.BR-1") == lot.batch_id
    assert service.resolve_batch("0x" + lot.batch_id.hex()) == lot.batch_id
    with pytest.raises(NotFound, match="no lot numbered 'BR-9'"):
        service.trace("BR-9")
    with pytest.raises(NotFound, match="is booked on chain"):
        service.trace(Lot(GTIN, "BR-9").uri)


# ---- the store against the chain ----


def test_a_stored_event_altered_after_anchoring_is_caught_by_the_trace(service: ColdChainService, db):
    lot = book(service)
    service.record_event(IMPORTER, lot, "arriving", location=PORT, time=T0, readings=readings(T0, "-17.0"))
    service.record_event(IMPORTER, lot, "storing", location=PORT, time=T0 + timedelta(hours=1))
    with db:
        # Someone "fixes" the breach in the stored copy of the first event.
        db.execute(
            "UPDATE coldchain_events SET event = json_set(event, "
            "'$.sensorElementList[0].sensorReport[0].value', -19.0) WHERE biz_step = 'arriving'"
        )
    trace = service.trace(lot)
    assert not trace.verified
    [altered, untouched] = trace.events
    assert (
        altered.problem
        == "the stored event does not match its hash on chain: it was altered after it was anchored"
    )
    assert altered.event is None and altered.proof is not None
    assert untouched.problem is None
    assert trace.temperatures == ()  # an altered event's readings are not shown as if they were proven


def test_a_stored_event_altered_after_a_verified_trace_is_caught_by_the_next_one(
    service: ColdChainService, db
):
    lot = book(service)
    service.record_event(IMPORTER, lot, "arriving", location=PORT, time=T0, readings=readings(T0, "-17.0"))
    assert service.trace(lot).verified  # its check is now remembered, and the chain's answers at this head
    with db:
        db.execute(
            "UPDATE coldchain_events SET event = json_set(event, "
            "'$.sensorElementList[0].sensorReport[0].value', -19.0)"
        )
    [altered] = service.trace(lot).events  # same head: no new block tells that anything changed
    assert altered.problem == (
        "the stored event does not match its hash on chain: it was altered after it was anchored"
    )
    with db:
        db.execute(
            "UPDATE coldchain_events SET event = json_set(event, "
            "'$.sensorElementList[0].sensorReport[0].value', -17.0)"
        )
    assert service.trace(lot).verified  # put back as anchored, it matches again


def test_stored_readings_altered_after_a_verified_trace_are_caught_by_the_next_one(
    service: ColdChainService, db
):
    lot = book(service)
    service.record_event(
        IMPORTER, lot, "arriving", location=PORT, time=T0, readings=readings(T0, "-21.0", "-17.0")
    )
    assert service.trace(lot).verified
    with db:
        db.execute(
            "UPDATE coldchain_readings SET device = 'urn:epc:id:giai:6901234.OTHER' WHERE position = 0"
        )
    assert service.trace(lot).events[0].problem == "the store's stored readings differ from the chain's"


def test_a_trace_sees_a_new_block_at_once(service: ColdChainService):
    lot = book(service)
    service.record_event(IMPORTER, lot, "arriving", location=PORT, time=T0)
    assert len(service.trace(lot).events) == 1
    service.record_event(IMPORTER, lot, "storing", location=PORT, time=T0 + timedelta(hours=1))
    assert [event.biz_step for event in service.trace(lot).events] == ["arriving", "storing"]


def test_stored_readings_that_differ_from_the_anchored_ones_are_caught(service: ColdChainService, db):
    lot = book(service)
    anchored = service.record_event(
        IMPORTER, lot, "arriving", location=PORT, time=T0, readings=readings(T0, "-21.0", "-17.0")
    )
    with db:
        db.execute("UPDATE coldchain_readings SET high_tenths = -190, low_tenths = -190 WHERE position = 1")
    trace = service.trace(lot)
    assert trace.events[0].problem == "the store's stored readings differ from the chain's"
    proof = service.reading_proof(lot, anchored.items[0].event_hash, 1)
    assert not proof.verified_locally and not proof.verified_on_chain


def test_a_missing_or_stray_stored_event_is_reported(service: ColdChainService, db):
    lot = book(service)
    service.record_event(IMPORTER, lot, "arriving", location=PORT, time=T0)
    with db:
        db.execute("UPDATE coldchain_events SET event_hash = '0x' || lower(hex(randomblob(32)))")
    trace = service.trace(lot)
    assert trace.events[0].problem == "the chain anchored this event; the store has no copy of it"
    assert len(trace.store_problems) == 1 and "which the chain never anchored" in trace.store_problems[0]


def test_every_reading_has_a_merkle_proof_checked_here_and_by_the_contract(service: ColdChainService):
    lot = book(service)
    anchored = service.record_event(
        IMPORTER,
        lot,
        "transporting",
        location=PORT,
        time=T0,
        readings=readings(T0, "-21.5", "-21.3", "-19.9", "-18.4", "-18.0"),
        device="urn:epc:id:giai:6901234.TRUCK-01",
    )
    event_hash = anchored.items[0].event_hash
    for index, value in enumerate(["-21.5", "-21.3", "-19.9", "-18.4", "-18.0"]):
        proof = service.reading_proof(lot, "0x" + event_hash.hex(), index)
        assert proof.verified, index
        assert (proof.reading.value, proof.reading.device) == (value, "urn:epc:id:giai:6901234.TRUCK-01")
        assert proof.proof == Proof(anchored.receipt.tx_hash, anchored.receipt.block_number)
    with pytest.raises(NotFound, match="none numbered 5"):
        service.reading_proof(lot, event_hash, 5)
    with pytest.raises(NotFound, match="is not anchored"):
        service.reading_proof(lot, b"\x01" * 32, 0)


# ---- writes: chain first, then the store ----


def test_a_refused_transaction_stores_nothing(runtime: Runtime, service: ColdChainService, store: Store):
    lot = book(service)
    before = (rows(store, ColdChainEventRow), rows(store, ColdChainReadingRow), rows(store, ColdChainLotRow))
    with pytest.raises(ContractReverted) as refused:
        service.record_event(CARRIER, lot, "storing", location=DEPOT, time=T0, readings=readings(T0, "-20"))
    assert refused.value.error_name == "ColdChainNotCustodian"
    with pytest.raises(ContractReverted, match="ColdChainBatchExists"):
        book(service)
    with pytest.raises(ContractReverted, match="ColdChainBatchNotCleared"):
        service.record_event(IMPORTER, lot, "retail_selling", location=STORE, time=T0)
    assert (
        rows(store, ColdChainEventRow),
        rows(store, ColdChainReadingRow),
        rows(store, ColdChainLotRow),
    ) == before


def test_a_document_is_anchored_in_one_transaction_new_lots_included(
    runtime: Runtime, service: ColdChainService
):
    lot = book(service)
    split = {
        "type": "TransformationEvent",
        "bizStep": "repackaging",
        "eventTime": "2025-03-02T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "readPoint": {"id": DEPOT},
        "inputQuantityList": [{"epcClass": Lot(GTIN, lot).uri, "quantity": 24000, "uom": "KGM"}],
        "outputQuantityList": [
            {"epcClass": Lot(GTIN, f"{lot}-{n}").uri, "quantity": 8000, "uom": "KGM"} for n in "ABC"
        ],
        "gz:reason": "retail packs",
    }
    ship = object_event(
        f"{lot}-B",
        "shipping",
        20,
        destinationList=[
            {"type": "possessing_party", "destination": "https://logistics.lingnan.example.cn/"}
        ],
    )
    before = head(runtime)
    anchoring = service.ingest(
        IMPORTER,
        json.dumps(
            document(
                split, object_event(f"{lot}-B", "storing", 10, sensorElementList=sensors(-20.5, -19)), ship
            )
        ).encode(),
    )
    assert head(runtime) == before + 1
    assert [(i.lot, i.biz_step, i.path) for i in anchoring.items] == [
        (lot, "repackaging", "eventList[0]"),
        (f"{lot}-B", "storing", "eventList[1]"),
        (f"{lot}-B", "shipping", "eventList[2]"),
    ]
    assert anchoring.items[0].children == (f"{lot}-A", f"{lot}-B", f"{lot}-C")
    assert anchoring.items[2].recipient == runtime.keys.address(CARRIER)
    service.record_event(CARRIER, f"{lot}-B", "receiving", location=DEPOT, time=T0)
    trace = service.trace(f"{lot}-B")
    assert trace.verified, trace.problems
    assert trace.events[1].event is not None and trace.events[1].event["gz:reason"] == "retail packs"
    assert trace.custody[-1].custodian_name == "Lingnan Cold-Chain Logistics Co."


def test_a_document_the_chain_refuses_in_part_is_anchored_not_at_all(
    runtime: Runtime, service: ColdChainService, store: Store
):
    lot = book(service, quantity=8000)
    events_before = rows(store, ColdChainEventRow)
    doc = document(
        object_event(lot, "storing", 1, sensorElementList=sensors(-20.0)),
        object_event(lot, "retail_selling", 2),  # before clearance
        object_event(lot, "storing", 3),
    )
    with pytest.raises(ContractReverted) as refused:
        service.ingest(IMPORTER, doc)
    assert refused.value.error_name == "ColdChainBatchNotCleared"
    assert refused.value.args_by_name["event"] == "eventList[1]"
    assert rows(store, ColdChainEventRow) == events_before
    assert rows(store, ColdChainReadingRow) == 0
    assert service.trace(lot).events == ()


@pytest.mark.parametrize(
    ("events", "field", "reason"),
    [
        (
            [object_event("BR-1", "storing", 1), object_event("BR-9", "storing", 2)],
            "eventList[1].quantityList",
            "no batch is booked for lot https://id.gs1.org/01/07891234000019/10/BR-9",
        ),
        (
            [
                object_event("BR-1", "storing", 1),
                {**object_event("BR-1", "storing", 2), "eventTimeZoneOffset": "+8"},
            ],
            "eventList[1].eventTimeZoneOffset",
            "'+8' is not a valid time-zone offset",
        ),
        (
            [object_event("BR-1", "shipping", 1)],
            "eventList[0].destinationList",
            "a shipping event names the next custodian",
        ),
        (
            [
                object_event(
                    "BR-1",
                    "shipping",
                    1,
                    destinationList=[
                        {"type": "possessing_party", "destination": "https://someone.example.com"}
                    ],
                )
            ],
            "eventList[0].destinationList[0].destination",
            "is not a consortium member",
        ),
        (
            [object_event("BR-1", "storing", 1), object_event("BR-1", "storing", 1)],
            "eventList[1]",
            "the same event for the same lot is listed twice",
        ),
        (
            [
                {
                    **object_event("BR-1", "storing", 1),
                    "quantityList": [],
                    "epcList": ["urn:epc:id:sgtin:7891234.000001.1"],
                }
            ],
            "eventList[0].quantityList",
            "names no lot",
        ),
    ],
)
def test_a_document_with_one_bad_event_is_refused_before_any_transaction(
    runtime: Runtime, service: ColdChainService, store: Store, events, field, reason
):
    book(service)
    before = head(runtime)
    with pytest.raises(InvalidInput) as refused:
        service.ingest(IMPORTER, document(*events))
    assert refused.value.field == field
    assert reason in refused.value.reason
    assert head(runtime) == before
    assert rows(store, ColdChainEventRow) == 0


def split_event(outputs: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    event = {
        "type": "TransformationEvent",
        "bizStep": "repackaging",
        "eventTime": "2025-03-02T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [{"epcClass": Lot(GTIN, "BR-1").uri, "quantity": 24000, "uom": "KGM"}],
        "outputQuantityList": outputs,
    }
    return {**event, **changes}


def output(lot: str, quantity: object, uom: str = "KGM", gtin: str = GTIN) -> dict[str, Any]:
    return {"epcClass": Lot(gtin, lot).uri, "quantity": quantity, "uom": uom}


@pytest.mark.parametrize(
    ("event", "field", "reason"),
    [
        (
            split_event([output("A", 8000), output("B", 8000)]),
            "eventList[0].outputQuantityList",
            "the child lots add up to 16000 KGM, the batch holds 24000 KGM",
        ),
        (
            split_event([output("A", 12000), output("B", 12000, "GRM")]),
            "eventList[0].outputQuantityList[1].uom",
            "KGM",
        ),
        (
            split_event([output("A", 23999.5), output("B", 0.5)]),
            "eventList[0].outputQuantityList[0].quantity",
            "whole",
        ),
        (
            split_event([output("A", 24000, gtin="96385074")]),
            "eventList[0].outputQuantityList[0].epcClass",
            "keeps the batch's GTIN",
        ),
        (
            split_event([output("BR-1", 24000)]),
            "eventList[0].outputQuantityList[0].epcClass",
            "is booked already",
        ),
        (
            split_event([output("A", 24000)], bizStep="shipping"),
            "eventList[0].bizStep",
            "a split cannot be a shipping",
        ),
        (
            split_event([output("A", 24000)], inputQuantityList=[]),
            "eventList[0].inputQuantityList",
            "exactly one input lot",
        ),
        (
            split_event(
                [output("A", 24000)],
                inputQuantityList=[{"epcClass": Lot(GTIN, "BR-1").uri, "quantity": 20000, "uom": "KGM"}],
            ),
            "eventList[0].inputQuantityList[0].quantity",
            "the batch holds 24000 KGM",
        ),
    ],
)
def test_a_split_is_checked_before_any_transaction(
    runtime: Runtime, service: ColdChainService, event, field, reason
):
    book(service)
    before = head(runtime)
    with pytest.raises(InvalidInput) as refused:
        service.ingest(IMPORTER, document(event))
    assert (refused.value.field, head(runtime)) == (field, before)
    assert reason in refused.value.reason


def test_recording_an_event_checks_its_own_input(service: ColdChainService):
    lot = book(service)
    with pytest.raises(InvalidInput, match="names the next custodian"):
        service.record_event(IMPORTER, lot, "shipping", location=PORT)
    with pytest.raises(InvalidInput, match="only a shipping event"):
        service.record_event(IMPORTER, lot, "storing", location=PORT, recipient=WAREHOUSE)
    with pytest.raises(InvalidInput, match="bizStep"):
        service.record_event(IMPORTER, lot, "returning", location=PORT)
    with pytest.raises(InvalidInput, match="UTC offset"):
        service.record_event(IMPORTER, lot, "storing", location=PORT, time=datetime(2025, 3, 1))
    with pytest.raises(InvalidInput) as refused:
        service.ingest(IMPORTER, b"\xff not json")
    assert refused.value.field == "document"


def test_a_document_too_big_for_one_transaction_is_refused_before_any(
    runtime: Runtime, service: ColdChainService
):
    lot = book(service)
    events = [
        object_event(
            lot, "storing", minute % 60, eventTime=f"2025-03-02T{10 + minute // 60}:{minute % 60:02d}:00Z"
        )
        for minute in range(101)
    ]
    before = head(runtime)
    with pytest.raises(InvalidInput) as refused:
        service.ingest(IMPORTER, document(*events))
    assert refused.value.field == "epcisBody.eventList"
    assert "101 events" in refused.value.reason and "at most 100" in refused.value.reason  # counted first
    assert head(runtime) == before


@pytest.mark.parametrize(
    ("column", "tampered"),
    [
        ("value", "'-5.0'"),  # the displayed value: its tenths alone were covered before (issue #15)
        ("start_ms", "start_ms + 60000"),  # the displayed time
        ("device", "'urn:epc:id:giai:6901234.OTHER'"),  # the sensor
        ("low_tenths", "-50"),
    ],
)
def test_tampering_any_displayed_field_of_a_stored_reading_makes_the_trace_say_so(
    service: ColdChainService, db, column: str, tampered: str
):
    lot = book(service)
    service.record_event(
        IMPORTER, lot, "arriving", location=PORT, time=T0, readings=readings(T0, "-20.2", "-17.0")
    )
    trace = service.trace(lot)
    assert trace.verified and trace.temperatures[0].reading.value == "-20.2"
    with db:
        db.execute(f"UPDATE coldchain_readings SET {column} = {tampered} WHERE position = 0")
    trace = service.trace(lot)
    assert not trace.verified
    assert trace.events[0].problem == "the store's stored readings differ from the chain's"
    assert trace.temperatures == (), "readings of an event that fails its check are not shown as proven"


@pytest.mark.parametrize(
    ("column", "tampered"),
    [
        ("value", "'-5.0'"),  # same tenths' leaf, so the Merkle proof alone still holds
        ("start_ms", "start_ms + 60000"),
    ],
)
def test_a_reading_proof_of_a_tampered_stored_reading_is_not_verified_and_says_why(
    service: ColdChainService, db, column: str, tampered: str
):
    lot = book(service)
    anchored = service.record_event(
        IMPORTER, lot, "arriving", location=PORT, time=T0, readings=readings(T0, "-20.2", "-17.0")
    )
    event_hash = anchored.items[0].event_hash
    proof = service.reading_proof(lot, event_hash, 0)
    assert proof.verified and proof.problem is None and proof.reading.value == "-20.2"
    with db:
        db.execute(f"UPDATE coldchain_readings SET {column} = {tampered} WHERE position = 0")
    proof = service.reading_proof(lot, event_hash, 0)
    assert not proof.verified and not proof.verified_locally
    assert proof.problem == "the store's stored readings differ from the chain's"
    untouched = service.reading_proof(lot, event_hash, 1)  # its event's readings no longer check either
    assert not untouched.verified and untouched.problem == proof.problem


def test_a_reading_proof_of_an_event_altered_in_the_store_is_not_verified(service: ColdChainService, db):
    lot = book(service)
    anchored = service.record_event(
        IMPORTER, lot, "arriving", location=PORT, time=T0, readings=readings(T0, "-20.2", "-17.0")
    )
    with db:
        db.execute(
            "UPDATE coldchain_events SET event = json_set(event, '$.readPoint.id', 'urn:epc:id:sgln:0.0.0')"
        )
    proof = service.reading_proof(lot, anchored.items[0].event_hash, 0)
    assert not proof.verified
    assert proof.problem and "does not match its hash on chain" in proof.problem


def test_a_lot_number_altered_in_the_store_is_not_shown_as_the_lots_name(service: ColdChainService, db):
    lot = book(service, "BR-7")
    batch_id = service.resolve_batch(lot)
    assert service.trace(batch_id).batch.label == "BR-7"
    with db:
        db.execute("UPDATE coldchain_lots SET lot_number = 'FAKE-1'")
    assert service.trace(batch_id).batch.label == "0x" + batch_id.hex()[:12] + "…"
