"""gzchain's one Keccak-256 (domain/keccak.py): Ethereum's, the very function web3 and py-evm hash with."""

from __future__ import annotations

import hashlib
import os

import pytest
from eth_hash.auto import keccak as eth_hash_keccak
from web3 import Web3

from gzchain.domain.keccak import keccak, keccak_hex

EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


def test_the_hash_of_nothing_is_ethereums_known_one():
    assert keccak(b"").hex() == EMPTY
    assert keccak_hex(b"") == EMPTY


# Fixed inputs: xdist workers must collect the same parameters.
INPUTS = [b"DocumentRevoked(bytes32)", b"\x00" * 32, bytes(range(256)) * 2, "广州".encode()]


@pytest.mark.parametrize("data", INPUTS)
def test_it_agrees_with_web3_and_eth_hash(data: bytes):
    assert keccak(data) == bytes(Web3.keccak(data)) == eth_hash_keccak(data)
    assert keccak_hex(data) == Web3.keccak(data).hex().removeprefix("0x")


def test_it_is_not_nist_sha3():
    assert keccak(b"gzchain") != hashlib.sha3_256(b"gzchain").digest()


def test_it_runs_on_the_c_backend_gzchain_selects_for_eth_hash():
    if os.environ.get("ETH_HASH_BACKEND", "pysha3") != "pysha3":
        pytest.fail("ETH_HASH_BACKEND names another backend: this checks gzchain's own choice")
    assert type(keccak.__self__).__name__ == "PySha3Backend"  # type: ignore[attr-defined]
