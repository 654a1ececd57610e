"""The one way gzchain writes to and reads from a chain, whichever backend is behind it.

Every transaction is built and signed locally by the acting agency's key and sent raw; reverts from
any backend come out as ContractReverted; an unreachable node comes out as ChainUnavailable.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import requests
from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import TimeExhausted, TransactionNotFound, Web3RPCError
from web3.logs import DISCARD

from gzchain.chain.artifacts import all_error_entries, load_artifact
from gzchain.chain.backends import Backend, EmbeddedBackend, RpcBackend
from gzchain.chain.fees import FeePolicy, choose_fee_policy
from gzchain.chain.nonces import NonceManager
from gzchain.chain.pipeline import send_pipelined
from gzchain.chain.reverts import ErrorDecoder, revert_data
from gzchain.chain.transactions import (
    GAS_HEADROOM,
    RECEIPT_POLL_FIRST_S,
    RECEIPT_POLL_MAX_S,
    Outcome,
    Receipt,
    SignedTransaction,
)
from gzchain.domain.errors import ChainUnavailable, ContractReverted, GzchainError
from gzchain.settings import Settings


class ChainGateway:
    def __init__(
        self, backend: Backend, fee_setting: str = "auto", tx_timeout_seconds: float = 120.0
    ) -> None:
        self.backend = backend
        self.w3 = backend.w3
        self.tx_timeout_seconds = tx_timeout_seconds
        self._decoder = ErrorDecoder(all_error_entries())
        with self.translated_errors():
            self.chain_id: int = self.w3.eth.chain_id
            self.fees: FeePolicy = choose_fee_policy(self.w3, fee_setting)
        self._funded: set[str] = set()
        self._contracts: dict[tuple[str, str], Contract] = {}
        self.transactions_sent = 0  # confirmed by this process; exported as a metric
        self.nonces = NonceManager(lambda address: self.w3.eth.get_transaction_count(address, "pending"))
        # One writer at a time on the embedded chain: it mines a block per transaction anyway.
        self._send_lock = (
            threading.Lock() if isinstance(backend, EmbeddedBackend) else contextlib.nullcontext()
        )

    # ---- errors ----

    @contextlib.contextmanager
    def translated_errors(self) -> Iterator[None]:
        try:
            yield
        except GzchainError:
            raise
        except (requests.RequestException, ConnectionError, OSError) as exc:
            raise ChainUnavailable(f"chain node is unreachable: {type(exc).__name__}") from exc
        except Exception as exc:
            data = revert_data(exc)
            if data is None:
                if isinstance(exc, Web3RPCError):
                    raise ChainUnavailable(f"chain node refused the request: {exc}") from exc
                raise
            raise self._decoder.decode(data) from exc

    def decode_revert(self, data: bytes) -> ContractReverted:
        return self._decoder.decode(data)

    # ---- contracts ----

    def contract(self, name: str, address: str) -> Contract:
        # Building a contract object parses its whole ABI (~15 ms); one depends only on the artifact and the
        # address, so each is built once. Services are built per API request and ask for the same few.
        key = (name, address.lower())
        found = self._contracts.get(key)
        if found is None:
            found = self._contracts[key] = self.w3.eth.contract(
                address=self.w3.to_checksum_address(address), abi=load_artifact(name)["abi"]
            )
        return found

    def code_at(self, address: str) -> bytes:
        with self.translated_errors():
            return bytes(self.w3.eth.get_code(self.w3.to_checksum_address(address)))

    def deploy(self, name: str, signer: LocalAccount, *args: Any) -> tuple[str, Receipt]:
        artifact = load_artifact(name)
        factory = self.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = self._send(factory.constructor(*args), signer)
        assert receipt.contract_address is not None
        return receipt.contract_address, receipt

    def call(self, fn: ContractFunction, sender: str | None = None, block: int | str = "latest") -> Any:
        with self.translated_errors():
            return fn.call({"from": sender} if sender else {}, block_identifier=block)

    def transact(
        self,
        fn: ContractFunction,
        signer: LocalAccount,
        on_signed: Callable[[SignedTransaction], None] | None = None,
    ) -> Receipt:
        """Sign `fn` as `signer`, send it, and return once it is confirmed; ContractReverted if refused.

        `on_signed` runs after signing, before sending (pending-first writes); if it raises, nothing is sent.
        """
        return self._send(fn, signer, on_signed)

    def transact_many(self, fns: Sequence[ContractFunction], signer: LocalAccount) -> list[Outcome]:
        """Send independent calls as `signer` without waiting for each (bulk writes): one Outcome per call,
        in order, holding its receipt, its decoded refusal, or why it is not done (see pipeline.py)."""
        with self.translated_errors():
            outcomes = send_pipelined(self, fns, signer, self._send_lock)
        self.transactions_sent += sum(outcome.done for outcome in outcomes)
        return outcomes

    def events(self, contract: Contract, event_name: str, receipt: Receipt) -> list[dict[str, Any]]:
        """The `event_name` events `contract` emitted in this transaction, arguments by name."""
        event = contract.events[event_name]()
        own = [log for log in receipt.logs if log["address"] == contract.address]
        return [dict(decoded["args"]) for decoded in event.process_receipt({"logs": own}, errors=DISCARD)]

    # ---- sending ----

    def _send(
        self, fn: Any, signer: LocalAccount, on_signed: Callable[[SignedTransaction], None] | None = None
    ) -> Receipt:
        sender = signer.address
        with self.translated_errors(), self._send_lock:
            # Agencies admitted after genesis have no gas money on a base-fee development chain.
            self.fund(sender)
            gas = self._gas_for(fn, sender)
            nonce = self.nonces.take(sender)
            try:
                tx = fn.build_transaction(
                    {
                        "from": sender,
                        "nonce": nonce,
                        "gas": gas,
                        "chainId": self.chain_id,
                        **self.fees.fields(self.w3),
                    }
                )
                signed = signer.sign_transaction(tx)
                if on_signed is not None:
                    on_signed(SignedTransaction("0x" + bytes(signed.hash).hex(), sender, nonce))
                tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            except BaseException:
                self.nonces.forget(sender)
                raise
            sent = "0x" + bytes(tx_hash).hex()
            try:
                raw = self._receipt_when_mined(tx_hash)
            except TimeExhausted as exc:
                # It may sit in the pool or have been dropped: the node's pending count is the truth again.
                self.nonces.forget(sender)
                raise ChainUnavailable(
                    f"transaction {sent} was sent but not confirmed within "
                    f"{self.tx_timeout_seconds:.0f}s; it may still confirm",
                    tx_hash=sent,
                ) from exc
            except (requests.RequestException, OSError) as exc:
                # The node may have mined it, or lost it with its pool when it stopped; counting on from
                # this nonce would leave a gap that blocks every later write from this account.
                self.nonces.forget(sender)
                raise ChainUnavailable(
                    f"transaction {sent} was sent, then the chain node became unreachable "
                    f"({type(exc).__name__}); whether it was recorded is known once the node answers again",
                    tx_hash=sent,
                ) from exc
            if raw["status"] != 1:
                raise self._replay_revert(tx, raw["blockNumber"])
            self.transactions_sent += 1
            return Receipt.of(raw)

    def find_receipt(self, tx_hash: str) -> Receipt | None:
        """A transaction sent earlier: its receipt if it took effect; None if no block holds it, so it is
        not done (one lost with a stopped node's pool never will be); ContractReverted if mined but refused.
        """
        with self.translated_errors():
            try:
                raw = self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                return None
            if raw["status"] != 1:
                tx = self.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
                call = {"from": tx["from"], "to": tx["to"], "data": tx["input"], "value": tx["value"]}
                raise self._replay_revert(call, raw["blockNumber"])
        return Receipt.of(raw)

    def _receipt_when_mined(self, tx_hash: Any) -> Any:
        """The transaction's receipt once it is mined; TimeExhausted after tx_timeout_seconds.

        Asked at once, then at doubling pauses: a node that mines on arrival answers within milliseconds
        (web3's own wait sleeps 100 ms between asks, and writes queue behind the send lock meanwhile), and a
        node with a block time is asked a handful of times a block.
        """
        deadline = time.monotonic() + self.tx_timeout_seconds
        pause = RECEIPT_POLL_FIRST_S
        while True:
            try:
                return self.w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                if time.monotonic() >= deadline:
                    raise TimeExhausted(f"no receipt within {self.tx_timeout_seconds:.0f}s") from None
            time.sleep(pause)
            pause = min(pause * 2, RECEIPT_POLL_MAX_S)

    def _gas_for(self, fn: Any, sender: str) -> int:
        """Gas to send with; running the transaction first surfaces a revert before any nonce is used."""
        # Deployments are rare and have no dry-run call: they are always estimated.
        if self.backend.estimates_gas or not hasattr(fn, "call"):
            return int(fn.estimate_gas({"from": sender}) * GAS_HEADROOM) + 10_000
        fn.call({"from": sender})
        return int(self.w3.eth.get_block("latest")["gasLimit"])

    def _replay_revert(self, tx: dict[str, Any], block_number: int) -> ContractReverted:
        """A transaction that estimated fine but failed on chain: rerun it where it ran to learn why."""
        call = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
        try:
            self.w3.eth.call(call, block_identifier=max(block_number - 1, 0))
        except Exception as exc:
            data = revert_data(exc)
            if data is not None:
                return self._decoder.decode(data)
        return ContractReverted("TransactionFailed", {"block": block_number})

    # ---- dev chains ----

    def fund(self, address: str) -> None:
        """Give an account gas money where gas costs something; a no-op on zero-fee networks."""
        if self.fees.kind == "zero" or address in self._funded:
            return
        with self.translated_errors():
            self.backend.fund(address)
        self._funded.add(address)

    def snapshot(self) -> Any:
        return self.backend.snapshot()

    def revert_to(self, snapshot: Any) -> None:
        self.backend.revert(snapshot)
        self.nonces.forget()
        self._funded.clear()

    def advance_time(self, seconds: int) -> None:
        self.backend.advance_time(seconds)

    def validators(self) -> list[str] | None:
        """The QBFT validators of the latest block, or None on a chain without QBFT (eth-tester, anvil)."""
        if not isinstance(self.backend, RpcBackend):
            return None
        with self.translated_errors():
            response = self.w3.provider.make_request("qbft_getValidatorsByBlockNumber", ["latest"])  # type: ignore[arg-type]
        result = response.get("result") if isinstance(response, dict) else None
        return [self.w3.to_checksum_address(v) for v in result] if isinstance(result, list) else None

    def block_number(self) -> int:
        with self.translated_errors():
            return int(self.w3.eth.block_number)

    def latest_timestamp(self) -> int:
        return self.block_timestamp("latest")

    def block_timestamp(self, block: int | str) -> int:
        """When block `block` was made, in seconds since the epoch (an EPCIS event's recordTime)."""
        with self.translated_errors():
            return int(self.w3.eth.get_block(block)["timestamp"])  # type: ignore[arg-type]

    def genesis_hash(self) -> str:
        with self.translated_errors():
            return "0x" + bytes(self.w3.eth.get_block(0)["hash"]).hex()

    def close(self) -> None:
        self.backend.close()


def connect(settings: Settings | None = None) -> ChainGateway:
    """The embedded chain by default (in the data folder, or in memory when ephemeral); a node for a URL."""
    settings = settings or Settings()
    if settings.rpc_url:
        backend: Backend = RpcBackend(settings.rpc_url)
    else:
        backend = EmbeddedBackend(None if settings.ephemeral else settings.chain_dir)
    return ChainGateway(backend, settings.fee_policy, settings.tx_timeout_seconds)
