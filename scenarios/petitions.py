"""Scenario: residents' e-petitions — 1,000 supporters oblige the mayor to answer; nobody votes twice.

It runs last: the overdue chapter moves the chain's clock past a 30-day deadline.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from typing import NamedTuple

from eth_account import Account
from eth_account.signers.local import LocalAccount

from gzchain.bootstrap import Runtime
from gzchain.demo import Story, main_for
from gzchain.domain.errors import ChainUnavailable, Conflict, PermissionDenied
from gzchain.domain.petitions.blind import TokenPublicKey, blind, generate_key, new_token, unblind
from gzchain.domain.petitions.fdh import full_domain_hash, nullifier
from gzchain.domain.petitions.identity import gb11643_check_character
from gzchain.domain.petitions.reasons import RejectionReason
from gzchain.domain.petitions.rules import DAY, Rules
from gzchain.domain.petitions.states import PetitionState
from gzchain.services.petitions import PetitionsService
from gzchain.services.petitions.relay import Vote, VoteResult
from gzchain.services.petitions.wallet import enrolment_proof, sign_request

TITLE = "Citizen e-petitions: 1,000 residents oblige the mayor to answer, one vote each, untraceable"
ORDER = 90

OFFICE = "gz-xfj"  # the Letters and Calls Bureau: publishes proposals, relays votes
MAYOR = "gz-mayor"
GOVERNORS = ("gz-gsdata", "gz-msa")
SUPPORTERS = 1_000
VOTES_PER_REQUEST = 500  # what one POST /petitions/{id}/votes carries at most
GUANGZHOU_DISTRICTS = ("440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114")

CYCLE_LANE = (
    "Protected cycle lanes on Huangpu Avenue",
    "Huangpu Avenue has no separated cycle lane between Tianhe Park and Chebei. Riders share the bus lane "
    "at rush hour. We ask the city to build a protected lane on both sides within two years.",
)
NIGHT_BUSES = (
    "Night buses to the Science City",
    "After 23:00 no bus serves Guangzhou Science City. Shift workers pay for taxis or sleep at work. "
    "We ask for two night routes from Tianhe and Huangpu.",
)
LANE_ANSWER = (
    "The Municipal Transport Bureau will build protected lanes on Huangpu Avenue in two phases: "
    "Tianhe Park to Zhujiang New Town by June 2027, to Chebei by June 2028. Designs go to public "
    "consultation in March."
)


# A NamedTuple, not a dataclass: the demo loads scenarios without registering them in sys.modules.
class Resident(NamedTuple):
    """A Guangzhou resident: their real name and ID number stay with the identity authority, off chain."""

    name: str
    id_number: str
    key: LocalAccount


def residents(count: int) -> list[Resident]:
    """Fictitious residents with well-formed, random GB 11643 numbers (fresh each run, distinct)."""
    numbers: set[str] = set()
    while len(numbers) < count:
        born = f"{1950 + secrets.randbelow(55)}{1 + secrets.randbelow(12):02d}{1 + secrets.randbelow(28):02d}"
        first17 = f"{secrets.choice(GUANGZHOU_DISTRICTS)}{born}{secrets.randbelow(1000):03d}"
        numbers.add(first17 + gb11643_check_character(first17))
    return [Resident(f"居民{i + 1:04d}", n, Account.create()) for i, n in enumerate(sorted(numbers))]


def enrol(service: PetitionsService, people: Iterable[Resident]) -> None:
    for person in people:
        proof = enrolment_proof(person.key)
        service.authority.enrol(person.name, person.id_number, person.key.address, proof)


def signed_by(service: PetitionsService, person: Resident, action: str, fields: dict[str, object]) -> dict:
    # Dated by the chain's clock, which the service checks freshness against: on the embedded chain it runs
    # ahead of the wall clock by a second a block, and enrolling 1,000 residents mines 1,000 blocks.
    return sign_request(person.key, action, fields, now=service.chain.now())


def propose(service: PetitionsService, person: Resident, title: str, text: str) -> int:
    signed = signed_by(service, person, "propose", {"title": title, "text": text})
    return service.resident_propose(title, text, **signed)


def token_vote(service: PetitionsService, petition_id: int, key: TokenPublicKey, person: Resident) -> Vote:
    """What the resident's wallet does: blind a fresh token, have it signed, unblind and check it."""
    request = blind(key, petition_id, new_token())
    fields = {"petition_id": petition_id, "blinded": "0x" + request.blinded.hex()}
    signed = signed_by(service, person, "token", fields)
    blind_signature = service.resident_token(petition_id, request.blinded, **signed)
    return Vote(request.token, unblind(key, request, blind_signature))


