"""Temperature readings from EPCIS sensor reports: units, extraction, and the tenths the chain stores."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.epcis import (
    TemperatureRange,
    TemperatureReading,
    ceil_tenths,
    floor_tenths,
    parse_event,
    temperature_range_tenths,
    to_celsius,
)
from gzchain.domain.errors import InvalidInput

CHINA_STANDARD_TIME = timezone(timedelta(hours=8))

# Frozen food lives between about -60 °C and +40 °C; hundredths are finer than any logger reports.
celsius_values = st.decimals(min_value="-60", max_value="40", places=2, allow_nan=False, allow_infinity=False)


def sensor_event(*elements: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T12:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "sensor_reporting",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00010.0"},
        "epcList": ["urn:epc:id:sscc:6901234.0000000017"],
        "sensorElementList": list(elements),
    }


def reading(celsius: Decimal) -> TemperatureReading:
    return TemperatureReading(time=None, celsius=celsius)


@given(celsius_values)
def test_kelvin_converts_to_the_same_celsius_exactly(celsius: Decimal) -> None:
    assert to_celsius(celsius + Decimal("273.15"), "KEL") == celsius


@given(celsius_values)
def test_fahrenheit_converts_to_the_same_celsius_exactly(celsius: Decimal) -> None:
    fahrenheit = celsius * Decimal("1.8") + 32

    assert to_celsius(fahrenheit, "FAR") == celsius


@given(celsius_values)
def test_celsius_is_kept_as_reported(celsius: Decimal) -> None:
    assert to_celsius(celsius, "CEL") == celsius


def test_fahrenheit_that_is_no_whole_hundredth_of_a_degree_keeps_its_precision() -> None:
    assert to_celsius(Decimal(0), "FAR") == Decimal("-17.77777777777777777777777777777778")


def test_converting_an_unknown_unit_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        to_celsius(Decimal(5), "KGM")

    assert caught.value.field == "uom"


@given(celsius_values)
def test_tenths_of_a_reading_on_a_tenth_are_exact(celsius: Decimal) -> None:
    on_a_tenth = celsius.quantize(Decimal("0.1"))

    assert floor_tenths(on_a_tenth) == ceil_tenths(on_a_tenth) == int(on_a_tenth * 10)


@given(celsius_values)
def test_tenths_round_outwards(celsius: Decimal) -> None:
    low, high = floor_tenths(celsius), ceil_tenths(celsius)

    assert Decimal(low) / 10 <= celsius <= Decimal(high) / 10
    assert high - low in (0, 1)


@given(st.lists(celsius_values, min_size=1, max_size=30))
def test_the_range_spans_every_reading_rounded_outwards(values: list[Decimal]) -> None:
    found = temperature_range_tenths(reading(value) for value in values)

    assert found == TemperatureRange(
        min_tenths=floor_tenths(min(values)), max_tenths=ceil_tenths(max(values))
    )
    assert all(Decimal(found.min_tenths) / 10 <= value <= Decimal(found.max_tenths) / 10 for value in values)


@given(st.lists(celsius_values, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_the_range_does_not_depend_on_the_order_of_readings(
    values: list[Decimal], shuffler: random.Random
) -> None:
    shuffled = values[:]
    shuffler.shuffle(shuffled)

    assert temperature_range_tenths(map(reading, shuffled)) == temperature_range_tenths(map(reading, values))


@given(celsius_values, celsius_values, st.sampled_from(["CEL", "FAR", "KEL"]))
def test_an_aggregate_report_in_any_unit_gives_its_range_in_celsius_tenths(
    first: Decimal, second: Decimal, uom: str
) -> None:
    low, high = sorted((first, second))
    in_unit = {
        "CEL": lambda c: c,
        "FAR": lambda c: c * Decimal("1.8") + 32,
        "KEL": lambda c: c + Decimal("273.15"),
    }[uom]
    report = {
        "type": "Temperature",
        "minValue": float(in_unit(low)),
        "maxValue": float(in_unit(high)),
        "uom": uom,
    }

    event = parse_event(sensor_event({"sensorReport": [report]}))

    assert temperature_range_tenths(event) == TemperatureRange(floor_tenths(low), ceil_tenths(high))


def test_a_breach_by_four_hundredths_is_not_rounded_away() -> None:
    assert temperature_range_tenths([reading(Decimal("8.04"))]) == TemperatureRange(
        min_tenths=80, max_tenths=81
    )


def test_an_event_without_temperature_readings_has_no_range() -> None:
    humidity = {"type": "RelativeHumidity", "value": 80, "uom": "P1"}

    assert temperature_range_tenths(parse_event(sensor_event({"sensorReport": [humidity]}))) is None


def test_readings_are_extracted_from_every_temperature_report() -> None:
    event = parse_event(
        sensor_event(
            {
                "sensorMetadata": {
                    "time": "2024-05-01T11:00:00+08:00",
                    "deviceID": "urn:epc:id:giai:6901234.S1",
                },
                "sensorReport": [
                    {"type": "Temperature", "value": -18.5, "uom": "CEL"},
                    {"type": "RelativeHumidity", "value": 80, "uom": "P1"},
                    {"type": "gs1:Temperature", "value": 0, "uom": "FAR", "time": "2024-05-01T11:05:00Z"},
                ],
            },
            {
                "sensorMetadata": {
                    "startTime": "2024-05-01T10:00:00+08:00",
                    "endTime": "2024-05-01T11:00:00+08:00",
                },
                "sensorReport": [
                    {
                        "type": "https://gs1.org/voc/Temperature",
                        "minValue": 254.15,
                        "maxValue": 256.15,
                        "meanValue": 255.15,
                        "uom": "KEL",
                        "deviceID": "urn:epc:id:giai:6901234.S2",
                        "exception": "ALARM_CONDITION",
                    }
                ],
            },
        )
    )

    first, second, third = event.temperature_readings
    assert first == TemperatureReading(
        time=datetime(2024, 5, 1, 11, 0, tzinfo=CHINA_STANDARD_TIME),
        celsius=Decimal("-18.5"),
        device_id="urn:epc:id:giai:6901234.S1",
    )
    assert second.time == datetime(2024, 5, 1, 11, 5, tzinfo=UTC)
    assert second.celsius == to_celsius(Decimal(0), "FAR")
    assert (third.min_celsius, third.max_celsius, third.mean_celsius) == (
        Decimal(-19),
        Decimal(-17),
        Decimal(-18),
    )
    assert (third.start_time, third.end_time) == (
        datetime(2024, 5, 1, 10, 0, tzinfo=CHINA_STANDARD_TIME),
        datetime(2024, 5, 1, 11, 0, tzinfo=CHINA_STANDARD_TIME),
    )
    assert (third.device_id, third.exception) == ("urn:epc:id:giai:6901234.S2", "ALARM_CONDITION")
    assert temperature_range_tenths(event) == TemperatureRange(min_tenths=-190, max_tenths=-170)


def test_a_reading_without_min_or_max_is_its_own_lowest_and_highest() -> None:
    single = reading(Decimal("-18.2"))

    assert single.lowest_celsius == single.highest_celsius == Decimal("-18.2")
