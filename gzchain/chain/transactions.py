"""Transactions as gzchain sees them once signed, confirmed or decided, and the constants of sending them.

The gateway sends one transaction at a time and the pipeline many; both speak these types, so neither
imports the other for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gzchain.domain.errors import ChainUnavailable, ContractReverted

GAS_HEADROOM = 1.25  # estimates are exact for the state they ran on; later state may cost a little more
# Pauses between asks for a sent transaction's receipt: the first short, then doubling up to the longest.
RECEIPT_POLL_FIRST_S, RECEIPT_POLL_MAX_S = 0.002, 0.2


@dataclass(frozen=True)
class Receipt:
    """What a confirmed transaction proves: where it is on chain, and what it emitted."""

    tx_hash: str
    block_number: int
    block_hash: str
    gas_used: int
    contract_address: str | None
    logs: tuple[Any, ...]
    tx_index: int = 0  # the transaction's position in its block

    @classmethod
    def of(cls, raw: Any) -> Receipt:
        """The Receipt of a receipt as web3 gives it (bytes hashes, int numbers, decoded-ready logs)."""
        contract_address = raw.get("contractAddress")
        return cls(
            tx_hash="0x" + bytes(raw["transactionHash"]).hex(),
            block_number=int(raw["blockNumber"]),
            block_hash="0x" + bytes(raw["blockHash"]).hex(),
            gas_used=int(raw["gasUsed"]),
            contract_address=str(contract_address) if contract_address else None,
            logs=tuple(raw["logs"]),
            tx_index=int(raw["transactionIndex"]),
        )


@dataclass(frozen=True)
class SignedTransaction:
    """A transaction signed and not yet sent: its hash is final, so a store can record it first."""

    tx_hash: str
    sender: str
    nonce: int


@dataclass(frozen=True)
class Outcome:
    """What became of one call of a pipeline: a receipt, or the error that says why not."""

    receipt: Receipt | None = None
    error: ContractReverted | ChainUnavailable | None = None

    @property
    def done(self) -> bool:
        return self.receipt is not None

    def result(self) -> Receipt:
        """The receipt, or the error raised, as a plain send would have."""
        if self.receipt is None:
            assert self.error is not None
            raise self.error
        return self.receipt
