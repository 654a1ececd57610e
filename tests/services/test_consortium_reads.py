"""Consortium reads are kept from block to block until a block changes the Consortium: asked again they
cost no chain call, and a member added, a role granted or revoked, or a member suspended is seen as soon as
its block is mined (or undone by a revert), from every thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from support.records import a_record

from gzchain.bootstrap import Runtime
from gzchain.chain.gateway import ChainGateway
from gzchain.domain.consortium import MemberStatus
from gzchain.domain.errors import ChainUnavailable, NotFound
from gzchain.domain.roles import Role
from gzchain.services.consortium import ConsortiumReads, Head


def revoke_registrar_from_msa(runtime: Runtime) -> None:
    consortium = runtime.consortium()
    proposal = consortium.propose_revoke_role("gz-msa", "gz-msa", Role.REGISTRAR).proposal
    # A pending proposal is a new block that changes no role.
    assert consortium.has_active_role("gz-msa", Role.REGISTRAR)
    assert consortium.approve("gz-gsdata", proposal.id).executed


def msa_is_registrar_everywhere(runtime: Runtime) -> set[bool]:
    """What has_active_role, member and members say about gz-msa's registrar role."""
    consortium = runtime.consortium()
    by_list = next(m for m in consortium.members() if m.agency_id == "gz-msa")
    return {
        consortium.has_active_role("gz-msa", Role.REGISTRAR),
        Role.REGISTRAR in consortium.member("gz-msa").roles,
        Role.REGISTRAR in by_list.roles,
    }


