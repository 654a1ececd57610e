"""Business registration use cases: register, amend, change status, notarise, look up, verify a file.

Every write validates its input with the domain first, stages what the store keeps (the full record, its
personal data sealed) as pending before the transaction is sent, and confirms it once the chain has accepted
(gzchain.services.outbox): a crash in between leaves a pending version that recovery settles by the chain's
word, a refused transaction stores nothing, and no version is ever stored half. Every read takes the chain's
word and checks the store against it; a pending row is never shown as confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eth_utils import event_abi_to_log_topic
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzchain.chain.gateway import ChainGateway
from gzchain.chain.keys import KeyRing
from gzchain.chain.transactions import Receipt
from gzchain.domain.business import (
    Amendment,
    BusinessRecord,
    ChangeType,
    join_personal_data,
    record_from_dict,
    record_hash,
    split_personal_data,
)
from gzchain.domain.business_commitment import (
    SCHEME_LEGACY,
    SCHEME_SALTED,
    Commitment,
    commit,
    leaf,
    personal_paths,
    public_field_values,
)
from gzchain.domain.errors import Conflict, ContractReverted, InvalidInput, NotFound, PermissionDenied
from gzchain.domain.reasons import ReasonAction, SaltedReason, salt_reason
from gzchain.domain.registry import (
    BusinessLookup,
    BusinessStatus,
    ChainProof,
    DocumentType,
    FileVerification,
    Filing,
    RecordVersion,
    Revocation,
    file_hash,
    parse_file_hash,
    uscc_bytes,
    validate_reason,
)
from gzchain.domain.roles import Role
from gzchain.domain.uscc import validate_uscc
from gzchain.services.consortium import ConsortiumService
from gzchain.services.outbox import AnchoredRows, Outbox, Recovery
from gzchain.services.reasons import load_reason_texts, stated
from gzchain.store.business import BusinessVersionRow, NotarisedFilingRow, version_context
from gzchain.store.crypto import PersonalDataCipher
from gzchain.store.db import Store
from gzchain.store.reasons import ReasonTextRow, reason_row

_STATUS_CHANGES: dict[str, tuple[str, ChangeType]] = {
    "suspend": ("BusinessSuspended", ChangeType.SUSPENDED),
    "reinstate": ("BusinessReinstated", ChangeType.REINSTATED),
    "deregister": ("BusinessDeregistered", ChangeType.DEREGISTERED),
}
# Which action's reason codes a version of each status-changing type carries.
_REASON_ACTIONS: dict[ChangeType, ReasonAction] = {
    ChangeType.SUSPENDED: ReasonAction.SUSPEND,
    ChangeType.REINSTATED: ReasonAction.REINSTATE,
    ChangeType.DEREGISTERED: ReasonAction.DEREGISTER,
}
_FILING_EVENTS = ("DocumentNotarised", "NotarisationRevoked")
_VERSION_EVENTS = (
    "BusinessRegistered",
    "BusinessAmended",
    "BusinessSuspended",
    "BusinessReinstated",
    "BusinessDeregistered",
)
_REVOCATION_COLUMNS = (
    "revoked_by",
    "revocation_reason_code",
    "revocation_reason_hash",
    "revocation_tx_hash",
    "revocation_block_number",
    "revocation_tx_index",
)


@dataclass(frozen=True)
class RegistryChange:
    """A new version of a business's record, as the chain accepted it."""

    uscc: str
    version: int
    change_type: ChangeType
    record_hash: bytes
    receipt: Receipt
    reason: SaltedReason | None = None  # a status change's, as recorded


@dataclass(frozen=True)
class FilingChange:
    """A notarisation, or its revocation, as the chain accepted it."""

    file_hash: bytes
    uscc: str
    receipt: Receipt
    reason: SaltedReason | None = None  # a revocation's, as recorded


@dataclass(frozen=True)
class Erasure:
    """The personal data of a business's versions, erased from the store."""

    uscc: str
    versions: tuple[int, ...]  # the versions whose personal data this erasure deleted
    at: datetime
    by: str  # the registrar's address


@dataclass
class _Proofs:
    """Where the chain's events put each version and filing of one business."""

    versions: dict[int, ChainProof]
    notarised: dict[bytes, ChainProof]
    revoked: dict[bytes, ChainProof]


