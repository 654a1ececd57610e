"""Selective disclosure: hidden fields stay provable, and OA's two obfuscation pitfalls are refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import field_hash, get_data, obfuscate, verify_signature, wrap_document, wrap_documents
from gzchain.domain.oa.flatten import flatten

ISSUER = {
    "name": "广州海关",
    "documentStore": "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca",
    "identityProof": {"type": "DNS-TXT", "location": "customs.gz.example"},
}


def clearance() -> dict[str, Any]:
    return {
        "issuers": [copy.deepcopy(ISSUER)],
        "recipient": {"name": "王五", "idNumber": "440101199001011234"},
        "batch": {"product": "frozen beef", "origin": "AR", "lots": ["L1", "L2"], "temperatureC": -18.5},
        "inspections": [{"passed": True, "by": "officer 7"}],
    }


def hidden_hashes(document: dict[str, Any]) -> list[str]:
    return document.get("privacy", {}).get("obfuscatedData", [])


def test_obfuscating_a_field_keeps_the_target_hash_and_the_document_valid() -> None:
    wrapped = wrap_document(clearance())
    hidden = obfuscate(wrapped, "recipient.idNumber")
    assert hidden["signature"] == wrapped["signature"]
    assert verify_signature(hidden)


def test_an_obfuscated_field_leaves_the_data_and_its_hash_is_recorded() -> None:
    wrapped = wrap_document(clearance())
    hidden = obfuscate(wrapped, ["recipient.idNumber"])
    assert "idNumber" not in hidden["data"]["recipient"]
    assert hidden_hashes(hidden) == [
        field_hash("recipient.idNumber", wrapped["data"]["recipient"]["idNumber"])
    ]
    assert get_data(hidden)["recipient"] == {"name": "王五"}


def test_obfuscating_an_object_hides_every_field_under_it() -> None:
    hidden = obfuscate(wrap_document(clearance()), "batch")
    assert "batch" not in hidden["data"]
    assert len(hidden_hashes(hidden)) == 5
    assert verify_signature(hidden)


def test_obfuscating_a_whole_array_is_allowed() -> None:
    hidden = obfuscate(wrap_document(clearance()), "batch.lots")
    assert "lots" not in hidden["data"]["batch"]
    assert verify_signature(hidden)


def test_obfuscating_again_appends_to_the_hashes_already_hidden() -> None:
    once = obfuscate(wrap_document(clearance()), "recipient.idNumber")
    twice = obfuscate(once, "batch.origin")
    assert hidden_hashes(twice)[:1] == hidden_hashes(once)
    assert len(hidden_hashes(twice)) == 2
    assert verify_signature(twice)


def test_a_field_named_twice_or_under_another_chosen_field_is_hidden_once() -> None:
    hidden = obfuscate(wrap_document(clearance()), ["batch.origin", "batch", "batch.origin"])
    assert len(hidden_hashes(hidden)) == 5
    assert verify_signature(hidden)


def test_obfuscating_every_top_level_field_leaves_an_empty_document_that_still_verifies() -> None:
    wrapped = wrap_document(clearance())
    hidden = obfuscate(wrapped, list(clearance()))
    assert hidden["data"] == {}
    assert verify_signature(hidden)


def test_a_batch_member_stays_valid_after_obfuscation() -> None:
    member = wrap_documents([clearance(), clearance(), clearance()])[1]
    assert verify_signature(obfuscate(member, ["recipient.idNumber", "batch.lots"]))


def test_does_not_change_the_document_it_obfuscates() -> None:
    wrapped = wrap_document(clearance())
    before = copy.deepcopy(wrapped)
    obfuscate(wrapped, "recipient.name")
    assert wrapped == before


@pytest.mark.parametrize("path", ["recipient.age", "nothing", "batch.lots.7", "recipient.name.first"])
def test_refuses_a_field_the_document_does_not_have(path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        obfuscate(wrap_document(clearance()), path)
    assert caught.value.field == path


@pytest.mark.parametrize("path", ["", "batch..origin", ".batch"])
def test_refuses_a_malformed_path(path: str) -> None:
    with pytest.raises(InvalidInput):
        obfuscate(wrap_document(clearance()), path)


def test_pitfall_an_object_left_empty_would_no_longer_verify() -> None:
    wrapped = wrap_document(clearance())
    left_empty = obfuscate(wrapped, "recipient.idNumber")
    del left_empty["data"]["recipient"]["name"]
    left_empty["privacy"]["obfuscatedData"].append(
        field_hash("recipient.name", wrapped["data"]["recipient"]["name"])
    )
    assert left_empty["data"]["recipient"] == {}
    assert verify_signature(left_empty) is False


def test_refuses_to_leave_an_object_empty_and_suggests_hiding_it_whole() -> None:
    wrapped = wrap_document(clearance())
    with pytest.raises(InvalidInput) as caught:
        obfuscate(wrapped, ["recipient.name", "recipient.idNumber"])
    assert caught.value.field == "recipient"
    assert "'recipient' whole" in caught.value.reason
    assert verify_signature(obfuscate(wrapped, "recipient"))


def test_refuses_to_leave_an_array_element_empty_and_suggests_hiding_the_array() -> None:
    with pytest.raises(InvalidInput) as caught:
        obfuscate(wrap_document(clearance()), ["inspections.0.passed", "inspections.0.by"])
    assert caught.value.field == "inspections.0"
    assert "'inspections' whole" in caught.value.reason


def test_pitfall_an_array_hole_read_back_as_null_would_no_longer_verify() -> None:
    wrapped = wrap_document(clearance())
    holed = copy.deepcopy(wrapped)
    holed["data"]["batch"]["lots"][0] = None
    holed["privacy"] = {"obfuscatedData": [field_hash("batch.lots.0", wrapped["data"]["batch"]["lots"][0])]}
    assert verify_signature(holed) is False


def test_refuses_to_obfuscate_a_single_array_element_and_suggests_the_whole_array() -> None:
    with pytest.raises(InvalidInput) as caught:
        obfuscate(wrap_document(clearance()), "batch.lots.0")
    assert caught.value.field == "batch.lots.0"
    assert "'batch.lots' whole" in caught.value.reason


def test_refuses_a_whole_array_element_even_when_it_is_an_object() -> None:
    with pytest.raises(InvalidInput) as caught:
        obfuscate(wrap_document(clearance()), "issuers.0")
    assert caught.value.field == "issuers.0"
    assert "'issuers' whole" in caught.value.reason


keys = st.text(alphabet="xyz", min_size=1, max_size=2)
leaves = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3) | st.just({}) | st.just([])
trees = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)


def member_paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every path ending at an object member (the fields that can be hidden without leaving a hole)."""
    found: list[tuple[str, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        path = (*prefix, str(key))
        if isinstance(value, dict):
            found.append(path)
        found.extend(member_paths(item, path))
    return found


def under_any(path: tuple[str, ...], chosen: list[tuple[str, ...]]) -> bool:
    return any(path[: len(choice)] == choice for choice in chosen)


def without(data: dict[str, Any], chosen: list[tuple[str, ...]]) -> dict[str, Any]:
    remaining = copy.deepcopy(data)
    for path in sorted(chosen, key=len, reverse=True):
        node: Any = remaining
        for key in path[:-1]:
            node = node[int(key)] if isinstance(node, list) else node.get(key, {})
        node.pop(path[-1], None)
    return remaining


def emptied_objects(before: Any, after: Any, prefix: tuple[str, ...] = ()) -> set[str]:
    if not isinstance(before, dict | list) or not isinstance(after, dict | list):
        return set()
    if prefix and before and not after:
        return {".".join(prefix)}
    pairs = (
        [(key, before[key], after[key]) for key in before if key in after]
        if isinstance(before, dict)
        else [(str(index), old, new) for index, (old, new) in enumerate(zip(before, after, strict=True))]
    )
    return set().union(*(emptied_objects(old, new, (*prefix, key)) for key, old, new in pairs))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, max_size=4), st.data())
