"""The two kinds of chain gzchain talks to: the embedded eth-tester chain and any JSON-RPC node.

Each backend gives a Web3 instance plus the few things that differ between chains: how accounts get
gas money on a development chain, and how time is moved and state snapshotted in tests.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import requests
from eth.db.atomic import AtomicDB
from eth.exceptions import BlockNotFound, HeaderNotFound, TransactionNotFound
from eth.vm.forks import ShanghaiVM
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm.serializers import serialize_transaction_receipt
from eth_tester.utils.filters import Filter, check_if_log_matches
from eth_utils import ValidationError
from web3 import HTTPProvider, Web3
from web3.exceptions import Web3RPCError
from web3.middleware import ExtraDataToPOAMiddleware
from web3.providers.eth_tester import EthereumTesterProvider

from gzchain.chain.embedded_db import SCHEMA_VERSION, SqliteKV
from gzchain.chain.log_index import LogIndex
from gzchain.domain.errors import ChainUnavailable

DEV_FUNDING_WEI = 10**21  # 1,000 ether: gas for years of demo traffic on a base-fee dev chain


class Backend(ABC):
    """What the gateway needs from a chain beyond the JSON-RPC methods web3 already speaks."""

    kind: str
    w3: Web3
    # Nodes estimate gas natively in milliseconds; py-evm's estimate is a binary search that runs the
    # transaction a dozen times, so the embedded chain dry-runs it once and sends with the block's gas limit.
    estimates_gas: bool = True

    @abstractmethod
    def fund(self, address: str, wei: int = DEV_FUNDING_WEI) -> None:
        """Give `address` gas money where the chain charges for gas and has a way to mint it."""

    def head(self) -> tuple[int, bytes]:
        """The latest block's number and hash, asked of the provider directly: callers keying caches on
        the head read it per request, and web3's formatting of a whole block would cost more."""
        response = self.w3.provider.make_request("eth_getBlockByNumber", ["latest", False])  # type: ignore[arg-type]
        block = response.get("result") if isinstance(response, dict) else None
        if not isinstance(block, dict):
            raise ChainUnavailable(f"the chain did not say which block is its latest: {response!r:.200}")
        return int(block["number"], 16), bytes.fromhex(str(block["hash"]).removeprefix("0x"))

    @abstractmethod
    def snapshot(self) -> Any: ...

    @abstractmethod
    def revert(self, snapshot: Any) -> None: ...

    @abstractmethod
    def advance_time(self, seconds: int) -> None:
        """Mine a block `seconds` later than the latest one (tests of expiry)."""

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Release files and connections."""


class _LockedTesterProvider(EthereumTesterProvider):
    """py-evm is not thread-safe; the API serves requests from several threads."""

    def __init__(self, tester: EthereumTester) -> None:
        super().__init__(tester)
        self.lock = threading.RLock()

    def make_request(self, method: Any, params: Any) -> Any:
        with self.lock:
            return super().make_request(method, params)


class _PersistentPyEVMBackend(PyEVMBackend):
    """eth-tester's py-evm backend whose chain lives in a SqliteKV, committed once per mined block.

    Its log index is updated in the same SQLite transaction as each block, so neither can be saved
    without the other.
    """

    kv: SqliteKV | None = None
    log_index: LogIndex

    def mine_blocks(self, num_blocks: int = 1, coinbase: Any = None) -> Any:
        kwargs = {} if coinbase is None else {"coinbase": coinbase}
        try:
            hashes = super().mine_blocks(num_blocks, **kwargs)
            self.sync_log_index()
        except BaseException:
            self.rollback()
            raise
        self.commit()
        return hashes

    def get_transaction_receipt(self, transaction_hash: bytes) -> Any:
        """eth-tester's receipt, found through py-evm's transaction lookup instead of eth-tester's search
        of every block down from the head (a receipt of an old transaction cost a pass over the chain)."""
        chain = self.chain
        transaction = None
        try:
            number, index = chain.chaindb.get_transaction_index(transaction_hash)
            # A revert leaves the lookups (and number-to-block entries) of the blocks above it behind.
            if number <= chain.get_canonical_head().block_number:
                block = chain.get_canonical_block_by_number(number)
                transaction = block.transactions[index]
        except (TransactionNotFound, HeaderNotFound, BlockNotFound, IndexError):
            pass
        if transaction is None or transaction.hash != transaction_hash:
            # Pending, unknown, or reverted: eth-tester's own search decides.
            return super().get_transaction_receipt(transaction_hash)
        return serialize_transaction_receipt(
            block, block.get_receipts(chain.chaindb), transaction, index, False, chain.get_vm()
        )

    def sync_log_index(self) -> int:
        """Bring the log index to the canonical head, first cutting it back to the last block it shares
        with the chain (a snapshot revert moves the head without mining); the head's number."""
        chain = self.chain
        head = int(chain.get_canonical_head().block_number)
        indexed = self.log_index.head()
        agreed = min(indexed, head)
        while agreed >= 0 and self.log_index.block_hash(agreed) != chain.chaindb.get_canonical_block_hash(
            agreed
        ):
            agreed -= 1
        if agreed < indexed:
            self.log_index.forget_after(agreed)
        for number in range(agreed + 1, head + 1):
            block = chain.get_canonical_block_by_number(number)
            self.log_index.add_block(number, block.hash, block.get_receipts(chain.chaindb))
        return head

    def commit(self) -> None:
        # A saved chain's index shares the chain's connection: one commit saves both.
        (self.log_index if self.kv is None else self.kv).commit()

    def rollback(self) -> None:
        (self.log_index if self.kv is None else self.kv).rollback()