class BusinessService:
    def __init__(
        self,
        gateway: ChainGateway,
        keys: KeyRing,
        store: Store,
        cipher: PersonalDataCipher,
        consortium: ConsortiumService,
        address: str,
        from_block: int = 0,
    ) -> None:
        self.gateway = gateway
        self.keys = keys
        self.store = store
        self.cipher = cipher
        self.consortium = consortium
        self.contract = gateway.contract("BusinessRegistry", address)
        self.from_block = from_block  # the registry's deployment block: no event of it is older
        self._event_names = {
            event_abi_to_log_topic(entry): entry["name"]
            for entry in self.contract.abi
            if entry["type"] == "event"
        }
        self._agency_names: dict[str, str] = {}
        self.outbox = Outbox(
            gateway,
            store,
            "business",
            (
                _VersionRows(self),
                AnchoredRows(NotarisedFilingRow),
                AnchoredRows(ReasonTextRow),
                AnchoredRows(
                    NotarisedFilingRow,
                    tx="revocation_tx_hash",
                    block="revocation_block_number",
                    index="revocation_tx_index",
                    clear_on_refusal=_REVOCATION_COLUMNS,
                ),
            ),
        )

    def recover(self) -> Recovery:
        """Settle the writes a crash left pending: confirmed if the chain has them, else removed."""
        return self.outbox.settle_all(final=True)

    # ---- registration (REGISTRAR) ----

    def register(self, as_agency: str, record: BusinessRecord | Mapping[str, Any]) -> RegistryChange:
        """Register a new business from its full record; the chain gets the record's hash as version 1."""
        record = _as_record(record)
        signer = self.keys.signer(as_agency)
        commitment = commit(record)
        digest = commitment.root
        fn = self.contract.functions.register(uscc_bytes(record.uscc), digest)
        receipt = self._record_version(fn, signer, record, commitment, 1, ChangeType.REGISTERED, reason=None)
        [event] = self.gateway.events(self.contract, "BusinessRegistered", receipt)
        return RegistryChange(record.uscc, event["version"], ChangeType.REGISTERED, digest, receipt)

    def amend(self, as_agency: str, record: BusinessRecord | Mapping[str, Any]) -> RegistryChange:
        """Record an amended record as a new version; what changed is worked out from the current one.

        The new version always gets a salted commitment with fresh salts, so amending a legacy version
        migrates the business to salted commitments from then on."""
        after = _as_record(record)
        before, version, _ = self._current(after.uscc)
        amendment = Amendment(before, after)
        signer = self.keys.signer(as_agency)
        commitment = commit(after)
        digest = commitment.root
        fn = self.contract.functions.amend(uscc_bytes(after.uscc), digest, int(amendment.change_type))
        receipt = self._record_version(
            fn, signer, after, commitment, version + 1, amendment.change_type, reason=None
        )
        [event] = self.gateway.events(self.contract, "BusinessAmended", receipt)
        return RegistryChange(after.uscc, event["version"], amendment.change_type, digest, receipt)

    def suspend(self, as_agency: str, uscc: str, code: int | str, reason: str) -> RegistryChange:
        """List an active business for abnormal operations, for a SuspensionReason `code`, in `reason`'s
        words (kept in the store; the chain gets the code and their salted hash)."""
        return self._change_status("suspend", as_agency, uscc, code, reason)

    def reinstate(self, as_agency: str, uscc: str, code: int | str, reason: str) -> RegistryChange:
        """Take a suspended business off the abnormal-operations list (a ReinstatementReason `code`)."""
        return self._change_status("reinstate", as_agency, uscc, code, reason)

    def deregister(self, as_agency: str, uscc: str, code: int | str, reason: str) -> RegistryChange:
        """Deregister a business for good (a DeregistrationReason `code`); its history stays readable."""
        return self._change_status("deregister", as_agency, uscc, code, reason)

    def _change_status(
        self, action: str, as_agency: str, uscc: str, reason_code: int | str, reason: str
    ) -> RegistryChange:
        salted = salt_reason(ReasonAction(action), reason_code, validate_reason(reason))
        code = validate_uscc(uscc)
        # The new version repeats the current record, so that record must still be the one on chain.
        # The chain repeats the current hash, so the new version keeps the current salts (or stays legacy).
        record, version, commitment = self._current(code)
        signer = self.keys.signer(as_agency)
        event_name, change_type = _STATUS_CHANGES[action]
        fn = getattr(self.contract.functions, action)(uscc_bytes(code), int(salted.code), salted.digest)
        receipt = self._record_version(fn, signer, record, commitment, version + 1, change_type, salted)
        [event] = self.gateway.events(self.contract, event_name, receipt)
        digest = commitment.root if commitment is not None else record_hash(record)
        return RegistryChange(code, event["version"], change_type, digest, receipt, salted)

    def _record_version(
        self,
        fn: Any,
        signer: Any,
        record: BusinessRecord,
        commitment: Commitment | None,
        version: int,
        change_type: ChangeType,
        reason: SaltedReason | None,
    ) -> Receipt:
        """Send `fn`, with the version it records staged in the store first under the number it should get.

        Two writers expecting the same number clash in the store before either sends (Conflict).
        """
        public, personal, stored_commitment = seal_parts(record, commitment)
        digest = commitment.root if commitment is not None else record_hash(record)

        def stage(session: Session, tx_hash: str) -> None:
            session.add(
                BusinessVersionRow(
                    uscc=record.uscc,
                    version=version,
                    change_type=int(change_type),
                    record_hash=_hex(digest),
                    commitment=stored_commitment,
                    public_record=public,
                    personal_data=self.cipher.seal(personal, version_context(record.uscc, version)),
                    agency=signer.address,
                    reason_code=None if reason is None else int(reason.code),
                    reason_hash=None if reason is None else _hex(reason.digest),
                    tx_hash=tx_hash,
                    block_number=None,
                )
            )
            if reason is not None:
                session.add(reason_row(reason, signer.address, tx_hash))

        return self.outbox.send(fn, signer, f"version {version} of {record.uscc}", stage)

    def versions_in(self, receipt: Receipt) -> dict[str, int]:
        """The version number each business got in a transaction, by USCC."""
        return {
            event["uscc"].decode("ascii"): event["version"]
            for name in _VERSION_EVENTS
            for event in self.gateway.events(self.contract, name, receipt)
        }

    def _current_record(self, uscc: str) -> BusinessRecord:
        return self._current(uscc)[0]

    def _current(self, uscc: str) -> tuple[BusinessRecord, int, Commitment | None]:
        """The stored record of the business's current version and its number, refused unless it matches
        the chain and is confirmed."""
        chain_hash, _, _, version, _, _ = self._business(uscc)
        row = self._stored_version(uscc, version)
        if row is not None and row.block_number is None:
            self.outbox.settle(row.tx_hash)
            row = self._stored_version(uscc, version)
        if row is None:
            raise Conflict(
                f"the store has no record of version {version} of {uscc}, the current one on chain"
            )
        if row.block_number is None:
            raise Conflict(
                f"version {version} of {uscc} is still being recorded (tx {row.tx_hash}); try again shortly"
            )
        record, commitment, problem = self._open(row, chain_hash)
        if record is None and problem is None:
            raise Conflict(f"the personal data of {uscc} was erased; its record can no longer change")
        if record is None:
            raise Conflict(f"version {version} of {uscc} in the store cannot be used: {problem}")
        return record, version, commitment

    def _stored_version(self, uscc: str, version: int) -> BusinessVersionRow | None:
        with self.store.session() as session:
            return session.scalars(
                select(BusinessVersionRow).where(
                    BusinessVersionRow.uscc == uscc, BusinessVersionRow.version == version
                )
            ).one_or_none()

    # ---- erasure (REGISTRAR; PIPL art. 47, GDPR art. 17) ----

    def erase_personal_data(self, as_agency: str, uscc: str) -> Erasure:
        """Delete the personal data of every version of a deregistered business, and the salts of its
        personal fields with it (crypto-shredding: they live only inside the sealed value deleted here).

        The chain's roots stay; without the salts their personal leaves reveal nothing, while the public
        fields remain provable. Only a deregistered business qualifies: a live register entry must name its
        legal representative. Recorded in the store (who, when); nothing goes on chain, so no transaction.
        """
        code = validate_uscc(uscc)
        signer = self.keys.signer(as_agency)
        if not self.consortium.has_active_role(signer.address, Role.REGISTRAR):
            raise PermissionDenied(
                f"{as_agency} is not an active registrar; only registrars erase personal data"
            )
        status = BusinessStatus(self._business(code)[5])
        if status is not BusinessStatus.DEREGISTERED:
            raise Conflict(
                f"{code} is {status.label}: only a deregistered business's personal data can be erased, "
                "since a live register entry must name its legal representative"
            )
        now = datetime.now(UTC)
        with self.store.session() as session:
            rows = session.scalars(select(BusinessVersionRow).where(BusinessVersionRow.uscc == code)).all()
            waiting = [row.tx_hash for row in rows if row.block_number is None]
            if waiting:
                raise Conflict(
                    f"a version of {code} is still being recorded (tx {waiting[0]}); try again shortly"
                )
            erased = []
            for row in rows:
                if row.personal_data is not None:
                    row.personal_data = None
                    row.erased_at, row.erased_by = now, signer.address
                    erased.append(row.version)
        self.store.purge_deleted()
        return Erasure(code, tuple(sorted(erased)), now, signer.address)

    # ---- notarised filings (NOTARY; REGISTRAR for what it issues) ----

    def notarise(
        self, as_agency: str, uscc: str, content: bytes, document_type: DocumentType | str
    ) -> FilingChange:
        """Notarise a document filed for a business: the SHA-256 of its bytes goes on chain."""
        return self.notarise_hash(as_agency, uscc, file_hash(content), document_type)

    def notarise_hash(
        self, as_agency: str, uscc: str, digest: bytes | str, document_type: DocumentType | str
    ) -> FilingChange:
        """Notarise a document known by its SHA-256 alone: the file itself never has to leave its owner."""
        code = validate_uscc(uscc)
        kind = document_type if isinstance(document_type, DocumentType) else DocumentType.parse(document_type)
        digest = digest if isinstance(digest, bytes) else parse_file_hash(digest)
        if len(digest) != 32:
            raise InvalidInput("must be a 32-byte SHA-256 hash", field="file_hash")
        signer = self.keys.signer(as_agency)

        def stage(session: Session, tx_hash: str) -> None:
            session.add(
                NotarisedFilingRow(
                    file_hash=_hex(digest),
                    uscc=code,
                    document_type=int(kind),
                    notary=signer.address,
                    tx_hash=tx_hash,
                    block_number=None,
                )
            )

        fn = self.contract.functions.notarise(digest, uscc_bytes(code), int(kind))
        receipt = self.outbox.send(fn, signer, f"the notarisation of 0x{digest.hex()}", stage)
        return FilingChange(digest, code, receipt)

    def revoke_notarisation(
        self, as_agency: str, notarised: bytes | str, code: int | str, reason: str
    ) -> FilingChange:
        """Revoke a notarisation (a file hash, or 64 hex digits) for a NotarisationRevocationReason `code`,
        in `reason`'s words (kept in the store); it stays on record, marked revoked."""
        digest = notarised if isinstance(notarised, bytes) else parse_file_hash(notarised)
        if len(digest) != 32:
            raise InvalidInput("must be a 32-byte SHA-256 hash", field="file_hash")
        salted = salt_reason(ReasonAction.REVOKE_NOTARISATION, code, validate_reason(reason))
        signer = self.keys.signer(as_agency)

        def stage(session: Session, tx_hash: str) -> None:
            row = session.get(NotarisedFilingRow, _hex(digest))
            # Filings notarised through another store have no row here; the chain still holds them whole.
            if row is not None:
                row.revoked_by = signer.address
                row.revocation_reason_code = int(salted.code)
                row.revocation_reason_hash = _hex(salted.digest)
                row.revocation_tx_hash = tx_hash
                row.revocation_block_number = None
                row.revocation_tx_index = None
            session.add(reason_row(salted, signer.address, tx_hash))

        fn = self.contract.functions.revokeNotarisation(digest, int(salted.code), salted.digest)
        receipt = self.outbox.send(fn, signer, f"the revocation of 0x{digest.hex()}", stage)
        [event] = self.gateway.events(self.contract, "NotarisationRevoked", receipt)
        return FilingChange(digest, event["uscc"].decode("ascii"), receipt, salted)

    # ---- public reads ----

    def lookup(self, uscc: str) -> BusinessLookup:
        """The business as the chain records it: every version with its stored record checked against the
        hash on chain, every filing, and for each the transaction and block that prove it."""
        code = validate_uscc(uscc)
        key = uscc_bytes(code)
        chain_hash, registrar, registered_at, _, updated_at, status = self._business(code)
        call, fns = self.gateway.call, self.contract.functions
        entries = call(fns.versions(key))
        file_hashes = call(fns.filingsOf(key))
        proofs = self._proofs(key)
        rows, filing_rows = self._stored(code)
        if _waiting(rows.values()) or _waiting(filing_rows.values()):
            self.outbox.settle_all()  # whatever the chain has decided since is confirmed or removed now
            rows, filing_rows = self._stored(code)
        notarisations = [call(fns.notarisation(fh)) for fh in file_hashes]
        texts = load_reason_texts(
            self.store, [entry[5] for entry in entries] + [raw[7] for raw in notarisations]
        )
        versions = tuple(
            self._version(number, entry, rows.pop(number, None), proofs.versions.get(number), texts)
            for number, entry in enumerate(entries, start=1)
        )
        filings = tuple(
            self._filing(fh, raw, proofs, filing_rows.pop(_hex(fh), None), texts)
            for fh, raw in zip(file_hashes, notarisations, strict=True)
        )
        # Rows still waiting on their transaction are in flight, not contradictions.
        unknown = [f"version {n}" for n, row in sorted(rows.items()) if row.block_number is not None] + [
            f"filing {fh}" for fh, row in sorted(filing_rows.items()) if row.block_number is not None
        ]
        return BusinessLookup(
            uscc=code,
            status=BusinessStatus(status),
            registrar=registrar,
            registrar_name=self._agency_name(registrar),
            registered_at=registered_at,
            updated_at=updated_at,
            record_hash=chain_hash,
            versions=versions,
            filings=filings,
            store_problems=tuple(
                f"the store holds {item}, which the chain does not know" for item in unknown
            ),
        )

    def _stored(self, uscc: str) -> tuple[dict[int, BusinessVersionRow], dict[str, NotarisedFilingRow]]:
        with self.store.session() as session:
            rows = {
                row.version: row
                for row in session.scalars(select(BusinessVersionRow).where(BusinessVersionRow.uscc == uscc))
            }
            filing_rows = {
                row.file_hash: row
                for row in session.scalars(select(NotarisedFilingRow).where(NotarisedFilingRow.uscc == uscc))
            }
        return rows, filing_rows

    def verify_file(self, content: bytes) -> FileVerification:
        """Was this file notarised? For which business, by whom, when, and is it revoked?"""
        return self.verify_file_hash(file_hash(content))

    def verify_file_hash(self, digest: bytes | str) -> FileVerification:
        digest = digest if isinstance(digest, bytes) else parse_file_hash(digest)
        try:
            raw = self.gateway.call(self.contract.functions.notarisation(digest))
        except ContractReverted as exc:
            if exc.error_name == "BusinessRegistryUnknownNotarisation":
                return FileVerification(digest, None)
            raise
        uscc = raw[0].decode("ascii")
        with self.store.session() as session:
            row = session.get(NotarisedFilingRow, _hex(digest))
        filing = self._filing(digest, raw, self._proofs(raw[0]), row, load_reason_texts(self.store, [raw[7]]))
        return FileVerification(digest, filing, self._business_name(uscc))

    # ---- checking the store against the chain ----

    def _version(
        self,
        number: int,
        entry: Any,
        row: BusinessVersionRow | None,
        proof: ChainProof | None,
        texts: Mapping[bytes, ReasonTextRow],
    ) -> RecordVersion:
        chain_hash, agency, change_type, at, reason_code, reason_digest = entry
        action = _REASON_ACTIONS.get(ChangeType(change_type))
        reason = None if action is None else stated(action, reason_code, reason_digest, texts)
        record, commitment, problem = None, None, None
        if row is None:
            problem = "the chain has this version, the store has no record of it"
        elif row.block_number is None:
            problem = f"the store's copy waits for its transaction {row.tx_hash} to be settled"
        else:
            record, commitment, problem = self._open(row, chain_hash)
            problem = problem or _differences(
                {
                    "record hash": row.record_hash == _hex(chain_hash),
                    "change type": row.change_type == change_type,
                    "agency": row.agency == agency,
                    "reason": _stored_reason(row.reason_code, row.reason_hash)
                    == _chain_reason(reason_code, reason_digest),
                    "transaction": _proves(proof, row.tx_hash, row.block_number),
                }
            )
        erased = row is not None and row.erased_at is not None and problem is None
        return RecordVersion(
            number=number,
            change_type=ChangeType.decode(change_type),
            record_hash=chain_hash,
            agency=agency,
            agency_name=self._agency_name(agency),
            at=at,
            reason=reason,
            proof=proof,
            record=record if problem is None else None,
            problem=problem,
            scheme=_scheme(row),
            commitment=commitment if problem is None else None,
            erased_at=_utc(row.erased_at) if row is not None else None,
            erased_by=self._agency_name(row.erased_by) if row is not None and row.erased_by else None,
            public_part=row.public_record if erased and commitment is not None else None,
            unchecked_public_part=row.public_record if erased and commitment is None else None,
        )

    def _open(
        self, row: BusinessVersionRow, chain_hash: bytes
    ) -> tuple[BusinessRecord | None, Commitment | None, str | None]:
        """The stored record of a version and its commitment (None: legacy), or why it cannot be trusted.

        An erased version has no record, only its public part: (None, commitment or None, None)."""
        if row.personal_data is None:
            return self._open_erased(row, chain_hash)
        try:
            record, commitment = self.open_row(row)
        except PermissionDenied:
            return (
                None,
                None,
                "its personal data cannot be decrypted: altered, moved, or sealed with another key",
            )
        except InvalidInput as exc:
            return None, None, f"the stored record is malformed ({exc})"
        digest = commitment.root if commitment is not None else record_hash(record)
        if digest != chain_hash:
            return (
                None,
                None,
                "the stored record does not match the hash on chain: it was altered after it was recorded",
            )
        return record, commitment, None

    def _open_erased(
        self, row: BusinessVersionRow, chain_hash: bytes
    ) -> tuple[None, Commitment | None, str | None]:
        if row.erased_at is None:
            return (
                None,
                None,
                "its personal data is missing and no erasure of it was recorded: it was deleted",
            )
        if row.commitment is None:
            # Legacy: the erased fields were inside the one hash, so nothing is left to check it with.
            return None, None, None
        try:
            commitment = erased_commitment(row.public_record, row.commitment)
        except InvalidInput as exc:
            return None, None, f"the stored record is malformed ({exc})"
        if commitment.root != chain_hash:
            return (
                None,
                None,
                "the stored record does not match the hash on chain: it was altered after it was recorded",
            )
        return None, commitment, None

    def row_digest(self, row: BusinessVersionRow) -> bytes | None:
        """The bytes32 a stored version reproduces, or None if it cannot (undecryptable, malformed,
        altered). An erased legacy version reproduces nothing; its recorded hash is taken as it is."""
        if row.personal_data is None:
            if row.erased_at is None:
                return None
            if row.commitment is None:
                return bytes.fromhex(row.record_hash.removeprefix("0x"))
            try:
                return erased_commitment(row.public_record, row.commitment).root
            except InvalidInput:
                return None
        try:
            record, commitment = self.open_row(row)
        except (PermissionDenied, InvalidInput):
            return None
        return commitment.root if commitment is not None else record_hash(record)

    def open_row(self, row: BusinessVersionRow) -> tuple[BusinessRecord, Commitment | None]:
        """A stored version's record and commitment, rebuilt from its values and salts (not yet checked
        against the chain). Raises PermissionDenied if it cannot be decrypted, InvalidInput if malformed."""
        try:
            personal = dict(self.cipher.open(row.personal_data, version_context(row.uscc, row.version)))
        except ValueError:
            raise PermissionDenied("the sealed personal data is not a sealed value") from None
        return open_parts(row.public_record, personal, row.commitment)

    def _filing(
        self,
        digest: bytes,
        raw: Any,
        proofs: _Proofs,
        row: NotarisedFilingRow | None,
        texts: Mapping[bytes, ReasonTextRow],
    ) -> Filing:
        raw_uscc, kind, notarised_at, notary, revoked_at, revoked_by, reason_code, reason_digest = raw
        uscc = raw_uscc.decode("ascii")
        proof = proofs.notarised.get(digest)
        revocation = None
        if revoked_at:
            revocation = Revocation(
                revoked_by=revoked_by,
                revoked_by_name=self._agency_name(revoked_by),
                at=revoked_at,
                reason=stated(ReasonAction.REVOKE_NOTARISATION, reason_code, reason_digest, texts),
                proof=proofs.revoked.get(digest),
            )
        problem = None
        if row is not None and row.block_number is None:
            problem = f"the store's copy waits for its transaction {row.tx_hash} to be settled"
        elif row is not None and row.revocation_tx_hash and row.revocation_block_number is None:
            problem = (
                f"the store's revocation waits for its transaction {row.revocation_tx_hash} to be settled"
            )
        elif row is not None:
            problem = _differences(
                {
                    "business": row.uscc == uscc,
                    "document type": row.document_type == kind,
                    "notary": row.notary == notary,
                    "transaction": _proves(proof, row.tx_hash, row.block_number),
                    "revocation": _stored_revocation(row) == _chain_revocation(revocation),
                }
            )
        return Filing(
            file_hash=digest,
            uscc=uscc,
            document_type=DocumentType(kind),
            notary=notary,
            notary_name=self._agency_name(notary),
            notarised_at=notarised_at,
            proof=proof,
            revocation=revocation,
            problem=problem,
        )

    def _proofs(self, key: bytes) -> _Proofs:
        """Every event of one business with its tx and block: the USCC is each event's first topic."""
        topic = "0x" + key.ljust(32, b"\0").hex()
        with self.gateway.translated_errors():
            logs = self.gateway.w3.eth.get_logs(
                {
                    "address": self.contract.address,
                    "fromBlock": self.from_block,
                    "toBlock": "latest",
                    "topics": [None, topic],
                }
            )
        proofs = _Proofs({}, {}, {})
        for log in logs:
            name = self._event_names[bytes(log["topics"][0])]
            args = self.contract.events[name]().process_log(log)["args"]
            proof = ChainProof("0x" + bytes(log["transactionHash"]).hex(), int(log["blockNumber"]))
            if name == "DocumentNotarised":
                proofs.notarised[args["fileHash"]] = proof
            elif name == "NotarisationRevoked":
                proofs.revoked[args["fileHash"]] = proof
            else:
                proofs.versions[args["version"]] = proof
        return proofs

    def _business(self, uscc: str) -> Any:
        try:
            return self.gateway.call(self.contract.functions.business(uscc_bytes(uscc)))
        except ContractReverted as exc:
            if exc.error_name == "BusinessRegistryUnknownBusiness":
                raise NotFound(f"no business with USCC {uscc} is registered") from None
            raise

    def _business_name(self, uscc: str) -> str | None:
        """The business's current registered name, if the store holds a record matching the chain."""
        try:
            return self._current_record(uscc).name
        except Conflict:
            return None

    def _agency_name(self, address: str) -> str:
        if address not in self._agency_names:
            try:
                self._agency_names[address] = self.consortium.member(address).name
            except ContractReverted:
                return address
        return self._agency_names[address]


