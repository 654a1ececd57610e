"""Schemas shared by every area: the on-chain proof of a write."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field

from gzchain.chain.transactions import Receipt
from gzchain.domain.reasons import ReasonAction, StatedReason


class TxProof(BaseModel):
    """Where a write sits on chain: enough for anyone to check it against any node."""

    tx_hash: str = Field(examples=["0x59ef2acfd842a020cc152ca011c6b247108f047384078f456ca649af691b8dec"])
    block_number: int = Field(examples=[13])
    block_hash: str = Field(examples=["0x4a98c92b0436e1c1f0f3b4c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0"])

    @classmethod
    def of(cls, receipt: Receipt) -> TxProof:
        return cls(tx_hash=receipt.tx_hash, block_number=receipt.block_number, block_hash=receipt.block_hash)


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response carries them."""

    type: str = "about:blank"
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["threshold: must be a positive number of approvals, got 0"])
    field: str | None = Field(default=None, examples=["threshold"])


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}, "description": text}
    for code, text in {
        401: "No or invalid agency API key",
        403: "The agency lacks the role this needs, or the contract refused it for that reason",
        404: "Not found",
        409: "Refused: duplicate, or the recorded state does not allow it",
        422: "Invalid input; `field` names where",
        503: "The chain or the store is unavailable",
    }.items()
}


class ReasonPublic(BaseModel):
    """Why an agency acted: the code the chain holds, and the words the store holds checked against the
    salted hash the chain holds of them."""

    code: str = Field(examples=["unreachable-at-address"])
    label: str = Field(examples=["unreachable at address"])
    words: str | None = Field(
        description="the acting agency's words, from its store; null when withheld or erased",
        examples=["cannot be contacted at the registered address"],
    )
    verified: bool = Field(description="the words and their salt hash to the reason hash on chain")
    state: Literal["verified", "not verified", "withheld"]
    reason_hash: str = Field(description="the salted hash on chain", examples=["0x" + "5a" * 32])
    salt: str | None = Field(
        description="the 32-byte salt, published with the words so anyone can recompute the hash: "
        'keccak256("gzchain:reason:v1" 0x00 action 0x00 uint8(code) salt utf8(words))',
        examples=["0x" + "c3" * 32],
    )

    @classmethod
    def of(cls, reason: StatedReason) -> ReasonPublic:
        return cls(
            code=reason.code.slug,
            label=reason.code.label,
            words=reason.words,
            verified=reason.verified,
            state=reason.state,
            reason_hash="0x" + reason.digest.hex(),
            salt=None if reason.salt is None or reason.words is None else "0x" + reason.salt.hex(),
        )


def reason_code_field(action: ReasonAction, example: str) -> Any:
    """The request field naming a reason code (as `reason_code` or `reasonCode`), its codes documented."""
    known = ", ".join(code.slug for code in action.codes)
    return Field(
        validation_alias=AliasChoices("reason_code", "reasonCode"),
        min_length=1,
        max_length=40,
        description=f"recorded on chain; one of: {known}",
        examples=[example],
    )


def reason_words_field(example: str) -> Any:
    return Field(
        min_length=1,
        max_length=500,
        description="the words; kept off chain in the store, the chain gets their salted hash",
        examples=[example],
    )
