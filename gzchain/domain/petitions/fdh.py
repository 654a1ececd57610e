"""The full-domain hash an RSA token key signs, the same definition as Petitions.fullDomainHash.

FDH(petitionId, token) = the first `length` bytes of SHA-256(abi.encode(petitionId, token, 0)) ‖
SHA-256(abi.encode(petitionId, token, 1)) ‖ …, with the top bit cleared so that it is below any modulus of
that length whose top bit is set. SHA-256 because the EVM has it as a cheap precompile.
"""

from __future__ import annotations

import hashlib

from gzchain.domain.keccak import keccak


def full_domain_hash(petition_id: int, token: bytes, length: int) -> bytes:
    seed = petition_id.to_bytes(32, "big") + token
    out = b"".join(
        hashlib.sha256(seed + counter.to_bytes(32, "big")).digest() for counter in range((length + 31) // 32)
    )[:length]
    return bytes([out[0] & 0x7F]) + out[1:]


def nullifier(petition_id: int, token: bytes) -> bytes:
    """keccak256(abi.encode(petitionId, token)): spent on chain when the token's vote counts."""
    return keccak(petition_id.to_bytes(32, "big") + token)
