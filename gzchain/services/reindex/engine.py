"""Comparing one store table with what the chain says it should hold, and (optionally) making it so.

A table's plan lists every item the chain confirms: its chain-derived columns (`index`), and where the
off-chain part of its row (`payload`) can be found in the store by hash. Rows the chain does not confirm
are dropped; rows waiting on a transaction in flight, or that cannot be read, are left alone. Nothing is
invented: an item whose payload the store no longer holds is reported, not written.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from eth_utils import event_abi_to_log_topic
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzchain.chain.gateway import ChainGateway

FindingKind = Literal[
    "restored", "rewritten", "missing payload", "not on chain", "pending", "unreadable", "tampered"
]
# Findings that mean the store and the chain disagree (a pending write is in flight, not a disagreement).
DIFFERENCES: frozenset[str] = frozenset(
    {"restored", "rewritten", "missing payload", "not on chain", "unreadable", "tampered"}
)


@dataclass(frozen=True)
class Position:
    """Where the chain recorded something."""

    tx_hash: str
    block_number: int
    tx_index: int

    def columns(self) -> dict[str, Any]:
        return {"tx_hash": self.tx_hash, "block_number": self.block_number, "tx_index": self.tx_index}


@dataclass(frozen=True)
class Item:
    """One row the chain confirms: its key, a label for reports, and its chain-derived column values."""

    key: Hashable
    label: str
    index: dict[str, Any]
    # The off-chain column values for a row written anew, found in the store by hash; None: not held.
    payload: dict[str, Any] | None
    # Whether an existing row's off-chain part is this item's (recomputed against the chain's hash).
    payload_ok: Callable[[Any], bool] = lambda row: True


@dataclass
class TablePlan:
    name: str
    model: Any
    key_of: Callable[[Any], Hashable]
    payload_columns: tuple[str, ...]
    items: list[Item] = field(default_factory=list)
    leave: dict[Hashable, tuple[FindingKind, str]] = field(default_factory=dict)  # rows not to touch, why


@dataclass(frozen=True)
class Finding:
    table: str
    kind: FindingKind
    item: str
    detail: str


@dataclass
class TableSummary:
    name: str
    on_chain: int = 0
    agreeing: int = 0
    restored: int = 0
    rewritten: int = 0
    dropped: int = 0
    missing_payload: int = 0
    left_alone: int = 0


def reconcile(session: Session, plan: TablePlan, apply: bool) -> tuple[TableSummary, list[Finding]]:
    """Compare the table with the plan; with `apply`, rewrite it to match, in the caller's unit of work."""
    summary = TableSummary(plan.name, on_chain=len(plan.items))
    findings: list[Finding] = []
    existing = {plan.key_of(row): row for row in session.scalars(select(plan.model))}

    def report(kind: FindingKind, item: str, detail: str) -> None:
        findings.append(Finding(plan.name, kind, item, detail))

    for key, (kind, why) in plan.leave.items():
        if key in existing:
            summary.left_alone += 1
            report(kind, _label(key), why)
    to_delete: list[Any] = []
    to_add: list[dict[str, Any]] = []
    for item in plan.items:
        if item.key in plan.leave:
            continue
        row = existing.pop(item.key, None)
        payload_kept = row is not None and item.payload_ok(row)
        differing = [] if row is None else [c for c, v in item.index.items() if getattr(row, c) != v]
        if row is not None and payload_kept and not differing:
            summary.agreeing += 1
            continue
        if payload_kept:
            payload = {column: getattr(row, column) for column in plan.payload_columns}
        elif item.payload is not None:
            payload = item.payload
            if row is not None:
                differing.append("payload")
        else:
            summary.missing_payload += 1
            held = "" if row is None else "; the store's row does not match it and is dropped"
            report(
                "missing payload", item.label, f"the chain has it; the store holds no copy of its data{held}"
            )
            if row is not None:
                to_delete.append(row)
            continue
        if row is None:
            summary.restored += 1
            report("restored", item.label, "rebuilt from the chain and the data the store holds by hash")
        else:
            summary.rewritten += 1
            report("rewritten", item.label, f"the store's {', '.join(differing)} differed from the chain")
            to_delete.append(row)
        to_add.append({**item.index, **payload})
    for key, row in existing.items():
        if key in plan.leave:
            continue
        summary.dropped += 1
        report("not on chain", _label(key), "the store holds it; the chain does not confirm it")
        to_delete.append(row)
    if apply:
        # Rows are replaced rather than updated: a swap of unique values between two rows never clashes.
        for row in to_delete:
            session.delete(row)
        session.flush()
        session.add_all(plan.model(**values) for values in to_add)
        session.flush()
    return summary, findings


class ChainLog(NamedTuple):
    name: str
    args: dict[str, Any]
    position: Position
    address: str  # the contract that emitted it


def chain_logs(gateway: ChainGateway, contracts: Iterable[Any], from_block: int) -> list[ChainLog]:
    """Every event the contracts emitted since from_block, in chain order."""
    contracts = list(contracts)
    if not contracts:
        return []
    by_address = {contract.address: contract for contract in contracts}
    topics = {
        bytes(event_abi_to_log_topic(entry)): entry["name"]
        for contract in contracts
        for entry in contract.abi
        if entry["type"] == "event"
    }
    with gateway.translated_errors():
        logs = gateway.w3.eth.get_logs(
            {"address": list(by_address), "fromBlock": from_block, "toBlock": "latest"}
        )
    found = []
    for log in sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"])):
        name = topics.get(bytes(log["topics"][0]))
        if name is None:
            continue
        address = log["address"]
        args = dict(by_address[address].events[name]().process_log(log)["args"])
        position = Position(
            "0x" + bytes(log["transactionHash"]).hex(), int(log["blockNumber"]), int(log["transactionIndex"])
        )
        found.append(ChainLog(name, args, position, address))
    return found


def _label(key: Hashable) -> str:
    if isinstance(key, tuple):
        return " / ".join(str(part) for part in key)
    return str(key)
