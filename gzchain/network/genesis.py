"""The QBFT genesis block, per reference/besu-qbft.md, with the validator set encoded in its extraData."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rlp
from eth_utils import to_checksum_address

from gzchain.domain.errors import InvalidInput

# QBFT requires exactly this mixHash (ASCII "ctical byzantine fault tolerance") and a difficulty of 1.
QBFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
QBFT_TIMESTAMP = "0x58ee40ba"
GAS_LIMIT = "0x1fffffffffffff"
BLOCK_PERIOD_SECONDS = 2
EPOCH_LENGTH = 30000
REQUEST_TIMEOUT_SECONDS = 4
VANITY = bytes(32)


def _hex_bytes(text: str, field: str) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise InvalidInput(f"{text!r} is not hex", field=field) from None


def _address_bytes(address: str) -> bytes:
    raw = _hex_bytes(address, "validators")
    if len(raw) != 20:
        raise InvalidInput(f"{address!r} is not a 20-byte address", field="validators")
    return raw


def qbft_extra_data(validators: Iterable[str]) -> str:
    """RLP([32-byte vanity, [validators ascending], no vote, round 0, no seals]) as 0x-hex."""
    addresses = sorted({_address_bytes(v) for v in validators})
    if not addresses:
        raise InvalidInput("a QBFT network needs at least one validator", field="validators")
    # Round 0 is the empty byte string (0x80), as Besu encodes it; vote and seals are empty lists.
    return "0x" + rlp.encode([VANITY, addresses, [], b"", []]).hex()


def validators_from_extra_data(extra_data: str | bytes) -> list[str]:
    """The validator addresses a QBFT extraData names, in its (ascending) order."""
    raw = extra_data if isinstance(extra_data, bytes) else _hex_bytes(extra_data, "extraData")
    try:
        decoded = rlp.decode(raw)
    except rlp.exceptions.DecodingError as exc:
        raise InvalidInput(f"is not RLP: {exc}", field="extraData") from None
    if not isinstance(decoded, list) or len(decoded) != 5:
        raise InvalidInput("is not a QBFT extraData: expected a list of 5 items", field="extraData")
    vanity, validators, vote, _round, _seals = decoded
    if not isinstance(vanity, bytes) or len(vanity) != 32 or not isinstance(validators, list):
        raise InvalidInput("is not a QBFT extraData: bad vanity or validator list", field="extraData")
    if not isinstance(vote, list):
        # IBFT 2.0 writes an absent vote as an empty string (0x80) where QBFT writes an empty list.
        raise InvalidInput("is an IBFT 2.0 extraData, not a QBFT one", field="extraData")
    if not all(isinstance(v, bytes) and len(v) == 20 for v in validators):
        raise InvalidInput("is not a QBFT extraData: a validator is not a 20-byte address", field="extraData")
    return [to_checksum_address(v) for v in validators]


def qbft_genesis(validators: Iterable[str], chain_id: int) -> dict[str, Any]:
    """Free gas (zeroBaseFee), Shanghai from block 0 like the contracts' evmVersion, nothing pre-funded."""
    if chain_id <= 0:
        raise InvalidInput(f"must be a positive integer, got {chain_id}", field="chain_id")
    return {
        "config": {
            "chainId": chain_id,
            "berlinBlock": 0,
            "londonBlock": 0,
            "shanghaiTime": 0,
            "zeroBaseFee": True,
            "contractSizeLimit": 2147483647,
            "qbft": {
                "blockperiodseconds": BLOCK_PERIOD_SECONDS,
                "epochlength": EPOCH_LENGTH,
                "requesttimeoutseconds": REQUEST_TIMEOUT_SECONDS,
            },
        },
        "nonce": "0x0",
        "timestamp": QBFT_TIMESTAMP,
        "gasLimit": GAS_LIMIT,
        "difficulty": "0x1",
        "mixHash": QBFT_MIX_HASH,
        "coinbase": "0x0000000000000000000000000000000000000000",
        "alloc": {},
        "extraData": qbft_extra_data(validators),
    }
