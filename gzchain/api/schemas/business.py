"""Business registration request and response bodies."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field

from gzchain.api.schemas.common import ReasonPublic, TxProof, reason_code_field, reason_words_field
from gzchain.domain.business import record_to_dict
from gzchain.domain.business_commitment import Commitment, field_values, private_paths, public_field_values
from gzchain.domain.reasons import (
    DeregistrationReason,
    ReasonAction,
    ReinstatementReason,
    SuspensionReason,
)
from gzchain.domain.registry import (
    BusinessLookup,
    FileVerification,
    Filing,
    RecordVersion,
    describe_change,
    masked,
    masked_name,
)
from gzchain.services.business import Erasure, FilingChange, RegistryChange

RECORD_EXAMPLE: dict[str, Any] = {
    "uscc": "91440101MA59LU9AX1",
    "name": "广州黄埔智联科技有限公司",
    "legal_representative": {"name": "陈明", "id_number": "44011219880506123X"},
    "registered_capital": {"amount": "5000000.00", "currency": "CNY"},
    "address": "广州市黄埔区科学大道 18 号",
    "business_scope": "软件开发；信息技术咨询服务",
    "shareholders": [
        {
            "name": "陈明",
            "kind": "natural_person",
            "identifier": "440112198805061234",
            "contribution": {"amount": "5000000.00", "currency": "CNY"},
        }
    ],
    "establishment_date": "2026-11-29",
}


class RegistryChangePublic(BaseModel):
    uscc: str
    version: int
    change: str = Field(examples=["amended: capital"])
    record_hash: str
    reason: ReasonPublic | None = Field(default=None, description="a status change's reason")
    proof: TxProof

    @classmethod
    def of(cls, change: RegistryChange) -> RegistryChangePublic:
        return cls(
            uscc=change.uscc,
            version=change.version,
            change=describe_change(change.change_type),
            record_hash="0x" + change.record_hash.hex(),
            reason=None if change.reason is None else ReasonPublic.of(change.reason.stated()),
            proof=TxProof.of(change.receipt),
        )


class ErasurePublic(BaseModel):
    uscc: str
    versions: list[int] = Field(description="the versions whose personal data and salts were deleted")
    erased_at: datetime
    erased_by: str

    @classmethod
    def of(cls, erasure: Erasure) -> ErasurePublic:
        return cls(
            uscc=erasure.uscc, versions=list(erasure.versions), erased_at=erasure.at, erased_by=erasure.by
        )


class StatusChange(BaseModel):
    action: Literal["suspend", "reinstate", "deregister"]
    reason_code: str = Field(
        validation_alias=AliasChoices("reason_code", "reasonCode"),
        min_length=1,
        max_length=40,
        description="recorded on chain; to suspend: "
        + ", ".join(code.slug for code in SuspensionReason)
        + "; to reinstate: "
        + ", ".join(code.slug for code in ReinstatementReason)
        + "; to deregister: "
        + ", ".join(code.slug for code in DeregistrationReason),
        examples=["unreachable-at-address"],
    )
    reason: str = reason_words_field("cannot be contacted at the registered address")


class FilingCreate(BaseModel):
    uscc: str = Field(min_length=1, max_length=32, examples=["91440101MA59LU9AX1"])
    document_type: str = Field(examples=["articles-of-association"])
    file_hash: str = Field(
        description="SHA-256 of the file's bytes, 64 hex digits", examples=["9f86d08188" + "0" * 54]
    )


class RevocationCreate(BaseModel):
    reason_code: str = reason_code_field(ReasonAction.REVOKE_NOTARISATION, "court-ruling")
    reason: str = reason_words_field("annulled by court ruling (2026) 粤01民终123号")


class FilingChangePublic(BaseModel):
    file_hash: str
    uscc: str
    reason: ReasonPublic | None = Field(default=None, description="a revocation's reason")
    proof: TxProof

    @classmethod
    def of(cls, change: FilingChange) -> FilingChangePublic:
        return cls(
            file_hash="0x" + change.file_hash.hex(),
            uscc=change.uscc,
            reason=None if change.reason is None else ReasonPublic.of(change.reason.stated()),
            proof=TxProof.of(change.receipt),
        )


class ProofPublic(BaseModel):
    tx_hash: str
    block_number: int


class FilingPublic(BaseModel):
    file_hash: str
    uscc: str
    document_type: str
    notary: str
    notary_name: str
    notarised_at: int
    proof: ProofPublic | None
    revoked: bool
    revoked_by: str | None = None
    revoked_at: int | None = None
    revocation_reason: ReasonPublic | None = None
    problem: str | None = None

    @classmethod
    def of(cls, f: Filing) -> FilingPublic:
        r = f.revocation
        return cls(
            file_hash="0x" + f.file_hash.hex(),
            uscc=f.uscc,
            document_type=f.document_type.slug,
            notary=f.notary,
            notary_name=f.notary_name,
            notarised_at=f.notarised_at,
            proof=ProofPublic(tx_hash=f.proof.tx_hash, block_number=f.proof.block_number)
            if f.proof
            else None,
            revoked=r is not None,
            revoked_by=r.revoked_by_name if r else None,
            revoked_at=r.at if r else None,
            revocation_reason=ReasonPublic.of(r.reason) if r and r.reason else None,
            problem=f.problem,
        )


def public_record(v: RecordVersion) -> dict[str, Any] | None:
    """The record as the public may see it: ID numbers and natural-person shareholders' names masked;
    after erasure, the public part with the erased values null."""
    if v.public_part is not None:
        return _erased_view(v.public_part)
    if v.record is None:
        return None
    data = record_to_dict(v.record)
    data["legal_representative"]["id_number"] = masked(data["legal_representative"]["id_number"])
    for holder in data["shareholders"]:
        if holder["kind"] == "natural_person":
            holder["identifier"] = masked(holder["identifier"])
            holder["name"] = masked_name(holder["name"])
    return data


def _erased_view(part: Any) -> dict[str, Any]:
    data = copy.deepcopy(dict(part))
    data["legal_representative"] = {"name": None, "id_number": None}
    for holder in data.get("shareholders", []):
        if holder.get("kind") == "natural_person":
            holder |= {"name": None, "identifier": None}
    return data


class FieldProofPublic(BaseModel):
    """One public field with what proves it against the chain: leaf = keccak256(keccak256(salt ‖ path ‖
    0x00 ‖ value)), folded with `proof` by sorted-pair keccak256, must give the version's record_hash."""

    path: str = Field(examples=["registered_capital.amount"])
    value: str
    salt: str = Field(description="32 random bytes, hex with 0x")
    proof: list[str]


