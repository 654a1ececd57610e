"""The Petitions contract: credentials, proposals, token keys, blind-signed votes, responses, rules.

Runs on the embedded chain and on anvil (`--lane anvil`).
"""

from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.chain import Agencies, reverts

from gzchain.bootstrap import Runtime
from gzchain.domain.petitions.blind import TokenPrivateKey, blind, generate_key, new_token, unblind
from gzchain.domain.petitions.fdh import full_domain_hash, nullifier
from gzchain.domain.petitions.rules import DAY, DEFAULT_RULES
from gzchain.domain.petitions.states import CredentialStatus, PetitionState, PetitionStatus, SkipReason
from gzchain.domain.roles import Role

AUTHORITY, OFFICE, MAYOR = "gz-gsdata", "gz-xfj", "gz-mayor"
GOVERNORS = ("gz-gsdata", "gz-msa")
OUTSIDER = "gz-notary"
ZERO = b"\x00" * 32


@pytest.fixture(scope="module")
def token_keys() -> list[TokenPrivateKey]:
    return [generate_key() for _ in range(3)]


def text_hash(label: str) -> bytes:
    return hashlib.sha256(label.encode() + os.urandom(16)).digest()


def fdh_sign(key: TokenPrivateKey, petition_id: int, token: bytes) -> bytes:
    """What the authority's blind signature unblinds to (the shortcut the contract suite may take)."""
    m = int.from_bytes(full_domain_hash(petition_id, token, key.public.length), "big")
    return pow(m, key.d, key.n).to_bytes(key.public.length, "big")


class Chain:
    def __init__(self, runtime: Runtime, keys: list[TokenPrivateKey]) -> None:
        self.runtime = runtime
        self.agencies = Agencies(runtime)
        self.contract = runtime.gateway.contract("Petitions", runtime.require_manifest().address("Petitions"))
        self.fns = self.contract.functions
        self.keys = keys

    def send(self, agency: str, fn):
        return self.agencies.send(agency, fn)

    def call(self, fn):
        return self.runtime.gateway.call(fn)

    def events(self, name: str, receipt) -> list[dict]:
        return self.runtime.gateway.events(self.contract, name, receipt)

    def propose(self) -> int:
        receipt = self.send(OFFICE, self.fns.propose(text_hash("proposal")))
        return self.events("PetitionProposed", receipt)[0]["petitionId"]

    def with_key(self, key_index: int = 0) -> int:
        petition_id = self.propose()
        key = self.keys[key_index].public
        self.send(AUTHORITY, self.fns.registerTokenKey(petition_id, key.modulus_bytes, key.e))
        return petition_id

    def published(self, key_index: int = 0) -> int:
        petition_id = self.with_key(key_index)
        self.send(OFFICE, self.fns.publish(petition_id))
        return petition_id

    def vote(self, petition_id: int, key_index: int = 0) -> tuple[bytes, bytes]:
        token = new_token()
        return token, fdh_sign(self.keys[key_index], petition_id, token)

    def state(self, petition_id: int) -> PetitionState:
        return PetitionState(self.call(self.fns.state(petition_id)))

    def petition(self, petition_id: int):
        return self.call(self.fns.petition(petition_id))

    def set_rules(self, threshold: int, support_days: int = 30, response_days: int = 30) -> None:
        rules = (threshold, support_days * DAY, response_days * DAY)
        receipt = self.send(GOVERNORS[0], self.fns.proposeRules(rules))
        change_id = self.events("PetitionRulesChangeProposed", receipt)[0]["changeId"]
        self.send(GOVERNORS[1], self.fns.approveRules(change_id))


@pytest.fixture
def chain(runtime: Runtime, token_keys) -> Chain:
    return Chain(runtime, token_keys)


def address(runtime: Runtime, agency: str) -> str:
    return runtime.keys.address(agency)


def resident() -> str:
    from eth_account import Account

    return Account.create().address


# ---- credentials ----