@pytest.fixture
def chain_calls(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the contract functions the gateway is asked to call, from a fresh set of answers (the
    session's runtime may already hold those of this head from an earlier test)."""
    monkeypatch.setattr(runtime, "consortium_reads", ConsortiumReads())
    calls: list[str] = []
    original = ChainGateway.call

    def counting(self: ChainGateway, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn.fn_name)
        return original(self, fn, *args, **kwargs)

    monkeypatch.setattr(ChainGateway, "call", counting)
    return calls


def test_a_revoked_role_is_seen_as_soon_as_its_block_is_mined(runtime: Runtime):
    assert msa_is_registrar_everywhere(runtime) == {True}
    revoke_registrar_from_msa(runtime)
    assert msa_is_registrar_everywhere(runtime) == {False}


def test_a_revert_brings_back_the_answers_of_the_restored_block(runtime: Runtime):
    snapshot = runtime.gateway.snapshot()
    assert msa_is_registrar_everywhere(runtime) == {True}
    revoke_registrar_from_msa(runtime)
    assert msa_is_registrar_everywhere(runtime) == {False}
    runtime.gateway.revert_to(snapshot)
    assert msa_is_registrar_everywhere(runtime) == {True}


def test_answers_are_asked_of_the_chain_once_while_no_block_changes_the_consortium(
    runtime: Runtime, chain_calls: list[str]
):
    consortium = runtime.consortium()
    first = consortium.members()
    asked = len(chain_calls)
    assert asked > len(first)  # the list, then each member's record and roles
    again = runtime.consortium()  # another request's service shares the runtime's answers
    assert again.members() == first
    assert again.has_active_role("gz-msa", Role.REGISTRAR)
    assert again.threshold() == consortium.threshold()
    assert again.member("gz-msa") == next(m for m in first if m.agency_id == "gz-msa")
    assert chain_calls[asked:] == ["hasActiveRole", "threshold"]

    height = runtime.gateway.block_number()
    runtime.business().register("gz-msa", a_record(uscc="914403001922038216"))  # a block of another contract
    assert runtime.gateway.block_number() > height
    assert again.members() == first
    assert again.has_active_role("gz-msa", Role.REGISTRAR)
    assert chain_calls.count("members") == 1

    consortium.propose_threshold("gz-msa", 2)  # a Consortium event, even one that changes no answer
    assert again.members() == first
    assert chain_calls.count("members") == 2


def test_a_member_added_and_given_a_role_is_seen_as_soon_as_each_block_is_mined(runtime: Runtime):
    consortium = runtime.consortium()
    newcomer = "0x" + "ab" * 20
    assert not consortium.has_active_role(newcomer, Role.CERT_ISSUER)
    with pytest.raises(NotFound):
        consortium.member(newcomer)
    added = consortium.propose_add_member("gz-msa", newcomer, "Haizhu Health", "wjj.haizhu.gov.cn")
    consortium.approve("gz-gsdata", added.proposal.id)
    assert consortium.member(newcomer).roles == ()
    assert newcomer.lower() in {m.address.lower() for m in consortium.members()}
    granted = consortium.propose_grant_role("gz-msa", newcomer, Role.CERT_ISSUER)
    consortium.approve("gz-gsdata", granted.proposal.id)
    assert consortium.has_active_role(newcomer, Role.CERT_ISSUER)
    assert consortium.member(newcomer).roles == (Role.CERT_ISSUER,)


def test_a_suspended_member_loses_its_roles_as_soon_as_the_block_is_mined(runtime: Runtime):
    consortium = runtime.consortium()
    assert consortium.has_active_role("gz-edu", Role.CERT_ISSUER)
    suspended = consortium.propose_suspend_member("gz-msa", "gz-edu")
    consortium.approve("gz-gsdata", suspended.proposal.id)
    assert not consortium.has_active_role("gz-edu", Role.CERT_ISSUER)
    assert consortium.member("gz-edu").status is MemberStatus.SUSPENDED


def test_readers_in_many_threads_see_the_revocation_once_it_is_mined(runtime: Runtime):
    def is_registrar(_: int) -> bool:
        return runtime.consortium().has_active_role("gz-msa", Role.REGISTRAR)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(is_registrar, range(32))) == {True}
        revoke_registrar_from_msa(runtime)
        assert set(pool.map(is_registrar, range(32))) == {False}


class FakeLog:
    """A chain of which the test says which blocks are canonical and which logged a Consortium event."""

    address = "0xConsortium"

    def __init__(self) -> None:
        self.canonical: set[Head] = set()
        self.logged_at: set[int] = set()

    def is_canonical(self, head: Head) -> bool:
        return head in self.canonical

    def logged_between(self, first: int, last: int) -> bool:
        return any(first <= number <= last for number in self.logged_at)


def asked_at(reads: ConsortiumReads, log: FakeLog, head: Head, answer: str) -> str:
    return reads.answer(head, ("members",), lambda: answer, log)


def test_many_askers_of_one_answer_at_a_new_head_cause_one_read():
    reads, log = ConsortiumReads(), FakeLog()
    calls: list[int] = []
    release = threading.Event()

    def slow_read() -> str:
        calls.append(1)
        release.wait()
        return "answer"

    with ThreadPoolExecutor(max_workers=8) as pool:
        asked = [pool.submit(reads.answer, (7, b"h"), ("members",), slow_read, log) for _ in range(8)]
        release.set()
        assert [future.result() for future in asked] == ["answer"] * 8
    assert len(calls) == 1


def test_answers_hold_at_later_heads_until_a_block_logs_a_consortium_event():
    reads, log = ConsortiumReads(), FakeLog()
    log.canonical |= {(7, b"g"), (8, b"h"), (9, b"i")}
    assert asked_at(reads, log, (7, b"g"), "first") == "first"
    assert asked_at(reads, log, (8, b"h"), "unasked") == "first"
    log.logged_at.add(9)
    assert asked_at(reads, log, (9, b"i"), "changed") == "changed"


def test_answers_are_dropped_when_their_head_was_reverted_away():
    reads, log = ConsortiumReads(), FakeLog()
    log.canonical |= {(7, b"g"), (8, b"h")}
    assert asked_at(reads, log, (8, b"h"), "first") == "first"
    log.canonical = {(7, b"g"), (8, b"other"), (9, b"i")}  # reverted to 7, then grown again
    assert asked_at(reads, log, (9, b"i"), "after revert") == "after revert"
    log.canonical = {(7, b"g")}  # reverted below the answers' head
    assert asked_at(reads, log, (7, b"g"), "at 7") == "at 7"


def test_a_head_older_than_the_answers_is_read_as_asked_and_not_kept():
    reads, log = ConsortiumReads(), FakeLog()
    log.canonical |= {(7, b"g"), (8, b"h")}
    assert asked_at(reads, log, (8, b"h"), "at 8") == "at 8"
    assert asked_at(reads, log, (7, b"g"), "at 7") == "at 7"  # a request that read the head just before
    assert asked_at(reads, log, (8, b"h"), "unasked") == "at 8"


def test_answers_of_another_consortium_are_not_reused():
    reads, log, other = ConsortiumReads(), FakeLog(), FakeLog()
    other.address = "0xAnotherConsortium"
    log.canonical |= {(7, b"g")}
    assert asked_at(reads, log, (7, b"g"), "ours") == "ours"
    assert asked_at(reads, other, (7, b"g"), "theirs") == "theirs"


def test_a_failed_read_is_not_remembered():
    reads, log = ConsortiumReads(), FakeLog()

    def failing() -> str:
        raise ChainUnavailable("node went away")

    with pytest.raises(ChainUnavailable):
        reads.answer((7, b"h"), ("members",), failing, log)
    assert asked_at(reads, log, (7, b"h"), "answer") == "answer"
