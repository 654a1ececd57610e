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
    # eth-tester raises a chain of TransactionFailed: the innermost may hold the raw bytes, while web3's
    # outer one may have decoded them as a string when the custom error happens to take one string.
    failures = [e for e in _exception_chain(exc) if type(e).__name__ == "TransactionFailed" and e.args]
    for failure in reversed(failures):
        if isinstance(failure.args[0], bytes):
            return failure.args[0]
    for failure in reversed(failures):
        match = _BYTES_REPR.search(str(failure.args[0]))
        if match:
            return ast.literal_eval(match.group(0))
    if failures:
        reason = str(failures[0].args[0]).removeprefix("execution reverted: ")
        return function_signature_to_4byte_selector("Error(string)") + encode(["string"], [reason])
    return None


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
