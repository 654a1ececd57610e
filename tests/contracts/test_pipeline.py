"""Pipelined writes (`ChainGateway.transact_many`): many calls, one outcome each, on either lane."""

from __future__ import annotations

import os

from gzchain.bootstrap import Runtime
from gzchain.domain.errors import ChainUnavailable, ContractReverted
from gzchain.domain.registry import uscc_bytes
from gzchain.domain.roles import Role
from gzchain.domain.uscc import uscc_from_prefix


def registrations(runtime: Runtime, *codes: str):
    registry = runtime.business().contract
    return registry, [registry.functions.register(uscc_bytes(code), os.urandom(32)) for code in codes]


def codes(count: int, start: int = 0) -> list[str]:
    return [uscc_from_prefix(f"91440101{start + n:08d}") for n in range(count)]


def test_a_pipeline_confirms_every_call_in_order_with_consecutive_nonces(runtime: Runtime):
    registry, fns = registrations(runtime, *codes(6))
    msa = runtime.keys.signer("gz-msa")
    start = runtime.gateway.w3.eth.get_transaction_count(msa.address)

    outcomes = runtime.gateway.transact_many(fns, msa)

    assert [outcome.done for outcome in outcomes] == [True] * 6
    nonces = [runtime.gateway.w3.eth.get_transaction(o.result().tx_hash)["nonce"] for o in outcomes]
    assert nonces == list(range(start, start + 6))
    for outcome, code in zip(outcomes, codes(6), strict=True):
        chain_receipt = runtime.gateway.w3.eth.get_transaction_receipt(outcome.result().tx_hash)
        assert chain_receipt["status"] == 1
        assert outcome.result().block_number == chain_receipt["blockNumber"]
        assert outcome.result().block_hash == "0x" + bytes(chain_receipt["blockHash"]).hex()
        assert outcome.result().gas_used == chain_receipt["gasUsed"]
        assert outcome.result().tx_index == chain_receipt["transactionIndex"]
        assert runtime.gateway.call(registry.functions.versions(uscc_bytes(code)))


def test_events_of_a_pipelined_receipt_decode_as_those_of_a_plain_send(runtime: Runtime):
    registry, fns = registrations(runtime, *codes(2, start=100))
    msa = runtime.keys.signer("gz-msa")

    outcomes = runtime.gateway.transact_many(fns, msa)

    for n, outcome in enumerate(outcomes):
        [event] = runtime.gateway.events(registry, "BusinessRegistered", outcome.result())
        assert event["uscc"] == uscc_bytes(codes(2, start=100)[n])
        assert event["registrar"] == msa.address
        assert event["version"] == 1


def test_a_call_without_the_role_is_reported_with_its_reason_and_the_account_can_send_on(runtime: Runtime):
    # A node's dry run refuses it before it is sent; the embedded chain, which skips the dry run, mines it
    # refused. Either way the reason is decoded and the account's nonces stay in step.
    notary = runtime.keys.signer("gz-notary")
    _, fns = registrations(runtime, *codes(2, start=200))

    outcomes = runtime.gateway.transact_many(fns, notary)

    for outcome in outcomes:
        assert not outcome.done
        assert isinstance(outcome.error, ContractReverted)
        assert outcome.error.error_name == "ConsortiumMissingRole"
        assert outcome.error.args_by_name == {"account": notary.address, "role": Role.REGISTRAR.id}
    registry, [register] = registrations(runtime, codes(1, start=200)[0])
    runtime.gateway.transact(register, runtime.keys.signer("gz-msa"))
    notarise = registry.functions.notarise(os.urandom(32), uscc_bytes(codes(1, start=200)[0]), 1)
    receipt = runtime.gateway.transact(notarise, notary)
    assert runtime.gateway.w3.eth.get_transaction_receipt(receipt.tx_hash)["status"] == 1


def test_a_refused_call_does_not_stop_the_others(runtime: Runtime):
    registry = runtime.business().contract
    [taken] = codes(1, start=300)
    runtime.gateway.transact(
        registry.functions.register(uscc_bytes(taken), os.urandom(32)), runtime.keys.signer("gz-msa")
    )
    _, fns = registrations(runtime, codes(1, start=301)[0], taken, codes(1, start=302)[0])

    outcomes = runtime.gateway.transact_many(fns, runtime.keys.signer("gz-msa"))

    assert [outcome.done for outcome in outcomes] == [True, False, True]
    assert outcomes[1].error is not None
    assert outcomes[1].error.error_name == "BusinessRegistryAlreadyRegistered"


def test_a_call_refused_only_once_mined_is_reported_with_its_decoded_reason(runtime: Runtime):
    # Both pass the dry run, which sees neither; the second is refused on chain, behind the first.
    [code] = codes(1, start=400)
    _, fns = registrations(runtime, code, code)

    first, second = runtime.gateway.transact_many(fns, runtime.keys.signer("gz-msa"))

    assert first.done
    assert not second.done
    assert isinstance(second.error, ContractReverted)
    assert second.error.error_name == "BusinessRegistryAlreadyRegistered"
    assert second.error.args_by_name == {"uscc": uscc_bytes(code)}


def test_the_outcome_of_a_failed_call_raises_its_error(runtime: Runtime):
    _, fns = registrations(runtime, *codes(1, start=500))
    [outcome] = runtime.gateway.transact_many(fns, runtime.keys.signer("gz-notary"))
    try:
        outcome.result()
    except ContractReverted as exc:
        assert exc is outcome.error
    else:
        raise AssertionError("result() returned for a refused call")
    assert not isinstance(outcome.error, ChainUnavailable)


def test_an_empty_pipeline_sends_nothing(runtime: Runtime):
    assert runtime.gateway.transact_many([], runtime.keys.signer("gz-msa")) == []


def test_the_confirmed_count_grows_by_the_calls_done_and_not_by_those_refused(runtime: Runtime):
    registry = runtime.business().contract
    [taken] = codes(1, start=600)
    msa = runtime.keys.signer("gz-msa")
    runtime.gateway.transact(registry.functions.register(uscc_bytes(taken), os.urandom(32)), msa)
    before = runtime.gateway.transactions_sent
    _, fns = registrations(runtime, codes(1, start=601)[0], taken, codes(1, start=602)[0])

    outcomes = runtime.gateway.transact_many(fns, msa)

    assert [outcome.done for outcome in outcomes] == [True, False, True]
    assert runtime.gateway.transactions_sent == before + 2
