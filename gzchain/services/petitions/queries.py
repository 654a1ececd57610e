"""What anyone may read about petitions: the chain's record, the store's words checked against it."""

from __future__ import annotations

from dataclasses import dataclass

from gzchain.domain.errors import NotFound
from gzchain.domain.petitions.blind import TokenPublicKey
from gzchain.domain.petitions.reasons import RejectionReason
from gzchain.domain.petitions.rules import Rules
from gzchain.domain.petitions.states import CredentialStatus, PetitionState
from gzchain.domain.petitions.texts import text_hash
from gzchain.services.petitions.chain import PetitionOnChain, PetitionsChain
from gzchain.services.petitions.office import proposal_words
from gzchain.services.petitions.residents import credential_address
from gzchain.store.db import Store
from gzchain.store.petitions import PetitionTextRow


@dataclass(frozen=True)
class Words:
    text: str | None  # None when this store does not hold them
    verified: bool  # the salted hash of `text` is the one on chain


@dataclass(frozen=True)
class PetitionView:
    chain: PetitionOnChain
    title: str | None
    text: Words
    rejection: Words | None
    rejection_reason: RejectionReason | None
    response: Words | None
    token_key: TokenPublicKey | None

    @property
    def late(self) -> bool:
        due, at = self.chain.response_due_at, self.chain.responded_at
        return bool(due and at and at > due)


class PetitionQueries:
    def __init__(self, chain: PetitionsChain, store: Store) -> None:
        self.chain = chain
        self.store = store

    def petition(self, petition_id: int) -> PetitionView:
        if not 0 < petition_id <= self.chain.count():
            raise NotFound(f"no petition {petition_id}")
        on_chain = self.chain.petition(petition_id)
        with self.store.session() as session:
            row = session.get(PetitionTextRow, petition_id)
        return _view(on_chain, row, self.chain.token_key(petition_id))

    def petitions(self, state: PetitionState | None = None) -> list[PetitionView]:
        """Newest first; `state` as the chain decides it now."""
        found = [self.petition(i) for i in range(self.chain.count(), 0, -1)]
        return [view for view in found if state is None or view.chain.state is state]

    def overdue(self) -> list[PetitionView]:
        return self.petitions(PetitionState.OVERDUE)

    def counted(self, petition_id: int, nullifier: bytes) -> bool:
        """Whether the vote with this nullifier counted: the wallet's receipt check (its token stays home)."""
        if not 0 < petition_id <= self.chain.count():
            raise NotFound(f"no petition {petition_id}")
        return self.chain.is_spent(nullifier)

    def credential(self, credential: str) -> CredentialStatus:
        return self.chain.credential_status(credential_address(credential))

    def rules(self) -> Rules:
        return self.chain.rules()


def _checked(text: str | None, salt: str | None, on_chain: bytes | None) -> Words | None:
    if on_chain is None:
        return None
    if text is None or salt is None:
        return Words(None, False)
    return Words(text, text_hash(text, bytes.fromhex(salt[2:])) == on_chain)


def _view(on_chain: PetitionOnChain, row: PetitionTextRow | None, key: TokenPublicKey | None) -> PetitionView:
    if row is None:
        proposal = Words(None, False)
    else:
        proposal = Words(
            row.text,
            text_hash(proposal_words(row.title, row.text), bytes.fromhex(row.salt[2:])) == on_chain.text_hash,
        )
    code = on_chain.rejection_code
    return PetitionView(
        chain=on_chain,
        title=row.title if row else None,
        text=proposal,
        rejection=_checked(
            row.rejection_text if row else None, row.rejection_salt if row else None, on_chain.rejection_hash
        ),
        rejection_reason=RejectionReason(code) if code in RejectionReason._value2member_map_ else None,
        response=_checked(
            row.response_text if row else None, row.response_salt if row else None, on_chain.response_hash
        ),
        token_key=key,
    )
