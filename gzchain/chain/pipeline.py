"""Many transactions from one signer, sent without waiting for each: bulk writes at the chain's pace.

A plain send signs, sends and waits for its receipt before the next one starts, so a writer gets one
transaction per round trip. A pipeline signs every transaction locally with consecutive nonces, sends them
all, then collects the receipts. Each call comes back on its own, in order:

- done: a receipt with status 1;
- refused: ContractReverted with the decoded reason, whether the dry run or the mined transaction refused it;
- not done: ChainUnavailable (never sent, refused by the node, or not confirmed in time), with the
  transaction's hash when it was sent, since such a transaction may still confirm.

The calls must not depend on each other's effects: a JSON-RPC node dry-runs them all against the same
latest state before any is sent. On the embedded chain nothing is dry-run: each transaction runs once, in
a block shared with the others, and a refusal is read from that very run.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from eth_abi import encode as abi_encode
from eth_abi.exceptions import EncodingError
from eth_account.signers.local import LocalAccount
from eth_utils import function_abi_to_4byte_selector, get_abi_input_types, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction

from gzchain.chain.backends import Applied, Backend, EmbeddedBackend, RpcBackend, SealedBlock
from gzchain.chain.fees import FeePolicy
from gzchain.chain.nonces import NonceManager
from gzchain.chain.signing import CallSigner
from gzchain.chain.transactions import (
    GAS_HEADROOM,
    RECEIPT_POLL_FIRST_S,
    RECEIPT_POLL_MAX_S,
    Outcome,
    Receipt,
)
from gzchain.domain.errors import ChainUnavailable, ContractReverted
from gzchain.domain.keccak import keccak

BATCH_SIZE = 250  # JSON-RPC calls per HTTP request: large enough to amortise, small enough for any node
MAX_BLOCK_TRANSACTIONS = 100  # bounds how long one embedded block keeps other writers waiting
_NO_METHOD = (-32601, -32004)  # JSON-RPC "method not found"; Besu's "method not enabled"


class Sender(Protocol):
    """What a pipeline needs of the gateway it sends for (ChainGateway is one): the chain, its nonces and
    fees, gas money for the signer, revert decoding, and how long to wait for receipts."""

    backend: Backend
    w3: Web3
    chain_id: int
    nonces: NonceManager
    fees: FeePolicy
    tx_timeout_seconds: float

    def fund(self, address: str) -> None: ...

    def decode_revert(self, data: bytes) -> ContractReverted: ...


@dataclass(frozen=True)
class _Call:
    to: bytes
    data: bytes

    def as_json(self, sender: str) -> dict[str, str]:
        return {"from": sender, "to": "0x" + self.to.hex(), "data": "0x" + self.data.hex()}


def send_pipelined(
    gateway: Sender,
    fns: Sequence[ContractFunction],
    signer: LocalAccount,
    writer_lock: AbstractContextManager[Any],
) -> list[Outcome]:
    """Send `fns` as `signer` (see the module docstring); `writer_lock` keeps other writers of the embedded
    chain out of a block while it is being filled."""
    if not fns:
        return []
    gateway.fund(signer.address)
    calls = [_Call(bytes.fromhex(fn.address[2:]), _calldata(fn)) for fn in fns]
    key = CallSigner(signer.key, gateway.chain_id)
    if isinstance(gateway.backend, EmbeddedBackend):
        return _EmbeddedPipeline(gateway, gateway.backend, key, signer.address).send(calls, writer_lock)
    if isinstance(gateway.backend, RpcBackend):
        return _RpcPipeline(gateway, gateway.backend, key, signer.address).send(calls)
    raise TypeError(f"no pipeline for a {type(gateway.backend).__name__}")


def _calldata(fn: ContractFunction) -> bytes:
    """The call's data. web3's encoder runs every argument through generic normalisers (about 1 ms a call);
    eth_abi encodes the same arguments to the same bytes directly. Arguments only web3 understands (hex
    strings for bytes, keyword arguments) take web3's way."""
    if not fn.kwargs:
        selector, types = _signature_of(json.dumps(fn.abi, sort_keys=True))
        try:
            return selector + abi_encode(types, fn.args)
        except (EncodingError, TypeError, ValueError):
            pass
    return bytes.fromhex(fn._encode_transaction_data()[2:])


