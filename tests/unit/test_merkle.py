"""Sorted-pair Keccak-256 Merkle trees as OpenAttestation batches them and OpenZeppelin verifies them."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.merkle import build_tree, hash_pair, merkle_root, verify

hashes = st.binary(min_size=32, max_size=32)
leaf_sets = st.lists(hashes, min_size=1, max_size=70, unique=True)


def leaf(n: int) -> bytes:
    return keccak(n.to_bytes(32, "big"))


def test_a_parent_is_the_keccak_of_its_children_smaller_first() -> None:
    low, high = sorted([leaf(1), leaf(2)])
    assert hash_pair(low, high) == keccak(low + high)
    assert hash_pair(high, low) == keccak(low + high)


def test_a_single_leaf_is_its_own_root_with_an_empty_proof() -> None:
    tree = build_tree([leaf(7)])
    assert tree.root == leaf(7)
    assert tree.proof(0) == []


def test_leaves_are_sorted_before_pairing_so_the_root_ignores_their_order() -> None:
    leaves = [leaf(n) for n in range(4)]
    a, b, c, d = sorted(leaves)
    expected = hash_pair(hash_pair(a, b), hash_pair(c, d))
    assert merkle_root(leaves) == expected
    assert merkle_root(list(reversed(leaves))) == expected


def test_an_odd_last_node_moves_up_a_level_unchanged() -> None:
    a, b, c = sorted(leaf(n) for n in range(3))
    tree = build_tree([a, b, c])
    assert tree.root == hash_pair(hash_pair(a, b), c)
    assert [len(level) for level in tree.levels] == [3, 2, 1]


def test_a_proof_skips_the_levels_where_the_leaf_had_no_sibling() -> None:
    a, b, c, d, e = sorted(leaf(n) for n in range(5))
    tree = build_tree([a, b, c, d, e])
    position_of_e = 4
    assert tree.proof(position_of_e) == [hash_pair(hash_pair(a, b), hash_pair(c, d))]
    assert tree.proof(0) == [b, hash_pair(c, d), e]


def test_a_proof_is_asked_for_by_the_leaf_s_index_as_given() -> None:
    leaves = [leaf(n) for n in range(6)]
    tree = build_tree(leaves)
    for index, given_leaf in enumerate(leaves):
        assert verify(tree.proof(index), tree.root, given_leaf)


def test_verifies_the_batch_proof_of_oa_verify_s_mainnet_document() -> None:
    proof = [
        bytes.fromhex("86874cd45a74f39759c21028ddacb6b45c56cd1b36203a874d91d3ef276eab7b"),
        bytes.fromhex("cd6d9d9a5969a6c5f428b7b4d8e854a798143072371f477bf09145a66951a9d8"),
        bytes.fromhex("6e78b6b1bfc66f4f34fe70f97d3e91bcc318f17916394eab95cf15e2e20ac63e"),
    ]
    target = bytes.fromhex("5b5ed60a40d445c58ffa21e73d11a98acc04be538ab9729da5066f75f0eaddb4")
    root = bytes.fromhex("1a040999254caaf7a33cba67ec6a9b862da1dacf8a0d1e3bb76347060fc615d6")
    assert verify(proof, root, target)


def test_refuses_to_build_a_tree_without_leaves() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_tree([])
    assert caught.value.field == "leaves"


def test_refuses_a_leaf_that_is_not_32_bytes() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_tree([leaf(1), b"\x01" * 31])
    assert caught.value.field == "leaves.1"


def test_refuses_a_proof_for_a_leaf_outside_the_tree() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_tree([leaf(1), leaf(2)]).proof(2)
    assert caught.value.field == "index"


@pytest.mark.parametrize(
    ("proof", "root", "checked_leaf"),
    [
        ([b"\x00" * 31], leaf(0), leaf(1)),
        ([], b"\x00" * 33, leaf(1)),
        ([], leaf(1), "0x" + leaf(1).hex()),
    ],
    ids=["short proof node", "long root", "hex string leaf"],
)
def test_verify_answers_false_rather_than_raising_on_malformed_input(
    proof: list[bytes], root: bytes, checked_leaf: bytes
) -> None:
    assert verify(proof, root, checked_leaf) is False


def test_builds_a_tree_of_a_hundred_thousand_leaves_without_recursion() -> None:
    leaves = [os.urandom(32) for _ in range(100_000)]
    tree = build_tree(leaves)
    assert len(tree.levels) == 18
    for index in (0, 1, 65_535, 65_536, 99_998, 99_999):
        assert verify(tree.proof(index), tree.root, leaves[index])


@given(leaf_sets)
def test_every_leaf_s_proof_verifies_against_the_root(leaves: list[bytes]) -> None:
    tree = build_tree(leaves)
    for index, member in enumerate(leaves):
        assert verify(tree.proof(index), tree.root, member)


@given(leaf_sets, hashes, st.data())
def test_a_proof_does_not_verify_a_different_leaf(
    leaves: list[bytes], other: bytes, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(leaves) - 1))
    tree = build_tree(leaves)
    if other != leaves[index]:
        assert not verify(tree.proof(index), tree.root, other)


@given(st.lists(hashes, min_size=2, max_size=40, unique=True), st.data())
def test_a_tampered_proof_node_does_not_verify(leaves: list[bytes], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(leaves) - 1))
    tree = build_tree(leaves)
    proof = tree.proof(index)
    position = data.draw(st.integers(0, len(proof) - 1))
    proof[position] = bytes([proof[position][0] ^ 1]) + proof[position][1:]
    assert not verify(proof, tree.root, leaves[index])
