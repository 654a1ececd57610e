"""What an attacker reads of the chain: every transaction's calldata, every log's topics and data, and every
storage slot of every contract gzchain deployed (py-evm's state trie on the embedded chain, `anvil_dumpState`
on anvil)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import rlp
from trie import HexaryTrie
from trie.iter import NodeIterator

from gzchain.bootstrap import Runtime


def chain_bytes(runtime: Runtime) -> list[bytes]:
    """Everything the chain exposes, as raw byte strings: calldata, log topics and data, storage values."""
    w3 = runtime.gateway.w3
    blobs: list[bytes] = []
    for number in range(w3.eth.block_number + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            blobs.append(bytes(tx.get("input", tx.get("data", b""))))  # eth-tester says "data"
            receipt = w3.eth.get_transaction_receipt(tx["hash"])
            for log in receipt["logs"]:
                blobs += [bytes(topic) for topic in log["topics"]]
                blobs.append(bytes(log["data"]))
    blobs += list(storage_values(runtime))
    return blobs


def storage_values(runtime: Runtime) -> Iterator[bytes]:
    """Every non-empty storage slot of every contract the manifest deployed, left-padded to 32 bytes."""
    addresses = [deployed.address for deployed in runtime.require_manifest().contracts.values()]
    backend = runtime.gateway.backend
    if hasattr(backend, "chain"):
        state = backend.chain().get_vm().state
        db = state._account_db._raw_store_db  # the state database the storage tries live in
        for address in addresses:
            root = state._account_db._get_account(bytes.fromhex(address[2:])).storage_root
            for value in NodeIterator(HexaryTrie(db, root)).values():
                yield rlp.decode(value).rjust(32, b"\0")
        return
    dump = runtime.gateway.w3.provider.make_request("anvil_dumpState", [])["result"]
    state = json.loads(gzip.decompress(bytes.fromhex(dump.removeprefix("0x"))))
    wanted = {address.lower() for address in addresses}
    for address, account in state["accounts"].items():
        if address.lower() in wanted:
            for value in account.get("storage", {}).values():
                yield bytes.fromhex(value.removeprefix("0x").rjust(64, "0"))
