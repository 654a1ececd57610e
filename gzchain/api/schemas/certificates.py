"""Electronic certificate request and response bodies (OpenAttestation v2 documents travel as JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from gzchain.api.schemas.common import TxProof
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.certificates.templates import Template
from gzchain.domain.certificates.verification import LOCAL_TIME
from gzchain.services.certificates import IssuedBatch, RevocationRecorded
from gzchain.services.certificates.issuance import BatchInfo
from gzchain.services.certificates.report import VerificationReport

MAX_RECORDS = 5_000  # one request's batch: its wrapped documents come back in the response
RevocationReasonName = Literal[tuple(reason.slug for reason in RevocationReason)]  # type: ignore[valid-type]

# A graduation certificate as issued (wrapped, salted, anchored under its own root).
WRAPPED_EXAMPLE: dict[str, Any] = {
    "version": "https://schema.openattestation.com/2.0/schema.json",
    "data": {
        "$template": {
            "name": "e94c0262-b6c4-4ed9-a64f-a5a6678b71ff:string:GZ_GRADUATION_CERTIFICATE",
            "type": "837aa0c7-e984-4889-9f51-b7479606ac44:string:EMBEDDED_RENDERER",
        },
        "id": "dbcff95e-4d58-4a73-84e9-aa731629acd0:string:GZ-2026-000001",
        "name": "8e18aefa-d061-4483-ba04-6039d8dfe481:string:Graduation Certificate 毕业证书",
        "recipient": {
            "name": "79349117-c9f9-4f15-8c14-875cd5c91ba9:string:陈晓明",
            "studentId": "2aba84d8-d7d8-4a8f-936c-cad4d885c368:string:2022000001",
        },
        "institution": "6546d790-7e4d-4f66-8998-91536f10660e:string:South China University of Technology",
        "degree": "214cdf4c-380e-44d3-9ac2-f14d0af1f852:string:Bachelor of Engineering",
        "major": "5b818f32-ac76-4ca7-adbe-ba4012998d14:string:Software Engineering",
        "admissionDate": "c005207e-352d-44e8-9748-7904df731636:string:2022-09-01",
        "graduationDate": "5bde2f68-5819-417a-abd1-fc47224fe264:string:2026-06-30",
        "issuers": [
            {
                "name": "f34d762c-da49-4c1b-a8a9-fbaab9e1fbdd:string:Guangzhou Education Bureau",
                "documentStore": (
                    "05b54df0-21b8-47eb-abed-2f0d0643b1cd:string:0x5FbDB2315678afecb367f032d93F642f64180aa3"
                ),
                "identityProof": {
                    "type": "7e13ac7a-1227-4f5c-b0b8-8c9ba359b429:string:DNS-TXT",
                    "location": "5c18c682-6703-47b7-a27f-781bdaf5a294:string:jyj.gz.gov.cn",
                },
            }
        ],
        "network": {
            "chain": "8173e74e-dcb4-4928-af92-3cc7a85d14d4:string:GZCHAIN",
            "chainId": "3caa5629-c581-4f88-8de5-421d0ddc4c20:string:1337",
        },
    },
    "signature": {
        "type": "SHA3MerkleProof",
        "targetHash": "97cfdf84012009749c60fa3b2290f477ea223ffe48dff8055b22528e76780c0c",
        "proof": [],
        "merkleRoot": "97cfdf84012009749c60fa3b2290f477ea223ffe48dff8055b22528e76780c0c",
    },
}
GRADUATE_EXAMPLE = {
    "certificate_number": "GZ-2026-000001",
    "student_name": "陈晓明",
    "student_id": "2022000001",
    "institution": "South China University of Technology",
    "degree": "Bachelor of Engineering",
    "major": "Software Engineering",
    "admission_date": "2022-09-01",
    "graduation_date": "2026-06-30",
}
ROOT_EXAMPLE = "0x97cfdf84012009749c60fa3b2290f477ea223ffe48dff8055b22528e76780c0c"
STORE_EXAMPLE = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


class FieldPublic(BaseModel):
    name: str = Field(examples=["student_name"])
    type: Literal["string", "date", "uscc"]
    required: bool
    description: str = Field(examples=["the graduate's full name"])
    pattern: str | None = Field(examples=[None])
    choices: list[str]
    max_length: int = Field(examples=[200])
    not_before: str | None = Field(description="a date field this one may not precede", examples=[None])


class TemplatePublic(BaseModel):
    id: str = Field(examples=["graduation-certificate"])
    title: str = Field(examples=["Graduation certificate (毕业证书)"])
    description: str
    file_name_field: str = Field(
        description="the field that numbers the certificates", examples=["certificate_number"]
    )
    fields: list[FieldPublic]

    @classmethod
    def of(cls, template: Template) -> TemplatePublic:
        return cls(
            id=template.id,
            title=template.title,
            description=template.description,
            file_name_field=template.file_name_field,
            fields=[
                FieldPublic(
                    name=spec.name,
                    type=spec.type,  # type: ignore[arg-type]
                    required=spec.required,
                    description=spec.description,
                    pattern=spec.pattern.pattern if spec.pattern else None,
                    choices=list(spec.choices),
                    max_length=spec.max_length,
                    not_before=spec.not_before,
                )
                for spec in template.fields.values()
            ],
        )


class TemplateList(BaseModel):
    templates: list[TemplatePublic]


class StorePublic(BaseModel):
    address: str = Field(examples=[STORE_EXAMPLE])
    proof: TxProof


class IssueCreate(BaseModel):
    """One certificate per record, all under one Merkle root anchored in one transaction."""

    template: str = Field(
        min_length=1,
        max_length=100,
        description="a template id from GET /certificates/templates",
        examples=["graduation-certificate"],
    )
    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_RECORDS,
        description=f"the records, one certificate each (at most {MAX_RECORDS:,}); a problem is reported by "
        "row, the first record being row 1",
        examples=[[GRADUATE_EXAMPLE]],
    )


class IssuedBatchPublic(BaseModel):
    merkle_root: str = Field(examples=[ROOT_EXAMPLE])
    count: int = Field(examples=[1])
    template: str = Field(examples=["graduation-certificate"])
    document_store: str = Field(examples=[STORE_EXAMPLE])
    proof: TxProof = Field(description="the transaction that anchored the root")
    store_created: TxProof | None = Field(
        description="set when the agency's store was created for this batch"
    )
    documents: list[dict[str, Any]] = Field(
        description="the wrapped certificates, in the order of the records", examples=[[WRAPPED_EXAMPLE]]
    )

    @classmethod
    def of(cls, batch: IssuedBatch) -> IssuedBatchPublic:
        return cls(
            merkle_root="0x" + batch.merkle_root.hex(),
            count=batch.count,
            template=batch.template,
            document_store=batch.document_store,
            proof=TxProof.of(batch.receipt),
            store_created=TxProof.of(batch.store_created) if batch.store_created else None,
            documents=list(batch.documents),
        )


class AnchorCreate(BaseModel):
    """Certificates of one batch wrapped by other OpenAttestation tools, naming the agency's store."""

    documents: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_RECORDS, examples=[[WRAPPED_EXAMPLE]]
    )


