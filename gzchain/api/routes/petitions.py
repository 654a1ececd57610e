"""Petitions: public reads; residents signed by their credential key (no account, no API key); anonymous
votes; agencies by API key with the on-chain role (identity authority, petitions office, mayor's office)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query

from gzchain.api.deps import Agency, RuntimeDep, require_role
from gzchain.api.idempotency import run_once
from gzchain.api.schemas.common import PROBLEM_RESPONSES
from gzchain.api.schemas.petitions import (
    CredentialPublic,
    EnrolmentCreate,
    EnrolmentPublic,
    PetitionCreate,
    PetitionList,
    PetitionPublic,
    RejectionCreate,
    ResponseCreate,
    RulesPublic,
    TokenIssued,
    TokenRequest,
    VoteReceipt,
    VoteResultPublic,
    VotesCreate,
    VotesOutcome,
)
from gzchain.domain.errors import InvalidInput
from gzchain.domain.petitions.reasons import RejectionReason
from gzchain.domain.petitions.states import PetitionState
from gzchain.domain.roles import Role
from gzchain.services.petitions.relay import Vote

router = APIRouter(prefix="/petitions", tags=["petitions"], responses=PROBLEM_RESPONSES)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="retry-safe POST key")]
PetitionId = Annotated[int, Path(ge=1, le=2**63 - 1)]
IdentityAuthority = Annotated[Agency, Depends(require_role(Role.IDENTITY_AUTHORITY))]
PetitionsOffice = Annotated[Agency, Depends(require_role(Role.PETITIONS_OFFICE))]
MayorOffice = Annotated[Agency, Depends(require_role(Role.MAYOR_OFFICE))]


def _bytes(value: str, field: str) -> bytes:
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise InvalidInput("must be 0x and an even number of hex digits", field=field) from None


# ---- public ----


@router.get("", summary="List petitions, newest first, optionally in one state (public)")
def list_petitions(
    runtime: RuntimeDep,
    state: Annotated[str | None, Query(description="proposed, open, awaiting-response, overdue, …")] = None,
) -> PetitionList:
    wanted = PetitionState.parse(state) if state else None
    return PetitionList(items=[PetitionPublic.of(v) for v in runtime.petitions().queries.petitions(wanted)])


@router.get(
    "/overdue", summary="Petitions past their response deadline unanswered, as the chain says (public)"
)
def list_overdue(runtime: RuntimeDep) -> PetitionList:
    return PetitionList(items=[PetitionPublic.of(v) for v in runtime.petitions().queries.overdue()])


@router.get("/rules", summary="The rules new petitions are published under (public)")
def get_rules(runtime: RuntimeDep) -> RulesPublic:
    return RulesPublic.of(runtime.petitions().queries.rules())


@router.get("/credentials/{credential}", summary="A resident credential's status on chain (public)")
def get_credential(runtime: RuntimeDep, credential: Annotated[str, Path(max_length=42)]) -> CredentialPublic:
    status = runtime.petitions().queries.credential(credential)
    return CredentialPublic(credential=credential, status=status.name.lower())


@router.get("/{petition_id}", summary="One petition: its words checked against the chain, progress, answer")
def get_petition(runtime: RuntimeDep, petition_id: PetitionId) -> PetitionPublic:
    return PetitionPublic.of(runtime.petitions().queries.petition(petition_id))


@router.get(
    "/{petition_id}/votes/{nullifier}",
    summary="Was this vote counted? The wallet computes the nullifier; its token never leaves it (public)",
)
def get_vote(
    runtime: RuntimeDep,
    petition_id: PetitionId,
    nullifier: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$")],
) -> VoteReceipt:
    counted = runtime.petitions().queries.counted(petition_id, _bytes(nullifier, "nullifier"))
    return VoteReceipt(nullifier=nullifier.lower(), counted=counted)


# ---- residents ----


@router.post("", status_code=201, summary="A resident proposes a petition (signed by an enrolled credential)")
def propose(body: PetitionCreate, runtime: RuntimeDep) -> PetitionPublic:
    service = runtime.petitions()
    petition_id = service.resident_propose(
        body.title, body.text, body.credential, body.issued_at, body.signature
    )
    return PetitionPublic.of(service.queries.petition(petition_id))


@router.post(
    "/{petition_id}/tokens",
    summary="A resident's blinded token, signed blind by the identity authority (once per resident)",
)
def request_token(petition_id: PetitionId, body: TokenRequest, runtime: RuntimeDep) -> TokenIssued:
    blinded = _bytes(body.blinded, "blinded")
    signed = runtime.petitions().resident_token(
        petition_id, blinded, body.credential, body.issued_at, body.signature
    )
    return TokenIssued(petition_id=petition_id, blind_signature="0x" + signed.hex())


@router.post(
    "/{petition_id}/votes",
    summary="Anonymous votes (token + unblinded signature), relayed by the petitions office in batches",
)
def vote(petition_id: PetitionId, body: VotesCreate, runtime: RuntimeDep) -> VotesOutcome:
    votes = []
    for i, item in enumerate(body.votes):
        try:
            votes.append(Vote(_bytes(item.token, "token"), _bytes(item.signature, "signature")))
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, field=f"votes.{i}.{exc.field}") from None
    service = runtime.petitions()
    results = service.relay.submit(petition_id, votes)
    on_chain = service.chain.petition(petition_id)
    return VotesOutcome(
        results=[VoteResultPublic.of(r) for r in results],
        supporters=on_chain.supporters,
        state=on_chain.state.slug,
    )


# ---- agencies ----


@router.post(
    "/credentials",
    status_code=201,
    summary="Enrol a resident after the real-name check (identity authority), or re-enrol",
)
def enrol(
    body: EnrolmentCreate,
    runtime: RuntimeDep,
    agency: IdentityAuthority,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.petitions()

    def write() -> EnrolmentPublic:
        done = service.authority.enrol(body.name, body.id_number, body.credential, body.proof)
        return EnrolmentPublic(credential=done.credential, status="enrolled", replaced=done.replaced)

    # The ID number is not part of what the idempotency record keeps: only its credential.
    return run_once(runtime.store, agency.id, idempotency_key, {"enrol": body.credential}, write)


@router.post(
    "/credentials/{credential}/revocation",
    summary="Revoke a credential (identity authority); tokens signed before it stay valid",
)
def revoke(
    credential: Annotated[str, Path(max_length=42)],
    runtime: RuntimeDep,
    agency: IdentityAuthority,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.petitions()

    def write() -> CredentialPublic:
        service.authority.revoke(credential)
        return CredentialPublic(credential=credential, status="revoked")

    return run_once(runtime.store, agency.id, idempotency_key, {"revoke": credential}, write, status_code=200)


@router.post("/{petition_id}/publication", summary="Open a proposed petition for support (petitions office)")
def publish(
    petition_id: PetitionId,
    runtime: RuntimeDep,
    agency: PetitionsOffice,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.petitions()

    def write() -> PetitionPublic:
        service.office.publish(agency.id, petition_id)
        return PetitionPublic.of(service.queries.petition(petition_id))

    return run_once(
        runtime.store, agency.id, idempotency_key, {"publish": petition_id}, write, status_code=200
    )


@router.post(
    "/{petition_id}/rejection", summary="Reject a proposed petition with a reason (petitions office)"
)
def reject(
    petition_id: PetitionId,
    body: RejectionCreate,
    runtime: RuntimeDep,
    agency: PetitionsOffice,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.petitions()

    def write() -> PetitionPublic:
        service.office.reject(agency.id, petition_id, RejectionReason.parse(body.reason_code), body.reason)
        return PetitionPublic.of(service.queries.petition(petition_id))

    return run_once(runtime.store, agency.id, idempotency_key, body, write, status_code=200)


@router.post(
    "/{petition_id}/response", summary="Answer a petition that reached its threshold (mayor's office)"
)
def respond(
    petition_id: PetitionId,
    body: ResponseCreate,
    runtime: RuntimeDep,
    agency: MayorOffice,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.petitions()

    def write() -> PetitionPublic:
        service.office.respond(agency.id, petition_id, body.text)
        return PetitionPublic.of(service.queries.petition(petition_id))

    return run_once(runtime.store, agency.id, idempotency_key, body, write, status_code=200)
