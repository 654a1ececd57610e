"""Ethereum's Keccak-256, computed one way for all of gzchain: every hash gzchain takes comes from here.

It is eth-hash's, on the backend eth-hash itself chooses for web3, py-evm and eth-account: safe-pysha3's C
Keccak, which gzchain/__init__.py selects (ETH_HASH_BACKEND), about seven times pycryptodome's on the short
inputs OpenAttestation hashes by the million. The backend's function is called directly, without
eth-hash's per-call type check, because at those counts the per-call overhead is most of the cost.
"""

from __future__ import annotations

from collections.abc import Callable

from eth_hash.utils import auto_choose_backend

keccak: Callable[[bytes], bytes] = auto_choose_backend().keccak256
"""Keccak-256 (not NIST SHA3-256) of `data`."""


def keccak_hex(data: bytes) -> str:
    """Keccak-256 of `data` as lowercase hex without 0x."""
    return keccak(data).hex()
