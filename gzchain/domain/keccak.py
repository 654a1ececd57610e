"""Ethereum's Keccak-256 for the hashes gzchain computes by the million (OA fields, Merkle nodes).

safe-pysha3 is a C implementation called directly: about ten times faster than eth-hash's default
pycryptodome backend on the short inputs OpenAttestation hashes, where per-call overhead dominates.
"""

from __future__ import annotations

from sha3 import keccak_256


def keccak(data: bytes) -> bytes:
    """Keccak-256 (not NIST SHA3-256) of `data`."""
    return keccak_256(data).digest()


def keccak_hex(data: bytes) -> str:
    """Keccak-256 of `data` as lowercase hex without 0x."""
    return keccak_256(data).hexdigest()
