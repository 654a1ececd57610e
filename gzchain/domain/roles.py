"""The consortium's roles, with the on-chain ids the contracts use (keccak256 of the name)."""

from __future__ import annotations

from enum import StrEnum

from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak


class Role(StrEnum):
    GOVERNOR = "GOVERNOR"
    REGISTRAR = "REGISTRAR"
    NOTARY = "NOTARY"
    CERT_ISSUER = "CERT_ISSUER"
    INSPECTOR = "INSPECTOR"
    COLDCHAIN_OPERATOR = "COLDCHAIN_OPERATOR"
    REGULATOR = "REGULATOR"
    IDENTITY_AUTHORITY = "IDENTITY_AUTHORITY"  # enrols residents and signs their petition tokens
    PETITIONS_OFFICE = "PETITIONS_OFFICE"  # publishes or rejects proposals, relays residents' votes
    MAYOR_OFFICE = "MAYOR_OFFICE"  # answers petitions that reached the threshold

    @property
    def id(self) -> bytes:
        return keccak(self.value.encode())

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls(name.strip().upper().replace("-", "_"))
        except ValueError:
            known = ", ".join(r.value for r in cls)
            raise InvalidInput(f"unknown role {name!r}; known roles: {known}", field="role") from None

    @classmethod
    def from_id(cls, role_id: bytes) -> Role:
        for role in cls:
            if role.id == role_id:
                return role
        raise InvalidInput(f"unknown role id 0x{role_id.hex()}", field="role")
