"""Checking the integrity of wrapped documents: OA's published fixtures and tampered copies."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import check_signature, digest_document, get_data, verify_signature, wrap_documents

# open-attestation test/fixtures/v2/not-obfuscated-wrapped.json
NOT_OBFUSCATED_WRAPPED: dict[str, Any] = {
    "version": "https://schema.openattestation.com/2.0/schema.json",
    "data": {
        "$template": {
            "name": "fdb9d37a-ac86-4956-887c-d221c8e0cd62:string:main",
            "type": "31f7607f-54b9-46e7-8c1d-9c013c2ecd88:string:EMBEDDED_RENDERER",
            "url": "744f3009-426f-4ab7-91be-72abc02332e1:string:https://tutorial-renderer.openattestation.com",
        },
        "recipient": {"name": "f948b6d5-c75c-4c43-99f3-216efac4e00b:string:John Doe"},
        "issuers": [
            {
                "name": "d722d892-03c5-479d-af14-e4e7c6a4b822:string:Demo Issuer",
                "documentStore": "0aaf2824-6679-4bda-a669-b94ce50ef590:string:"
                "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca",
                "identityProof": {
                    "type": "af17ca30-0e7f-4fd9-848e-815f12badd6f:string:DNS-TXT",
                    "location": "39c6d282-3061-492c-ae56-85745cc3edb7:string:"
                    "demo-tradetrust.openattestation.com",
                },
            }
        ],
    },
    "signature": {
        "type": "SHA3MerkleProof",
        "targetHash": "c5d53262962b192c5c977f2252acd4862f41cc1ccce7e87c5b406905a2726692",
        "proof": [],
        "merkleRoot": "c5d53262962b192c5c977f2252acd4862f41cc1ccce7e87c5b406905a2726692",
    },
}

# oa-verify test/fixtures/v2/documentMainnetValid.ts: a batch member with three fields obfuscated.
DOCUMENT_MAINNET_VALID: dict[str, Any] = {
    "version": "open-attestation/2.0",
    "schema": "opencerts/1.4",
    "data": {
        "id": "ab89a9ae-954f-4d28-8b48-2a534d3a3d60:string:2018-SAF-01",
        "$template": "2d00853b-43ae-4bc9-82a2-c614ec0fca49:string:SG-GOVTECH-OPENCERTS",
        "name": "9a4499fa-8f68-43d8-b42b-57dc365ab249:string:Certified OpenCerts Associate",
        "issuedOn": "60bf1feb-e373-4757-8a5d-cf485199bf7a:string:2018-11-30T15:00:00+08:00",
        "issuers": [
            {
                "name": "a8d46c32-2e35-4f4e-99b1-f8a5acb04180:string:GovTech",
                "certificateStore": "9f3ffc2c-2e06-4a9d-a762-8449aec4ca9e:string:"
                "0x007d40224f6562461633ccfbaffd359ebb2fc9ba",
            }
        ],
        "recipient": {"name": "d93f6840-0219-4f16-991e-d02fae161c6b:string:Jonathan Tay"},
    },
    "privacy": {
        "obfuscatedData": [
            "38c3bb23e0e0bb29d1e6efecc25ff6f95cf4bc05e6310e767f2ebd3eac766fa9",
            "825aff8c9c91518b75aaa583ee72f182fa3b40a2c09d9a2e1092b6b5d8ed0b7d",
            "54ea1052e0a5dd98a1a674b14af0f21aa8a3d7a23d6c90adcebc1215622fb0d2",
        ]
    },
    "signature": {
        "type": "SHA3MerkleProof",
        "targetHash": "5b5ed60a40d445c58ffa21e73d11a98acc04be538ab9729da5066f75f0eaddb4",
        "proof": [
            "86874cd45a74f39759c21028ddacb6b45c56cd1b36203a874d91d3ef276eab7b",
            "cd6d9d9a5969a6c5f428b7b4d8e854a798143072371f477bf09145a66951a9d8",
            "6e78b6b1bfc66f4f34fe70f97d3e91bcc318f17916394eab95cf15e2e20ac63e",
        ],
        "merkleRoot": "1a040999254caaf7a33cba67ec6a9b862da1dacf8a0d1e3bb76347060fc615d6",
    },
}


def tampered(document: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    change(copied)
    return copied


def failure(document: Any) -> InvalidInput:
    assert verify_signature(document) is False
    with pytest.raises(InvalidInput) as caught:
        check_signature(document)
    return caught.value


def test_digests_oa_s_not_obfuscated_fixture_to_its_published_target_hash() -> None:
    expected = "c5d53262962b192c5c977f2252acd4862f41cc1ccce7e87c5b406905a2726692"
    assert digest_document(NOT_OBFUSCATED_WRAPPED) == expected
    assert verify_signature(NOT_OBFUSCATED_WRAPPED)


def test_verifies_oa_verify_s_mainnet_batch_document_with_obfuscated_fields() -> None:
    assert digest_document(DOCUMENT_MAINNET_VALID) == DOCUMENT_MAINNET_VALID["signature"]["targetHash"]
    assert len(DOCUMENT_MAINNET_VALID["signature"]["proof"]) == 3
    assert verify_signature(DOCUMENT_MAINNET_VALID)


def test_reads_the_data_of_oa_s_fixture() -> None:
    assert get_data(NOT_OBFUSCATED_WRAPPED)["issuers"][0]["identityProof"] == {
        "type": "DNS-TXT",
        "location": "demo-tradetrust.openattestation.com",
    }


def test_a_changed_value_breaks_the_target_hash() -> None:
    def rename(document: dict[str, Any]) -> None:
        document["data"]["recipient"]["name"] = "f948b6d5-c75c-4c43-99f3-216efac4e00b:string:Jane Doe"

    assert failure(tampered(NOT_OBFUSCATED_WRAPPED, rename)).field == "signature.targetHash"


def test_a_dropped_field_breaks_the_target_hash() -> None:
    def drop(document: dict[str, Any]) -> None:
        del document["data"]["recipient"]

    assert failure(tampered(NOT_OBFUSCATED_WRAPPED, drop)).field == "signature.targetHash"


def test_a_dropped_obfuscated_hash_breaks_the_target_hash() -> None:
    def drop(document: dict[str, Any]) -> None:
        document["privacy"]["obfuscatedData"].pop()

    assert failure(tampered(DOCUMENT_MAINNET_VALID, drop)).field == "signature.targetHash"


def test_a_changed_proof_node_breaks_the_path_to_the_root() -> None:
    def change(document: dict[str, Any]) -> None:
        document["signature"]["proof"][1] = "00" * 32

    assert failure(tampered(DOCUMENT_MAINNET_VALID, change)).field == "signature.proof"


def test_a_changed_root_breaks_the_path_to_the_root() -> None:
    def change(document: dict[str, Any]) -> None:
        document["signature"]["merkleRoot"] = "11" * 32

    assert failure(tampered(NOT_OBFUSCATED_WRAPPED, change)).field == "signature.proof"


def test_a_batch_member_s_proof_does_not_fit_another_member() -> None:
    data = {"issuers": [{"name": "A", "certificateStore": "0x" + "ab" * 20}]}
    first, second = wrap_documents([data, data])
    swapped = {**first, "signature": {**first["signature"], "proof": second["signature"]["proof"]}}
    assert first["signature"]["proof"] != second["signature"]["proof"]
    assert verify_signature(swapped) is False


def test_accepts_upper_case_hex_in_proof_and_root_as_oa_does() -> None:
    def upper(document: dict[str, Any]) -> None:
        document["signature"]["proof"] = [node.upper() for node in document["signature"]["proof"]]
        document["signature"]["merkleRoot"] = document["signature"]["merkleRoot"].upper()

    assert verify_signature(tampered(DOCUMENT_MAINNET_VALID, upper))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda document: document.pop("signature"), "signature"),
        (
            lambda document: document["signature"].update(type="OpenAttestationMerkleProofSignature2018"),
            "signature.type",
        ),
        (lambda document: document["signature"].update(targetHash=None), "signature.targetHash"),
        (lambda document: document["signature"].update(proof="86874cd4"), "signature.proof"),
        (lambda document: document["signature"].update(proof=["0x" + "00" * 31]), "signature.proof.0"),
        (lambda document: document["signature"].update(merkleRoot="1a04"), "signature.merkleRoot"),
        (
            lambda document: document["privacy"].update(obfuscatedData=["not a hash"]),
            "privacy.obfuscatedData.0",
        ),
        (lambda document: document.update(data=["not", "an", "object"]), "data"),
    ],
    ids=[
        "no signature",
        "other type",
        "no target",
        "proof not a list",
        "0x node",
        "short root",
        "bad hash",
        "data",
    ],
)
def test_malformed_documents_fail_naming_the_part_at_fault(
    change: Callable[[dict[str, Any]], None], field: str
) -> None:
    assert failure(tampered(DOCUMENT_MAINNET_VALID, change)).field == field


def test_something_that_is_not_a_document_does_not_verify() -> None:
    assert verify_signature(["not a document"]) is False  # type: ignore[arg-type]
