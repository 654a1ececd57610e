"""Pending-first writes: a transaction's off-chain payload reaches the store before the transaction is sent.

The chain holds only hashes of what a write records; the store holds the rest. Writing the store only after
the chain accepted would lose that rest to a crash in between, leaving a hash nothing can be checked
against. So each write stages its rows first (with the transaction's hash, no block yet), sends, and once
the receipt is in confirms them in one unit of work; a refused transaction removes them. What a crash leaves
pending is settled against the chain later: mined and successful → confirmed; refused, or its nonce used by
another transaction → removed; never seen by the chain → removed when recovering.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, Protocol

from eth_account.signers.local import LocalAccount
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from web3.exceptions import TransactionNotFound

from gzchain.chain.backends import EmbeddedBackend
from gzchain.chain.gateway import ChainGateway
from gzchain.chain.transactions import Receipt, SignedTransaction
from gzchain.domain.errors import ChainUnavailable, Conflict, ContractReverted
from gzchain.store.db import Store, StoreUnavailable
from gzchain.store.outbox import PendingTransactionRow

Outcome = Literal["confirmed", "removed", "pending"]
Stage = Callable[[Session, str], None]  # adds a write's rows, given the hash of the tx that records them


class PendingPart(Protocol):
    """Rows of one kind that wait on a transaction: how to confirm them, and how to take them back."""

    def confirm(self, session: Session, receipt: Receipt) -> None: ...

    def discard(self, session: Session, tx_hash: str) -> None: ...


@dataclass(frozen=True)
class AnchoredRows:
    """Rows of `model` whose `tx` column names their transaction and whose `block` stays empty until then.

    A refused transaction deletes them; with `clear_on_refusal` it empties those columns instead (a change
    recorded on a row that existed before, such as a revocation).
    """

    model: Any
    tx: str = "tx_hash"
    block: str = "block_number"
    index: str = "tx_index"
    clear_on_refusal: tuple[str, ...] = ()

    def pending(self, tx_hash: str) -> Any:
        columns = self.model.__table__.c
        return (columns[self.tx] == tx_hash) & columns[self.block].is_(None)

    def confirm(self, session: Session, receipt: Receipt) -> None:
        session.execute(
            update(self.model)
            .where(self.pending(receipt.tx_hash))
            .values({self.block: receipt.block_number, self.index: receipt.tx_index}),
            execution_options=_UNSYNCHRONISED,
        )

    def discard(self, session: Session, tx_hash: str) -> None:
        if self.clear_on_refusal:
            statement = update(self.model).values(dict.fromkeys(self.clear_on_refusal))
        else:
            statement = delete(self.model)
        session.execute(statement.where(self.pending(tx_hash)), execution_options=_UNSYNCHRONISED)


# Settling runs in a session of its own that has loaded none of the rows, so the ORM need not fetch the key of
# every row touched to keep loaded objects in step: one document's readings can be 100,000 rows.
_UNSYNCHRONISED: Final = {"synchronize_session": False}


@dataclass
class Recovery:
    """What settling one owner's pending writes did, transaction by transaction."""

    confirmed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    def add(self, tx_hash: str, outcome: Outcome) -> None:
        getattr(self, outcome).append(tx_hash)


