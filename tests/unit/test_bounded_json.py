"""The bounded JSON loader: depth known before parsing, by a scan that does not recurse."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.bounded_json import JsonTooDeep, json_depth, load_json_bounded
from gzchain.domain.errors import InvalidInput

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def nesting(value) -> int:
    if isinstance(value, list):
        return 1 + max((nesting(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((nesting(v) for v in value.values()), default=0)
    return 0


@given(json_values)
def test_the_scan_finds_the_depth_the_parser_would_build(value):
    assert json_depth(json.dumps(value)) == nesting(value)


def test_brackets_and_escaped_quotes_inside_strings_do_not_count():
    assert json_depth('{"a": "[[[[\\"[[", "b": [["]"]]}') == 3


def test_two_hundred_kilobytes_of_nested_brackets_are_refused_without_parsing_them():
    import py_ecc  # noqa: F401  — raises the recursion limit to 100,000, as the server has it

    assert sys.getrecursionlimit() >= 100_000
    hostile = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(JsonTooDeep) as refused:
        load_json_bounded(hostile, max_depth=64)
    assert refused.value.depth == 100_000 and refused.value.limit == 64
    assert "max_json_depth" in refused.value.reason


def test_an_unterminated_string_full_of_escaped_quotes_is_scanned_in_one_pass():
    # Would take quadratic time with a pattern that must find each string's closing quote.
    assert json_depth(b'["' + b'\\"' * 200_000) == 1


def test_a_document_at_the_depth_limit_is_parsed():
    assert load_json_bounded("[" * 64 + "]" * 64, max_depth=64) == json.loads("[" * 64 + "]" * 64)


def test_a_document_over_the_byte_limit_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        load_json_bounded(b'"' + b"x" * 100 + b'"', max_bytes=50, field="wallet.json")
    assert refused.value.field == "wallet.json"


def test_text_that_is_not_json_is_invalid_input():
    with pytest.raises(InvalidInput, match="not valid JSON"):
        load_json_bounded("{nope")
