"""The public observer of issue #19: after residents voted on several petitions it takes everything on chain
(every transaction's sender and calldata, every event) and tries to link a vote to an enrolment.

It can only succeed through something a vote shares with an enrolment (a credential, or a value derived
from one) or through an identifier that recurs across petitions (the same token or signature under two
petitions would tie those votes to one voter). The control test feeds the same observer votes made the
naive way (token = keccak(petitionId, credential)) and it links every one: the observer has teeth.

Runs on the embedded chain and on anvil.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import combinations

import pytest
from eth_abi import decode
from support.petitions import OFFICE, Resident, published
from web3.logs import DISCARD

from gzchain.bootstrap import Runtime
from gzchain.domain.keccak import keccak

SUPPORT_MANY = "supportMany(uint256,bytes32[],bytes[])"
SUPPORT = "support(uint256,bytes32,bytes)"


@dataclass(frozen=True)
class SeenVote:
    sender: str
    petition_id: int
    token: bytes
    signature: bytes


@dataclass(frozen=True)
class Observed:
    credentials: list[str]  # every credential ever enrolled, from the events
    votes: list[SeenVote]  # every vote, from calldata
    nullifiers: dict[int, list[bytes]]  # per petition, from the PetitionSupported events
    senders: set[str]  # senders of every transaction to the contract


def observe(runtime: Runtime) -> Observed:
    """What anyone with a node sees: decoded with the contract's public ABI, nothing from the store."""
    w3 = runtime.gateway.w3
    address = runtime.require_manifest().address("Petitions")
    contract = runtime.gateway.contract("Petitions", address)
    selectors = {keccak(sig.encode())[:4]: sig for sig in (SUPPORT_MANY, SUPPORT)}
    enrolled = contract.events.PetitionCredentialEnrolled()
    supported = contract.events.PetitionSupported()
    credentials, votes, senders = [], [], set()
    nullifiers: dict[int, list[bytes]] = {}
    for number in range(w3.eth.block_number + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            if tx["to"] != address:
                continue
            senders.add(tx["from"])
            data = bytes(tx["input"] if "input" in tx else tx["data"])
            signature = selectors.get(data[:4])
            if signature == SUPPORT_MANY:
                petition_id, tokens, signatures = decode(["uint256", "bytes32[]", "bytes[]"], data[4:])
                votes += [
                    SeenVote(tx["from"], petition_id, t, s) for t, s in zip(tokens, signatures, strict=True)
                ]
            elif signature == SUPPORT:
                petition_id, token, sig = decode(["uint256", "bytes32", "bytes"], data[4:])
                votes.append(SeenVote(tx["from"], petition_id, token, sig))
            receipt = w3.eth.get_transaction_receipt(tx["hash"])
            credentials += [
                e["args"]["credential"] for e in enrolled.process_receipt(receipt, errors=DISCARD)
            ]
            for e in supported.process_receipt(receipt, errors=DISCARD):
                nullifiers.setdefault(e["args"]["petitionId"], []).append(e["args"]["nullifier"])
    return Observed(credentials, votes, nullifiers, senders)


def derivations(credential: str, petition_id: int) -> set[bytes]:
    """Every value an observer can compute from a credential (alone or with the petition) to look for."""
    raw = bytes.fromhex(credential[2:])
    padded = raw.rjust(32, b"\0")
    pid = petition_id.to_bytes(32, "big")
    forms = {raw, padded, credential.lower().encode(), credential.encode()}
    for base in (raw, padded, pid + padded, padded + pid, pid + raw):
        forms |= {keccak(base), hashlib.sha256(base).digest()}
    return forms


def links(observed: Observed) -> set[tuple[str, int]]:
    """(credential, vote index) pairs tied by a shared or derived value."""
    found = set()
    for i, vote in enumerate(observed.votes):
        blob = vote.token + vote.signature + vote.sender.encode()
        for credential in observed.credentials:
            if any(form in blob for form in derivations(credential, vote.petition_id)):
                found.add((credential, i))
    return found


def identifiers_across_petitions(observed: Observed) -> set[bytes]:
    """32-byte values of votes (tokens, nullifiers, signature words) that occur under two petitions."""
    per_petition: dict[int, set[bytes]] = {}
    for vote in observed.votes:
        words = {vote.token} | {vote.signature[i : i + 32] for i in range(0, len(vote.signature), 32)}
        per_petition.setdefault(vote.petition_id, set()).update(words)
    for petition_id, spent in observed.nullifiers.items():
        per_petition.setdefault(petition_id, set()).update(spent)
    shared: set[bytes] = set()
    for a, b in combinations(per_petition.values(), 2):
        shared |= a & b
    return shared


@pytest.fixture
def voted(runtime: Runtime) -> Runtime:
    """Six residents, three petitions; every resident supports two or three of them, one re-enrols."""
    service = runtime.petitions()
    residents = [Resident() for _ in range(6)]
    for resident in residents:
        resident.enrol(service)
    petitions = [
        published(service, residents[0], title) for title in ("Night buses", "Shade trees", "Cycle lane")
    ]
    residents[5].new_key()
    residents[5].enrol(service)  # the old credential is revoked; the new one asks for tokens
    for n, petition_id in enumerate(petitions):
        supporters = [r for i, r in enumerate(residents) if (i + n) % 3 != 0 or i == 5]
        service.relay.submit(petition_id, [r.token(service, petition_id) for r in supporters])
    return runtime


def test_the_observer_links_no_vote_to_any_enrolment(voted: Runtime):
    observed = observe(voted)
    assert len(observed.votes) >= 12 and len(observed.credentials) == 7
    # Every vote was relayed by the petitions office: no resident address is a sender of anything.
    assert {vote.sender for vote in observed.votes} == {voted.keys.address(OFFICE)}
    assert not set(observed.credentials) & observed.senders
    assert links(observed) == set()


def test_no_identifier_recurs_across_petitions(voted: Runtime):
    observed = observe(voted)
    assert len(observed.nullifiers) == 3
    assert identifiers_across_petitions(observed) == set()
    # Within a petition each vote is fresh too: no two tokens or signatures alike.
    assert len({vote.token for vote in observed.votes}) == len(observed.votes)
    assert len({vote.signature for vote in observed.votes}) == len(observed.votes)


def test_control_the_observer_links_votes_made_the_naive_way():
    credentials = [Resident().credential for _ in range(3)]
    naive = [
        SeenVote(
            "0xoffice",
            pid,
            keccak(pid.to_bytes(32, "big") + bytes.fromhex(c[2:]).rjust(32, b"\0")),
            b"\1" * 256,
        )
        for pid in (1, 2)
        for c in credentials
    ]
    reused = [SeenVote("0xoffice", pid, b"\7" * 32, b"\2" * 256) for pid in (1, 2)]
    assert len(links(Observed(credentials, naive, {}, set()))) == 6
    assert identifiers_across_petitions(Observed([], reused, {}, set())) == {b"\7" * 32, b"\2" * 32}
