"""Decoding a contract's event logs in bulk, to the same arguments web3's `process_log` gives.

web3 rebuilds each event's types and runs its generic formatters for every log, which costs milliseconds a
log; a trace reads hundreds. Here each event's types are worked out once, a log is decoded with the codec
directly, and addresses are checksummed as web3 does. Events with tuple or dynamic indexed arguments are
left to web3, which handles every case.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from eth_utils import event_abi_to_log_topic, to_checksum_address
from web3.contract import Contract

_STATIC_INDEXED = frozenset(
    ["address", "bool", "bytes32", *(f"{sign}int{n}" for sign in ("", "u") for n in range(8, 257, 8))]
)


class EventDecoder:
    """Decodes the logs of one contract's events: `decode(log)` is (event name, arguments by name)."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.codec = contract.w3.codec
        self._events = {
            bytes(event_abi_to_log_topic(entry)): _EventShape(entry)
            for entry in contract.abi
            if entry["type"] == "event" and not entry.get("anonymous")
        }

    def decode(self, log: Any) -> tuple[str, dict[str, Any]] | None:
        """The log's event name and arguments, or None if it is not one of this contract's events."""
        shape = self._events.get(bytes(log["topics"][0])) if log["topics"] else None
        if shape is None:
            return None
        if not shape.fast:
            return shape.name, dict(self.contract.events[shape.name]().process_log(log)["args"])
        args: dict[str, Any] = {}
        for (name, kind), topic in zip(shape.indexed, log["topics"][1:], strict=True):
            args[name] = _normalised(kind, self.codec.decode([kind], bytes(topic))[0])
        values = self.codec.decode(shape.data_types, bytes(log["data"]))
        for name, kind, value in zip(shape.data_names, shape.data_types, values, strict=True):
            args[name] = _normalised(kind, value)
        return shape.name, {entry["name"]: args[entry["name"]] for entry in shape.inputs}


class _EventShape:
    def __init__(self, entry: dict[str, Any]) -> None:
        self.name: str = entry["name"]
        self.inputs = entry["inputs"]
        self.indexed = [(item["name"], item["type"]) for item in self.inputs if item["indexed"]]
        data = [item for item in self.inputs if not item["indexed"]]
        self.data_names = [item["name"] for item in data]
        self.data_types = [item["type"] for item in data]
        self.fast = all(kind in _STATIC_INDEXED for _, kind in self.indexed) and not any(
            kind.startswith("tuple") for kind in self.data_types
        )


def _normalised(kind: str, value: Any) -> Any:
    """As web3 gives it: addresses checksummed, arrays as lists."""
    if kind.endswith("]"):
        item_kind = kind[: kind.rindex("[")]
        return [_normalised(item_kind, item) for item in value]
    if kind == "address":
        return _checksummed(value)
    return value


@lru_cache(maxsize=4096)
def _checksummed(address: str) -> str:
    return to_checksum_address(address)