class Outbox:
    """Pending-first writes for one service (`owner`), whose rows are described by `parts`."""

    def __init__(self, gateway: ChainGateway, store: Store, owner: str, parts: Sequence[PendingPart]) -> None:
        self.gateway = gateway
        self.store = store
        self.owner = owner
        self.parts = tuple(parts)
        # How long a staged transaction the chain has never seen may still be on its way: none on the
        # embedded chain, which lives in this process; on a node, another process may be about to send it.
        self.grace = timedelta(
            seconds=0 if isinstance(gateway.backend, EmbeddedBackend) else gateway.tx_timeout_seconds
        )

    # ---- writing ----

    def send(self, fn: Any, signer: LocalAccount, purpose: str, stage: Stage) -> Receipt:
        """Stage a write's rows, send `fn`, and confirm the rows once the chain accepted it.

        A refused transaction takes its rows back. If the outcome is unknown (the node went away after the
        send) they stay pending, for `settle` or `recover` to decide once the chain answers.
        """
        staged: list[SignedTransaction] = []

        def on_signed(signed: SignedTransaction) -> None:
            try:
                with self.store.session() as session:
                    session.add(
                        PendingTransactionRow(
                            tx_hash=signed.tx_hash,
                            owner=self.owner,
                            sender=signed.sender,
                            nonce=signed.nonce,
                            purpose=purpose,
                            created_at=datetime.now(UTC),
                        )
                    )
                    stage(session, signed.tx_hash)
            except StoreUnavailable as exc:
                if isinstance(exc.__cause__, IntegrityError):
                    raise Conflict(
                        f"{purpose} clashes with what the store holds or is recording; "
                        "try again once that write is settled"
                    ) from exc
                raise
            staged.append(signed)

        try:
            receipt = self.gateway.transact(fn, signer, on_signed)
        except ContractReverted:
            if staged:  # mined and refused
                self._settle_as(staged[0].tx_hash, None)
            raise
        except ChainUnavailable as exc:
            if staged and exc.tx_hash is None:
                # The send itself failed; if the chain can tell already, settle now.
                self._quietly_settle(staged[0].tx_hash)
            raise
        self.confirm(receipt, purpose)
        return receipt

    def confirm(self, receipt: Receipt, purpose: str) -> None:
        try:
            self._settle_as(receipt.tx_hash, receipt)
        except StoreUnavailable as exc:
            raise StoreUnavailable(
                f"the chain recorded {purpose} in tx {receipt.tx_hash}, but the store could not confirm "
                f"it ({exc}); its rows are kept pending and are confirmed on the next recovery"
            ) from exc

    # ---- settling what a crash or a lost node left pending ----

    def settle(self, tx_hash: str, *, final: bool = False) -> Outcome:
        """Decide one pending transaction by the chain's word; `final` also removes one the chain has never
        seen (staged longer ago than the grace period), which is safe only when nothing else is sending."""
        with self.store.session() as session:
            row = session.get(PendingTransactionRow, tx_hash)
        if row is None:
            return "confirmed" if self._confirmed_elsewhere(tx_hash) else "removed"
        outcome = self._outcome(row, final)
        if outcome == "pending":
            return "pending"
        if outcome == "removed":
            self._settle_as(tx_hash, None)
            return "removed"
        self._settle_as(tx_hash, outcome)
        return "confirmed"

    def settle_all(self, *, final: bool = False) -> Recovery:
        """Settle every pending transaction of this owner; what stays pending is still in flight."""
        with self.store.session() as session:
            hashes = session.scalars(
                select(PendingTransactionRow.tx_hash)
                .where(PendingTransactionRow.owner == self.owner)
                .order_by(PendingTransactionRow.created_at)
            ).all()
        recovery = Recovery()
        for tx_hash in hashes:
            recovery.add(tx_hash, self.settle(tx_hash, final=final))
        return recovery

    def _outcome(self, row: PendingTransactionRow, final: bool) -> Receipt | Literal["removed", "pending"]:
        try:
            receipt = self.gateway.find_receipt(row.tx_hash)
        except ContractReverted:
            return "removed"
        if receipt is not None:
            return receipt
        with self.gateway.translated_errors():
            mined_count = self.gateway.w3.eth.get_transaction_count(row.sender, "latest")  # type: ignore[arg-type]
        if mined_count > row.nonce:
            # Another transaction took its nonce, unless it was mined between the two questions.
            try:
                receipt = self.gateway.find_receipt(row.tx_hash)
            except ContractReverted:
                return "removed"
            return receipt if receipt is not None else "removed"
        if final and not self._seen(row.tx_hash) and _age(row.created_at) >= self.grace:
            return "removed"
        return "pending"

    def _seen(self, tx_hash: str) -> bool:
        """Does the chain know the transaction at all (mined, or waiting in its pool)?"""
        with self.gateway.translated_errors():
            try:
                self.gateway.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                return False
        return True

    def _settle_as(self, tx_hash: str, receipt: Receipt | None) -> None:
        """Confirm (given a receipt) or take back (None) the rows waiting on tx_hash, in one unit of work."""
        with self.store.session() as session:
            for part in self.parts:
                if receipt is None:
                    part.discard(session, tx_hash)
                else:
                    part.confirm(session, receipt)
            session.execute(delete(PendingTransactionRow).where(PendingTransactionRow.tx_hash == tx_hash))

    def _quietly_settle(self, tx_hash: str) -> None:
        # If the chain cannot tell yet, the rows stay pending: the next read or recovery decides.
        with contextlib.suppress(ChainUnavailable, StoreUnavailable):
            self.settle(tx_hash)

    def _confirmed_elsewhere(self, tx_hash: str) -> bool:
        """Whether a concurrent settle already confirmed the rows of tx_hash (rather than removing them)."""
        try:
            return self.gateway.find_receipt(tx_hash) is not None
        except ContractReverted:
            return False


def _age(created_at: datetime) -> timedelta:
    if created_at.tzinfo is None:  # SQLite hands back naive datetimes
        created_at = created_at.replace(tzinfo=UTC)
    return datetime.now(UTC) - created_at