class _IndexedEthereumTester(EthereumTester):
    """eth-tester answering `eth_getLogs` from the log index: only the receipts of transactions that
    emitted a log of a wanted address and topics are read, instead of every receipt in the range. The
    receipts, the matching and the normalisation are eth-tester's own, so the answer is the same."""

    backend: _PersistentPyEVMBackend

    def get_logs(
        self, from_block: Any = None, to_block: Any = None, address: Any = None, topics: Any = None
    ) -> list[Any]:
        params = {"from_block": from_block, "to_block": to_block, "address": address, "topics": topics}
        self.validator.validate_inbound_filter_params(**params)
        raw_from, raw_to, raw_address, raw_topics = self.normalizer.normalize_inbound_filter_params(**params)
        raw = {"from_block": raw_from, "to_block": raw_to, "addresses": raw_address, "topics": raw_topics}
        log_filter = Filter(filter_params=raw, filter_fn=partial(check_if_log_matches, **raw))
        lower = self._block_number(raw_from)
        upper = self._block_number(raw_to)
        indexed = self.backend.sync_log_index()
        for number, tx_indexes in self.backend.log_index.candidates(
            lower, min(upper, indexed), raw_address, raw_topics
        ):
            self._add_logs(log_filter, number, tx_indexes)
        # Beyond the mined head (a "pending" bound) nothing is indexed: read it as eth-tester does.
        for number in range(max(lower, indexed + 1), upper + 1):
            self._add_logs(log_filter, number, None)
        return [self.normalizer.normalize_outbound_log_entry(item) for item in log_filter.get_all()]

    def _block_number(self, raw_bound: Any) -> int:
        if isinstance(raw_bound, int):
            return raw_bound
        return int(self.get_block_by_number("latest" if raw_bound is None else raw_bound)["number"])

    def _add_logs(self, log_filter: Filter, number: int, tx_indexes: list[int] | None) -> None:
        transactions = self.get_block_by_number(number)["transactions"]
        for tx_index in range(len(transactions)) if tx_indexes is None else tx_indexes:
            receipt = self.get_transaction_receipt(transactions[tx_index])
            for entry in receipt["logs"]:
                log_filter.add(self.normalizer.normalize_inbound_log_entry(entry))


