"""CBV 2.0 event hashes: the reference generator's published vectors, and the algorithm's properties."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.epcis import event_hash, hashing, parse_document, parse_event, prehash_string
from gzchain.domain.epcis.jsonld import namespaces_from_context
from gzchain.domain.errors import InvalidInput

VECTORS = Path(__file__).parent / "epcis_vectors"
NI_URI = re.compile(r"ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0")


def load_vector(name: str) -> tuple[dict[str, Any], list[str]]:
    document = json.loads((VECTORS / f"{name}.jsonld").read_text(encoding="utf-8"))
    hashes = (VECTORS / f"{name}.hashes").read_text(encoding="utf-8").split()
    return document, hashes


VECTOR_NAMES = sorted(path.stem for path in VECTORS.glob("*.jsonld"))
VECTOR_EVENTS = [
    pytest.param(name, index, id=f"{name}[{index}]")
    for name in VECTOR_NAMES
    for index in range(len(load_vector(name)[1]))
]
# This document's last event uses a bizStep of its own, which gzchain does not accept.
DOCUMENTS_WITH_ONLY_CBV_VOCABULARY = [
    name for name in VECTOR_NAMES if name != "epcisDocWithVariousEventTypes"
]


def cold_chain_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T08:30:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1001", "urn:epc:id:sgtin:6901234.012345.1002"],
        "action": "OBSERVE",
        "bizStep": "storing",
        "disposition": "in_progress",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00010.0"},
        "bizTransactionList": [
            {"type": "cert", "bizTransaction": "urn:gzchain:cert:quarantine:440100-2024-000123"},
            {"type": "testres", "bizTransaction": "urn:gzchain:cert:nucleic-acid:440100-2024-000456"},
        ],
        "sensorElementList": [
            {
                "sensorMetadata": {"deviceID": "urn:epc:id:giai:6901234.SENSOR1"},
                "sensorReport": [{"type": "Temperature", "minValue": -19.4, "maxValue": -17.6, "uom": "CEL"}],
            }
        ],
    }
    event.update(changes)
    return event


@pytest.mark.parametrize(("name", "index"), VECTOR_EVENTS)
def test_reproduces_the_reference_generators_published_hash(name: str, index: int) -> None:
    document, hashes = load_vector(name)
    event = document["epcisBody"]["eventList"][index]

    assert event_hash(event, context=document["@context"]) == hashes[index]


@pytest.mark.parametrize("name", DOCUMENTS_WITH_ONLY_CBV_VOCABULARY)
def test_a_parsed_event_hashes_like_its_json(name: str) -> None:
    document, hashes = load_vector(name)

    assert [event_hash(event) for event in parse_document(document)] == hashes


def test_the_vectors_cover_every_event_type_and_sensor_data() -> None:
    events = [event for name in VECTOR_NAMES for event in load_vector(name)[0]["epcisBody"]["eventList"]]

    assert {event["type"] for event in events} >= {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
    }
    assert any("sensorElementList" in event for event in events)
    assert len(events) == len(VECTOR_EVENTS) >= 20


def test_the_hash_is_an_ni_uri_of_sha_256() -> None:
    assert NI_URI.fullmatch(event_hash(cold_chain_event()))


def test_every_event_of_a_document_gets_its_own_hash() -> None:
    document, _ = load_vector("epcisDocWithVariousEventTypes")
    context = document["@context"]

    computed = [event_hash(event, context=context) for event in document["epcisBody"]["eventList"]]

    assert len(computed) == len(document["epcisBody"]["eventList"]) == len(set(computed))


def test_hashing_does_not_modify_the_event() -> None:
    event = cold_chain_event()
    before = copy.deepcopy(event)

    event_hash(event)

    assert event == before


def test_prefixes_declared_by_one_document_do_not_leak_into_the_next() -> None:
    event = cold_chain_event(**{"ext:lot": "A1"})
    undeclared = event_hash(event)

    event_hash(event, context=[{"ext": "https://example.com/ext/"}])

    assert event_hash(event) == undeclared
    assert "{https://example.com/ext/}lot=A1" in prehash_string(
        event, context=[{"ext": "https://example.com/ext/"}]
    )


def test_the_hash_ignores_the_order_of_fields() -> None:
    event = cold_chain_event()
    reversed_fields = dict(reversed(list(event.items())))

    assert event_hash(reversed_fields) == event_hash(event)


@given(
    st.permutations(["urn:epc:id:sgtin:6901234.012345.1001", "urn:epc:id:sgtin:6901234.012345.1002", "a:b"])
)
def test_the_hash_ignores_the_order_of_list_items(epcs: list[str]) -> None:
    assert event_hash(cold_chain_event(epcList=epcs)) == event_hash(
        cold_chain_event(
            epcList=["a:b", "urn:epc:id:sgtin:6901234.012345.1002", "urn:epc:id:sgtin:6901234.012345.1001"]
        )
    )


def test_the_hash_ignores_record_time_event_id_and_error_declaration() -> None:
    annotated = cold_chain_event(
        recordTime="2024-05-02T00:00:00Z",
        eventID="urn:uuid:1d6e7a7c-7d22-4e8a-9a55-2f1f1e0f7d10",
        errorDeclaration={"declarationTime": "2024-05-03T00:00:00Z", "reason": "incorrect_data"},
    )

    assert event_hash(annotated) == event_hash(cold_chain_event())


@pytest.mark.parametrize(
    "changes",
    [
        {"eventTime": "2024-05-01T08:30:00.001+08:00"},
        {"eventTimeZoneOffset": "+00:00"},
        {"epcList": ["urn:epc:id:sgtin:6901234.012345.1001"]},
        {"action": "ADD"},
        {"bizStep": "receiving"},
        {"disposition": "recalled"},
        {"readPoint": {"id": "urn:epc:id:sgln:6901234.00011.0"}},
        {"bizTransactionList": [{"type": "cert", "bizTransaction": "urn:gzchain:cert:quarantine:other"}]},
        {"gz:note": "added"},
    ],
    ids=lambda changes: next(iter(changes)),
)
def test_the_hash_changes_when_the_event_changes(changes: dict[str, Any]) -> None:
    assert event_hash(cold_chain_event(**changes)) != event_hash(cold_chain_event())


def test_a_changed_temperature_changes_the_hash() -> None:
    warmer = cold_chain_event()
    warmer["sensorElementList"][0]["sensorReport"][0]["maxValue"] = -17.5

    assert event_hash(warmer) != event_hash(cold_chain_event())


@pytest.mark.parametrize(
    "biz_step",
    [
        "storing",
        "cbv:BizStep-storing",
        "https://ref.gs1.org/cbv/BizStep-storing",
        "urn:epcglobal:cbv:bizstep:storing",
    ],
)
def test_cbv_words_hash_alike_in_every_spelling(biz_step: str) -> None:
    assert event_hash(cold_chain_event(bizStep=biz_step)) == event_hash(cold_chain_event())


@pytest.mark.parametrize(
    "measurement_type",
    [
        "Temperature",
        "gs1:Temperature",
        "https://gs1.org/voc/Temperature",
        "https://ref.gs1.org/voc/Temperature",
    ],
)
def test_sensor_types_hash_alike_in_every_spelling(measurement_type: str) -> None:
    event = cold_chain_event()
    event["sensorElementList"][0]["sensorReport"][0]["type"] = measurement_type

    assert "sensorReporttype=https://ref.gs1.org/voc/TemperatureminValue=-19.4maxValue=-17.6uom=CEL" in (
        prehash_string(event)
    )


@pytest.mark.parametrize(
    ("event_time", "hashed"),
    [
        ("2024-05-01T08:30:00+08:00", "2024-05-01T00:30:00.000Z"),
        ("2024-05-01T08:30:00.1234+08:00", "2024-05-01T00:30:00.123Z"),
        ("2024-05-01T08:30:00.1235+08:00", "2024-05-01T00:30:00.124Z"),
        ("2024-05-01T08:30:00.1245+08:00", "2024-05-01T00:30:00.125Z"),
        ("2024-12-31T23:59:59.9996-01:00", "2025-01-01T01:00:00.000Z"),
    ],
)
def test_timestamps_are_hashed_in_utc_milliseconds_rounded_half_up(event_time: str, hashed: str) -> None:
    assert f"eventTime={hashed}eventTimeZoneOffset=+08:00" in prehash_string(
        cold_chain_event(eventTime=event_time)
    )


def test_numbers_are_hashed_without_trailing_zeros() -> None:
    event = cold_chain_event(
        quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": 600.0}]
    )
    event["sensorElementList"][0]["sensorReport"][0].update(minValue=-19.40, maxValue=-17)

    prehash = prehash_string(event)

    assert "quantityElementepcClass=https://id.gs1.org/01/06901234123456/10/L1quantity=600" in prehash
    assert "quantity=600.0" not in prehash
    assert "minValue=-19.4maxValue=-17uom=CEL" in prehash


def test_epc_uris_are_hashed_as_gs1_digital_link_uris() -> None:
    prehash = prehash_string(cold_chain_event())

    assert "epc=https://id.gs1.org/01/06901234123456/21/1001" in prehash
    assert "readPointid=https://id.gs1.org/414/6901234000108" in prehash


def test_business_transactions_are_hashed_type_first_and_sorted() -> None:
    prehash = prehash_string(cold_chain_event())

    assert (
        "bizTransactionList"
        "type=https://ref.gs1.org/cbv/BTT-certbizTransaction=urn:gzchain:cert:quarantine:440100-2024-000123"
        "type=https://ref.gs1.org/cbv/BTT-testresbizTransaction=urn:gzchain:cert:nucleic-acid:440100-2024-000456"
    ) in prehash


def test_certification_info_is_not_covered_by_a_cbv_2_0_hash() -> None:
    certified = cold_chain_event(certificationInfo="https://gzchain.example/certificates/GZ-2024-0001")

    assert event_hash(certified) == event_hash(cold_chain_event())


def test_an_event_without_a_type_cannot_be_hashed() -> None:
    event = cold_chain_event()
    del event["type"]

    with pytest.raises(InvalidInput) as caught:
        event_hash(event)

    assert caught.value.field == "type"


def test_a_parsed_event_keeps_its_documents_prefixes_for_the_hash() -> None:
    context = [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"gz": "https://gzchain.example/"},
    ]
    event = cold_chain_event(**{"gz:customsDeclaration": "530120240001"})

    parsed = parse_event(event, context=context)

    assert event_hash(parsed) == event_hash(event, context=context)
    assert "{https://gzchain.example/}customsDeclaration=530120240001" in prehash_string(parsed)


def test_hashing_needs_no_context_document_from_the_network() -> None:
    unknown_context = ["https://contexts.example/never-fetched.jsonld", {"ext": "https://example.com/ext/"}]

    assert NI_URI.fullmatch(event_hash(cold_chain_event(**{"ext:lot": "A1"}), context=unknown_context))


# ---- the sensor-report fast path renders each report as the general rules do ----

REPORT_VALUES = st.one_of(
    st.sampled_from(["Temperature", "gs1:Temperature", "CEL", "ALARM_CONDITION", "ext:thing", " 7.50 ", "1"]),
    st.sampled_from([-0.0, 0.0, 1, 1.0, -20.1, 26, True, None]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(),
    st.sampled_from(["2025-03-02T00:00:00.1235+08:00", "2025-03-02T00:00:00Z", "not a time"]),
    st.just({"#text": "x", "ext:child": 1}),
    st.lists(st.integers(), max_size=2),
)
STANDARD_REPORT_KEYS = ("type", "exception", "time", "value", "minValue", "uom", "deviceID", "component")
REPORT_KEYS = st.sampled_from((*STANDARD_REPORT_KEYS, "booleanValue", "sDev", "ext:foo", "comment", "@id"))


@given(
    st.lists(st.one_of(st.dictionaries(REPORT_KEYS, REPORT_VALUES, max_size=6), st.integers()), max_size=8)
)
def test_sensor_reports_render_as_each_report_alone_would(reports: list[Any]) -> None:
    namespaces = namespaces_from_context([{"ext": "https://ext.example/"}])
    rendered, extensions = hashing._sensor_reports(reports, namespaces)
    one_by_one = [
        hashing._ordered_fields(
            "sensorReport", report, hashing._SENSOR_REPORT_ORDER, namespaces, hashing._TYPED_SENSOR_FIELDS
        )
        for report in reports
    ]
    assert rendered == [fields for fields, _ in one_by_one]
    gathered = [hashing._gathered("sensorReport", leftovers) for _, leftovers in one_by_one]
    assert [text for text in extensions if text] == [text for text in gathered if text]
