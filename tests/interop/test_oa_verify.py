"""OpenAttestation's own verifier, @govtechsg/oa-verify 9.4.0 with an ethers v5 JsonRpcProvider, on gzchain's
certificates anchored on a real anvil node: what a school or employer using OA's tools would see."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import AnvilNode
from support.certificates import NODE, ROOT, graduate, graduation_data, issue, write_csv

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.certificates.verification import Check, Status
from gzchain.domain.oa import wrap_documents
from gzchain.services.certificates import Wallet
from gzchain.services.certificates.templates import load_template
from gzchain.settings import Settings

OA_VERIFY = ROOT / "node_modules" / "@govtechsg" / "oa-verify"
DRIVER = Path(__file__).with_name("oa_verify.js")
EDU = "gz-edu"
HASH, STATUS, DNS_TXT = (
    "OpenAttestationHash",
    "OpenAttestationEthereumDocumentStoreStatus",
    "OpenAttestationDnsTxtIdentityProof",
)

pytestmark = [
    pytest.mark.rpc,
    pytest.mark.skipif(NODE is None or not OA_VERIFY.is_dir(), reason="needs node and npm ci's oa-verify"),
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


def oa_verify(rpc_url: str, documents: list[dict[str, Any]]) -> list[dict[str, dict[str, Any]]]:
    """oa-verify's fragments for each document, by fragment name; one node process for all of them."""
    assert NODE is not None
    completed = subprocess.run(
        [NODE, str(DRIVER)],
        input=json.dumps({"rpcUrl": rpc_url, "documents": documents}),
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return [{f["name"]: f for f in fragments} for fragments in json.loads(completed.stdout)["results"]]


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
TEMPLATE_RECORDS = {
    "vocational-qualification": {
        "certificate_number": "HR-2026-0001",
        "holder_name": "黄雨桐",
        "id_number": "44010619850315456X",
        "occupation": "Electrician (电工)",
        "level": "Level 3 / Advanced (三级/高级工)",
        "assessment_date": "2026-03-01",
        "valid_from": "2026-03-15",
        "valid_until": "2031-03-14",
    },
    "business-licence": {
        "licence_number": "GZ-BL-000001",
        "uscc": "91440101MA59LU9AX1",
        "company_name": "广州示例链科技有限公司",
        "entity_type": "Limited liability company (有限责任公司)",
        "legal_representative": "陈思远",
        "registered_capital": "CNY 1,000,000",
        "established_on": "2020-05-18",
        "address": "广州市天河区示例路1号",
        "business_scope": "软件开发；信息技术咨询服务",
        "valid_from": "2020-05-18",
        "valid_until": "",
    },
}


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
