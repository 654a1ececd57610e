"""A reading's Merkle leaf is Keccak-256 of its ABI encoding, as the contract's `verifyReading` expects:
the hand-written encoding matches eth_abi's for every value the chain can hold, and values it cannot hold
are refused as eth_abi refuses them."""

from __future__ import annotations

import random

import pytest
from eth_abi import encode
from eth_abi.exceptions import EncodingError

from gzchain.domain.coldchain import INT16_MAX, INT16_MIN, INT64_MAX, INT64_MIN, reading_leaf
from gzchain.domain.keccak import keccak

TYPES = ["int64", "int64", "string", "int16", "int16"]
DEVICES = ["", "a", "x" * 31, "x" * 32, "x" * 33, "urn:epc:id:giai:6901234.TRUCK-02", "冷链探头-ü" * 5]


def expected(*values: object) -> bytes:
    return keccak(encode(TYPES, list(values)))


@pytest.mark.parametrize("device", DEVICES)
def test_a_leaf_is_the_keccak_of_the_abi_encoding_of_the_reading(device: str):
    picks = random.Random(device)
    edges = [
        (INT64_MIN, INT64_MAX, INT16_MIN, INT16_MAX),
        (0, 0, 0, 0),
        (-1, 1, -1, 1),
        (1_740_880_800_000, 1_740_880_860_000, -215, -180),
    ]
    randoms = [
        (
            picks.randint(INT64_MIN, INT64_MAX),
            picks.randint(INT64_MIN, INT64_MAX),
            picks.randint(INT16_MIN, INT16_MAX),
            picks.randint(INT16_MIN, INT16_MAX),
        )
        for _ in range(50)
    ]
    for start, end, low, high in edges + randoms:
        assert reading_leaf(start, end, device, low, high) == expected(start, end, device, low, high)


@pytest.mark.parametrize(
    "values",
    [(INT64_MAX + 1, 0, 0, 0), (0, INT64_MIN - 1, 0, 0), (0, 0, INT16_MIN - 1, 0), (0, 0, 0, INT16_MAX + 1)],
)
def test_a_value_the_chain_cannot_hold_is_refused_as_the_abi_encoder_refuses_it(values: tuple[int, ...]):
    start, end, low, high = values
    with pytest.raises(EncodingError):
        reading_leaf(start, end, "probe", low, high)
