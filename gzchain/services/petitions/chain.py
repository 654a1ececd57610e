"""The Petitions contract as the petitions services see it: typed reads and writes signed by an agency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3.contract import Contract

from gzchain.chain.gateway import ChainGateway, Receipt
from gzchain.chain.keys import KeyRing
from gzchain.domain.petitions.blind import TokenPublicKey
from gzchain.domain.petitions.rules import Rules
from gzchain.domain.petitions.states import CredentialStatus, PetitionState, PetitionStatus


@dataclass(frozen=True)
class PetitionOnChain:
    id: int
    status: PetitionStatus
    state: PetitionState
    text_hash: bytes
    proposed_at: int
    published_at: int | None
    support_ends_at: int | None
    threshold_reached_at: int | None
    response_due_at: int | None
    responded_at: int | None
    threshold: int | None
    supporters: int
    rejection_code: int | None
    rejection_hash: bytes | None
    response_hash: bytes | None

    @classmethod
    def of(cls, petition_id: int, raw: Any, state: int) -> PetitionOnChain:
        (status, text_hash, proposed, published, ends, reached, due, responded, threshold, _, supporters,
         rejection_code, rejection_hash, response_hash) = raw  # fmt: skip
        zero = b"\x00" * 32
        return cls(
            id=petition_id,
            status=PetitionStatus(status),
            state=PetitionState(state),
            text_hash=bytes(text_hash),
            proposed_at=proposed,
            published_at=published or None,
            support_ends_at=ends or None,
            threshold_reached_at=reached or None,
            response_due_at=due or None,
            responded_at=responded or None,
            threshold=threshold or None,
            supporters=supporters,
            rejection_code=rejection_code or None,
            rejection_hash=None if bytes(rejection_hash) == zero else bytes(rejection_hash),
            response_hash=None if bytes(response_hash) == zero else bytes(response_hash),
        )


class PetitionsChain:
    def __init__(self, gateway: ChainGateway, keys: KeyRing, address: str, from_block: int = 0) -> None:
        self.gateway = gateway
        self.keys = keys
        self.contract: Contract = gateway.contract("Petitions", address)
        self.fns = self.contract.functions
        self.from_block = from_block

    def send(self, agency_id: str, fn: Any) -> Receipt:
        return self.gateway.transact(fn, self.keys.signer(agency_id))

    def events(self, name: str, receipt: Receipt) -> list[dict[str, Any]]:
        return self.gateway.events(self.contract, name, receipt)

    def call(self, fn: Any) -> Any:
        return self.gateway.call(fn)

    def count(self) -> int:
        return self.call(self.fns.petitionCount())

    def petition(self, petition_id: int) -> PetitionOnChain:
        raw = self.call(self.fns.petition(petition_id))
        return PetitionOnChain.of(petition_id, raw, self.call(self.fns.state(petition_id)))

    def token_key(self, petition_id: int) -> TokenPublicKey | None:
        modulus, exponent = self.call(self.fns.tokenKey(petition_id))
        return TokenPublicKey.from_chain(bytes(modulus), exponent) if modulus else None

    def is_spent(self, nullifier: bytes) -> bool:
        return self.call(self.fns.isSpent(nullifier))

    def credential_status(self, credential: str) -> CredentialStatus:
        return CredentialStatus(self.call(self.fns.credentialStatus(credential)))

    def enrolled_count(self) -> int:
        return self.call(self.fns.enrolledCount())

    def rules(self) -> Rules:
        return Rules.from_chain(self.call(self.fns.rules()))

    def now(self) -> int:
        return self.gateway.latest_timestamp()
