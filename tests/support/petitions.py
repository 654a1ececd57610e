"""Residents and petitions for the petitions suites: valid ID numbers, enrolment, blind tokens, rules."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from eth_account import Account
from eth_account.signers.local import LocalAccount

from gzchain.bootstrap import Runtime
from gzchain.domain.petitions.blind import blind, new_token, unblind
from gzchain.domain.petitions.identity import gb11643_check_character
from gzchain.domain.petitions.rules import DAY, Rules
from gzchain.services.petitions import PetitionsService
from gzchain.services.petitions.relay import Vote
from gzchain.services.petitions.wallet import enrolment_proof, sign_request

AUTHORITY, OFFICE, MAYOR = "gz-gsdata", "gz-xfj", "gz-mayor"
GOVERNORS = ("gz-gsdata", "gz-msa")
_sequence = itertools.count(1)


def id_number() -> str:
    """A fresh well-formed GB 11643 number (Tianhe district, born 1990-01-01, a new sequence each call)."""
    first17 = f"44010619900101{next(_sequence) % 1000:03d}"
    return first17 + gb11643_check_character(first17)


@dataclass
class Resident:
    name: str = "Chen Xiaoming"
    number: str = field(default_factory=id_number)
    account: LocalAccount = field(default_factory=Account.create)

    @property
    def credential(self) -> str:
        return self.account.address

    def enrol(self, service: PetitionsService):
        return service.authority.enrol(self.name, self.number, self.credential, enrolment_proof(self.account))

    def new_key(self) -> None:
        self.account = Account.create()

    def signed(self, action: str, fields: dict, now: int) -> dict:
        return sign_request(self.account, action, fields, now)

    def token(self, service: PetitionsService, petition_id: int) -> Vote:
        """Ask the authority for a blind signature and unblind it: a vote ready to send."""
        key = service.chain.token_key(petition_id)
        assert key is not None
        request = blind(key, petition_id, new_token())
        fields = {"petition_id": petition_id, "blinded": "0x" + request.blinded.hex()}
        signed = self.signed("token", fields, service.chain.now())
        blind_signature = service.resident_token(petition_id, request.blinded, **signed)
        return Vote(request.token, unblind(key, request, blind_signature))

    def propose(self, service: PetitionsService, title: str = "A cycle lane on Huangpu Avenue") -> int:
        text = "Residents ask for a protected cycle lane from Zhujiang New Town to Huangpu."
        signed = self.signed("propose", {"title": title, "text": text}, service.chain.now())
        return service.resident_propose(title, text, **signed)


def set_rules(runtime: Runtime, threshold: int, support_days: int = 30, response_days: int = 30) -> None:
    rules = runtime.petitions().rules
    outcome = rules.propose(GOVERNORS[0], Rules(threshold, support_days * DAY, response_days * DAY))
    rules.approve(GOVERNORS[1], outcome.change_id)


def published(
    service: PetitionsService, proposer: Resident, title: str = "A cycle lane on Huangpu Avenue"
) -> int:
    petition_id = proposer.propose(service, title)
    service.office.publish(OFFICE, petition_id)
    return petition_id
