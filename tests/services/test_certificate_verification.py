"""Verifying certificates against the chain: every fragment VALID, INVALID and ERROR, and a verdict that
fails closed. Runs on the embedded chain (and on anvil with `--lane anvil`)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from eth_account import Account
from support.certificates import graduation_data, issue, issued_batch, store_of

from gzchain.bootstrap import Runtime
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.certificates.verification import Check, Fragment, Status, Verdict
from gzchain.domain.errors import ChainUnavailable
from gzchain.domain.merkle import hash_pair
from gzchain.domain.oa import obfuscate, wrap_document, wrap_documents
from gzchain.domain.roles import Role

EDU = "gz-edu"


def fragment(runtime: Runtime, document, check: Check) -> Fragment:
    return runtime.certificates().verify(document).fragment(check)


def suspend(runtime: Runtime, agency: str) -> None:
    consortium = runtime.consortium()
    consortium.approve("gz-gsdata", consortium.propose_suspend_member("gz-msa", agency).proposal.id)


# ---- the whole verdict ----


def test_a_certificate_issued_by_the_bureau_is_valid_on_every_fragment(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    verdict = runtime.certificates().verify(document)
    assert [(f.check, f.status) for f in verdict.fragments] == [(check, Status.VALID) for check in Check]
    assert verdict.valid and verdict.revocation is None
    assert "Guangzhou Education Bureau" in verdict.fragment(Check.ISSUER_IDENTITY).reason


def test_a_presentation_with_hidden_fields_is_still_valid(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    presented = obfuscate(document, ["recipient.studentId", "major", "id"])
    verdict = runtime.certificates().verify(presented)
    assert verdict.valid
    assert "3 field(s) hidden" in verdict.fragment(Check.INTEGRITY).reason


def test_the_verdict_fails_closed_when_a_fragment_is_missing_invalid_or_in_error():
    valid = [Fragment(check, Status.VALID, "ok") for check in Check]
    assert Verdict(tuple(valid)).valid
    assert not Verdict(tuple(valid[:-1])).valid
    for status in (Status.INVALID, Status.ERROR):
        assert not Verdict((*valid[:-1], Fragment(Check.VALIDITY, status, "no"))).valid


# ---- integrity ----


def test_a_hand_edited_certificate_fails_integrity(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    edited = copy.deepcopy(document)
    edited["data"]["degree"] = edited["data"]["degree"].replace("Bachelor", "Master")
    got = fragment(runtime, edited, Check.INTEGRITY)
    assert got.status is Status.INVALID and "signature.targetHash" in got.reason
    assert not runtime.certificates().verify(edited).valid


def test_a_certificate_with_a_proof_from_another_batch_fails_integrity(runtime: Runtime):
    first, second = issued_batch(runtime, 3)[:2]
    spliced = copy.deepcopy(first)
    spliced["signature"]["proof"] = second["signature"]["proof"]
    assert fragment(runtime, spliced, Check.INTEGRITY).status is Status.INVALID


def test_something_that_is_not_an_oa_document_is_an_integrity_error(runtime: Runtime):
    verdict = runtime.certificates().verify({"hello": "world"})
    assert verdict.fragment(Check.INTEGRITY).status is Status.ERROR
    assert verdict.fragment(Check.STATUS).status is Status.ERROR
    assert verdict.fragment(Check.ISSUER_IDENTITY).status is Status.ERROR
    assert not verdict.valid


# ---- status ----


def test_status_says_when_the_batch_was_issued(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    got = fragment(runtime, document, Check.STATUS)
    assert got.status is Status.VALID and "issued on" in got.reason and "not revoked" in got.reason


def test_a_certificate_whose_batch_was_never_issued_is_invalid(runtime: Runtime):
    [document, *_] = wrap_documents(graduation_data(runtime, 2))
    got = fragment(runtime, document, Check.STATUS)
    assert got.status is Status.INVALID and "never issued" in got.reason


def test_a_revoked_certificate_says_when_and_why(runtime: Runtime):
    documents = issued_batch(runtime)
    service = runtime.certificates()
    recorded = service.revoke_document(EDU, documents[1], RevocationReason.FRAUD, "forged transcripts")
    verdict = service.verify(documents[1])
    revocation = verdict.revocation
    assert revocation is not None
    assert revocation.hash == bytes.fromhex(documents[1]["signature"]["targetHash"])
    assert revocation.reason is RevocationReason.FRAUD and revocation.text == "forged transcripts"
    assert revocation.block_number == recorded.receipt.block_number
    status = verdict.fragment(Check.STATUS)
    assert status.status is Status.INVALID
    assert status.reason.startswith("REVOKED: this certificate was revoked on ")
    assert "for fraud: forged transcripts" in status.reason
    assert service.verify(documents[0]).valid


def test_revoking_the_batch_root_revokes_every_certificate_of_it(runtime: Runtime):
    documents = issued_batch(runtime, 3)
    service = runtime.certificates()
    service.revoke_document(
        EDU, documents[0], RevocationReason.ISSUED_IN_ERROR, "wrong class", whole_batch=True
    )
    for document in documents:
        verdict = service.verify(document)
        assert (
            verdict.revocation is not None and verdict.revocation.reason is RevocationReason.ISSUED_IN_ERROR
        )
        assert "its whole batch was revoked" in verdict.fragment(Check.STATUS).reason


def test_a_hash_between_certificate_and_root_revokes_what_is_below_it(runtime: Runtime):
    documents = issued_batch(runtime, 4)
    first = documents[0]["signature"]
    # The certificate's parent: a sub-batch of two certificates.
    parent = hash_pair(bytes.fromhex(first["targetHash"]), bytes.fromhex(first["proof"][0]))
    runtime.certificates().revoke_hash(EDU, parent, RevocationReason.SUPERSEDED, "reissued")
    verdicts = [runtime.certificates().verify(document) for document in documents]
    assert sum(not v.valid for v in verdicts) == 2
    assert "a part of its batch" in verdicts[0].fragment(Check.STATUS).reason


def test_a_revocation_recorded_elsewhere_still_shows_its_code_without_words(runtime: Runtime):
    documents = issued_batch(runtime)
    target = bytes.fromhex(documents[0]["signature"]["targetHash"])
    store = runtime.certificates().store_of(EDU)
    contract = runtime.gateway.contract("DocumentStore", store)
    runtime.gateway.transact(
        contract.functions.revokeWithReason(target, int(RevocationReason.WITHDRAWN)), runtime.keys.signer(EDU)
    )
    revocation = runtime.certificates().verify(documents[0]).revocation
    assert (
        revocation is not None and revocation.reason is RevocationReason.WITHDRAWN and revocation.text is None
    )


def test_a_certificate_naming_an_address_without_a_store_is_invalid(runtime: Runtime):
    document = wrap_document(graduation_data(runtime, 1, store="0x" + "12" * 20)[0])
    got = fragment(runtime, document, Check.STATUS)
    assert got.status is Status.INVALID and "no document store" in got.reason


def test_a_certificate_anchored_on_another_chain_is_invalid_here(runtime: Runtime):
    data = graduation_data(runtime, 1)[0]
    data["network"]["chainId"] = "1"
    document = wrap_document(data)
    issue(runtime, [document])
    got = fragment(runtime, document, Check.STATUS)
    assert got.status is Status.INVALID and "anchored on chain 1" in got.reason


def test_a_certificate_naming_a_contract_that_is_no_store_is_a_status_error(runtime: Runtime):
    consortium = runtime.require_manifest().address("Consortium")
    document = wrap_document(graduation_data(runtime, 1, store=consortium)[0])
    got = fragment(runtime, document, Check.STATUS)
    assert got.status is Status.ERROR and "no usable answer" in got.reason


def test_status_and_identity_are_errors_when_the_chain_cannot_answer(runtime: Runtime, monkeypatch):
    [document, *_] = issued_batch(runtime)
    service = runtime.certificates()

    def unreachable(*args, **kwargs):
        raise ChainUnavailable("chain node is unreachable: ConnectionError")

    monkeypatch.setattr(runtime.gateway, "call", unreachable)
    verdict = service.verify(document)
    for check in (Check.STATUS, Check.ISSUER_IDENTITY):
        assert verdict.fragment(check).status is Status.ERROR
        assert "could not be asked" in verdict.fragment(check).reason
    assert verdict.fragment(Check.INTEGRITY).status is Status.VALID
    assert not verdict.valid


def test_a_store_reporting_a_revocation_it_cannot_place_fails_closed(runtime: Runtime, monkeypatch):
    # Only a store outside the factory is asked about the path; the factory's stores run known code.
    consortium = runtime.require_manifest().address("Consortium")
    signer = runtime.keys.signer(EDU)
    own, _ = runtime.gateway.deploy("DocumentStore", signer, consortium, signer.address, "Side store")
    [document, *_] = wrap_documents(graduation_data(runtime, 4, store=own))
    issue(runtime, [document])
    service, honest = runtime.certificates(), runtime.gateway.call

    def inconsistent_store(fn, *args, **kwargs):
        # A third-party store claiming OA's batchable interface (gzchain's own stores do not claim it).
        if fn.fn_name == "supportsInterface":
            return True
        if fn.fn_name == "isRevoked" and len(fn.args) == 3:
            return True  # "the path is revoked", while no hash on it is
        return honest(fn, *args, **kwargs)

    monkeypatch.setattr(runtime.gateway, "call", inconsistent_store)
    status = service.verify(document).fragment(Check.STATUS)
    assert status.status is Status.INVALID and "names no revoked hash" in status.reason


# ---- issuer identity ----


def test_a_certificate_from_a_store_outside_the_consortium_fails_issuer_identity(runtime: Runtime):
    store_of(runtime, EDU)
    forger = Account.create()
    members = [(forger.address, "Fake Bureau", "jyj.gz.gov.cn", [Role.GOVERNOR.id, Role.CERT_ISSUER.id])]
    fake_consortium, _ = runtime.gateway.deploy("Consortium", forger, members, 1, 86_400)
    fake_store, _ = runtime.gateway.deploy("DocumentStore", forger, fake_consortium, forger.address, "Fake")
    document = wrap_document(graduation_data(runtime, 1, store=fake_store)[0])
    root = bytes.fromhex(document["signature"]["merkleRoot"])
    runtime.gateway.transact(
        runtime.gateway.contract("DocumentStore", fake_store).functions.issue(root), forger
    )
    verdict = runtime.certificates().verify(document)
    assert verdict.fragment(Check.STATUS).status is Status.VALID  # it is anchored, on the wrong store
    identity = verdict.fragment(Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID
    assert "a store outside the consortium's registry" in identity.reason
    assert not verdict.valid


def test_a_store_the_agency_deployed_itself_is_not_its_store(runtime: Runtime):
    consortium = runtime.require_manifest().address("Consortium")
    signer = runtime.keys.signer(EDU)
    store_of(runtime, EDU)
    own, _ = runtime.gateway.deploy("DocumentStore", signer, consortium, signer.address, "Side store")
    document = wrap_document(graduation_data(runtime, 1, store=own)[0])
    issue(runtime, [document])
    identity = fragment(runtime, document, Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID and "whose document store is" in identity.reason


def test_a_certificate_in_another_agencys_store_fails_issuer_identity(runtime: Runtime):
    store_of(runtime, EDU)
    hrss_store = store_of(runtime, "gz-hrss")
    document = wrap_document(graduation_data(runtime, 1, store=hrss_store)[0])
    issue(runtime, [document], agency="gz-hrss")
    identity = fragment(runtime, document, Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID and "another agency's store" in identity.reason


def test_a_domain_outside_the_consortium_fails_issuer_identity(runtime: Runtime):
    document = wrap_document(graduation_data(runtime, 1, domain="fake-university.example")[0])
    issue(runtime, [document])
    identity = fragment(runtime, document, Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID
    assert identity.reason == "issuer 1: fake-university.example is not the domain of any consortium member"


def test_a_member_without_a_store_fails_issuer_identity(runtime: Runtime):
    document = wrap_document(graduation_data(runtime, 1, domain="rsj.gz.gov.cn")[0])
    issue(runtime, [document])
    identity = fragment(runtime, document, Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID and "has no document store" in identity.reason


def test_the_domain_matches_whatever_its_case(runtime: Runtime):
    document = wrap_document(graduation_data(runtime, 1, domain="JYJ.GZ.GOV.CN.")[0])
    issue(runtime, [document])
    assert fragment(runtime, document, Check.ISSUER_IDENTITY).status is Status.VALID


def test_certificates_of_a_suspended_issuer_fail_issuer_identity(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    suspend(runtime, EDU)
    identity = fragment(runtime, document, Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID and "is suspended" in identity.reason


def test_certificates_of_an_agency_stripped_of_cert_issuer_fail_issuer_identity(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    consortium = runtime.consortium()
    proposal = consortium.propose_revoke_role("gz-msa", EDU, Role.CERT_ISSUER)
    consortium.approve("gz-gsdata", proposal.proposal.id)
    identity = fragment(runtime, document, Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID and "holds no CERT_ISSUER" in identity.reason


@pytest.mark.parametrize(
    ("proof", "expected"),
    [
        (
            {"type": "DID", "location": "jyj.gz.gov.cn", "key": "did:ethr:0x1#controller"},
            "identity proof DID",
        ),
        (
            {"type": "DNS-DID", "location": "jyj.gz.gov.cn", "key": "did:ethr:0x1#controller"},
            "identity proof DNS-DID",
        ),
    ],
    ids=["did", "dns-did"],
)
def test_identity_proofs_the_consortium_cannot_vouch_for_fail(runtime: Runtime, proof, expected: str):
    data = graduation_data(runtime, 1)[0]
    data["issuers"][0]["identityProof"] = proof
    document = wrap_document(data)
    issue(runtime, [document])
    identity = fragment(runtime, document, Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID and expected in identity.reason


def test_hidden_issuers_make_status_and_identity_errors(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    hidden = obfuscate(document, ["issuers"])
    verdict = runtime.certificates().verify(hidden)
    assert verdict.fragment(Check.INTEGRITY).status is Status.VALID
    assert verdict.fragment(Check.ISSUER_IDENTITY).status is Status.ERROR
    assert "names no issuer" in verdict.fragment(Check.STATUS).reason


# ---- validity period, through the service ----


def test_an_expired_certificate_is_not_valid(runtime: Runtime):
    data = graduation_data(runtime, 1)[0] | {"validFrom": "2020-01-01", "validUntil": "2021-12-31"}
    document = wrap_document(data)
    issue(runtime, [document])
    service = runtime.certificates()
    assert service.verify(document, at=datetime(2021, 6, 1, tzinfo=UTC)).valid
    expired = service.verify(document, at=datetime(2022, 1, 1, tzinfo=UTC))
    assert expired.fragment(Check.VALIDITY).status is Status.INVALID and not expired.valid


# ---- answers kept per chain head never outlive it ----


def test_a_revocation_shows_in_the_very_next_block_after_a_valid_verdict(runtime: Runtime):
    [document, other, *_] = issued_batch(runtime)
    service = runtime.certificates()
    assert service.verify(document).valid and service.verify(other).valid  # answers now kept
    service.revoke_document(EDU, document, RevocationReason.FRAUD, "forged grades")
    status = service.verify(document).fragment(Check.STATUS)
    assert status.status is Status.INVALID and "this certificate" in status.reason
    assert runtime.certificates().verify(other).valid


def test_revoking_a_whole_batch_shows_in_the_next_block_for_every_certificate(runtime: Runtime):
    documents = issued_batch(runtime, 6)
    service = runtime.certificates()
    assert all(service.verify(document).valid for document in documents)
    service.revoke_document(
        EDU, documents[0], RevocationReason.WITHDRAWN, "issued in error", whole_batch=True
    )
    for document in documents:
        status = service.verify(document).fragment(Check.STATUS)
        assert status.status is Status.INVALID and "its whole batch" in status.reason


def test_a_role_taken_away_shows_in_the_very_next_block_after_a_valid_verdict(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    service = runtime.certificates()
    assert service.verify(document).valid
    consortium = runtime.consortium()
    proposal = consortium.propose_revoke_role("gz-msa", EDU, Role.CERT_ISSUER)
    consortium.approve("gz-gsdata", proposal.proposal.id)
    identity = service.verify(document).fragment(Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID and "holds no CERT_ISSUER" in identity.reason


def test_a_chain_rolled_back_to_before_a_revocation_verifies_as_it_now_is(runtime: Runtime):
    [document, *_] = issued_batch(runtime)
    service = runtime.certificates()
    snapshot = runtime.gateway.snapshot()
    service.revoke_document(EDU, document, RevocationReason.FRAUD, "forged grades")
    assert not service.verify(document).valid
    runtime.gateway.revert_to(snapshot)
    assert service.verify(document).valid
    # the chain grows again from the snapshot, reusing the block numbers the revocation had
    store = runtime.gateway.contract("DocumentStore", store_of(runtime, EDU))
    target = bytes.fromhex(document["signature"]["targetHash"])
    revoke = store.functions.revokeWithReason(target, int(RevocationReason.SUPERSEDED))
    runtime.gateway.transact(revoke, runtime.keys.signer(EDU))
    assert service.verify(document).fragment(Check.STATUS).status is Status.INVALID


def test_a_certificate_of_a_known_batch_asks_no_question_of_its_own(runtime: Runtime, monkeypatch):
    documents = issued_batch(runtime, 8)
    service = runtime.certificates()
    assert service.verify(documents[0]).valid
    asked = []
    honest = runtime.gateway.call

    def counting(fn, *args, **kwargs):
        asked.append(fn.fn_name)
        return honest(fn, *args, **kwargs)

    monkeypatch.setattr(runtime.gateway, "call", counting)
    assert all(service.verify(document).valid for document in documents[1:])
    assert asked == []  # only the head was read, once per certificate
