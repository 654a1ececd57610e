"""Consortium request and response bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gzchain.api.schemas.common import TxProof
from gzchain.domain.consortium import Member, Proposal
from gzchain.domain.roles import Role


class MemberPublic(BaseModel):
    address: str = Field(examples=["0x6b16B1ac5F9EaC5d7f81fdCEc40754C6e0c26149"])
    agency_id: str | None = Field(examples=["gz-msa"])
    name: str = Field(examples=["Guangzhou Market Supervision Administration"])
    domain: str = Field(examples=["scjgj.gz.gov.cn"])
    status: Literal["active", "suspended"]
    roles: list[Role]
    joined_at: int = Field(description="block timestamp (seconds since the epoch)")

    @classmethod
    def of(cls, m: Member) -> MemberPublic:
        return cls(
            address=m.address,
            agency_id=m.agency_id,
            name=m.name,
            domain=m.domain,
            status="active" if m.status.name == "ACTIVE" else "suspended",
            roles=list(m.roles),
            joined_at=m.joined_at,
        )


class MemberList(BaseModel):
    threshold: int = Field(examples=[2])
    governors: int = Field(examples=[2])
    members: list[MemberPublic]


ProposalKindName = Literal[
    "add_member", "suspend_member", "reinstate_member", "grant_role", "revoke_role", "change_threshold"
]


class ProposalCreate(BaseModel):
    """What to change. `account` is an agency id or 0x address; which other fields apply depends on `kind`."""

    kind: ProposalKindName = Field(examples=["add_member"])
    account: str | None = Field(default=None, examples=["haizhu-health"])
    name: str | None = Field(default=None, max_length=200, examples=["Haizhu District Health Bureau"])
    domain: str | None = Field(default=None, max_length=253, examples=["wjj.haizhu.gov.cn"])
    role: Role | None = Field(default=None, examples=["INSPECTOR"])
    threshold: int | None = Field(default=None, ge=1, le=1000, examples=[2])


class ProposalPublic(BaseModel):
    id: int
    kind: ProposalKindName
    state: Literal["pending", "executed", "expired"]
    proposer: str
    account: str | None
    role: Role | None
    threshold: int | None
    name: str
    domain: str
    created_at: int
    expires_at: int
    approvals: int
    approved_by: list[str]

    @classmethod
    def of(cls, p: Proposal) -> ProposalPublic:
        return cls(
            id=p.id,
            kind=p.kind.name.lower(),  # type: ignore[arg-type]
            state=p.state.name.lower(),  # type: ignore[arg-type]
            proposer=p.proposer,
            account=p.account,
            role=p.role,
            threshold=p.threshold,
            name=p.name,
            domain=p.domain,
            created_at=p.created_at,
            expires_at=p.expires_at,
            approvals=p.approvals,
            approved_by=list(p.approved_by),
        )


class ProposalList(BaseModel):
    proposals: list[ProposalPublic]


class ProposalOutcomePublic(BaseModel):
    proposal: ProposalPublic
    executed: bool
    proof: TxProof
