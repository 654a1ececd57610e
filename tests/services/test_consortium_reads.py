"""Consortium reads are kept per chain head: asked again at the same block they cost no chain call, and
a role change is seen as soon as its block is mined (or undone by a revert), from every thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gzchain.bootstrap import Runtime
from gzchain.chain.gateway import ChainGateway
from gzchain.domain.errors import ChainUnavailable
from gzchain.domain.roles import Role
from gzchain.services.consortium import ConsortiumReads


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


def test_answers_at_one_head_are_asked_of_the_chain_once(runtime: Runtime, chain_calls: list[str]):
    consortium = runtime.consortium()
    first = consortium.members()
    asked = len(chain_calls)
    assert asked > len(first)  # the list, then each member's record and roles
    again = runtime.consortium()  # another request's service shares the runtime's answers
    assert again.members() == first
    assert again.has_active_role("gz-msa", Role.REGISTRAR)
    assert again.threshold() == consortium.threshold()
    assert chain_calls[asked:] == ["hasActiveRole", "threshold"]

    height = runtime.gateway.block_number()
    consortium.propose_threshold("gz-msa", 2)  # any new block, even one that changes no role
    assert runtime.gateway.block_number() > height
    assert again.members() == first
    assert chain_calls.count("members") == 2


def test_readers_in_many_threads_see_the_revocation_once_it_is_mined(runtime: Runtime):
    def is_registrar(_: int) -> bool:
        return runtime.consortium().has_active_role("gz-msa", Role.REGISTRAR)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(is_registrar, range(32))) == {True}
        revoke_registrar_from_msa(runtime)
        assert set(pool.map(is_registrar, range(32))) == {False}


def test_many_askers_of_one_answer_at_a_new_head_cause_one_read():
    reads = ConsortiumReads()
    calls: list[int] = []
    release = threading.Event()

    def slow_read() -> str:
        calls.append(1)
        release.wait()
        return "answer"

    with ThreadPoolExecutor(max_workers=8) as pool:
        asked = [pool.submit(reads.answer, (7, b"h"), ("members",), slow_read) for _ in range(8)]
        release.set()
        assert [future.result() for future in asked] == ["answer"] * 8
    assert len(calls) == 1
    assert reads.answer((8, b"i"), ("members",), lambda: "next block") == "next block"


def test_a_failed_read_is_not_remembered():
    reads = ConsortiumReads()

    def failing() -> str:
        raise ChainUnavailable("node went away")

    with pytest.raises(ChainUnavailable):
        reads.answer((7, b"h"), ("members",), failing)
    assert reads.answer((7, b"h"), ("members",), lambda: "answer") == "answer"
