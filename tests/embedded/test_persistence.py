"""The embedded chain remembers: restarts and crashes lose nothing confirmed; bad saved state is reported."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gzchain.bootstrap import open_runtime
from gzchain.chain.backends import EmbeddedBackend
from gzchain.domain.consortium import ProposalState
from gzchain.domain.errors import ChainUnavailable
from gzchain.settings import Settings

SUPPORT = Path(__file__).resolve().parents[1] / "support"


def test_a_restarted_chain_has_every_confirmed_transaction(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    first = open_runtime(settings)
    first.deploy()
    outcome = first.consortium().propose_threshold("gz-msa", 2)
    head = first.gateway.w3.eth.get_block("latest")
    first.close()

    second = open_runtime(settings)
    try:
        assert second.deploy().deployed == ()
        w3 = second.gateway.w3
        assert w3.eth.get_block("latest")["hash"] == head["hash"]
        assert (
            w3.eth.get_transaction_receipt(outcome.receipt.tx_hash)["blockHash"].hex()
            == outcome.receipt.block_hash[2:]
        )
        assert second.consortium().proposal(outcome.proposal.id).state is ProposalState.PENDING
        second.consortium().approve("gz-gsdata", outcome.proposal.id)
    finally:
        second.close()


def test_a_killed_writer_loses_no_confirmed_transaction(tmp_path: Path):
    writer = subprocess.Popen(
        [sys.executable, str(SUPPORT / "crash_writer.py"), str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    confirmed = [writer.stdout.readline().strip() for _ in range(5)]
    time.sleep(0.05)  # land the kill somewhere inside the next write
    writer.kill()
    writer.wait()
    runtime = open_runtime(Settings(data_dir=tmp_path))
    try:
        for tx_hash in confirmed:
            assert runtime.gateway.w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
        runtime.consortium().propose_threshold("gz-msa", 2)
    finally:
        runtime.close()


def test_an_ephemeral_chain_writes_nothing_to_disk(tmp_path: Path):
    runtime = open_runtime(Settings(data_dir=tmp_path, ephemeral=True))
    runtime.deploy()
    runtime.close()
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_saved_chain_is_reported_not_replaced(tmp_path: Path):
    (tmp_path / "chain.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(ChainUnavailable, match=r"unreadable|corrupt"):
        EmbeddedBackend(tmp_path)
    assert (tmp_path / "chain.sqlite").read_bytes().startswith(b"this is not a database")


def test_a_saved_chain_of_another_chain_id_is_reported(tmp_path: Path):
    EmbeddedBackend(tmp_path).close()
    with sqlite3.connect(tmp_path / "chain.sqlite") as db:
        db.execute("UPDATE meta SET v = '1' WHERE k = 'chain_id'")
    with pytest.raises(ChainUnavailable, match="is chain 1, expected"):
        EmbeddedBackend(tmp_path)


def test_a_saved_chain_whose_blocks_are_missing_is_reported(tmp_path: Path):
    EmbeddedBackend(tmp_path).close()
    with sqlite3.connect(tmp_path / "chain.sqlite") as db:
        db.execute("DELETE FROM kv")
    with pytest.raises(ChainUnavailable, match="cannot be opened"):
        EmbeddedBackend(tmp_path)
