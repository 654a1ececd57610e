"""DocumentStore and DocumentStoreFactory: OpenAttestation's store interface gated by the Consortium.

Runs on the embedded chain and on anvil (`--lane anvil`).
"""

from __future__ import annotations

import os

import pytest
from support.chain import Agencies, reverts

from gzchain.bootstrap import Runtime
from gzchain.chain.artifacts import load_artifact
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.keccak import keccak
from gzchain.domain.merkle import MerkleTree, build_tree, hash_pair
from gzchain.domain.oa import wrap_documents
from gzchain.domain.roles import Role

CERT_ISSUER = Role.CERT_ISSUER.id
ZERO = "0x" + "00" * 20
ZERO_HASH = bytes(32)
OA_BATCHABLE_INTERFACE = bytes.fromhex("dcfd0745")  # what oa-verify asks supportsInterface about
ERC165_INTERFACE = bytes.fromhex("01ffc9a7")
EDU, HRSS = "gz-edu", "gz-hrss"


@pytest.fixture
def agencies(runtime: Runtime) -> Agencies:
    return Agencies(runtime)


@pytest.fixture
def factory(runtime: Runtime):
    return runtime.gateway.contract(
        "DocumentStoreFactory", runtime.require_manifest().address("DocumentStoreFactory")
    )


@pytest.fixture
def store(runtime: Runtime, agencies: Agencies, factory):
    """The Education Bureau's store, created through the factory."""
    agencies.send(EDU, factory.functions.createStore())
    address = runtime.gateway.call(factory.functions.storeOf(agencies.address(EDU)))
    return runtime.gateway.contract("DocumentStore", address)


def random_tree(size: int) -> tuple[list[bytes], MerkleTree]:
    leaves = [os.urandom(32) for _ in range(size)]
    return leaves, build_tree(leaves)


def selectors(artifact: str) -> set[bytes]:
    found = set()
    for entry in load_artifact(artifact)["abi"]:
        if entry["type"] == "function":
            signature = f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"
            found.add(keccak(signature.encode())[:4])
    return found


def interface_id(artifact: str, inherited_from: str | None = None) -> bytes:
    """ERC-165 id of an interface: the XOR of the selectors of its own functions (not inherited ones)."""
    own = selectors(artifact) - (selectors(inherited_from) if inherited_from else set())
    value = 0
    for selector in own:
        value ^= int.from_bytes(selector, "big")
    return value.to_bytes(4, "big")


def timestamp_of(runtime: Runtime, block_number: int) -> int:
    return runtime.gateway.w3.eth.get_block(block_number)["timestamp"]


def suspend(runtime: Runtime, agency: str) -> None:
    consortium = runtime.consortium()
    proposal = consortium.propose_suspend_member("gz-msa", agency)
    consortium.approve("gz-gsdata", proposal.proposal.id)


# ---- the factory ----


def test_a_certificate_issuer_creates_its_store_through_the_factory(runtime: Runtime, agencies, factory):
    receipt = agencies.send(EDU, factory.functions.createStore())
    edu = agencies.address(EDU)
    [created] = runtime.gateway.events(factory, "DocumentStoreFactoryStoreCreated", receipt)
    assert created == {"agency": edu, "store": created["store"], "name": "Guangzhou Education Bureau"}
    call = runtime.gateway.call
    assert call(factory.functions.storeOf(edu)) == created["store"]
    assert call(factory.functions.agencyOf(created["store"])) == edu
    store = runtime.gateway.contract("DocumentStore", created["store"])
    assert call(store.functions.issuer()) == edu
    assert call(store.functions.name()) == "Guangzhou Education Bureau"
    assert call(store.functions.version()) == "gzchain-1.0.0"
    assert call(store.functions.consortium()) == runtime.require_manifest().address("Consortium")


def test_each_issuing_agency_gets_a_store_of_its_own(runtime: Runtime, agencies, factory):
    agencies.send(EDU, factory.functions.createStore())
    agencies.send(HRSS, factory.functions.createStore())
    stores = {runtime.gateway.call(factory.functions.storeOf(agencies.address(a))) for a in (EDU, HRSS)}
    assert len(stores) == 2 and ZERO not in stores


def test_reverts_when_an_agency_creates_a_second_store(runtime: Runtime, agencies, factory, store):
    with reverts("DocumentStoreFactoryStoreExists", agency=agencies.address(EDU), store=store.address):
        agencies.send(EDU, factory.functions.createStore())


def test_reverts_when_an_agency_without_cert_issuer_creates_a_store(agencies, factory):
    with reverts("ConsortiumMissingRole", account=agencies.address("gz-msa"), role=CERT_ISSUER):
        agencies.send("gz-msa", factory.functions.createStore())


