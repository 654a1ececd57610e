"""The chain gateway: local signing, nonces, fees, receipts and revert decoding, on either lane."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from support.chain import reverts

from gzchain.bootstrap import Runtime
from gzchain.chain.gateway import ChainGateway
from gzchain.domain.roles import Role


def probe(runtime: Runtime):
    consortium = runtime.require_manifest().address("Consortium")
    address, _ = runtime.gateway.deploy("RoleProbe", runtime.keys.signer("gz-gsdata"), consortium)
    return runtime.gateway.contract("RoleProbe", address)


def test_a_missing_role_surfaces_as_contract_reverted_with_name_and_arguments(runtime: Runtime):
    contract = probe(runtime)
    notary = runtime.keys.address("gz-notary")
    with reverts("ConsortiumMissingRole", account=notary, role=Role.REGISTRAR.id) as info:
        runtime.gateway.transact(contract.functions.touch(), runtime.keys.signer("gz-notary"))
    assert str(info.value) == f"ConsortiumMissingRole(account={notary}, role=0x{Role.REGISTRAR.id.hex()})"


def test_a_refused_transaction_uses_no_nonce(runtime: Runtime):
    contract = probe(runtime)
    notary = runtime.keys.signer("gz-notary")
    before = runtime.gateway.w3.eth.get_transaction_count(notary.address)
    with reverts("ConsortiumMissingRole"):
        runtime.gateway.transact(contract.functions.touch(), notary)
    assert runtime.gateway.w3.eth.get_transaction_count(notary.address) == before


def test_concurrent_senders_from_one_account_each_get_their_own_nonce(runtime: Runtime):
    contract = probe(runtime)
    msa = runtime.keys.signer("gz-msa")
    start = runtime.gateway.w3.eth.get_transaction_count(msa.address)
    with ThreadPoolExecutor(max_workers=4) as pool:
        receipts = list(
            pool.map(lambda _: runtime.gateway.transact(contract.functions.touch(), msa), range(12))
        )
    assert len({r.tx_hash for r in receipts}) == 12
    assert runtime.gateway.w3.eth.get_transaction_count(msa.address) == start + 12
    nonces = sorted(runtime.gateway.w3.eth.get_transaction(r.tx_hash)["nonce"] for r in receipts)
    assert nonces == list(range(start, start + 12))


def test_transactions_are_signed_locally_by_the_acting_agency(runtime: Runtime):
    contract = probe(runtime)
    receipt = runtime.gateway.transact(contract.functions.touch(), runtime.keys.signer("gz-msa"))
    tx = runtime.gateway.w3.eth.get_transaction(receipt.tx_hash)
    assert tx["from"] == runtime.keys.address("gz-msa")
    assert runtime.keys.address("gz-msa") not in runtime.gateway.w3.eth.accounts


def test_the_fee_policy_follows_the_chains_base_fee(gateway: ChainGateway):
    fields = gateway.fees.fields(gateway.w3)
    if gateway.w3.eth.get_block("latest").get("baseFeePerGas"):
        assert gateway.fees.kind == "eip1559"
        assert fields["maxFeePerGas"] > fields["maxPriorityFeePerGas"] > 0
    else:  # a Besu-like zero-fee chain: the anvil lane
        assert gateway.fees.kind == "zero"
        assert fields == {"gasPrice": 0}


def test_an_account_outside_genesis_can_send_on_a_dev_chain(runtime: Runtime):
    newcomer = runtime.keys.signer("admitted-after-genesis")
    assert runtime.gateway.w3.eth.get_balance(newcomer.address) == 0
    consortium = runtime.require_manifest().address("Consortium")
    address, _ = runtime.gateway.deploy("RoleProbe", newcomer, consortium)
    assert runtime.gateway.code_at(address)
    # On a base-fee chain it was given gas money first; on a zero-fee chain it needs none.
    funded = runtime.gateway.w3.eth.get_balance(newcomer.address) > 0
    assert funded == (runtime.gateway.fees.kind == "eip1559")


def test_receipts_carry_the_proof_of_inclusion(runtime: Runtime):
    contract = probe(runtime)
    receipt = runtime.gateway.transact(contract.functions.touch(), runtime.keys.signer("gz-msa"))
    block = runtime.gateway.w3.eth.get_block(receipt.block_number)
    assert "0x" + bytes(block["hash"]).hex() == receipt.block_hash
    assert receipt.tx_hash in ["0x" + bytes(h).hex() for h in block["transactions"]]
