"""Cold-chain request and response bodies: regulators entitle, recall and release; operators book lots,
record EPCIS events and split; inspectors and the warehouse attach the five certificates."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, Field, field_validator

from gzchain.api.schemas.common import ReasonPublic, TxProof, reason_words_field
from gzchain.domain.coldchain import BIZ_STEP_WORDS, CertificateKind, TemperatureWindow
from gzchain.domain.reasons import RecallReason, ReleaseReason
from gzchain.services.coldchain import (
    Anchoring,
    BatchCreated,
    CertificateAttached,
    Entitlement,
    RegulatorDecision,
)

# The five certificates by slug, and the CBV 2.0 business steps, as the OpenAPI document lists them.
CertificateKindName = Literal[tuple(kind.slug for kind in CertificateKind)]  # type: ignore[valid-type]
BizStepName = Literal[BIZ_STEP_WORDS]  # type: ignore[valid-type]
MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
MAX_READINGS = 10_000  # one sensor's readings over one leg; one Merkle root however many there are

LOT_URI = "https://id.gs1.org/01/07891234000019/10/BR2405"
BATCH_ID = "0x8c1f3b7e0d2a4c6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c0d2e"
EVENT_HASH = "0x5be4a1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2"

EPCIS_EXAMPLE: dict[str, Any] = {
    "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2025-03-01T06:00:00.000+08:00",
    "epcisBody": {
        "eventList": [
            {
                "type": "ObjectEvent",
                "eventTime": "2025-03-01T06:00:00.000+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "OBSERVE",
                "bizStep": "storing",
                "disposition": "sellable_not_accessible",
                "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
                "quantityList": [{"epcClass": LOT_URI, "quantity": 8000, "uom": "KGM"}],
            }
        ]
    },
}


def _kind_slug(kind: CertificateKind) -> str:
    return kind.slug


def _celsius(tenths: int) -> Decimal:
    return Decimal(tenths).scaleb(-1)  # one decimal place: -18.0, as written on the window


class EntitlementCreate(BaseModel):
    """Exactly which certificates `agency` may attach from now on; an empty list withdraws them all."""

    agency: str = Field(min_length=1, max_length=64, examples=["gz-cold-warehouse"])
    kinds: list[CertificateKindName] = Field(max_length=5, examples=[["disinfection", "warehouse-release"]])


class EntitlementPublic(BaseModel):
    agency: str = Field(
        description="the agency's address", examples=["0x6b16B1ac5F9EaC5d7f81fdCEc40754C6e0c26149"]
    )
    kinds: list[CertificateKindName]

    @classmethod
    def of(cls, agency: str, kinds: tuple[CertificateKind, ...]) -> EntitlementPublic:
        return cls(agency=agency, kinds=[_kind_slug(kind) for kind in kinds])


class EntitlementChangePublic(EntitlementPublic):
    proof: TxProof

    @classmethod
    def of_change(cls, change: Entitlement) -> EntitlementChangePublic:
        return cls(
            agency=change.agency,
            kinds=[_kind_slug(kind) for kind in change.kinds],
            proof=TxProof.of(change.receipt),
        )


class BatchCreate(BaseModel):
    """An imported batch: a GS1 lot, its quantity and origin, and the temperatures it must be kept at."""

    gtin: str = Field(min_length=1, max_length=14, examples=["07891234000019"])
    lot: str = Field(min_length=1, max_length=20, examples=["BR2405"])
    quantity: int = Field(ge=1, description="a whole quantity in `unit`", examples=[8000])
    unit: str = Field(default="KGM", max_length=3, description="UN/ECE Rec 20 unit code", examples=["KGM"])
    origin: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2", examples=["BR"])
    min_celsius: Decimal = Field(ge=-3276.8, le=3276.7, description="coldest allowed, °C", examples=["-30.0"])
    max_celsius: Decimal = Field(ge=-3276.8, le=3276.7, description="warmest allowed, °C", examples=["-18.0"])


class WindowPublic(BaseModel):
    min_celsius: Decimal = Field(examples=["-30.0"])
    max_celsius: Decimal = Field(examples=["-18.0"])
    label: str = Field(examples=["-30.0 °C to -18.0 °C"])

    @classmethod
    def of(cls, window: TemperatureWindow) -> WindowPublic:
        return cls(
            min_celsius=_celsius(window.min_tenths),
            max_celsius=_celsius(window.max_tenths),
            label=window.label,
        )


class BatchCreatedPublic(BaseModel):
    lot: str = Field(examples=["BR2405"])
    lot_uri: str = Field(examples=[LOT_URI])
    batch_id: str = Field(examples=[BATCH_ID])
    gtin: str = Field(examples=["07891234000019"])
    window: WindowPublic
    proof: TxProof

    @classmethod
    def of(cls, created: BatchCreated, window: TemperatureWindow) -> BatchCreatedPublic:
        return cls(
            lot=created.lot.number,
            lot_uri=created.lot.uri,
            batch_id="0x" + created.batch_id.hex(),
            gtin=created.lot.gtin,
            window=WindowPublic.of(window),
            proof=TxProof.of(created.receipt),
        )


class CertificateCreate(BaseModel):
    """One of the five certificates; only its SHA-256 goes on chain, never its content."""

    kind: CertificateKindName = Field(examples=["customs-declaration"])
    document: str = Field(
        min_length=1,
        max_length=(MAX_CERTIFICATE_BYTES + 2) // 3 * 4,
        description="the certificate's bytes (a PDF, say), base64-encoded; at most 10 MiB",
        examples=["JVBERi0xLjcKJeLjz9MKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK"],
    )

    @field_validator("document")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("must be the document's bytes in base64") from None
        return value

    def content(self) -> bytes:
        return base64.b64decode(self.document, validate=True)

    def certificate_kind(self) -> CertificateKind:
        return CertificateKind.parse(self.kind)


class CertificateAttachedPublic(BaseModel):
    batch_id: str = Field(examples=[BATCH_ID])
    kind: CertificateKindName
    document_sha256: str = Field(
        examples=["0x9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
    )
    cleared: bool = Field(description="this was the fifth certificate: the batch is cleared for sale")
    proof: TxProof

    @classmethod
    def of(cls, attached: CertificateAttached) -> CertificateAttachedPublic:
        return cls(
            batch_id="0x" + attached.batch_id.hex(),
            kind=_kind_slug(attached.kind),
            document_sha256="0x" + attached.document_hash.hex(),
            cleared=attached.cleared,
            proof=TxProof.of(attached.receipt),
        )


class ReadingCreate(BaseModel):
    time: AwareDatetime = Field(examples=["2025-03-01T06:10:00+08:00"])
    celsius: Decimal = Field(ge=-273.15, le=1000, examples=["-19.5"])


class EventCreate(BaseModel):
    """One EPCIS 2.0 ObjectEvent of the lot, written and anchored for you."""

    biz_step: BizStepName = Field(description="CBV 2.0 business step", examples=["transporting"])
    location: str = Field(
        min_length=1,
        max_length=300,
        description="a GLN URI or geo: URI",
        examples=["urn:epc:id:sgln:6901234.00001.0"],
    )
    time: AwareDatetime | None = Field(
        default=None, description="when (default: now)", examples=["2025-03-01T06:00:00+08:00"]
    )
    readings: list[ReadingCreate] = Field(
        default=[], max_length=MAX_READINGS, description="temperature readings of one sensor, °C"
    )
    device: str | None = Field(default=None, max_length=300, examples=["urn:epc:id:giai:6901234.TRUCK-01"])
    recipient: str | None = Field(
        default=None, max_length=64, description="shipping only: the next custodian (agency id or address)"
    )
    disposition: str | None = Field(
        default=None, max_length=64, description="CBV 2.0 disposition (default by business step)"
    )

    def reading_pairs(self) -> list[tuple[datetime, Decimal]]:
        return [(reading.time, reading.celsius) for reading in self.readings]


class ChildLot(BaseModel):
    lot: str = Field(
        min_length=1,
        max_length=300,
        description="a lot number of the same GTIN, or a lot URI",
        examples=["BR2405-A"],
    )
    quantity: int = Field(ge=1, examples=[5000])


class SplitCreate(BaseModel):
    """Child lots whose quantities add up to the whole batch (an EPCIS TransformationEvent)."""

    children: list[ChildLot] = Field(
        min_length=1,
        max_length=50,
        examples=[[{"lot": "BR2405-A", "quantity": 5000}, {"lot": "BR2405-B", "quantity": 3000}]],
    )
    location: str = Field(min_length=1, max_length=300, examples=["urn:epc:id:sgln:6901234.00002.0"])
    time: AwareDatetime | None = Field(default=None, examples=["2025-03-02T09:00:00+08:00"])
    biz_step: BizStepName = Field(default="repackaging", examples=["repackaging"])

    def child_pairs(self) -> list[tuple[str, int]]:
        return [(child.lot, child.quantity) for child in self.children]


class DecisionCreate(BaseModel):
    reason_code: str = Field(
        validation_alias=AliasChoices("reason_code", "reasonCode"),
        min_length=1,
        max_length=40,
        description="recorded on chain; to recall: "
        + ", ".join(code.slug for code in RecallReason)
        + "; to release: "
        + ", ".join(code.slug for code in ReleaseReason),
        examples=["pathogen-detected"],
    )
    reason: str = reason_words_field("nucleic-acid test positive")


class DecisionPublic(BaseModel):
    batch_id: str = Field(examples=[BATCH_ID])
    decision: Literal["recalled", "released"]
    reason: ReasonPublic
    proof: TxProof

    @classmethod
    def of(cls, decision: RegulatorDecision) -> DecisionPublic:
        return cls(
            batch_id="0x" + decision.batch_id.hex(),
            decision=decision.decision,  # type: ignore[arg-type]
            reason=ReasonPublic.of(decision.reason.stated()),
            proof=TxProof.of(decision.receipt),
        )


class AnchoredItemPublic(BaseModel):
    lot: str = Field(examples=["BR2405"])
    batch_id: str = Field(examples=[BATCH_ID])
    event_hash: str = Field(examples=[EVENT_HASH])
    biz_step: str | None = Field(examples=["transporting"])
    path: str = Field(description="the event's place in its document", examples=["eventList[0]"])
    recipient: str | None = Field(description="shipping: the custodian offered the lot")
    children: list[str] = Field(description="lots a split created")


class FlaggedLotPublic(BaseModel):
    lot: str = Field(examples=["BR2405"])
    min_celsius: Decimal = Field(examples=["-21.5"])
    max_celsius: Decimal = Field(examples=["-17.2"])


class AnchoringPublic(BaseModel):
    """What one transaction anchored, and which lots the chain flagged for readings outside their window."""

    items: list[AnchoredItemPublic]
    flagged: list[FlaggedLotPublic]
    proof: TxProof

    @classmethod
    def of(cls, anchoring: Anchoring) -> AnchoringPublic:
        return cls(
            items=[
                AnchoredItemPublic(
                    lot=item.lot,
                    batch_id="0x" + item.batch_id.hex(),
                    event_hash="0x" + item.event_hash.hex(),
                    biz_step=item.biz_step,
                    path=item.path,
                    recipient=item.recipient,
                    children=list(item.children),
                )
                for item in anchoring.items
            ],
            flagged=[
                FlaggedLotPublic(lot=lot, min_celsius=_celsius(low), max_celsius=_celsius(high))
                for lot, low, high in anchoring.flagged
            ],
            proof=TxProof.of(anchoring.receipt),
        )
