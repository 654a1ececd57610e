"""E-petitions in the store: texts with their salts, the authority's books, the vote queue.

The chain holds salted hashes, credentials and nullifiers; the store holds the words, the salts that let
anyone check them, and what each agency keeps for itself: the identity authority its one-credential-per-
resident index (HMAC of the ID number under a pepper, never the number) and its sealed token keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzchain.store.db import Base


class PetitionTextRow(Base):
    """A petition's words: the proposal, and later the rejection's or the response's."""

    __tablename__ = "petition_texts"

    petition_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    salt: Mapped[str] = mapped_column(String(66))  # 0x + 32 bytes; title and text are hashed together
    tx_hash: Mapped[str] = mapped_column(String(66))
    rejection_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    rejection_salt: Mapped[str | None] = mapped_column(String(66), nullable=True)
    response_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_salt: Mapped[str | None] = mapped_column(String(66), nullable=True)


class PetitionCredentialRow(Base):
    """The identity authority's index: which credential a resident holds (one enrolled at a time)."""

    __tablename__ = "petition_credentials"

    credential: Mapped[str] = mapped_column(String(42), primary_key=True)  # checksummed address
    resident_key: Mapped[str] = mapped_column(String(66), index=True)  # 0x + HMAC-SHA256(pepper, ID number)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PetitionTokenKeyRow(Base):
    """A petition's RSA token key, sealed with the store key: only the authority signs with it."""

    __tablename__ = "petition_token_keys"

    petition_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sealed_key: Mapped[str] = mapped_column(Text)


class PetitionIssuanceRow(Base):
    """One token signed per resident and petition: keyed by resident, so a new credential gets no second."""

    __tablename__ = "petition_issuances"
    __table_args__ = (UniqueConstraint("petition_id", "resident_key", name="uq_petition_issuance"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(BigInteger)
    resident_key: Mapped[str] = mapped_column(String(66))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PetitionVoteRow(Base):
    """A vote in the relay queue and then its result, as the contract's events said."""

    __tablename__ = "petition_votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(BigInteger, index=True)
    nullifier: Mapped[str] = mapped_column(String(66), index=True)
    token: Mapped[str] = mapped_column(String(66))
    signature: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | counted | skipped | failed
    reason: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # SkipReason when skipped
    error: Mapped[str | None] = mapped_column(String(80), nullable=True)  # a whole batch's revert
    tx_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ResidentSignatureRow(Base):
    """Resident request signatures already used: each one works once."""

    __tablename__ = "petition_resident_signatures"

    digest: Mapped[str] = mapped_column(String(66), primary_key=True)  # 0x + keccak of the signature
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
