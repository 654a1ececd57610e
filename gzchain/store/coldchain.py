"""Cold-chain traceability in the store: lots, full EPCIS events and raw sensor readings.

The chain holds each event's CBV 2.0 hash, its readings' Merkle root and what its rules need; the store
holds what it was computed from, with the transaction and block that anchored it, so that every stored item
can be checked against the chain.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzchain.store.db import Base


class ColdChainLotRow(Base):
    """A batch or lot: which GS1 lot a batch id on chain stands for."""

    __tablename__ = "coldchain_lots"

    batch_id: Mapped[str] = mapped_column(String(66), primary_key=True)  # 0x + Keccak-256 of the lot URI
    lot_uri: Mapped[str] = mapped_column(Text, unique=True)
    gtin: Mapped[str] = mapped_column(String(14))
    lot_number: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(66), default=None)
    tx_hash: Mapped[str] = mapped_column(String(66), index=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: tx still pending
    tx_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ColdChainEventRow(Base):
    """One EPCIS event as anchored for one batch (an event naming two lots is anchored for each)."""

    __tablename__ = "coldchain_events"
    __table_args__ = (UniqueConstraint("batch_id", "event_hash", name="uq_coldchain_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(66), index=True)
    event_hash: Mapped[str] = mapped_column(String(66))  # 0x + the SHA-256 of the CBV 2.0 pre-hash string
    event: Mapped[dict[str, Any]] = mapped_column(JSON)  # the event's JSON as received
    context: Mapped[Any] = mapped_column(JSON)  # its document's @context: extension prefixes for the hash
    biz_step: Mapped[str | None] = mapped_column(String(32), default=None)
    event_time_ms: Mapped[int] = mapped_column(BigInteger)
    agency: Mapped[str] = mapped_column(String(42))
    tx_hash: Mapped[str] = mapped_column(String(66), index=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: tx still pending
    tx_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ColdChainReadingRow(Base):
    """One raw temperature report of an anchored event, with the values its Merkle leaf commits to."""

    __tablename__ = "coldchain_readings"
    __table_args__ = (UniqueConstraint("batch_id", "event_hash", "position", name="uq_coldchain_reading"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(66), index=True)
    event_hash: Mapped[str] = mapped_column(String(66))
    position: Mapped[int] = mapped_column(Integer)  # among the event's temperature readings, from 0
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    device: Mapped[str] = mapped_column(Text)
    low_tenths: Mapped[int] = mapped_column(SmallInteger)
    high_tenths: Mapped[int] = mapped_column(SmallInteger)
    value: Mapped[str | None] = mapped_column(String(64), default=None)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)  # sensorMetadata + sensorReport as received
    tx_hash: Mapped[str] = mapped_column(String(66), index=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: tx still pending
    tx_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
