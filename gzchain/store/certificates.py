"""Electronic certificates in the store: the index of issued batches, and revocations with their words.

The chain holds each batch's root and each revocation's reason code; the store adds what is not on chain:
how many certificates a batch holds, from which template, and the issuer's own explanation of a revocation,
kept off chain and sealed (`revocation_context`) because it may name a person. Certificates themselves are
never stored here: their holders keep them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzchain.store.db import Base


def revocation_context(document_store: str, revoked_hash: str) -> str:
    """What a revocation's sealed explanation is bound to."""
    return f"certificate-revocation:{document_store}:{revoked_hash}"


class CertificateBatchRow(Base):
    """A batch of certificates whose Merkle root was issued on an agency's document store in `tx_hash`."""

    __tablename__ = "certificate_batches"
    __table_args__ = (UniqueConstraint("document_store", "merkle_root", name="uq_certificate_batch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merkle_root: Mapped[str] = mapped_column(String(66), index=True)  # 0x-prefixed
    document_store: Mapped[str] = mapped_column(String(42))
    agency: Mapped[str] = mapped_column(String(42))
    template: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str] = mapped_column(String(66), unique=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[int] = mapped_column(BigInteger)  # block timestamp


class CertificateRevocationRow(Base):
    """A revoked hash (a certificate's targetHash or a batch root), why, and where the chain recorded it."""

    __tablename__ = "certificate_revocations"
    __table_args__ = (UniqueConstraint("document_store", "revoked_hash", name="uq_certificate_revocation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revoked_hash: Mapped[str] = mapped_column(String(66), index=True)
    document_store: Mapped[str] = mapped_column(String(42))
    scope: Mapped[str] = mapped_column(String(20))  # "certificate" or "batch"
    reason_code: Mapped[int] = mapped_column(Integer)
    reason_text: Mapped[str] = mapped_column(Text)  # sealed; see revocation_context
    agency: Mapped[str] = mapped_column(String(42))
    tx_hash: Mapped[str] = mapped_column(String(66))
    block_number: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int] = mapped_column(BigInteger)
