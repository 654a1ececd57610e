"""The business registration tables as the chain's events say they should be.

Versions: where and by whom each was recorded comes from the registry's events and `versions()`; the full
record comes from whatever copy the store holds whose hash is the chain's (sealed again for its version).
Filings and their revocations are on chain whole but for the words of a reason, which the reason texts
table holds by the hash these tables keep (gzchain.services.reindex.reasons).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzchain.domain.business import BusinessRecord
from gzchain.domain.business_commitment import Commitment
from gzchain.domain.errors import InvalidInput, PermissionDenied
from gzchain.domain.registry import uscc_bytes
from gzchain.services.business import BusinessService, seal_parts
from gzchain.services.reindex.engine import Item, TablePlan, chain_logs
from gzchain.store.business import BusinessVersionRow, NotarisedFilingRow, version_context

_VERSION_EVENTS = {
    "BusinessRegistered",
    "BusinessAmended",
    "BusinessSuspended",
    "BusinessReinstated",
    "BusinessDeregistered",
}


def business_plans(service: BusinessService, session: Session, in_flight: Collection[str]) -> list[TablePlan]:
    logs = chain_logs(service.gateway, [service.contract], service.from_block)
    return [_versions(service, session, logs, in_flight), _filings(session, logs, in_flight)]


def _versions(
    service: BusinessService, session: Session, logs: list[Any], in_flight: Collection[str]
) -> TablePlan:
    plan = TablePlan(
        "business versions",
        BusinessVersionRow,
        key_of=lambda row: (row.uscc, row.version),
        payload_columns=("public_record", "personal_data", "commitment", "erased_at", "erased_by"),
    )
    # (uscc, bytes32 on chain) → a copy the store holds, with its salts (no commitment: legacy)
    records: dict[tuple[str, str], Opened | dict[str, Any]] = {}  # an erased copy: its columns as they are
    for row in session.scalars(select(BusinessVersionRow)):
        key = (row.uscc, row.version)
        if row.block_number is None and row.tx_hash in in_flight:
            plan.leave[key] = ("pending", f"waits on tx {row.tx_hash}, still in flight")
            continue
        digest = service.row_digest(row)
        if digest is None:
            plan.leave[key] = ("unreadable", "its personal data cannot be decrypted with this store's key")
            continue
        if row.personal_data is None:  # erased: nothing to seal again, the copy is what is left
            records[(row.uscc, _hex(digest))] = {
                "public_record": row.public_record,
                "personal_data": None,
                "commitment": row.commitment,
                "erased_at": row.erased_at,
                "erased_by": row.erased_by,
            }
            continue
        opened = _open(service, row)
        if opened is not None:
            records[(row.uscc, _hex(digest))] = opened

    positions = {
        (args["uscc"].decode("ascii"), args["version"]): position
        for name, args, position, _ in logs
        if name in _VERSION_EVENTS
    }
    entries_of: dict[str, list[Any]] = {}
    for (uscc, number), position in sorted(positions.items(), key=lambda kv: kv[1].block_number):
        if uscc not in entries_of:
            entries_of[uscc] = service.gateway.call(service.contract.functions.versions(uscc_bytes(uscc)))
        chain_hash, agency, change_type, _, reason_code, reason_digest = entries_of[uscc][number - 1]
        has_reason = any(reason_digest)
        digest = _hex(chain_hash)
        plan.items.append(
            Item(
                key=(uscc, number),
                label=f"version {number} of {uscc}",
                index={
                    "uscc": uscc,
                    "version": number,
                    "change_type": change_type,
                    "record_hash": digest,
                    "agency": agency,
                    "reason_code": reason_code if has_reason else None,
                    "reason_hash": _hex(reason_digest) if has_reason else None,
                    **position.columns(),
                },
                payload=_sealed(service, records.get((uscc, digest)), uscc, number),
                payload_ok=lambda row, digest=digest: _opens_to(service, row, digest),
            )
        )
    return plan


def _filings(session: Session, logs: list[Any], in_flight: Collection[str]) -> TablePlan:
    plan = TablePlan(
        "business filings", NotarisedFilingRow, key_of=lambda row: row.file_hash, payload_columns=()
    )
    for row in session.scalars(select(NotarisedFilingRow)):
        waiting = [
            tx
            for tx, block in (
                (row.tx_hash, row.block_number),
                (row.revocation_tx_hash, row.revocation_block_number),
            )
            if tx is not None and block is None and tx in in_flight
        ]
        if waiting:
            plan.leave[row.file_hash] = ("pending", f"waits on tx {waiting[0]}, still in flight")
    filings: dict[str, dict[str, Any]] = {}
    for name, args, position, _ in logs:
        file_hash = _hex(args.get("fileHash", b""))
        if name == "DocumentNotarised":
            filings[file_hash] = {
                "file_hash": file_hash,
                "uscc": args["uscc"].decode("ascii"),
                "document_type": int(args["documentType"]),
                "notary": args["notary"],
                **position.columns(),
                "revoked_by": None,
                "revocation_reason_code": None,
                "revocation_reason_hash": None,
                "revocation_tx_hash": None,
                "revocation_block_number": None,
                "revocation_tx_index": None,
            }
        elif name == "NotarisationRevoked" and file_hash in filings:
            filings[file_hash].update(
                revoked_by=args["revoker"],
                revocation_reason_code=int(args["reasonCode"]),
                revocation_reason_hash=_hex(args["reasonHash"]),
                revocation_tx_hash=position.tx_hash,
                revocation_block_number=position.block_number,
                revocation_tx_index=position.tx_index,
            )
    plan.items = [
        Item(key=file_hash, label=f"filing {file_hash}", index=values, payload={})
        for file_hash, values in filings.items()
    ]
    return plan


Opened = tuple[BusinessRecord, Commitment | None]


def _open(service: BusinessService, row: BusinessVersionRow) -> Opened | None:
    try:
        return service.open_row(row)
    except (PermissionDenied, InvalidInput):
        return None


def _opens_to(service: BusinessService, row: BusinessVersionRow, digest: str) -> bool:
    """Whether the row reproduces the chain's hash: erased fields count as erased, not as altered."""
    found = service.row_digest(row)
    return found is not None and _hex(found) == digest


def _sealed(
    service: BusinessService,
    opened: Opened | dict[str, Any] | None,
    uscc: str,
    version: int,
) -> dict[str, Any] | None:
    if opened is None or isinstance(opened, dict):
        return opened
    public, personal, commitment = seal_parts(*opened)
    return {
        "public_record": public,
        "personal_data": service.cipher.seal(personal, version_context(uscc, version)),
        "commitment": commitment,
        "erased_at": None,
        "erased_by": None,
    }


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()
