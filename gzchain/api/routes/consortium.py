"""Consortium: public member list; governors propose and approve changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query

from gzchain.api.deps import Governor, RuntimeDep
from gzchain.api.idempotency import run_once
from gzchain.api.schemas.common import PROBLEM_RESPONSES, TxProof
from gzchain.api.schemas.consortium import (
    MemberList,
    MemberPublic,
    ProposalCreate,
    ProposalList,
    ProposalOutcomePublic,
    ProposalPublic,
)
from gzchain.domain.consortium import ProposalState
from gzchain.domain.errors import InvalidInput
from gzchain.services.consortium import ConsortiumService, ProposalOutcome

router = APIRouter(prefix="/consortium", tags=["consortium"], responses=PROBLEM_RESPONSES)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="retry-safe POST key")]


@router.get("/members", summary="List member agencies with status and roles (public)")
def list_members(runtime: RuntimeDep) -> MemberList:
    service = runtime.consortium()
    return MemberList(
        threshold=service.threshold(),
        governors=service.governor_count(),
        members=[MemberPublic.of(m) for m in service.members()],
    )


@router.get("/members/{account}", summary="One member agency, by agency id or 0x address (public)")
def get_member(runtime: RuntimeDep, account: Annotated[str, Path(max_length=64)]) -> MemberPublic:
    return MemberPublic.of(runtime.consortium().member(account))


@router.get("/proposals", summary="List proposals (public)")
def list_proposals(
    runtime: RuntimeDep, pending: Annotated[bool, Query(description="only those open for approval")] = False
) -> ProposalList:
    found = runtime.consortium().proposals(ProposalState.PENDING if pending else None)
    return ProposalList(proposals=[ProposalPublic.of(p) for p in found])


@router.get("/proposals/{proposal_id}", summary="One proposal with its approvals (public)")
def get_proposal(runtime: RuntimeDep, proposal_id: Annotated[int, Path(ge=1)]) -> ProposalPublic:
    return ProposalPublic.of(runtime.consortium().proposal(proposal_id))


@router.post(
    "/proposals",
    status_code=201,
    summary="Propose a change (governors); it executes once enough governors approve",
    response_model=ProposalOutcomePublic,
)
def create_proposal(
    body: ProposalCreate, runtime: RuntimeDep, agency: Governor, idempotency_key: IdempotencyKey = None
):
    service = runtime.consortium()
    return run_once(
        runtime.store, agency.id, idempotency_key, body, lambda: _outcome(_propose(service, agency.id, body))
    )


@router.post(
    "/proposals/{proposal_id}/approvals",
    status_code=201,
    summary="Approve a pending proposal (governors); the last needed approval executes it",
    response_model=ProposalOutcomePublic,
)
def approve_proposal(
    proposal_id: Annotated[int, Path(ge=1)],
    runtime: RuntimeDep,
    agency: Governor,
    idempotency_key: IdempotencyKey = None,
):
    service = runtime.consortium()
    service.proposal(proposal_id)  # 404 before any transaction
    return run_once(
        runtime.store,
        agency.id,
        idempotency_key,
        {"approve": proposal_id},
        lambda: _outcome(service.approve(agency.id, proposal_id)),
    )


def _required(value: object, field: str) -> None:
    if value is None or value == "":
        raise InvalidInput("is required for this kind of proposal", field=field)


def _propose(service: ConsortiumService, agency_id: str, body: ProposalCreate) -> ProposalOutcome:
    if body.kind == "change_threshold":
        _required(body.threshold, "threshold")
        return service.propose_threshold(agency_id, body.threshold)  # type: ignore[arg-type]
    _required(body.account, "account")
    account: str = body.account  # type: ignore[assignment]
    if body.kind == "add_member":
        _required(body.name, "name")
        _required(body.domain, "domain")
        return service.propose_add_member(agency_id, account, body.name, body.domain)  # type: ignore[arg-type]
    if body.kind == "suspend_member":
        return service.propose_suspend_member(agency_id, account)
    if body.kind == "reinstate_member":
        return service.propose_reinstate_member(agency_id, account)
    _required(body.role, "role")
    if body.kind == "grant_role":
        return service.propose_grant_role(agency_id, account, body.role)  # type: ignore[arg-type]
    return service.propose_revoke_role(agency_id, account, body.role)  # type: ignore[arg-type]


def _outcome(outcome: ProposalOutcome) -> ProposalOutcomePublic:
    return ProposalOutcomePublic(
        proposal=ProposalPublic.of(outcome.proposal),
        executed=outcome.executed,
        proof=TxProof.of(outcome.receipt),
    )
