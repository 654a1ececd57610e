"""Schemas shared by every area: the on-chain proof of a write."""

from __future__ import annotations

from pydantic import BaseModel, Field

from gzchain.chain.transactions import Receipt


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
