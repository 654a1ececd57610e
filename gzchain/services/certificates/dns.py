"""OpenAttestation's DNS-TXT identity records, answered from the consortium registry instead of DNS.

OA's verifiers (oa-verify through @govtechsg/dnsprove) prove an issuer's identity by finding, under the
domain a certificate names, a TXT record `openatts net=ethereum netId=<chain id> addr=<document store>`.
gzchain's trust anchor for the same question is the Consortium contract: a domain belongs to a member, and
that member's store in the DocumentStoreFactory is the one it issues from. This module turns the registry
into those TXT records, in the JSON shape of Google's and Cloudflare's DNS-over-HTTPS resolvers that
dnsprove's custom resolvers return, so OA's own tools can check gzchain certificates' issuers unchanged.

A record is published only while the member is active and holds CERT_ISSUER, the same judgement
CertificateVerifier makes for issuer identity; answers are read at one head block, through the same
per-head cache the verifier uses, so a suspension or role change shows from the next block on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import dns.rdatatype
from web3 import Web3
from web3.contract import Contract

from gzchain.chain.gateway import ChainGateway
from gzchain.domain.errors import InvalidInput
from gzchain.domain.roles import Role
from gzchain.services.certificates.chain_answers import ZERO_ADDRESS, answers_for

TXT: Final = 16
MAX_NAME_LENGTH: Final = 253  # RFC 1035's limit on a domain name in text form, without the trailing dot
# A short TTL: the registry can change with any block, and a verifier should ask again soon.
TTL_SECONDS: Final = 60
NOERROR, NXDOMAIN = 0, 3
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class DnsAnswer:
    """A DNS-over-HTTPS JSON answer: `Status` is the DNS RCODE, `Answer` the records found."""

    name: str  # fully qualified, with its trailing dot, as resolvers write it
    qtype: int
    status: int
    txt: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Status": self.status,
            "TC": False,
            "RD": True,
            "RA": True,
            # AD says a resolver validated DNSSEC. None was involved: these records are only as good as the
            # chain they were read from, so gzchain does not claim DNSSEC for them.
            "AD": False,
            "CD": False,
            "Question": [{"name": self.name, "type": self.qtype}],
        }
        body["Answer"] = [
            {"name": self.name, "type": TXT, "TTL": TTL_SECONDS, "data": f'"{text}"'} for text in self.txt
        ]
        return body


def normalised_name(name: str) -> str:
    """`name` as the registry stores domains (lower case, no trailing dot), or InvalidInput naming it."""
    stripped = name.strip().removesuffix(".").lower()
    if not stripped:
        raise InvalidInput("is required: the domain to look up", field="name")
    if len(stripped) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"is {len(stripped)} characters; a domain name has at most {MAX_NAME_LENGTH}", field="name"
        )
    if not all(_LABEL.match(label) for label in stripped.split(".")):
        raise InvalidInput(
            "is not a host name: labels of 1 to 63 letters, digits or inner hyphens, joined by dots",
            field="name",
        )
    return stripped


def query_type(value: str) -> int:
    """A query type given as a mnemonic (TXT, A, TYPE65…) or its number, read by dnspython.

    Only TXT is ever answered; other known types get an empty NOERROR answer, as a name server holding
    no such records gives, rather than an error a resolver would retry elsewhere.
    """
    text = value.strip()
    try:
        # isascii too: str.isdigit() also accepts digits such as "²" that int() refuses.
        number = int(text) if text.isascii() and text.isdigit() else int(dns.rdatatype.from_text(text))
    except (dns.rdatatype.UnknownRdatatype, ValueError):  # ValueError: TYPE99999, out of range
        number = -1
    if not 1 <= number <= 65535:
        raise InvalidInput(
            f"{text[:20]!r} is not a DNS record type: TXT (or 16) is the one gzchain answers", field="type"
        )
    return number


class IssuerDnsRecords:
    """The openatts TXT records the consortium registry implies for a domain."""

    def __init__(self, gateway: ChainGateway, consortium: Contract, factory: Contract) -> None:
        self.gateway = gateway
        self.consortium = consortium
        self.factory = factory
        self.answers = answers_for(gateway)

    def lookup(self, name: str, qtype: str = "TXT") -> DnsAnswer:
        domain = normalised_name(name)
        kind = query_type(qtype)
        head = self.answers.head()
        ask = self.answers.call
        agency = ask(head, self.consortium, "memberByDomain", domain)
        if agency == ZERO_ADDRESS:
            return DnsAnswer(f"{domain}.", kind, NXDOMAIN, ())
        records: tuple[str, ...] = ()
        if kind == TXT and ask(head, self.consortium, "hasActiveRole", Role.CERT_ISSUER.id, agency):
            # The factory gives each agency one store; a member without one yet has nothing to publish.
            store = ask(head, self.factory, "storeOf", agency)
            if store != ZERO_ADDRESS:
                address = Web3.to_checksum_address(store)
                records = (f"openatts net=ethereum netId={self.gateway.chain_id} addr={address}",)
        return DnsAnswer(f"{domain}.", kind, NOERROR, records)
