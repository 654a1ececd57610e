"""Consortium use cases: list members, propose changes, approve them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from web3 import Web3

from gzchain.chain.gateway import ChainGateway, Receipt
from gzchain.chain.keys import KeyRing
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


@dataclass(frozen=True)
class ProposalOutcome:
    proposal: Proposal
    receipt: Receipt

    @property
    def executed(self) -> bool:
        return self.proposal.state is ProposalState.EXECUTED


Head = tuple[int, bytes]  # a block's number and hash


class ConsortiumReads:
    """The Consortium's view-call answers, kept for one chain head (block number and hash).

    Every API request checks its agency's role, and the member list costs a call per member and role:
    asked again at the same head, the chain would answer the same. Any new block (or a revert) changes
    the head and drops every answer, so a role change is seen as soon as its block is mined. Shared by
    the request threads of one runtime; concurrent askers of one answer at a new head wait for the first
    one's call instead of all running it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._head: Head | None = None
        self._answers: dict[tuple[Any, ...], Future[Any]] = {}

    def answer(self, head: Head, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        with self._lock:
            if self._head != head:
                self._head, self._answers = head, {}
            known = self._answers.get(key)
            if known is None:
                known = self._answers[key] = Future()
                reader = True
            else:
                reader = False
        if not reader:
            return known.result()
        try:
            value = read()  # outside the lock: a slow chain call must not hold up other keys' readers
        except BaseException as exc:
            with self._lock:
                if self._answers.get(key) is known:
                    del self._answers[key]  # a failed read is not remembered; the next asker retries
            known.set_exception(exc)
            raise
        known.set_result(value)
        return value


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

    # ---- reads ----

    def _read(self, name: str, *args: Any) -> Any:
        """`name(*args)` of the Consortium as of the latest block, asked of the chain once per block."""
        with self.gateway.translated_errors():
            head = self.gateway.backend.head()
        return self.reads.answer(
            head,
            (self.contract.address, name, *args),
            # Read at the head's number, so the answer is never of a later block than its key.
            lambda: _frozen(self.gateway.call(self.contract.functions[name](*args), block=head[0])),
        )

    def members(self) -> list[Member]:
        ids = self._agency_ids()
        return [self._member(address, ids.get(address)) for address in self._read("members")]

    def member(self, who: str) -> Member:
        address = self.resolve(who)
        if address not in self._read("members"):
            raise NotFound(f"{who} is not a member of the consortium")
        return self._member(address, self._agency_ids().get(address))

    def _member(self, address: str, agency_id: str | None) -> Member:
        name, domain, status, joined_at = self._read("member", address)
        role_ids = self._read("rolesOf", address)
        return Member(
            address=address,
            name=name,
            domain=domain,
            status=MemberStatus(status),
            joined_at=joined_at,
            roles=tuple(Role.from_id(r) for r in role_ids),
            agency_id=agency_id,
        )

    def threshold(self) -> int:
        return self._read("threshold")

    def governor_count(self) -> int:
        return self._read("governorCount")

    def has_active_role(self, who: str, role: Role) -> bool:
        return self._read("hasActiveRole", role.id, self.resolve(who))

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
        if not domain.strip() or " " in domain.strip():
            raise InvalidInput("must be an internet domain such as jyj.gz.gov.cn", field="domain")
        fn = self.contract.functions.proposeAddMember(
            self.resolve(account), name.strip(), domain.strip().lower()
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
