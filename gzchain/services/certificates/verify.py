"""Verifying a certificate against the chain: OpenAttestation's checks, with the consortium as trust anchor.

Integrity and the validity period are decided from the document alone (gzchain.domain.certificates.
verification). Status asks the document's store whether its batch root is issued and whether any hash from
the certificate up to that root is revoked, as oa-verify does, and says when and why when one is. Issuer
identity replaces OA's DNS-TXT lookup: the issuer's domain must be a consortium member's, that member's store
in the DocumentStoreFactory must be the document's store, and the member must be an active certificate issuer.
Anything the chain cannot answer makes a fragment ERROR, never VALID.

Every verification reads the chain's head first and takes its answers as of that block, each asked once
per head (gzchain.services.certificates.chain_answers): a certificate of a known batch and issuer costs one
request when nothing changed, and a revocation or role change shows from the next block on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import select
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3Exception

from gzchain.chain.gateway import ChainGateway
from gzchain.domain.certificates.revocation import Revocation, RevocationReason
from gzchain.domain.certificates.verification import (
    Anchor,
    Check,
    Claims,
    Fragment,
    IssuerClaim,
    Status,
    Verdict,
    integrity,
    path_position,
    read_claims,
    utc_now,
    validity,
)
from gzchain.domain.consortium import MemberStatus
from gzchain.domain.errors import ChainUnavailable, ContractReverted, InvalidInput
from gzchain.domain.oa import WrappedDocument
from gzchain.domain.roles import Role
from gzchain.services.certificates.chain_answers import ZERO_ADDRESS, Head, answers_for
from gzchain.store.certificates import CertificateRevocationRow, revocation_context
from gzchain.store.crypto import PersonalDataCipher
from gzchain.store.db import Store

OA_BATCHABLE_INTERFACE = bytes.fromhex("dcfd0745")  # the ERC-165 id oa-verify asks document stores about
IDENTITY_PROOF_TYPE = "DNS-TXT"


class _Unanswered(Exception):
    """The chain could not answer a question a fragment depends on."""


class CertificateVerifier:
    def __init__(
        self,
        gateway: ChainGateway,
        consortium: Contract,
        factory: Contract,
        store: Store | None = None,
        cipher: PersonalDataCipher | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.gateway = gateway
        self.consortium = consortium  # the Consortium contract
        self.factory = factory  # the DocumentStoreFactory contract
        # The issuer's words behind a revocation, when it was recorded through this gzchain's store.
        self.store = store
        self.cipher = cipher
        self.clock = clock
        self.answers = answers_for(gateway)

    def verify(
        self, document: WrappedDocument, at: datetime | None = None, head: Head | None = None
    ) -> Verdict:
        """Every fragment of `document`'s verification; `at` is the moment validity is judged (now), `head`
        the block the chain is asked at (the latest, read here unless the caller has just read it)."""
        intact = integrity(document)
        period = validity(document, at or self.clock())
        try:
            claims = read_claims(document)
        except InvalidInput as exc:
            return _unjudged(intact, period, f"the document cannot be read: {exc}")
        try:
            head = head if head is not None else self.answers.head()
        except ChainUnavailable as exc:
            return _unjudged(intact, period, f"the chain could not be asked ({exc}); nothing is known")
        status, revocation = self._status(claims, head)
        return Verdict((intact, status, self._identity(claims, head), period), revocation)

    # ---- status: issued, and not revoked anywhere on the way to the root ----

    def _status(self, claims: Claims, head: Head) -> tuple[Fragment, Revocation | None]:
        if claims.chain_id is not None and claims.chain_id != str(self.gateway.chain_id):
            return (
                Fragment(
                    Check.STATUS,
                    Status.INVALID,
                    f"the document is anchored on chain {claims.chain_id}, not on this chain "
                    f"({self.gateway.chain_id})",
                ),
                None,
            )
        reasons = []
        for store in dict.fromkeys(issuer.document_store.lower() for issuer in claims.issuers):
            try:
                fragment, revocation = self._status_on(Web3.to_checksum_address(store), claims, head)
            except _Unanswered as exc:
                return Fragment(Check.STATUS, Status.ERROR, str(exc)), None
            if fragment.status is not Status.VALID:
                return fragment, revocation
            reasons.append(fragment.reason)
        return Fragment(Check.STATUS, Status.VALID, "; ".join(reasons)), None

    def _status_on(self, address: str, claims: Claims, head: Head) -> tuple[Fragment, Revocation | None]:
        anchor = claims.anchor
        root = "0x" + anchor.merkle_root.hex()
        ask = self.answers.call
        with self._asking(f"document store {address}"):
            if not self.answers.code_at(head, address):
                return Fragment(
                    Check.STATUS, Status.INVALID, f"there is no document store at {address} on this chain"
                ), None
            contract = self.gateway.contract("DocumentStore", address)
            if not ask(head, contract, "isIssued", anchor.merkle_root):
                return Fragment(
                    Check.STATUS, Status.INVALID, f"its batch {root} was never issued on store {address}"
                ), None
            issued_block = ask(head, contract, "documentIssued", anchor.merkle_root)
            issued_at = self.answers.timestamp(head, issued_block)
            path = anchor.path()
            to_ask, reported_revoked = self._hashes_to_ask(contract, anchor, head)
            for revoked in to_ask:
                if ask(head, contract, "isRevoked", revoked):
                    revocation = self._revocation(contract, address, revoked, head)
                    reason = (
                        f"REVOKED: {path_position(anchor, revoked)} was {revocation.describe()} "
                        f"(hash 0x{revoked.hex()} on store {address})"
                    )
                    return Fragment(Check.STATUS, Status.INVALID, reason), revocation
        if reported_revoked:
            reason = f"REVOKED: store {address} reports it revoked, but names no revoked hash on its path"
            return Fragment(Check.STATUS, Status.INVALID, reason), None
        return Fragment(
            Check.STATUS,
            Status.VALID,
            f"issued on {_date(issued_at)} in block {issued_block} on store {address}; not revoked "
            f"({len(path)} hash(es) from the certificate to its batch root checked)",
        ), None

    def _hashes_to_ask(self, contract: Contract, anchor: Anchor, head: Head) -> tuple[list[bytes], bool]:
        """The hashes to ask `isRevoked(bytes32)` about, as oa-verify does on a legacy store: all of them from
        the certificate to the root. A store made by the consortium's factory runs our code, whose
        revocations the chain-answers index knows from its events, so only the hashes it lists as revoked
        are asked about (to confirm, and to say when and why). Any other batchable store answers for the
        whole path in one call first, so only a revoked certificate costs a call per hash; the second
        value is that answer (False where the store was not asked)."""
        path = anchor.path()
        if self.answers.call(head, self.factory, "agencyOf", contract.address) != ZERO_ADDRESS:
            revoked_here = self.answers.revoked_on(head, contract.address)
            return [hash_ for hash_ in path if hash_ in revoked_here], False
        if path[-1] != anchor.merkle_root or not self._batchable(contract, head):
            return path, False
        revoked = self.answers.call(
            head, contract, "isRevoked", anchor.merkle_root, anchor.target_hash, anchor.proof
        )
        return (path, True) if revoked else ([], False)

    def _batchable(self, contract: Contract, head: Head) -> bool:
        try:
            return bool(self.answers.call(head, contract, "supportsInterface", OA_BATCHABLE_INTERFACE))
        except (ContractReverted, Web3Exception):
            return False  # no ERC-165: a legacy store

    def _revocation(self, contract: Contract, address: str, revoked: bytes, head: Head) -> Revocation:
        block_number, revoked_at, reason = self.answers.call(head, contract, "revocation", revoked)
        return Revocation(
            hash=revoked,
            block_number=block_number,
            revoked_at=revoked_at,
            reason=RevocationReason(reason),
            text=self._reason_text(address, revoked),
        )

    def _reason_text(self, address: str, revoked: bytes) -> str | None:
        if self.store is None or self.cipher is None:
            return None
        revoked_hash = "0x" + revoked.hex()
        with self.store.session() as session:
            sealed = session.scalars(
                select(CertificateRevocationRow.reason_text).where(
                    CertificateRevocationRow.document_store == address,
                    CertificateRevocationRow.revoked_hash == revoked_hash,
                )
            ).first()
        return None if sealed is None else self.cipher.open(sealed, revocation_context(address, revoked_hash))

    # ---- issuer identity: the consortium plays the DNS-TXT record ----

    def _identity(self, claims: Claims, head: Head) -> Fragment:
        reasons = []
        for issuer in claims.issuers:
            try:
                status, reason = self._issuer_identity(issuer, head)
            except _Unanswered as exc:
                return Fragment(Check.ISSUER_IDENTITY, Status.ERROR, str(exc))
            if status is not Status.VALID:
                return Fragment(Check.ISSUER_IDENTITY, status, f"issuer {issuer.index + 1}: {reason}")
            reasons.append(reason)
        return Fragment(Check.ISSUER_IDENTITY, Status.VALID, "; ".join(reasons))

    def _issuer_identity(self, issuer: IssuerClaim, head: Head) -> tuple[Status, str]:
        if issuer.identity_type != IDENTITY_PROOF_TYPE:
            return Status.INVALID, (
                f"identity proof {issuer.identity_type or 'missing'}: gzchain knows issuers by the domain"
                f" ({IDENTITY_PROOF_TYPE}) the consortium registered for them"
            )
        domain = issuer.domain
        if not domain:
            return Status.INVALID, "the identity proof names no domain"
        claimed = Web3.to_checksum_address(issuer.document_store)
        ask, consortium, factory = self.answers.call, self.consortium, self.factory
        with self._asking("the consortium"):
            agency = ask(head, consortium, "memberByDomain", domain)
            if agency == ZERO_ADDRESS:
                return Status.INVALID, f"{domain} is not the domain of any consortium member"
            name, _, member_status, _ = ask(head, consortium, "member", agency)
            store = ask(head, factory, "storeOf", agency)
            owner = ask(head, factory, "agencyOf", claimed)
            active = ask(head, consortium, "hasActiveRole", Role.CERT_ISSUER.id, agency)
        if store == ZERO_ADDRESS:
            return Status.INVALID, f"{domain} is {name}, which has no document store in the consortium"
        if store != claimed:
            whose = (
                "a store outside the consortium's registry"
                if owner == ZERO_ADDRESS
                else "another agency's store"
            )
            return Status.INVALID, (
                f"{domain} is {name}, whose document store is {store}; this document names {claimed}, {whose}"
            )
        if not active:
            why = (
                "is suspended"
                if MemberStatus(member_status) is MemberStatus.SUSPENDED
                else "holds no CERT_ISSUER"
            )
            return Status.INVALID, f"{domain} is {name}, which {why}: it is not an active certificate issuer"
        return Status.VALID, (
            f"{domain} is {name}, an active certificate issuer of the consortium, and {store} is its store"
        )

    @contextmanager
    def _asking(self, whom: str) -> Iterator[None]:
        try:
            yield
        except ChainUnavailable as exc:
            raise _Unanswered(f"the chain could not be asked ({exc}); nothing is known") from exc
        except (ContractReverted, Web3Exception) as exc:
            raise _Unanswered(f"{whom} gave no usable answer ({exc})") from exc


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _unjudged(intact: Fragment, period: Fragment, reason: str) -> Verdict:
    """A verdict whose status and issuer identity could not be judged, for `reason`."""
    status = Fragment(Check.STATUS, Status.ERROR, reason)
    return Verdict((intact, status, Fragment(Check.ISSUER_IDENTITY, Status.ERROR, reason), period))
