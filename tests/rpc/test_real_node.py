"""What only a real JSON-RPC node shows: unreachable nodes, and the same reverts as the embedded chain."""

from __future__ import annotations

import os

import pytest
from conftest import AnvilNode, free_port
from support.chain import reverts

from gzchain.bootstrap import open_runtime
from gzchain.chain.backends import RpcBackend
from gzchain.chain.deployment import DEPLOYMENT_ORDER
from gzchain.chain.gateway import ChainGateway, connect
from gzchain.domain.errors import ChainUnavailable, ContractReverted
from gzchain.domain.registry import uscc_bytes
from gzchain.domain.roles import Role
from gzchain.domain.uscc import uscc_from_prefix
from gzchain.settings import Settings


def register(registry, code: str):
    return registry.functions.register(uscc_bytes(code), os.urandom(32))


def missing_role_revert(runtime) -> ContractReverted:
    consortium = runtime.consortium()
    with pytest.raises(ContractReverted) as info:
        consortium.propose_threshold("gz-notary", 1)
    return info.value


def test_the_same_missing_role_revert_comes_out_of_both_backends(anvil: AnvilNode, tmp_path):
    embedded = open_runtime(Settings(data_dir=tmp_path / "e", ephemeral=True))
    real = open_runtime(Settings(data_dir=tmp_path / "r", rpc_url=anvil.url))
    try:
        embedded.deploy()
        real.deploy()
        on_embedded, on_anvil = missing_role_revert(embedded), missing_role_revert(real)
    finally:
        embedded.close()
        real.close()
    assert on_embedded.error_name == on_anvil.error_name == "ConsortiumMissingRole"
    assert (
        on_embedded.args_by_name
        == on_anvil.args_by_name
        == {
            "account": embedded.keys.address("gz-notary"),
            "role": Role.GOVERNOR.id,
        }
    )


def test_an_unreachable_node_is_chain_unavailable():
    with pytest.raises(ChainUnavailable, match="unreachable"):
        connect(Settings(rpc_url=f"http://127.0.0.1:{free_port()}"))


def test_a_url_that_is_not_http_is_refused():
    with pytest.raises(ChainUnavailable, match="must start with http"):
        connect(Settings(rpc_url="ws://127.0.0.1:8546"))


def test_credentials_in_a_node_url_never_appear_in_errors():
    with pytest.raises(ChainUnavailable) as info:
        RpcBackend(f"http://agency:s3cret@127.0.0.1:{free_port()}")
    assert "s3cret" not in str(info.value)
    assert "***@127.0.0.1" in str(info.value)


def test_a_node_that_stops_mid_session_gives_chain_unavailable(tmp_path):
    node = AnvilNode().start()
    gateway = ChainGateway(RpcBackend(node.url))
    runtime = open_runtime(Settings(data_dir=tmp_path, rpc_url=node.url), gateway=gateway)
    runtime.deploy()
    node.stop()
    with pytest.raises(ChainUnavailable):
        runtime.consortium().propose_threshold("gz-msa", 2)
    with pytest.raises(ChainUnavailable):
        runtime.consortium().members()


def test_deploying_twice_on_a_real_node_changes_nothing(anvil: AnvilNode, tmp_path):
    settings = Settings(data_dir=tmp_path, rpc_url=anvil.url)
    first = open_runtime(settings)
    assert first.deploy().deployed == tuple(name for name, _ in DEPLOYMENT_ORDER)
    second = open_runtime(settings)
    block = second.gateway.w3.eth.block_number
    assert second.deploy().deployed == ()
    assert second.gateway.w3.eth.block_number == block
    with reverts("ConsortiumMissingRole"):
        second.consortium().propose_threshold("gz-edu", 2)


def test_a_node_without_qbft_reports_no_validators(anvil: AnvilNode):
    assert ChainGateway(RpcBackend(anvil.url)).validators() is None


def test_readyz_lists_the_qbft_validators_a_node_reports(anvil: AnvilNode, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from gzchain.api.app import create_app

    runtime = open_runtime(Settings(data_dir=tmp_path, rpc_url=anvil.url))
    runtime.deploy()
    validators = ["0x" + "ab" * 20, "0x" + "cd" * 20]
    real = runtime.gateway.w3.provider.make_request

    def qbft_node(method, params):  # anvil speaks no QBFT; answer as a Besu validator would
        if method == "qbft_getValidatorsByBlockNumber":
            return {"jsonrpc": "2.0", "id": 1, "result": validators}
        return real(method, params)

    monkeypatch.setattr(runtime.gateway.w3.provider, "make_request", qbft_node)
    chain = TestClient(create_app(runtime)).get("/readyz").json()["checks"]["chain"]
    assert chain["validators"] == [runtime.gateway.w3.to_checksum_address(v) for v in validators]
    assert chain["chain_id"] == 31337 and chain["height"] > 0


def test_a_pipeline_on_a_node_mining_every_second_confirms_calls_spread_over_several_blocks(tmp_path):
    # Interval mining, as on Besu QBFT: the calls of one pipeline may land in different blocks.
    node = AnvilNode("--base-fee", "0", "--gas-price", "0", "--no-priority-fee", "--block-time", "1").start()
    runtime = open_runtime(Settings(data_dir=tmp_path, rpc_url=node.url))
    try:
        runtime.deploy()
        registry = runtime.business().contract
        msa = runtime.keys.signer("gz-msa")
        codes = [uscc_from_prefix(f"91440101{n:08d}") for n in range(700, 706)]
        first = runtime.gateway.transact_many([register(registry, code) for code in codes[:3]], msa)
        second = runtime.gateway.transact_many(
            [register(registry, codes[3]), register(registry, codes[0]), register(registry, codes[4])], msa
        )
        third = runtime.gateway.transact_many([register(registry, codes[5])], msa)
    finally:
        runtime.close()
        node.stop()
    assert [o.done for o in first + second + third] == [True, True, True, True, False, True, True]
    assert second[1].error is not None and second[1].error.error_name == "BusinessRegistryAlreadyRegistered"
    blocks = {o.result().block_number for o in first + third}
    assert len(blocks) >= 2
