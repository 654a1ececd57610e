"""OpenAttestation's own DNS-TXT identity check (oa-verify 9.4.0's openAttestationDnsTxtIdentityProof) passing
on gzchain certificates, with a custom dnsprove resolver that asks a real `gzchain serve` process's
`/dns-query` instead of public DNS: the consortium registry plays the TXT record, and OA's code judges it.

dnsprove 2.8.0 accepts a record only for a few network ids, 1337 ("local") among them, so the anvil node runs
with that chain id; `gzchain serve` refuses demo keys off development chains, hence `--allow-demo-keys`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from conftest import AnvilNode, free_port
from support.certificates import graduation_data, issue, issued_batch, store_of
from support.oa_verify import DNS_TXT, STATUS, needs_oa_verify, oa_verify
from support.served import start_serving

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.domain.certificates.verification import Check, Status
from gzchain.domain.oa import wrap_documents
from gzchain.settings import Settings

LOCAL_CHAIN_ID = 1337  # the one development network id dnsprove's record check accepts

pytestmark = [
    pytest.mark.rpc,
    needs_oa_verify,
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, str, str]]:
    """A deployed gzchain on an anvil node with chain id 1337, and `gzchain serve` over the same data folder:
    yields (runtime, node URL, /dns-query URL)."""
    node = AnvilNode("--chain-id", str(LOCAL_CHAIN_ID)).start()
    data_dir = tmp_path_factory.mktemp("oa-dns")
    runtime = open_runtime(Settings(data_dir=data_dir, rpc_url=node.url))
    runtime.deploy()
    port = free_port()
    env = {**os.environ, "GZCHAIN_DATA_DIR": str(data_dir), "GZCHAIN_RPC_URL": node.url}
    try:
        server = start_serving(env, port, "--allow-demo-keys", "--log-level", "WARNING")
        try:
            yield runtime, node.url, f"http://127.0.0.1:{port}/dns-query"
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        runtime.close()
        node.stop()


def test_the_served_dns_query_answers_the_issuers_domain_with_its_store_on_chain_1337(served):
    runtime, _, dns_query = served
    store = store_of(runtime, "gz-edu")
    answer = httpx.get(dns_query, params={"name": "jyj.gz.gov.cn", "type": "TXT"}, timeout=30).json()
    assert [r["data"] for r in answer["Answer"]] == [f'"openatts net=ethereum netId=1337 addr={store}"']


def test_oa_verify_finds_a_consortium_issuers_certificates_dns_txt_identity_valid(served):
    runtime, node, dns_query = served
    documents = issued_batch(runtime, 2)
    for fragments in oa_verify(node, dns_query_url=dns_query, documents=documents):
        assert fragments[STATUS]["status"] == "VALID", fragments[STATUS]
        assert fragments[DNS_TXT]["status"] == "VALID", fragments[DNS_TXT]
    for document in documents:
        assert runtime.certificates().verify(document).valid


def test_oa_verify_finds_a_store_outside_the_consortium_dns_txt_identity_invalid(served):
    runtime, node, dns_query = served
    store_of(runtime, "gz-edu")
    consortium = runtime.require_manifest().address("Consortium")
    signer = runtime.keys.signer("gz-edu")
    side_store, _ = runtime.gateway.deploy("DocumentStore", signer, consortium, signer.address, "Side store")
    [document] = wrap_documents(graduation_data(runtime, 1, store=side_store))
    issue(runtime, [document])
    [fragments] = oa_verify(node, dns_query_url=dns_query, documents=[document])
    assert fragments[STATUS]["status"] == "VALID"  # anchored, but on a store the factory never made
    assert (fragments[DNS_TXT]["status"], fragments[DNS_TXT]["code"]) == (
        "INVALID",
        "MATCHING_RECORD_NOT_FOUND",
    )
    identity = runtime.certificates().verify(document).fragment(Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID


def test_oa_verify_finds_a_domain_claimed_with_another_issuers_store_dns_txt_identity_invalid(served):
    runtime, node, dns_query = served
    hrss_store = store_of(runtime, "gz-hrss")
    # gz-hrss's own store, anchored by gz-hrss, but the certificate claims gz-edu's domain.
    [document] = wrap_documents(graduation_data(runtime, 1, store=hrss_store, domain="jyj.gz.gov.cn"))
    issue(runtime, [document], agency="gz-hrss")
    [fragments] = oa_verify(node, dns_query_url=dns_query, documents=[document])
    assert fragments[STATUS]["status"] == "VALID"
    assert (fragments[DNS_TXT]["status"], fragments[DNS_TXT]["code"]) == (
        "INVALID",
        "MATCHING_RECORD_NOT_FOUND",
    )