class AnchoredBatchPublic(BaseModel):
    merkle_root: str = Field(examples=[ROOT_EXAMPLE])
    count: int = Field(description="certificates given", examples=[1])
    document_store: str = Field(examples=[STORE_EXAMPLE])
    proof: TxProof

    @classmethod
    def of(cls, batch: IssuedBatch) -> AnchoredBatchPublic:
        return cls(
            merkle_root="0x" + batch.merkle_root.hex(),
            count=batch.count,
            document_store=batch.document_store,
            proof=TxProof.of(batch.receipt),
        )


class BatchPublic(BaseModel):
    merkle_root: str = Field(examples=[ROOT_EXAMPLE])
    document_store: str = Field(examples=[STORE_EXAMPLE])
    agency: str = Field(description="the issuing agency's address")
    template: str = Field(examples=["graduation-certificate"])
    count: int = Field(examples=[1])
    tx_hash: str
    block_number: int
    issued_at: int = Field(description="block timestamp (seconds since the epoch)")

    @classmethod
    def of(cls, info: BatchInfo) -> BatchPublic:
        return cls(
            merkle_root=info.merkle_root,
            document_store=info.document_store,
            agency=info.agency,
            template=info.template,
            count=info.count,
            tx_hash=info.tx_hash,
            block_number=info.block_number,
            issued_at=info.issued_at,
        )


class BatchList(BaseModel):
    batches: list[BatchPublic]


class RevocationCreate(BaseModel):
    """Name the certificate by its document (checked, and proven in its batch) or by a hash alone."""

    document: dict[str, Any] | None = Field(default=None, description="the wrapped certificate")
    target_hash: str | None = Field(
        default=None,
        max_length=66,
        description="a targetHash or batch root, 64 hex digits (instead of `document`)",
        examples=["97cfdf84012009749c60fa3b2290f477ea223ffe48dff8055b22528e76780c0c"],
    )
    whole_batch: bool = Field(default=False, description="with `document`: revoke its whole batch (its root)")
    reason_code: RevocationReasonName = Field(description="recorded on chain", examples=["superseded"])
    reason: str = Field(
        min_length=1,
        max_length=500,
        description="why, in words (kept off chain, with the issuer)",
        examples=["reissued with the corrected major"],
    )

    def revocation_reason(self) -> RevocationReason:
        return RevocationReason.parse(self.reason_code)


