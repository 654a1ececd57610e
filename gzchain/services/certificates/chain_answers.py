"""What the chain answers a verifier, asked once per chain head instead of once per certificate.

A view call's answer at a given block never changes, so answers are kept under the hash of the head block
they were read at; every verification first reads the head (one cheap request) and so sees a revocation or
a role change from the very next block. Keying by hash, not number, also covers a chain rolled back to a
snapshot and grown again, which reuses block numbers.

Which hashes a factory-made DocumentStore has revoked is kept as an index fed by its `DocumentRevoked`
events: that store's code (ours) records a revocation only in `_revoke`, which emits the event, so the
events up to the head are exactly the revocations at the head. Each new head costs one `eth_getLogs` over
the new blocks and a check that the block the index last saw is still on the chain; if it is not, the
index is rebuilt from the start. A certificate then needs no call of its own unless it is revoked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from web3 import Web3
from web3.contract import Contract

from gzchain.chain.gateway import ChainGateway
from gzchain.chain.per_gateway import PerGateway
from gzchain.domain.errors import ChainUnavailable
from gzchain.domain.keccak import keccak_hex

ZERO_ADDRESS: Final = "0x" + "00" * 20
MAX_ANSWERS: Final = 50_000  # answers kept for the current head; beyond that they are dropped and re-read
DOCUMENT_REVOKED_TOPIC: Final = "0x" + keccak_hex(b"DocumentRevoked(bytes32)")


@dataclass(frozen=True)
class Head:
    number: int
    hash: bytes


@dataclass
class _StoreRevocations:
    seen: Head  # the last block whose events are in `hashes`
    hashes: set[bytes] = field(default_factory=set)


class ChainAnswers:
    """View-call answers per head block, and revocations per store."""

    def __init__(self, gateway: ChainGateway) -> None:
        self.gateway = gateway
        self._answers: dict[tuple[Any, ...], Any] = {}
        self._revocations: dict[str, _StoreRevocations] = {}
        self._revocations_lock = threading.Lock()

    def head(self) -> Head:
        """The latest block, asked of the provider directly: it is read before every verification, and
        web3's formatting of a whole block would cost more than the request (only two fields are used)."""
        with self.gateway.translated_errors():
            response = self.gateway.w3.provider.make_request("eth_getBlockByNumber", ["latest", False])
        block = response.get("result") if isinstance(response, dict) else None
        if not isinstance(block, dict):
            raise ChainUnavailable(f"the chain did not say which block is its latest: {response!r:.200}")
        return Head(_number(block["number"]), _bytes(block["hash"]))

    def call(self, head: Head, contract: Contract, function: str, *args: Any) -> Any:
        """`contract.function(*args)` as of `head`, asked of the chain once per head."""
        return self._remember(
            (head.hash, contract.address, function, args),
            lambda: self.gateway.call(
                contract.functions[function](*(list(a) if isinstance(a, tuple) else a for a in args)),
                block=head.number,
            ),
        )

    def code_at(self, head: Head, address: str) -> bytes:
        return self._remember((head.hash, "code", address), lambda: self.gateway.code_at(address))

    def timestamp(self, head: Head, block_number: int) -> int:
        def read() -> int:
            with self.gateway.translated_errors():
                return int(self.gateway.w3.eth.get_block(block_number)["timestamp"])

        return self._remember((head.hash, "timestamp", block_number), read)

    def revoked_on(self, head: Head, store: str) -> frozenset[bytes]:
        """Every hash revoked on the factory-made `store` as of `head`."""
        key = store.lower()
        with self._revocations_lock:
            known = self._revocations.get(key)
            if known is None or not self._still_on_chain(known.seen, head):
                known = _StoreRevocations(Head(-1, b""))
            if known.seen.number < head.number:
                known.hashes |= self._revoked_between(store, known.seen.number + 1, head.number)
                known.seen = head
            self._revocations[key] = known
            return frozenset(known.hashes)

    def _still_on_chain(self, seen: Head, head: Head) -> bool:
        if seen == head:
            return True
        if seen.number > head.number:
            return False  # rolled back below what the index saw
        with self.gateway.translated_errors():
            return bytes(self.gateway.w3.eth.get_block(seen.number)["hash"]) == seen.hash

    def _revoked_between(self, store: str, first: int, last: int) -> set[bytes]:
        with self.gateway.translated_errors():
            logs = self.gateway.w3.eth.get_logs(
                {
                    "address": Web3.to_checksum_address(store),
                    "fromBlock": first,
                    "toBlock": last,
                    "topics": [DOCUMENT_REVOKED_TOPIC],
                }
            )
        return {bytes(log["topics"][1]) for log in logs}

    def _remember(self, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        try:
            return self._answers[key]
        except KeyError:
            pass
        answer = read()
        if len(self._answers) >= MAX_ANSWERS:
            self._answers.clear()  # old heads' answers are never asked for again
        self._answers[key] = answer
        return answer


def _number(value: int | str) -> int:
    return value if isinstance(value, int) else int(value, 16)


def _bytes(value: bytes | str) -> bytes:
    return bytes(value) if not isinstance(value, str) else bytes.fromhex(value.removeprefix("0x"))


# Shared by every verifier on a gateway: services are built per request, answers last.
answers_for: PerGateway[ChainAnswers] = PerGateway(ChainAnswers)
