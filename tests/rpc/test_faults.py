"""The node stops in the middle of a write, then comes back with its state: what the caller is told, what
the chain holds, and that the same runtime carries on without being re-created.

anvil runs with `--state FILE`: it saves its chain when stopped (SIGTERM) and loads it when started again
on the same port. Its transaction pool is not saved, like a node that crashes with work still queued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import AnvilNode
from support.chain import reverts

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.domain.errors import ChainUnavailable
from gzchain.settings import Settings

PROPOSER = "gz-msa"


@pytest.fixture
def node(tmp_path: Path) -> Iterator[AnvilNode]:
    anvil = AnvilNode("--state", str(tmp_path / "anvil-state.json")).start()
    yield anvil
    anvil.stop()


@pytest.fixture
def runtime(node: AnvilNode, tmp_path: Path) -> Iterator[Runtime]:
    # A short confirmation timeout: a write the node can never mine fails this test quickly, not in 2 min.
    rt = open_runtime(Settings(data_dir=tmp_path / "data", rpc_url=node.url, tx_timeout_seconds=10))
    rt.deploy()
    yield rt
    rt.close()


def rpc(node: AnvilNode, method: str, *params: Any) -> Any:
    answer = requests.post(node.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    answer.raise_for_status()
    return answer.json()["result"]


def stopping_after_send(runtime: Runtime, node: AnvilNode, monkeypatch: pytest.MonkeyPatch) -> None:
    """The node accepts the raw transaction, then stops before the caller can read its receipt."""
    send: Callable[[Any], Any] = runtime.gateway.w3.eth.send_raw_transaction

    def send_then_stop(raw: Any) -> Any:
        tx_hash = send(raw)
        node.stop()
        return tx_hash

    monkeypatch.setattr(runtime.gateway.w3.eth, "send_raw_transaction", send_then_stop)


def chain_nonce(runtime: Runtime, agency: str) -> int:
    return runtime.gateway.w3.eth.get_transaction_count(runtime.keys.address(agency))


def test_a_write_lost_with_the_nodes_pool_is_reported_not_done_and_the_next_write_succeeds(
    node: AnvilNode, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
):
    consortium = runtime.consortium()
    proposals_before = len(consortium.proposals())
    nonce_before = chain_nonce(runtime, PROPOSER)
    rpc(node, "evm_setAutomine", False)  # the write waits in the pool, as on a busy network
    with monkeypatch.context() as patch:
        stopping_after_send(runtime, node, patch)
        with pytest.raises(ChainUnavailable, match="was sent") as info:
            consortium.propose_threshold(PROPOSER, 2)
    assert info.value.tx_hash is not None

    node.start()
    assert runtime.gateway.find_receipt(info.value.tx_hash) is None  # not done
    assert len(consortium.proposals()) == proposals_before
    assert chain_nonce(runtime, PROPOSER) == nonce_before

    outcome = consortium.propose_threshold(PROPOSER, 2)  # same runtime, same gateway
    assert outcome.proposal.id == proposals_before + 1
    assert chain_nonce(runtime, PROPOSER) == nonce_before + 1


def test_a_write_mined_just_before_the_node_stops_is_found_done_once_it_is_back(
    node: AnvilNode, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
):
    consortium = runtime.consortium()
    proposals_before = len(consortium.proposals())
    nonce_before = chain_nonce(runtime, PROPOSER)
    with monkeypatch.context() as patch:
        stopping_after_send(runtime, node, patch)
        with pytest.raises(ChainUnavailable, match="was sent") as info:
            consortium.propose_threshold(PROPOSER, 2)

    node.start()
    receipt = runtime.gateway.find_receipt(info.value.tx_hash)
    assert receipt is not None and receipt.tx_hash == info.value.tx_hash  # done
    proposal = consortium.proposal(proposals_before + 1)
    assert (proposal.proposer, proposal.threshold, proposal.approvals) == (
        runtime.keys.address(PROPOSER),
        2,
        1,
    )
    assert chain_nonce(runtime, PROPOSER) == nonce_before + 1

    assert consortium.propose_threshold(PROPOSER, 2).proposal.id == proposals_before + 2


def test_a_write_attempted_while_the_node_is_down_sends_nothing_and_works_once_it_is_back(
    node: AnvilNode, runtime: Runtime
):
    consortium = runtime.consortium()
    proposals_before = len(consortium.proposals())
    node.stop()
    with pytest.raises(ChainUnavailable, match="unreachable") as info:
        consortium.propose_threshold(PROPOSER, 2)
    assert info.value.tx_hash is None  # refused before anything was sent

    node.start()
    assert consortium.propose_threshold(PROPOSER, 2).proposal.id == proposals_before + 1
    assert len(consortium.proposals()) == proposals_before + 1


def test_a_write_that_was_mined_but_refused_is_reported_with_the_contracts_reason(
    node: AnvilNode, runtime: Runtime
):
    consortium = runtime.consortium()
    w3 = runtime.gateway.w3
    notary = runtime.keys.signer("gz-notary")  # no GOVERNOR role: the contract refuses it on chain
    runtime.gateway.fund(notary.address)
    tx = consortium.contract.functions.proposeThreshold(2).build_transaction(
        {
            "from": notary.address,
            "nonce": w3.eth.get_transaction_count(notary.address),
            "gas": 300_000,  # given, so that nothing runs it before it is mined
            "chainId": runtime.gateway.chain_id,
            **runtime.gateway.fees.fields(w3),
        }
    )
    tx_hash = "0x" + bytes(w3.eth.send_raw_transaction(notary.sign_transaction(tx).raw_transaction)).hex()
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 0

    with reverts("ConsortiumMissingRole", account=notary.address):
        runtime.gateway.find_receipt(tx_hash)
