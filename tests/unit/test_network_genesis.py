"""The QBFT genesis: extraData encodes exactly the validators, ascending, and the fields Besu requires."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.network.genesis import (
    QBFT_MIX_HASH,
    qbft_extra_data,
    qbft_genesis,
    validators_from_extra_data,
)
from gzchain.network.keys import NodeKey

ALICE = "0x" + "22" * 20
BOB = "0x" + "11" * 20
addresses = st.lists(st.binary(min_size=20, max_size=20), min_size=1, max_size=30, unique=True)


def test_the_extra_data_is_the_rlp_list_besu_expects_byte_for_byte():
    # Worked by hand: list of 79 bytes (f84f): vanity (a0 + 32 zero bytes), the two validators ascending
    # (ea: 2 x (94 + 20 bytes)), then no vote (c0), round 0 (80), no seals (c0).
    expected = "0xf84fa0" + "00" * 32 + "ea" + "94" + "11" * 20 + "94" + "22" * 20 + "c080c0"
    assert qbft_extra_data([ALICE, BOB]) == expected


def test_the_extra_data_ends_with_the_qbft_suffix_not_the_ibft_one():
    extra = qbft_extra_data([ALICE])
    assert extra.endswith("c080c0")
    assert not extra.endswith("808400000000c0")


@given(addresses)
def test_the_extra_data_decodes_back_to_the_validators_in_ascending_order(raw: list[bytes]):
    given_order = ["0x" + a.hex() for a in raw]
    decoded = validators_from_extra_data(qbft_extra_data(given_order))
    assert [a.lower() for a in decoded] == sorted(given_order)


def test_the_extra_data_names_each_validator_once():
    assert validators_from_extra_data(qbft_extra_data([ALICE, BOB, ALICE.upper().replace("0X", "0x")])) == [
        "0x1111111111111111111111111111111111111111",
        "0x2222222222222222222222222222222222222222",
    ]


def test_the_genesis_carries_the_qbft_fields_besu_requires():
    key = NodeKey(bytes([7]) * 32)
    genesis = qbft_genesis([key.address], chain_id=2020)
    config = genesis["config"]
    assert config["chainId"] == 2020
    assert (config["berlinBlock"], config["londonBlock"], config["shanghaiTime"]) == (0, 0, 0)
    assert config["zeroBaseFee"] is True
    assert config["qbft"] == {"blockperiodseconds": 2, "epochlength": 30000, "requesttimeoutseconds": 4}
    assert genesis["difficulty"] == "0x1"
    assert genesis["mixHash"] == QBFT_MIX_HASH == "0x" + b"ctical byzantine fault tolerance".hex()
    assert genesis["gasLimit"] == "0x1fffffffffffff"
    assert genesis["alloc"] == {}
    assert validators_from_extra_data(genesis["extraData"]) == [key.address]


@pytest.mark.parametrize(
    ("extra_data", "message"),
    [
        ("0xzz", "not hex"),
        ("0x" + "00" * 32, "not RLP"),
        # IBFT 2.0: no vote as an empty string (80), round as 4 bytes (84 00000000), no seals (c0)
        ("0xf83ea0" + "00" * 32 + "d5" + "94" + "11" * 20 + "808400000000c0", "IBFT 2.0"),
        # a QBFT extraData followed by stray bytes
        ("0xf83aa0" + "00" * 32 + "d5" + "94" + "11" * 20 + "c080c0" + "00" * 3, "not RLP"),
        ("0xc5" + "80" * 5, "bad vanity"),
    ],
)
def test_an_extra_data_that_is_not_qbft_is_refused(extra_data: str, message: str):
    with pytest.raises(InvalidInput, match=message):
        validators_from_extra_data(extra_data)


def test_a_genesis_without_validators_or_with_a_bad_chain_id_is_refused():
    with pytest.raises(InvalidInput, match="at least one validator"):
        qbft_genesis([], chain_id=1337)
    with pytest.raises(InvalidInput, match="positive"):
        qbft_genesis([ALICE], chain_id=0)
    with pytest.raises(InvalidInput, match="20-byte"):
        qbft_genesis(["0x1234"], chain_id=1337)