def test_identity_authority_enrols_a_credential(chain: Chain):
    credential = resident()
    receipt = chain.send(AUTHORITY, chain.fns.enrol(credential))
    assert chain.events("PetitionCredentialEnrolled", receipt) == [{"credential": credential}]
    assert chain.call(chain.fns.credentialStatus(credential)) == CredentialStatus.ENROLLED
    assert chain.call(chain.fns.enrolledCount()) == 1


def test_reverts_when_an_agency_without_identity_authority_enrols(chain: Chain, runtime: Runtime):
    with reverts("ConsortiumMissingRole", account=address(runtime, OFFICE), role=Role.IDENTITY_AUTHORITY.id):
        chain.send(OFFICE, chain.fns.enrol(resident()))


def test_reverts_when_a_credential_is_enrolled_twice_or_is_zero(chain: Chain):
    credential = resident()
    chain.send(AUTHORITY, chain.fns.enrol(credential))
    with reverts("PetitionCredentialAlreadyEnrolled", credential=credential):
        chain.send(AUTHORITY, chain.fns.enrol(credential))
    zero = "0x" + "00" * 20
    with reverts("PetitionInvalidCredential", credential=zero):
        chain.send(AUTHORITY, chain.fns.enrol(zero))


def test_a_revoked_credential_cannot_be_enrolled_again(chain: Chain):
    credential = resident()
    chain.send(AUTHORITY, chain.fns.enrol(credential))
    receipt = chain.send(AUTHORITY, chain.fns.revoke(credential))
    assert chain.events("PetitionCredentialRevoked", receipt) == [{"credential": credential}]
    assert chain.call(chain.fns.credentialStatus(credential)) == CredentialStatus.REVOKED
    assert chain.call(chain.fns.enrolledCount()) == 0
    with reverts("PetitionCredentialAlreadyEnrolled", credential=credential):
        chain.send(AUTHORITY, chain.fns.enrol(credential))


def test_reverts_when_revoking_a_credential_not_enrolled_or_without_the_role(chain: Chain, runtime: Runtime):
    credential = resident()
    with reverts("PetitionCredentialNotEnrolled", credential=credential):
        chain.send(AUTHORITY, chain.fns.revoke(credential))
    chain.send(AUTHORITY, chain.fns.enrol(credential))
    with reverts("ConsortiumMissingRole", account=address(runtime, MAYOR)):
        chain.send(MAYOR, chain.fns.revoke(credential))


def test_reenrolment_revokes_the_old_credential_and_enrols_the_new_one(chain: Chain):
    old, new = resident(), resident()
    chain.send(AUTHORITY, chain.fns.enrol(old))
    receipt = chain.send(AUTHORITY, chain.fns.reenrol(old, new))
    assert chain.events("PetitionCredentialRevoked", receipt) == [{"credential": old}]
    assert chain.events("PetitionCredentialEnrolled", receipt) == [{"credential": new}]
    assert chain.call(chain.fns.credentialStatus(old)) == CredentialStatus.REVOKED
    assert chain.call(chain.fns.enrolledCount()) == 1


def test_reenrolment_reverts_when_the_old_credential_is_not_enrolled_or_the_new_one_is(chain: Chain):
    old, taken = resident(), resident()
    with reverts("PetitionCredentialNotEnrolled", credential=old):
        chain.send(AUTHORITY, chain.fns.reenrol(old, resident()))
    chain.send(AUTHORITY, chain.fns.enrol(old))
    chain.send(AUTHORITY, chain.fns.enrol(taken))
    with reverts("PetitionCredentialAlreadyEnrolled", credential=taken):
        chain.send(AUTHORITY, chain.fns.reenrol(old, taken))


# ---- proposals, keys, publication, rejection ----


def test_petitions_office_records_a_proposal_by_its_salted_hash(chain: Chain):
    digest = text_hash("a cycle lane on Huangpu Avenue")
    receipt = chain.send(OFFICE, chain.fns.propose(digest))
    assert chain.events("PetitionProposed", receipt) == [{"petitionId": 1, "textHash": digest}]
    assert chain.state(1) is PetitionState.PROPOSED
    assert chain.petition(1)[1] == digest
    assert chain.call(chain.fns.petitionCount()) == 1


