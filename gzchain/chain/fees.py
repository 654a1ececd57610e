"""Fee fields per chain: free gas on Besu QBFT, EIP-1559 fees on eth-tester and anvil."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from web3 import Web3

PRIORITY_FEE_WEI = 10**9


@dataclass(frozen=True)
class FeePolicy:
    kind: Literal["zero", "eip1559"]

    def fields(self, w3: Web3) -> dict[str, int]:
        if self.kind == "zero":
            # A zero-fee node drops transactions that do not say so explicitly.
            return {"gasPrice": 0}
        base_fee = w3.eth.get_block("latest").get("baseFeePerGas", 0)
        # Twice the base fee survives several full blocks of base-fee growth before inclusion.
        return {"maxFeePerGas": 2 * base_fee + PRIORITY_FEE_WEI, "maxPriorityFeePerGas": PRIORITY_FEE_WEI}


def choose_fee_policy(w3: Web3, setting: str = "auto") -> FeePolicy:
    if setting in ("zero", "eip1559"):
        return FeePolicy(setting)  # type: ignore[arg-type]
    base_fee = w3.eth.get_block("latest").get("baseFeePerGas")
    return FeePolicy("zero" if not base_fee else "eip1559")
