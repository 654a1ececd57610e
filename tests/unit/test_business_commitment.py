"""Salted per-field commitments of a business record: one leaf per field, 256-bit salts, a sorted-pair
Merkle root that proves each field alone, and personal fields that no guess can be tested against."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from support.records import a_record

from gzchain.domain.business import record_from_dict, record_hash
from gzchain.domain.business_commitment import (
    SALT_BYTES,
    commit,
    field_values,
    leaf,
    personal_paths,
    private_paths,
    verify_field,
)
from gzchain.domain.keccak import keccak

RECORD = record_from_dict(a_record())


def test_a_leaf_is_the_double_keccak_of_salt_path_nul_and_value():
    salt = bytes(range(32))
    expected = keccak(keccak(salt + b"registered_capital.amount\x00" + b"1000000.00"))
    assert leaf(salt, "registered_capital.amount", "1000000.00") == expected


def test_every_field_gets_its_own_fresh_salt_of_at_least_128_bits():
    first, second = commit(RECORD), commit(RECORD)
    assert SALT_BYTES * 8 >= 128
    assert set(first.salts) == set(field_values(RECORD))
    assert all(len(salt) == SALT_BYTES for salt in first.salts.values())
    assert len(set(first.salts.values())) == len(first.salts)
    # Fresh salts: the same record commits to a different root each time, and never to its SHA-256.
    assert first.root != second.root
    assert record_hash(RECORD) not in (first.root, second.root)


def test_the_same_salts_give_the_same_root():
    commitment = commit(RECORD)
    assert commit(RECORD, commitment.salts).root == commitment.root


def test_each_field_proves_alone_against_the_root_and_a_changed_value_does_not():
    commitment = commit(RECORD)
    for path, value in field_values(RECORD).items():
        proof = commitment.proof(path)
        assert verify_field(path, value, commitment.salts[path], proof, commitment.root)
        assert not verify_field(path, value + "x", commitment.salts[path], proof, commitment.root)
        assert not verify_field(path, value, bytes(SALT_BYTES), proof, commitment.root)


def test_a_field_cannot_be_passed_off_under_another_path():
    commitment = commit(RECORD)
    value = field_values(RECORD)["address"]
    salt, proof = commitment.salts["address"], commitment.proof("address")
    assert not verify_field("business_scope", value, salt, proof, commitment.root)


def test_the_shareholder_count_is_committed_so_no_shareholder_can_be_left_out():
    assert field_values(RECORD)["shareholders.count"] == "2"


def test_id_numbers_and_natural_person_shareholders_names_are_private_the_legal_representatives_name_is_not():
    private = private_paths(RECORD)
    assert private == {
        "legal_representative.id_number",
        "shareholders[0].name",
        "shareholders[0].identifier",
    }
    # The legal representative's name is public, but personal data all the same: sealed at rest.
    assert personal_paths(RECORD) == private | {"legal_representative.name"}


@given(st.binary(min_size=SALT_BYTES, max_size=SALT_BYTES), st.text(min_size=1, max_size=40))
def test_without_the_salt_a_guessed_value_gives_another_leaf(salt: bytes, guess: str):
    real = leaf(salt, "legal_representative.id_number", "44010619900101123X")
    assert (leaf(salt, "legal_representative.id_number", guess) == real) == (guess == "44010619900101123X")
