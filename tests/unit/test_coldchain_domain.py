"""Cold-chain rules without a chain: lots and batch ids, windows, reading leaves, anchors, splits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_abi import encode
from hypothesis import given, settings
from hypothesis import strategies as st

from gzchain.domain.coldchain import (
    BIZ_STEP_WORDS,
    CertificateKind,
    Lot,
    ReadingRecord,
    TemperatureWindow,
    anchor_for,
    biz_step_code,
    biz_step_word,
    celsius_text,
    event_hash_bytes,
    location_hash,
    reading_leaf,
    reading_records,
    unit_bytes,
    validate_country,
    validate_gtin,
    validate_quantity,
    validate_reason,
    validate_split,
)
from gzchain.domain.epcis import TemperatureReading, event_hash, parse_event, temperature_range_tenths
from gzchain.domain.epcis.validate import STANDARD_CONTEXT
from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.merkle import build_tree, merkle_root, verify
from gzchain.domain.roles import Role

GTIN = "07891234000019"
LOT_URI = f"https://id.gs1.org/01/{GTIN}/10/BR2405-A"


def sensor_event(values: list[str], *, uom: str = "CEL", location: str = "urn:epc:id:sgln:6901234.00002.0"):
    raw = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "transporting",
        "eventTime": "2025-03-01T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "readPoint": {"id": location},
        "quantityList": [{"epcClass": LOT_URI, "quantity": 8000, "uom": "KGM"}],
        "sensorElementList": [
            {
                "sensorMetadata": {"deviceID": "urn:epc:id:giai:6901234.TRUCK-02"},
                "sensorReport": [
                    {
                        "type": "Temperature",
                        "time": f"2025-03-01T09:{5 * i:02d}:00.000+08:00",
                        "value": float(v),
                        "uom": uom,
                    }
                    for i, v in enumerate(values)
                ],
            }
        ],
    }
    return parse_event(raw, 0, context=[STANDARD_CONTEXT])


# ---- identifiers ----


def test_a_lot_has_one_batch_id_whether_named_by_epc_class_or_digital_link():
    from_urn = Lot.parse("urn:epc:class:lgtin:7891234.000001.BR2405-A")
    from_link = Lot.parse(LOT_URI + "?linkType=gs1:traceability")
    assert from_urn == from_link == Lot(GTIN, "BR2405-A")
    assert from_link.uri == LOT_URI
    assert from_link.batch_id == keccak(LOT_URI.encode())


@pytest.mark.parametrize(
    "uri",
    ["https://id.gs1.org/01/07891234000019", "urn:epc:id:sgln:6901234.00001.0", "BR2405-A", "https://gz.cn"],
)
def test_an_identifier_naming_no_lot_is_refused_with_the_field(uri: str):
    with pytest.raises(InvalidInput) as refused:
        Lot.parse(uri, "eventList[0].quantityList[0].epcClass")
    assert refused.value.field == "eventList[0].quantityList[0].epcClass"
    assert "names no lot" in refused.value.reason


def test_gtins_of_every_length_become_fourteen_digits_with_their_check_digit_checked():
    assert validate_gtin("7891234000019") == GTIN
    assert validate_gtin("96385074") == "00000096385074"
    with pytest.raises(InvalidInput, match="check digit is 8, the GS1 check digit of 0789123400001 is 9"):
        validate_gtin("07891234000018")
    with pytest.raises(InvalidInput, match="8, 12, 13 or 14 digits"):
        validate_gtin("1234567")
    with pytest.raises(InvalidInput):
        Lot.of(GTIN, "lot with spaces")


def test_units_countries_quantities_and_reasons_are_checked_as_the_contract_checks_them():
    assert unit_bytes("KGM") == b"KGM" and unit_bytes("KT") == b"KT\x00"
    for bad in ("kg", "K", "KGMS"):
        with pytest.raises(InvalidInput, match="UN/ECE Rec 20"):
            unit_bytes(bad)
    assert validate_country("br") == "BR"
    with pytest.raises(InvalidInput, match="ISO 3166-1"):
        validate_country("BRA")
    assert validate_quantity("24000") == 24000
    for bad in ("12.5", 0, -1, "x", True):
        with pytest.raises(InvalidInput, match="use a smaller unit"):
            validate_quantity(bad)
    assert validate_reason("  truck 2 reefer failure ") == "truck 2 reefer failure"
    for bad in ("", "   ", "two\nlines", "x" * 501):
        with pytest.raises(InvalidInput) as refused:
            validate_reason(bad)
        assert refused.value.field == "reason"


def test_biz_step_codes_and_words_round_trip_with_zero_for_none():
    assert biz_step_code(None) == 0 and biz_step_word(0) is None
    for word in BIZ_STEP_WORDS:
        assert biz_step_word(biz_step_code(word)) == word
    assert biz_step_code("shipping") == 33
    with pytest.raises(InvalidInput, match=r"not a CBV 2\.0 bizStep"):
        biz_step_code("returning")


def test_certificate_kinds_name_their_role_and_custody_rule():
    assert [kind.role for kind in CertificateKind] == [Role.INSPECTOR] * 3 + [Role.COLDCHAIN_OPERATOR] * 2
    assert [kind.needs_custody for kind in CertificateKind] == [False, False, False, True, True]
    assert CertificateKind.mask(CertificateKind) == 0x1F
    assert CertificateKind.from_mask(0b10010) == (
        CertificateKind.INSPECTION_QUARANTINE,
        CertificateKind.WAREHOUSE_RELEASE,
    )
    assert CertificateKind.parse("nucleic-acid-test") is CertificateKind.NUCLEIC_ACID_TEST
    with pytest.raises(InvalidInput, match="known: customs-declaration"):
        CertificateKind.parse("vaccination")


# ---- temperature windows ----


def test_a_window_is_whole_tenths_lowest_first():
    window = TemperatureWindow.from_celsius("-30.0", "-18")
    assert (window.min_tenths, window.max_tenths) == (-300, -180)
    assert window.label == "-30.0 °C to -18.0 °C"
    assert celsius_text(-5) == "-0.5 °C" and celsius_text(45) == "4.5 °C"
    with pytest.raises(InvalidInput, match="whole tenths"):
        TemperatureWindow.from_celsius("-30", "-18.05")
    with pytest.raises(InvalidInput, match="above the highest"):
        TemperatureWindow.from_celsius("-18", "-30")
    with pytest.raises(InvalidInput, match="outside what the chain can hold"):
        TemperatureWindow(-40000, 0)


celsius = st.decimals(min_value=Decimal("-60"), max_value=Decimal("30"), places=2)
tenths = st.integers(-600, 300)


@given(bounds=st.tuples(tenths, tenths).map(sorted), values=st.lists(celsius, min_size=1, max_size=8))
def test_a_window_admits_the_rounded_range_exactly_when_every_reading_lies_in_it(bounds, values):
    window = TemperatureWindow(*bounds)
    observed = temperature_range_tenths([TemperatureReading(time=None, celsius=value) for value in values])
    assert observed is not None
    inside = all(
        Decimal(window.min_tenths) / 10 <= value <= Decimal(window.max_tenths) / 10 for value in values
    )
    assert window.admits(observed) is inside


@settings(deadline=None)  # parses and hashes a whole EPCIS event per example
@given(values=st.lists(celsius, min_size=1, max_size=8))
def test_the_anchored_range_is_the_range_of_the_reading_leaves(values):
    event = sensor_event([str(value) for value in values])
    anchor = anchor_for(event, event_hash(event))
    records = reading_records(event)
    assert anchor.reading_count == len(values) == len(records)
    assert (anchor.min_tenths, anchor.max_tenths) == (
        min(r.low_tenths for r in records),
        max(r.high_tenths for r in records),
    )
    observed = temperature_range_tenths(event)
    assert observed is not None and (observed.min_tenths, observed.max_tenths) == (
        anchor.min_tenths,
        anchor.max_tenths,
    )


def test_a_reading_a_hair_above_the_limit_stays_a_breach():
    event = sensor_event(["-18.01", "-25"])
    anchor = anchor_for(event, event_hash(event))
    assert anchor.max_tenths == -180  # -18.01 rounds up to -18.0: still inside a -18.0 limit
    event = sensor_event(["-17.99", "-25"])
    assert anchor_for(event, event_hash(event)).max_tenths == -179


# ---- split arithmetic ----


@given(parent=st.integers(1, 10**9), quantities=st.lists(st.integers(-5, 10**9), max_size=6))
def test_a_split_is_valid_exactly_when_every_lot_has_some_and_they_add_up(parent, quantities):
    valid = bool(quantities) and all(q > 0 for q in quantities) and sum(quantities) == parent
    try:
        validate_split(parent, quantities, "KGM")
    except InvalidInput:
        assert not valid
    else:
        assert valid


@given(parts=st.lists(st.integers(1, 10**6), min_size=1, max_size=6), extra=st.integers(1, 1000))
def test_a_split_that_does_not_add_up_says_by_how_much(parts, extra):
    with pytest.raises(InvalidInput) as refused:
        validate_split(sum(parts) + extra, parts, "KGM")
    assert (
        refused.value.reason
        == f"the child lots add up to {sum(parts)} KGM, the batch holds {sum(parts) + extra} KGM"
    )


# ---- readings and anchors ----


def test_a_reading_leaf_is_the_keccak_of_its_abi_encoding():
    leaf = reading_leaf(1, 2, "urn:epc:id:giai:4000001.111", -182, -175)
    assert leaf == keccak(
        encode(
            ["int64", "int64", "string", "int16", "int16"], [1, 2, "urn:epc:id:giai:4000001.111", -182, -175]
        )
    )
    assert ReadingRecord(1, 2, "urn:epc:id:giai:4000001.111", -182, -175, "shown").leaf == leaf


def test_every_reading_of_an_event_is_provable_against_its_anchored_root():
    event = sensor_event(["-21.5", "-19.0", "-17.8", "-16.4", "-15.2"])
    anchor = anchor_for(event, event_hash(event))
    records = reading_records(event)
    assert [r.value for r in records] == ["-21.5", "-19.0", "-17.8", "-16.4", "-15.2"]
    assert records[0].start_ms == records[0].end_ms == 1_740_790_800_000
    assert records[0].device == "urn:epc:id:giai:6901234.TRUCK-02"
    tree = build_tree([r.leaf for r in records])
    assert anchor.readings_root == tree.root == merkle_root([r.leaf for r in records])
    for index, record in enumerate(records):
        assert verify(tree.proof(index), anchor.readings_root, record.leaf)
    altered = ReadingRecord(records[4].start_ms, records[4].end_ms, records[4].device, -190, -190)
    assert not verify(tree.proof(4), anchor.readings_root, altered.leaf)


def test_readings_in_fahrenheit_are_anchored_in_celsius_tenths():
    event = sensor_event(["0", "-0.4"], uom="FAR")  # -17.77… °C and exactly -18.0 °C
    anchor = anchor_for(event, event_hash(event))
    assert (anchor.min_tenths, anchor.max_tenths) == (-180, -177)


def test_an_anchor_carries_the_event_hash_step_location_and_time():
    event = sensor_event(["-20"])
    hashed = event_hash(event)
    anchor = anchor_for(event, hashed)
    assert (
        anchor.event_hash == event_hash_bytes(hashed) == bytes.fromhex(hashed[len("ni:///sha-256;") :][:64])
    )
    assert anchor.biz_step == biz_step_code("transporting")
    assert anchor.event_time_ms == 1_740_794_400_000
    assert (
        anchor.location
        == location_hash("https://id.gs1.org/414/6901234000023")
        == location_hash("urn:epc:id:sgln:6901234.00002.0")
    )
    plain = parse_event({**event.raw, "sensorElementList": []}, 0, context=[STANDARD_CONTEXT])
    bare = anchor_for(plain, event_hash(plain))
    assert (bare.reading_count, bare.min_tenths, bare.max_tenths, bare.readings_root) == (
        0,
        0,
        0,
        b"\x00" * 32,
    )
    with pytest.raises(InvalidInput, match=r"not a CBV 2\.0 event hash"):
        event_hash_bytes("ni:///sha-256;abc?ver=CBV2.0")
