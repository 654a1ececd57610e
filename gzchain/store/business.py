"""Business registration in the store: every version of each record, and the notarised-filings index.

The public part of a record is kept in clear; the personal data of natural persons (legal representative,
natural-person shareholders) is sealed with the store's PersonalDataCipher, bound to the version
(`version_context`), so a sealed value cannot be moved to another business or version unnoticed.

`commitment` says how the version's bytes32 on chain was made. NULL: a legacy version, whose `record_hash`
is the plain SHA-256 of the whole record. Otherwise ``{"scheme": "salted-merkle-v1", "leaves": {path:
hex}, "salts": {path: hex}}``: every field's leaf, and the salts of the fields that are not personal data;
the personal fields' salts are sealed with their values in `personal_data`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzchain.store.db import Base


def version_context(uscc: str, version: int) -> str:
    """What a version's sealed personal data is bound to."""
    return f"business:{uscc}:v{version}"


class BusinessVersionRow(Base):
    """One version of a business's registration record, as recorded on chain by `tx_hash`."""

    __tablename__ = "business_versions"
    __table_args__ = (UniqueConstraint("uscc", "version", name="uq_business_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change_type: Mapped[int] = mapped_column(Integer)
    record_hash: Mapped[str] = mapped_column(String(66))  # 0x + the bytes32 on chain (see commitment)
    commitment: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, default=None)
    public_record: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Sealed; see version_context. NULL once erased (erased_at, erased_by say when and by whom): the
    # ciphertext and the personal fields' salts inside it are gone, so the leaves on chain mean nothing.
    personal_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)
    erased_by: Mapped[str | None] = mapped_column(String(42), nullable=True, default=None)
    agency: Mapped[str] = mapped_column(String(42))
    # A status change's reason as the chain holds it; its words are in reason_texts under reason_hash.
    reason_code: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    reason_hash: Mapped[str | None] = mapped_column(String(66), nullable=True, default=None)
    tx_hash: Mapped[str] = mapped_column(String(66), unique=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: tx still pending
    tx_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


class NotarisedFilingRow(Base):
    """A notarised document of a business, and its revocation once revoked."""

    __tablename__ = "business_filings"

    file_hash: Mapped[str] = mapped_column(String(66), primary_key=True)  # 0x + SHA-256 of the file
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    document_type: Mapped[int] = mapped_column(Integer)
    notary: Mapped[str] = mapped_column(String(42))
    tx_hash: Mapped[str] = mapped_column(String(66), unique=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: tx still pending
    tx_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(42), default=None)
    revocation_reason_code: Mapped[int | None] = mapped_column(Integer, default=None)
    revocation_reason_hash: Mapped[str | None] = mapped_column(String(66), default=None)  # see reason_texts
    revocation_tx_hash: Mapped[str | None] = mapped_column(String(66), default=None)
    revocation_block_number: Mapped[int | None] = mapped_column(BigInteger, default=None)
    revocation_tx_index: Mapped[int | None] = mapped_column(Integer, default=None)