def test_reverts_when_a_proposal_has_no_hash_or_comes_from_another_agency(chain: Chain, runtime: Runtime):
    with reverts("PetitionInvalidHash", field="textHash"):
        chain.send(OFFICE, chain.fns.propose(ZERO))
    with reverts("ConsortiumMissingRole", account=address(runtime, AUTHORITY), role=Role.PETITIONS_OFFICE.id):
        chain.send(AUTHORITY, chain.fns.propose(text_hash("x")))


def test_identity_authority_registers_the_token_key_once(chain: Chain):
    petition_id = chain.propose()
    key = chain.keys[0].public
    receipt = chain.send(AUTHORITY, chain.fns.registerTokenKey(petition_id, key.modulus_bytes, key.e))
    assert chain.events("PetitionTokenKeyRegistered", receipt) == [
        {"petitionId": petition_id, "modulus": key.modulus_bytes, "exponent": key.e}
    ]
    assert list(chain.call(chain.fns.tokenKey(petition_id))) == [key.modulus_bytes, key.e]
    with reverts("PetitionTokenKeyAlreadyRegistered", petitionId=petition_id):
        chain.send(AUTHORITY, chain.fns.registerTokenKey(petition_id, key.modulus_bytes, key.e))


@pytest.mark.parametrize(
    ("why", "modulus", "exponent"),
    [
        ("too short", b"\xc1" + b"\x01" * 126 + b"\x01", 65537),
        ("top bit clear", b"\x41" + b"\x01" * 254 + b"\x01", 65537),
        ("not whole words", b"\xc1" + b"\x01" * 270 + b"\x01", 65537),
        ("even modulus", b"\xc1" + b"\x01" * 254 + b"\x02", 65537),
        ("even exponent", b"\xc1" + b"\x01" * 254 + b"\x01", 65536),
        ("exponent one", b"\xc1" + b"\x01" * 254 + b"\x01", 1),
    ],
)
def test_reverts_when_the_token_key_is_malformed(chain: Chain, why: str, modulus: bytes, exponent: int):
    petition_id = chain.propose()
    with reverts("PetitionInvalidTokenKey", petitionId=petition_id):
        chain.send(AUTHORITY, chain.fns.registerTokenKey(petition_id, modulus, exponent))


def test_only_the_identity_authority_registers_a_token_key_and_only_before_publication(chain: Chain, runtime):
    key = chain.keys[0].public
    petition_id = chain.propose()
    # The office relays votes: if it could put its own key on chain it could mint them.
    with reverts("ConsortiumMissingRole", account=address(runtime, OFFICE), role=Role.IDENTITY_AUTHORITY.id):
        chain.send(OFFICE, chain.fns.registerTokenKey(petition_id, key.modulus_bytes, key.e))
    with reverts("PetitionUnknown", petitionId=99):
        chain.send(AUTHORITY, chain.fns.registerTokenKey(99, key.modulus_bytes, key.e))
    published = chain.published()
    with reverts("PetitionWrongStatus", petitionId=published, status=PetitionStatus.OPEN):
        chain.send(AUTHORITY, chain.fns.registerTokenKey(published, key.modulus_bytes, key.e))


def test_publication_opens_support_under_the_current_rules(chain: Chain, runtime: Runtime):
    petition_id = chain.with_key()
    receipt = chain.send(OFFICE, chain.fns.publish(petition_id))
    now = runtime.gateway.block_timestamp(receipt.block_number)
    assert chain.events("PetitionPublished", receipt) == [
        {"petitionId": petition_id, "supportEndsAt": now + DEFAULT_RULES.support_period_s, "threshold": 1000}
    ]
    assert chain.state(petition_id) is PetitionState.OPEN


