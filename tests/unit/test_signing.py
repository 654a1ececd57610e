"""The pipeline's signer encodes exactly what eth_account signs, for both kinds of transaction it sends."""

from __future__ import annotations

from eth_account import Account
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from gzchain.chain.signing import CallSigner

keys = st.binary(min_size=32, max_size=32).filter(
    lambda k: (
        0 < int.from_bytes(k, "big") < 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    )
)
legacy_fees = st.builds(lambda price: {"gasPrice": price}, st.integers(0, 10**12))
dynamic_fees = st.builds(
    lambda tip, extra: {"maxPriorityFeePerGas": tip, "maxFeePerGas": tip + extra},
    st.integers(0, 10**11),
    st.integers(0, 10**12),
)


@settings(max_examples=40, deadline=None)
@given(
    key=keys,
    chain_id=st.sampled_from([1, 1337, 31337, 2**31 - 1]),
    nonce=st.integers(0, 2**40),
    gas=st.integers(21_000, 30_000_000),
    to=st.binary(min_size=20, max_size=20),
    data=st.binary(max_size=300),
    fees=st.one_of(legacy_fees, dynamic_fees),
)
def test_signed_bytes_match_eth_account(key, chain_id, nonce, gas, to, data, fees):
    ours = CallSigner(key, chain_id).sign(nonce=nonce, gas=gas, to=to, data=data, fees=fees)
    tx = {
        "to": to_checksum_address(to),
        "data": data,
        "value": 0,
        "gas": gas,
        "nonce": nonce,
        "chainId": chain_id,
    }
    assert ours == bytes(Account.sign_transaction({**tx, **fees}, key).raw_transaction)


def test_the_sender_recovers_from_the_signed_transaction():
    account = Account.create()
    raw = CallSigner(account.key, 31337).sign(
        nonce=7, gas=100_000, to=b"\x11" * 20, data=b"\x01\x02", fees={"gasPrice": 0}
    )
    assert Account.recover_transaction(raw) == account.address


def test_a_malformed_address_is_refused():
    import pytest

    with pytest.raises(ValueError, match="20-byte"):
        CallSigner(Account.create().key, 1).sign(
            nonce=0, gas=1, to=b"\x11" * 19, data=b"", fees={"gasPrice": 0}
        )
