"""Consortium use cases: list members, propose changes, approve them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from web3 import Web3
from web3.exceptions import BlockNotFound

from gzchain.chain.gateway import ChainGateway
from gzchain.chain.keys import KeyRing
from gzchain.chain.transactions import Receipt
from gzchain.domain.consortium import (
    Genesis,
    Member,
    MemberStatus,
    Proposal,
    ProposalKind,
    ProposalState,
)
from gzchain.domain.errors import InvalidInput, NotFound
from gzchain.domain.roles import Role
from gzchain.domain.text import canonical_domain, check_display_text


@dataclass(frozen=True)
class ProposalOutcome:
    proposal: Proposal
    receipt: Receipt

    @property
    def executed(self) -> bool:
        return self.proposal.state is ProposalState.EXECUTED


Head = tuple[int, bytes]  # a block's number and hash


class ConsortiumLog(Protocol):
    """What ConsortiumReads asks the chain to tell whether answers read at one head still hold at another."""

    address: str  # the Consortium's

    def is_canonical(self, head: Head) -> bool:
        """Whether `head` is still the chain's block at its number (a revert may have dropped it)."""
        ...

    def logged_between(self, first: int, last: int) -> bool:
        """Whether the Consortium emitted any event in blocks `first` to `last`."""
        ...


@dataclass(frozen=True)
class ChainConsortiumLog:
    """ConsortiumLog asked of the chain (eth_getLogs comes from the log index on the embedded chain)."""

    gateway: ChainGateway
    address: str

    def is_canonical(self, head: Head) -> bool:
        with self.gateway.translated_errors():
            try:
                return bytes(self.gateway.w3.eth.get_block(head[0])["hash"]) == head[1]
            except BlockNotFound:
                return False

    def logged_between(self, first: int, last: int) -> bool:
        with self.gateway.translated_errors():
            return bool(
                self.gateway.w3.eth.get_logs({"address": self.address, "fromBlock": first, "toBlock": last})
            )