def test_reverts_when_publishing_without_a_key_twice_unknown_or_without_the_role(chain: Chain, runtime):
    bare = chain.propose()
    with reverts("PetitionTokenKeyMissing", petitionId=bare):
        chain.send(OFFICE, chain.fns.publish(bare))
    published = chain.published()
    with reverts("PetitionWrongStatus", petitionId=published, status=PetitionStatus.OPEN):
        chain.send(OFFICE, chain.fns.publish(published))
    with reverts("PetitionUnknown", petitionId=42):
        chain.send(OFFICE, chain.fns.publish(42))
    with reverts("ConsortiumMissingRole", account=address(runtime, MAYOR)):
        chain.send(MAYOR, chain.fns.publish(chain.with_key()))


def test_petitions_office_rejects_a_proposal_with_a_code_and_a_salted_hash(chain: Chain):
    petition_id = chain.propose()
    reason = text_hash("a matter for the provincial government")
    receipt = chain.send(OFFICE, chain.fns.reject(petition_id, 2, reason))
    assert chain.events("PetitionRejected", receipt) == [
        {"petitionId": petition_id, "code": 2, "reasonHash": reason}
    ]
    assert chain.state(petition_id) is PetitionState.REJECTED
    assert tuple(chain.petition(petition_id)[11:13]) == (2, reason)


def test_reverts_when_a_rejection_has_no_code_no_hash_or_the_petition_is_published(chain: Chain, runtime):
    petition_id = chain.propose()
    with reverts("PetitionInvalidReasonCode", code=0):
        chain.send(OFFICE, chain.fns.reject(petition_id, 0, text_hash("r")))
    with reverts("PetitionInvalidHash", field="reasonHash"):
        chain.send(OFFICE, chain.fns.reject(petition_id, 1, ZERO))
    with reverts("ConsortiumMissingRole", account=address(runtime, OUTSIDER)):
        chain.send(OUTSIDER, chain.fns.reject(petition_id, 1, text_hash("r")))
    published = chain.published()
    with reverts("PetitionWrongStatus", petitionId=published, status=PetitionStatus.OPEN):
        chain.send(OFFICE, chain.fns.reject(published, 1, text_hash("r")))


# ---- votes ----


def test_a_blind_signed_token_counts_once_and_spends_its_nullifier(chain: Chain):
    petition_id = chain.published()
    key = chain.keys[0]
    token = new_token()
    request = blind(key.public, petition_id, token)
    signature = unblind(key.public, request, key.sign_blinded(request.blinded))
    receipt = chain.send(OFFICE, chain.fns.support(petition_id, token, signature))
    spent = nullifier(petition_id, token)
    assert chain.events("PetitionSupported", receipt) == [
        {"petitionId": petition_id, "nullifier": spent, "supporters": 1}
    ]
    assert chain.call(chain.fns.isSpent(spent)) is True
    assert chain.call(chain.fns.nullifierOf(petition_id, token)) == spent
    with reverts("PetitionAlreadySupported", petitionId=petition_id, nullifier=spent):
        chain.send(OFFICE, chain.fns.support(petition_id, token, signature))


def test_reverts_when_a_token_was_not_signed_by_the_petitions_key(chain: Chain):
    petition_id = chain.published(key_index=0)
    other = chain.published(key_index=1)
    token, foreign = chain.vote(other, key_index=1)
    with reverts("PetitionTokenNotSigned", petitionId=petition_id, nullifier=nullifier(petition_id, token)):
        chain.send(OFFICE, chain.fns.support(petition_id, token, fdh_sign(chain.keys[1], petition_id, token)))
    # A signature for the same token on another petition does not carry over either.
    _, signature = chain.vote(petition_id)
    with reverts("PetitionTokenNotSigned"):
        chain.send(OFFICE, chain.fns.support(petition_id, token, foreign))
    with reverts("PetitionTokenNotSigned"):
        chain.send(OFFICE, chain.fns.support(petition_id, token, signature[:-1]))
    with reverts("PetitionTokenNotSigned"):
        chain.send(OFFICE, chain.fns.support(petition_id, token, b""))


