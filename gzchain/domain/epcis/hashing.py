"""The CBV 2.0 EPCIS event hash: ``ni:///sha-256;<hex>?ver=CBV2.0``.

The hash is SHA-256 over a canonical *pre-hash string*: the event's fields in a fixed order, each as
``name=value``, lists sorted, timestamps in UTC at millisecond precision, numbers without trailing zeros,
CBV and GS1 vocabulary as full URIs, EPC URIs as GS1 Digital Link URIs. Extension fields come last,
sorted, named ``{namespace}local``.

It reproduces the CBV 2.0 profile of the reference generator (github.com/RalphTro/epcis-event-hash-
generator) as its published test vectors pin it down: no ``sensorElementList`` wrapper, GS1 vocabulary
under ``https://ref.gs1.org/voc/``, extension fields of ``readPoint``/``bizLocation``/sensor elements
gathered under their parent's name at the end, and no ``certificationInfo`` (CBV 2.0's property list
predates it, so a CBV 2.0 hash does not protect it). Where the reference's result depends on more than
the event itself we choose the event alone:

* a bare CBV word is expanded only in the fields it belongs to, never because the same word appears in
  another event of the same document;
* ``gs1:``, ``cbv:``, ``epcis:`` and ``cbvmda:`` need no declaration in ``@context``;
* timestamps without a UTC offset are hashed as written, not in the local time of the machine.

Nothing here touches the network or global state, and the input is never modified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from gzchain.domain.epcis.digital_link import canonical_gs1_uri
from gzchain.domain.epcis.jsonld import (
    expanded_key,
    expanded_value,
    namespaces_from_context,
    with_xmlns_declarations,
)
from gzchain.domain.epcis.model import EpcisEvent
from gzchain.domain.epcis.timestamps import read_timestamp
from gzchain.domain.epcis.vocabulary import (
    BIZ_STEPS,
    BIZ_TRANSACTION_TYPES,
    DISPOSITIONS,
    MEASUREMENT_TYPES,
    SENSOR_COMPONENTS,
    SENSOR_EXCEPTIONS,
    SOURCE_DESTINATION_TYPES,
    Vocabulary,
)
from gzchain.domain.errors import InvalidInput

HASH_VERSION: Final = "CBV2.0"

Namespaces = Mapping[str, str]
_Render = Callable[[str, Any, Namespaces], "_Rendered"]

_LEGACY_CBV_URNS: Final = (
    ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
)
_SENSOR_METADATA_ORDER: Final = (
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
)
_SENSOR_REPORT_ORDER: Final = (
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
)
_SENSOR_REPORT_RANK: Final[Mapping[str, int]] = MappingProxyType(
    {key: rank for rank, key in enumerate(_SENSOR_REPORT_ORDER)}
)
# Values whose pre-hash text depends on the value alone (equal values, equal text: -0.0 and 0.0 are both "0").
_REUSABLE_TYPES: Final = frozenset({str, int, float})
_QUANTITY_ORDER: Final = ("epcClass", "quantity", "uom")
_TIME_FIELDS: Final = frozenset({"eventTime", "time", "startTime", "endTime"})
_TYPED_SENSOR_FIELDS: Final[Mapping[str, Vocabulary]] = MappingProxyType(
    {"type": MEASUREMENT_TYPES, "exception": SENSOR_EXCEPTIONS, "component": SENSOR_COMPONENTS}
)
_IGNORED_EVENT_FIELDS: Final = frozenset(
    {"type", "eventID", "recordTime", "errorDeclaration", "certificationInfo"}
)


class _Rendered:
    """A standard field's contribution: its place in the canonical order, and extension leftovers."""

    __slots__ = ("leftover", "text")

    def __init__(self, text: str = "", leftover: Iterable[str] = ()) -> None:
        self.text = text
        self.leftover = tuple(item for item in leftover if item)