class RevocationPublic(BaseModel):
    revoked_hash: str = Field(examples=[ROOT_EXAMPLE])
    scope: Literal["certificate", "batch"]
    reason_code: RevocationReasonName
    reason: str
    document_store: str = Field(examples=[STORE_EXAMPLE])
    proof: TxProof

    @classmethod
    def of(cls, recorded: RevocationRecorded) -> RevocationPublic:
        return cls(
            revoked_hash="0x" + recorded.revoked_hash.hex(),
            scope=recorded.scope,  # type: ignore[arg-type]
            reason_code=recorded.reason.slug,
            reason=recorded.text,
            document_store=recorded.document_store,
            proof=TxProof.of(recorded.receipt),
        )


class FragmentPublic(BaseModel):
    name: Literal["DOCUMENT_INTEGRITY", "DOCUMENT_STATUS", "ISSUER_IDENTITY", "VALIDITY_PERIOD"]
    status: Literal["VALID", "INVALID", "ERROR"]
    reason: str


class RevocationFound(BaseModel):
    hash: str = Field(examples=[ROOT_EXAMPLE])
    block: int = Field(examples=[12])
    revokedAt: str = Field(examples=["2026-11-29T12:00:00+08:00"])
    reason: RevocationReasonName
    text: str | None = Field(description="the issuer's words, when recorded through this gzchain")


class IssuerPublic(BaseModel):
    name: str = Field(examples=["Guangzhou Education Bureau"])
    domain: str | None = Field(examples=["jyj.gz.gov.cn"])
    documentStore: str = Field(examples=[STORE_EXAMPLE])


class DisclosedField(BaseModel):
    path: str = Field(examples=["recipient.name"])
    value: Any = Field(examples=["陈晓明"])


class Withheld(BaseModel):
    count: int = Field(description="fields the holder hid (privacy.obfuscatedData)", examples=[1])
    fields: list[str] = Field(
        description="the fields of the certificate's template it does not show (empty if the template is "
        "unknown); a field left empty at issuance is absent too",
        examples=[["recipient.studentId"]],
    )


class VerificationPublic(BaseModel):
    """The verdict, like oa-verify's: a certificate that is not valid is an answer, not an error. Keys are
    camelCase where they name OpenAttestation's own fields (targetHash, merkleRoot, documentStore)."""

    valid: bool
    summary: str = Field(
        examples=["NOT VALID: document status INVALID: REVOKED: this certificate was revoked …"]
    )
    fragments: list[FragmentPublic]
    revocation: RevocationFound | None
    issuer: IssuerPublic | None
    targetHash: str | None = Field(examples=[ROOT_EXAMPLE[2:]])
    merkleRoot: str | None = Field(examples=[ROOT_EXAMPLE[2:]])
    disclosed: list[DisclosedField]
    withheld: Withheld

    @classmethod
    def of(cls, report: VerificationReport) -> VerificationPublic:
        verdict, revocation, issuer = report.verdict, report.verdict.revocation, report.issuer
        return cls(
            valid=verdict.valid,
            summary=verdict.summary,
            fragments=[
                FragmentPublic(name=f.check.value, status=f.status.value, reason=f.reason)  # type: ignore[arg-type]
                for f in verdict.fragments
            ],
            revocation=None
            if revocation is None
            else RevocationFound(
                hash="0x" + revocation.hash.hex(),
                block=revocation.block_number,
                revokedAt=datetime.fromtimestamp(revocation.revoked_at, LOCAL_TIME).isoformat(),
                reason=revocation.reason.slug,
                text=revocation.text,
            ),
            issuer=None
            if issuer is None
            else IssuerPublic(name=issuer.name, domain=issuer.domain, documentStore=issuer.document_store),
            targetHash=report.target_hash,
            merkleRoot=report.merkle_root,
            disclosed=[DisclosedField(path=path, value=value) for path, value in report.disclosed],
            withheld=Withheld(count=report.withheld_count, fields=list(report.withheld_fields)),
        )


class ObfuscateCreate(BaseModel):
    document: dict[str, Any] = Field(description="a wrapped certificate", examples=[WRAPPED_EXAMPLE])
    fields: list[str] = Field(
        min_length=1,
        max_length=200,
        description="dotted paths of the fields to withhold; an array is withheld whole",
        examples=[["recipient.studentId"]],
    )
