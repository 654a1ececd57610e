"""Certificate use cases for issuing agencies: their document store, batches issued in one transaction,
revocations with a reason; and verification for anyone.

Issuing a batch from a file streams it (gzchain.services.certificates.bulk): every record is checked, wrapped
and written to a staging folder as it is read (a file per certificate, or one JSON Lines file for huge
batches), in worker processes for large batches, so a million records never sit in memory; only then is
the root anchored in one transaction, and the folder takes its final name once the chain has accepted it.
A bad record, a refused transaction or a failed write leaves nothing anchored and no folder behind.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Protocol

from sqlalchemy import select
from web3.contract import Contract

from gzchain.chain.gateway import ChainGateway
from gzchain.chain.keys import KeyRing
from gzchain.chain.transactions import Receipt
from gzchain.domain.certificates.batch import seal_batch
from gzchain.domain.certificates.records import (
    PreparedDocument,
    Record,
    prepare,
)
from gzchain.domain.certificates.revocation import RevocationReason, validate_reason_text
from gzchain.domain.certificates.templates import Template, issuer_entry, with_issuer
from gzchain.domain.certificates.verification import Verdict, read_claims
from gzchain.domain.errors import ChainUnavailable, Conflict, InvalidInput, NotFound, PermissionDenied
from gzchain.domain.oa import JsonObject, WrappedDocument, check_signature, wrap_document
from gzchain.services.certificates.bulk import (
    BatchSpec,
    RecordFile,
    check_records,
    write_batch,
    write_lines,
)
from gzchain.services.certificates.dns import IssuerDnsRecords
from gzchain.services.certificates.report import VerificationReport, verification_report
from gzchain.services.certificates.verify import ZERO_ADDRESS, CertificateVerifier
from gzchain.services.consortium import ConsortiumService
from gzchain.store.certificates import CertificateBatchRow, CertificateRevocationRow, revocation_context
from gzchain.store.crypto import PersonalDataCipher
from gzchain.store.db import Store, StoreUnavailable

BATCH_FILE: Final = "batch.json"  # what the batch folder says about itself, next to the documents
# How a batch folder holds its certificates: a file each (the default), or one JSON Lines file (huge batches).
OUTPUT_FORMATS: Final = ("files", "jsonl")
PARALLEL_FROM: Final = 5_000  # below this, starting worker processes costs more than it saves
CHUNK: Final = 500


class Progress(Protocol):
    """Told how far a long batch has got: each stage's size, then each step done."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


@dataclass(frozen=True)
class StoreCreated:
    address: str
    receipt: Receipt | None  # None when the agency already had its store


@dataclass(frozen=True)
class IssuedBatch:
    """A batch whose root the chain accepted in `receipt`, and where its documents were written."""

    merkle_root: bytes
    count: int
    document_store: str
    template: str
    folder: Path | None
    receipt: Receipt
    seconds: dict[str, float] = field(default_factory=dict)  # time taken by each stage
    store_created: Receipt | None = None  # set when the agency's store was created for this batch
    documents: tuple[WrappedDocument, ...] = ()  # the wrapped certificates, when issued in memory


@dataclass(frozen=True)
class RevocationRecorded:
    revoked_hash: bytes
    scope: str  # "certificate" or "batch"
    reason: RevocationReason
    text: str
    document_store: str
    receipt: Receipt


@dataclass(frozen=True)
class BatchInfo:
    merkle_root: str
    document_store: str
    agency: str
    template: str
    count: int
    tx_hash: str
    block_number: int
    issued_at: int


