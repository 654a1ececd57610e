"""The petitions services: enrolment, proposals, blind tokens, the vote relay, responses, overdue, wallet.

Runs on the embedded chain and on anvil (`--lane anvil`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from support.chain import reverts
from support.petitions import MAYOR, OFFICE, Resident, published, set_rules

from gzchain.bootstrap import Runtime
from gzchain.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from gzchain.domain.petitions.blind import generate_key
from gzchain.domain.petitions.fdh import full_domain_hash
from gzchain.domain.petitions.reasons import RejectionReason
from gzchain.domain.petitions.rules import DAY
from gzchain.domain.petitions.states import CredentialStatus, PetitionState
from gzchain.services.petitions import PetitionsService
from gzchain.services.petitions.relay import Vote
from gzchain.services.petitions.wallet import PetitionWallet
from gzchain.store.petitions import PetitionCredentialRow, PetitionTextRow


@pytest.fixture
def service(runtime: Runtime) -> PetitionsService:
    return runtime.petitions()


@pytest.fixture
def proposer(service: PetitionsService) -> Resident:
    resident = Resident()
    resident.enrol(service)
    return resident


# ---- enrolment ----


def test_enrolment_puts_only_the_credential_on_chain_and_keeps_no_id_number(service, runtime):
    resident = Resident()
    enrolment = resident.enrol(service)
    assert enrolment.credential == resident.credential and enrolment.replaced is None
    assert service.queries.credential(resident.credential) is CredentialStatus.ENROLLED
    with runtime.store.session() as session:
        rows = session.scalars(select(PetitionCredentialRow)).all()
    assert [row.credential for row in rows] == [resident.credential]
    assert resident.number not in repr([vars(row) for row in rows])


def test_enrolling_the_same_person_again_replaces_and_revokes_the_old_credential(service):
    resident = Resident()
    resident.enrol(service)
    old = resident.credential
    resident.new_key()
    assert resident.enrol(service).replaced == old
    assert service.queries.credential(old) is CredentialStatus.REVOKED
    assert service.queries.credential(resident.credential) is CredentialStatus.ENROLLED
    assert service.chain.enrolled_count() == 1


def test_enrolment_refuses_a_bad_id_number_a_foreign_proof_and_a_used_credential(service):
    resident = Resident(number="440106199001010010")  # wrong check character
    with pytest.raises(InvalidInput) as refused:
        resident.enrol(service)
    assert refused.value.field == "id_number" and "check character" in refused.value.reason
    other = Resident()
    with pytest.raises(InvalidInput) as refused:
        service.authority.enrol("Li Hua", other.number, Resident().credential, _proof(other))
    assert refused.value.field == "proof"
    other.enrol(service)
    with pytest.raises(Conflict, match="already enrolled"):
        service.authority.enrol("Li Hua", Resident().number, other.credential, _proof(other))


def _proof(resident: Resident) -> str:
    from gzchain.services.petitions.wallet import enrolment_proof

    return enrolment_proof(resident.account)


# ---- proposals ----


def test_an_enrolled_residents_proposal_goes_on_chain_by_salted_hash_with_its_token_key(service, proposer):
    petition_id = proposer.propose(service)
    view = service.queries.petition(petition_id)
    assert view.chain.state is PetitionState.PROPOSED
    assert view.title == "A cycle lane on Huangpu Avenue" and view.text.verified
    assert view.token_key is not None and view.token_key.length == 256


def test_a_proposal_is_refused_from_a_credential_not_enrolled(service):
    with pytest.raises(PermissionDenied, match="never enrolled"):
        Resident().propose(service)


def test_a_signed_request_works_once_only_fresh_and_only_for_what_was_signed(service, proposer):
    now = service.chain.now()
    signed = proposer.signed("propose", {"title": "T", "text": "words"}, now)
    service.resident_propose("T", "words", **signed)
    with pytest.raises(Conflict, match="already used"):
        service.resident_propose("T", "words", **signed)
    with pytest.raises(InvalidInput) as refused:
        service.resident_propose(
            "T", "other words", **proposer.signed("propose", {"title": "T", "text": "x"}, now)
        )
    assert refused.value.field == "signature"
    stale = proposer.signed("propose", {"title": "T", "text": "words"}, now - 301)
    with pytest.raises(InvalidInput) as refused:
        service.resident_propose("T", "words", **stale)
    assert refused.value.field == "issued_at"


def test_a_proposal_text_with_a_hidden_override_is_refused(service, proposer):
    with pytest.raises(InvalidInput) as refused:
        proposer.propose(service, title="Close\u202eroad")
    assert refused.value.field == "title"


# ---- tokens ----


def test_one_token_per_resident_and_petition_even_after_reenrolment(service, proposer):
    petition_id = published(service, proposer)
    voter = Resident()
    voter.enrol(service)
    voter.token(service, petition_id)
    with pytest.raises(Conflict, match="already signed"):
        voter.token(service, petition_id)
    voter.new_key()
    voter.enrol(service)
    with pytest.raises(Conflict, match="whichever credential"):
        voter.token(service, petition_id)


def test_no_token_for_a_revoked_or_never_enrolled_credential(service, proposer):
    petition_id = published(service, proposer)
    with pytest.raises(PermissionDenied, match="never enrolled"):
        Resident().token(service, petition_id)
    revoked = Resident()
    revoked.enrol(service)
    service.authority.revoke(revoked.credential)
    with pytest.raises(PermissionDenied, match="revoked"):
        revoked.token(service, petition_id)


def test_no_token_for_a_petition_not_open_for_support(service, proposer, runtime):
    proposed = proposer.propose(service)
    with pytest.raises(Conflict, match="proposed, not open"):
        proposer.token(service, proposed)
    open_one = published(service, proposer, "A cycle lane on Yuexiu Road")  # other words: not a replay
    runtime.gateway.advance_time(30 * DAY)
    with pytest.raises(Conflict, match="lapsed"):
        proposer.token(service, open_one)
    with pytest.raises(NotFound):
        service.authority.sign_token(99, proposer.credential, b"\x01" * 256)


# ---- the relay ----


def test_votes_are_relayed_in_one_batch_by_the_office_and_each_says_what_the_contract_decided(
    service, proposer, runtime
):
    petition_id = published(service, proposer)
    votes = []
    for _ in range(3):
        voter = Resident()
        voter.enrol(service)
        votes.append(voter.token(service, petition_id))
    stranger_key = generate_key()
    forged_token = b"\x07" * 32
    m = int.from_bytes(full_domain_hash(petition_id, forged_token, 256), "big")
    forged = Vote(forged_token, pow(m, stranger_key.d, stranger_key.n).to_bytes(256, "big"))
    results = service.relay.submit(petition_id, [*votes, votes[0], forged])
    assert [(r.counted, r.refused) for r in results] == [
        (True, None),
        (True, None),
        (True, None),
        (False, "PetitionAlreadySupported"),
        (False, "PetitionTokenNotSigned"),
    ]
    assert service.queries.petition(petition_id).chain.supporters == 3
    assert all(service.queries.counted(petition_id, r.nullifier) for r in results[:3])
    assert not service.queries.counted(petition_id, results[4].nullifier)


def test_a_batch_after_the_support_period_is_refused_whole_by_the_contract(service, proposer, runtime):
    petition_id = published(service, proposer)
    vote = proposer.token(service, petition_id)
    runtime.gateway.advance_time(30 * DAY)
    with reverts("PetitionSupportNotOpen", petitionId=petition_id):
        service.relay.submit(petition_id, [vote])


def test_a_vote_for_an_unknown_petition_is_refused_by_the_contract(service):
    with reverts("PetitionUnknown", petitionId=5):
        service.relay.submit(5, [Vote(b"\x01" * 32, b"\x02" * 256)])


def test_malformed_votes_are_refused_before_the_queue():
    with pytest.raises(InvalidInput) as refused:
        Vote(b"\x01" * 31, b"\x02" * 256)
    assert refused.value.field == "token"
    with pytest.raises(InvalidInput) as refused:
        Vote(b"\x01" * 32, b"\x02" * 513)
    assert refused.value.field == "signature"


# ---- threshold, response, overdue, rejection ----


def test_at_the_threshold_the_mayor_answers_and_the_answer_is_verified(service, proposer, runtime):
    set_rules(runtime, threshold=2)
    petition_id = published(service, proposer)
    voters = [Resident() for _ in range(2)]
    for voter in voters:
        voter.enrol(service)
    service.relay.submit(petition_id, [v.token(service, petition_id) for v in voters])
    assert service.queries.petition(petition_id).chain.state is PetitionState.AWAITING_RESPONSE
    service.office.respond(MAYOR, petition_id, "The lane will be built by May.")
    view = service.queries.petition(petition_id)
    assert view.chain.state is PetitionState.RESPONDED
    assert view.response is not None and view.response.verified and not view.late
    assert view.response.text == "The lane will be built by May."


def test_an_unanswered_petition_past_its_deadline_is_listed_overdue(service, proposer, runtime):
    set_rules(runtime, threshold=1)
    late = published(service, proposer, "Night buses to Baiyun")
    answered = published(service, proposer, "Shade trees on Tianhe Road")
    for petition_id in (late, answered):
        service.relay.submit(petition_id, [proposer.token(service, petition_id)])
    service.office.respond(MAYOR, answered, "Planted in spring.")
    assert service.queries.overdue() == []
    runtime.gateway.advance_time(30 * DAY + 1)
    assert [view.chain.id for view in service.queries.overdue()] == [late]


def test_the_office_rejects_with_a_reason_code_and_words_checked_against_the_chain(service, proposer):
    petition_id = proposer.propose(service)
    service.office.reject(OFFICE, petition_id, RejectionReason.NOT_CITY_COMPETENCE, "A provincial matter.")
    view = service.queries.petition(petition_id)
    assert view.chain.state is PetitionState.REJECTED
    assert view.rejection_reason is RejectionReason.NOT_CITY_COMPETENCE
    assert view.rejection is not None and view.rejection.verified


def test_an_agency_without_the_role_is_refused_by_the_contract(service, proposer, runtime):
    petition_id = proposer.propose(service)
    with reverts("ConsortiumMissingRole", account=runtime.keys.address(MAYOR)):
        service.office.publish(MAYOR, petition_id)
    with reverts("ConsortiumMissingRole", account=runtime.keys.address(OFFICE)):
        service.office.respond(OFFICE, petition_id, "not ours to answer")


def test_words_changed_in_the_store_no_longer_verify(service, proposer, runtime):
    petition_id = proposer.propose(service)
    with runtime.store.session() as session:
        session.get(PetitionTextRow, petition_id).text = "Something else entirely."
    assert service.queries.petition(petition_id).text.verified is False


# ---- the resident's wallet ----


def test_the_wallet_keeps_the_key_and_receipt_encrypted_and_checks_the_vote(
    service, proposer, tmp_path: Path
):
    petition_id = published(service, proposer)
    path = tmp_path / "petitions.wallet"
    wallet = PetitionWallet.create(path, "correct horse")
    service.authority.enrol("Wang Fang", Resident().number, wallet.credential, wallet.enrolment_proof())
    key = service.chain.token_key(petition_id)

    def ask(blinded: bytes) -> bytes:
        fields = {"petition_id": petition_id, "blinded": "0x" + blinded.hex()}
        return service.resident_token(
            petition_id, blinded, **wallet.sign("token", fields, service.chain.now())
        )

    receipt = wallet.token_for(petition_id, key, ask)
    assert receipt.token.hex() not in path.read_text() and oct(path.stat().st_mode & 0o777) == "0o600"
    reopened = PetitionWallet.open(path, "correct horse")
    assert reopened.receipt(petition_id) == receipt and reopened.credential == wallet.credential
    assert not service.queries.counted(petition_id, receipt.nullifier)
    service.relay.submit(petition_id, [Vote(receipt.token, receipt.signature)])
    assert service.queries.counted(petition_id, receipt.nullifier)
    with pytest.raises(PermissionDenied, match="passphrase"):
        PetitionWallet.open(path, "wrong")
    with pytest.raises(Conflict):
        wallet.token_for(petition_id, key, ask)
