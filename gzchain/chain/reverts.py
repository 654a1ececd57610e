"""Turn a revert, however a backend reported it, into one ContractReverted with decoded arguments."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import Any

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from gzchain.domain.errors import ContractReverted

_STANDARD_ERRORS: list[dict[str, Any]] = [
    {"type": "error", "name": "Error", "inputs": [{"name": "reason", "type": "string"}]},
    {"type": "error", "name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]},
]


def _canonical_type(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in param["components"])
        return f"({inner}){param['type'][len('tuple') :]}"
    return param["type"]


class ErrorDecoder:
    """Maps 4-byte selectors to custom errors declared in the contracts' ABIs."""

    def __init__(self, error_entries: Iterable[dict[str, Any]]) -> None:
        self._by_selector: dict[bytes, dict[str, Any]] = {}
        for entry in [*_STANDARD_ERRORS, *error_entries]:
            types = ",".join(_canonical_type(p) for p in entry["inputs"])
            self._by_selector[function_signature_to_4byte_selector(f"{entry['name']}({types})")] = entry

    def decode(self, data: bytes) -> ContractReverted:
        if len(data) < 4:
            return ContractReverted("UnknownRevert", {}, raw=data)
        entry = self._by_selector.get(data[:4])
        if entry is None:
            return ContractReverted("UnknownRevert", {"selector": "0x" + data[:4].hex()}, raw=data)
        types = [_canonical_type(p) for p in entry["inputs"]]
        try:
            values = decode(types, data[4:])
        except DecodingError:
            return ContractReverted(entry["name"], {"undecodable": "0x" + data[4:].hex()}, raw=data)
        names = [p["name"] or f"arg{i}" for i, p in enumerate(entry["inputs"])]
        values = [to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True)]
        return ContractReverted(entry["name"], dict(zip(names, values, strict=True)), raw=data)


_BYTES_REPR = re.compile(r"""b(['"]).*\1""", re.DOTALL)


def revert_data(exc: BaseException) -> bytes | None:
    """The raw revert data carried by a backend's exception, or None when it is not a revert."""
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    if isinstance(data, dict) and isinstance(data.get("data"), str):
        return bytes.fromhex(data["data"].removeprefix("0x"))
    # eth-tester reports custom errors only as the repr of the bytes inside its message.
    for candidate in (exc, exc.__context__, exc.__cause__):
        if candidate is None or type(candidate).__name__ != "TransactionFailed":
            continue
        first = candidate.args[0] if candidate.args else ""
        if isinstance(first, bytes):
            return first
        match = _BYTES_REPR.search(str(first))
        if match:
            return ast.literal_eval(match.group(0))
        reason = str(first).removeprefix("execution reverted: ")
        return function_signature_to_4byte_selector("Error(string)") + encode(["string"], [reason])
    return None
