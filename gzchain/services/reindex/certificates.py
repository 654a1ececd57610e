"""The certificate tables as the document stores' events say they should be.

Every store the factory created is followed: each issued root is a batch (which template and how many
certificates it holds are the store's own knowledge, kept from its row), each recorded revocation a
revocation (the issuer's explanation is kept sealed from its row).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzchain.chain.gateway import ChainGateway
from gzchain.domain.errors import PermissionDenied
from gzchain.services.reindex.engine import Item, TablePlan, chain_logs
from gzchain.store.certificates import CertificateBatchRow, CertificateRevocationRow, revocation_context
from gzchain.store.crypto import PersonalDataCipher


def certificate_plans(
    gateway: ChainGateway, cipher: PersonalDataCipher, factory_address: str, from_block: int, session: Session
) -> list[TablePlan]:
    factory = gateway.contract("DocumentStoreFactory", factory_address)
    agencies = {
        args["store"]: args["agency"]
        for name, args, _, _ in chain_logs(gateway, [factory], from_block)
        if name == "DocumentStoreFactoryStoreCreated"
    }
    stores = [gateway.contract("DocumentStore", address) for address in agencies]
    logs = chain_logs(gateway, stores, from_block)
    return [
        _batches(gateway, session, agencies, logs),
        _revocations(gateway, cipher, session, agencies, logs),
    ]


def _batches(gateway: ChainGateway, session: Session, agencies: dict[str, str], logs: list[Any]) -> TablePlan:
    plan = TablePlan(
        "certificate batches",
        CertificateBatchRow,
        key_of=lambda row: (row.document_store, row.merkle_root),
        payload_columns=("template", "count"),
    )
    rows = session.scalars(select(CertificateBatchRow))
    held = {(row.document_store, row.merkle_root): row for row in rows}
    times: dict[int, int] = {}
    for name, args, position, store in logs:
        if name != "DocumentIssued":
            continue
        root = _hex(args["document"])
        row = held.get((store, root))
        plan.items.append(
            Item(
                key=(store, root),
                label=f"batch {root} of store {store}",
                index={
                    "merkle_root": root,
                    "document_store": store,
                    "agency": agencies[store],
                    "tx_hash": position.tx_hash,
                    "block_number": position.block_number,
                    "issued_at": _block_time(gateway, position.block_number, times),
                },
                payload=None if row is None else {"template": row.template, "count": row.count},
            )
        )
    return plan


def _revocations(
    gateway: ChainGateway,
    cipher: PersonalDataCipher,
    session: Session,
    agencies: dict[str, str],
    logs: list[Any],
) -> TablePlan:
    plan = TablePlan(
        "certificate revocations",
        CertificateRevocationRow,
        key_of=lambda row: (row.document_store, row.revoked_hash),
        payload_columns=("reason_text",),
    )
    rows = session.scalars(select(CertificateRevocationRow))
    held = {(row.document_store, row.revoked_hash): row for row in rows}
    roots = {(store, _hex(args["document"])) for name, args, _, store in logs if name == "DocumentIssued"}
    for name, args, position, store in logs:
        if name != "DocumentStoreRevocationRecorded":
            continue
        revoked = _hex(args["document"])
        key = (store, revoked)
        row = held.get(key)
        readable = row is not None and _opens(cipher, row)
        plan.items.append(
            Item(
                key=key,
                label=f"revocation of {revoked} in store {store}",
                index={
                    "revoked_hash": revoked,
                    "document_store": store,
                    "scope": "batch" if key in roots else "certificate",
                    "reason_code": int(args["reason"]),
                    "agency": args["revoker"],
                    "tx_hash": position.tx_hash,
                    "block_number": position.block_number,
                    "revoked_at": int(args["revokedAt"]),
                },
                payload={"reason_text": row.reason_text} if readable and row is not None else None,
                payload_ok=lambda row: _opens(cipher, row),
            )
        )
    return plan


def _opens(cipher: PersonalDataCipher, row: CertificateRevocationRow) -> bool:
    try:
        cipher.open(row.reason_text, revocation_context(row.document_store, row.revoked_hash))
    except (PermissionDenied, ValueError):
        return False
    return True


def _block_time(gateway: ChainGateway, block_number: int, times: dict[int, int]) -> int:
    if block_number not in times:
        with gateway.translated_errors():
            times[block_number] = int(gateway.w3.eth.get_block(block_number)["timestamp"])
    return times[block_number]


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()
