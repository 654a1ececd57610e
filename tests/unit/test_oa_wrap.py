"""Wrapping OpenAttestation v2 documents, alone and as Merkle batches."""

from __future__ import annotations

from itertools import count
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.merkle import merkle_root, verify
from gzchain.domain.oa import (
    SCHEMA_V2,
    get_data,
    target_hash,
    verify_signature,
    wrap_document,
    wrap_documents,
)
from gzchain.domain.oa.flatten import flatten
from gzchain.domain.oa.salt import salt_data

STORE = "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca"


def licence(serial: int = 1) -> dict[str, Any]:
    return {
        "$template": {
            "name": "GZ_BUSINESS_LICENCE",
            "type": "EMBEDDED_RENDERER",
            "url": "https://render.example",
        },
        "id": f"GZ-2024-{serial:06d}",
        "issuers": [
            {
                "name": "广州市市场监督管理局",
                "documentStore": STORE,
                "identityProof": {"type": "DNS-TXT", "location": "amr.gz.example"},
            }
        ],
        "recipient": {"name": "广州示例贸易有限公司", "uscc": "91440101MA59LU9AX1"},
        "registeredCapital": 1000000.0,
        "branches": [],
        "verified": True,
        "revokedOn": None,
    }


def counting_salts() -> Any:
    numbers = count()
    return lambda: f"00000000-0000-4000-8000-{next(numbers):012d}"


def test_wraps_a_document_in_the_oa_v2_shape() -> None:
    wrapped = wrap_document(licence())
    assert list(wrapped) == ["version", "data", "signature"]
    assert wrapped["version"] == SCHEMA_V2
    assert list(wrapped["signature"]) == ["type", "targetHash", "proof", "merkleRoot"]
    assert wrapped["signature"]["type"] == "SHA3MerkleProof"


def test_a_single_document_is_its_own_merkle_root_with_an_empty_proof() -> None:
    signature = wrap_document(licence())["signature"]
    assert signature["proof"] == []
    assert signature["merkleRoot"] == signature["targetHash"]


def test_the_target_hash_is_the_digest_of_the_salted_data() -> None:
    wrapped = wrap_document(licence())
    assert wrapped["signature"]["targetHash"] == target_hash(wrapped["data"])
    assert verify_signature(wrapped)


def test_records_an_external_schema_id_only_when_given() -> None:
    wrapped = wrap_document(licence(), schema_id="gzchain/business-licence/1.0")
    assert list(wrapped) == ["version", "data", "schema", "signature"]
    assert wrapped["schema"] == "gzchain/business-licence/1.0"


def test_salts_every_value_with_its_own_salt() -> None:
    wrapped = wrap_document({"issuers": licence()["issuers"], "n": 1.0}, new_salt=counting_salts())
    assert (
        wrapped["data"]["issuers"][0]["name"]
        == "00000000-0000-4000-8000-000000000000:string:广州市市场监督管理局"
    )
    assert wrapped["data"]["n"] == "00000000-0000-4000-8000-000000000004:number:1"


def test_the_same_data_wraps_to_a_new_target_hash_each_time() -> None:
    assert (
        wrap_document(licence())["signature"]["targetHash"]
        != wrap_document(licence())["signature"]["targetHash"]
    )


def test_the_original_data_can_be_read_back_from_a_wrapped_document() -> None:
    assert get_data(wrap_document(licence())) == licence()


def test_refuses_to_wrap_data_that_fails_the_schema_naming_the_field() -> None:
    data = licence()
    del data["issuers"][0]["identityProof"]["location"]
    with pytest.raises(InvalidInput) as caught:
        wrap_document(data)
    assert caught.value.field == "issuers.0.identityProof.location"


def test_refuses_to_wrap_a_dotted_key() -> None:
    data = licence()
    data["recipient"]["name.en"] = "Example Trading"
    with pytest.raises(InvalidInput) as caught:
        wrap_document(data)
    assert caught.value.field == "recipient.name.en"


def test_a_batch_shares_one_root_and_each_proof_leads_to_it() -> None:
    batch = wrap_documents([licence(serial) for serial in range(5)])
    root = batch[0]["signature"]["merkleRoot"]
    for document in batch:
        signature = document["signature"]
        assert signature["merkleRoot"] == root
        proof = [bytes.fromhex(node) for node in signature["proof"]]
        assert verify(proof, bytes.fromhex(root), bytes.fromhex(signature["targetHash"]))
        assert verify_signature(document)


def test_a_batch_root_is_the_sorted_pair_merkle_root_of_the_target_hashes() -> None:
    batch = wrap_documents([licence(serial) for serial in range(3)])
    leaves = [bytes.fromhex(document["signature"]["targetHash"]) for document in batch]
    assert batch[0]["signature"]["merkleRoot"] == merkle_root(leaves).hex()
    assert sorted(len(document["signature"]["proof"]) for document in batch) == [1, 2, 2]


def test_a_batch_keeps_the_order_of_the_documents_given() -> None:
    batch = wrap_documents([licence(serial) for serial in range(4)])
    assert [get_data(document)["id"] for document in batch] == [
        f"GZ-2024-{serial:06d}" for serial in range(4)
    ]


def test_a_batch_of_one_is_a_single_wrapped_document() -> None:
    (document,) = wrap_documents([licence()])
    assert document["signature"]["proof"] == []
    assert document["signature"]["merkleRoot"] == document["signature"]["targetHash"]


def test_refuses_an_empty_batch() -> None:
    with pytest.raises(InvalidInput) as caught:
        wrap_documents([])
    assert caught.value.field == "documents"


def test_names_the_batch_member_and_field_that_fail() -> None:
    members = [licence(serial) for serial in range(3)]
    members[2]["issuers"] = []
    with pytest.raises(InvalidInput) as caught:
        wrap_documents(members)
    assert caught.value.field == "documents.2.issuers"


# ---- the one-walk wrap is held to the three functions it fuses ----

_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # lone surrogates included: JSON.stringify escapes them
)
_keys = st.text(max_size=5).filter(lambda key: "." not in key)
_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(_keys, _values, max_size=5))
def test_wrapping_salts_and_hashes_exactly_as_salt_flatten_and_hash_do(extra: dict[str, Any]) -> None:
    # top-level names the OA schema gives a meaning (and so a type) are left to the schema tests
    schema_names = ("id", "documentUrl", "$template", "recipient", "network", "attachments")
    data = {**{k: v for k, v in extra.items() if k not in schema_names}, "issuers": licence()["issuers"]}
    document = wrap_document(data, new_salt=counting_salts())
    assert document["data"] == salt_data(data, counting_salts())
    assert document["signature"]["targetHash"] == target_hash(salt_data(data, counting_salts()))


def test_the_salts_drawn_in_bulk_are_fresh_uuid_v4s_for_every_value() -> None:
    salted = [*flatten(wrap_document(licence())["data"]).values()]
    salted += [*flatten(wrap_document(licence())["data"]).values()]
    salts = [value.split(":", 1)[0] for value in salted if isinstance(value, str)]  # not the empty list
    assert len(set(salts)) == len(salts)
    assert all(UUID(salt).version == 4 and str(UUID(salt)) == salt for salt in salts)