@functools.lru_cache(maxsize=256)
def _signature_of(abi_json: str) -> tuple[bytes, list[str]]:
    abi = json.loads(abi_json)
    return function_abi_to_4byte_selector(abi), get_abi_input_types(abi)


class _EmbeddedPipeline:
    """Fills blocks of the embedded chain: one EVM run per transaction, one commit per block."""

    def __init__(self, gateway: Sender, backend: EmbeddedBackend, key: CallSigner, sender: str) -> None:
        self.gateway, self.backend, self.key, self.sender = gateway, backend, key, sender

    def send(self, calls: Sequence[_Call], writer_lock: AbstractContextManager[Any]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(calls)
        queue = list(range(len(calls)))
        while queue:
            with writer_lock:
                self._fill_block(calls, queue, outcomes)
        return _all_decided(outcomes)

    def _fill_block(self, calls: Sequence[_Call], queue: list[int], outcomes: list[Outcome | None]) -> None:
        block = self.backend.block_builder()
        # Every transaction may use at least half a block, as a plain send may use a whole one.
        floor = block.gas_limit // 2
        fees = self.gateway.fees.fields(self.gateway.w3)
        placed: list[tuple[int, Applied]] = []
        sealed: SealedBlock | None = None
        try:
            while queue and block.count < MAX_BLOCK_TRANSACTIONS and block.room() >= floor:
                index = queue.pop(0)
                nonce = self.gateway.nonces.take(self.sender)
                call = calls[index]
                raw = self.key.sign(nonce=nonce, gas=block.room(), to=call.to, data=call.data, fees=fees)
                try:
                    placed.append((index, block.add(raw)))
                except ValueError as exc:
                    self.gateway.nonces.forget(self.sender)
                    refused = ChainUnavailable(f"the chain refused the transaction: {exc}")
                    outcomes[index] = Outcome(error=refused)
                    # The chain's count of this account's nonces includes this block once it is sealed.
                    break
                except BaseException:
                    self.gateway.nonces.forget(self.sender)  # the nonce taken was not used
                    raise
        finally:
            # What is in the block was accepted, even if filling it stopped on an error.
            sealed = block.seal()
        if sealed is None:
            return
        log_index = 0
        for index, applied in placed:
            if applied.failed:
                outcomes[index] = Outcome(error=self._refusal(applied, sealed.number))
            else:
                outcomes[index] = Outcome(receipt=_embedded_receipt(applied, sealed, log_index))
            log_index += len(applied.logs)

    def _refusal(self, applied: Applied, block_number: int) -> ContractReverted:
        if applied.error == "Revert":
            return self.gateway.decode_revert(applied.revert_data)
        return ContractReverted("TransactionFailed", {"block": block_number, "error": applied.error})


def _embedded_receipt(applied: Applied, block: SealedBlock, first_log_index: int) -> Receipt:
    """A receipt straight from the run that mined it, with logs shaped as web3 gives them."""
    tx_hash, block_hash = HexBytes(applied.tx_hash), HexBytes(block.hash)
    logs = tuple(
        {
            "address": to_checksum_address(log.address),
            "topics": [HexBytes(topic.to_bytes(32, "big")) for topic in log.topics],
            "data": HexBytes(log.data),
            "blockNumber": block.number,
            "blockHash": block_hash,
            "transactionHash": tx_hash,
            "transactionIndex": applied.index,
            "logIndex": first_log_index + offset,
            "removed": False,
        }
        for offset, log in enumerate(applied.logs)
    )
    return Receipt(
        tx_hash="0x" + applied.tx_hash.hex(),
        block_number=block.number,
        block_hash="0x" + block.hash.hex(),
        gas_used=applied.gas_used,
        contract_address=None,
        logs=logs,
        tx_index=applied.index,
    )


class _RpcPipeline:
    """Dry-runs, sends and confirms through JSON-RPC batches: a handful of HTTP requests per hundreds of
    transactions instead of several per transaction."""

    def __init__(self, gateway: Sender, backend: RpcBackend, key: CallSigner, sender: str) -> None:
        self.gateway, self.backend, self.key, self.sender = gateway, backend, key, sender

    def send(self, calls: Sequence[_Call]) -> list[Outcome]:
        """Chunk by chunk, dry-run, sign and send; then collect every receipt. The node mines the first
        chunks while later ones are still dry-run and sent."""
        outcomes: list[Outcome | None] = [None] * len(calls)
        sent: dict[int, str] = {}
        refused: str | None = None
        for start in range(0, len(calls), BATCH_SIZE):
            chunk = range(start, min(start + BATCH_SIZE, len(calls)))
            if refused is not None:
                for index in chunk:
                    outcomes[index] = Outcome(error=ChainUnavailable(f"not sent: {refused}"))
                continue
            gas = self._dry_run(calls, chunk, outcomes)
            refused = self._send(calls, [index for index in chunk if index in gas], gas, outcomes, sent)
        if refused is not None:
            # The node's pending count is the truth again for this account's next write.
            self.gateway.nonces.forget(self.sender)
        self._confirm(calls, sent, outcomes)
        return _all_decided(outcomes)

    def _batch(self, requests: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        answers: list[dict[str, Any]] = []
        for start in range(0, len(requests), BATCH_SIZE):
            answers += self.backend.batch(requests[start : start + BATCH_SIZE])
        return answers

    def _dry_run(
        self, calls: Sequence[_Call], chunk: Sequence[int], outcomes: list[Outcome | None]
    ) -> dict[int, int]:
        """Each call's gas from one run of it on the latest state; a call that run refuses is never sent.

        eth_createAccessList runs a call once and reports the gas it used (geth, Besu and anvil have it);
        eth_estimateGas searches for the least gas that works, a dozen or more runs, which made the dry run
        the slowest stage of a pipeline. The gas used is at most a refund cap (1/5) below what the call
        needs and, with its access list paid for, a little above it: GAS_HEADROOM (1.25) covers both.
        Nodes without the method are asked for estimates.
        """
        requests = [("eth_createAccessList", [calls[i].as_json(self.sender), "latest"]) for i in chunk]
        answers = dict(zip(chunk, self.backend.batch(requests), strict=True))
        unsupported = [i for i, a in answers.items() if a.get("error", {}).get("code") in _NO_METHOD]
        if unsupported:
            estimates = self.backend.batch(
                [("eth_estimateGas", [calls[i].as_json(self.sender)]) for i in unsupported]
            )
            for index, answer in zip(unsupported, estimates, strict=True):
                answers[index] = {"result": {"gasUsed": answer["result"]}} if "result" in answer else answer
        gas: dict[int, int] = {}
        for index, answer in answers.items():
            if "error" in answer:
                outcomes[index] = Outcome(error=self._refusal(answer["error"]))
            else:
                gas[index] = int(int(answer["result"]["gasUsed"], 16) * GAS_HEADROOM) + 10_000
        return gas

    def _refusal(self, error: dict[str, Any]) -> ContractReverted | ChainUnavailable:
        data = error.get("data")
        if isinstance(data, dict):  # some nodes nest it: {"data": {"data": "0x…"}}
            data = data.get("data")
        if isinstance(data, str) and data.startswith("0x"):
            return self.gateway.decode_revert(bytes.fromhex(data[2:]))
        if "revert" in str(error.get("message", "")).lower():
            return self.gateway.decode_revert(b"")
        return ChainUnavailable(f"chain node refused the request: {error.get('message', error)}")

    def _send(
        self,
        calls: Sequence[_Call],
        sendable: list[int],
        gas: dict[int, int],
        outcomes: list[Outcome | None],
        sent: dict[int, str],
    ) -> str | None:
        """Sign and send one chunk in nonce order; what the node refused, if it refused one. What was sent
        behind a refused transaction waits for its nonce, so it is reported as not done (it may still
        confirm once that nonce is used)."""
        if not sendable:
            return None
        first = self.gateway.nonces.take_many(self.sender, len(sendable))
        fees = self.gateway.fees.fields(self.gateway.w3)
        raws = [
            self.key.sign(nonce=first + k, gas=gas[i], to=calls[i].to, data=calls[i].data, fees=fees)
            for k, i in enumerate(sendable)
        ]
        answers = self.backend.batch([("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw in raws])
        refused: str | None = None
        for index, raw, answer in zip(sendable, raws, answers, strict=True):
            tx_hash = "0x" + keccak(raw).hex()
            if refused is not None:
                outcomes[index] = Outcome(
                    error=ChainUnavailable(
                        f"transaction {tx_hash} was sent behind one the node refused ({refused}); "
                        "it may still confirm",
                        tx_hash=tx_hash,
                    )
                )
            elif "error" in answer:
                message = answer["error"].get("message")
                refused = f"the node refused an earlier transaction: {message}"
                outcomes[index] = Outcome(
                    error=ChainUnavailable(f"the node refused the transaction: {message}")
                )
            else:
                sent[index] = tx_hash
        return refused

    def _confirm(self, calls: Sequence[_Call], sent: dict[int, str], outcomes: list[Outcome | None]) -> None:
        waiting = dict(sent)
        deadline = time.monotonic() + self.gateway.tx_timeout_seconds
        pause = RECEIPT_POLL_FIRST_S
        while waiting:
            indexes = list(waiting)
            answers = self._batch([("eth_getTransactionReceipt", [waiting[index]]) for index in indexes])
            for index, answer in zip(indexes, answers, strict=True):
                raw = answer.get("result")
                if raw:
                    outcomes[index] = self._outcome(calls[index], raw)
                    del waiting[index]
            if not waiting:
                return
            if time.monotonic() >= deadline:
                break
            time.sleep(pause)
            pause = min(pause * 2, RECEIPT_POLL_MAX_S)
        self.gateway.nonces.forget(self.sender)
        for index, tx_hash in waiting.items():
            outcomes[index] = Outcome(
                error=ChainUnavailable(
                    f"transaction {tx_hash} was sent but not confirmed within "
                    f"{self.gateway.tx_timeout_seconds:.0f}s; it may still confirm",
                    tx_hash=tx_hash,
                )
            )

    def _outcome(self, call: _Call, raw: dict[str, Any]) -> Outcome:
        formatted = _formatted_receipt(raw)
        if formatted["status"] == 1:
            return Outcome(receipt=Receipt.of(formatted))
        return Outcome(error=self._why_refused(call, raw["transactionHash"], formatted["blockNumber"]))

    def _why_refused(self, call: _Call, tx_hash: str, block_number: int) -> ContractReverted:
        """A mined transaction that failed: the node's trace of it says why; without tracing, it is run
        again on the state before its block (exact when it was alone in the block or first in it)."""
        answers = self.backend.batch(
            [
                ("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}]),
                ("eth_call", [call.as_json(self.sender), hex(max(block_number - 1, 0))]),
            ]
        )
        output = (answers[0].get("result") or {}).get("output")
        if isinstance(output, str) and output.startswith("0x") and len(output) >= 10:
            return self.gateway.decode_revert(bytes.fromhex(output[2:]))
        if "error" in answers[1]:
            refusal = self._refusal(answers[1]["error"])
            if isinstance(refusal, ContractReverted):
                return refusal
        return ContractReverted("TransactionFailed", {"block": block_number})


def _all_decided(outcomes: list[Outcome | None]) -> list[Outcome]:
    undecided = [index for index, outcome in enumerate(outcomes) if outcome is None]
    if undecided:
        raise RuntimeError(f"pipeline left calls {undecided} without an outcome")
    return [outcome for outcome in outcomes if outcome is not None]


def _formatted_receipt(raw: dict[str, Any]) -> dict[str, Any]:
    """A JSON-RPC receipt with the types web3 gives its receipts, so events decode the same way."""

    def number(value: Any) -> int:
        return int(value, 16) if isinstance(value, str) else int(value)

    return {
        "status": number(raw["status"]),
        "transactionHash": HexBytes(raw["transactionHash"]),
        "blockNumber": number(raw["blockNumber"]),
        "blockHash": HexBytes(raw["blockHash"]),
        "gasUsed": number(raw["gasUsed"]),
        "transactionIndex": number(raw["transactionIndex"]),
        "contractAddress": (
            to_checksum_address(raw["contractAddress"]) if raw.get("contractAddress") else None
        ),
        "logs": [
            {
                "address": to_checksum_address(log["address"]),
                "topics": [HexBytes(topic) for topic in log["topics"]],
                "data": HexBytes(log["data"]),
                "blockNumber": number(log["blockNumber"]),
                "blockHash": HexBytes(log["blockHash"]),
                "transactionHash": HexBytes(log["transactionHash"]),
                "transactionIndex": number(log["transactionIndex"]),
                "logIndex": number(log["logIndex"]),
                "removed": bool(log.get("removed", False)),
            }
            for log in raw.get("logs", [])
        ],
    }