def support(service: PetitionsService, petition_id: int, people: list[Resident]) -> list[Vote]:
    """Each resident gets a token and the relay sends the votes, as the API's vote requests would."""
    key = service.chain.token_key(petition_id)
    assert key is not None
    votes = [token_vote(service, petition_id, key, person) for person in people]
    results: list[VoteResult] = []
    for first in range(0, len(votes), VOTES_PER_REQUEST):
        results += service.relay.submit(petition_id, votes[first : first + VOTES_PER_REQUEST])
    refused = [r.refused for r in results if not r.counted]
    if refused:
        raise Conflict(f"{len(refused)} votes were not counted: {sorted(set(map(str, refused)))}")
    return votes


def change_rules(service: PetitionsService, rules: Rules) -> None:
    """The governors' M-of-N vote on the petition rules."""
    outcome = service.rules.propose(GOVERNORS[0], rules)
    if not outcome.executed:
        service.rules.approve(GOVERNORS[1], outcome.change_id)


def forged_vote(petition_id: int) -> Vote:
    """A non-resident's vote: a token 'signed' with a key of their own, not the authority's."""
    own = generate_key()
    token = new_token()
    m = int.from_bytes(full_domain_hash(petition_id, token, own.public.length), "big")
    return Vote(token, pow(m, own.d, own.n).to_bytes(own.public.length, "big"))


def run(rt: Runtime, story: Story) -> None:
    service = rt.petitions()
    rules = service.rules.current()
    story.step(
        f"The rules, set by consortium vote: {rules.threshold:,} supporters oblige an answer; support stays "
        f"open {rules.support_period_s // DAY} days; the mayor's office answers within "
        f"{rules.response_period_s // DAY}."
    )

    story.chapter("Residents enrol with the Government Services and Data Administration")
    people = residents(SUPPORTERS + 1)
    started = time.perf_counter()
    enrol(service, people)
    story.check(
        all(service.queries.credential(p.key.address).name == "ENROLLED" for p in people[:5]),
        f"{len(people):,} residents pass the real-name check (GB 11643 stand-in) and are enrolled "
        f"({time.perf_counter() - started:.1f} s)",
    )
    story.ok(
        "on chain each is only a pseudonymous credential (the address of a key the resident holds); "
        "no name, no ID number, no hash of either"
    )

    story.chapter(f"A proposal gathers {SUPPORTERS:,} supporters")
    proposer, supporters, bystander = people[0], people[1 : SUPPORTERS + 1], people[0]
    lane = propose(service, proposer, *CYCLE_LANE)
    story.check(
        service.queries.petition(lane).chain.state is PetitionState.PROPOSED,
        f"a resident proposes petition {lane}, “{CYCLE_LANE[0]}”: its text stays off chain, "
        "a salted hash goes on chain",
    )
    service.office.publish(OFFICE, lane)
    story.check(
        service.queries.petition(lane).chain.state is PetitionState.OPEN,
        f"the Letters and Calls Bureau publishes it: support is open {rules.support_period_s // DAY} days",
    )
    started = time.perf_counter()
    votes = support(service, lane, supporters)
    view = service.queries.petition(lane)
    story.check(
        view.chain.supporters == SUPPORTERS and view.chain.state is PetitionState.AWAITING_RESPONSE,
        f"{SUPPORTERS:,} residents each get a blind-signed token and vote through the relay "
        f"({time.perf_counter() - started:.1f} s): at {view.chain.supporters:,} the petition awaits "
        "the mayor's answer",
    )
    mine = votes[0]
    story.check(
        service.queries.counted(lane, nullifier(lane, mine.token)),
        "a supporter checks their receipt: the nullifier only their wallet can compute is spent on chain",
    )

    story.chapter("Nobody votes twice, and only residents vote")
    again = service.relay.submit(lane, [mine])[0]
    story.check(
        not again.counted and again.refused == "PetitionAlreadySupported",
        "the same vote sent again is skipped by the contract (PetitionAlreadySupported)",
    )
    story.refused(
        "PetitionAlreadySupported",
        lambda: service.chain.send(OFFICE, service.chain.fns.support(lane, mine.token, mine.signature)),
        "the contract refuses a second vote with the same token",
    )
    try:
        token_vote(service, lane, view.token_key, supporters[0])  # type: ignore[arg-type]
        raise Conflict("the authority signed a second token for the same resident")
    except Conflict as exc:
        if "already signed" not in str(exc):
            raise
        story.ok("a resident who asks for a second token for this petition is refused by the authority")

    outsider = residents(1)[0]  # never enrolled
    try:
        token_vote(service, lane, view.token_key, outsider)  # type: ignore[arg-type]
        raise Conflict("the authority signed a token for a credential never enrolled")
    except PermissionDenied:
        story.ok("a non-resident's credential was never enrolled: the authority will not sign a token for it")
    forged = forged_vote(lane)
    skipped = service.relay.submit(lane, [forged])[0]
    story.check(
        not skipped.counted and skipped.refused == "PetitionTokenNotSigned",
        "a non-resident's vote with a self-made signature is skipped by the contract "
        "(PetitionTokenNotSigned)",
    )
    story.refused(
        "PetitionTokenNotSigned",
        lambda: service.chain.send(OFFICE, service.chain.fns.support(lane, forged.token, forged.signature)),
        "the contract refuses a vote whose token the identity authority never signed",
    )
    story.check(
        service.queries.petition(lane).chain.supporters == SUPPORTERS,
        f"the count stays at {SUPPORTERS:,}",
    )

    story.chapter("The mayor's office answers")
    service.office.respond(MAYOR, lane, LANE_ANSWER)
    view = service.queries.petition(lane)
    story.check(
        view.chain.state is PetitionState.RESPONDED and view.response is not None and view.response.verified,
        "the Mayor's General Office answers within the deadline: the words off chain match the salted "
        "hash on chain",
    )

    story.chapter("Another petition goes overdue, and the chain flags it")
    _overdue(rt, story, service, bystander, people[1:4])
    _reject(story, service, proposer)