def test_reverts_when_a_vote_comes_before_publication_on_a_rejected_or_unknown_petition(chain: Chain):
    proposed = chain.with_key()
    token, signature = chain.vote(proposed)
    with reverts("PetitionWrongStatus", petitionId=proposed, status=PetitionStatus.PROPOSED):
        chain.send(OFFICE, chain.fns.support(proposed, token, signature))
    chain.send(OFFICE, chain.fns.reject(proposed, 6, text_hash("r")))
    with reverts("PetitionWrongStatus", petitionId=proposed, status=PetitionStatus.REJECTED):
        chain.send(OFFICE, chain.fns.support(proposed, token, signature))
    with reverts("PetitionUnknown", petitionId=77):
        chain.send(OFFICE, chain.fns.support(77, token, signature))


def test_reverts_when_a_vote_comes_after_the_support_period_and_the_petition_lapses(chain: Chain, runtime):
    petition_id = chain.published()
    ends = chain.petition(petition_id)[4]
    runtime.gateway.advance_time(DEFAULT_RULES.support_period_s)
    assert chain.state(petition_id) is PetitionState.LAPSED
    token, signature = chain.vote(petition_id)
    with reverts("PetitionSupportNotOpen", petitionId=petition_id, supportEndsAt=ends):
        chain.send(OFFICE, chain.fns.support(petition_id, token, signature))


def test_only_the_petitions_office_relays_votes(chain: Chain, runtime: Runtime):
    petition_id = chain.published()
    token, signature = chain.vote(petition_id)
    with reverts("ConsortiumMissingRole", account=address(runtime, AUTHORITY), role=Role.PETITIONS_OFFICE.id):
        chain.send(AUTHORITY, chain.fns.support(petition_id, token, signature))
    with reverts("ConsortiumMissingRole"):
        chain.send(AUTHORITY, chain.fns.supportMany(petition_id, [token], [signature]))


def test_a_batch_counts_the_good_votes_and_skips_each_bad_one_by_reason(chain: Chain):
    petition_id = chain.published()
    good = [chain.vote(petition_id) for _ in range(3)]
    chain.send(OFFICE, chain.fns.support(petition_id, *good[0]))
    forged_token = new_token()
    tokens = [good[1][0], good[0][0], forged_token, good[2][0], good[1][0]]
    signatures = [good[1][1], good[0][1], good[2][1], good[2][1], good[1][1]]
    office = chain.agencies.address(OFFICE)
    assert chain.runtime.gateway.call(chain.fns.supportMany(petition_id, tokens, signatures), office) == 2
    receipt = chain.send(OFFICE, chain.fns.supportMany(petition_id, tokens, signatures))
    assert [e["nullifier"] for e in chain.events("PetitionSupported", receipt)] == [
        nullifier(petition_id, good[1][0]),
        nullifier(petition_id, good[2][0]),
    ]
    assert chain.events("PetitionSupportSkipped", receipt) == [
        {
            "petitionId": petition_id,
            "nullifier": nullifier(petition_id, good[0][0]),
            "reason": SkipReason.ALREADY_SUPPORTED,
        },
        {
            "petitionId": petition_id,
            "nullifier": nullifier(petition_id, forged_token),
            "reason": SkipReason.TOKEN_NOT_SIGNED,
        },
        {
            "petitionId": petition_id,
            "nullifier": nullifier(petition_id, good[1][0]),
            "reason": SkipReason.ALREADY_SUPPORTED,
        },
    ]
    assert chain.petition(petition_id)[10] == 3


def test_a_batch_reverts_as_a_whole_when_its_lists_differ_or_support_is_closed(chain: Chain, runtime):
    petition_id = chain.published()
    token, signature = chain.vote(petition_id)
    with reverts("PetitionBatchMismatch", tokens=2, signatures=1):
        chain.send(OFFICE, chain.fns.supportMany(petition_id, [token, token], [signature]))
    runtime.gateway.advance_time(DEFAULT_RULES.support_period_s)
    with reverts("PetitionSupportNotOpen", petitionId=petition_id):
        chain.send(OFFICE, chain.fns.supportMany(petition_id, [token], [signature]))


