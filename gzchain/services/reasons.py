"""Reasons as the chain holds them (a code and a salted hash) joined with the words the store holds for them.

Shared by every service whose actions say why: each stages its reason row with the write that records it
(gzchain.store.reasons) and, when reading, states each reason from the chain's code and hash plus the row
the store holds for that hash, checked by recomputing the hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gzchain.domain.reasons import ReasonAction, StatedReason, state_reason
from gzchain.store.db import Store
from gzchain.store.reasons import ReasonTextRow, reasons_by_hash

ZERO_HASH = bytes(32)


def load_reason_texts(store: Store, digests: Iterable[bytes]) -> dict[bytes, ReasonTextRow]:
    """The store's words for these hashes, in one query."""
    with store.session() as session:
        return reasons_by_hash(session, digests)


def stated(
    action: ReasonAction, code: int, digest: bytes, texts: Mapping[bytes, ReasonTextRow]
) -> StatedReason | None:
    """The chain's reason with the store's words checked against it; None where the chain has no reason."""
    digest = bytes(digest)
    if digest == ZERO_HASH:
        return None
    row = texts.get(digest)
    # The hash covers the action and the code too, so a row altered in any column reads as not verified.
    return state_reason(action, code, digest, None if row is None else row.words, _salt(row))


def _salt(row: ReasonTextRow | None) -> bytes | None:
    if row is None:
        return None
    try:
        return bytes.fromhex(row.salt.removeprefix("0x"))
    except ValueError:
        return b""  # an altered salt: the hash cannot match, so the words read as not verified
