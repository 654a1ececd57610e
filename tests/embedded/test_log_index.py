"""The embedded chain's log index answers eth_getLogs exactly as eth-tester's scan of every receipt does,
through auto-mined and pipelined blocks, snapshot reverts, restarts and a killed writer."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_tester import EthereumTester, PyEVMBackend
from eth_utils import event_abi_to_log_topic

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.chain.backends import EmbeddedBackend
from gzchain.domain.registry import uscc_bytes
from gzchain.domain.uscc import uscc_from_prefix
from gzchain.settings import Settings

SUPPORT = Path(__file__).resolve().parents[1] / "support"


def _backend(runtime: Runtime) -> EmbeddedBackend:
    backend = runtime.gateway.backend
    assert isinstance(backend, EmbeddedBackend)
    return backend


def _scanned(backend: EmbeddedBackend, **params: Any) -> list[Any]:
    """What eth-tester itself answers: every receipt of every block in the range, decoded and matched."""
    return list(EthereumTester.get_logs(backend.tester, **params))


def _answer(read: Callable[[], list[Any]]) -> list[Any] | str:
    """The logs, or the error eth-tester raised (it has no block "pending" to read logs from)."""
    try:
        return list(read())
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _topic(value: bytes) -> str:
    return "0x" + value.ljust(32, b"\0").hex()


def _filters(runtime: Runtime, codes: list[str]) -> list[dict[str, Any]]:
    """Filters as web3 and the services send them: by address, event type, indexed argument, range."""
    registry = runtime.business().contract
    consortium = runtime.consortium().contract
    registered = event_abi_to_log_topic(registry.events.BusinessRegistered().abi)
    head = runtime.gateway.w3.eth.block_number
    some_topic0s = {entry["topics"][0] for entry in _scanned(_backend(runtime), from_block=0)}
    return [
        {},
        {"from_block": 0},
        {"from_block": 0, "to_block": "latest", "address": registry.address},
        {"from_block": 0, "address": consortium.address},
        {"from_block": 0, "address": [registry.address, consortium.address]},
        {"from_block": 0, "topics": ["0x" + registered.hex()]},
        {"from_block": 0, "address": registry.address, "topics": [None, _topic(uscc_bytes(codes[1]))]},
        {"from_block": 0, "topics": [sorted(some_topic0s)[:3]]},
        {"from_block": 0, "topics": [None, [_topic(uscc_bytes(c)) for c in codes[:3]]]},
        {"from_block": 0, "topics": ["0x" + "ab" * 32]},
        {"from_block": 0, "address": "0x" + "11" * 20},
        {"from_block": 3, "to_block": head - 2},
        {"from_block": head - 1, "to_block": head, "address": registry.address},
        {"from_block": head, "to_block": head},
        {"from_block": 0, "to_block": "pending"},
        {"from_block": "earliest", "to_block": "latest"},
    ]


def _assert_index_matches_scan(runtime: Runtime, codes: list[str]) -> int:
    backend = _backend(runtime)
    found = 0
    for params in _filters(runtime, codes):
        indexed = _answer(lambda params=params: backend.tester.get_logs(**params))
        assert indexed == _answer(lambda params=params: _scanned(backend, **params)), params
        found += len(indexed) if isinstance(indexed, list) else 0
    assert found  # the filters did find logs, so equality is not between two empty answers
    return found


def _transactions(runtime: Runtime) -> list[str]:
    w3 = runtime.gateway.w3
    return [
        "0x" + bytes(tx).hex()
        for number in range(w3.eth.block_number + 1)
        for tx in w3.eth.get_block(number)["transactions"]
    ]


def _assert_receipts_match_search(runtime: Runtime, tx_hashes: list[str]) -> None:
    """Receipts found by py-evm's transaction lookup are those eth-tester's search of every block finds."""
    evm = _backend(runtime).tester.backend
    for tx_hash in tx_hashes:
        raw = bytes.fromhex(tx_hash[2:])
        looked_up = _answer(lambda raw=raw: [evm.get_transaction_receipt(raw)])
        assert looked_up == _answer(lambda raw=raw: [PyEVMBackend.get_transaction_receipt(evm, raw)]), tx_hash


def _register(runtime: Runtime, codes: list[str]) -> None:
    """Some businesses one per auto-mined block, the rest pipelined into shared blocks."""
    service = runtime.business()
    registry = service.contract
    half = len(codes) // 2
    for code in codes[:half]:
        runtime.gateway.transact(
            registry.functions.register(uscc_bytes(code), os.urandom(32)), runtime.keys.signer("gz-msa")
        )
    fns = [registry.functions.register(uscc_bytes(code), os.urandom(32)) for code in codes[half:]]
    for outcome in runtime.gateway.transact_many(fns, runtime.keys.signer("gz-msa")):
        outcome.result()


def _codes(first: int, count: int) -> list[str]:
    return [uscc_from_prefix(f"91440101{n:08d}") for n in range(first, first + count)]


def test_the_index_answers_as_the_scan_over_a_varied_chain_and_follows_a_revert():
    runtime = open_runtime(Settings(ephemeral=True))
    try:
        runtime.deploy()
        codes = _codes(0, 6)
        _register(runtime, codes)
        runtime.consortium().propose_threshold("gz-msa", 2)
        before = _assert_index_matches_scan(runtime, codes)

        snapshot = runtime.gateway.snapshot()
        more = _codes(100, 4)
        _register(runtime, more)
        assert _assert_index_matches_scan(runtime, codes + more) > before

        reverted = _transactions(runtime)
        runtime.gateway.revert_to(snapshot)
        assert _assert_index_matches_scan(runtime, codes + more) == before
        _assert_receipts_match_search(runtime, reverted)  # the reverted ones are not found by either
        gone = {"from_block": 0, "topics": [None, _topic(uscc_bytes(more[0]))]}
        assert _backend(runtime).tester.get_logs(**gone) == []

        # The reverted block numbers are mined again, with other blocks holding other logs.
        other = _codes(200, 3)
        _register(runtime, other)
        _assert_index_matches_scan(runtime, codes + other)
        _assert_receipts_match_search(runtime, _transactions(runtime) + reverted)
    finally:
        runtime.close()


def test_a_restarted_chain_keeps_its_index_and_an_unindexed_one_is_indexed_on_open(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    first = open_runtime(settings)
    first.deploy()
    codes = _codes(300, 4)
    _register(first, codes)
    head = first.gateway.w3.eth.block_number
    first.close()
    with sqlite3.connect(Settings(data_dir=tmp_path).chain_dir / "chain.sqlite") as db:
        assert db.execute("SELECT MAX(number) FROM log_index_block").fetchone()[0] == head
        assert db.execute("SELECT COUNT(*) FROM log_index").fetchone()[0] > 0

    second = open_runtime(settings)
    try:
        _assert_index_matches_scan(second, codes)
    finally:
        second.close()

    # A chain saved before the index existed.
    with sqlite3.connect(Settings(data_dir=tmp_path).chain_dir / "chain.sqlite") as db:
        db.execute("DROP TABLE log_index")
        db.execute("DROP TABLE log_index_block")
    third = open_runtime(settings)
    try:
        _assert_index_matches_scan(third, codes)
    finally:
        third.close()


def test_a_killed_writer_leaves_the_index_exactly_at_the_saved_head(tmp_path: Path):
    writer = subprocess.Popen(
        [sys.executable, str(SUPPORT / "crash_writer.py"), str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    for _ in range(5):
        writer.stdout.readline()
    time.sleep(0.05)  # land the kill somewhere inside the next write
    writer.kill()
    writer.wait()
    # What is on disk, before anything opens the chain and could index what is missing.
    with sqlite3.connect(Settings(data_dir=tmp_path).chain_dir / "chain.sqlite") as db:
        indexed_number, indexed_hash = db.execute(
            "SELECT number, hash FROM log_index_block ORDER BY number DESC LIMIT 1"
        ).fetchone()
    runtime = open_runtime(Settings(data_dir=tmp_path))
    try:
        head = runtime.gateway.w3.eth.get_block("latest")
        assert (indexed_number, bytes(indexed_hash)) == (head["number"], bytes(head["hash"]))
        backend = _backend(runtime)
        consortium = runtime.consortium().contract.address
        params = {"from_block": 0, "address": consortium}
        logs = backend.tester.get_logs(**params)
        assert logs and logs == _scanned(backend, **params)
    finally:
        runtime.close()
