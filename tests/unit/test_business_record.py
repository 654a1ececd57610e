"""The off-chain business record: validation with field paths, canonical bytes, amendments, personal data."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import random
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gzchain.domain.business import (
    AMENDABLE_FIELDS,
    Amendment,
    BusinessRecord,
    ChangeType,
    Money,
    NaturalPerson,
    Shareholder,
    ShareholderKind,
    canonical_bytes,
    join_personal_data,
    record_from_dict,
    record_hash,
    record_to_dict,
    split_personal_data,
)
from gzchain.domain.errors import InvalidInput
from gzchain.domain.uscc import uscc_from_prefix

# Fictitious people: the GB 11643 check digits are deliberately wrong, so these IDs belong to no one.
LEGAL_REPRESENTATIVE_ID = "44010619900101123X"
SHAREHOLDER_ID = "44010619850315456X"
CORPORATE_SHAREHOLDER_USCC = "914403001922038216"


def a_record_dict() -> dict[str, Any]:
    return {
        "uscc": "91440101MA59LU9AX1",
        "name": "广州示例科技有限公司",
        "legal_representative": {"name": "张三", "id_number": LEGAL_REPRESENTATIVE_ID},
        "registered_capital": {"amount": "1000000.00", "currency": "CNY"},
        "address": "广州市天河区示例路1号",
        "business_scope": "软件开发；信息技术咨询服务",
        "shareholders": [
            {
                "name": "李四",
                "kind": "natural_person",
                "identifier": SHAREHOLDER_ID,
                "contribution": {"amount": "600000.00", "currency": "CNY"},
            },
            {
                "name": "深圳示例投资有限公司",
                "kind": "legal_person",
                "identifier": CORPORATE_SHAREHOLDER_USCC,
                "contribution": {"amount": "400000.00", "currency": "CNY"},
            },
        ],
        "establishment_date": "2020-05-18",
    }


def a_record(**changes: Any) -> BusinessRecord:
    return dataclasses.replace(record_from_dict(a_record_dict()), **changes)


KNOWN_CANONICAL_JSON = (
    '{"address":"广州市天河区示例路1号","business_scope":"软件开发；信息技术咨询服务",'
    '"establishment_date":"2020-05-18","legal_representative":{"id_number":"44010619900101123X",'
    '"name":"张三"},"name":"广州示例科技有限公司","registered_capital":{"amount":"1000000.00",'
    '"currency":"CNY"},"shareholders":[{"contribution":{"amount":"600000.00","currency":"CNY"},'
    '"identifier":"44010619850315456X","kind":"natural_person","name":"李四"},'
    '{"contribution":{"amount":"400000.00","currency":"CNY"},"identifier":"914403001922038216",'
    '"kind":"legal_person","name":"深圳示例投资有限公司"}],"uscc":"91440101MA59LU9AX1"}'
)
KNOWN_HASH_HEX = "c0d0e33c702574d035d5da6afbdaf27a11ce8fe054aaac7c0f22f98125ad0866"


def rejection(data: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        record_from_dict(data)
    return caught.value


def changed(mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = a_record_dict()
    mutate(data)
    return data


def shuffled(value: Any, rnd: random.Random) -> Any:
    if isinstance(value, dict):
        items = [(key, shuffled(item, rnd)) for key, item in value.items()]
        rnd.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        return [shuffled(item, rnd) for item in value]
    return value


# --- building and normalising -------------------------------------------------------------------


def test_builds_a_record_from_a_dict_and_gives_the_same_dict_back() -> None:
    assert record_to_dict(record_from_dict(a_record_dict())) == a_record_dict()


def test_record_to_dict_holds_only_json_types() -> None:
    assert json.loads(json.dumps(record_to_dict(a_record()))) == record_to_dict(a_record())


def test_writes_amounts_with_two_decimal_places_whatever_their_input_spelling() -> None:
    data = a_record_dict()
    data["registered_capital"] = {"amount": "1000000"}
    data["shareholders"][0]["contribution"] = {"amount": 600000, "currency": "cny"}
    data["shareholders"][1]["contribution"] = {"amount": Decimal("400000.0"), "currency": " CNY "}

    record = record_from_dict(data)

    assert record.registered_capital == Money("1000000.00", "CNY")
    assert record.shareholders[0].contribution == Money("600000.00")
    assert record.shareholders[1].contribution.amount == "400000.00"
    assert record.registered_capital.value == Decimal("1000000")


def test_equivalent_spellings_of_a_record_have_the_same_canonical_bytes() -> None:
    data = a_record_dict()
    data["uscc"] = " 91440101ma59lu9ax1 "
    data["name"] = "  广州示例科技有限公司\n"
    data["legal_representative"]["id_number"] = LEGAL_REPRESENTATIVE_ID.lower()
    data["registered_capital"] = {"amount": "0001000000.0"}
    data["establishment_date"] = date(2020, 5, 18)

    assert record_from_dict(data) == a_record()
    assert canonical_bytes(record_from_dict(data)) == canonical_bytes(a_record())


def test_defaults_currencies_to_cny() -> None:
    data = a_record_dict()
    del data["registered_capital"]["currency"]
    del data["shareholders"][1]["contribution"]["currency"]

    record = record_from_dict(data)

    assert record.registered_capital.currency == "CNY"
    assert record.shareholders[1].contribution.currency == "CNY"
    assert Money("1").currency == "CNY"


def test_accepts_a_business_without_shareholders() -> None:
    data = a_record_dict()
    data["shareholders"] = []

    assert record_from_dict(data).shareholders == ()


def test_constructing_value_objects_directly_validates_and_normalises_them_too() -> None:
    holder = Shareholder("深圳示例投资有限公司", "legal_person", "914403001922038216 ", Money("1"))  # type: ignore[arg-type]

    assert holder.kind is ShareholderKind.LEGAL_PERSON
    assert holder.identifier == CORPORATE_SHAREHOLDER_USCC
    with pytest.raises(InvalidInput) as caught:
        a_record(uscc="91440101MA59LU9AX2")
    assert caught.value.field == "uscc"
    with pytest.raises(InvalidInput) as caught:
        Money("1.234")
    assert caught.value.field == "amount"
    with pytest.raises(InvalidInput) as caught:
        a_record(shareholders=[a_record().shareholders[0], "not a shareholder"])
    assert caught.value.field == "shareholders[1]"


def test_records_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        a_record().name = "另一家公司"  # type: ignore[misc]


def test_reprs_do_not_reveal_natural_persons_personal_data() -> None:
    shown = repr(a_record())

    for personal in ("张三", "李四", LEGAL_REPRESENTATIVE_ID, SHAREHOLDER_ID):
        assert personal not in shown
    assert "深圳示例投资有限公司" in shown
    assert CORPORATE_SHAREHOLDER_USCC in shown


# --- rejecting bad input, naming the field path ------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field", "reason"),
    [
        (lambda d: d.pop("name"), "name", "is required"),
        (lambda d: d.update(nickname="示例"), "nickname", "is not a known field"),
        (lambda d: d.update(name="   "), "name", "must not be empty"),
        (lambda d: d.update(name="公" * 201), "name", "has 201 characters, at most 200 are allowed"),
        (lambda d: d.update(name=42), "name", "must be a string, got a number"),
        (lambda d: d.update(address="天河区\x07示例路"), "address", "contains a control character (U+0007)"),
        (lambda d: d.update(business_scope="软件\ud800开发"), "business_scope", "control character (U+D800)"),
        (lambda d: d.update(uscc="91440101MA59LU9AX2"), "uscc", "position 18 is '2'"),
        (lambda d: d.update(legal_representative="张三"), "legal_representative", "must be an object"),
        (
            lambda d: d["legal_representative"].pop("id_number"),
            "legal_representative.id_number",
            "is required",
        ),
        (
            lambda d: d["legal_representative"].update(id_number="4401 0619"),
            "legal_representative.id_number",
            "may contain only digits, Latin letters, hyphens and parentheses",
        ),
        (
            lambda d: d["legal_representative"].update(name=""),
            "legal_representative.name",
            "must not be empty",
        ),
        (lambda d: d["registered_capital"].update(amount=1e6), "registered_capital.amount", "float"),
        (
            lambda d: d["registered_capital"].update(amount="1000.001"),
            "registered_capital.amount",
            "2 decimal",
        ),
        (lambda d: d["registered_capital"].update(amount="1e6"), "registered_capital.amount", "decimal"),
        (lambda d: d["registered_capital"].update(amount="-5"), "registered_capital.amount", "non-negative"),
        (lambda d: d["registered_capital"].update(amount="1,000"), "registered_capital.amount", "decimal"),
        (lambda d: d["registered_capital"].update(amount="٣"), "registered_capital.amount", "decimal"),
        (
            lambda d: d["registered_capital"].update(amount="0.00"),
            "registered_capital.amount",
            "greater than zero",
        ),
        (lambda d: d["registered_capital"].update(amount=True), "registered_capital.amount", "got a boolean"),
        (
            lambda d: d["registered_capital"].update(amount=Decimal("NaN")),
            "registered_capital.amount",
            "decimal",
        ),
        (
            lambda d: d["registered_capital"].update(currency="人民币"),
            "registered_capital.currency",
            "ISO 4217",
        ),
        (
            lambda d: d["registered_capital"].update(rate="1"),
            "registered_capital.rate",
            "is not a known field",
        ),
        (lambda d: d.update(shareholders={"0": {}}), "shareholders", "must be a list, got an object"),
        (lambda d: d["shareholders"].__setitem__(0, "李四"), "shareholders[0]", "must be an object"),
        (
            lambda d: d["shareholders"][0].update(kind="robot"),
            "shareholders[0].kind",
            "natural_person, legal_person",
        ),
        (lambda d: d["shareholders"][1].pop("contribution"), "shareholders[1].contribution", "is required"),
        (
            lambda d: d["shareholders"][1]["contribution"].update(amount=0.5),
            "shareholders[1].contribution.amount",
            "a float cannot represent money exactly",
        ),
        (
            lambda d: d["shareholders"][1].update(identifier="914403001922038217"),
            "shareholders[1].identifier",
            "position 18 is '7', the check character should be '6'",
        ),
        (
            lambda d: d["shareholders"][0].update(identifier="身份证"),
            "shareholders[0].identifier",
            "may contain only",
        ),
        (
            lambda d: d["shareholders"].append(copy.deepcopy(d["shareholders"][0])),
            "shareholders[2].identifier",
            "is the same shareholder as shareholders[0]",
        ),
        (lambda d: d.update(establishment_date="2020/05/18"), "establishment_date", "YYYY-MM-DD"),
        (lambda d: d.update(establishment_date="20200518"), "establishment_date", "YYYY-MM-DD"),
        (
            lambda d: d.update(establishment_date="2021-02-29"),
            "establishment_date",
            "not a real calendar date",
        ),
        (
            lambda d: d.update(establishment_date=datetime(2020, 5, 18, 9, 30)),
            "establishment_date",
            "YYYY-MM-DD",
        ),
    ],
)
def test_rejects_bad_input_naming_the_field_path(
    mutate: Callable[[dict[str, Any]], None], field: str, reason: str
) -> None:
    error = rejection(changed(mutate))

    assert error.field == field
    assert reason in error.reason


def test_rejects_input_that_is_not_an_object() -> None:
    error = rejection(["not", "a", "record"])

    assert error.field is None
    assert error.reason == "must be an object, got a list"


def test_error_messages_do_not_echo_personal_data() -> None:
    error = rejection(changed(lambda d: d["legal_representative"].update(id_number="4401 0619 9001")))

    assert "4401" not in str(error)


# --- canonical bytes and the record hash ------------------------------------------------------------


def test_canonical_bytes_of_a_known_record_are_known() -> None:
    assert canonical_bytes(a_record()) == KNOWN_CANONICAL_JSON.encode("utf-8")


def test_record_hash_of_a_known_record_is_known() -> None:
    assert record_hash(a_record()).hex() == KNOWN_HASH_HEX


def test_record_hash_is_the_32_byte_sha256_of_the_canonical_bytes() -> None:
    digest = record_hash(a_record())

    assert len(digest) == 32
    assert digest == hashlib.sha256(canonical_bytes(a_record())).digest()


def test_canonical_bytes_are_compact_sorted_utf8_json_keeping_non_ascii_characters() -> None:
    encoded = canonical_bytes(a_record())
    text = encoded.decode("utf-8")

    assert "广州示例科技有限公司".encode() in encoded
    assert "\\u" not in text
    assert ": " not in text
    assert ", " not in text
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_canonical_bytes_parse_back_into_the_same_record() -> None:
    assert record_from_dict(json.loads(canonical_bytes(a_record()))) == a_record()


def test_canonical_bytes_do_not_depend_on_the_input_key_order() -> None:
    reversed_keys = shuffled(a_record_dict(), random.Random(8785))

    assert list(reversed_keys) != list(a_record_dict())
    assert canonical_bytes(record_from_dict(reversed_keys)) == canonical_bytes(a_record())


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(uscc=CORPORATE_SHAREHOLDER_USCC),
        lambda d: d.update(name="广州示例科技股份有限公司"),
        lambda d: d["legal_representative"].update(name="张叁"),
        lambda d: d["legal_representative"].update(id_number="44010619900101124X"),
        lambda d: d["registered_capital"].update(amount="1000000.01"),
        lambda d: d["registered_capital"].update(currency="HKD"),
        lambda d: d.update(address="广州市黄埔区示例路1号"),
        lambda d: d.update(business_scope="软件开发"),
        lambda d: d["shareholders"][0].update(name="李肆"),
        lambda d: d["shareholders"][0].update(identifier="44010619850315457X"),
        lambda d: d["shareholders"][1].update(kind="natural_person", identifier="440106198503154560"),
        lambda d: d["shareholders"][1].update(identifier="91440300708461136T"),
        lambda d: d["shareholders"][1]["contribution"].update(amount="400000.10"),
        lambda d: d["shareholders"][1]["contribution"].update(currency="USD"),
        lambda d: d["shareholders"].reverse(),
        lambda d: d["shareholders"].pop(),
        lambda d: d.update(establishment_date="2020-05-19"),
    ],
)
def test_canonical_bytes_differ_when_any_field_changes(mutate: Callable[[dict[str, Any]], None]) -> None:
    other = record_from_dict(changed(mutate))

    assert canonical_bytes(other) != canonical_bytes(a_record())
    assert record_hash(other) != record_hash(a_record())


# --- amendments and change types --------------------------------------------------------------------


AMENDED_VALUES: dict[str, Any] = {
    "name": "广州示例科技股份有限公司",
    "address": "广州市黄埔区示例路2号",
    "registered_capital": Money("2000000"),
    "legal_representative": NaturalPerson("王五", "44010619700101789X"),
    "business_scope": "软件开发；数据处理和存储支持服务",
    "shareholders": (),
}


@pytest.mark.parametrize("field", list(AMENDABLE_FIELDS))
def test_an_amendment_of_one_field_names_that_field_and_its_change_type(field: str) -> None:
    amendment = Amendment(a_record(), a_record(**{field: AMENDED_VALUES[field]}))

    assert amendment.changed_fields == (field,)
    assert amendment.change_type == AMENDABLE_FIELDS[field]
    assert amendment.change_type.is_amendment


def test_an_amendment_of_several_fields_combines_their_change_types() -> None:
    amendment = Amendment(
        a_record(), a_record(name=AMENDED_VALUES["name"], address=AMENDED_VALUES["address"])
    )

    assert amendment.changed_fields == ("name", "address")
    assert amendment.change_type == ChangeType.AMENDED_NAME | ChangeType.AMENDED_ADDRESS
    assert int(amendment.change_type) == 0x0006


def test_changing_only_the_legal_representatives_id_number_amends_the_legal_representative() -> None:
    new_representative = NaturalPerson("张三", "44010619900101124X")

    assert Amendment(a_record(), a_record(legal_representative=new_representative)).change_type == (
        ChangeType.AMENDED_LEGAL_REPRESENTATIVE
    )


def test_reordering_shareholders_amends_the_shareholders() -> None:
    reordered = a_record(shareholders=tuple(reversed(a_record().shareholders)))

    assert Amendment(a_record(), reordered).change_type == ChangeType.AMENDED_SHAREHOLDERS


def test_an_amendment_that_changes_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput, match="nothing to amend"):
        Amendment(a_record(), a_record())


def test_respelling_an_amount_is_not_an_amendment() -> None:
    with pytest.raises(InvalidInput, match="nothing to amend"):
        Amendment(a_record(), a_record(registered_capital=Money("1000000")))


def test_an_amendment_cannot_change_the_uscc() -> None:
    with pytest.raises(InvalidInput) as caught:
        Amendment(a_record(), a_record(uscc=CORPORATE_SHAREHOLDER_USCC, name="另一家公司"))

    assert caught.value.field == "uscc"


def test_an_amendment_cannot_change_the_establishment_date() -> None:
    with pytest.raises(InvalidInput) as caught:
        Amendment(a_record(), a_record(establishment_date=date(2021, 1, 1)))

    assert caught.value.field == "establishment_date"


def test_change_type_bits_are_pinned_because_contracts_store_them() -> None:
    assert {change.name: int(change) for change in ChangeType} == {
        "REGISTERED": 0x0001,
        "AMENDED_NAME": 0x0002,
        "AMENDED_ADDRESS": 0x0004,
        "AMENDED_CAPITAL": 0x0008,
        "AMENDED_LEGAL_REPRESENTATIVE": 0x0010,
        "AMENDED_SCOPE": 0x0020,
        "AMENDED_SHAREHOLDERS": 0x0040,
        "SUSPENDED": 0x0080,
        "REINSTATED": 0x0100,
        "DEREGISTERED": 0x0200,
    }
    assert ChangeType.AMENDMENTS == 0x007E


def test_every_change_type_bit_fits_in_a_uint16() -> None:
    all_bits = 0
    for change in ChangeType:
        all_bits |= change

    assert all_bits == 0x03FF
    assert all_bits < 2**16


@pytest.mark.parametrize(
    "change", [ChangeType.REGISTERED, ChangeType.SUSPENDED, ChangeType.REINSTATED, ChangeType.DEREGISTERED]
)
def test_decodes_a_single_lifecycle_change(change: ChangeType) -> None:
    assert ChangeType.decode(int(change)) is change
    assert not change.is_amendment


@given(st.integers(min_value=1, max_value=0x3F))
def test_decodes_any_non_empty_set_of_amendments(subset: int) -> None:
    value = subset << 1

    decoded = ChangeType.decode(value)

    assert decoded == value
    assert decoded.is_amendment


@pytest.mark.parametrize("value", [0, 0x0003, 0x0081, 0x0180, 0x0041 | 0x0200, 0x0400, 0xFFFF, -1, True, "1"])
def test_refuses_to_decode_a_value_no_version_can_carry(value: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        ChangeType.decode(value)

    assert caught.value.field == "change_type"


# --- personal data ----------------------------------------------------------------------------------


def test_the_public_part_holds_no_personal_data_of_natural_persons() -> None:
    public, _ = split_personal_data(a_record())
    shown = json.dumps(public, ensure_ascii=False)

    for personal in ("张三", "李四", LEGAL_REPRESENTATIVE_ID, SHAREHOLDER_ID):
        assert personal not in shown
    assert "legal_representative" not in public
    assert public["shareholders"][0] == {
        "kind": "natural_person",
        "contribution": {"amount": "600000.00", "currency": "CNY"},
    }


def test_the_public_part_keeps_legal_person_shareholders_and_the_business_itself() -> None:
    public, _ = split_personal_data(a_record())

    assert public["shareholders"][1] == a_record_dict()["shareholders"][1]
    assert public["name"] == "广州示例科技有限公司"
    assert public["registered_capital"] == {"amount": "1000000.00", "currency": "CNY"}


def test_the_personal_part_holds_exactly_the_natural_persons_data() -> None:
    _, personal = split_personal_data(a_record())

    assert personal == {
        "legal_representative": {"name": "张三", "id_number": LEGAL_REPRESENTATIVE_ID},
        "shareholders": [{"index": 0, "name": "李四", "identifier": SHAREHOLDER_ID}],
    }


def test_joining_the_split_parts_restores_the_record_even_after_a_json_round_trip() -> None:
    public, personal = split_personal_data(a_record())

    restored = join_personal_data(json.loads(json.dumps(public)), json.loads(json.dumps(personal)))

    assert restored == a_record()
    assert record_hash(restored) == record_hash(a_record())


def test_splitting_does_not_modify_the_record() -> None:
    record = a_record()
    split_personal_data(record)

    assert record == a_record()


def test_join_refuses_a_public_part_that_carries_personal_data() -> None:
    public, personal = split_personal_data(a_record())
    leaky = copy.deepcopy(public)
    leaky["shareholders"][0]["name"] = "李四"

    with pytest.raises(InvalidInput) as caught:
        join_personal_data(leaky, personal)
    assert caught.value.field == "shareholders[0].name"

    with pytest.raises(InvalidInput) as caught:
        join_personal_data({**public, "legal_representative": personal["legal_representative"]}, personal)
    assert caught.value.field == "legal_representative"


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"index": 1, "name": "王五", "identifier": "44010619700101789X"}, "natural-person shareholder"),
        ({"index": 5, "name": "王五", "identifier": "44010619700101789X"}, "natural-person shareholder"),
        ({"index": "0", "name": "王五", "identifier": "44010619700101789X"}, "natural-person shareholder"),
        ({"index": 0, "name": "王五", "identifier": "44010619700101789X"}, "already given"),
    ],
)
def test_join_refuses_personal_data_that_points_at_the_wrong_shareholder(
    entry: dict[str, Any], reason: str
) -> None:
    public, personal = split_personal_data(a_record())
    personal["shareholders"].append(entry)

    with pytest.raises(InvalidInput) as caught:
        join_personal_data(public, personal)

    assert caught.value.field == "personal_data.shareholders[1].index"
    assert reason in caught.value.reason


def test_join_reports_a_natural_person_shareholder_whose_personal_data_is_missing() -> None:
    public, personal = split_personal_data(a_record())
    personal["shareholders"] = []

    with pytest.raises(InvalidInput) as caught:
        join_personal_data(public, personal)

    assert caught.value.field == "shareholders[0].name"
    assert caught.value.reason == "is required"


def test_join_reports_a_malformed_personal_part_under_personal_data() -> None:
    public, _ = split_personal_data(a_record())

    with pytest.raises(InvalidInput) as caught:
        join_personal_data(public, {"legal_representative": {"name": "张三", "id_number": "1"}})

    assert caught.value.field == "personal_data.shareholders"


# --- properties ---------------------------------------------------------------------------------------

texts = (
    st.text(st.characters(exclude_categories=("Cc", "Cs", "Cf")), min_size=1, max_size=24)
    .map(str.strip)
    .filter(bool)
)
id_numbers = st.from_regex(r"[0-9A-Z]{6,18}", fullmatch=True)
usccs = st.builds(
    lambda division, body: uscc_from_prefix("91" + division + body),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.from_regex(r"[0-9A-HJ-NPQRTUWXY]{8}", fullmatch=True),
)
money = st.builds(
    lambda amount, currency: Money(f"{amount:f}", currency),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2),
    st.sampled_from(["CNY", "HKD", "USD"]),
)
people = st.builds(NaturalPerson, texts, id_numbers)
shareholders = st.one_of(
    st.builds(Shareholder, texts, st.just(ShareholderKind.NATURAL_PERSON), id_numbers, money),
    st.builds(Shareholder, texts, st.just(ShareholderKind.LEGAL_PERSON), usccs, money),
)
shareholder_lists = st.lists(
    shareholders, max_size=4, unique_by=lambda holder: (holder.kind, holder.identifier)
)
records = st.builds(
    BusinessRecord,
    uscc=usccs,
    name=texts,
    legal_representative=people,
    registered_capital=money,
    address=texts,
    business_scope=texts,
    shareholders=shareholder_lists.map(tuple),
    establishment_date=st.dates(min_value=date(1949, 10, 1), max_value=date(2099, 12, 31)),
)
amendable_values: dict[str, st.SearchStrategy[Any]] = {
    "name": texts,
    "address": texts,
    "registered_capital": money,
    "legal_representative": people,
    "business_scope": texts,
    "shareholders": shareholder_lists.map(tuple),
}


@given(records)
def test_every_record_survives_a_round_trip_through_its_dict(record: BusinessRecord) -> None:
    assert record_from_dict(record_to_dict(record)) == record


@given(records, st.randoms(use_true_random=False))
def test_canonical_bytes_are_stable_under_any_key_order(record: BusinessRecord, rnd: random.Random) -> None:
    assert canonical_bytes(record_from_dict(shuffled(record_to_dict(record), rnd))) == canonical_bytes(record)


@given(records)
def test_every_record_splits_and_joins_back_to_itself(record: BusinessRecord) -> None:
    assert join_personal_data(*split_personal_data(record)) == record


@given(records, st.data())
def test_amending_one_field_changes_the_hash_and_names_exactly_that_field(
    record: BusinessRecord, data: st.DataObject
) -> None:
    field = data.draw(st.sampled_from(list(AMENDABLE_FIELDS)), label="field")
    value = data.draw(amendable_values[field], label="new value")
    assume(value != getattr(record, field))
    amended = dataclasses.replace(record, **{field: value})

    assert record_hash(amended) != record_hash(record)
    assert Amendment(record, amended).change_type == AMENDABLE_FIELDS[field]
