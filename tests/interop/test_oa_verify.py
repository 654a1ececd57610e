"""OpenAttestation's own verifier, @govtechsg/oa-verify 9.4.0 with an ethers v5 JsonRpcProvider, on gzchain's
certificates anchored on a real anvil node: what a school or employer using OA's tools would see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import AnvilNode
from support.certificates import (
    LICENCE,
    QUALIFICATION,
    graduate,
    graduation_data,
    issue,
    write_csv,
)
from support.oa_verify import DNS_TXT, HASH, STATUS, needs_oa_verify, oa_verify

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.certificates.verification import Check, Status
from gzchain.domain.oa import wrap_documents
from gzchain.services.certificates import Wallet
from gzchain.services.certificates.templates import load_template
from gzchain.settings import Settings

EDU = "gz-edu"

pytestmark = [
    pytest.mark.rpc,
    needs_oa_verify,
]


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, str]]:
    """A deployed gzchain on its own anvil node: oa-verify reads the node directly, so no snapshot games."""
    node = AnvilNode().start()
    settings = Settings(data_dir=tmp_path_factory.mktemp("oa-verify"), rpc_url=node.url)
    runtime = open_runtime(settings)
    runtime.deploy()
    yield runtime, node.url
    runtime.close()
    node.stop()


def issued_certificates(runtime: Runtime, tmp_path: Path, count: int) -> list[dict[str, Any]]:
    tmp_path.mkdir(parents=True)
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(count)])
    out = tmp_path / "issued"
    runtime.certificates().issue_batch(EDU, load_template("graduation-certificate"), records, out)
    return [json.loads((out / f"GZ-2026-{n:06d}.json").read_text(encoding="utf-8")) for n in range(count)]


def test_oa_verify_finds_single_batched_and_obfuscated_certificates_intact_and_issued(chain, tmp_path):
    runtime, url = chain
    [single] = issued_certificates(runtime, tmp_path / "one", 1)
    batch = issued_certificates(runtime, tmp_path / "many", 5)
    wallet = Wallet(tmp_path / "wallet")
    held = tmp_path / "fourth.json"
    held.write_text(json.dumps(batch[3], ensure_ascii=False), encoding="utf-8")
    entry = wallet.add(held)
    obfuscated = wallet.present(entry.id, ["recipient.name", "degree"])
    assert obfuscated["privacy"]["obfuscatedData"]
    documents = [single, *batch, obfuscated]
    for fragments in oa_verify(url, documents):
        assert fragments[HASH]["status"] == "VALID"
        assert fragments[STATUS]["status"] == "VALID", fragments[STATUS]
    for document in documents:
        assert runtime.certificates().verify(document).valid


def test_oa_verify_reports_a_revoked_certificate_and_a_revoked_batch_as_document_revoked(chain, tmp_path):
    runtime, url = chain
    service = runtime.certificates()
    first = issued_certificates(runtime, tmp_path / "first", 3)
    second = issued_certificates(runtime, tmp_path / "second", 3)
    service.revoke_document(EDU, first[1], RevocationReason.ISSUED_IN_ERROR, "wrong degree printed")
    withdrawn = RevocationReason.WITHDRAWN
    service.revoke_document(EDU, second[0], withdrawn, "programme withdrawn", whole_batch=True)
    verdicts = oa_verify(url, [first[1], first[0], *second])
    revoked, untouched, *whole_batch = verdicts
    assert (revoked[STATUS]["status"], revoked[STATUS]["code"]) == ("INVALID", "DOCUMENT_REVOKED")
    assert untouched[STATUS]["status"] == "VALID"  # its batch mate stays valid
    for fragments in whole_batch:
        assert (fragments[STATUS]["status"], fragments[STATUS]["code"]) == ("INVALID", "DOCUMENT_REVOKED")
        assert fragments[HASH]["status"] == "VALID"


# One record per shipped template besides graduation (support.certificates.graduate covers that one).
TEMPLATE_RECORDS = {"vocational-qualification": QUALIFICATION, "business-licence": LICENCE}


def test_oa_verify_finds_certificates_of_every_other_template_intact_and_issued(chain, tmp_path):
    runtime, url = chain
    documents = []
    for template_id, record in TEMPLATE_RECORDS.items():
        folder = tmp_path / template_id
        folder.mkdir()
        records = folder / "records.json"
        records.write_text(json.dumps([record]), encoding="utf-8")
        runtime.certificates().issue_batch(EDU, load_template(template_id), records, folder / "issued")
        documents += [
            json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((folder / "issued").glob("*.json"))
            if path.name != "batch.json"
        ]
    assert len(documents) == len(TEMPLATE_RECORDS)
    for fragments in oa_verify(url, documents):
        assert fragments[HASH]["status"] == "VALID"
        assert fragments[STATUS]["status"] == "VALID", fragments[STATUS]


def test_a_store_outside_the_consortium_passes_oa_status_but_fails_gzchains_identity(chain):
    runtime, url = chain
    runtime.certificates().create_store(EDU)
    consortium = runtime.require_manifest().address("Consortium")
    signer = runtime.keys.signer(EDU)
    side_store, _ = runtime.gateway.deploy("DocumentStore", signer, consortium, signer.address, "Side store")
    [document] = wrap_documents(graduation_data(runtime, 1, store=side_store))
    issue(runtime, [document])
    [fragments] = oa_verify(url, [document])
    assert fragments[STATUS]["status"] == "VALID"  # anchored, but on a store the factory never made
    # Without a DNS answer naming the store, OA's own identity check does not pass either.
    assert fragments[DNS_TXT]["status"] != "VALID"
    identity = runtime.certificates().verify(document).fragment(Check.ISSUER_IDENTITY)
    assert identity.status is Status.INVALID