def test_reverts_when_a_suspended_issuer_creates_a_store(runtime: Runtime, agencies, factory):
    suspend(runtime, HRSS)
    with reverts("ConsortiumMemberNotActive", account=agencies.address(HRSS)):
        agencies.send(HRSS, factory.functions.createStore())


def test_the_factory_knows_no_store_for_other_agencies_or_addresses(
    runtime: Runtime, agencies, factory, store
):
    call = runtime.gateway.call
    assert call(factory.functions.storeOf(agencies.address(HRSS))) == ZERO
    assert call(factory.functions.agencyOf(agencies.address(EDU))) == ZERO


def test_a_store_deployed_outside_the_factory_is_not_the_agencys_store(
    runtime: Runtime, agencies, factory, store
):
    consortium = runtime.require_manifest().address("Consortium")
    outside, _ = runtime.gateway.deploy(
        "DocumentStore",
        runtime.keys.signer(EDU),
        consortium,
        agencies.address(EDU),
        "Guangzhou Education Bureau",
    )
    assert runtime.gateway.call(factory.functions.agencyOf(outside)) == ZERO
    assert runtime.gateway.call(factory.functions.storeOf(agencies.address(EDU))) == store.address


def test_reverts_when_a_store_is_deployed_for_the_zero_address(runtime: Runtime):
    consortium = runtime.require_manifest().address("Consortium")
    with reverts("DocumentStoreInvalidIssuer", issuer=ZERO):
        runtime.gateway.deploy("DocumentStore", runtime.keys.signer(EDU), consortium, ZERO, "Nobody")


# ---- issuing ----


def test_the_issuing_agency_can_issue_a_batch_root(runtime: Runtime, agencies, store):
    _, tree = random_tree(5)
    receipt = agencies.send(EDU, store.functions.issue(tree.root))
    assert runtime.gateway.events(store, "DocumentIssued", receipt) == [{"document": tree.root}]
    call, block = runtime.gateway.call, receipt.block_number
    assert call(store.functions.isIssued(tree.root))
    assert call(store.functions.documentIssued(tree.root)) == block
    assert call(store.functions.getIssuedBlock(tree.root)) == block
    assert call(store.functions.isIssuedBefore(tree.root, block))
    assert not call(store.functions.isIssuedBefore(tree.root, block - 1))


def test_bulk_issue_issues_every_root_with_an_event_each(runtime: Runtime, agencies, store):
    roots = [os.urandom(32) for _ in range(3)]
    receipt = agencies.send(EDU, store.functions.bulkIssue(roots))
    assert runtime.gateway.events(store, "DocumentIssued", receipt) == [{"document": r} for r in roots]
    assert all(runtime.gateway.call(store.functions.isIssued(r)) for r in roots)


def test_reverts_when_a_bulk_issue_repeats_a_root_and_issues_none_of_them(runtime: Runtime, agencies, store):
    first, second = os.urandom(32), os.urandom(32)
    with reverts("DocumentStoreAlreadyIssued", document=first):
        agencies.send(EDU, store.functions.bulkIssue([first, second, first]))
    assert not runtime.gateway.call(store.functions.isIssued(second))


def test_reverts_when_a_bulk_issue_is_empty(agencies, store):
    with reverts("DocumentStoreEmptyBatch"):
        agencies.send(EDU, store.functions.bulkIssue([]))


def test_reverts_when_a_root_is_issued_twice_or_is_zero(agencies, store):
    root = os.urandom(32)
    agencies.send(EDU, store.functions.issue(root))
    with reverts("DocumentStoreAlreadyIssued", document=root):
        agencies.send(EDU, store.functions.issue(root))
    with reverts("DocumentStoreZeroDocument"):
        agencies.send(EDU, store.functions.issue(ZERO_HASH))


def test_reverts_when_another_certificate_issuer_issues_on_the_store(agencies, store):
    with reverts("DocumentStoreNotTheIssuer", account=agencies.address(HRSS), issuer=agencies.address(EDU)):
        agencies.send(HRSS, store.functions.issue(os.urandom(32)))


def test_reverts_when_an_agency_without_cert_issuer_issues(agencies, store):
    with reverts("ConsortiumMissingRole", account=agencies.address("gz-msa"), role=CERT_ISSUER):
        agencies.send("gz-msa", store.functions.issue(os.urandom(32)))