class PrivateFieldPublic(BaseModel):
    """A personal field: shown masked; its salt is never published, so only its holder can prove it."""

    path: str = Field(examples=["legal_representative.id_number"])
    masked: str
    leaf: str
    erased: bool = Field(default=False, description="its value and salt were erased: nobody can prove it now")


def _field_proofs(v: RecordVersion) -> tuple[list[FieldProofPublic], list[PrivateFieldPublic]]:
    c = v.commitment
    if c is None:
        return [], []
    if v.public_part is not None:  # erased: the public fields still prove; the rest are leaves alone
        values = public_field_values(v.public_part)
        erased = [
            PrivateFieldPublic(path=path, masked="", leaf="0x" + node.hex(), erased=True)
            for path, node in c.leaves.items()
            if path not in values
        ]
        return [_proved(c, path, value) for path, value in values.items()], erased
    if v.record is None:
        return [], []
    values, withheld = field_values(v.record), private_paths(v.record)
    public, private = [], []
    for path, value in values.items():
        if path in withheld:
            shown = masked_name(value) if path.endswith(".name") else masked(value)
            private.append(PrivateFieldPublic(path=path, masked=shown, leaf="0x" + c.leaves[path].hex()))
        else:
            public.append(_proved(c, path, value))
    return public, private