class EmbeddedBackend(Backend):
    """eth-tester in process, on a Shanghai VM like the production target; in memory or in a data folder."""

    kind = "embedded"
    estimates_gas = False

    def __init__(self, chain_dir: Path | None) -> None:
        self._evm = _PersistentPyEVMBackend(vm_configuration=((0, ShanghaiVM),))
        self._faucet: LocalAccount = Account.from_key(self._evm.account_keys[0].to_bytes())
        self.location = chain_dir
        if chain_dir is not None:
            self._open_saved_chain(chain_dir)
        kv = self._evm.kv
        self._evm.log_index = LogIndex.in_memory() if kv is None else LogIndex(kv.connection, kv.lock)
        # A chain saved before the index existed (or by a process that died mid-block) is indexed here, once.
        self._evm.sync_log_index()
        self._evm.commit()
        self.tester = _IndexedEthereumTester(backend=self._evm, auto_mine_transactions=True)
        provider = _LockedTesterProvider(self.tester)
        self.provider_lock = provider.lock
        self.w3 = Web3(provider)
        # The sender eth-tester assumes for a call without one, named once: otherwise web3's eth-tester
        # middleware fetches and checksums every account for every such call (a fifth of a trace's time).
        self.w3.eth.default_account = self.w3.eth.accounts[0]

    def chain(self) -> Any:
        """py-evm's chain; only under `provider_lock`."""
        return self._evm.chain

    def head(self) -> tuple[int, bytes]:
        with self.provider_lock:
            header = self._evm.chain.get_canonical_head()
        return int(header.block_number), bytes(header.hash)

    def _open_saved_chain(self, chain_dir: Path) -> None:
        chain_dir.mkdir(parents=True, exist_ok=True)
        kv = SqliteKV(chain_dir / "chain.sqlite")
        meta = kv.get_meta()
        chain_class = type(self._evm.chain)
        if not meta:
            # A new chain: the genesis just built in memory is rebuilt over the file and recorded.
            genesis = self._evm.chain.get_canonical_block_by_number(0)
            chain = chain_class.from_genesis(
                AtomicDB(kv), _genesis_params(genesis.header), _genesis_state(self._evm)
            )
            kv.set_meta(
                {
                    "schema": SCHEMA_VERSION,
                    "chain_id": str(chain_class.chain_id),
                    "genesis_hash": chain.get_canonical_block_by_number(0).hash.hex(),
                }
            )
            kv.commit()
        else:
            _check_meta(kv, meta, chain_class.chain_id)
            try:
                chain = chain_class(AtomicDB(kv))
                saved_genesis = chain.get_canonical_block_by_number(0).hash.hex()
            except Exception as exc:
                kv.close()
                raise ChainUnavailable(f"saved chain {kv.path} cannot be opened: {exc}") from exc
            if saved_genesis != meta.get("genesis_hash"):
                kv.close()
                raise ChainUnavailable(f"saved chain {kv.path} does not match its recorded genesis block")
        self._evm.chain = chain
        self._evm.kv = kv

    def fund(self, address: str, wei: int = DEV_FUNDING_WEI) -> None:
        if self.w3.eth.get_balance(address) >= wei // 2:
            return
        tx = {
            "to": address,
            "value": wei,
            "gas": 21000,
            "nonce": self.w3.eth.get_transaction_count(self._faucet.address),
            "chainId": self.w3.eth.chain_id,
            "maxFeePerGas": 2 * self.w3.eth.get_block("latest")["baseFeePerGas"] + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
        tx_hash = self.w3.eth.send_raw_transaction(self._faucet.sign_transaction(tx).raw_transaction)
        self.w3.eth.wait_for_transaction_receipt(tx_hash)

    def block_builder(self) -> BlockBuilder:
        """A block filled one transaction at a time and mined once, for pipelined writes (see pipeline.py).

        The caller must be the only writer until it seals (the gateway's send lock): a single send in
        between would mine the half-built block. Reads still run between transactions.
        """
        return BlockBuilder(self)

    def snapshot(self) -> Any:
        return self.tester.take_snapshot()

    def revert(self, snapshot: Any) -> None:
        self.tester.revert_to_snapshot(snapshot)

    def advance_time(self, seconds: int) -> None:
        latest = self.w3.eth.get_block("latest")["timestamp"]
        # eth-tester's time_travel lands one second short of the timestamp it is given.
        self.tester.time_travel(latest + seconds + 1)

    def close(self) -> None:
        if self._evm.kv is not None:
            self._evm.kv.close()
            self._evm.kv = None
        else:
            self._evm.log_index.close()


@dataclass(frozen=True)
class Applied:
    """One transaction as the pending block took it."""

    tx_hash: bytes
    index: int  # its position in the block
    gas_used: int
    logs: tuple[Any, ...]  # py-evm Log objects: address bytes, topics ints, data bytes
    failed: bool
    revert_data: bytes  # what a REVERT returned; empty for other failures (out of gas, invalid opcode)
    error: str  # the EVM's error class, "" when it succeeded


@dataclass(frozen=True)
class SealedBlock:
    number: int
    hash: bytes


class BlockBuilder:
    """Transactions run one by one into the embedded chain's pending block, which is then mined once.

    Mining per transaction costs a state commit, a block and a SQLite commit each; so does py-evm's own
    `apply_transaction`, which also rebuilds the block's transaction and receipt tries after every one
    (quadratic in the block's size). This keeps the running header, transactions and receipts itself, as
    py-evm's `apply_all_transactions` does, and builds the block once in `seal`. A transaction is
    acknowledged only once `seal` has mined and committed its block.
    """

    def __init__(self, backend: EmbeddedBackend) -> None:
        self._backend = backend
        self._lock = backend.provider_lock
        with self._lock:
            chain = backend.chain()
            self._vm = chain.get_vm(chain.header)
            self._base = self._vm.get_block()
        self._header = self._base.header
        self._transactions: list[Any] = []
        self._receipts: list[Any] = []

    @property
    def count(self) -> int:
        return len(self._transactions)

    @property
    def gas_limit(self) -> int:
        return int(self._header.gas_limit)

    def room(self) -> int:
        """Gas left in the block."""
        return int(self._header.gas_limit - self._header.gas_used)

    def add(self, raw_transaction: bytes) -> Applied:
        """Run a signed transaction into the block; ValueError if the chain refuses it outright (nonce,
        balance, gas above the room left), and then the block is as it was."""
        with self._lock:
            try:
                transaction = self._vm.get_transaction_builder().decode(raw_transaction)
            except Exception as exc:  # py-evm raises several kinds for undecodable bytes
                raise ValueError(f"undecodable transaction: {exc}") from exc
            snapshot = self._vm.state.snapshot()
            try:
                receipt, computation = self._vm.apply_transaction(self._header, transaction)
            except ValidationError as exc:
                self._vm.state.revert(snapshot)
                raise ValueError(str(exc)) from exc
            gas_before = self._header.gas_used
            self._header = self._vm.add_receipt_to_header(self._header, receipt)
        self._transactions.append(transaction)
        self._receipts.append(receipt)
        failed = computation.is_error
        return Applied(
            tx_hash=bytes(transaction.hash),
            index=len(self._transactions) - 1,
            gas_used=int(receipt.gas_used - gas_before),
            logs=tuple(receipt.logs),
            failed=failed,
            revert_data=bytes(computation.output) if failed else b"",
            error=type(computation.error).__name__ if failed else "",
        )

    def seal(self) -> SealedBlock | None:
        """Mine the block (and commit it to disk when the chain is saved); None when it holds nothing."""
        if not self._transactions:
            return None
        with self._lock:
            chain = self._backend.chain()
            self._vm.state.persist()
            header = self._header.copy(state_root=self._vm.state.state_root)
            block = self._vm.set_block_transactions_and_withdrawals(
                self._base, header, tuple(self._transactions), tuple(self._receipts)
            )
            chain.header = block.header
            # eth-tester mines what the chain's pending header holds, and commits it (see mine_blocks).
            [block_hash] = self._backend.tester.mine_blocks(1)
            number = int(block.header.block_number)
        self._transactions.clear()
        self._receipts.clear()
        return SealedBlock(number, bytes.fromhex(block_hash.removeprefix("0x")))


def _check_meta(kv: SqliteKV, meta: dict[str, str], chain_id: int) -> None:
    if meta.get("schema") != SCHEMA_VERSION:
        kv.close()
        raise ChainUnavailable(
            f"saved chain {kv.path} has format {meta.get('schema')!r}, this gzchain reads {SCHEMA_VERSION!r}"
        )
    if meta.get("chain_id") != str(chain_id):
        kv.close()
        raise ChainUnavailable(f"saved chain {kv.path} is chain {meta.get('chain_id')}, expected {chain_id}")


def _genesis_params(header: Any) -> dict[str, Any]:
    return {
        "coinbase": header.coinbase,
        "difficulty": header.difficulty,
        "extra_data": header.extra_data,
        "gas_limit": header.gas_limit,
        "mix_hash": header.mix_hash,
        "nonce": header.nonce,
        "receipt_root": header.receipt_root,
        "timestamp": header.timestamp,
        "transaction_root": header.transaction_root,
    }


def _genesis_state(evm: PyEVMBackend) -> dict[bytes, dict[str, Any]]:
    return dict(PyEVMBackend.generate_genesis_state(num_accounts=len(evm.account_keys)))


class RpcBackend(Backend):
    """Any JSON-RPC node: Besu (QBFT), anvil, geth."""

    kind = "rpc"

    def __init__(self, url: str, timeout_seconds: float = 30.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ChainUnavailable(f"RPC URL must start with http:// or https://, got {_redact(url)}")
        self.url = url
        self.w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout_seconds}))
        self._session = requests.Session()  # batches reuse one keep-alive connection
        self._timeout = timeout_seconds
        # QBFT/IBFT put validator data in extraData; harmless on chains that do not.
        self.w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        try:
            self.w3.eth.chain_id  # noqa: B018 - the first request proves the node answers
        except (requests.RequestException, OSError) as exc:
            raise ChainUnavailable(
                f"chain node at {_redact(url)} is unreachable: {type(exc).__name__}"
            ) from exc

    def _dev_call(self, method: str, params: list[Any]) -> Any:
        try:
            return self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        except Web3RPCError as exc:
            raise ChainUnavailable(f"node at {_redact(self.url)} does not support {method}: {exc}") from exc

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Several JSON-RPC calls in one HTTP request (a JSON-RPC 2.0 batch); each answer, in order, is the
        node's raw response object with either "result" or "error"."""
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        try:
            response = self._session.post(self.url, json=body, timeout=self._timeout)
            response.raise_for_status()
            answers = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ChainUnavailable(
                f"chain node at {_redact(self.url)} did not answer a batch: {type(exc).__name__}"
            ) from exc
        if not isinstance(answers, list):
            # A node without batch support answers with one error object for the whole request.
            raise ChainUnavailable(f"chain node at {_redact(self.url)} does not take JSON-RPC batches")
        by_id = {answer.get("id"): answer for answer in answers}
        missing = {"error": {"code": -32603, "message": "no answer in the batch"}}
        return [by_id.get(i, missing) for i in range(len(calls))]

    def fund(self, address: str, wei: int = DEV_FUNDING_WEI) -> None:
        if self.w3.eth.get_balance(address) >= wei // 2:
            return
        response = self._dev_call("anvil_setBalance", [address, hex(wei)])
        if "error" in response:
            raise ChainUnavailable(
                f"account {address} has no gas money and the node cannot mint it ({response['error']}); "
                "fund it, or use a zero-fee network"
            )

    def snapshot(self) -> Any:
        return self._dev_call("evm_snapshot", [])["result"]

    def revert(self, snapshot: Any) -> None:
        self._dev_call("evm_revert", [snapshot])

    def advance_time(self, seconds: int) -> None:
        self._dev_call("evm_increaseTime", [seconds])
        self._dev_call("evm_mine", [])

    def close(self) -> None:
        self._session.close()


def _redact(url: str) -> str:
    """Never print credentials embedded in a URL."""
    if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        scheme, rest = url.split("//", 1)
        return f"{scheme}//***@{rest.split('@', 1)[1]}"
    return url
