"""Bounds on one EPCIS document, checked before any event of it is parsed.

Parsing and hashing an event costs far more than counting it, so the counts come first (events, then the
sensor reports of each event, then the whole document's), and then one walk over the document's JSON,
without recursion, bounds the depth, every string's length, every list's length and the size of the
extension content of each event. Anything over a bound is ``LimitExceeded`` naming the setting and where.

check_document(document, DocumentLimits())     # None, or LimitExceeded(field=…, limit=…, maximum=…)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from gzchain.domain.errors import LimitExceeded

_SENSOR_ELEMENTS: Final = "sensorElementList"
_SENSOR_REPORTS: Final = "sensorReport"


@dataclass(frozen=True)
class DocumentLimits:
    """The bounds; the names are the settings' (``GZCHAIN_`` + the name in capitals sets one)."""

    # One document is one transaction: at ~150k gas per anchor, 100 keep it well inside a 30M-gas block.
    epcis_max_events: int = 100
    # As many as `/coldchain/batches/{batch}/events` takes: one sensor's readings over one leg.
    epcis_max_readings_per_event: int = 10_000
    epcis_max_readings_per_document: int = 100_000
    # Identifiers (EPC URIs, readPoint and bizLocation ids, eventIDs) are short; 2,000 is the longest URL
    # that every browser and proxy handles.
    epcis_max_string_chars: int = 2_000
    # Any other list (epcList, quantityList, bizTransactionList, an extension's array…).
    epcis_max_list_items: int = 10_000
    # All extension fields (namespaced keys such as "gz:note") of one event together, in characters of
    # their keys and strings (1 for any other value).
    epcis_max_extension_chars: int = 16_384
    epcis_max_depth: int = 32


DEFAULT_LIMITS: Final = DocumentLimits()


def check_document(document: object, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
    """Raise ``LimitExceeded`` if the document is over any bound; anything else is left to the parser."""
    if not isinstance(document, Mapping):
        return
    body = document.get("epcisBody")
    events = body.get("eventList") if isinstance(body, Mapping) else None
    if isinstance(events, list):
        _count(events, limits)
    _walk(document, events if isinstance(events, list) else None, limits)


def check_event(event: object, limits: DocumentLimits = DEFAULT_LIMITS, path: str = "eventList[0]") -> None:
    """The same bounds for one event on its own (an event written through the API's event route)."""
    readings = _readings_of(event, path, limits)
    if readings > limits.epcis_max_readings_per_document:
        _over("readings_per_document", limits, path, f"the event has {readings:,} sensor reports")
    _walk(event, None, limits, root=path)


def _count(events: list[Any], limits: DocumentLimits) -> None:
    if len(events) > limits.epcis_max_events:
        _over(
            "events",
            limits,
            "epcisBody.eventList",
            f"the document has {len(events):,} events; one document is one transaction: send it in parts",
        )
    total = 0
    for index, event in enumerate(events):
        total += _readings_of(event, f"epcisBody.eventList[{index}]", limits)
        if total > limits.epcis_max_readings_per_document:
            _over(
                "readings_per_document",
                limits,
                "epcisBody.eventList",
                f"the document has more than {limits.epcis_max_readings_per_document:,} sensor reports "
                f"(counted up to eventList[{index}]): send it in parts",
            )


def _readings_of(event: object, path: str, limits: DocumentLimits) -> int:
    """How many sensor reports the event carries (an element without a list of them counts as one)."""
    if not isinstance(event, Mapping):
        return 0
    elements = event.get(_SENSOR_ELEMENTS)
    if not isinstance(elements, list):
        return 0
    count = 0
    for element in elements:
        reports = element.get(_SENSOR_REPORTS) if isinstance(element, Mapping) else None
        count += len(reports) if isinstance(reports, list) and reports else 1
    if count > limits.epcis_max_readings_per_event:
        _over(
            "readings_per_event",
            limits,
            f"{path}.{_SENSOR_ELEMENTS}",
            f"the event has {count:,} sensor reports",
        )
    return count


# A node's path is a chain of (parent, key) links, spelt out only when something is reported.
_Link = tuple[Any, str | int] | None


def _walk(root_node: object, events: list[Any] | None, limits: DocumentLimits, root: str = "") -> None:
    """One pass over the JSON, with an explicit stack: depth, string and list lengths, extension sizes."""
    max_chars = limits.epcis_max_string_chars
    max_items = limits.epcis_max_list_items
    max_depth = limits.epcis_max_depth
    max_extension = limits.epcis_max_extension_chars
    extension_chars: dict[int, int] = {}  # by event index (-1: outside any event)
    # (node, link, depth, owner event, inside an extension field)
    stack: list[tuple[Any, _Link, int, int, bool]] = [(root_node, None, 0, -1, False)]
    while stack:
        node, link, depth, owner, extension = stack.pop()
        if depth > max_depth:
            _over("depth", limits, _spelt(root, link), f"nests deeper than {max_depth} levels")
        if isinstance(node, Mapping):
            items: Any = node.items()
        elif isinstance(node, list):
            if len(node) > max_items and node is not events and not _is_reports(link):
                _over("list_items", limits, _spelt(root, link), f"lists {len(node):,} items")
            items = enumerate(node)
        else:
            continue
        for key, value in items:
            size = 0
            if type(key) is str:
                if len(key) > max_chars:
                    _over("string_chars", limits, _spelt(root, link), f"has a key of {len(key):,} characters")
                size = len(key)
            inside = extension or (type(key) is str and ":" in key and not key.startswith("@"))
            child_owner = key if node is events else owner
            if type(value) is str:
                if len(value) > max_chars:
                    _over(
                        "string_chars",
                        limits,
                        _spelt(root, (link, key)),
                        f"is a string of {len(value):,} characters",
                    )
                size += len(value)
            elif isinstance(value, Mapping | list):
                stack.append((value, (link, key), depth + 1, child_owner, inside))
            else:
                size += 1
            if inside and isinstance(node, Mapping | list):
                used = extension_chars.get(child_owner, 0) + size
                extension_chars[child_owner] = used
                if used > max_extension:
                    _over(
                        "extension_chars",
                        limits,
                        _spelt(root, (link, key)),
                        f"brings the event's extension fields to more than {max_extension:,} characters",
                    )


def _is_reports(link: _Link) -> bool:
    """A sensorReport list: bounded by the reading counts, which say so more precisely."""
    return link is not None and link[1] == _SENSOR_REPORTS


def _spelt(root: str, link: _Link) -> str:
    parts: list[str | int] = []
    while link is not None:
        link, key = link
        parts.append(key)
    path = root
    for key in reversed(parts):
        if isinstance(key, int):
            path += f"[{key}]"
        else:
            path = f"{path}.{key}" if path else key
    return path or "document"


_LIMIT_WORDS: Final = {
    "events": "events in one document",
    "readings_per_event": "sensor reports in one event",
    "readings_per_document": "sensor reports in one document",
    "string_chars": "characters in one string",
    "list_items": "items in one list",
    "extension_chars": "characters of extension fields in one event",
    "depth": "levels of nesting",
}


def _over(name: str, limits: DocumentLimits, field: str, what: str) -> NoReturn:
    setting = f"epcis_max_{name}"
    maximum = getattr(limits, setting)
    raise LimitExceeded(
        f"{what}; at most {maximum:,} {_LIMIT_WORDS[name]} are accepted (GZCHAIN_{setting.upper()})",
        field=field,
        limit=setting,
        maximum=maximum,
    )