def test_obfuscating_any_set_of_fields_keeps_the_document_valid_and_hides_exactly_those(
    extra: dict[str, Any], data: st.DataObject
) -> None:
    wrapped = wrap_document({"issuers": [ISSUER], "extra": extra})
    candidates = member_paths(wrapped["data"])
    chosen = data.draw(st.lists(st.sampled_from(candidates), max_size=6))
    paths = [".".join(path) for path in chosen]
    expected_data = without(wrapped["data"], chosen)
    emptied = emptied_objects(wrapped["data"], expected_data)
    event("refused: would empty an object" if emptied else "hidden and verified")
    if emptied:
        with pytest.raises(InvalidInput) as caught:
            obfuscate(wrapped, paths)
        assert caught.value.field in emptied
        return
    hidden = obfuscate(wrapped, paths)
    assert verify_signature(hidden)
    assert hidden["data"] == expected_data
    all_fields = flatten(wrapped["data"])
    hidden_fields = {
        path: leaf for path, leaf in all_fields.items() if under_any(tuple(path.split(".")), chosen)
    }
    assert set(flatten(hidden["data"])) == set(all_fields) - set(hidden_fields)
    assert sorted(hidden_hashes(hidden)) == sorted(
        field_hash(path, leaf) for path, leaf in hidden_fields.items()
    )


@given(st.lists(st.text(max_size=3), min_size=1, max_size=4), st.data())
def test_obfuscating_any_array_element_is_refused_naming_it(lots: list[str], data: st.DataObject) -> None:
    wrapped = wrap_document({"issuers": [ISSUER], "lots": lots})
    index = data.draw(st.integers(0, len(lots) - 1))
    with pytest.raises(InvalidInput) as caught:
        obfuscate(wrapped, f"lots.{index}")
    assert caught.value.field == f"lots.{index}"
