"""The business registry as gzchain's Python side sees it: statuses, notarised documents, lookups.

These mirror contracts/interfaces/IBusinessRegistry.sol: the enums' values are the contract's, and a lookup
is what the chain says, with each version's stored record checked against the hash the chain holds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any, Final

from gzchain.domain import reasons
from gzchain.domain.business import BusinessRecord, ChangeType
from gzchain.domain.business_commitment import SCHEME_LEGACY, Commitment
from gzchain.domain.errors import InvalidInput
from gzchain.domain.reasons import StatedReason
from gzchain.domain.uscc import validate_uscc

_FILE_HASH: Final = re.compile(r"(?:0x)?([0-9a-fA-F]{64})")


class BusinessStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2  # listed for abnormal operations (经营异常名录)
    DEREGISTERED = 3

    @property
    def label(self) -> str:
        if self is BusinessStatus.SUSPENDED:
            return "suspended (listed for abnormal operations)"
        return self.name.lower()


class DocumentType(IntEnum):
    """Kinds of document filed for a business; the values are the contract's `DocumentType`."""

    ARTICLES_OF_ASSOCIATION = 0
    SHAREHOLDER_RESOLUTION = 1
    BUSINESS_LICENCE = 2
    ANNUAL_REPORT = 3
    REGISTRATION_DECISION = 4
    AUDIT_REPORT = 5
    POWER_OF_ATTORNEY = 6
    OTHER = 7

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def issued_by_registrar(self) -> bool:
        """A registrar may notarise only the documents it issues itself; a notary, any."""
        return self in (DocumentType.BUSINESS_LICENCE, DocumentType.REGISTRATION_DECISION)

    @classmethod
    def parse(cls, name: str) -> DocumentType:
        try:
            return cls[name.strip().upper().replace("-", "_").replace(" ", "_")]
        except KeyError:
            known = ", ".join(kind.slug for kind in cls)
            raise InvalidInput(
                f"unknown document type {name!r}; known: {known}", field="document_type"
            ) from None


def uscc_bytes(code: str) -> bytes:
    """A valid USCC as the contract's `bytes18`: its 18 ASCII characters."""
    return validate_uscc(code).encode("ascii")


def file_hash(content: bytes) -> bytes:
    """What a notarisation records of a file: the SHA-256 of its bytes."""
    if not content:
        raise InvalidInput("is empty; there is nothing to notarise", field="file")
    return hashlib.sha256(content).digest()


def parse_file_hash(text: str) -> bytes:
    """A SHA-256 file hash written as 64 hex digits, with or without 0x."""
    match = _FILE_HASH.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            "must be a SHA-256 hash: 64 hexadecimal digits, optionally after 0x", field="file_hash"
        )
    return bytes.fromhex(match.group(1))


def validate_reason(reason: str) -> str:
    """The words of a status change's or revocation's reason (kept off chain): one line of plain text."""
    return reasons.validate_reason(reason, example="'cannot be contacted at the registered address'")


def describe_change(change: ChangeType) -> str:
    """A version's change type in words: 'registered', 'amended: capital, shareholders', ..."""
    if change.is_amendment:
        parts = [str(flag.name).removeprefix("AMENDED_").lower().replace("_", " ") for flag in change]
        return "amended: " + ", ".join(parts)
    return (change.name or f"{int(change):#06x}").lower()


def masked(identifier: str) -> str:
    """An ID number as the public may see it: enough to tell two apart, not enough to use one."""
    if len(identifier) <= 6:
        return "*" * len(identifier)
    return identifier[:4] + "*" * (len(identifier) - 6) + identifier[-2:]


def masked_name(name: str) -> str:
    """A private person's name as the public may see it: the first character (usually the surname)."""
    return name[:1] + "*" * max(len(name) - 1, 1)


@dataclass(frozen=True)
class ChainProof:
    """Where on chain something was recorded: anyone can fetch the transaction and check its event."""

    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class RecordVersion:
    """One version of a business's record: the chain's entry, and the stored record if it matches."""

    number: int
    change_type: ChangeType
    record_hash: bytes
    agency: str
    agency_name: str
    at: int
    reason: StatedReason | None  # a status change's code, and the store's words checked against the chain
    proof: ChainProof | None
    record: BusinessRecord | None  # None when the store lacks it or it does not match the hash on chain
    problem: str | None = None
    scheme: str | None = None  # how record_hash was made, as the store says; None when it has no copy
    commitment: Commitment | None = None  # salts and leaves of a salted version that matches the chain
    erased_at: datetime | None = None  # when its personal data was erased, and by which registrar
    erased_by: str | None = None
    public_part: Mapping[str, Any] | None = None  # an erased version's public part (record is None)
    # An erased legacy version's public part as the store keeps it: its one SHA-256 covered the erased
    # fields too, so nothing on chain can check it any more, and it is never shown as verified.
    unchecked_public_part: Mapping[str, Any] | None = None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def verified(self) -> bool:
        return self.problem is None

    @property
    def legacy(self) -> bool:
        """Recorded before salted commitments: its hash on chain can be brute-forced from public fields."""
        return self.scheme == SCHEME_LEGACY


@dataclass(frozen=True)
class Revocation:
    revoked_by: str
    revoked_by_name: str
    at: int
    reason: StatedReason | None
    proof: ChainProof | None


@dataclass(frozen=True)
class Filing:
    """A notarised document as the chain records it."""

    file_hash: bytes
    uscc: str
    document_type: DocumentType
    notary: str
    notary_name: str
    notarised_at: int
    proof: ChainProof | None
    revocation: Revocation | None
    problem: str | None = None  # the store's index disagrees with the chain

    @property
    def in_force(self) -> bool:
        return self.revocation is None


@dataclass(frozen=True)
class BusinessLookup:
    """Everything public about a business, each part checked against the chain."""

    uscc: str
    status: BusinessStatus
    registrar: str
    registrar_name: str
    registered_at: int
    updated_at: int
    record_hash: bytes
    versions: tuple[RecordVersion, ...]
    filings: tuple[Filing, ...]
    store_problems: tuple[str, ...] = ()  # what the store holds for this business that the chain does not

    @property
    def record(self) -> BusinessRecord | None:
        """The current record, if the stored copy matches the chain."""
        return self.versions[-1].record if self.versions else None

    @property
    def problems(self) -> tuple[str, ...]:
        found = [f"version {v.number}: {v.problem}" for v in self.versions if v.problem]
        found += [f"filing 0x{f.file_hash.hex()}: {f.problem}" for f in self.filings if f.problem]
        # Words that no longer hash to the chain's reason were altered; withheld words are no contradiction.
        found += [f"version {v.number}: {_ALTERED}" for v in self.versions if _altered(v.reason)]
        found += [
            f"filing 0x{f.file_hash.hex()}: {_ALTERED}"
            for f in self.filings
            if f.revocation is not None and _altered(f.revocation.reason)
        ]
        return (*found, *self.store_problems)

    @property
    def verified(self) -> bool:
        return not self.problems


_ALTERED: Final = "the store's words for its reason do not match the salted hash on chain: altered"


def _altered(reason: StatedReason | None) -> bool:
    return reason is not None and reason.state == "not verified"


@dataclass(frozen=True)
class FileVerification:
    """The answer to 'was this file notarised?': the filing if so, and the business it was filed for."""

    file_hash: bytes
    filing: Filing | None
    business_name: str | None = None

    @property
    def notarised(self) -> bool:
        return self.filing is not None

    @property
    def valid(self) -> bool:
        """Notarised and not revoked."""
        return self.filing is not None and self.filing.in_force
