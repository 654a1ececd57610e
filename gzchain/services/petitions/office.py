"""The petitions office and the mayor's office: proposals recorded by salted hash, published or rejected
with a reason code, answered within the deadline. The words stay in the store."""

from __future__ import annotations

from gzchain.domain.errors import NotFound
from gzchain.domain.petitions.reasons import RejectionReason
from gzchain.domain.petitions.texts import MAX_TITLE_CHARS, clean_text, salted
from gzchain.services.petitions.authority import IdentityAuthority
from gzchain.services.petitions.chain import PetitionsChain
from gzchain.store.db import Store
from gzchain.store.petitions import PetitionTextRow


def proposal_words(title: str, text: str) -> str:
    """What a proposal's hash commits to: the one-line title, a line break, the text."""
    return f"{title}\n{text}"


class PetitionsOffice:
    def __init__(
        self, chain: PetitionsChain, store: Store, authority: IdentityAuthority, relayer: str
    ) -> None:
        self.chain = chain
        self.store = store
        self.authority = authority
        self.relayer = relayer  # the office member whose key records residents' proposals and votes

    def propose(self, title: object, text: object) -> int:
        """A resident's proposal: on chain by its salted hash, with its token key from the authority."""
        clean_title = clean_text(title, field="title", max_chars=MAX_TITLE_CHARS)
        clean_body = clean_text(text, field="text")
        words = salted(proposal_words(clean_title, clean_body))
        receipt = self.chain.send(self.relayer, self.chain.fns.propose(words.hash))
        petition_id = self.chain.events("PetitionProposed", receipt)[0]["petitionId"]
        with self.store.session() as session:
            session.add(
                PetitionTextRow(
                    petition_id=petition_id,
                    title=clean_title,
                    text=clean_body,
                    salt="0x" + words.salt.hex(),
                    tx_hash=receipt.tx_hash,
                )
            )
        self.authority.create_token_key(petition_id)
        return petition_id

    def publish(self, as_agency: str, petition_id: int) -> None:
        self.chain.send(as_agency, self.chain.fns.publish(petition_id))

    def reject(self, as_agency: str, petition_id: int, reason: RejectionReason, words: object) -> None:
        reason_text = salted(clean_text(words, field="reason", max_chars=2_000))
        self._require_text(petition_id)
        self.chain.send(as_agency, self.chain.fns.reject(petition_id, int(reason), reason_text.hash))
        with self.store.session() as session:
            row = self._row(session, petition_id)
            row.rejection_text, row.rejection_salt = reason_text.text, "0x" + reason_text.salt.hex()

    def respond(self, as_agency: str, petition_id: int, words: object) -> None:
        """The mayor's office's answer (MAYOR_OFFICE)."""
        answer = salted(clean_text(words, field="text"))
        self._require_text(petition_id)
        self.chain.send(as_agency, self.chain.fns.respond(petition_id, answer.hash))
        with self.store.session() as session:
            row = self._row(session, petition_id)
            row.response_text, row.response_salt = answer.text, "0x" + answer.salt.hex()

    def _require_text(self, petition_id: int) -> None:
        with self.store.session() as session:
            self._row(session, petition_id)

    @staticmethod
    def _row(session, petition_id: int) -> PetitionTextRow:  # type: ignore[no-untyped-def]
        row = session.get(PetitionTextRow, petition_id)
        if row is None:
            raise NotFound(f"petition {petition_id} has no text in this store")
        return row