def event_hash(event: EpcisEvent | Mapping[str, Any], *, context: object = None) -> str:
    """The CBV 2.0 event hash of an event (parsed, or its JSON as a mapping).

    ``context`` is the enclosing document's ``@context``; it only matters for a JSON mapping whose
    extension fields use prefixes declared there (a parsed event remembers its document's prefixes).
    """
    digest = hashlib.sha256(prehash_string(event, context=context).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={HASH_VERSION}"


def prehash_string(event: EpcisEvent | Mapping[str, Any], *, context: object = None) -> str:
    """The canonical string the event hash is taken of (useful to see why two hashes differ)."""
    if isinstance(event, EpcisEvent):
        source, namespaces = event.raw, event.namespaces
    elif isinstance(event, Mapping):
        source, namespaces = event, namespaces_from_context(context)
    else:
        raise InvalidInput(f"an EPCIS event is a JSON object, not {type(event).__name__}", field="event")
    event_type = source.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise InvalidInput("an EPCIS event needs a 'type' to be hashed", field="type")
    namespaces = with_xmlns_declarations(namespaces, source)
    ordered = [f"eventType={event_type}"]
    leftovers: list[str] = []
    for name, render in _CANONICAL_ORDER:
        if name in source:
            rendered = render(name, source[name], namespaces)
            ordered.append(rendered.text)
            leftovers.extend(rendered.leftover)
    standard = {name for name, _ in _CANONICAL_ORDER} | _IGNORED_EVENT_FIELDS
    leftovers.extend(
        text
        for key, value in source.items()
        if key not in standard and _is_content_key(key)
        for text in _generic(key, value, namespaces)
    )
    return "".join(ordered) + "".join(sorted(leftovers))


def canonical_value(value: object, namespaces: Namespaces) -> str:
    """A value as the pre-hash string writes it: full IRIs, Digital Link, numbers without trailing zeros."""
    text = expanded_value(_scalar_text(value).strip(), namespaces)
    for urn_prefix, web_uri_prefix in _LEGACY_CBV_URNS:
        text = text.replace(urn_prefix, web_uri_prefix)
    text = _canonical_number(text)
    return canonical_gs1_uri(text) or text


def _canonical_number(text: str) -> str:
    """Numbers lose trailing zeros and a leading plus (``26.0`` → ``26``), the way Python prints floats.

    Python's ``float`` text is what the reference generator hashes, so it is ours too; strings such as
    ``00123`` therefore lose their leading zeros as well.
    """
    try:
        number = float(text)
    except ValueError:
        return text
    try:
        return str(int(number)) if int(number) == number else str(number)
    except (ValueError, OverflowError):
        return text


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str | int | float | Decimal):
        return str(value)
    raise InvalidInput(f"{value!r} is not a JSON value")


def _timestamp_text(value: object) -> str:
    parsed = read_timestamp(value.strip() if isinstance(value, str) else value)
    return parsed.utc_millis() if parsed is not None else _scalar_text(value).strip()


def _field(name: str, value: object, namespaces: Namespaces) -> str:
    if isinstance(value, Mapping | list):
        return ""
    text = _timestamp_text(value) if name in _TIME_FIELDS else canonical_value(value, namespaces)
    return f"{name}={text}" if text else ""


def _vocabulary_field(vocabulary: Vocabulary) -> Callable[[str, object, Namespaces], str]:
    def render(name: str, value: object, namespaces: Namespaces) -> str:
        word = vocabulary.word(value) if isinstance(value, str) else None
        return f"{name}={vocabulary.uri(word)}" if word is not None else _field(name, value, namespaces)

    return render


def _ordered_fields(
    name: str, node: object, order: Iterable[str], namespaces: Namespaces, typed: Mapping[str, Vocabulary]
) -> tuple[str, list[str]]:
    """``name`` + the node's standard fields in ``order``; and its extension fields, rendered apart."""
    if not isinstance(node, Mapping):
        return "", []
    order = tuple(order)
    fields = "".join(
        _vocabulary_field(typed[key])(key, node[key], namespaces)
        if key in typed
        else _field(key, node[key], namespaces)
        for key in order
        if key in node
    )
    extensions = [
        text
        for key, value in node.items()
        if key not in order and _is_content_key(key)
        for text in _generic(key, value, namespaces)
    ]
    return (name + fields if fields else ""), extensions


def _gathered(name: str, parts: Iterable[str]) -> str:
    """Leftovers of one standard field, under its name, so that they still say where they came from."""
    texts = sorted(part for part in parts if part)
    return name + "".join(texts) if texts else ""


