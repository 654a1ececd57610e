"""What a verifier concludes about a certificate, fragment by fragment, as OpenAttestation's oa-verify does.

Four fragments, each VALID, INVALID (checked, and it fails) or ERROR (could not be checked: the document
cannot be read that far, or the chain could not answer). The verdict fails closed: a certificate is valid
only when every fragment is VALID. The fragments needing the chain (status, issuer identity) are decided in
gzchain.services.certificates.verify from facts read there; the rest of the rules are here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any, Final

from gzchain.domain import merkle
from gzchain.domain.certificates.revocation import Revocation
from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import SCHEMA_V2, WrappedDocument, check_signature, get_data
from gzchain.domain.oa.schema import ETHEREUM_ADDRESS

# Dates without a time or offset are read in Guangzhou's time zone, where the certificates are issued.
LOCAL_TIME: Final = timezone(timedelta(hours=8), "CST")
_DATE_ONLY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class Status(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    ERROR = "ERROR"


class Check(StrEnum):
    INTEGRITY = "DOCUMENT_INTEGRITY"
    STATUS = "DOCUMENT_STATUS"
    ISSUER_IDENTITY = "ISSUER_IDENTITY"
    VALIDITY = "VALIDITY_PERIOD"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").lower()


@dataclass(frozen=True)
class Fragment:
    check: Check
    status: Status
    reason: str


@dataclass(frozen=True)
class Verdict:
    fragments: tuple[Fragment, ...]
    revocation: Revocation | None = None  # set when the status check found the certificate revoked

    @property
    def valid(self) -> bool:
        """Every check carried out and passed; anything missing, failed or in error makes it not valid."""
        statuses = {fragment.check: fragment.status for fragment in self.fragments}
        return all(statuses.get(check) is Status.VALID for check in Check)

    def fragment(self, check: Check) -> Fragment:
        return next(fragment for fragment in self.fragments if fragment.check is check)

    @property
    def summary(self) -> str:
        if self.valid:
            return "VALID: intact, issued, not revoked, by an active consortium issuer, within its period"
        failed = [fragment for fragment in self.fragments if fragment.status is not Status.VALID]
        return "NOT VALID: " + "; ".join(f"{f.check.label} {f.status.value}: {f.reason}" for f in failed)


@dataclass(frozen=True)
class IssuerClaim:
    """What one issuer entry of a document claims: a name, the store it anchors in, and an identity proof."""

    index: int
    name: str
    document_store: str
    identity_type: str | None
    location: str | None

    @property
    def domain(self) -> str | None:
        """The identity location as a domain: DNS is case-insensitive and a trailing dot changes nothing."""
        return self.location.strip().lower().rstrip(".") if self.location else None


@dataclass(frozen=True)
class Anchor:
    """Where a document claims to be anchored: its targetHash, its proof, and its batch's root."""

    target_hash: bytes
    proof: tuple[bytes, ...]
    merkle_root: bytes

    def path(self) -> list[bytes]:
        """Every hash from the document up to the root, each of which a revocation may name."""
        hashes = [self.target_hash]
        for node in self.proof:
            hashes.append(merkle.hash_pair(hashes[-1], node))
        return hashes


@dataclass(frozen=True)
class Claims:
    """Everything verification reads from the document before asking the chain anything."""

    anchor: Anchor
    issuers: tuple[IssuerClaim, ...]
    chain_id: str | None = None  # `network.chainId`, when the document says where it is anchored


def integrity(document: Any) -> Fragment:
    """The data hashes to the targetHash and the proof leads from it to the merkleRoot."""
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("data"), dict)
        or not isinstance(document.get("signature"), dict)
    ):
        return Fragment(Check.INTEGRITY, Status.ERROR, "not an OpenAttestation v2 wrapped document")
    if document.get("version") != SCHEMA_V2:
        return Fragment(
            Check.INTEGRITY, Status.ERROR, f"version is {document.get('version')!r}, expected {SCHEMA_V2!r}"
        )
    try:
        check_signature(document)
    except InvalidInput as exc:
        return Fragment(Check.INTEGRITY, Status.INVALID, f"the document was altered: {exc}")
    hidden = len((document.get("privacy") or {}).get("obfuscatedData") or [])
    note = f" ({hidden} field(s) hidden by the holder)" if hidden else ""
    return Fragment(Check.INTEGRITY, Status.VALID, f"the data is exactly what was issued{note}")


