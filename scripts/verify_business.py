#!/usr/bin/env python3
"""Check a business lookup's public fields against the chain, trusting neither gzchain nor its server.

Needs only web3.py and a node: it reads the record hash of every version straight from the
BusinessRegistry contract and folds each field's salted leaf up its Merkle proof to that hash.

    python verify_business.py --node http://127.0.0.1:8545 --registry 0xRegistry lookup.json
    curl -s https://api.example/businesses/USCC | python verify_business.py --node ... --registry ... -

A field's leaf is keccak256(keccak256(salt || utf8(path) || 0x00 || utf8(value))); a parent is the
keccak256 of its two children, smaller first (OpenZeppelin's MerkleProof). Exit 0 when every public field
of every salted version proves against the chain, 1 when any does not.
"""

from __future__ import annotations

import argparse
import json
import sys

from web3 import Web3

# The one read this needs, as IBusinessRegistry declares it.
VERSIONS_ABI = [
    {
        "type": "function",
        "name": "versions",
        "stateMutability": "view",
        "inputs": [{"name": "uscc", "type": "bytes18"}],
        "outputs": [
            {
                "name": "",
                "type": "tuple[]",
                "components": [
                    {"name": "recordHash", "type": "bytes32"},
                    {"name": "agency", "type": "address"},
                    {"name": "changeType", "type": "uint16"},
                    {"name": "at", "type": "uint64"},
                    {"name": "reasonCode", "type": "uint8"},
                    {"name": "reasonHash", "type": "bytes32"},
                ],
            }
        ],
    }
]


def leaf(salt: bytes, path: str, value: str) -> bytes:
    return Web3.keccak(Web3.keccak(salt + path.encode() + b"\x00" + value.encode()))


# A status change's words hash with the action it was for (gzchain/domain/reasons.py `reason_hash`).
REASON_ACTIONS = {"suspended": "suspend", "reinstated": "reinstate", "deregistered": "deregister"}


def reason_hash(action: str, code: int, salt: bytes, words: str) -> bytes:
    tag = b"gzchain:reason:v1\x00" + action.encode() + b"\x00" + bytes([code])
    return Web3.keccak(tag + salt + words.encode())


def fold(node: bytes, proof: list[str]) -> bytes:
    for sibling_hex in proof:
        sibling = bytes.fromhex(sibling_hex.removeprefix("0x"))
        node = Web3.keccak(min(node, sibling) + max(node, sibling))
    return node


def verify(lookup: dict, on_chain: list[tuple[bytes, int, bytes]]) -> list[str]:
    """One line per field and reason checked; a line starting with FAIL for each that does not prove."""
    lines = []
    for version in lookup["versions"]:
        number = version["number"]
        if number > len(on_chain):
            lines.append(f"FAIL version {number}: the chain has only {len(on_chain)} versions")
            continue
        root, code, digest = on_chain[number - 1]
        reason = version.get("reason")
        if reason and reason.get("words") is not None and reason.get("salt"):
            salt = bytes.fromhex(reason["salt"].removeprefix("0x"))
            action = REASON_ACTIONS.get(version["change"], "")
            ok = reason_hash(action, code, salt, reason["words"]) == digest
            lines.append(f"{'ok  ' if ok else 'FAIL'} version {number} reason = {reason['words']!r}")
        if version.get("commitment_scheme") != "salted-merkle-v1":
            lines.append(f"skip version {number}: {version.get('commitment_scheme')}, not provable by field")
            continue
        if not version["fields"]:
            lines.append(f"FAIL version {number}: a salted version without fields")
        for field in version["fields"]:
            salt = bytes.fromhex(field["salt"].removeprefix("0x"))
            ok = len(salt) == 32 and fold(leaf(salt, field["path"], field["value"]), field["proof"]) == root
            verdict = "ok  " if ok else "FAIL"
            lines.append(f"{verdict} version {number} {field['path']} = {field['value']!r}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", required=True, help="JSON-RPC URL of a node you trust")
    parser.add_argument("--registry", required=True, help="BusinessRegistry contract address")
    parser.add_argument("lookup", help="the GET /businesses/{uscc} response as a JSON file, or - for stdin")
    args = parser.parse_args()
    with sys.stdin if args.lookup == "-" else open(args.lookup, encoding="utf-8") as handle:
        lookup = json.load(handle)
    w3 = Web3(Web3.HTTPProvider(args.node))
    registry = w3.eth.contract(address=Web3.to_checksum_address(args.registry), abi=VERSIONS_ABI)
    on_chain = [
        (bytes(entry[0]), int(entry[4]), bytes(entry[5]))
        for entry in registry.functions.versions(lookup["uscc"].encode()).call()
    ]
    lines = verify(lookup, on_chain)
    print("\n".join(lines))
    failed = sum(line.startswith("FAIL") for line in lines)
    print(f"{'FAILED' if failed else 'VERIFIED'}: {failed} of {len(lines)} checks failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