@dataclass(frozen=True)
class _VersionRows:
    """Versions wait under the number the chain was expected to give them; if another writer's change
    landed first, the chain's number wins and the personal data is sealed again for it."""

    service: BusinessService
    rows: AnchoredRows = field(default_factory=lambda: AnchoredRows(BusinessVersionRow))

    def confirm(self, session: Session, receipt: Receipt) -> None:
        numbers = self.service.versions_in(receipt)
        cipher = self.service.cipher
        for row in session.scalars(select(BusinessVersionRow).where(self.rows.pending(receipt.tx_hash))):
            actual = numbers.get(row.uscc)
            if actual is not None and actual != row.version:
                # The salts travel inside the sealed part, so they move with it.
                personal = cipher.open(row.personal_data, version_context(row.uscc, row.version))
                row.personal_data = cipher.seal(personal, version_context(row.uscc, actual))
                row.version = actual
        session.flush()
        self.rows.confirm(session, receipt)

    def discard(self, session: Session, tx_hash: str) -> None:
        self.rows.discard(session, tx_hash)


def seal_parts(
    record: BusinessRecord, commitment: Commitment | None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """What the store keeps of a version: the public part, the personal part to seal (with the salts of
    the personal fields inside it, so erasing it shreds them too), and the commitment column."""
    public, personal = split_personal_data(record)
    if commitment is None:
        return public, personal, None
    private = personal_paths(record)
    personal["salts"] = {path: salt.hex() for path, salt in commitment.salts.items() if path in private}
    stored = {
        "scheme": SCHEME_SALTED,
        "leaves": {path: leaf.hex() for path, leaf in commitment.leaves.items()},
        "salts": {path: salt.hex() for path, salt in commitment.salts.items() if path not in private},
    }
    return public, personal, stored


def open_parts(
    public: Any, personal: dict[str, Any], stored: Mapping[str, Any] | None
) -> tuple[BusinessRecord, Commitment | None]:
    """The inverse of `seal_parts` (given the personal part already unsealed); the commitment is
    recomputed from the values and salts, and must give the very leaves the store kept."""
    sealed_salts = personal.pop("salts", None)
    record = join_personal_data(public, personal)
    if stored is None:
        return record, None
    if stored.get("scheme") != SCHEME_SALTED or not isinstance(sealed_salts, Mapping):
        raise InvalidInput("the stored commitment is of an unknown scheme or lacks its salts")
    try:
        salts = {path: bytes.fromhex(salt) for path, salt in {**stored["salts"], **sealed_salts}.items()}
        leaves = {path: bytes.fromhex(node) for path, node in stored["leaves"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidInput("the stored salts or leaves are not hex strings") from None
    commitment = commit(record, salts)
    if dict(commitment.leaves) != leaves:
        # Values or leaves altered: the copy no longer proves what the chain holds. A root nothing has.
        return record, Commitment(salts={}, leaves={"altered": b"\0" * 32})
    return record, commitment


def erased_commitment(public: Any, stored: Mapping[str, Any]) -> Commitment:
    """What is left of a salted version after erasure: the public fields' salts and every leaf. Each
    public value must still give its stored leaf; the personal leaves are taken as stored."""
    values = public_field_values(public)
    try:
        salts = {path: bytes.fromhex(salt) for path, salt in stored["salts"].items()}
        leaves = {path: bytes.fromhex(node) for path, node in stored["leaves"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidInput("the stored salts or leaves are not hex strings") from None
    if set(salts) != set(values):
        raise InvalidInput("the stored salts do not cover exactly the public fields")
    if any(
        path not in leaves or leaf(salts[path], path, value) != leaves[path] for path, value in values.items()
    ):
        return Commitment(salts={}, leaves={"altered": b"\0" * 32})
    return Commitment(salts=salts, leaves=leaves)


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every time the store keeps is UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _scheme(row: BusinessVersionRow | None) -> str | None:
    if row is None:
        return None
    return SCHEME_LEGACY if row.commitment is None else SCHEME_SALTED


def _waiting(rows: Iterable[Any]) -> bool:
    """Whether any of these rows waits on a transaction not yet settled."""
    return any(
        row.block_number is None
        or (getattr(row, "revocation_tx_hash", None) and row.revocation_block_number is None)
        for row in rows
    )


def _as_record(record: BusinessRecord | Mapping[str, Any]) -> BusinessRecord:
    if isinstance(record, BusinessRecord):
        return record
    return record_from_dict(record)


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _proves(proof: ChainProof | None, tx_hash: str | None, block_number: int | None) -> bool:
    return proof is not None and (proof.tx_hash, proof.block_number) == (tx_hash, block_number)


def _stored_reason(code: int | None, digest: str | None) -> tuple[int | None, str | None] | None:
    return None if digest is None and code is None else (code, digest)


def _chain_reason(code: int, digest: bytes) -> tuple[int, str] | None:
    return None if not any(digest) else (int(code), _hex(bytes(digest)))


def _stored_revocation(row: NotarisedFilingRow) -> tuple[Any, ...]:
    return (
        row.revoked_by,
        _stored_reason(row.revocation_reason_code, row.revocation_reason_hash),
        row.revocation_tx_hash,
        row.revocation_block_number,
    )


def _chain_revocation(revocation: Revocation | None) -> tuple[Any, ...]:
    if revocation is None:
        return (None, None, None, None)
    proof = revocation.proof
    reason = revocation.reason
    return (
        revocation.revoked_by,
        None if reason is None else (int(reason.code), _hex(reason.digest)),
        proof.tx_hash if proof else None,
        proof.block_number if proof else None,
    )


def _differences(agreement: Mapping[str, bool]) -> str | None:
    """A sentence naming what the store says differently from the chain, or None when it all agrees."""
    differing = [what for what, agrees in agreement.items() if not agrees]
    if not differing:
        return None
    verb = "differs" if len(differing) == 1 else "differ"
    return f"the store's {', '.join(differing)} {verb} from the chain's"
