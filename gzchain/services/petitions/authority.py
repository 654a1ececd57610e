"""The identity authority: enrols residents after a real-name check, keeps one credential per resident, and
blind-signs one token per resident and petition.

Its books hold HMAC(pepper, ID number) → credential, never the number; its token keys are sealed with the
store key. It signs a blinded value, so it cannot later tell which vote a signature became.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gzchain.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from gzchain.domain.petitions.blind import TokenPrivateKey, generate_key
from gzchain.domain.petitions.identity import RealNameCheck, resident_key
from gzchain.domain.petitions.states import CredentialStatus, PetitionState
from gzchain.services.petitions.chain import PetitionsChain
from gzchain.services.petitions.residents import check_enrolment_proof, credential_address
from gzchain.store.crypto import PersonalDataCipher
from gzchain.store.db import Store, StoreUnavailable
from gzchain.store.petitions import PetitionCredentialRow, PetitionIssuanceRow, PetitionTokenKeyRow

SUPPORT_STATES = (PetitionState.OPEN, PetitionState.AWAITING_RESPONSE)


@dataclass(frozen=True)
class Enrolment:
    credential: str
    replaced: str | None  # the resident's previous credential, now revoked


class IdentityAuthority:
    def __init__(
        self,
        chain: PetitionsChain,
        store: Store,
        cipher: PersonalDataCipher,
        pepper: bytes,
        real_name: RealNameCheck,
        agency_id: str,
    ) -> None:
        self.chain = chain
        self.store = store
        self.cipher = cipher
        self.pepper = pepper
        self.real_name = real_name
        self.agency_id = agency_id

    # ---- enrolment ----

    def enrol(self, name: str, id_number: str, credential: str, proof: str) -> Enrolment:
        """Enrol `credential` for the person; one enrolled already is re-enrolled (their old key is lost)."""
        credential = check_enrolment_proof(credential, proof)
        key = "0x" + resident_key(self.pepper, self.real_name.verify(name, id_number)).hex()
        with self.store.session() as session:
            if session.get(PetitionCredentialRow, credential) is not None:
                raise Conflict(f"credential {credential} is already enrolled or was revoked; make a new key")
            current = session.scalars(
                select(PetitionCredentialRow).where(
                    PetitionCredentialRow.resident_key == key, PetitionCredentialRow.revoked_at.is_(None)
                )
            ).first()
            previous = current.credential if current else None
        if previous is None:
            self.chain.send(self.agency_id, self.chain.fns.enrol(credential))
        else:
            self.chain.send(self.agency_id, self.chain.fns.reenrol(previous, credential))
        now = datetime.now(UTC)
        with self.store.session() as session:
            if previous is not None:
                row = session.get(PetitionCredentialRow, previous)
                assert row is not None
                row.revoked_at = now
            session.add(PetitionCredentialRow(credential=credential, resident_key=key, enrolled_at=now))
        return Enrolment(credential, previous)

    def revoke(self, credential: str) -> None:
        credential = credential_address(credential)
        self.chain.send(self.agency_id, self.chain.fns.revoke(credential))
        with self.store.session() as session:
            row = session.get(PetitionCredentialRow, credential)
            if row is not None:
                row.revoked_at = datetime.now(UTC)

    # ---- token keys and tokens ----

    def create_token_key(self, petition_id: int) -> None:
        key = generate_key()
        with self.store.session() as session:
            session.merge(
                PetitionTokenKeyRow(
                    petition_id=petition_id,
                    sealed_key=self.cipher.seal(key.to_numbers(), _context(petition_id)),
                )
            )
        public = key.public
        self.chain.send(
            self.agency_id, self.chain.fns.registerTokenKey(petition_id, public.modulus_bytes, public.e)
        )

    def require_enrolled(self, credential: str) -> None:
        """The chain's word: refused unless `credential` is enrolled and not revoked."""
        status = self.chain.credential_status(credential)
        if status is not CredentialStatus.ENROLLED:
            reason = "was revoked" if status is CredentialStatus.REVOKED else "was never enrolled"
            raise PermissionDenied(f"credential {credential} {reason}")

    def sign_token(self, petition_id: int, credential: str, blinded: bytes) -> bytes:
        """The blind signature for an enrolled credential's first token request on an open petition."""
        self.require_enrolled(credential)
        petition = self.chain.petition(petition_id) if 0 < petition_id <= self.chain.count() else None
        if petition is None:
            raise NotFound(f"no petition {petition_id}")
        if petition.state not in SUPPORT_STATES:
            raise Conflict(f"petition {petition_id} is {petition.state.slug}, not open for support")
        key = self._key(petition_id)
        if len(blinded) != key.public.length:
            raise InvalidInput(f"must be {key.public.length} bytes (the token key's length)", field="blinded")
        with self.store.session() as session:
            row = session.get(PetitionCredentialRow, credential)
            if row is None:
                raise PermissionDenied(f"credential {credential} is not in the identity authority's books")
            resident = row.resident_key
        signature = key.sign_blinded(blinded)
        try:
            with self.store.session() as session:
                session.add(
                    PetitionIssuanceRow(
                        petition_id=petition_id, resident_key=resident, issued_at=datetime.now(UTC)
                    )
                )
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise Conflict(
                    f"a token for petition {petition_id} was already signed for this resident "
                    "(one per resident, whichever credential asks)"
                ) from None
            raise
        return signature

    def _key(self, petition_id: int) -> TokenPrivateKey:
        with self.store.session() as session:
            row = session.get(PetitionTokenKeyRow, petition_id)
            if row is None:
                raise NotFound(f"the identity authority holds no token key for petition {petition_id}")
            return TokenPrivateKey.from_numbers(self.cipher.open(row.sealed_key, _context(petition_id)))


def _context(petition_id: int) -> str:
    return f"petition-token-key:{petition_id}"