# ---- threshold, response, overdue ----


def test_the_threshold_vote_makes_the_petition_await_a_response_and_support_goes_on(chain: Chain, runtime):
    chain.set_rules(threshold=2)
    petition_id = chain.published()
    votes = [chain.vote(petition_id) for _ in range(3)]
    chain.send(OFFICE, chain.fns.support(petition_id, *votes[0]))
    receipt = chain.send(OFFICE, chain.fns.support(petition_id, *votes[1]))
    now = runtime.gateway.block_timestamp(receipt.block_number)
    assert chain.events("PetitionThresholdReached", receipt) == [
        {"petitionId": petition_id, "supporters": 2, "responseDueAt": now + 30 * DAY}
    ]
    assert chain.state(petition_id) is PetitionState.AWAITING_RESPONSE
    receipt = chain.send(OFFICE, chain.fns.support(petition_id, *votes[2]))
    assert chain.events("PetitionThresholdReached", receipt) == []
    assert chain.petition(petition_id)[10] == 3


def awaiting(chain: Chain) -> int:
    chain.set_rules(threshold=1)
    petition_id = chain.published()
    chain.send(OFFICE, chain.fns.support(petition_id, *chain.vote(petition_id)))
    return petition_id


def test_the_mayors_office_responds_in_time_and_support_closes(chain: Chain):
    petition_id = awaiting(chain)
    answer = text_hash("the lane opens in May")
    receipt = chain.send(MAYOR, chain.fns.respond(petition_id, answer))
    assert chain.events("PetitionResponded", receipt) == [
        {"petitionId": petition_id, "responseHash": answer, "late": False}
    ]
    assert chain.state(petition_id) is PetitionState.RESPONDED
    with reverts("PetitionWrongStatus", petitionId=petition_id, status=PetitionStatus.RESPONDED):
        chain.send(OFFICE, chain.fns.support(petition_id, *chain.vote(petition_id)))
    with reverts("PetitionWrongStatus", petitionId=petition_id, status=PetitionStatus.RESPONDED):
        chain.send(MAYOR, chain.fns.respond(petition_id, answer))


def test_an_unanswered_petition_is_overdue_after_the_deadline_and_a_late_answer_says_so(
    chain: Chain, runtime
):
    petition_id = awaiting(chain)
    assert chain.call(chain.fns.isOverdue(petition_id)) is False
    runtime.gateway.advance_time(30 * DAY + 1)
    assert chain.state(petition_id) is PetitionState.OVERDUE
    assert chain.call(chain.fns.isOverdue(petition_id)) is True
    receipt = chain.send(MAYOR, chain.fns.respond(petition_id, text_hash("late")))
    assert chain.events("PetitionResponded", receipt)[0]["late"] is True
    assert chain.call(chain.fns.isOverdue(petition_id)) is False


def test_reverts_when_responding_below_the_threshold_without_a_hash_or_the_role(chain: Chain, runtime):
    open_one = chain.published()
    with reverts("PetitionWrongStatus", petitionId=open_one, status=PetitionStatus.OPEN):
        chain.send(MAYOR, chain.fns.respond(open_one, text_hash("a")))
    petition_id = awaiting(chain)
    with reverts("PetitionInvalidHash", field="responseHash"):
        chain.send(MAYOR, chain.fns.respond(petition_id, ZERO))
    with reverts("ConsortiumMissingRole", account=address(runtime, OFFICE), role=Role.MAYOR_OFFICE.id):
        chain.send(OFFICE, chain.fns.respond(petition_id, text_hash("a")))


# ---- rules ----


