"""The words behind the reasons the chain records as a code and a salted hash (gzchain.domain.reasons).

One row per reason, keyed by the hash the chain holds, so whatever reads a reason from the chain finds its
words here by that hash alone. The words and their salt never go on chain; a row whose words no longer hash
to its key was altered after it was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gzchain.domain.reasons import SaltedReason
from gzchain.store.db import Base


class ReasonTextRow(Base):
    """The acting agency's words for one reason on chain, with the salt that hides them there."""

    __tablename__ = "reason_texts"

    reason_hash: Mapped[str] = mapped_column(String(66), primary_key=True)  # 0x + the bytes32 on chain
    action: Mapped[str] = mapped_column(String(32))  # a ReasonAction value
    reason_code: Mapped[int] = mapped_column(Integer)
    words: Mapped[str] = mapped_column(Text)
    salt: Mapped[str] = mapped_column(String(66))  # 0x + 32 random bytes
    agency: Mapped[str] = mapped_column(String(42))
    tx_hash: Mapped[str] = mapped_column(String(66), index=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: tx still pending
    tx_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


def reason_row(reason: SaltedReason, agency: str, tx_hash: str) -> ReasonTextRow:
    """The pending row of a reason about to be sent in `tx_hash`."""
    return ReasonTextRow(
        reason_hash="0x" + reason.digest.hex(),
        action=reason.action.value,
        reason_code=int(reason.code),
        words=reason.words,
        salt="0x" + reason.salt.hex(),
        agency=agency,
        tx_hash=tx_hash,
        block_number=None,
    )


def reasons_by_hash(session: Session, digests: Iterable[bytes]) -> dict[bytes, ReasonTextRow]:
    """The confirmed rows the store holds for these hashes (zero hashes and unknown ones are left out)."""
    wanted = {"0x" + bytes(digest).hex() for digest in digests if any(digest)}
    if not wanted:
        return {}
    rows = session.scalars(
        select(ReasonTextRow).where(
            ReasonTextRow.reason_hash.in_(sorted(wanted)), ReasonTextRow.block_number.is_not(None)
        )
    )
    return {bytes.fromhex(row.reason_hash[2:]): row for row in rows}