class ConsortiumReads:
    """The Consortium's view-call answers, kept from block to block until a block changes the Consortium.

    Every API request checks its agency's role, and the member list costs a call per member and role. The
    Consortium's storage changes only through its propose* and approve functions, and each emits an event
    (AccessControl's own grant, revoke and renounce revert; nothing can upgrade or destroy the contract), so
    answers read at one head hold at a later head when no block in between has a Consortium log. Each new
    head costs one look at the chain: is the head the answers hold at still on the chain, and did any block
    since log a Consortium event? A change, or a revert past that head, drops every answer, so a role change
    is seen as soon as its block is mined. Only views of storage alone go here: none that reads the block's
    time or number (a proposal's state does).

    Shared by the request threads of one runtime; concurrent askers of one answer wait for the first one's
    read instead of all running it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checking = threading.Lock()  # one look at the chain per new head, not one per asker
        self._contract: str | None = None
        self._head: Head | None = None  # the latest head the answers are known to hold at
        self._answers: dict[tuple[Any, ...], Future[Any]] = {}

    def answer(self, head: Head, key: tuple[Any, ...], read: Callable[[], Any], log: ConsortiumLog) -> Any:
        """`read()`'s answer, which must be the Consortium's state as of `head`; remembered while it holds."""
        answers = self._answers_at(head, log)
        if answers is None:
            return read()  # asked at a head older than the answers': read as asked, keep nothing
        with self._lock:
            known = answers.get(key)
            reader = known is None
            if known is None:
                known = answers[key] = Future()
        if not reader:
            return known.result()
        try:
            value = read()  # outside the lock: a slow chain call must not hold up other keys' readers
        except BaseException as exc:
            with self._lock:
                if answers.get(key) is known:
                    del answers[key]  # a failed read is not remembered; the next asker retries
            known.set_exception(exc)
            raise
        known.set_result(value)  # into the answers of its head, even if they were dropped meanwhile
        return value

    def _answers_at(self, head: Head, log: ConsortiumLog) -> dict[tuple[Any, ...], Future[Any]] | None:
        """The answers that hold at `head`, or None for a head older than the latest one they were kept at."""
        with self._lock:
            if self._head == head and self._contract == log.address:
                return self._answers
        with self._checking:
            seen = self._head if self._contract == log.address else None
            if seen == head:
                return self._answers  # another asker looked while this one waited
            if seen is None:
                kept = False
            elif head[0] > seen[0]:
                kept = log.is_canonical(seen) and not log.logged_between(seen[0] + 1, head[0])
            elif log.is_canonical(seen):
                return None  # `head` was read before the block the answers were last confirmed at
            else:
                kept = False  # reverted below the answers' head
            with self._lock:
                self._contract, self._head = log.address, head
                if not kept:
                    self._answers = {}
                return self._answers


class ConsortiumService:
    def __init__(
        self,
        gateway: ChainGateway,
        keys: KeyRing,
        genesis: Genesis,
        address: str,
        reads: ConsortiumReads | None = None,
    ) -> None:
        self.gateway = gateway
        self.keys = keys
        self.genesis = genesis
        self.contract = gateway.contract("Consortium", address)
        self.reads = reads if reads is not None else ConsortiumReads()

    # ---- names ----

    def resolve(self, who: str) -> str:
        """An account from a 0x address or an agency id known to the keyring."""
        if Web3.is_address(who):
            return Web3.to_checksum_address(who)
        if not who.strip():
            raise InvalidInput("must be an agency id or a 0x address", field="agency")
        return self.keys.address(who.strip())

    def _agency_ids(self) -> dict[str, str]:
        ids = {}
        for agency in self.genesis.agencies:
            ids[self.keys.address(agency.id)] = agency.id
        return ids

    # ---- reads (kept by ConsortiumReads; see there which views may be) ----

    def members(self) -> list[Member]:
        head = self._head()
        return list(self._remembered(head, ("member list",), lambda: self._members_at(head[0])))

    def member(self, who: str) -> Member:
        address = self.resolve(who)
        found = next((m for m in self.members() if m.address == address), None)
        if found is None:
            raise NotFound(f"{who} is not a member of the consortium")
        return found

    def threshold(self) -> int:
        return self._view(self._head(), "threshold")

    def governor_count(self) -> int:
        return self._view(self._head(), "governorCount")

    def has_active_role(self, who: str, role: Role) -> bool:
        return self._view(self._head(), "hasActiveRole", role.id, self.resolve(who))

    def _head(self) -> Head:
        with self.gateway.translated_errors():
            return self.gateway.backend.head()

    def _view(self, head: Head, name: str, *args: Any) -> Any:
        """`name(*args)` of the Consortium as of `head`."""
        return self._remembered(
            head, (name, *args), lambda: _frozen(self._call(self.contract.functions[name](*args), head[0]))
        )

    def _remembered(self, head: Head, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        log = ChainConsortiumLog(self.gateway, self.contract.address)
        return self.reads.answer(head, (self.contract.address, *key), read, log)

    def _call(self, fn: Any, block: int) -> Any:
        # At the head's number, so an answer is never of a later block than the head it is kept under.
        return self.gateway.call(fn, block=block)

    def _members_at(self, block: int) -> tuple[Member, ...]:
        fns, ids = self.contract.functions, self._agency_ids()
        found = []
        for address in self._call(fns.members(), block):
            name, domain, status, joined_at = self._call(fns.member(address), block)
            role_ids = self._call(fns.rolesOf(address), block)
            found.append(
                Member(
                    address=address,
                    name=name,
                    domain=domain,
                    status=MemberStatus(status),
                    joined_at=joined_at,
                    roles=tuple(Role.from_id(r) for r in role_ids),
                    agency_id=ids.get(address),
                )
            )
        return tuple(found)

    def proposal(self, proposal_id: int) -> Proposal:
        fns = self.contract.functions
        if not 1 <= proposal_id <= self.gateway.call(fns.proposalCount()):
            raise NotFound(f"no proposal {proposal_id}")
        raw = self.gateway.call(fns.proposal(proposal_id))
        kind, proposer, account, role, threshold, name, domain, created_at, expires_at, _executed = raw
        kind = ProposalKind(kind)
        voters = tuple(self.gateway.call(fns.approvers(proposal_id)))
        return Proposal(
            id=proposal_id,
            kind=kind,
            state=ProposalState(self.gateway.call(fns.proposalState(proposal_id))),
            proposer=proposer,
            account=None if kind is ProposalKind.CHANGE_THRESHOLD else account,
            role=Role.from_id(role) if kind in (ProposalKind.GRANT_ROLE, ProposalKind.REVOKE_ROLE) else None,
            threshold=threshold if kind is ProposalKind.CHANGE_THRESHOLD else None,
            name=name,
            domain=domain,
            created_at=created_at,
            expires_at=expires_at,
            approvals=len(voters),
            approved_by=voters,
        )

    def proposals(self, state: ProposalState | None = None) -> list[Proposal]:
        count = self.gateway.call(self.contract.functions.proposalCount())
        found = [self.proposal(i) for i in range(1, count + 1)]
        return [p for p in found if state is None or p.state is state]

    # ---- writes (each signed by the acting agency) ----

    def propose_add_member(self, as_agency: str, account: str, name: str, domain: str) -> ProposalOutcome:
        if not name.strip():
            raise InvalidInput("must not be empty", field="name")
        check_display_text(name.strip(), field="name")
        fn = self.contract.functions.proposeAddMember(
            self.resolve(account), name.strip(), canonical_domain(domain)
        )
        return self._propose(as_agency, fn)

    def propose_suspend_member(self, as_agency: str, account: str) -> ProposalOutcome:
        return self._propose(as_agency, self.contract.functions.proposeSuspendMember(self.resolve(account)))

    def propose_reinstate_member(self, as_agency: str, account: str) -> ProposalOutcome:
        return self._propose(as_agency, self.contract.functions.proposeReinstateMember(self.resolve(account)))

    def propose_grant_role(self, as_agency: str, account: str, role: Role) -> ProposalOutcome:
        return self._propose(
            as_agency, self.contract.functions.proposeGrantRole(self.resolve(account), role.id)
        )

    def propose_revoke_role(self, as_agency: str, account: str, role: Role) -> ProposalOutcome:
        return self._propose(
            as_agency, self.contract.functions.proposeRevokeRole(self.resolve(account), role.id)
        )

    def propose_threshold(self, as_agency: str, threshold: int) -> ProposalOutcome:
        if threshold < 1:
            raise InvalidInput(f"must be a positive number of approvals, got {threshold}", field="threshold")
        return self._propose(as_agency, self.contract.functions.proposeThreshold(threshold))

    def approve(self, as_agency: str, proposal_id: int) -> ProposalOutcome:
        receipt = self.gateway.transact(
            self.contract.functions.approve(proposal_id), self.keys.signer(as_agency)
        )
        return ProposalOutcome(self.proposal(proposal_id), receipt)

    def _propose(self, as_agency: str, fn: object) -> ProposalOutcome:
        receipt = self.gateway.transact(fn, self.keys.signer(as_agency))  # type: ignore[arg-type]
        created = self.gateway.events(self.contract, "ConsortiumProposalCreated", receipt)
        return ProposalOutcome(self.proposal(created[0]["proposalId"]), receipt)


def _frozen(answer: Any) -> Any:
    """A cached answer as tuples, so no caller can change what the next one is given."""
    if isinstance(answer, list | tuple):
        return tuple(_frozen(item) for item in answer)
    return answer
