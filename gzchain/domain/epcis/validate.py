"""Parse and validate EPCIS 2.0 JSON(-LD) documents and events into ``EpcisEvent`` values.

Errors are ``InvalidInput`` whose ``field`` is a path into the document, such as
``eventList[2].eventTimeZoneOffset`` or ``eventList[0].sensorElementList[1].sensorReport[0].uom``; the
message says what is wrong and, when the event has an ``eventID``, which event it is.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, NoReturn

from gzchain.domain.epcis.jsonld import namespaces_from_context
from gzchain.domain.epcis.model import (
    BizTransaction,
    EpcisEvent,
    QuantityElement,
    SourceOrDestination,
    TemperatureReading,
)
from gzchain.domain.epcis.temperature import TEMPERATURE_UNITS, to_celsius
from gzchain.domain.epcis.timestamps import is_time_zone_offset, parse_timestamp, read_timestamp
from gzchain.domain.epcis.vocabulary import (
    ACTIONS,
    BIZ_STEPS,
    BIZ_TRANSACTION_TYPES,
    DISPOSITIONS,
    EPCIS_CONTEXTS,
    ERROR_REASONS,
    EVENT_TYPES,
    MEASUREMENT_TYPES,
    SENSOR_COMPONENTS,
    SENSOR_EXCEPTIONS,
    SOURCE_DESTINATION_TYPES,
    TEMPERATURE,
    Vocabulary,
)
from gzchain.domain.errors import InvalidInput

SCHEMA_VERSION: Final = "2.0"
STANDARD_CONTEXT: Final = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

_UOM: Final = re.compile(r"[A-Z0-9]{2,3}")
_MAX_LISTED_PROBLEMS: Final = 3

_COMMON_FIELDS: Final = frozenset(
    {
        "type",
        "eventTime",
        "eventTimeZoneOffset",
        "eventID",
        "recordTime",
        "errorDeclaration",
        "certificationInfo",
        "readPoint",
        "bizLocation",
        "bizStep",
        "disposition",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
    }
)
_TYPE_FIELDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        # persistentDisposition only on these two, as GS1's EPCIS 2.0 JSON Schema has it (tests check the
        # tables against the schema).
        "ObjectEvent": frozenset({"action", "epcList", "quantityList", "ilmd", "persistentDisposition"}),
        "AggregationEvent": frozenset({"action", "parentID", "childEPCs", "childQuantityList"}),
        "AssociationEvent": frozenset({"action", "parentID", "childEPCs", "childQuantityList"}),
        "TransactionEvent": frozenset({"action", "parentID", "epcList", "quantityList"}),
        "TransformationEvent": frozenset(
            {
                "inputEPCList",
                "inputQuantityList",
                "outputEPCList",
                "outputQuantityList",
                "transformationID",
                "ilmd",
                "persistentDisposition",
            }
        ),
    }
)
_ALL_EVENT_FIELDS: Final = _COMMON_FIELDS.union(*_TYPE_FIELDS.values())
_SENSOR_METADATA_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "time": "timestamp",
        "startTime": "timestamp",
        "endTime": "timestamp",
        "deviceID": "uri",
        "deviceMetadata": "uri",
        "rawData": "uri",
        "dataProcessingMethod": "uri",
        "bizRules": "uri",
    }
)
_SENSOR_REPORT_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "type": "vocabulary",
        "exception": "vocabulary",
        "component": "vocabulary",
        "deviceID": "uri",
        "deviceMetadata": "uri",
        "rawData": "uri",
        "dataProcessingMethod": "uri",
        "microorganism": "uri",
        "chemicalSubstance": "uri",
        "coordinateReferenceSystem": "uri",
        "uriValue": "uri",
        "time": "timestamp",
        "value": "number",
        "minValue": "number",
        "maxValue": "number",
        "meanValue": "number",
        "sDev": "number",
        "percRank": "number",
        "percValue": "number",
        "stringValue": "string",
        "hexBinaryValue": "string",
        "booleanValue": "boolean",
        "uom": "uom",
    }
)
_SENSOR_VOCABULARIES: Final[Mapping[str, Vocabulary]] = MappingProxyType(
    {
        "type": MEASUREMENT_TYPES,
        "exception": SENSOR_EXCEPTIONS,
        "component": SENSOR_COMPONENTS,
    }
)
_TEMPERATURE_VALUES: Final = ("value", "minValue", "maxValue", "meanValue")
_IMMUTABLE_SCALARS: Final = frozenset({str, int, float, bool, type(None), Decimal})
_Path = str | tuple[str, int]  # a field's path, or a list's path and an index in it (spelt out on failure)


def parse_document(document: object) -> list[EpcisEvent]:
    """The events of an EPCIS 2.0 JSON(-LD) ``EPCISDocument``, all validated.

    Every event is checked; the error raised is the first event's first problem, and its message lists
    the fields of other invalid events so that a sender can fix a batch in one round trip.
    """
    if not isinstance(document, Mapping):
        raise InvalidInput(
            f"an EPCIS document is a JSON object, not {_json_type(document)}", field="document"
        )
    context = _document_context(document)
    document_type = _present(document, "type", "expected 'EPCISDocument'")
    if document_type != "EPCISDocument":
        raise InvalidInput(f"{_shown(document_type)} is not 'EPCISDocument'", field="type")
    schema_version = _present(document, "schemaVersion", "expected '2.0'")
    if schema_version != SCHEMA_VERSION:
        raise InvalidInput(
            f"{_shown(schema_version)} is not a supported schemaVersion (expected '2.0')",
            field="schemaVersion",
        )
    creation_date = _present(document, "creationDate", "expected e.g. 2024-05-01T08:30:00+08:00")
    parse_timestamp(creation_date, field="creationDate")
    body = document.get("epcisBody")
    if not isinstance(body, Mapping):
        raise InvalidInput("epcisBody is missing or not a JSON object", field="epcisBody")
    event_list = body.get("eventList")
    if not isinstance(event_list, list):
        raise InvalidInput("eventList is missing or not a JSON array", field="epcisBody.eventList")
    events: list[EpcisEvent] = []
    problems: list[InvalidInput] = []
    for index, event in enumerate(event_list):
        try:
            events.append(parse_event(event, index, context=context))
        except InvalidInput as problem:
            problems.append(problem)
    if problems:
        raise _first_of(problems)
    return events


def parse_event(event: object, index: int = 0, *, context: object = None) -> EpcisEvent:
    """One validated EPCIS 2.0 event; ``index`` is its position in the document's ``eventList``.

    ``context`` is the document's ``@context`` (the event's own ``@context`` is used when absent).
    """
    if not isinstance(event, Mapping):
        raise InvalidInput(f"an event is a JSON object, not {_json_type(event)}", field=f"eventList[{index}]")
    return _EventReader(event, index, context if context is not None else event.get("@context")).read()


class _EventReader:
    """Reads one event, raising ``InvalidInput`` with the event's path at the first problem."""

    def __init__(self, event: Mapping[str, Any], index: int, context: object) -> None:
        self._event = _json_copy(dict(event))
        self._path = f"eventList[{index}]"
        event_id = event.get("eventID")
        self._event_id = event_id if isinstance(event_id, str) else None
        self._context = context

    def fail(self, field: str, message: str) -> NoReturn:
        suffix = f" (eventID {self._event_id})" if self._event_id else ""
        raise InvalidInput(message + suffix, field=f"{self._path}.{field}" if field else self._path)

    def read(self) -> EpcisEvent:
        event = self._event
        event_type = event.get("type")
        if event_type is None:
            self.fail("type", f"type is missing (expected one of {_listed(EVENT_TYPES)})")
        if event_type not in EVENT_TYPES:
            self.fail(
                "type",
                f"{_shown(event_type)} is not an EPCIS event type (expected one of {_listed(EVENT_TYPES)})",
            )
        if "eventTime" not in event:
            self.fail("eventTime", "eventTime is missing (expected e.g. 2024-05-01T08:30:00+08:00)")
        event_time = self.timestamp("eventTime", event["eventTime"])
        offset = event.get("eventTimeZoneOffset")
        if offset is None:
            self.fail("eventTimeZoneOffset", "eventTimeZoneOffset is missing (expected ±hh:mm, e.g. +08:00)")
        if not is_time_zone_offset(offset):
            self.fail(
                "eventTimeZoneOffset",
                f"{_shown(offset)} is not a valid time-zone offset (expected ±hh:mm, at most +14:00)",
            )
        if "eventID" in event and self._event_id is None:
            self.fail("eventID", f"{_shown(event['eventID'])} is not an eventID (expected a URI string)")
        if "recordTime" in event:
            self.timestamp("recordTime", event["recordTime"])
        action = self.action(event_type)
        self.check_fields(event_type)
        self.ilmd(event_type, action)
        self.error_declaration()
        self.certification_info()
        self.persistent_disposition()
        parsed = EpcisEvent(
            type=event_type,
            event_time=event_time,
            event_time_zone_offset=offset,
            event_id=self._event_id,
            action=action,
            parent_id=self.uri_field("parentID"),
            epc_list=self.epc_list("epcList"),
            quantity_list=self.quantity_list("quantityList"),
            child_epcs=self.epc_list("childEPCs"),
            child_quantity_list=self.quantity_list("childQuantityList"),
            input_epc_list=self.epc_list("inputEPCList"),
            input_quantity_list=self.quantity_list("inputQuantityList"),
            output_epc_list=self.epc_list("outputEPCList"),
            output_quantity_list=self.quantity_list("outputQuantityList"),
            transformation_id=self.uri_field("transformationID"),
            biz_step=self.vocabulary_field("bizStep", BIZ_STEPS),
            disposition=self.vocabulary_field("disposition", DISPOSITIONS),
            read_point=self.location("readPoint"),
            biz_location=self.location("bizLocation"),
            biz_transactions=self.biz_transactions(),
            sources=self.sources_or_destinations("sourceList", "source"),
            destinations=self.sources_or_destinations("destinationList", "destination"),
            temperature_readings=self.sensor_elements(),
            raw=event,
            namespaces=namespaces_from_context(self._context),
        )
        self.type_rules(parsed)
        return parsed

    def check_fields(self, event_type: str) -> None:
        allowed = _COMMON_FIELDS | _TYPE_FIELDS[event_type]
        for key in self._event:
            if key in allowed or _is_extension_key(key):
                continue
            if key in _ALL_EVENT_FIELDS:
                self.fail(key, f"'{key}' is not a field of {event_type}")
            self.fail(
                key, f"unknown field '{key}' (extension fields need a namespace prefix, e.g. 'gz:{key}')"
            )

    def action(self, event_type: str) -> str | None:
        action = self._event.get("action")
        if event_type == "TransformationEvent":
            if action is not None:
                self.fail("action", f"a TransformationEvent has no action (found {_shown(action)})")
            return None
        if action is None:
            self.fail("action", f"action is missing (a {event_type} needs one of {_listed(ACTIONS)})")
        if action not in ACTIONS:
            self.fail("action", f"{_shown(action)} is not an action (expected one of {_listed(ACTIONS)})")
        return str(action)

    def type_rules(self, event: EpcisEvent) -> None:
        if event.type == "ObjectEvent":
            has_sensor_data = bool(event.raw.get("sensorElementList")) and event.read_point is not None
            if not (event.epc_list or event.quantity_list or has_sensor_data):
                self.fail(
                    "epcList",
                    "an ObjectEvent needs an epcList, a quantityList, or sensorElementList with readPoint",
                )
        elif event.type in ("AggregationEvent", "AssociationEvent"):
            if event.action in ("ADD", "DELETE") and event.parent_id is None:
                self.fail(
                    "parentID", f"parentID is missing (a {event.type} that does {event.action} needs it)"
                )
            if event.action == "ADD" and not (event.child_epcs or event.child_quantity_list):
                self.fail("childEPCs", f"a {event.type} that does ADD needs childEPCs or childQuantityList")
        elif event.type == "TransactionEvent":
            if not event.biz_transactions:
                self.fail("bizTransactionList", "a TransactionEvent needs a non-empty bizTransactionList")
        elif not (
            event.input_epc_list
            or event.input_quantity_list
            or event.output_epc_list
            or event.output_quantity_list
        ):
            self.fail(
                "inputEPCList",
                "a TransformationEvent needs an input or output list "
                "(inputEPCList, inputQuantityList, outputEPCList or outputQuantityList)",
            )

    def ilmd(self, event_type: str, action: str | None) -> None:
        if "ilmd" not in self._event:
            return
        if not isinstance(self._event["ilmd"], Mapping):
            self.fail("ilmd", "ilmd must be a JSON object of master-data attributes")
        if event_type == "ObjectEvent" and action != "ADD":
            self.fail("ilmd", f"ilmd is only allowed when action is ADD (action is {_shown(action)})")

    def timestamp(self, path: str, value: object) -> datetime:
        try:
            return parse_timestamp(value, field=path).moment
        except InvalidInput as problem:
            reason = problem.reason
        self.fail(path, reason)

    def nested_timestamp(self, path: str, node: Mapping[str, Any], key: str) -> datetime | None:
        return self.timestamp(f"{path}.{key}", node[key]) if key in node else None

    def uri(self, path: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"{_shown(value)} is not an identifier (expected a URI string)")
        if ":" not in value:
            self.fail(
                path, f"'{value}' is not a URI (expected e.g. urn:epc:id:sgln:... or https://id.gs1.org/...)"
            )
        return value.strip()

    def uri_field(self, field: str) -> str | None:
        return self.uri(field, self._event[field]) if field in self._event else None

    def epc_list(self, field: str) -> tuple[str, ...]:
        return tuple(self.uri(f"{field}[{i}]", epc) for i, epc in enumerate(self.array(field, self._event)))

    def array(self, path: str, node: Mapping[str, Any], key: str | None = None) -> list[Any]:
        key = path if key is None else key
        value = node.get(key, [])
        if not isinstance(value, list):
            self.fail(path, f"{key} must be a JSON array, not {_json_type(value)}")
        return value

    def json_object(self, path: str, value: object) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a JSON object, not {_json_type(value)}")
        return value

    def quantity_list(self, field: str) -> tuple[QuantityElement, ...]:
        return tuple(
            self.quantity_element(f"{field}[{i}]", element)
            for i, element in enumerate(self.array(field, self._event))
        )

    def quantity_element(self, path: str, value: object) -> QuantityElement:
        element = self.json_object(path, value)
        self.known_keys(path, element, {"epcClass", "quantity", "uom"})
        if "epcClass" not in element:
            self.fail(f"{path}.epcClass", "epcClass is missing")
        quantity = self.number(f"{path}.quantity", element["quantity"]) if "quantity" in element else None
        if quantity is not None and quantity < 0:
            self.fail(f"{path}.quantity", f"quantity {quantity} is negative")
        uom = self.uom(f"{path}.uom", element["uom"]) if "uom" in element else None
        if uom is not None and quantity is None:
            self.fail(f"{path}.uom", f"uom '{uom}' without a quantity")
        return QuantityElement(
            epc_class=self.uri(f"{path}.epcClass", element["epcClass"]), quantity=quantity, uom=uom
        )

    def number(self, path: str, value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.fail(path, f"{_shown(value)} is not a number")
        # str() first: the decimal a sender wrote (26.1), not the binary float nearest to it.
        number = Decimal(str(value))
        if not number.is_finite():
            self.fail(path, f"{value} is not a finite number")
        return number

    def uom(self, path: str, value: object) -> str:
        if not isinstance(value, str) or _UOM.fullmatch(value) is None:
            self.fail(
                path,
                f"{_shown(value)} is not a UN/ECE Rec 20 unit code "
                "(expected 2-3 capital letters or digits, e.g. KGM, CEL)",
            )
        return value

    def vocabulary_field(self, field: str, vocabulary: Vocabulary) -> str | None:
        if field not in self._event:
            return None
        return self.word(field, self._event[field], vocabulary, allow_uri=False)

    def word(self, path: str, value: object, vocabulary: Vocabulary, *, allow_uri: bool) -> str:
        """A vocabulary term as its bare word; with ``allow_uri``, a URI of one's own is kept as is."""
        if not isinstance(value, str):
            self.fail(path, f"{_shown(value)} is not a {vocabulary.name} (expected a string)")
        word = vocabulary.word(value)
        if word is not None:
            return word
        if allow_uri and ":" in value and not _looks_like(value, vocabulary):
            return value
        own = " or a URI of your own" if allow_uri else ""
        self.fail(
            path, f"'{value}' is not a CBV 2.0 {vocabulary.name} (expected e.g. {vocabulary.example()}{own})"
        )

    def location(self, field: str) -> str | None:
        if field not in self._event:
            return None
        location = self.json_object(field, self._event[field])
        self.known_keys(field, location, {"id"})
        if "id" not in location:
            self.fail(f"{field}.id", f"{field} needs an id")
        return self.uri(f"{field}.id", location["id"])

    def biz_transactions(self) -> tuple[BizTransaction, ...]:
        transactions = []
        for i, value in enumerate(self.array("bizTransactionList", self._event)):
            path = f"bizTransactionList[{i}]"
            entry = self.json_object(path, value)
            self.known_keys(path, entry, {"type", "bizTransaction"}, extensions=False)
            if "bizTransaction" not in entry:
                self.fail(f"{path}.bizTransaction", "bizTransaction is missing")
            kind = (
                self.word(f"{path}.type", entry["type"], BIZ_TRANSACTION_TYPES, allow_uri=True)
                if "type" in entry
                else None
            )
            transactions.append(
                BizTransaction(
                    identifier=self.uri(f"{path}.bizTransaction", entry["bizTransaction"]), type=kind
                )
            )
        return tuple(transactions)

    def sources_or_destinations(self, field: str, key: str) -> tuple[SourceOrDestination, ...]:
        parties = []
        for i, value in enumerate(self.array(field, self._event)):
            path = f"{field}[{i}]"
            entry = self.json_object(path, value)
            self.known_keys(path, entry, {"type", key}, extensions=False)
            for required in ("type", key):
                if required not in entry:
                    self.fail(f"{path}.{required}", f"{required} is missing")
            kind = self.word(f"{path}.type", entry["type"], SOURCE_DESTINATION_TYPES, allow_uri=True)
            parties.append(SourceOrDestination(identifier=self.uri(f"{path}.{key}", entry[key]), type=kind))
        return tuple(parties)

    def persistent_disposition(self) -> None:
        if "persistentDisposition" not in self._event:
            return
        node = self.json_object("persistentDisposition", self._event["persistentDisposition"])
        self.known_keys("persistentDisposition", node, {"set", "unset"})
        for change in ("set", "unset"):
            path = f"persistentDisposition.{change}"
            for i, value in enumerate(self.array(path, node, change)):
                self.word(f"{path}[{i}]", value, DISPOSITIONS, allow_uri=False)

    def error_declaration(self) -> None:
        if "errorDeclaration" not in self._event:
            return
        node = self.json_object("errorDeclaration", self._event["errorDeclaration"])
        self.nested_timestamp("errorDeclaration", node, "declarationTime")
        if "reason" in node:
            self.word("errorDeclaration.reason", node["reason"], ERROR_REASONS, allow_uri=True)

    def certification_info(self) -> None:
        if "certificationInfo" not in self._event:
            return
        value = self._event["certificationInfo"]
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.uri(f"certificationInfo[{i}]", item)
        else:
            self.uri("certificationInfo", value)

    def sensor_elements(self) -> tuple[TemperatureReading, ...]:
        readings: list[TemperatureReading] = []
        for i, value in enumerate(self.array("sensorElementList", self._event)):
            path = f"sensorElementList[{i}]"
            element = self.json_object(path, value)
            self.known_keys(path, element, {"sensorMetadata", "sensorReport"})
            metadata_path = f"{path}.sensorMetadata"
            metadata = self.json_object(metadata_path, element.get("sensorMetadata", {}))
            metadata_values = self.sensor_fields(metadata_path, metadata, _SENSOR_METADATA_FIELDS)
            reports = self.array(f"{path}.sensorReport", element, "sensorReport")
            if not reports:
                self.fail(f"{path}.sensorReport", "a sensorElement needs at least one sensorReport")
            # A document may carry a hundred thousand reports: each field is read once, and a report's
            # path is spelt out only when it has a problem to report.
            for j, report in enumerate(reports):
                if not isinstance(report, Mapping):
                    self.json_object(f"{path}.sensorReport[{j}]", report)
                values = self.sensor_fields((f"{path}.sensorReport", j), report, _SENSOR_REPORT_FIELDS)
                if values.get("type") == TEMPERATURE:
                    readings.append(
                        self.temperature(
                            f"{path}.sensorReport[{j}]", report, values, metadata, metadata_values
                        )
                    )
        return tuple(readings)

    def sensor_fields(self, path: _Path, node: Mapping[str, Any], kinds: Mapping[str, str]) -> dict[str, Any]:
        """Checks each field of a sensorMetadata or sensorReport at ``path`` (or (list path, index));
        returns what they say: timestamps as datetimes, numbers as Decimals, vocabulary as bare words."""
        if not node.keys() <= kinds.keys():
            self.known_keys(_spelt(path), node, set(kinds))
        values: dict[str, Any] = {}
        for key, value in node.items():
            kind = kinds.get(key)
            if kind is not None:
                values[key] = self.sensor_value(path, key, kind, value)
        return values

    def sensor_value(self, path: _Path, key: str, kind: str, value: object) -> Any:
        """One sensor field's value, checked; the usual shapes first, anything else by the general rules."""
        if kind == "timestamp":
            parsed = read_timestamp(value)
            return parsed.moment if parsed is not None else self.timestamp(f"{_spelt(path)}.{key}", value)
        if kind == "number":
            if type(value) is float or type(value) is int:
                number = Decimal(str(value))
                if number.is_finite():
                    return number
            return self.number(f"{_spelt(path)}.{key}", value)
        if kind == "uom":
            if isinstance(value, str) and _UOM.fullmatch(value) is not None:
                return value
            return self.uom(f"{_spelt(path)}.{key}", value)
        if kind == "vocabulary":
            word = _SENSOR_VOCABULARIES[key].word(value) if isinstance(value, str) else None
            if word is not None:
                return word
            return self.word(f"{_spelt(path)}.{key}", value, _SENSOR_VOCABULARIES[key], allow_uri=True)
        if kind == "uri":
            return self.uri(f"{_spelt(path)}.{key}", value)
        if kind == "string" and not isinstance(value, str):
            self.fail(f"{_spelt(path)}.{key}", f"{_shown(value)} is not a string")
        if kind == "boolean" and not isinstance(value, bool):
            self.fail(f"{_spelt(path)}.{key}", f"{_shown(value)} is not true or false")
        return value

    def temperature(
        self,
        path: str,
        report: Mapping[str, Any],
        values: Mapping[str, Any],
        metadata: Mapping[str, Any],
        metadata_values: Mapping[str, Any],
    ) -> TemperatureReading:
        """A Temperature report, from the values ``sensor_fields`` read from it and its sensorMetadata."""
        uom = report.get("uom")
        if uom is None:
            self.fail(f"{path}.uom", "a Temperature report needs a uom (CEL, FAR or KEL)")
        if uom not in TEMPERATURE_UNITS:
            self.fail(f"{path}.uom", f"'{uom}' is not a temperature unit (expected CEL, FAR or KEL)")
        if not any(key in report for key in _TEMPERATURE_VALUES):
            self.fail(f"{path}.value", "a Temperature report needs a value, minValue, maxValue or meanValue")

        def celsius(key: str) -> Decimal | None:
            return to_celsius(values[key], uom) if key in values else None

        exception = report.get("exception")
        exception_word = SENSOR_EXCEPTIONS.word(exception) if isinstance(exception, str) else None
        return TemperatureReading(
            time=values.get("time") or metadata_values.get("time"),
            celsius=celsius("value"),
            min_celsius=celsius("minValue"),
            max_celsius=celsius("maxValue"),
            mean_celsius=celsius("meanValue"),
            device_id=report.get("deviceID", metadata.get("deviceID")),
            start_time=metadata_values.get("startTime"),
            end_time=metadata_values.get("endTime"),
            exception=exception_word or exception,
        )

    def known_keys(
        self, path: str, node: Mapping[str, Any], known: set[str], *, extensions: bool = True
    ) -> None:
        for key in node:
            if key in known or (extensions and _is_extension_key(key)):
                continue
            hint = " (extension fields need a namespace prefix)" if extensions else ""
            self.fail(f"{path}.{key}", f"unknown field '{key}'{hint}")


def _document_context(document: Mapping[str, Any]) -> object:
    if "@context" not in document:
        raise InvalidInput(
            f"@context is missing (expected a list starting with {STANDARD_CONTEXT})", field="@context"
        )
    context = document["@context"]
    entries = context if isinstance(context, list) else [context]
    if not any(isinstance(entry, str) and entry in EPCIS_CONTEXTS for entry in entries):
        raise InvalidInput(
            f"@context does not include the EPCIS 2.0 context {STANDARD_CONTEXT}", field="@context"
        )
    return context


def _json_copy(value: Any) -> Any:
    """A private copy of JSON data: objects and arrays copied, immutable scalars shared (deepcopy would
    spend most of its time on its memo of the hundred thousand scalars a document may hold)."""
    kind = type(value)
    if kind is dict:
        return {
            key: item if type(item) in _IMMUTABLE_SCALARS else _json_copy(item) for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _IMMUTABLE_SCALARS else _json_copy(item) for item in value]
    return value if kind in _IMMUTABLE_SCALARS else copy.deepcopy(value)


def _spelt(path: _Path) -> str:
    return path if isinstance(path, str) else f"{path[0]}[{path[1]}]"


def _first_of(problems: list[InvalidInput]) -> InvalidInput:
    first, others = problems[0], problems[1:]
    if not others:
        return first
    listed = ", ".join(str(problem.field) for problem in others[:_MAX_LISTED_PROBLEMS])
    more = f" and {len(others) - _MAX_LISTED_PROBLEMS} more" if len(others) > _MAX_LISTED_PROBLEMS else ""
    return InvalidInput(f"{first.reason} (also invalid: {listed}{more})", field=first.field)


def _present(document: Mapping[str, Any], key: str, expected: str) -> object:
    if key not in document:
        raise InvalidInput(f"{key} is missing ({expected})", field=key)
    return document[key]


def _is_extension_key(key: object) -> bool:
    return isinstance(key, str) and (":" in key or key.startswith("@") or key in ("#text", "comment"))


def _looks_like(value: str, vocabulary: Vocabulary) -> bool:
    """Whether ``value`` is spelt in the vocabulary's own namespace, so that a typo there is not taken
    for a URI of one's own (``cbv:BTT-invoice`` is a mistake, ``urn:gz:doc:customs`` is not)."""
    return value.startswith(vocabulary.spellings())


def _shown(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else "null" if value is None else repr(value)


def _listed(words: frozenset[str]) -> str:
    return ", ".join(sorted(words))


def _json_type(value: object) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__
