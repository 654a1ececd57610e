"""Temperatures from sensor reports: unit conversion to °C and the tenths of a degree the chain stores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from types import MappingProxyType
from typing import Final

from gzchain.domain.epcis.model import EpcisEvent, TemperatureReading
from gzchain.domain.errors import InvalidInput

# UN/ECE Recommendation 20 codes EPCIS uses for temperature.
TEMPERATURE_UNITS: Final[Mapping[str, str]] = MappingProxyType(
    {"CEL": "degree Celsius", "FAR": "degree Fahrenheit", "KEL": "kelvin"}
)

# A private context: the caller's decimal precision or traps must not change a stored temperature.
_ARITHMETIC: Final = Context(prec=34)
_ABSOLUTE_ZERO_CELSIUS: Final = Decimal("-273.15")


@dataclass(frozen=True)
class TemperatureRange:
    """Lowest and highest temperature, in tenths of a degree Celsius (``-182`` is -18.2 °C)."""

    min_tenths: int
    max_tenths: int


def to_celsius(value: Decimal, uom: str) -> Decimal:
    """``value`` measured in ``uom`` (``CEL``, ``FAR`` or ``KEL``) in °C, exact whenever it can be."""
    if uom == "CEL":
        return value
    if uom == "FAR":
        return _ARITHMETIC.divide(
            _ARITHMETIC.multiply(_ARITHMETIC.subtract(value, Decimal(32)), Decimal(5)), Decimal(9)
        )
    if uom == "KEL":
        return _ARITHMETIC.add(value, _ABSOLUTE_ZERO_CELSIUS)
    raise InvalidInput(f"'{uom}' is not a temperature unit (expected CEL, FAR or KEL)", field="uom")


def floor_tenths(celsius: Decimal) -> int:
    """Tenths of a degree, rounded down: a lower bound never rounds up past a limit."""
    return int(_ARITHMETIC.multiply(celsius, Decimal(10)).to_integral_value(rounding=ROUND_FLOOR))


def ceil_tenths(celsius: Decimal) -> int:
    """Tenths of a degree, rounded up: an upper bound never rounds down below a limit."""
    return int(_ARITHMETIC.multiply(celsius, Decimal(10)).to_integral_value(rounding=ROUND_CEILING))


def temperature_range_tenths(source: EpcisEvent | Iterable[TemperatureReading]) -> TemperatureRange | None:
    """The coldest and warmest temperature an event's readings report, or ``None`` without readings.

    The bounds are rounded outwards to whole tenths, so a reading of 8.04 °C against an 8.0 °C limit
    stays a breach (81 tenths) instead of rounding into compliance.
    """
    readings = source.temperature_readings if isinstance(source, EpcisEvent) else tuple(source)
    lows = [reading.lowest_celsius for reading in readings if reading.lowest_celsius is not None]
    highs = [reading.highest_celsius for reading in readings if reading.highest_celsius is not None]
    if not lows or not highs:
        return None
    return TemperatureRange(min_tenths=floor_tenths(min(lows)), max_tenths=ceil_tenths(max(highs)))
