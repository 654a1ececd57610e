"""Signing many transactions quickly: the two kinds gzchain sends, encoded straight from their EIPs.

eth_account validates and normalises every field of every transaction through generic formatters, about
0.9 ms per signature here, which caps a pipelined writer near 1,000 transactions a second before any other
work. A pipeline signs transactions whose fields it built itself, so it encodes them directly with `rlp` and
signs the hash with coincurve (libsecp256k1): a legacy EIP-155 transaction for zero-fee
networks (Besu QBFT), an EIP-1559 one where gas has a base fee. tests/unit/test_signing.py proves the bytes
are identical to eth_account's for both kinds.
"""

from __future__ import annotations

import coincurve
import rlp

from gzchain.domain.keccak import keccak

_DYNAMIC_FEE_TYPE = b"\x02"


class CallSigner:
    """Signs calls as one account on one chain; the key is parsed once, not once per transaction."""

    def __init__(self, private_key: bytes, chain_id: int) -> None:
        self._key = coincurve.PrivateKey(private_key)
        self.chain_id = chain_id

    def sign(
        self, *, nonce: int, gas: int, to: bytes, data: bytes, fees: dict[str, int], value: int = 0
    ) -> bytes:
        """The raw signed transaction for a call of `to` with `data`; `fees` as FeePolicy.fields gives
        them: {"gasPrice"} for a legacy transaction, {"maxFeePerGas", "maxPriorityFeePerGas"} for EIP-1559."""
        if len(to) != 20:
            raise ValueError("`to` must be a 20-byte address")
        if "gasPrice" in fees:
            unsigned = [nonce, fees["gasPrice"], gas, to, value, data]
            v, r, s = self._signature(rlp.encode([*unsigned, self.chain_id, 0, 0]))
            # EIP-155: v carries the chain id, so the signature is valid on this chain only.
            return rlp.encode([*unsigned, v + 35 + 2 * self.chain_id, r, s])
        fields = [
            self.chain_id,
            nonce,
            fees["maxPriorityFeePerGas"],
            fees["maxFeePerGas"],
            gas,
            to,
            value,
            data,
            [],  # access list
        ]
        v, r, s = self._signature(_DYNAMIC_FEE_TYPE + rlp.encode(fields))
        return _DYNAMIC_FEE_TYPE + rlp.encode([*fields, v, r, s])

    def _signature(self, payload: bytes) -> tuple[int, int, int]:
        """(recovery id, r, s) of the Keccak-256 of `payload`; libsecp256k1 gives low-s signatures."""
        signature = self._key.sign_recoverable(keccak(payload), hasher=None)
        return signature[64], int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
