"""GS1 EPCIS 2.0 events for cold-chain traceability: parsing, validation, temperatures, event hashes.

events = parse_document(document)           # list[EpcisEvent], or InvalidInput naming the field
event_hash(events[0])                        # 'ni:///sha-256;…?ver=CBV2.0'
temperature_range_tenths(events[0])          # TemperatureRange(min_tenths=-182, max_tenths=-175)
"""

from gzchain.domain.epcis.digital_link import canonical_gs1_uri
from gzchain.domain.epcis.hashing import HASH_VERSION, event_hash, prehash_string
from gzchain.domain.epcis.model import (
    BizTransaction,
    EpcisEvent,
    QuantityElement,
    SourceOrDestination,
    TemperatureReading,
)
from gzchain.domain.epcis.temperature import (
    TEMPERATURE_UNITS,
    TemperatureRange,
    ceil_tenths,
    floor_tenths,
    temperature_range_tenths,
    to_celsius,
)
from gzchain.domain.epcis.validate import parse_document, parse_event

__all__ = [
    "HASH_VERSION",
    "TEMPERATURE_UNITS",
    "BizTransaction",
    "EpcisEvent",
    "QuantityElement",
    "SourceOrDestination",
    "TemperatureRange",
    "TemperatureReading",
    "canonical_gs1_uri",
    "ceil_tenths",
    "event_hash",
    "floor_tenths",
    "parse_document",
    "parse_event",
    "prehash_string",
    "temperature_range_tenths",
    "to_celsius",
]