def test_rules_change_by_governors_m_of_n_and_apply_to_petitions_published_after(chain: Chain):
    before = chain.published()
    receipt = chain.send(GOVERNORS[0], chain.fns.proposeRules((5, 10 * DAY, 20 * DAY)))
    change_id = chain.events("PetitionRulesChangeProposed", receipt)[0]["changeId"]
    assert chain.events("PetitionRulesChangeApproved", receipt)[0]["approvals"] == 1
    assert chain.call(chain.fns.rules()) == DEFAULT_RULES.as_tuple()
    receipt = chain.send(GOVERNORS[1], chain.fns.approveRules(change_id))
    (changed,) = chain.events("PetitionRulesChanged", receipt)
    assert changed["changeId"] == change_id
    assert tuple(changed["rules"].values()) == (5, 10 * DAY, 20 * DAY)
    assert chain.call(chain.fns.rules()) == (5, 10 * DAY, 20 * DAY)
    after = chain.published()
    assert chain.petition(after)[8] == 5 and chain.petition(before)[8] == 1000


def test_reverts_when_rules_are_proposed_by_a_non_governor_or_out_of_range(chain: Chain, runtime):
    with reverts("ConsortiumMissingRole", account=address(runtime, OFFICE), role=Role.GOVERNOR.id):
        chain.send(OFFICE, chain.fns.proposeRules((5, 10 * DAY, 20 * DAY)))
    for bad in ((0, 30 * DAY, 30 * DAY), (5, DAY - 1, 30 * DAY), (5, 30 * DAY, 366 * DAY)):
        with reverts("PetitionRulesOutOfRange", rules=bad):
            chain.send(GOVERNORS[0], chain.fns.proposeRules(bad))


def test_reverts_when_a_rules_change_is_approved_twice_unknown_executed_or_expired(chain: Chain, runtime):
    receipt = chain.send(GOVERNORS[0], chain.fns.proposeRules((5, 10 * DAY, 20 * DAY)))
    change_id = chain.events("PetitionRulesChangeProposed", receipt)[0]["changeId"]
    with reverts(
        "PetitionRulesChangeAlreadyApproved", changeId=change_id, governor=address(runtime, GOVERNORS[0])
    ):
        chain.send(GOVERNORS[0], chain.fns.approveRules(change_id))
    with reverts("PetitionUnknownRulesChange", changeId=9):
        chain.send(GOVERNORS[0], chain.fns.approveRules(9))
    chain.send(GOVERNORS[1], chain.fns.approveRules(change_id))
    with reverts("PetitionRulesChangeClosed", changeId=change_id):
        chain.send(GOVERNORS[1], chain.fns.approveRules(change_id))
    receipt = chain.send(GOVERNORS[0], chain.fns.proposeRules((6, 10 * DAY, 20 * DAY)))
    late = chain.events("PetitionRulesChangeProposed", receipt)[0]["changeId"]
    runtime.gateway.advance_time(runtime.genesis.proposal_lifetime_seconds + 1)
    with reverts("PetitionRulesChangeClosed", changeId=late):
        chain.send(GOVERNORS[1], chain.fns.approveRules(late))


def test_a_petitions_role_granted_by_consortium_vote_lets_another_agency_act(chain: Chain, runtime):
    consortium = runtime.consortium()
    outcome = consortium.propose_grant_role(GOVERNORS[0], OUTSIDER, Role.PETITIONS_OFFICE)
    consortium.approve(GOVERNORS[1], outcome.proposal.id)
    receipt = chain.send(OUTSIDER, chain.fns.propose(text_hash("x")))
    assert chain.events("PetitionProposed", receipt)[0]["petitionId"] == 1


# ---- the full-domain hash, one definition on both sides ----


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    petition_id=st.integers(min_value=0, max_value=2**256 - 1),
    token=st.binary(min_size=32, max_size=32),
    length=st.sampled_from([256, 384, 512]),
)
def test_the_contracts_full_domain_hash_equals_pythons(
    chain: Chain, petition_id: int, token: bytes, length: int
):
    assert chain.call(chain.fns.fullDomainHash(petition_id, token, length)) == full_domain_hash(
        petition_id, token, length
    )
