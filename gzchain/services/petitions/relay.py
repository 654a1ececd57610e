"""The vote relay: residents' votes queue in the store and the petitions office sends them in batches.

Residents have no account on the network, so a member relays; batching many votes in one `supportMany`
makes one transaction per batch instead of per vote, and blurs the timing of any one vote. The contract
decides each vote (counted, or skipped by reason); a request's votes wait for the batch that carries them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select

from gzchain.chain.gateway import Receipt
from gzchain.domain.errors import ContractReverted, InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.petitions.fdh import nullifier
from gzchain.domain.petitions.states import SkipReason
from gzchain.services.petitions.chain import PetitionsChain
from gzchain.store.db import Store
from gzchain.store.petitions import PetitionVoteRow

MAX_SIGNATURE_BYTES = 512
DEFAULT_BATCH = 200  # votes per transaction: ~40k gas each keeps a batch well under a block's gas limit


@dataclass(frozen=True)
class Vote:
    token: bytes
    signature: bytes

    def __post_init__(self) -> None:
        if len(self.token) != 32:
            raise InvalidInput("must be 32 bytes", field="token")
        if not 0 < len(self.signature) <= MAX_SIGNATURE_BYTES:
            raise InvalidInput(f"must be 1 to {MAX_SIGNATURE_BYTES} bytes", field="signature")


@dataclass(frozen=True)
class VoteResult:
    nullifier: bytes
    counted: bool
    refused: str | None  # the contract's error name for a skipped vote


class VoteRelay:
    def __init__(
        self,
        chain: PetitionsChain,
        store: Store,
        relayer: str,
        lock: threading.Lock,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        self.chain = chain
        self.store = store
        self.relayer = relayer
        self.lock = lock  # one relay at a time per process: shared by every request's relay
        self.batch_size = batch_size

    def submit(self, petition_id: int, votes: list[Vote]) -> list[VoteResult]:
        """Queue the votes, relay everything queued, and answer for these votes."""
        with self.store.session() as session:
            rows = [
                PetitionVoteRow(
                    petition_id=petition_id,
                    nullifier="0x" + nullifier(petition_id, vote.token).hex(),
                    token="0x" + vote.token.hex(),
                    signature="0x" + vote.signature.hex(),
                    status="queued",
                )
                for vote in votes
            ]
            session.add_all(rows)
            session.flush()
            ids = [row.id for row in rows]
        failures = self.flush()
        with self.store.session() as session:
            done = {
                row.id: row
                for row in session.scalars(select(PetitionVoteRow).where(PetitionVoteRow.id.in_(ids)))
            }
        mine = [done[i] for i in ids]
        batch_errors = {failures[i] for i in ids if i in failures}
        if batch_errors and all(row.status == "failed" for row in mine):
            raise next(iter(batch_errors))
        return [
            VoteResult(
                bytes.fromhex(row.nullifier[2:]),
                row.status == "counted",
                SkipReason(row.reason).error_name if row.reason else row.error,
            )
            for row in mine
        ]

    def flush(self) -> dict[int, ContractReverted]:
        """Send every queued vote, a batch per petition at a time; returns whole-batch refusals by row id."""
        failures: dict[int, ContractReverted] = {}
        with self.lock:
            while True:
                with self.store.session() as session:
                    first = session.scalars(
                        select(PetitionVoteRow)
                        .where(PetitionVoteRow.status == "queued")
                        .order_by(PetitionVoteRow.id)
                    ).first()
                    if first is None:
                        return failures
                    batch = list(
                        session.scalars(
                            select(PetitionVoteRow)
                            .where(
                                PetitionVoteRow.status == "queued",
                                PetitionVoteRow.petition_id == first.petition_id,
                            )
                            .order_by(PetitionVoteRow.id)
                            .limit(self.batch_size)
                        )
                    )
                self._send(batch, failures)

    def _send(self, batch: list[PetitionVoteRow], failures: dict[int, ContractReverted]) -> None:
        petition_id = batch[0].petition_id
        tokens = [bytes.fromhex(row.token[2:]) for row in batch]
        signatures = [bytes.fromhex(row.signature[2:]) for row in batch]
        try:
            receipt = self.chain.send(
                self.relayer, self.chain.fns.supportMany(petition_id, tokens, signatures)
            )
        except ContractReverted as exc:
            with self.store.session() as session:
                for row in batch:
                    stored = session.get(PetitionVoteRow, row.id)
                    assert stored is not None
                    stored.status, stored.error = "failed", exc.error_name
                    failures[row.id] = exc
            return
        outcomes = self._outcomes(receipt)
        with self.store.session() as session:
            for row, (counted, reason) in zip(batch, outcomes, strict=True):
                stored = session.get(PetitionVoteRow, row.id)
                assert stored is not None
                stored.status = "counted" if counted else "skipped"
                stored.reason = None if counted else int(reason)
                stored.tx_hash, stored.block_number = receipt.tx_hash, receipt.block_number

    def _outcomes(self, receipt: Receipt) -> list[tuple[bool, SkipReason]]:
        """Each vote's fate in batch order: every vote emits exactly one Supported or SupportSkipped."""
        outcomes: list[tuple[bool, SkipReason]] = []
        for log in receipt.logs:
            if log["address"] != self.chain.contract.address or not log["topics"]:
                continue
            topic = bytes(log["topics"][0])
            if topic == _SUPPORTED:
                outcomes.append((True, SkipReason.NONE))
            elif topic == _SKIPPED:
                outcomes.append((False, SkipReason(int.from_bytes(bytes(log["data"])[-32:], "big"))))
        return outcomes


# Matched by topic rather than decoded through the ABI: a batch of hundreds of votes has as many logs.
_SUPPORTED = keccak(b"PetitionSupported(uint256,bytes32,uint32)")
_SKIPPED = keccak(b"PetitionSupportSkipped(uint256,bytes32,uint8)")
