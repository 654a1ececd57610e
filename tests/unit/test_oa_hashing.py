"""Per-field hashes and targetHash, against the vectors of OpenAttestation's own digest tests."""

from __future__ import annotations

import pytest

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import digest_document, field_hash, target_hash
from gzchain.domain.oa.hashing import field_hashes, keccak_hex

DIGEST_TEST_DATA = {
    "key1": "value1",
    "key2": {
        "key2-1": "value2-1",
        "key2-2": "value2-2",
        "key2-3": ["value2-3-1", "value2-3-2", "value2-3-3"],
    },
    "key3": ["value3-1", "value3-2"],
}
DIGEST_TEST_FIELD_HASHES = [
    "1549a7b5fac4126fa0fbdea8c156930790691317e30400feb76c0f5cec06b396",
    "bfde44f29cc03f4111c0e0dd5c9551705e9cfb03054e26e01f53c6dabff7aead",
    "877b54b204a759620fd386e531d9a017655377f3645117665409da3c7ff5a61a",
    "1cbeb0dc59c8e303b23bcfd5275211531348da401d971e120c0dded6fbc48c75",
    "433691731088b4455fb31dee9b75fed687fb3acf9886c1359e01d3df3d059990",
    "b75b6e1b511cae653f4bf5a8981e300a53b5e797f8de9ce0f4521d64d28a3e4e",
    "f290dec8eba6913285b09f712ea38e39da8ffdf1de9bf305b90d3b77ae77be96",
    "83cae3b56a3b5b874ddf7d9e237f8527791bde5459bd2d72529395782e6088d0",
]
DIGEST_TEST_TARGET_HASH = "3826fcc2b0122a3555051a29b09b8cf5a6a8c776abf5da4e966ab92dbdbd518c"


def test_hashes_text_with_ethereum_keccak_256_not_nist_sha3() -> None:
    assert (
        keccak_hex('{"key1":"value1"}') == "1549a7b5fac4126fa0fbdea8c156930790691317e30400feb76c0f5cec06b396"
    )


def test_a_field_hash_is_the_keccak_of_the_compact_json_of_path_and_leaf() -> None:
    assert field_hash("key1", "value1") == DIGEST_TEST_FIELD_HASHES[0]


def test_hashes_every_field_of_oa_s_digest_test_data() -> None:
    assert field_hashes(DIGEST_TEST_DATA) == DIGEST_TEST_FIELD_HASHES


def test_digests_oa_s_digest_test_data_with_all_fields_visible() -> None:
    assert target_hash(DIGEST_TEST_DATA) == DIGEST_TEST_TARGET_HASH


def test_digests_to_the_same_hash_with_some_fields_obfuscated() -> None:
    visible = {"key1": "value1", "key2": {"key2-1": "value2-1"}}
    hidden = [DIGEST_TEST_FIELD_HASHES[index] for index in (2, 3, 4, 5, 6, 7)]
    assert target_hash(visible, hidden) == DIGEST_TEST_TARGET_HASH


def test_digests_to_the_same_hash_with_every_field_obfuscated() -> None:
    document = {"data": {}, "privacy": {"obfuscatedData": DIGEST_TEST_FIELD_HASHES}}
    assert digest_document(document) == DIGEST_TEST_TARGET_HASH


def test_the_digest_does_not_depend_on_the_order_of_obfuscated_hashes() -> None:
    assert target_hash({}, list(reversed(DIGEST_TEST_FIELD_HASHES))) == DIGEST_TEST_TARGET_HASH


def test_refuses_to_digest_a_shadowed_key() -> None:
    with pytest.raises(InvalidInput) as caught:
        target_hash({"foo": {"bar": "qux"}, "foo.bar": "asd"})
    assert caught.value.field == "foo.bar"


def test_refuses_obfuscated_data_that_is_not_a_list_of_hashes() -> None:
    with pytest.raises(InvalidInput) as caught:
        target_hash({}, ["0x" + DIGEST_TEST_FIELD_HASHES[0][2:]])
    assert caught.value.field == "privacy.obfuscatedData.0"
    with pytest.raises(InvalidInput) as caught:
        digest_document({"data": {}, "privacy": {"obfuscatedData": "abc"}})
    assert caught.value.field == "privacy.obfuscatedData"
