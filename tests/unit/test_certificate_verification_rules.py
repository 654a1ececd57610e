"""The verification rules that need no chain: integrity, the validity period, reading a document's claims,
and revocation reasons."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from gzchain.domain.certificates.revocation import (
    Revocation,
    RevocationReason,
    parse_hash,
    validate_reason_text,
)
from gzchain.domain.certificates.verification import (
    Anchor,
    Check,
    Status,
    integrity,
    path_position,
    read_claims,
    validity,
)
from gzchain.domain.errors import InvalidInput
from gzchain.domain.merkle import build_tree
from gzchain.domain.oa import obfuscate, wrap_document, wrap_documents

ISSUER = {
    "name": "Guangzhou Education Bureau",
    "documentStore": "0x" + "ab" * 20,
    "identityProof": {"type": "DNS-TXT", "location": "JYJ.gz.gov.cn."},
}


def a_document(**data) -> dict:
    return wrap_document({"issuers": [ISSUER], "degree": "Bachelor of Engineering", **data})


# ---- integrity ----


def test_an_intact_document_passes_integrity():
    fragment = integrity(a_document())
    assert (fragment.check, fragment.status) == (Check.INTEGRITY, Status.VALID)


def test_an_obfuscated_document_passes_integrity_and_says_fields_are_hidden():
    fragment = integrity(obfuscate(a_document(), "degree"))
    assert fragment.status is Status.VALID and "1 field(s) hidden" in fragment.reason


def test_an_altered_document_fails_integrity_naming_what_no_longer_matches():
    altered = a_document()
    altered["data"]["degree"] = altered["data"]["degree"].replace("Bachelor", "Master")
    fragment = integrity(altered)
    assert fragment.status is Status.INVALID
    assert (
        fragment.reason
        == "the document was altered: signature.targetHash: does not match the document's data"
    )


def test_a_root_that_the_proof_does_not_reach_fails_integrity():
    batch = wrap_documents([{"issuers": [ISSUER], "n": n} for n in range(3)])
    moved = copy.deepcopy(batch[0])
    moved["signature"]["merkleRoot"] = "11" * 32
    assert integrity(moved).status is Status.INVALID


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("just text", "not an OpenAttestation v2 wrapped document"),
        ({"data": {}}, "not an OpenAttestation v2 wrapped document"),
        (
            {"version": "open-attestation/3.0", "data": {}, "signature": {}},
            "version is 'open-attestation/3.0'",
        ),
    ],
)
def test_something_that_is_not_an_oa_v2_document_is_an_integrity_error(document, reason):
    fragment = integrity(document)
    assert fragment.status is Status.ERROR and reason in fragment.reason


# ---- claims ----


def test_the_claims_of_a_document_are_its_anchor_and_its_issuers():
    batch = wrap_documents([{"issuers": [ISSUER], "n": n} for n in range(3)])
    claims = read_claims(batch[1])
    tree = build_tree([bytes.fromhex(d["signature"]["targetHash"]) for d in batch])
    assert claims.anchor.merkle_root == tree.root
    assert claims.anchor.path()[-1] == tree.root
    assert claims.anchor.path()[0] == claims.anchor.target_hash
    [issuer] = claims.issuers
    assert (issuer.name, issuer.document_store, issuer.identity_type) == (
        "Guangzhou Education Bureau",
        "0x" + "ab" * 20,
        "DNS-TXT",
    )
    assert issuer.domain == "jyj.gz.gov.cn"
    assert claims.chain_id is None


def test_claims_that_cannot_be_read_are_refused_naming_the_field():
    document = a_document()
    document["signature"]["targetHash"] = "xyz"
    with pytest.raises(InvalidInput) as caught:
        read_claims(document)
    assert caught.value.field == "signature.targetHash"
    with pytest.raises(InvalidInput) as caught:
        read_claims(obfuscate(a_document(), "issuers"))
    assert caught.value.field == "issuers"


def test_a_revoked_hash_is_placed_on_the_documents_path():
    leaf, sibling = bytes(31) + b"\x01", bytes(31) + b"\x02"
    tree = build_tree([leaf, sibling, bytes(31) + b"\x03"])
    anchor = Anchor(leaf, tuple(tree.proof(0)), tree.root)
    middle = anchor.path()[1]
    assert [path_position(anchor, h) for h in (leaf, middle, tree.root)] == [
        "this certificate",
        "a part of its batch",
        "its whole batch",
    ]


# ---- validity period ----

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "status", "reason"),
    [
        ({}, Status.VALID, "no validity period stated"),
        ({"validFrom": "2026-07-01", "validUntil": "2031-06-30"}, Status.VALID, "within its validity period"),
        ({"validUntil": "2026-07-01"}, Status.VALID, "until 2026-07-01"),  # a date covers its whole day
        ({"validFrom": "2026-07-02"}, Status.INVALID, "not valid yet"),
        ({"validUntil": "2026-06-30"}, Status.INVALID, "expired"),
        ({"validUntil": "2026-07-01T19:59:59+08:00"}, Status.INVALID, "expired"),
        ({"validUntil": "2026-07-01T12:00:01Z"}, Status.VALID, "within"),
        ({"validFrom": "next week"}, Status.ERROR, "validFrom: 'next week' is not an ISO 8601"),
        ({"validUntil": 2031}, Status.ERROR, "validUntil: must be an ISO 8601"),
    ],
)
def test_the_validity_period_is_judged_at_the_moment_given(period, status, reason):
    fragment = validity(a_document(**period), NOW)
    assert (fragment.check, fragment.status) == (Check.VALIDITY, status)
    assert reason in fragment.reason


def test_a_date_without_time_is_a_day_in_guangzhou():
    document = a_document(validUntil="2026-06-30")
    assert validity(document, datetime(2026, 6, 30, 15, 59, tzinfo=UTC)).status is Status.VALID
    assert validity(document, datetime(2026, 6, 30, 16, 0, tzinfo=UTC)).status is Status.INVALID


def test_unreadable_data_makes_the_validity_period_an_error():
    salted_with_unknown_type = "11111111-1111-4111-8111-111111111111:weird:1"
    fragment = validity({"data": {"validUntil": salted_with_unknown_type}}, NOW)
    assert fragment.status is Status.ERROR and "cannot be read" in fragment.reason


# ---- revocation reasons ----


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("fraud", RevocationReason.FRAUD),
        ("Issued in error", RevocationReason.ISSUED_IN_ERROR),
        ("ISSUED_IN_ERROR", RevocationReason.ISSUED_IN_ERROR),
        ("3", RevocationReason.SUPERSEDED),
        (" withdrawn ", RevocationReason.WITHDRAWN),
    ],
)
def test_a_reason_is_named_by_slug_name_or_code(text, reason):
    assert RevocationReason.parse(text) is reason


def test_an_unknown_reason_lists_the_known_ones():
    with pytest.raises(InvalidInput) as caught:
        RevocationReason.parse("boredom")
    assert "unspecified, fraud, issued-in-error, superseded, withdrawn" in str(caught.value)


def test_a_revocation_describes_when_and_why():
    revocation = Revocation(b"\x01" * 32, 17, 1_782_864_000, RevocationReason.FRAUD, "forged transcripts")
    assert (
        revocation.describe() == "revoked on 2026-07-01 00:00:00 UTC (block 17) for fraud: forged transcripts"
    )


def test_the_words_behind_a_revocation_are_required_and_bounded():
    assert validate_reason_text("  forged\n transcripts ") == "forged transcripts"
    with pytest.raises(InvalidInput):
        validate_reason_text("  ")
    with pytest.raises(InvalidInput):
        validate_reason_text("x" * 501)


def test_hashes_are_read_with_or_without_0x_and_never_zero():
    assert parse_hash("0x" + "Ab" * 32) == bytes.fromhex("ab" * 32)
    assert parse_hash("ab" * 32) == bytes.fromhex("ab" * 32)
    for bad in ("ab" * 31, "zz" * 32, "00" * 32):
        with pytest.raises(InvalidInput):
            parse_hash(bad)