def test_reverts_when_the_issuing_agency_is_suspended(runtime: Runtime, agencies, store):
    issued = os.urandom(32)
    agencies.send(EDU, store.functions.issue(issued))
    suspend(runtime, EDU)
    edu = agencies.address(EDU)
    with reverts("ConsortiumMemberNotActive", account=edu):
        agencies.send(EDU, store.functions.issue(os.urandom(32)))
    with reverts("ConsortiumMemberNotActive", account=edu):
        agencies.send(EDU, store.functions.revokeWithReason(issued, int(RevocationReason.FRAUD)))


def test_reverts_when_the_issuing_agency_has_lost_cert_issuer(runtime: Runtime, agencies, store):
    consortium = runtime.consortium()
    proposal = consortium.propose_revoke_role("gz-msa", EDU, Role.CERT_ISSUER)
    consortium.approve("gz-gsdata", proposal.proposal.id)
    with reverts("ConsortiumMissingRole", account=agencies.address(EDU), role=CERT_ISSUER):
        agencies.send(EDU, store.functions.issue(os.urandom(32)))


def test_get_issued_block_of_an_unissued_hash_reverts(runtime: Runtime, store):
    unknown = os.urandom(32)
    assert not runtime.gateway.call(store.functions.isIssued(unknown))
    assert runtime.gateway.call(store.functions.documentIssued(unknown)) == 0
    with reverts("DocumentStoreNotIssued", document=unknown):
        runtime.gateway.call(store.functions.getIssuedBlock(unknown))


# ---- one document of a batch: the batchable interface ----


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16])
def test_every_document_of_an_issued_batch_is_issued_and_active(runtime: Runtime, agencies, store, size: int):
    leaves, tree = random_tree(size)
    agencies.send(EDU, store.functions.issue(tree.root))
    call = runtime.gateway.call
    for index, leaf in enumerate(leaves):
        proof = tree.proof(index)
        assert call(store.functions.isIssued(tree.root, leaf, proof))
        assert call(store.functions.isActive(tree.root, leaf, proof))
        assert not call(store.functions.isRevoked(tree.root, leaf, proof))


def test_openattestation_documents_are_proven_on_chain_by_their_own_proofs(runtime: Runtime, agencies, store):
    issuer = {
        "name": "Guangzhou Education Bureau",
        "documentStore": store.address,
        "identityProof": {"type": "DNS-TXT", "location": "jyj.gz.gov.cn"},
    }
    documents = wrap_documents([{"issuers": [issuer], "serial": n} for n in range(6)])
    root = bytes.fromhex(documents[0]["signature"]["merkleRoot"])
    agencies.send(EDU, store.functions.issue(root))
    for document in documents:
        signature = document["signature"]
        proof = [bytes.fromhex(node) for node in signature["proof"]]
        target = bytes.fromhex(signature["targetHash"])
        assert runtime.gateway.call(store.functions.isActive(root, target, proof))


def test_an_unissued_batch_is_neither_issued_nor_active_and_has_no_revocation_status(runtime: Runtime, store):
    leaves, tree = random_tree(4)
    call, proof = runtime.gateway.call, tree.proof(1)
    assert not call(store.functions.isIssued(tree.root, leaves[1], proof))
    assert not call(store.functions.isActive(tree.root, leaves[1], proof))
    with reverts("DocumentStoreNotIssued", document=tree.root):
        call(store.functions.isRevoked(tree.root, leaves[1], proof))


@pytest.mark.parametrize("question", ["isIssued", "isRevoked", "isActive"])
def test_reverts_when_the_proof_does_not_lead_to_the_root(runtime: Runtime, agencies, store, question: str):
    leaves, tree = random_tree(4)
    agencies.send(EDU, store.functions.issue(tree.root))
    ask = getattr(store.functions, question)
    with reverts("DocumentStoreInvalidProof", documentRoot=tree.root, document=leaves[0]):
        runtime.gateway.call(ask(tree.root, leaves[0], tree.proof(1)))
    with reverts("DocumentStoreZeroDocument"):
        runtime.gateway.call(ask(tree.root, ZERO_HASH, []))


# ---- revoking ----


