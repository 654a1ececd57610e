"""Wrapping many documents of one shape: byte for byte what wrap_document makes, with fresh salts, and every
check wrap_document makes still made (the fixed part once, the open values per document)."""

from __future__ import annotations

import json
from itertools import count
from typing import Any
from uuid import RFC_4122, UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import check_signature, get_data, target_hash, wrap_document
from gzchain.domain.oa.flatten import flatten
from gzchain.domain.oa.shape import Slot, compile_shape

STORE = "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca"
ISSUERS = [
    {
        "name": "广州市教育局",
        "documentStore": STORE,
        "identityProof": {"type": "DNS-TXT", "location": "jyj.gz"},
    }
]
COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def shaped() -> dict[str, Any]:
    """Data with every kind of leaf: open values (also in lists and twice), strings, numbers, booleans,
    null, empty containers, escapes and non-ASCII text."""
    return {
        "$template": {"name": "GZ_CERT", "type": "EMBEDDED_RENDERER"},
        "id": Slot(0),
        "recipient": {"name": Slot(1), "aliases": [Slot(1), '别名 "甲"\n']},
        "score": 97.5,
        "rank": 3,
        "passed": True,
        "remarks": None,
        "extras": {},
        "history": [],
        "nested": [{"deep": [Slot(2), 1e21]}],
        "issuers": ISSUERS,
        "network": {"chain": "GZCHAIN", "chainId": "1337"},
    }


def filled(node: Any, values: list[str]) -> Any:
    if isinstance(node, Slot):
        return values[node.index]
    if isinstance(node, dict):
        return {key: filled(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [filled(value, values) for value in node]
    return node


def counting_salts() -> Any:
    numbers = count()
    return lambda: f"00000000-0000-4000-8000-{next(numbers):012d}"


def as_document(text: str, target: bytes) -> dict[str, Any]:
    """The wrapped document a shape's text stands for, signed as a batch of one."""
    signature = {
        "type": "SHA3MerkleProof",
        "targetHash": target.hex(),
        "proof": [],
        "merkleRoot": target.hex(),
    }
    return {**json.loads(text), "signature": signature}


def wrapped_without_signature(data: dict[str, Any], **options: Any) -> tuple[str, str]:
    document = wrap_document(data, new_salt=counting_salts(), **options)
    return COMPACT.encode({k: v for k, v in document.items() if k != "signature"}), document["signature"][
        "targetHash"
    ]


_text = st.text(min_size=1, alphabet=st.characters(exclude_categories=("Cs",)))  # no lone surrogates


@given(st.lists(_text, min_size=3, max_size=3))
def test_a_shape_wraps_byte_for_byte_what_wrap_document_makes_with_the_same_salts(values: list[str]) -> None:
    text, target = compile_shape(shaped(), new_salt=counting_salts()).wrap(values)
    assert (text, target.hex()) == wrapped_without_signature(filled(shaped(), values))


def test_a_shape_keeps_an_external_schema_id_where_wrap_document_puts_it() -> None:
    values = ["GZ-1", "陈晓明", "x"]
    text, target = compile_shape(shaped(), schema_id="gz/cert/1", new_salt=counting_salts()).wrap(values)
    assert (text, target.hex()) == wrapped_without_signature(filled(shaped(), values), schema_id="gz/cert/1")


def test_every_document_of_a_shape_is_intact_and_reads_back_its_own_values() -> None:
    shape = compile_shape(shaped())
    for number in range(5):
        values = [f"GZ-{number}", f"陈晓明{number}", '\\ " \t']
        document = as_document(*shape.wrap(values))
        check_signature(document)
        assert get_data(document) == filled(shaped(), values)


def test_a_value_with_a_lone_surrogate_is_hashed_as_json_stringify_escapes_it() -> None:
    text, target = compile_shape(shaped()).wrap(["GZ-1", "\ud800", "x"])
    # The text keeps the raw surrogate as json.dumps does, which only a surrogate-tolerant reader parses.
    document = json.loads(text)
    assert target.hex() == target_hash(document["data"])


def test_salts_are_fresh_uuid_v4s_for_every_field_of_every_document() -> None:
    shape = compile_shape(shaped())
    documents = [json.loads(shape.wrap(["GZ-1", "陈晓明", "x"])[0]) for _ in range(50)]
    salts = [
        value.split(":", 1)[0]
        for document in documents
        for value in flatten(document["data"]).values()
        if isinstance(value, str)
    ]
    assert len(salts) == 50 * 18 and len(set(salts)) == len(salts)
    assert all(UUID(salt).version == 4 and UUID(salt).variant == RFC_4122 for salt in salts)
    assert all(str(UUID(salt)) == salt for salt in salts)


def test_two_shapes_of_the_same_data_never_share_a_salt() -> None:
    first, second = compile_shape(shaped()), compile_shape(shaped())
    one, other = (json.loads(shape.wrap(["a", "b", "c"])[0])["data"] for shape in (first, second))
    salts_of = [
        {value.split(":", 1)[0] for value in flatten(d).values() if isinstance(value, str)}
        for d in (one, other)
    ]
    assert not salts_of[0] & salts_of[1]


def test_an_open_value_the_schema_refuses_is_refused_for_its_document_naming_the_field() -> None:
    data = {**shaped(), "$template": {"name": "GZ_CERT", "type": Slot(2)}}
    shape = compile_shape(data)  # the fixed part is fine; this value is checked per document
    json.loads(shape.wrap(["GZ-1", "陈晓明", "EMBEDDED_RENDERER"])[0])
    with pytest.raises(InvalidInput) as caught:
        shape.wrap(["GZ-1", "陈晓明", "PDF"])
    assert caught.value.field == "$template.type"


def test_open_values_in_the_issuers_are_checked_for_each_document() -> None:
    data = {**shaped(), "issuers": [{**ISSUERS[0], "documentStore": Slot(2)}]}
    shape = compile_shape(data)
    check_signature(as_document(*shape.wrap(["GZ-1", "陈晓明", STORE])))
    with pytest.raises(InvalidInput) as caught:
        shape.wrap(["GZ-1", "陈晓明", "not an address"])
    assert caught.value.field == "issuers.0.documentStore"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(issuers=[{**ISSUERS[0], "documentStore": "0x12"}]), "issuers.0.documentStore"),
        (lambda d: d.pop("issuers"), "issuers"),
        (lambda d: d.update({"a.b": "x"}), "a.b"),
        (lambda d: d.update(big=2**60), "big"),
        (lambda d: d.update(when=object()), "when"),
        (lambda d: d["recipient"].update({1: "x"}), "recipient.1"),
    ],
    ids=["bad store", "no issuers", "dotted key", "unsafe integer", "not JSON", "non-string key"],
)
def test_the_fixed_part_is_refused_when_compiled_as_wrap_document_refuses_it(change: Any, field: str) -> None:
    data = shaped()
    change(data)
    with pytest.raises(InvalidInput) as ours:
        compile_shape(data)
    with pytest.raises(InvalidInput) as theirs:
        wrap_document(filled(data, ["GZ-1", "陈晓明", "x"]))
    assert ours.value.field == theirs.value.field == field
    assert ours.value.reason == theirs.value.reason
