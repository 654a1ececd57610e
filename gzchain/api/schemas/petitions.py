"""Petitions: what residents, agencies and the public send and get (see /work/briefs/petitions-api.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gzchain.domain.petitions.rules import Rules
from gzchain.services.petitions.queries import PetitionView, Words
from gzchain.services.petitions.relay import VoteResult

HEX = r"^0x[0-9a-fA-F]*$"
Hex32 = Field(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "ab" * 32])
Address = Field(pattern=r"^0x[0-9a-fA-F]{40}$", examples=["0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"])
Signature = Field(pattern=r"^0x[0-9a-fA-F]{130}$", description="EIP-191 personal_sign by the credential key")
ReasonCode = Literal["duplicate", "not-city-competence", "unlawful", "personal-data", "offensive", "other"]


class ResidentSigned(BaseModel):
    credential: str = Address
    issued_at: int = Field(ge=0, description="unix seconds; within 300 s of the server's clock")
    signature: str = Signature


class PetitionCreate(ResidentSigned):
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20_000)


class TokenRequest(ResidentSigned):
    blinded: str = Field(pattern=HEX, min_length=4, max_length=1026, description="FDH(token)·r^e mod n")


class TokenIssued(BaseModel):
    petition_id: int
    blind_signature: str


class VoteIn(BaseModel):
    token: str = Hex32
    signature: str = Field(pattern=HEX, min_length=4, max_length=1026)


class VotesCreate(BaseModel):
    votes: list[VoteIn] = Field(min_length=1, max_length=500)


class VoteResultPublic(BaseModel):
    nullifier: str
    counted: bool
    refused: str | None = Field(description="the contract's reason for a vote it skipped")

    @classmethod
    def of(cls, result: VoteResult) -> VoteResultPublic:
        return cls(nullifier="0x" + result.nullifier.hex(), counted=result.counted, refused=result.refused)


class VotesOutcome(BaseModel):
    results: list[VoteResultPublic]
    supporters: int
    state: str


class VoteReceipt(BaseModel):
    nullifier: str
    counted: bool


class EnrolmentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=32, description="GB 11643 resident identity number")
    credential: str = Address
    proof: str = Signature


class EnrolmentPublic(BaseModel):
    credential: str
    status: str
    replaced: str | None = None


class CredentialPublic(BaseModel):
    credential: str
    status: str


class RejectionCreate(BaseModel):
    reason_code: ReasonCode
    reason: str = Field(min_length=1, max_length=2_000)


class ResponseCreate(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


class RulesPublic(BaseModel):
    threshold: int
    support_period_s: int
    response_period_s: int

    @classmethod
    def of(cls, rules: Rules) -> RulesPublic:
        return cls(
            threshold=rules.threshold,
            support_period_s=rules.support_period_s,
            response_period_s=rules.response_period_s,
        )


class TokenKeyPublic(BaseModel):
    n: str
    e: int


class RejectionPublic(BaseModel):
    code: int
    reason_code: str | None
    text: str | None
    verified: bool


class ResponsePublic(BaseModel):
    text: str | None
    verified: bool
    late: bool


class PetitionPublic(BaseModel):
    id: int
    title: str | None
    text: str | None
    text_verified: bool = Field(description="the store's words hash, with their salt, to the chain's")
    text_hash: str
    state: str
    supporters: int
    threshold: int | None
    proposed_at: int
    published_at: int | None
    support_ends_at: int | None
    threshold_reached_at: int | None
    response_due_at: int | None
    responded_at: int | None
    rejection: RejectionPublic | None
    response: ResponsePublic | None
    token_key: TokenKeyPublic | None

    @classmethod
    def of(cls, view: PetitionView) -> PetitionPublic:
        c = view.chain
        rejection = None
        if c.rejection_code is not None:
            words = view.rejection or Words(None, False)
            slug = view.rejection_reason.slug if view.rejection_reason else None
            rejection = RejectionPublic(
                code=c.rejection_code, reason_code=slug, text=words.text, verified=words.verified
            )
        response = None
        if view.response is not None:
            response = ResponsePublic(
                text=view.response.text, verified=view.response.verified, late=view.late
            )
        key = view.token_key
        return cls(
            id=c.id,
            title=view.title,
            text=view.text.text,
            text_verified=view.text.verified,
            text_hash="0x" + c.text_hash.hex(),
            state=c.state.slug,
            supporters=c.supporters,
            threshold=c.threshold,
            proposed_at=c.proposed_at,
            published_at=c.published_at,
            support_ends_at=c.support_ends_at,
            threshold_reached_at=c.threshold_reached_at,
            response_due_at=c.response_due_at,
            responded_at=c.responded_at,
            rejection=rejection,
            response=response,
            token_key=TokenKeyPublic(n=hex(key.n), e=key.e) if key else None,
        )


class PetitionList(BaseModel):
    items: list[PetitionPublic]