def test_revoking_one_document_revokes_it_alone_with_its_reason_and_time(runtime: Runtime, agencies, store):
    leaves, tree = random_tree(4)
    agencies.send(EDU, store.functions.issue(tree.root))
    fraud = int(RevocationReason.FRAUD)
    receipt = agencies.send(EDU, store.functions.revokeWithReason(tree.root, leaves[2], tree.proof(2), fraud))
    block, revoked_at = receipt.block_number, timestamp_of(runtime, receipt.block_number)
    events = runtime.gateway.events
    assert events(store, "DocumentRevoked", receipt) == [{"document": leaves[2]}]
    assert events(store, "DocumentStoreRevocationRecorded", receipt) == [
        {"document": leaves[2], "revoker": agencies.address(EDU), "reason": fraud, "revokedAt": revoked_at}
    ]
    call = runtime.gateway.call
    assert call(store.functions.revocation(leaves[2])) == (block, revoked_at, fraud)
    assert call(store.functions.isRevoked(leaves[2]))
    assert call(store.functions.documentRevoked(leaves[2])) == block
    assert call(store.functions.isRevokedBefore(leaves[2], block))
    assert not call(store.functions.isRevokedBefore(leaves[2], block - 1))
    assert call(store.functions.isRevoked(tree.root, leaves[2], tree.proof(2)))
    assert not call(store.functions.isActive(tree.root, leaves[2], tree.proof(2)))
    assert call(store.functions.isIssued(tree.root, leaves[2], tree.proof(2)))
    for index in (0, 1, 3):
        assert call(store.functions.isActive(tree.root, leaves[index], tree.proof(index)))


def test_revoking_the_root_revokes_every_document_of_the_batch(runtime: Runtime, agencies, store):
    leaves, tree = random_tree(5)
    agencies.send(EDU, store.functions.issue(tree.root))
    withdrawn = int(RevocationReason.WITHDRAWN)
    receipt = agencies.send(EDU, store.functions.revokeWithReason(tree.root, tree.root, [], withdrawn))
    assert runtime.gateway.events(store, "DocumentRevoked", receipt) == [{"document": tree.root}]
    for index, leaf in enumerate(leaves):
        assert runtime.gateway.call(store.functions.isRevoked(tree.root, leaf, tree.proof(index)))
        assert not runtime.gateway.call(store.functions.isRevoked(leaf))


def test_revoking_a_hash_between_document_and_root_revokes_the_documents_below_it(
    runtime: Runtime, agencies, store
):
    leaves, tree = random_tree(4)
    agencies.send(EDU, store.functions.issue(tree.root))
    # The parent of the first two sorted leaves: a sub-batch, as oa-verify checks every hash on the way up.
    first, second = tree.levels[0][0], tree.levels[0][1]
    agencies.send(EDU, store.functions.revoke(hash_pair(first, second)))
    call = runtime.gateway.call
    for index, leaf in enumerate(leaves):
        below = leaf in (first, second)
        assert call(store.functions.isRevoked(tree.root, leaf, tree.proof(index))) is below


def test_oa_legacy_revoke_returns_true_and_records_an_unspecified_reason(runtime: Runtime, agencies, store):
    target = os.urandom(32)
    assert runtime.gateway.call(store.functions.revoke(target), agencies.address(EDU)) is True
    receipt = agencies.send(EDU, store.functions.revoke(target))
    [recorded] = runtime.gateway.events(store, "DocumentStoreRevocationRecorded", receipt)
    assert recorded["reason"] == RevocationReason.UNSPECIFIED
    assert runtime.gateway.events(store, "DocumentRevoked", receipt) == [{"document": target}]


def test_oa_batchable_revoke_checks_the_proof_and_records_an_unspecified_reason(
    runtime: Runtime, agencies, store
):
    leaves, tree = random_tree(3)
    agencies.send(EDU, store.functions.issue(tree.root))
    with reverts("DocumentStoreInvalidProof", documentRoot=tree.root, document=leaves[0]):
        agencies.send(EDU, store.functions.revoke(tree.root, leaves[0], tree.proof(2)))
    receipt = agencies.send(EDU, store.functions.revoke(tree.root, leaves[0], tree.proof(0)))
    [recorded] = runtime.gateway.events(store, "DocumentStoreRevocationRecorded", receipt)
    assert (recorded["document"], recorded["reason"]) == (leaves[0], RevocationReason.UNSPECIFIED)


@pytest.mark.parametrize("reason", list(RevocationReason))
def test_every_reason_code_is_recorded_as_python_names_it(runtime: Runtime, agencies, store, reason):
    target = os.urandom(32)
    agencies.send(EDU, store.functions.revokeWithReason(target, int(reason)))
    assert RevocationReason(runtime.gateway.call(store.functions.revocation(target))[2]) is reason


@pytest.mark.parametrize("code", [len(RevocationReason), 255])
def test_reverts_when_the_reason_code_is_unknown(agencies, store, code: int):
    with reverts("DocumentStoreUnknownReason", reason=code):
        agencies.send(EDU, store.functions.revokeWithReason(os.urandom(32), code))


