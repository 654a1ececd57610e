"""Chaum's RSA blind signatures over the full-domain hash (fdh.py).

The resident blinds m = FDH(petitionId, token) as m·r^e mod n with a random r; the authority signs the
blinded value without learning m; the resident unblinds s = s'·r^-1 mod n and gets m^d mod n, which the
contract checks as s^e mod n == m. The authority sees only m·r^e, uniformly random: it cannot tell later
which vote came from which signing (blindness). Raw RSA here is sound because what is signed is a full-domain
hash of a fresh random token, never a chosen message.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from gzchain.domain.errors import InvalidInput
from gzchain.domain.petitions.fdh import full_domain_hash

KEY_BITS = 2048
PUBLIC_EXPONENT = 65537
TOKEN_BYTES = 32


@dataclass(frozen=True)
class TokenPublicKey:
    n: int
    e: int

    @property
    def length(self) -> int:
        return (self.n.bit_length() + 7) // 8

    @property
    def modulus_bytes(self) -> bytes:
        return self.n.to_bytes(self.length, "big")

    def verify(self, petition_id: int, token: bytes, signature: bytes) -> bool:
        if len(signature) != self.length:
            return False
        s = int.from_bytes(signature, "big")
        m = full_domain_hash(petition_id, token, self.length)
        return pow(s, self.e, self.n).to_bytes(self.length, "big") == m

    @classmethod
    def from_chain(cls, modulus: bytes, exponent: int) -> TokenPublicKey:
        return cls(int.from_bytes(modulus, "big"), int(exponent))


@dataclass(frozen=True)
class TokenPrivateKey:
    n: int
    e: int
    d: int
    p: int = 0  # the primes, for signing by the Chinese remainder theorem (about 3x faster)
    q: int = 0

    @property
    def public(self) -> TokenPublicKey:
        return TokenPublicKey(self.n, self.e)

    def sign_blinded(self, blinded: bytes) -> bytes:
        """The authority's side: sign what the resident sent, which it cannot read."""
        value = int.from_bytes(blinded, "big")
        if len(blinded) != self.public.length or not 1 < value < self.n:
            raise InvalidInput(f"must be {self.public.length} bytes below the modulus", field="blinded")
        if not (self.p and self.q):
            return pow(value, self.d, self.n).to_bytes(self.public.length, "big")
        sp = pow(value, self.d % (self.p - 1), self.p)
        sq = pow(value, self.d % (self.q - 1), self.q)
        s = sq + self.q * ((pow(self.q, -1, self.p) * (sp - sq)) % self.p)
        return s.to_bytes(self.public.length, "big")

    def to_numbers(self) -> dict[str, str]:
        return {name: hex(getattr(self, name)) for name in ("n", "e", "d", "p", "q")}

    @classmethod
    def from_numbers(cls, numbers: dict[str, str]) -> TokenPrivateKey:
        return cls(*(int(numbers.get(name, "0x0"), 16) for name in ("n", "e", "d", "p", "q")))


def generate_key(bits: int = KEY_BITS) -> TokenPrivateKey:
    key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)
    numbers = key.private_numbers()
    public = numbers.public_numbers
    return TokenPrivateKey(public.n, public.e, numbers.d, numbers.p, numbers.q)


@dataclass(frozen=True)
class BlindingRequest:
    """What the resident keeps while the authority signs: the token and the blinding factor r."""

    petition_id: int
    token: bytes
    r: int
    blinded: bytes


def new_token() -> bytes:
    return secrets.token_bytes(TOKEN_BYTES)


def blind(key: TokenPublicKey, petition_id: int, token: bytes) -> BlindingRequest:
    m = int.from_bytes(full_domain_hash(petition_id, token, key.length), "big")
    while True:
        r = secrets.randbelow(key.n - 2) + 2
        if math.gcd(r, key.n) == 1:
            break
    blinded = (m * pow(r, key.e, key.n)) % key.n
    return BlindingRequest(petition_id, token, r, blinded.to_bytes(key.length, "big"))


def unblind(key: TokenPublicKey, request: BlindingRequest, blind_signature: bytes) -> bytes:
    """The resident's side: remove r and check the result, so a cheating authority is caught at once."""
    s = (int.from_bytes(blind_signature, "big") * pow(request.r, -1, key.n)) % key.n
    signature = s.to_bytes(key.length, "big")
    if not key.verify(request.petition_id, request.token, signature):
        raise InvalidInput("the authority's blind signature does not verify", field="blind_signature")
    return signature