def _proved(c: Commitment, path: str, value: str) -> FieldProofPublic:
    return FieldProofPublic(
        path=path,
        value=value,
        salt="0x" + c.salts[path].hex(),
        proof=["0x" + node.hex() for node in c.proof(path)],
    )


class VersionPublic(BaseModel):
    number: int
    change: str
    record_hash: str = Field(description="the bytes32 BusinessRegistry.versions() holds for this version")
    commitment_scheme: str | None = Field(
        description="salted-merkle-v1: record_hash is the Merkle root of the salted fields; legacy-sha256: "
        "the SHA-256 of the whole record, recorded before salted commitments (brute-forceable; an "
        "amendment migrates the business); null when the store has no copy",
        examples=["salted-merkle-v1"],
    )
    legacy: bool
    agency_name: str
    at: int
    reason: ReasonPublic | None = Field(description="a status change's reason; null for other versions")
    proof: ProofPublic | None
    verified: bool
    problem: str | None
    record: dict[str, Any] | None
    unverified_record: dict[str, Any] | None = Field(
        description="an erased legacy version's public part as the store keeps it, erased values null: its "
        "one SHA-256 on chain covered the erased fields too, so nothing can check it, and it is never in "
        "`record`"
    )
    fields: list[FieldProofPublic] = Field(description="public fields, each provable against the chain")
    private_fields: list[PrivateFieldPublic]
    erased_at: datetime | None = Field(description="when the version's personal data was erased")
    erased_by: str | None = Field(description="the registrar that erased it")

    @classmethod
    def of(cls, v: RecordVersion) -> VersionPublic:
        fields, private_fields = _field_proofs(v)
        return cls(
            number=v.number,
            change=describe_change(v.change_type),
            record_hash="0x" + v.record_hash.hex(),
            commitment_scheme=v.scheme,
            legacy=v.legacy,
            agency_name=v.agency_name,
            at=v.at,
            reason=None if v.reason is None else ReasonPublic.of(v.reason),
            proof=ProofPublic(tx_hash=v.proof.tx_hash, block_number=v.proof.block_number)
            if v.proof
            else None,
            verified=v.verified,
            problem=v.problem,
            record=public_record(v),
            unverified_record=_erased_view(v.unchecked_public_part) if v.unchecked_public_part else None,
            fields=fields,
            private_fields=private_fields,
            erased_at=v.erased_at,
            erased_by=v.erased_by,
        )


class BusinessPublic(BaseModel):
    uscc: str
    status: str = Field(examples=["active"])
    registrar_name: str
    registered_at: int
    updated_at: int
    verified: bool = Field(description="every stored record and filing matches the chain")
    problems: list[str]
    versions: list[VersionPublic]
    filings: list[FilingPublic]

    @classmethod
    def of(cls, b: BusinessLookup) -> BusinessPublic:
        return cls(
            uscc=b.uscc,
            status=b.status.name.lower(),
            registrar_name=b.registrar_name,
            registered_at=b.registered_at,
            updated_at=b.updated_at,
            verified=b.verified,
            problems=list(b.problems),
            versions=[VersionPublic.of(v) for v in b.versions],
            filings=[FilingPublic.of(f) for f in b.filings],
        )


class FileVerificationPublic(BaseModel):
    file_hash: str
    notarised: bool
    valid: bool = Field(description="notarised and not revoked")
    business_name: str | None
    filing: FilingPublic | None

    @classmethod
    def of(cls, v: FileVerification) -> FileVerificationPublic:
        return cls(
            file_hash="0x" + v.file_hash.hex(),
            notarised=v.notarised,
            valid=v.valid,
            business_name=v.business_name,
            filing=FilingPublic.of(v.filing) if v.filing else None,
        )