def test_bulk_revocations_revoke_each_hash_with_the_same_reason(runtime: Runtime, agencies, store):
    targets = [os.urandom(32) for _ in range(3)]
    superseded = int(RevocationReason.SUPERSEDED)
    receipt = agencies.send(EDU, store.functions.bulkRevokeWithReason(targets, superseded))
    recorded = runtime.gateway.events(store, "DocumentStoreRevocationRecorded", receipt)
    assert [(r["document"], r["reason"]) for r in recorded] == [(t, superseded) for t in targets]
    legacy = [os.urandom(32) for _ in range(2)]
    receipt = agencies.send(EDU, store.functions.bulkRevoke(legacy))
    assert runtime.gateway.events(store, "DocumentRevoked", receipt) == [{"document": t} for t in legacy]
    with reverts("DocumentStoreEmptyBatch"):
        agencies.send(EDU, store.functions.bulkRevoke([]))
    with reverts("DocumentStoreEmptyBatch"):
        agencies.send(EDU, store.functions.bulkRevokeWithReason([], superseded))


def test_reverts_when_a_hash_is_revoked_twice_or_is_zero(agencies, store):
    target = os.urandom(32)
    agencies.send(EDU, store.functions.revokeWithReason(target, int(RevocationReason.FRAUD)))
    with reverts("DocumentStoreAlreadyRevoked", document=target):
        agencies.send(EDU, store.functions.revoke(target))
    with reverts("DocumentStoreZeroDocument"):
        agencies.send(EDU, store.functions.revoke(ZERO_HASH))


def test_reverts_when_a_document_of_a_revoked_batch_is_revoked(agencies, store):
    leaves, tree = random_tree(4)
    agencies.send(EDU, store.functions.issue(tree.root))
    agencies.send(EDU, store.functions.revoke(tree.root))
    with reverts("DocumentStoreAlreadyRevoked", document=tree.root):
        agencies.send(
            EDU,
            store.functions.revokeWithReason(
                tree.root, leaves[1], tree.proof(1), int(RevocationReason.FRAUD)
            ),
        )


def test_reverts_when_a_document_of_an_unissued_batch_is_revoked_with_its_proof(agencies, store):
    leaves, tree = random_tree(2)
    with reverts("DocumentStoreNotIssued", document=tree.root):
        agencies.send(
            EDU,
            store.functions.revokeWithReason(
                tree.root, leaves[0], tree.proof(0), int(RevocationReason.FRAUD)
            ),
        )


@pytest.mark.parametrize(
    ("agency", "error"),
    [(HRSS, "DocumentStoreNotTheIssuer"), ("gz-msa", "ConsortiumMissingRole")],
    ids=["another-issuer", "not-an-issuer"],
)
def test_reverts_when_anyone_but_the_issuing_agency_revokes(agencies, store, agency: str, error: str):
    fraud = int(RevocationReason.FRAUD)
    for fn in (
        store.functions.revoke(os.urandom(32)),
        store.functions.revokeWithReason(os.urandom(32), fraud),
        store.functions.bulkRevoke([os.urandom(32)]),
        store.functions.bulkRevokeWithReason([os.urandom(32)], fraud),
    ):
        with reverts(error):
            agencies.send(agency, fn)


def test_revocation_of_an_unrevoked_hash_reverts(runtime: Runtime, store):
    target = os.urandom(32)
    assert runtime.gateway.call(store.functions.documentRevoked(target)) == 0
    with reverts("DocumentStoreNotRevoked", document=target):
        runtime.gateway.call(store.functions.revocation(target))


# ---- ERC-165 ----


def test_the_batchable_interface_has_the_id_oa_verify_probes_for():
    assert interface_id("IDocumentStoreBatchable") == OA_BATCHABLE_INTERFACE


@pytest.mark.parametrize(
    ("interface", "supported"),
    [
        # Implemented but not claimed: oa-verify would then pass a v2 document's unprefixed hex to
        # isIssued(bytes32,bytes32,bytes32[]), which ethers v5 cannot encode (see DocumentStore.sol).
        (OA_BATCHABLE_INTERFACE, False),
        (ERC165_INTERFACE, True),
        (interface_id("IDocumentStore", inherited_from="IDocumentStoreBatchable"), True),
        (bytes.fromhex("ffffffff"), False),
        (interface_id("IConsortium"), False),
    ],
    ids=["oa-batchable-unclaimed", "erc165", "IDocumentStore", "invalid", "other"],
)
def test_supports_interface_answers_for_the_store_interfaces(runtime: Runtime, store, interface, supported):
    assert runtime.gateway.call(store.functions.supportsInterface(interface)) is supported
