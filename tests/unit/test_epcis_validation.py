"""Parsing EPCIS 2.0 documents and events: what is accepted, and how malformed input is reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.epcis import (
    BizTransaction,
    QuantityElement,
    SourceOrDestination,
    parse_document,
    parse_event,
)
from gzchain.domain.epcis.timestamps import _TIMESTAMP, _from_fields, parse_timestamp
from gzchain.domain.errors import InvalidInput

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CHINA_STANDARD_TIME = timezone(timedelta(hours=8))


def cold_chain_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T08:30:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"],
        "action": "OBSERVE",
        "bizStep": "storing",
        "disposition": "in_progress",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00010.0"},
        "bizLocation": {"id": "urn:epc:id:sgln:6901234.00010.0"},
        "bizTransactionList": [{"type": "cert", "bizTransaction": "urn:gzchain:cert:quarantine:2024-000123"}],
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00000"}],
        "destinationList": [{"type": "location", "destination": "urn:epc:id:sgln:6901234.00011.0"}],
        "sensorElementList": [
            {
                "sensorMetadata": {
                    "time": "2024-05-01T08:00:00+08:00",
                    "deviceID": "urn:epc:id:giai:6901234.S1",
                },
                "sensorReport": [{"type": "Temperature", "value": -18.5, "uom": "CEL"}],
            }
        ],
    }
    event.update(changes)
    return event


def transformation_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "TransformationEvent",
        "eventTime": "2024-05-02T10:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:6901234.012345.BATCH7", "quantity": 1200, "uom": "KGM"}
        ],
        "outputQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:6901234.012346.BATCH7-1", "quantity": 600, "uom": "KGM"},
            {"epcClass": "urn:epc:class:lgtin:6901234.012346.BATCH7-2", "quantity": 600, "uom": "KGM"},
        ],
        "bizStep": "repackaging",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00012.0"},
        "ilmd": {"cbvmda:lotNumber": "BATCH7-1"},
    }
    event.update(changes)
    return event


def document(*events: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [EPCIS_CONTEXT, {"gz": "https://gzchain.example/epcis/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-01T09:00:00+08:00",
        "epcisBody": {"eventList": list(events)},
    }
    doc.update(changes)
    return doc


def rejection(event: dict[str, Any], index: int = 0) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_event(event, index)
    return caught.value


# ------------------------------------------------------------------------------------ accepted input


def test_parses_a_cold_chain_storage_event() -> None:
    event = parse_event(cold_chain_event())

    assert event.type == "ObjectEvent"
    assert event.event_time == datetime(2024, 5, 1, 8, 30, tzinfo=CHINA_STANDARD_TIME)
    assert event.event_time_zone_offset == "+08:00"
    assert (event.action, event.biz_step, event.disposition) == ("OBSERVE", "storing", "in_progress")
    assert event.read_point == event.biz_location == "urn:epc:id:sgln:6901234.00010.0"
    assert event.epc_list == ("urn:epc:id:sgtin:6901234.012345.1001",)
    assert event.biz_transactions == (BizTransaction("urn:gzchain:cert:quarantine:2024-000123", "cert"),)
    assert event.sources == (SourceOrDestination("urn:epc:id:pgln:6901234.00000", "owning_party"),)
    assert event.destinations == (SourceOrDestination("urn:epc:id:sgln:6901234.00011.0", "location"),)
    assert [reading.celsius for reading in event.temperature_readings] == [Decimal("-18.5")]


def test_a_parsed_event_keeps_a_private_copy_of_its_json() -> None:
    json_event = cold_chain_event()

    event = parse_event(json_event)
    json_event["bizStep"] = "shipping"

    assert event.raw["bizStep"] == "storing"


def test_parses_a_transformation_that_splits_a_batch_into_retail_lots() -> None:
    event = parse_event(transformation_event())

    assert event.action is None
    assert event.input_quantity_list == (
        QuantityElement("urn:epc:class:lgtin:6901234.012345.BATCH7", Decimal(1200), "KGM"),
    )
    assert [element.quantity for element in event.output_quantity_list] == [Decimal(600), Decimal(600)]


def test_parses_every_event_of_a_document_in_order() -> None:
    events = parse_document(document(cold_chain_event(), transformation_event()))

    assert [event.type for event in events] == ["ObjectEvent", "TransformationEvent"]


def test_a_document_may_have_no_events() -> None:
    assert parse_document(document()) == []


@pytest.mark.parametrize(
    "biz_step",
    [
        "storing",
        "cbv:BizStep-storing",
        "https://ref.gs1.org/cbv/BizStep-storing",
        "urn:epcglobal:cbv:bizstep:storing",
    ],
)
def test_accepts_a_cbv_biz_step_in_every_spelling(biz_step: str) -> None:
    assert parse_event(cold_chain_event(bizStep=biz_step)).biz_step == "storing"


@pytest.mark.parametrize(
    "disposition", ["recalled", "cbv:Disp-recalled", "https://ref.gs1.org/cbv/Disp-recalled"]
)
def test_accepts_a_cbv_disposition_in_every_spelling(disposition: str) -> None:
    assert parse_event(cold_chain_event(disposition=disposition)).disposition == "recalled"


def test_accepts_a_business_transaction_type_of_ones_own() -> None:
    customs = {
        "type": "urn:gzchain:btt:customs_declaration",
        "bizTransaction": "urn:gzchain:customs:530120240001",
    }

    event = parse_event(cold_chain_event(bizTransactionList=[customs]))

    assert event.biz_transactions[0].type == "urn:gzchain:btt:customs_declaration"


def test_accepts_namespaced_extension_fields() -> None:
    event = parse_event(cold_chain_event(**{"gz:customsDeclaration": "530120240001"}))

    assert event.raw["gz:customsDeclaration"] == "530120240001"


def test_accepts_an_object_event_with_only_sensor_data_and_a_read_point() -> None:
    event = cold_chain_event(bizStep="sensor_reporting")
    del event["epcList"]

    assert parse_event(event).biz_step == "sensor_reporting"


def test_accepts_timestamps_in_utc() -> None:
    event = parse_event(cold_chain_event(eventTime="2024-05-01T00:30:00Z"))

    assert event.event_time == datetime(2024, 5, 1, 0, 30, tzinfo=UTC)


# ------------------------------------------------------------------------------------ malformed events


def test_rejects_an_event_without_event_time() -> None:
    event = cold_chain_event()
    del event["eventTime"]

    problem = rejection(event, index=2)

    assert problem.field == "eventList[2].eventTime"
    assert problem.reason.startswith("eventTime is missing")


@pytest.mark.parametrize(
    "event_time", ["2024-05-01T08:30:00", "2024-05-01 08:30:00+08:00", "1 May 2024", 1714523400]
)
def test_rejects_an_event_time_that_is_not_iso_8601_with_an_offset(event_time: object) -> None:
    problem = rejection(cold_chain_event(eventTime=event_time))

    assert problem.field == "eventList[0].eventTime"


def test_rejects_an_event_time_without_offset_saying_so() -> None:
    problem = rejection(cold_chain_event(eventTime="2024-05-01T08:30:00"))

    assert "'2024-05-01T08:30:00' has no UTC offset" in problem.reason


def test_rejects_an_event_time_that_does_not_exist() -> None:
    problem = rejection(cold_chain_event(eventTime="2024-02-30T08:30:00+08:00"))

    assert "is not a real date-time" in problem.reason


@pytest.mark.parametrize("offset", ["+25:00", "+14:30", "08:00", "+8:00", "+08:60", "Z", ""])
def test_rejects_an_invalid_time_zone_offset(offset: str) -> None:
    problem = rejection(cold_chain_event(eventTimeZoneOffset=offset), index=2)

    assert problem.field == "eventList[2].eventTimeZoneOffset"
    assert problem.reason == f"'{offset}' is not a valid time-zone offset (expected ±hh:mm, at most +14:00)"


@pytest.mark.parametrize("offset", ["+14:00", "-14:00", "-12:00", "+05:45", "+00:00"])
def test_accepts_time_zone_offsets_up_to_fourteen_hours(offset: str) -> None:
    assert parse_event(cold_chain_event(eventTimeZoneOffset=offset)).event_time_zone_offset == offset


@pytest.mark.parametrize(
    "biz_step", ["sailing", "cbv:BizStep-sailing", "Storing", "https://example.com/bizstep/storing"]
)
def test_rejects_a_biz_step_outside_cbv_2_0(biz_step: str) -> None:
    problem = rejection(cold_chain_event(bizStep=biz_step))

    assert problem.field == "eventList[0].bizStep"
    assert problem.reason == (
        f"'{biz_step}' is not a CBV 2.0 bizStep (expected e.g. 'shipping', 'cbv:BizStep-shipping' or "
        "'https://ref.gs1.org/cbv/BizStep-shipping')"
    )


def test_rejects_a_disposition_outside_cbv_2_0() -> None:
    problem = rejection(cold_chain_event(disposition="frozen"))

    assert problem.field == "eventList[0].disposition"
    assert "'frozen' is not a CBV 2.0 disposition" in problem.reason


@pytest.mark.parametrize("uom", ["KGM", "C", "°C", "cel"])
def test_rejects_a_temperature_report_in_a_unit_that_is_not_a_temperature(uom: str) -> None:
    event = cold_chain_event()
    event["sensorElementList"][0]["sensorReport"][0]["uom"] = uom

    problem = rejection(event)

    assert problem.field == "eventList[0].sensorElementList[0].sensorReport[0].uom"
    assert uom in problem.reason


def test_rejects_a_temperature_report_in_kilograms_saying_which_units_are_allowed() -> None:
    event = cold_chain_event()
    event["sensorElementList"][0]["sensorReport"][0]["uom"] = "KGM"

    assert rejection(event).reason == "'KGM' is not a temperature unit (expected CEL, FAR or KEL)"


def test_rejects_a_temperature_report_without_a_unit() -> None:
    event = cold_chain_event()
    del event["sensorElementList"][0]["sensorReport"][0]["uom"]

    problem = rejection(event)

    assert problem.field == "eventList[0].sensorElementList[0].sensorReport[0].uom"
    assert problem.reason == "a Temperature report needs a uom (CEL, FAR or KEL)"


def test_rejects_a_gs1_temperature_report_without_a_value() -> None:
    report = {"type": "gs1:Temperature", "uom": "CEL"}
    event = cold_chain_event(sensorElementList=[{"sensorReport": [report]}])

    assert rejection(event).field == "eventList[0].sensorElementList[0].sensorReport[0].value"


def test_rejects_a_sensor_reading_that_is_not_a_number() -> None:
    event = cold_chain_event()
    event["sensorElementList"][0]["sensorReport"][0]["value"] = "-18.5"

    problem = rejection(event)

    assert problem.field == "eventList[0].sensorElementList[0].sensorReport[0].value"
    assert problem.reason == "'-18.5' is not a number"


def test_rejects_a_sensor_type_that_is_not_a_gs1_measurement_type() -> None:
    report = {"type": "Humidity", "value": 40, "uom": "P1"}
    event = cold_chain_event(sensorElementList=[{"sensorReport": [report]}])

    problem = rejection(event)

    assert problem.field == "eventList[0].sensorElementList[0].sensorReport[0].type"
    assert "'Humidity' is not a CBV 2.0 sensorReport type" in problem.reason


def test_rejects_a_sensor_time_without_offset() -> None:
    event = cold_chain_event()
    event["sensorElementList"][0]["sensorMetadata"]["time"] = "2024-05-01T08:00:00"

    assert rejection(event).field == "eventList[0].sensorElementList[0].sensorMetadata.time"


@pytest.mark.parametrize("action", ["OBSERVE", "DELETE"])
def test_rejects_ilmd_unless_the_object_event_adds(action: str) -> None:
    problem = rejection(cold_chain_event(action=action, ilmd={"cbvmda:lotNumber": "L1"}), index=1)

    assert problem.field == "eventList[1].ilmd"
    assert problem.reason == f"ilmd is only allowed when action is ADD (action is '{action}')"


def test_accepts_ilmd_when_the_object_event_adds() -> None:
    event = parse_event(
        cold_chain_event(action="ADD", bizStep="commissioning", ilmd={"cbvmda:lotNumber": "L1"})
    )

    assert event.raw["ilmd"] == {"cbvmda:lotNumber": "L1"}


def test_rejects_a_transformation_event_with_an_action() -> None:
    problem = rejection(transformation_event(action="ADD"))

    assert problem.field == "eventList[0].action"
    assert problem.reason == "a TransformationEvent has no action (found 'ADD')"


def test_rejects_a_transformation_event_without_input_or_output() -> None:
    event = transformation_event()
    del event["inputQuantityList"], event["outputQuantityList"]

    problem = rejection(event)

    assert problem.field == "eventList[0].inputEPCList"
    assert "needs an input or output list" in problem.reason


def test_rejects_an_object_event_without_action() -> None:
    event = cold_chain_event()
    del event["action"]

    assert rejection(event).field == "eventList[0].action"


def test_rejects_an_unknown_action() -> None:
    problem = rejection(cold_chain_event(action="MOVE"))

    assert problem.reason == "'MOVE' is not an action (expected one of ADD, DELETE, OBSERVE)"


def test_rejects_an_object_event_that_names_no_objects() -> None:
    event = cold_chain_event()
    del event["epcList"], event["sensorElementList"]

    problem = rejection(event)

    assert problem.field == "eventList[0].epcList"
    assert "needs an epcList, a quantityList, or sensorElementList with readPoint" in problem.reason


def test_rejects_an_unknown_event_type() -> None:
    problem = rejection(cold_chain_event(type="ShippingEvent"))

    assert problem.field == "eventList[0].type"
    assert "'ShippingEvent' is not an EPCIS event type" in problem.reason


def test_rejects_an_unknown_field_that_has_no_namespace() -> None:
    problem = rejection(cold_chain_event(bizstep="storing"))

    assert problem.field == "eventList[0].bizstep"
    assert (
        problem.reason
        == "unknown field 'bizstep' (extension fields need a namespace prefix, e.g. 'gz:bizstep')"
    )


def test_rejects_a_field_of_another_event_type() -> None:
    problem = rejection(cold_chain_event(childEPCs=["urn:epc:id:sgtin:6901234.012345.1"]))

    assert problem.reason == "'childEPCs' is not a field of ObjectEvent"


@pytest.mark.parametrize("uom", ["kg", "KILOGRAM", "K", 3])
def test_rejects_a_quantity_unit_that_is_not_un_ece_rec_20(uom: object) -> None:
    event = cold_chain_event(
        quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": 5, "uom": uom}]
    )

    problem = rejection(event)

    assert problem.field == "eventList[0].quantityList[0].uom"
    assert "is not a UN/ECE Rec 20 unit code" in problem.reason


def test_rejects_a_quantity_element_without_epc_class() -> None:
    event = cold_chain_event(quantityList=[{"quantity": 5, "uom": "KGM"}])

    assert rejection(event).field == "eventList[0].quantityList[0].epcClass"


def test_rejects_a_read_point_without_id() -> None:
    problem = rejection(cold_chain_event(readPoint={}))

    assert problem.field == "eventList[0].readPoint.id"
    assert problem.reason == "readPoint needs an id"


def test_rejects_a_read_point_field_without_namespace() -> None:
    problem = rejection(
        cold_chain_event(readPoint={"id": "urn:epc:id:sgln:6901234.00010.0", "name": "store 3"})
    )

    assert problem.field == "eventList[0].readPoint.name"


def test_rejects_a_read_point_that_is_not_an_object() -> None:
    problem = rejection(cold_chain_event(readPoint="urn:epc:id:sgln:6901234.00010.0"))

    assert problem.field == "eventList[0].readPoint"
    assert problem.reason == "expected a JSON object, not a string"


def test_rejects_an_identifier_that_is_not_a_uri() -> None:
    problem = rejection(cold_chain_event(epcList=["6901234123456"]))

    assert problem.field == "eventList[0].epcList[0]"


def test_rejects_a_source_type_outside_cbv_that_is_not_a_uri() -> None:
    problem = rejection(
        cold_chain_event(sourceList=[{"type": "owner", "source": "urn:epc:id:pgln:6901234.00000"}])
    )

    assert problem.field == "eventList[0].sourceList[0].type"
    assert "'owner' is not a CBV 2.0 source/destination type" in problem.reason


def test_rejects_a_misspelt_cbv_business_transaction_type() -> None:
    transaction = {"type": "cbv:BTT-invoice", "bizTransaction": "urn:gzchain:inv:1"}

    problem = rejection(cold_chain_event(bizTransactionList=[transaction]))

    assert problem.field == "eventList[0].bizTransactionList[0].type"


def test_rejects_a_transaction_event_without_business_transactions() -> None:
    event = cold_chain_event(type="TransactionEvent", bizTransactionList=[])
    del event["sensorElementList"]

    assert rejection(event).field == "eventList[0].bizTransactionList"


def test_rejects_an_aggregation_that_adds_without_a_parent() -> None:
    event = {
        "type": "AggregationEvent",
        "eventTime": "2024-05-01T08:30:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "childEPCs": ["urn:epc:id:sgtin:6901234.012345.1001"],
    }

    problem = rejection(event)

    assert problem.field == "eventList[0].parentID"


def test_names_the_event_id_in_the_message_when_there_is_one() -> None:
    event_id = "ni:///sha-256;0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0?ver=CBV2.0"

    problem = rejection(cold_chain_event(eventID=event_id, eventTimeZoneOffset="+25:00"), index=3)

    assert problem.field == "eventList[3].eventTimeZoneOffset"
    assert problem.reason.endswith(f"(eventID {event_id})")
    assert str(problem).startswith(
        "eventList[3].eventTimeZoneOffset: '+25:00' is not a valid time-zone offset"
    )


def test_rejects_an_event_that_is_not_an_object() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_event(["ObjectEvent"], 4)

    assert caught.value.field == "eventList[4]"


# ------------------------------------------------------------------------------------ malformed documents


def document_rejection(doc: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_document(doc)
    return caught.value


def test_names_the_index_of_the_invalid_event_in_a_document() -> None:
    problem = document_rejection(document(cold_chain_event(), cold_chain_event(bizStep="sailing")))

    assert problem.field == "eventList[1].bizStep"


def test_reports_the_first_invalid_event_and_lists_the_others() -> None:
    doc = document(
        cold_chain_event(eventTimeZoneOffset="+25:00"),
        cold_chain_event(),
        transformation_event(action="ADD"),
        cold_chain_event(bizStep="sailing"),
    )

    problem = document_rejection(doc)

    assert problem.field == "eventList[0].eventTimeZoneOffset"
    assert problem.reason.endswith("(also invalid: eventList[2].action, eventList[3].bizStep)")


def test_rejects_a_document_without_context() -> None:
    doc = document(cold_chain_event())
    del doc["@context"]

    problem = document_rejection(doc)

    assert problem.field == "@context"
    assert problem.reason.startswith("@context is missing")


def test_rejects_a_document_whose_context_is_not_epcis_2_0() -> None:
    problem = document_rejection(document(cold_chain_event(), **{"@context": ["https://schema.org/"]}))

    assert problem.field == "@context"


def test_accepts_a_context_that_is_just_the_epcis_context_url() -> None:
    assert len(parse_document(document(cold_chain_event(), **{"@context": EPCIS_CONTEXT}))) == 1


@pytest.mark.parametrize("document_type", ["EPCISQueryDocument", "epcisDocument", None])
def test_rejects_a_document_that_is_not_an_epcis_document(document_type: object) -> None:
    doc = document(cold_chain_event(), type=document_type)
    if document_type is None:
        del doc["type"]

    assert document_rejection(doc).field == "type"


@pytest.mark.parametrize("schema_version", ["1.2", 2.0, "2"])
def test_rejects_a_schema_version_other_than_2_0(schema_version: object) -> None:
    problem = document_rejection(document(cold_chain_event(), schemaVersion=schema_version))

    assert problem.field == "schemaVersion"
    assert "is not a supported schemaVersion (expected '2.0')" in problem.reason


def test_rejects_a_creation_date_without_offset() -> None:
    problem = document_rejection(document(cold_chain_event(), creationDate="2024-05-01T09:00:00"))

    assert problem.field == "creationDate"


@pytest.mark.parametrize("body", [None, [], {"eventList": {}}, {"events": []}])
def test_rejects_a_document_without_an_event_list(body: object) -> None:
    problem = document_rejection(document(cold_chain_event(), epcisBody=body))

    assert problem.field in ("epcisBody", "epcisBody.eventList")


def test_rejects_a_document_that_is_not_an_object() -> None:
    assert document_rejection([cold_chain_event()]).field == "document"


@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30)),
    st.text("0123456789", max_size=9),
    st.sampled_from(["Z", "+08:00", "-00:00", "+14:00", "-14:00", "-05:30", "+13:59"]),
)
def test_a_timestamp_is_read_as_its_fields_say(moment: datetime, fraction: str, offset: str) -> None:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + (f".{fraction}" if fraction else "") + offset
    found = _TIMESTAMP.fullmatch(text)
    assert found is not None
    expected = _from_fields(found, fraction, offset)  # what the fast parse must agree with
    parsed = parse_timestamp(text, field="eventTime").moment
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()
