"""Pipelined writes on a saved embedded chain: blocks of many transactions are committed like any other."""

from __future__ import annotations

import os
from pathlib import Path

from gzchain.bootstrap import open_runtime
from gzchain.chain.backends import EmbeddedBackend
from gzchain.domain.registry import uscc_bytes
from gzchain.domain.uscc import uscc_from_prefix
from gzchain.settings import Settings


def test_a_restarted_chain_has_every_pipelined_transaction(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    first = open_runtime(settings)
    first.deploy()
    registry = first.business().contract
    codes = [uscc_from_prefix(f"91440101{n:08d}") for n in range(5)]
    fns = [registry.functions.register(uscc_bytes(code), os.urandom(32)) for code in codes]
    outcomes = first.gateway.transact_many(fns, first.keys.signer("gz-msa"))
    head = first.gateway.w3.eth.get_block("latest")
    first.close()

    second = open_runtime(settings)
    try:
        w3 = second.gateway.w3
        assert w3.eth.get_block("latest")["hash"] == head["hash"]
        for outcome, code in zip(outcomes, codes, strict=True):
            receipt = w3.eth.get_transaction_receipt(outcome.result().tx_hash)
            assert receipt["status"] == 1
            assert "0x" + bytes(receipt["blockHash"]).hex() == outcome.result().block_hash
            assert second.gateway.call(second.business().contract.functions.versions(uscc_bytes(code)))
    finally:
        second.close()


def test_a_pipeline_shares_blocks_on_the_embedded_chain():
    runtime = open_runtime(Settings(ephemeral=True))
    try:
        runtime.deploy()
        assert isinstance(runtime.gateway.backend, EmbeddedBackend)
        registry = runtime.business().contract
        codes = [uscc_from_prefix(f"91440102{n:08d}") for n in range(4)]
        fns = [registry.functions.register(uscc_bytes(code), os.urandom(32)) for code in codes]
        before = runtime.gateway.block_number()

        outcomes = runtime.gateway.transact_many(fns, runtime.keys.signer("gz-msa"))

        assert {outcome.result().block_number for outcome in outcomes} == {before + 1}
        assert runtime.gateway.block_number() == before + 1
        block = runtime.gateway.w3.eth.get_block(before + 1)
        assert ["0x" + bytes(h).hex() for h in block["transactions"]] == [
            o.result().tx_hash for o in outcomes
        ]
    finally:
        runtime.close()
