"""Salting values the way OpenAttestation does (`<uuid4>:<typeof>:<String(v)>`) and reading them back."""

from __future__ import annotations

import math
from itertools import islice
from typing import Any
from uuid import RFC_4122, UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa.js import js_number, js_string, js_typeof, json_stringify
from gzchain.domain.oa.salt import (
    random_salt,
    random_salts_in_bulk,
    salt_data,
    salt_value,
    unsalt_data,
    unsalt_value,
)

SALT = "3c2a6dfd-d3ad-4f4b-8a2d-7b2c7d3c6f21"


def fixed_salt() -> str:
    return SALT


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        (1.0, "1"),
        (1, "1"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (-2.5, "-2.5"),
        (-0.0, "0"),
        (0.1, "0.1"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        ("text", "text"),
    ],
)
def test_renders_values_as_javascript_string_does(value: Any, rendered: str) -> None:
    assert js_string(value) == rendered


@pytest.mark.parametrize(
    ("value", "kind"),
    [("a", "string"), (1, "number"), (1.5, "number"), (True, "boolean"), (None, "null")],
)
def test_names_types_as_javascript_typeof_does_with_null_apart(value: Any, kind: str) -> None:
    assert js_typeof(value) == kind


def test_renders_non_finite_numbers_as_javascript_does() -> None:
    assert [js_number(math.nan), js_number(math.inf), js_number(-math.inf)] == [
        "NaN",
        "Infinity",
        "-Infinity",
    ]


def test_stringifies_json_as_javascript_does_for_integer_like_keys_and_lone_surrogates() -> None:
    assert json_stringify({"b": 1, "10": 2, "2": 3, "01": 4}) == '{"2":3,"10":2,"b":1,"01":4}'
    assert json_stringify(["\ud800", "é\n\x01"]) == '["\\ud800","é\\n\\u0001"]'
    assert json_stringify([1.0, 1e21, 2**64]) == "[1,1e+21,18446744073709552000]"


def test_salts_the_values_oa_was_checked_against() -> None:
    salted = salt_data({"x": None, "n": 1.0, "b": True}, fixed_salt)
    assert salted == {"x": f"{SALT}:null:null", "n": f"{SALT}:number:1", "b": f"{SALT}:boolean:true"}


def test_salts_every_primitive_in_nested_objects_and_arrays() -> None:
    salted = salt_data({"a": {"b": ["x", 2]}}, fixed_salt)
    assert salted == {"a": {"b": [f"{SALT}:string:x", f"{SALT}:number:2"]}}


def test_leaves_empty_objects_and_arrays_unsalted() -> None:
    assert salt_data({"o": {}, "a": [], "n": [[]]}, fixed_salt) == {"o": {}, "a": [], "n": [[]]}


def test_random_salts_are_distinct_uuid_v4s() -> None:
    salts = {random_salt() for _ in range(100)}
    assert len(salts) == 100
    assert all(salt[14] == "4" for salt in salts)


def test_does_not_modify_the_data_it_salts() -> None:
    data = {"a": ["x"]}
    salt_data(data)
    assert data == {"a": ["x"]}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"big": 2**53}, "big"),
        ({"n": [math.nan]}, "n.0"),
        ({"n": {"inf": math.inf}}, "n.inf"),
        ({"when": {"at": object()}}, "when.at"),
        ({"t": (1, 2)}, "t"),
        ({"k": {1: "one"}}, "k.1"),
    ],
    ids=["unsafe integer", "NaN", "infinity", "non-JSON object", "tuple", "non-string key"],
)
def test_refuses_values_oa_cannot_carry_faithfully_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        salt_data(data)
    assert caught.value.field == field


def test_refuses_a_salt_that_is_not_a_uuid_v4() -> None:
    with pytest.raises(InvalidInput) as caught:
        salt_value("x", "not-a-uuid")
    assert caught.value.field == "salt"


@pytest.mark.parametrize(
    ("salted", "value"),
    [
        (f"{SALT}:string:a:b:c", "a:b:c"),
        (f"{SALT}:string:", ""),
        (f"{SALT}:string:trailing space ", "trailing space "),
        (f"{SALT}:number:1", 1),
        (f"{SALT}:number:1e+21", 1e21),
        (f"{SALT}:number:-1.5e-7", -1.5e-7),
        (f"{SALT}:boolean:false", False),
        (f"{SALT}:null:null", None),
        (f"{SALT.upper()}:string:upper-case salt", "upper-case salt"),
        ("not salted", "not salted"),
        (
            "3c2a6dfd-d3ad-1f4b-8a2d-7b2c7d3c6f21:string:uuid v1",
            "3c2a6dfd-d3ad-1f4b-8a2d-7b2c7d3c6f21:string:uuid v1",
        ),
        (7, 7),
    ],
)
def test_reads_salted_values_back(salted: Any, value: Any) -> None:
    read = unsalt_value(salted)
    assert read == value
    assert type(read) is type(value)


@pytest.mark.parametrize(
    "salted",
    [f"{SALT}:number:NaN", f"{SALT}:number:0x10", f"{SALT}:number:", f"{SALT}:boolean:yes", f"{SALT}:date:1"],
)
def test_refuses_salted_values_it_cannot_read(salted: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        unsalt_data({"v": [salted]})
    assert caught.value.field == "v.0"


def test_drops_undefined_properties_and_nulls_undefined_array_elements_as_json_would() -> None:
    undefined = f"{SALT}:undefined:undefined"
    assert unsalt_data({"a": undefined, "b": [undefined, "x"]}) == {"b": [None, "x"]}


json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=5), json_values, max_size=5))
def test_unsalting_salted_data_gives_back_the_original(data: dict[str, Any]) -> None:
    assert unsalt_data(salt_data(data)) == data


def test_salts_made_in_bulk_are_distinct_random_uuid_v4s() -> None:
    salts = list(islice(random_salts_in_bulk(per_draw=1000), 20_000))  # several draws
    assert len(set(salts)) == len(salts)
    assert all(UUID(salt).version == 4 and UUID(salt).variant == RFC_4122 for salt in salts)
    assert all(str(UUID(salt)) == salt for salt in salts)
    # every digit but the version is random: each place takes every value it may
    places = [{salt[place] for salt in salts} for place in range(36)]
    assert places[14] == {"4"} and places[19] == set("89ab")
    assert all(len(places[place]) == 16 for place in range(36) if place not in (8, 13, 14, 18, 19, 23))
