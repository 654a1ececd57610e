"""Why a certificate was revoked: the codes the DocumentStore contract records, and hashes written as text.

The codes mirror `IDocumentStore.RevocationReason` in contracts/interfaces/IDocumentStore.sol; a contract test
revokes with every code and reads it back, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Final

from gzchain.domain.errors import InvalidInput

MAX_REASON_TEXT: Final = 500
_HASH: Final = re.compile(r"(?:0x)?([0-9a-fA-F]{64})")


class RevocationReason(IntEnum):
    UNSPECIFIED = 0  # what OA's own tools record: their revoke() takes no reason
    FRAUD = 1
    ISSUED_IN_ERROR = 2
    SUPERSEDED = 3
    WITHDRAWN = 4

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")

    @classmethod
    def parse(cls, text: str) -> RevocationReason:
        """A reason from its slug (`issued-in-error`), its name, or its code."""
        cleaned = text.strip().lower().replace("_", "-").replace(" ", "-")
        for reason in cls:
            if cleaned in (reason.slug, str(reason.value)):
                return reason
        known = ", ".join(reason.slug for reason in cls)
        raise InvalidInput(f"unknown revocation reason {text!r}; known reasons: {known}", field="reason_code")


@dataclass(frozen=True)
class Revocation:
    """A revocation as the chain recorded it, with the issuer's own words when they are known here."""

    hash: bytes  # the revoked hash: the certificate's targetHash, a batch root, or a hash in between
    block_number: int
    revoked_at: int  # unix seconds (block timestamp)
    reason: RevocationReason
    text: str | None = None

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.revoked_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    def describe(self) -> str:
        why = self.reason.label + (f": {self.text}" if self.text else "")
        return f"revoked on {self.when} (block {self.block_number}) for {why}"


def validate_reason_text(text: str) -> str:
    """The issuer's explanation of a revocation: required, one paragraph at most."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput("say why the certificate is revoked", field="reason")
    if len(cleaned) > MAX_REASON_TEXT:
        raise InvalidInput(f"at most {MAX_REASON_TEXT} characters, got {len(cleaned)}", field="reason")
    return cleaned


def parse_hash(text: str, field: str = "hash") -> bytes:
    """32 bytes from 64 hex digits, with or without 0x (OA writes them without)."""
    match = _HASH.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            "must be 64 hex digits (a targetHash or merkleRoot), with or without 0x", field=field
        )
    value = bytes.fromhex(match.group(1))
    if value == bytes(32):
        raise InvalidInput("the zero hash is no document", field=field)
    return value
