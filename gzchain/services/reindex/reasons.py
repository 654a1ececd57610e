"""The reason texts table as the chain's events say it should be.

Every status change, notarisation revocation, recall and release on chain carries a reason code and the
salted hash of its words. The words and salt exist only in the store: a row whose words still hash to the
chain's value is kept (and its chain-derived columns rewritten if they drifted); a row whose words no longer
do was altered, is reported as tampered and left as evidence; a hash the store holds no words for is reported
as missing. Nothing is invented.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzchain.chain.gateway import ChainGateway
from gzchain.domain.errors import InvalidInput
from gzchain.domain.reasons import ReasonAction, reason_hash
from gzchain.services.reindex.engine import Item, TablePlan, chain_logs
from gzchain.store.reasons import ReasonTextRow

# Each event that records a reason: the action it was for, and the argument naming the acting agency.
_REASON_EVENTS: Final = {
    "BusinessSuspended": (ReasonAction.SUSPEND, "registrar"),
    "BusinessReinstated": (ReasonAction.REINSTATE, "registrar"),
    "BusinessDeregistered": (ReasonAction.DEREGISTER, "registrar"),
    "NotarisationRevoked": (ReasonAction.REVOKE_NOTARISATION, "revoker"),
    "ColdChainBatchReleased": (ReasonAction.RELEASE, "regulator"),
    "ColdChainRecallOrdered": (ReasonAction.RECALL, "regulator"),
}


def reason_plan(
    gateway: ChainGateway,
    contracts: list[Any],
    from_block: int,
    session: Session,
    in_flight: Collection[str],
) -> TablePlan:
    plan = TablePlan(
        "reason texts", ReasonTextRow, key_of=lambda row: row.reason_hash, payload_columns=("words", "salt")
    )
    held = {row.reason_hash: row for row in session.scalars(select(ReasonTextRow))}
    for row in held.values():
        if row.block_number is None and row.tx_hash in in_flight:
            plan.leave[row.reason_hash] = ("pending", f"waits on tx {row.tx_hash}, still in flight")
    for name, args, position, _ in chain_logs(gateway, contracts, from_block):
        if name not in _REASON_EVENTS:
            continue
        action, actor = _REASON_EVENTS[name]
        digest = "0x" + bytes(args["reasonHash"]).hex()
        code = int(args["reasonCode"])
        row = held.get(digest)
        label = f"the {action.value} reason {digest}"
        if row is not None and digest not in plan.leave and not _hashes_to(row, action, code, digest):
            plan.leave[digest] = (
                "tampered",
                "the store's words or salt no longer hash to the reason hash on chain: altered after "
                "they were recorded; the row is kept as it is, as evidence",
            )
        plan.items.append(
            Item(
                key=digest,
                label=label,
                index={
                    "reason_hash": digest,
                    "action": action.value,
                    "reason_code": code,
                    "agency": args[actor],
                    **position.columns(),
                },
                payload=None,  # the words exist nowhere but in the store's own row
                payload_ok=lambda row, action=action, code=code, digest=digest: _hashes_to(
                    row, action, code, digest
                ),
            )
        )
    return plan


def _hashes_to(row: ReasonTextRow, action: ReasonAction, code: int, digest: str) -> bool:
    try:
        salt = bytes.fromhex(row.salt.removeprefix("0x"))
        return "0x" + reason_hash(action, code, salt, row.words).hex() == digest
    except (ValueError, InvalidInput):
        return False
