"""Flattening document data into dotted paths, the fields OpenAttestation hashes one by one."""

from __future__ import annotations

from typing import Any

import pytest

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa.flatten import flatten


def test_joins_keys_with_dots_and_uses_array_indexes_as_segments() -> None:
    data = {"issuers": [{"name": "A", "identityProof": {"type": "DNS-TXT"}}], "id": "1"}
    assert flatten(data) == {"issuers.0.name": "A", "issuers.0.identityProof.type": "DNS-TXT", "id": "1"}


def test_keeps_empty_objects_and_arrays_as_leaves_of_their_own() -> None:
    assert flatten({"o": {}, "a": [], "nested": [{}, []]}) == {
        "o": {},
        "a": [],
        "nested.0": {},
        "nested.1": [],
    }


def test_keeps_null_and_primitive_leaves_as_they_are() -> None:
    assert flatten({"n": None, "b": False, "i": 0, "s": ""}) == {"n": None, "b": False, "i": 0, "s": ""}


def test_lists_paths_in_javascript_property_order_integer_keys_first() -> None:
    assert list(flatten({"b": 1, "10": 2, "a": 3, "2": 4})) == ["2", "10", "b", "a"]


def test_an_empty_document_has_no_fields() -> None:
    assert flatten({}) == {}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"foo": {"bar": "qux"}, "foo.bar": "asd"}, "foo.bar"),
        ({"a": [{"b.c": 1}]}, "a.0.b.c"),
        ({"a": {"empty.object": {}}}, "a.empty.object"),
    ],
    ids=["shadowing a nested key", "inside an array", "holding an empty object"],
)
def test_refuses_keys_containing_a_dot_naming_the_key(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        flatten(data)
    assert caught.value.field == field
    assert "must not contain '.'" in caught.value.reason


def test_refuses_data_that_is_not_an_object() -> None:
    with pytest.raises(InvalidInput) as caught:
        flatten(["a"])
    assert caught.value.field == "data"


def test_refuses_values_that_are_not_json() -> None:
    with pytest.raises(InvalidInput) as caught:
        flatten({"a": {"b": {1, 2}}})
    assert caught.value.field == "a.b"