def _scalar(name: str, value: object, namespaces: Namespaces) -> _Rendered:
    values = value if isinstance(value, list) else [value]
    return _Rendered("".join(sorted(_field(name, item, namespaces) for item in values)))


def _vocabulary(vocabulary: Vocabulary) -> _Render:
    def render(name: str, value: object, namespaces: Namespaces) -> _Rendered:
        return _Rendered(_vocabulary_field(vocabulary)(name, value, namespaces))

    return render


def _epc_list(name: str, value: object, namespaces: Namespaces) -> _Rendered:
    epcs = sorted(_field("epc", epc, namespaces) for epc in _as_list(value))
    return _Rendered(_gathered(name, epcs))


def _quantity_list(name: str, value: object, namespaces: Namespaces) -> _Rendered:
    elements: list[str] = []
    extensions: list[str] = []
    for element in _as_list(value):
        fields, element_extensions = _ordered_fields(
            "quantityElement", element, _QUANTITY_ORDER, namespaces, {}
        )
        elements.append(fields)
        extensions.append(_gathered("quantityElement", element_extensions))
    return _Rendered(_gathered(name, elements), [_gathered(name, extensions)])


def _persistent_disposition(name: str, value: object, namespaces: Namespaces) -> _Rendered:
    if not isinstance(value, Mapping):
        return _Rendered()
    disposition = _vocabulary_field(DISPOSITIONS)
    changes = [
        "".join(sorted(disposition(change, item, namespaces) for item in _as_list(value[change])))
        for change in ("set", "unset")
        if change in value
    ]
    extensions = [
        text
        for key, item in value.items()
        if key not in ("set", "unset") and _is_content_key(key)
        for text in _generic(key, item, namespaces)
    ]
    return _Rendered(_gathered(name, changes), [_gathered(name, extensions)])


def _location(name: str, value: object, namespaces: Namespaces) -> _Rendered:
    fields, extensions = _ordered_fields(name, value, ("id",), namespaces, {})
    return _Rendered(fields, [_gathered(name, extensions)])


def _typed_list(identifier: str, vocabulary: Vocabulary) -> _Render:
    """bizTransactionList, sourceList, destinationList: ``type=...`` then the identifier, pairs sorted."""
    type_field = _vocabulary_field(vocabulary)

    def pair(entry: Mapping[str, Any], namespaces: Namespaces) -> str:
        kind = type_field("type", entry["type"], namespaces) if "type" in entry else ""
        return kind + (_field(identifier, entry[identifier], namespaces) if identifier in entry else "")

    def render(name: str, value: object, namespaces: Namespaces) -> _Rendered:
        pairs = [pair(entry, namespaces) for entry in _as_list(value) if isinstance(entry, Mapping)]
        return _Rendered(_gathered(name, pairs))

    return render


def _sensor_element_list(name: str, value: object, namespaces: Namespaces) -> _Rendered:
    elements: list[str] = []
    leftovers: list[str] = []
    for element in _as_list(value):
        if not isinstance(element, Mapping):
            continue
        metadata, metadata_extensions = _ordered_fields(
            "sensorMetadata", element.get("sensorMetadata"), _SENSOR_METADATA_ORDER, namespaces, {}
        )
        reports, report_extensions = _sensor_reports(_as_list(element.get("sensorReport")), namespaces)
        extensions = [_gathered("sensorMetadata", metadata_extensions), *report_extensions]
        extensions.extend(
            text
            for key, item in element.items()
            if key not in ("sensorMetadata", "sensorReport") and _is_content_key(key)
            for text in _generic(key, item, namespaces)
        )
        if metadata or any(reports):
            elements.append("sensorElement" + metadata + "".join(sorted(reports)))
        leftovers.append(_gathered("sensorElement", extensions))
    return _Rendered("".join(sorted(elements)), leftovers)


