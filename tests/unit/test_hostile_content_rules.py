"""Bounds on EPCIS documents, the time range the chain holds, and canonical, non-misleading text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from gzchain.domain.coldchain import Lot, validate_gtin, validate_lot_number
from gzchain.domain.epcis.limits import DocumentLimits, check_document
from gzchain.domain.epcis.timestamps import check_moment, parse_timestamp
from gzchain.domain.errors import InvalidInput, LimitExceeded
from gzchain.domain.text import canonical_domain, check_display_text

LOT = "https://id.gs1.org/01/07891234000019/10/BR2405"


def document(events: list[dict]) -> dict:
    return {"type": "EPCISDocument", "epcisBody": {"eventList": events}}


def event(**extra) -> dict:
    return {"type": "ObjectEvent", "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"}, **extra}


def readings(count: int) -> list[dict]:
    return [{"sensorReport": [{"type": "Temperature", "value": -18, "uom": "CEL"}] * count}]


def test_a_document_of_300000_events_is_refused_by_its_count_naming_the_limit() -> None:
    with pytest.raises(LimitExceeded) as refused:
        check_document(document([{}] * 300_000))
    assert (refused.value.limit, refused.value.maximum) == ("epcis_max_events", 100)
    assert refused.value.field == "epcisBody.eventList"


def test_an_event_with_more_sensor_reports_than_the_event_route_takes_is_refused() -> None:
    check_document(document([event(sensorElementList=readings(10_000))]))
    with pytest.raises(LimitExceeded) as refused:
        check_document(document([event(sensorElementList=readings(10_001))]))
    assert refused.value.limit == "epcis_max_readings_per_event"
    assert refused.value.field == "epcisBody.eventList[0].sensorElementList"


def test_a_document_over_its_total_of_readings_is_refused() -> None:
    limits = DocumentLimits(epcis_max_readings_per_document=15)
    with pytest.raises(LimitExceeded) as refused:
        check_document(document([event(sensorElementList=readings(10))] * 2), limits)
    assert refused.value.limit == "epcis_max_readings_per_document"


def test_a_long_read_point_is_refused_naming_its_path() -> None:
    with pytest.raises(LimitExceeded) as refused:
        check_document(document([event(), {"readPoint": {"id": "urn:" + "x" * 5_000_000}}]))
    assert refused.value.field == "epcisBody.eventList[1].readPoint.id"
    assert refused.value.limit == "epcis_max_string_chars"


def test_extension_content_of_one_event_is_bounded_in_total() -> None:
    check_document(document([event(**{f"gz:n{i}": "y" * 1_000 for i in range(10)})]))
    with pytest.raises(LimitExceeded) as refused:
        check_document(document([event(**{f"gz:n{i}": "y" * 1_000 for i in range(20)})]))
    assert refused.value.limit == "epcis_max_extension_chars"


def test_deep_nesting_is_refused_without_recursion() -> None:
    nested: object = "leaf"
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(LimitExceeded) as refused:
        check_document(document([event(**{"gz:deep": nested})]))
    assert refused.value.limit == "epcis_max_depth"


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1969-12-31T23:59:59Z"]
)
def test_a_time_the_chain_cannot_hold_is_invalid_input_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_timestamp(text, field="eventTime")
    assert refused.value.field == "eventTime"


def test_the_first_and_last_times_the_chain_holds_are_accepted() -> None:
    parse_timestamp("1970-01-01T00:00:00Z", field="eventTime")
    parse_timestamp("9999-12-31T23:59:59.999Z", field="eventTime")
    check_moment(datetime(1970, 1, 1, 8, tzinfo=timezone(timedelta(hours=8))), field="time")
    with pytest.raises(InvalidInput) as refused:
        check_moment(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), field="readings[3].time")
    assert refused.value.field == "readings[3].time"
    with pytest.raises(InvalidInput):
        check_moment(datetime(2024, 1, 1), field="time")
    assert check_moment(datetime(2024, 1, 1, tzinfo=UTC), field="time")


def test_a_full_width_gtin_gives_the_same_batch_id_as_its_ascii_form() -> None:
    assert validate_gtin("０７８９１２３４００００１９") == "07891234000019"
    assert Lot.of("０７８９１２３４００００１９", "ＢＲ２４０５") == Lot.of("07891234000019", "BR2405")
    assert Lot.parse(LOT.replace("BR2405", "ＢＲ２４０５")).batch_id == Lot.parse(LOT).batch_id


def test_digits_of_other_scripts_are_refused_in_a_gtin() -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_gtin("٠٧٨٩١٢٣٤٠٠٠٠١٩")
    assert refused.value.field == "gtin"


@pytest.mark.parametrize("lot", ["..", ".", "-", "a/b", "BR\u202e", "_x"])
def test_a_lot_named_like_a_path_or_with_hidden_characters_is_refused(lot: str) -> None:
    with pytest.raises(InvalidInput):
        validate_lot_number(lot)
    with pytest.raises(InvalidInput):
        Lot.parse(f"https://id.gs1.org/01/07891234000019/10/{lot}")


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\u0000", "\ufeff", "\u0085"])
def test_names_with_control_or_formatting_characters_are_refused(char: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_display_text(f"Haizhu{char}Health", field="name")
    assert refused.value.field == "name"
    assert check_display_text("海珠区卫生健康局", field="name")


def test_domains_are_canonical_ascii_and_refuse_nul_and_overrides() -> None:
    assert canonical_domain("ＷＪＪ.Haizhu.gov.cn") == "wjj.haizhu.gov.cn"
    for bad in ("evil\u0000.com", "\u202emoc.live", "no spaces.cn", "localhost", "a..cn"):
        with pytest.raises(InvalidInput):
            canonical_domain(bad)
