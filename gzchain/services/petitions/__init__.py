"""Residents' e-petitions: the identity authority, the petitions office and the mayor's office, the vote
relay, public queries and the governors' rules, over one Petitions contract."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from gzchain.chain.gateway import ChainGateway
from gzchain.chain.keys import KeyRing
from gzchain.domain.consortium import Genesis
from gzchain.domain.errors import NotFound
from gzchain.domain.petitions.identity import ChecksumRealNameCheck, RealNameCheck
from gzchain.domain.roles import Role
from gzchain.services.petitions.authority import IdentityAuthority
from gzchain.services.petitions.chain import PetitionsChain
from gzchain.services.petitions.office import PetitionsOffice
from gzchain.services.petitions.queries import PetitionQueries
from gzchain.services.petitions.relay import VoteRelay
from gzchain.services.petitions.residents import check_resident_request
from gzchain.services.petitions.rules import PetitionRules
from gzchain.store.crypto import PersonalDataCipher
from gzchain.store.db import Store


@dataclass
class PetitionsService:
    chain: PetitionsChain
    authority: IdentityAuthority
    office: PetitionsOffice
    relay: VoteRelay
    queries: PetitionQueries
    rules: PetitionRules
    store: Store

    def resident_propose(self, title: str, text: str, credential: str, issued_at: int, signature: str) -> int:
        """A proposal signed by an enrolled resident's credential key."""
        fields = {"title": title, "text": text}
        signer = check_resident_request(
            self.store, "propose", fields, credential, issued_at, signature, self.chain.now()
        )
        self.authority.require_enrolled(signer)
        return self.office.propose(title, text)

    def resident_token(
        self, petition_id: int, blinded: bytes, credential: str, issued_at: int, signature: str
    ) -> bytes:
        """The blind signature of a petition token, for a request signed by the credential key."""
        fields = {"petition_id": petition_id, "blinded": "0x" + blinded.hex()}
        signer = check_resident_request(
            self.store, "token", fields, credential, issued_at, signature, self.chain.now()
        )
        return self.authority.sign_token(petition_id, signer, blinded)


def genesis_holder(genesis: Genesis, role: Role) -> str:
    """The first genesis agency holding `role`: who acts for the service where no agency asked."""
    for agency in genesis.agencies:
        if role in agency.roles:
            return agency.id
    raise NotFound(f"no agency in the genesis holds {role.value}; grant it by consortium vote first")


def petitions_service(
    gateway: ChainGateway,
    keys: KeyRing,
    genesis: Genesis,
    store: Store,
    cipher: PersonalDataCipher,
    pepper: bytes,
    address: str,
    relay_lock: threading.Lock,
    real_name: RealNameCheck | None = None,
    from_block: int = 0,
) -> PetitionsService:
    chain = PetitionsChain(gateway, keys, address, from_block)
    authority = IdentityAuthority(
        chain,
        store,
        cipher,
        pepper,
        real_name or ChecksumRealNameCheck(),
        genesis_holder(genesis, Role.IDENTITY_AUTHORITY),
    )
    relayer = genesis_holder(genesis, Role.PETITIONS_OFFICE)
    return PetitionsService(
        chain=chain,
        authority=authority,
        office=PetitionsOffice(chain, store, authority, relayer),
        relay=VoteRelay(chain, store, relayer, relay_lock),
        queries=PetitionQueries(chain, store),
        rules=PetitionRules(chain),
        store=store,
    )