def _overdue(
    rt: Runtime, story: Story, service: PetitionsService, proposer: Resident, few: list[Resident]
) -> None:
    default = service.rules.current()
    story.step(
        f"For a pilot in Huangpu District the governors lower the threshold to {len(few)} by M-of-N vote; "
        "a petition keeps the rules it was published under."
    )
    change_rules(service, Rules(len(few), default.support_period_s, default.response_period_s))
    buses = propose(service, proposer, *NIGHT_BUSES)
    service.office.publish(OFFICE, buses)
    change_rules(service, default)
    story.check(
        service.rules.current() == default, f"the city-wide threshold is back at {default.threshold:,}"
    )
    support(service, buses, few)
    view = service.queries.petition(buses)
    story.check(
        view.chain.state is PetitionState.AWAITING_RESPONSE,
        f"petition {buses}, “{NIGHT_BUSES[0]}”, reaches its {len(few)} supporters (the same residents, "
        "with tokens no one can link to their votes on the first petition)",
    )
    try:
        rt.gateway.advance_time(default.response_period_s + DAY)
    except ChainUnavailable:
        story.step("This node's clock cannot be moved: the overdue flag is shown on development chains only.")
        return
    view = service.queries.petition(buses)
    story.check(
        view.chain.state is PetitionState.OVERDUE
        and buses in [v.chain.id for v in service.queries.overdue()],
        f"{default.response_period_s // DAY + 1} days later, unanswered, it is flagged overdue by the chain "
        "and listed for everyone at GET /petitions/overdue",
    )


def _reject(story: Story, service: PetitionsService, proposer: Resident) -> None:
    story.step("A proposal outside the city's competence is rejected with a reason code.")
    other = propose(service, proposer, "Lower the national income tax", "Halve income tax for everyone.")
    service.office.reject(
        OFFICE, other, RejectionReason.NOT_CITY_COMPETENCE, "Income tax is set by national law."
    )
    view = service.queries.petition(other)
    story.check(
        view.chain.state is PetitionState.REJECTED and view.rejection is not None and view.rejection.verified,
        "rejected (not-city-competence); the reason's words match their salted hash on chain",
    )


if __name__ == "__main__":
    main_for(__name__)