def _sensor_reports(reports: list[Any], namespaces: Namespaces) -> tuple[list[str], list[str]]:
    """Each report as ``_ordered_fields`` renders it, and its extension fields gathered under its name.

    An event may carry a hundred thousand reports that differ in little but their time: a report's
    standard fields are put in order by rank, and the text of a field whose value was seen before in this
    event is reused (the text depends on nothing but the field's name and value, and the namespaces).
    """
    seen: dict[tuple[str, type, object], str] = {}
    rendered: list[str] = []
    extensions: list[str] = []
    for report in reports:
        if not isinstance(report, Mapping):
            rendered.append("")
            continue
        texts = []
        for key in sorted((key for key in report if key in _SENSOR_REPORT_RANK), key=_SENSOR_REPORT_RANK.get):
            value = report[key]
            if key in _TIME_FIELDS or type(value) not in _REUSABLE_TYPES:
                texts.append(_report_field(key, value, namespaces))
                continue
            memo = (key, type(value), value)
            text = seen.get(memo)
            if text is None:
                text = seen[memo] = _report_field(key, value, namespaces)
            texts.append(text)
        fields = "".join(texts)
        rendered.append("sensorReport" + fields if fields else "")
        if not report.keys() <= _SENSOR_REPORT_RANK.keys():
            leftovers = [
                text
                for key, value in report.items()
                if key not in _SENSOR_REPORT_RANK and _is_content_key(key)
                for text in _generic(key, value, namespaces)
            ]
            extensions.append(_gathered("sensorReport", leftovers))
    return rendered, extensions


def _report_field(key: str, value: object, namespaces: Namespaces) -> str:
    vocabulary = _TYPED_SENSOR_FIELDS.get(key)
    if vocabulary is not None:
        return _vocabulary_field(vocabulary)(key, value, namespaces)
    return _field(key, value, namespaces)


def _ilmd(name: str, value: object, namespaces: Namespaces) -> _Rendered:
    if not isinstance(value, Mapping):
        return _Rendered()
    return _Rendered(
        _gathered(
            name,
            (
                text
                for key, item in value.items()
                if _is_content_key(key)
                for text in _generic(key, item, namespaces)
            ),
        )
    )


def _generic(key: str, value: object, namespaces: Namespaces) -> list[str]:
    """An extension field as ``{namespace}name=value``; a list repeats the name once per item."""
    name = expanded_key(key, namespaces)
    items = value if isinstance(value, list) else [value]
    return [_generic_item(name, item, namespaces) for item in items]


def _generic_item(name: str, value: object, namespaces: Namespaces) -> str:
    if isinstance(value, Mapping):
        text = canonical_value(value["#text"], namespaces) if "#text" in value else ""
        children = (
            child
            for key, item in value.items()
            if _is_content_key(key)
            for child in _generic(key, item, namespaces)
        )
        return name + (f"={text}" if text else "") + "".join(sorted(children))
    if isinstance(value, list):
        return name + "".join(sorted(_generic_item("", item, namespaces) for item in value))
    text = canonical_value(value, namespaces)
    return name + (f"={text}" if text else "")


def _is_content_key(key: object) -> bool:
    """Keys that carry event data, as opposed to JSON-LD/XML plumbing (``@context``, ``@xmlns:…``,
    ``#text``) and comments, which the reference generator leaves out of the hash too."""
    return (
        isinstance(key, str) and not key.startswith("@") and key not in ("#text", "comment", "rdfs:comment")
    )


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


_CANONICAL_ORDER: Final[tuple[tuple[str, _Render], ...]] = (
    ("eventTime", _scalar),
    ("eventTimeZoneOffset", _scalar),
    ("parentID", _scalar),
    ("epcList", _epc_list),
    ("inputEPCList", _epc_list),
    ("childEPCs", _epc_list),
    ("quantityList", _quantity_list),
    ("childQuantityList", _quantity_list),
    ("inputQuantityList", _quantity_list),
    ("outputEPCList", _epc_list),
    ("outputQuantityList", _quantity_list),
    ("action", _scalar),
    ("transformationID", _scalar),
    ("bizStep", _vocabulary(BIZ_STEPS)),
    ("disposition", _vocabulary(DISPOSITIONS)),
    ("persistentDisposition", _persistent_disposition),
    ("readPoint", _location),
    ("bizLocation", _location),
    ("bizTransactionList", _typed_list("bizTransaction", BIZ_TRANSACTION_TYPES)),
    ("sourceList", _typed_list("source", SOURCE_DESTINATION_TYPES)),
    ("destinationList", _typed_list("destination", SOURCE_DESTINATION_TYPES)),
    ("sensorElementList", _sensor_element_list),
    ("ilmd", _ilmd),
)
