"""Pending-first writes: a transaction's off-chain payload is stored before the transaction is sent.

A row here says "tx_hash was signed and may be on its way to the chain"; the payload rows it wrote carry the
same tx_hash and no block yet. Once the transaction's outcome is known they are confirmed (block and
position filled in) or removed, and this row goes, in one unit of work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gzchain.store.db import Base


class PendingTransactionRow(Base):
    __tablename__ = "pending_transactions"

    tx_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    owner: Mapped[str] = mapped_column(String(32), index=True)  # the service whose rows wait on it
    sender: Mapped[str] = mapped_column(String(42))
    # Once the sender's mined count passes the nonce while the tx is unmined, it never will be.
    nonce: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(Text)  # what it records, in words, for reports
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