class CertificateService:
    def __init__(
        self,
        gateway: ChainGateway,
        keys: KeyRing,
        store: Store,
        cipher: PersonalDataCipher,
        consortium: ConsortiumService,
        factory_address: str,
    ) -> None:
        self.gateway = gateway
        self.keys = keys
        self.store = store
        self.cipher = cipher
        self.consortium = consortium
        self.factory = gateway.contract("DocumentStoreFactory", factory_address)
        self.verifier = CertificateVerifier(gateway, consortium.contract, self.factory, store, cipher)

    def dns_records(self) -> IssuerDnsRecords:
        """OA's DNS-TXT identity records, as the consortium registry implies them (for `/dns-query`)."""
        return IssuerDnsRecords(self.gateway, self.consortium.contract, self.factory)

    # ---- document stores ----

    def store_of(self, who: str) -> str | None:
        """The document store an agency (id or address) issues from, if it has one."""
        address = self.gateway.call(self.factory.functions.storeOf(self.consortium.resolve(who)))
        return None if address == ZERO_ADDRESS else address

    def create_store(self, as_agency: str) -> StoreCreated:
        """The agency's store, created through the factory unless it has one already."""
        existing = self.store_of(as_agency)
        if existing is not None:
            return StoreCreated(existing, None)
        receipt = self.gateway.transact(self.factory.functions.createStore(), self.keys.signer(as_agency))
        [created] = self.gateway.events(self.factory, "DocumentStoreFactoryStoreCreated", receipt)
        return StoreCreated(created["store"], receipt)

    # ---- issuing ----

    def issue_batch(
        self,
        as_agency: str,
        template: Template,
        records_file: Path,
        out_dir: Path,
        *,
        progress: Progress | None = None,
        workers: int | None = None,
        output_format: str = "files",
    ) -> IssuedBatch:
        """Issue one certificate per record of `records_file`, all under one root anchored in one transaction.

        Writes into `out_dir` (which must not exist or be empty) batch.json and the wrapped certificates:
        each as `<number>.json` for output_format "files", or one a line in record order in
        certificates.jsonl for "jsonl". Creates the agency's document store first if it has none.
        """
        progress = progress or _Silent()
        seconds: dict[str, float] = {}
        if output_format not in OUTPUT_FORMATS:
            raise InvalidInput(f"must be one of {', '.join(OUTPUT_FORMATS)}", field="output_format")
        out_dir = out_dir.resolve()
        _require_free_folder(out_dir)
        records = RecordFile(records_file)
        signer = self.keys.signer(as_agency)
        # Only a file per certificate can collide with the folder's own file.
        reserved = frozenset({BATCH_FILE}) if output_format == "files" else frozenset()
        write = write_batch if output_format == "files" else write_lines
        if self.store_of(as_agency) is None:
            # Creating the store is a transaction: every record is checked before the chain is touched.
            started = time.perf_counter()
            check_records(
                template, records, records.count, reserved_names=reserved, workers=workers, progress=progress
            )
            seconds["check"] = time.perf_counter() - started
        created = self.create_store(as_agency)
        store = created.address
        member = self.consortium.member(signer.address)
        staging = out_dir.with_name(f".{out_dir.name}.partial-{os.getpid()}")
        spec = BatchSpec(
            template,
            issuer_entry(member.name, store, member.domain),
            self.gateway.chain_id,
            staging,
            reserved,
        )
        try:
            # Streamed: checked, wrapped and written as read, whatever the size of the batch.
            written = write(spec, records, records.count, workers=workers, progress=progress)
            root = written.root
            seconds.update(written.seconds)
            started = time.perf_counter()
            progress.stage("anchoring the root in one transaction", 1)
            contract = self.gateway.contract("DocumentStore", store)
            receipt = self.gateway.transact(contract.functions.issue(root), signer)
            progress.advance()
        except ChainUnavailable as exc:
            if getattr(exc, "tx_hash", None) is None:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            raise ChainUnavailable(
                f"{exc}. The wrapped certificates are kept in {staging}: if the transaction took effect, "
                f"rename that folder to {out_dir}; if not, delete it and issue again"
            ) from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        seconds["anchor"] = time.perf_counter() - started
        batch = IssuedBatch(
            root, written.count, store, template.id, out_dir, receipt, seconds, created.receipt
        )
        _write_json(staging / BATCH_FILE, self._batch_summary(batch))
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(staging, out_dir)
        self._index(batch, signer.address)
        return batch

    def issue_records(
        self,
        as_agency: str,
        template: Template,
        records: Sequence[Mapping[str, Any]],
        *,
        workers: int | None = None,
    ) -> IssuedBatch:
        """Issue one certificate per record given in memory (the first is row 1), under one root anchored in
        one transaction; the wrapped certificates come back in `documents`, and no file is written."""
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        prepared = _checked(template, [Record(row, dict(values)) for row, values in enumerate(records, 1)])
        seconds["check"] = time.perf_counter() - started
        signer = self.keys.signer(as_agency)
        created = self.create_store(as_agency)
        started = time.perf_counter()
        wrapped, root = self._wrap(signer.address, created.address, prepared, workers, _Silent())
        seconds["wrap"] = time.perf_counter() - started
        started = time.perf_counter()
        contract = self.gateway.contract("DocumentStore", created.address)
        receipt = self.gateway.transact(contract.functions.issue(root), signer)
        seconds["anchor"] = time.perf_counter() - started
        batch = IssuedBatch(
            root,
            len(wrapped),
            created.address,
            template.id,
            None,
            receipt,
            seconds,
            created.receipt,
            tuple(wrapped),
        )
        self._index(batch, signer.address)
        return batch

    def _wrap(
        self,
        agency: str,
        store: str,
        prepared: Sequence[PreparedDocument],
        workers: int | None,
        progress: Progress,
    ) -> tuple[list[WrappedDocument], bytes]:
        """Every document with the agency as issuer on `store`, wrapped, under one Merkle root."""
        member = self.consortium.member(agency)
        issuer = issuer_entry(member.name, store, member.domain)
        chain_id = self.gateway.chain_id
        progress.stage("wrapping", len(prepared))
        wrapped = wrap_all(
            [with_issuer(p.data, issuer, chain_id) for p in prepared], workers, progress.advance
        )
        return wrapped, seal_batch(wrapped)

    def anchor(
        self, as_agency: str, documents: Sequence[WrappedDocument], label: str = "external"
    ) -> IssuedBatch:
        """Issue the root of documents wrapped elsewhere (by OA's own tools, say) on the agency's store.

        Every document must be intact, share one root, and name the agency's store as its document store.
        """
        if not documents:
            raise InvalidInput("no documents to anchor", field="documents")
        signer = self.keys.signer(as_agency)
        store = self.create_store(as_agency).address
        roots = set()
        for index, document in enumerate(documents):
            try:
                check_signature(document)
                claims = read_claims(document)
            except InvalidInput as exc:
                raise InvalidInput(f"does not verify: {exc}", field=f"documents.{index}") from None
            for issuer in claims.issuers:
                if issuer.document_store.lower() != store.lower():
                    raise InvalidInput(
                        f"names document store {issuer.document_store}, but {as_agency} issues from {store}",
                        field=f"documents.{index}.issuers.{issuer.index}.documentStore",
                    )
            roots.add(claims.anchor.merkle_root)
        if len(roots) != 1:
            raise InvalidInput(f"the documents belong to {len(roots)} batches; anchor one batch at a time")
        [root] = roots
        contract = self.gateway.contract("DocumentStore", store)
        receipt = self.gateway.transact(contract.functions.issue(root), signer)
        batch = IssuedBatch(root, len(documents), store, label, None, receipt)
        self._index(batch, signer.address)
        return batch

    def _batch_summary(self, batch: IssuedBatch) -> dict[str, Any]:
        return {
            "merkleRoot": batch.merkle_root.hex(),
            "documentStore": batch.document_store,
            "chainId": self.gateway.chain_id,
            "transaction": batch.receipt.tx_hash,
            "block": batch.receipt.block_number,
            "template": batch.template,
            "count": batch.count,
        }

    def _index(self, batch: IssuedBatch, agency: str) -> None:
        row = CertificateBatchRow(
            merkle_root="0x" + batch.merkle_root.hex(),
            document_store=batch.document_store,
            agency=agency,
            template=batch.template,
            count=batch.count,
            tx_hash=batch.receipt.tx_hash,
            block_number=batch.receipt.block_number,
            issued_at=self._block_time(batch.receipt.block_number),
        )
        self._save(row, f"batch 0x{batch.merkle_root.hex()} was issued in tx {batch.receipt.tx_hash}")

    # ---- revoking ----

    def revoke_document(
        self,
        as_agency: str,
        document: WrappedDocument,
        reason: RevocationReason,
        text: str,
        *,
        whole_batch: bool = False,
    ) -> RevocationRecorded:
        """Revoke a certificate (its targetHash, proven in its batch), or with `whole_batch` its batch."""
        text = validate_reason_text(text)
        try:
            check_signature(document)
            claims = read_claims(document)
        except InvalidInput as exc:
            raise InvalidInput(
                f"the certificate does not verify ({exc}); revoke it by its hash instead", field="document"
            ) from None
        signer = self.keys.signer(as_agency)
        store = self._store_for_revoking(as_agency)
        for issuer in claims.issuers:
            if issuer.document_store.lower() != store.lower():
                raise PermissionDenied(
                    f"the certificate was issued from store {issuer.document_store}, not from {as_agency}'s "
                    f"store {store}"
                )
        anchor = claims.anchor
        contract = self.gateway.contract("DocumentStore", store)
        if whole_batch:
            revoked, scope = anchor.merkle_root, "batch"
            fn = contract.functions.revokeWithReason(revoked, revoked, [], int(reason))
        else:
            revoked, scope = anchor.target_hash, "certificate"
            fn = contract.functions.revokeWithReason(
                anchor.merkle_root, anchor.target_hash, list(anchor.proof), int(reason)
            )
        receipt = self.gateway.transact(fn, signer)
        return self._record_revocation(contract, revoked, scope, reason, text, signer.address, receipt)

    def revoke_hash(
        self, as_agency: str, revoked: bytes, reason: RevocationReason, text: str
    ) -> RevocationRecorded:
        """Revoke a targetHash or a batch root known only by its hash (no proof is checked)."""
        text = validate_reason_text(text)
        signer = self.keys.signer(as_agency)
        store = self._store_for_revoking(as_agency)
        contract = self.gateway.contract("DocumentStore", store)
        receipt = self.gateway.transact(contract.functions.revokeWithReason(revoked, int(reason)), signer)
        scope = "batch" if self._is_batch_root(store, revoked) else "certificate"
        return self._record_revocation(contract, revoked, scope, reason, text, signer.address, receipt)

    def _store_for_revoking(self, as_agency: str) -> str:
        store = self.store_of(as_agency)
        if store is None:
            raise NotFound(f"{as_agency} has no document store, so it has issued nothing to revoke")
        return store

    def _record_revocation(
        self,
        contract: Contract,
        revoked: bytes,
        scope: str,
        reason: RevocationReason,
        text: str,
        agency: str,
        receipt: Receipt,
    ) -> RevocationRecorded:
        [event] = self.gateway.events(contract, "DocumentStoreRevocationRecorded", receipt)
        revoked_hash = "0x" + revoked.hex()
        row = CertificateRevocationRow(
            revoked_hash=revoked_hash,
            document_store=contract.address,
            scope=scope,
            reason_code=int(reason),
            reason_text=self.cipher.seal(text, revocation_context(contract.address, revoked_hash)),
            agency=agency,
            tx_hash=receipt.tx_hash,
            block_number=receipt.block_number,
            revoked_at=event["revokedAt"],
        )
        self._save(row, f"0x{revoked.hex()} was revoked in tx {receipt.tx_hash}")
        return RevocationRecorded(revoked, scope, reason, text, contract.address, receipt)

    def _is_batch_root(self, store: str, value: bytes) -> bool:
        with self.store.session() as session:
            found = session.scalars(
                select(CertificateBatchRow.id).where(
                    CertificateBatchRow.document_store == store,
                    CertificateBatchRow.merkle_root == "0x" + value.hex(),
                )
            ).first()
        return found is not None

    # ---- reads ----

    def batches(self, agency: str | None = None) -> list[BatchInfo]:
        """The issued batches in this store's index, newest first; only `agency`'s when given."""
        query = select(CertificateBatchRow).order_by(CertificateBatchRow.block_number.desc())
        if agency is not None:
            query = query.where(CertificateBatchRow.agency == self.consortium.resolve(agency))
        with self.store.session() as session:
            rows = session.scalars(query).all()
        return [
            BatchInfo(
                r.merkle_root,
                r.document_store,
                r.agency,
                r.template,
                r.count,
                r.tx_hash,
                r.block_number,
                r.issued_at,
            )
            for r in rows
        ]

    def verify(self, document: WrappedDocument, at: datetime | None = None) -> Verdict:
        return self.verifier.verify(document, at)

    def report(self, document: Any) -> VerificationReport:
        """Verify a document exactly as received, and say who issued it, what it shows and what it hides."""
        return verification_report(self.verifier, document)

    # ---- helpers ----

    def _block_time(self, block_number: int) -> int:
        with self.gateway.translated_errors():
            return int(self.gateway.w3.eth.get_block(block_number)["timestamp"])

    def _save(self, row: CertificateBatchRow | CertificateRevocationRow, what: str) -> None:
        try:
            with self.store.session() as session:
                session.add(row)
        except StoreUnavailable as exc:
            raise StoreUnavailable(
                f"{what}, but the store could not index it ({exc}); the chain has it, so it is not lost"
            ) from exc


def wrap_all(
    documents: Sequence[JsonObject],
    workers: int | None = None,
    advance: Callable[[int], None] | None = None,
    *,
    parallel_from: int = PARALLEL_FROM,
) -> list[WrappedDocument]:
    """Wrap each document alone, in worker processes once a batch reaches `parallel_from`; order is kept."""
    advance = advance or (lambda steps: None)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(documents) < parallel_from:
        wrapped = []
        for document in documents:
            wrapped.append(wrap_document(document))
            advance(1)
        return wrapped
    # spawn, not fork: the parent may hold a chain connection and database handles a fork would share.
    context = multiprocessing.get_context("spawn")
    wrapped = []
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for document in pool.map(wrap_document, documents, chunksize=CHUNK):
            wrapped.append(document)
            advance(1)
    return wrapped


def _checked(
    template: Template, records: list[Record], progress: Progress | None = None
) -> list[PreparedDocument]:
    progress = progress or _Silent()
    progress.stage("checking records", len(records))
    return prepare(template, records, progress.advance)


def _require_free_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise Conflict(f"{folder} already exists and is not an empty folder; choose a new output folder")


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
