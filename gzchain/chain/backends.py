"""The two kinds of chain gzchain talks to: the embedded eth-tester chain and any JSON-RPC node.

Each backend gives a Web3 instance plus the few things that differ between chains: how accounts get
gas money on a development chain, and how time is moved and state snapshotted in tests.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import requests
from eth.db.atomic import AtomicDB
from eth.vm.forks import ShanghaiVM
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_tester import EthereumTester, PyEVMBackend
from web3 import HTTPProvider, Web3
from web3.exceptions import Web3RPCError
from web3.middleware import ExtraDataToPOAMiddleware
from web3.providers.eth_tester import EthereumTesterProvider

from gzchain.chain.embedded_db import SCHEMA_VERSION, SqliteKV
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
        self._lock = threading.RLock()

    def make_request(self, method: Any, params: Any) -> Any:
        with self._lock:
            return super().make_request(method, params)


class _PersistentPyEVMBackend(PyEVMBackend):
    """eth-tester's py-evm backend whose chain lives in a SqliteKV, committed once per mined block."""

    kv: SqliteKV | None = None

    def mine_blocks(self, num_blocks: int = 1, coinbase: Any = None) -> Any:
        kwargs = {} if coinbase is None else {"coinbase": coinbase}
        try:
            hashes = super().mine_blocks(num_blocks, **kwargs)
        except BaseException:
            if self.kv is not None:
                self.kv.rollback()
            raise
        if self.kv is not None:
            self.kv.commit()
        return hashes


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
        self.tester = EthereumTester(backend=self._evm, auto_mine_transactions=True)
        self.w3 = Web3(_LockedTesterProvider(self.tester))

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


def _redact(url: str) -> str:
    """Never print credentials embedded in a URL."""
    if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        scheme, rest = url.split("//", 1)
        return f"{scheme}//***@{rest.split('@', 1)[1]}"
    return url
