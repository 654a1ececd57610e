"""Revert decoding: custom errors by selector, standard Error/Panic, eth-tester's string form."""

from __future__ import annotations

from eth_abi import encode
from eth_tester.exceptions import TransactionFailed
from eth_utils import function_signature_to_4byte_selector as selector
from web3.exceptions import ContractCustomError

from gzchain.chain.artifacts import all_error_entries
from gzchain.chain.reverts import ErrorDecoder, revert_data

ACCOUNT = "0x4055A5Cd356Cd88c6EFFD9c1b1A166aA9B0A758a"
ROLE = b"\x1a" * 32
MISSING_ROLE = selector("ConsortiumMissingRole(address,bytes32)") + encode(
    ["address", "bytes32"], [ACCOUNT, ROLE]
)
decoder = ErrorDecoder(all_error_entries())


def test_a_custom_error_decodes_to_its_name_and_named_arguments():
    reverted = decoder.decode(MISSING_ROLE)
    assert reverted.error_name == "ConsortiumMissingRole"
    assert reverted.args_by_name == {"account": ACCOUNT, "role": ROLE}
    assert reverted.raw == MISSING_ROLE


def test_a_require_string_and_a_panic_decode_too():
    assert decoder.decode(selector("Error(string)") + encode(["string"], ["nope"])).args_by_name == {
        "reason": "nope"
    }
    assert decoder.decode(selector("Panic(uint256)") + encode(["uint256"], [0x11])).args_by_name == {
        "code": 0x11
    }


def test_an_unknown_selector_is_reported_not_guessed():
    reverted = decoder.decode(b"\xde\xad\xbe\xef")
    assert reverted.error_name == "UnknownRevert"
    assert reverted.args_by_name == {"selector": "0xdeadbeef"}


def test_revert_data_is_read_from_a_json_rpc_node_error():
    assert (
        revert_data(ContractCustomError("0x" + MISSING_ROLE.hex(), data="0x" + MISSING_ROLE.hex()))
        == MISSING_ROLE
    )


def test_revert_data_is_read_from_eth_testers_message():
    wrapped = TransactionFailed(f"execution reverted: {MISSING_ROLE!r}")
    assert revert_data(wrapped) == MISSING_ROLE


def test_an_unrelated_exception_carries_no_revert_data():
    assert revert_data(ValueError("boom")) is None


def test_the_innermost_raw_bytes_win_over_an_outer_message_decoded_as_a_string():
    taken = selector("ConsortiumDomainTaken(string)") + encode(["string"], [""])
    try:
        try:
            raise TransactionFailed(taken)
        except TransactionFailed:
            raise TransactionFailed("execution reverted: ") from None
    except TransactionFailed as outer:
        outer.__context__ = TransactionFailed(taken)
        assert decoder.decode(revert_data(outer)).error_name == "ConsortiumDomainTaken"