def read_claims(document: WrappedDocument) -> Claims:
    """The anchor and the issuers a document claims; raises InvalidInput naming what cannot be read."""
    signature = document.get("signature") if isinstance(document, dict) else None
    if not isinstance(signature, dict):
        raise InvalidInput("is missing", field="signature")
    anchor = Anchor(
        target_hash=_hash(signature.get("targetHash"), "signature.targetHash"),
        proof=tuple(
            _hash(node, f"signature.proof.{i}") for i, node in enumerate(signature.get("proof") or [])
        ),
        merkle_root=_hash(signature.get("merkleRoot"), "signature.merkleRoot"),
    )
    data = get_data(document)
    issuers = data.get("issuers")
    if not isinstance(issuers, list) or not issuers:
        raise InvalidInput("the document names no issuer (or hides them)", field="issuers")
    claims = tuple(_issuer(index, issuer) for index, issuer in enumerate(issuers))
    network = data.get("network")
    chain_id = network.get("chainId") if isinstance(network, dict) else None
    return Claims(anchor, claims, chain_id if isinstance(chain_id, str) else None)


def validity(document: WrappedDocument, now: datetime) -> Fragment:
    """Within `validFrom`..`validUntil` at `now`, where the document states them."""
    try:
        data = get_data(document)
    except InvalidInput as exc:
        return Fragment(Check.VALIDITY, Status.ERROR, f"the data cannot be read: {exc}")
    if not isinstance(data, dict):
        return Fragment(Check.VALIDITY, Status.ERROR, "the data cannot be read")
    bounds = {}
    for key in ("validFrom", "validUntil"):
        if key in data:
            try:
                bounds[key] = _instant(data[key], end_of_day=key == "validUntil")
            except InvalidInput as exc:
                return Fragment(Check.VALIDITY, Status.ERROR, f"{key}: {exc.reason}")
    start, end = bounds.get("validFrom"), bounds.get("validUntil")
    if start is not None and now < start:
        return Fragment(Check.VALIDITY, Status.INVALID, f"not valid yet: valid from {data['validFrom']}")
    if end is not None and now > end:
        return Fragment(Check.VALIDITY, Status.INVALID, f"expired: valid until {data['validUntil']}")
    if start is None and end is None:
        return Fragment(Check.VALIDITY, Status.VALID, "no validity period stated: valid without time limit")
    span = f"from {data.get('validFrom', 'issuance')} until {data.get('validUntil', 'no end date')}"
    return Fragment(Check.VALIDITY, Status.VALID, f"within its validity period ({span})")


def _issuer(index: int, issuer: Any) -> IssuerClaim:
    where = f"issuers.{index}"
    if not isinstance(issuer, dict):
        raise InvalidInput("an issuer must be an object", field=where)
    store = issuer.get("documentStore", issuer.get("certificateStore"))
    if not isinstance(store, str) or not ETHEREUM_ADDRESS.fullmatch(store):
        raise InvalidInput("names no document store address", field=f"{where}.documentStore")
    proof = issuer.get("identityProof")
    proof = proof if isinstance(proof, dict) else {}
    kind, location = proof.get("type"), proof.get("location")
    return IssuerClaim(
        index=index,
        name=str(issuer.get("name", "")),
        document_store=store,
        identity_type=kind if isinstance(kind, str) else None,
        location=location if isinstance(location, str) else None,
    )


def _hash(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise InvalidInput("must be 64 hex digits", field=where)
    return bytes.fromhex(value)


def _instant(value: Any, *, end_of_day: bool) -> datetime:
    """A point in time from an ISO 8601 date or date-time; a date alone covers its whole day, local time."""
    if not isinstance(value, str):
        raise InvalidInput(f"must be an ISO 8601 date or date-time, got {value!r}")
    try:
        if _DATE_ONLY.fullmatch(value):
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min, LOCAL_TIME)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{value!r} is not an ISO 8601 date or date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIME)


def utc_now() -> datetime:
    return datetime.now(UTC)


def path_position(anchor: Anchor, revoked: bytes) -> str:
    """How much a revoked hash on the document's path takes with it."""
    if revoked == anchor.target_hash:
        return "this certificate"
    if revoked == anchor.merkle_root:
        return "its whole batch"
    return "a part of its batch"
