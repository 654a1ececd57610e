"""Scenario: the Education Bureau issues a class's graduation certificates, and employers check them."""

from __future__ import annotations

import copy
import csv
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from eth_account import Account

from gzchain.bootstrap import Runtime
from gzchain.chain.transactions import Receipt
from gzchain.demo import ScenarioFailed, Story, main_for
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.certificates.templates import issuer_entry, with_issuer
from gzchain.domain.certificates.verification import Check, Status
from gzchain.domain.oa import get_data, wrap_document
from gzchain.domain.roles import Role
from gzchain.services.certificates import Wallet
from gzchain.services.certificates.templates import load_template

TITLE = "Electronic certificates: 1,000 graduation certificates in one transaction, presented and verified"
ORDER = 30

BUREAU = "gz-edu"
OTHER_ISSUER = "gz-hrss"
GRADUATES = 1_000
REVEALED = ["recipient.name", "degree", "graduationDate"]
PRESENTER = 42  # the row of the graduate who applies for a job
ROOT = Path(__file__).resolve().parents[1]
NPM_WRAP = Path(__file__).with_name("oa_npm_wrap.js")
OA_PACKAGE = ROOT / "node_modules" / "@govtechsg" / "open-attestation"


def run(rt: Runtime, story: Story) -> None:
    certificates = rt.certificates()
    template = load_template("graduation-certificate")
    with tempfile.TemporaryDirectory(prefix="gzchain-certificates-") as scratch:
        work = Path(scratch)

        story.step("The Education Bureau opens its document store through the consortium's factory.")
        store = certificates.create_store(BUREAU).address
        story.ok(f"its store is {store}, the only one the consortium recognises for jyj.gz.gov.cn")
        story.refused(
            "DocumentStoreNotTheIssuer",
            lambda: _issue_raw(rt, store, OTHER_ISSUER, b"\x01" * 32),
            "another certificate issuer (the HR bureau) cannot issue on the bureau's store",
        )

        story.step(f"It issues the class of 2026: {GRADUATES:,} graduation certificates from one CSV file.")
        records = work / "class-of-2026.csv"
        _write_records(records)
        batch = certificates.issue_batch(BUREAU, template, records, work / "issued")
        story.check(
            batch.count == GRADUATES,
            f"{batch.count:,} certificates wrapped under root {batch.merkle_root.hex()[:16]}… and "
            f"anchored in ONE transaction — {_proof(batch.receipt)}",
        )
        files = sorted((work / "issued").glob("GZ-2026-*.json"))
        roots = {json.loads(path.read_text(encoding="utf-8"))["signature"]["merkleRoot"] for path in files}
        story.check(len(files) == GRADUATES and roots == {batch.merkle_root.hex()}, "all share that one root")

        story.step("Graduate Chen Xiaoming keeps his certificate in his wallet and applies for a job.")
        wallet = Wallet(work / "wallet")
        entry = wallet.add(work / "issued" / f"GZ-2026-{PRESENTER:06d}.json")
        presentation = wallet.present(entry.id, REVEALED)
        shown = get_data(presentation)
        story.check(
            set(shown) - {"issuers", "network", "$template"} == {"recipient", "degree", "graduationDate"}
            and set(shown["recipient"]) == {"name"},
            f"he presents only his name, degree and graduation date: {shown['recipient']['name']}, "
            f"{shown['degree']}, {shown['graduationDate']}",
        )
        verdict = certificates.verify(presentation)
        story.check(verdict.valid, "the employer verifies it: intact, issued, not revoked, by the bureau")

        story.step("A certificate is found to rest on forged transcripts; the bureau revokes it.")
        fraudulent = _read(work / "issued" / "GZ-2026-000007.json")
        revoked = certificates.revoke_document(
            BUREAU, fraudulent, RevocationReason.FRAUD, "admission obtained with forged transcripts"
        )
        story.ok(f"revoked for fraud — {_proof(revoked.receipt)}")
        verdict = certificates.verify(fraudulent)
        revocation = verdict.revocation
        story.check(
            not verdict.valid
            and revocation is not None
            and revocation.reason is RevocationReason.FRAUD
            and verdict.fragment(Check.STATUS).status is Status.INVALID,
            f"it now shows REVOKED: {revocation.describe() if revocation else '(no revocation found)'}",
        )
        story.check(
            certificates.verify(presentation).valid,
            "the graduate's certificate, from the same batch, still verifies: only that one was revoked",
        )

        story.step("Someone edits a certificate by hand, upgrading the degree to a master's.")
        edited = _read(work / "issued" / "GZ-2026-000100.json")
        edited["data"]["degree"] = edited["data"]["degree"].replace("Bachelor of", "Master of")
        verdict = certificates.verify(edited)
        story.check(
            not verdict.valid and verdict.fragment(Check.INTEGRITY).status is Status.INVALID,
            f"it fails integrity: {verdict.fragment(Check.INTEGRITY).reason}",
        )

        story.step(
            "A forger deploys a look-alike store outside the consortium and anchors a certificate there."
        )
        forged = _forged_certificate(rt, template)
        verdict = certificates.verify(forged)
        identity = verdict.fragment(Check.ISSUER_IDENTITY)
        story.check(
            verdict.fragment(Check.INTEGRITY).status is Status.VALID
            and verdict.fragment(Check.STATUS).status is Status.VALID
            and identity.status is Status.INVALID
            and not verdict.valid,
            f"intact and anchored, yet it fails issuer identity: {identity.reason}",
        )

        story.step(
            "A school wraps certificates with OpenAttestation's own npm library; the bureau anchors them."
        )
        npm_wrapped = _wrapped_by_npm(rt, template, store)
        anchored = certificates.anchor(BUREAU, npm_wrapped, label="open-attestation-npm")
        story.ok(f"root {anchored.merkle_root.hex()[:16]}… issued — {_proof(anchored.receipt)}")
        story.check(
            all(certificates.verify(document).valid for document in npm_wrapped),
            "certificates wrapped by OA's own library verify in gzchain",
        )


def _records(count: int) -> list[dict[str, str]]:
    surnames = "陈李张王刘黄林吴周郑"
    given = ["晓明", "嘉怡", "志强", "婉婷", "俊杰", "诗涵", "子轩", "雨桐", "浩然", "欣怡"]
    majors = ["Software Engineering", "Civil Engineering", "Automation", "Materials Science", "Architecture"]
    rows = []
    for n in range(count):
        rows.append(
            {
                "certificate_number": f"GZ-2026-{n:06d}",
                "student_name": surnames[n % 10] + given[(n // 10) % 10],
                "student_id": f"2022{n:06d}",
                "institution": "South China University of Technology (华南理工大学)",
                "degree": "Bachelor of Engineering",
                "major": majors[n % len(majors)],
                "admission_date": "2022-09-01",
                "graduation_date": "2026-06-30",
            }
        )
    if count > PRESENTER:
        rows[PRESENTER]["student_name"] = "Chen Xiaoming (陈晓明)"
    return rows


def _write_records(path: Path) -> None:
    rows = _records(GRADUATES)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _issue_raw(rt: Runtime, store: str, agency: str, root: bytes) -> Receipt:
    contract = rt.gateway.contract("DocumentStore", store)
    return rt.gateway.transact(contract.functions.issue(root), rt.keys.signer(agency))


def _forged_certificate(rt: Runtime, template: Any) -> dict[str, Any]:
    """A certificate claiming the bureau's domain, anchored on a store under the forger's own consortium."""
    forger = Account.create()
    gateway = rt.gateway
    members = [
        (
            forger.address,
            "Guangzhou Education Bureau",
            "jyj.gz.gov.cn",
            [Role.GOVERNOR.id, Role.CERT_ISSUER.id],
        )
    ]
    fake_consortium, _ = gateway.deploy("Consortium", forger, members, 1, 86_400)
    fake_store, _ = gateway.deploy(
        "DocumentStore", forger, fake_consortium, forger.address, "Guangzhou Education Bureau"
    )
    data, _ = template.document_for(_records(1)[0] | {"certificate_number": "GZ-2026-999999"})
    issuer = issuer_entry("Guangzhou Education Bureau", fake_store, "jyj.gz.gov.cn")
    document = wrap_document(with_issuer(data, issuer, gateway.chain_id))
    root = bytes.fromhex(document["signature"]["merkleRoot"])
    gateway.transact(gateway.contract("DocumentStore", fake_store).functions.issue(root), forger)
    return document


def _wrapped_by_npm(rt: Runtime, template: Any, store: str) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not OA_PACKAGE.is_dir():
        raise ScenarioFailed(
            "this step needs node and @govtechsg/open-attestation: run `npm ci` (make demo does)"
        )
    member = rt.consortium().member(BUREAU)
    issuer = issuer_entry(member.name, store, member.domain)
    documents = []
    for row in _records(3):
        row["certificate_number"] = row["certificate_number"].replace("GZ-2026", "GZ-NPM-2026")
        data, _ = template.document_for(row)
        documents.append(with_issuer(data, issuer, rt.gateway.chain_id))
    completed = subprocess.run(
        [node, str(NPM_WRAP)],
        input=json.dumps(documents),
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise ScenarioFailed(f"OpenAttestation's npm library failed: {completed.stderr.strip()[:300]}")
    return json.loads(completed.stdout)


def _read(path: Path) -> dict[str, Any]:
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))


def _proof(receipt: Receipt) -> str:
    return f"tx {receipt.tx_hash[:18]}… in block {receipt.block_number}, gas {receipt.gas_used:,}"


if __name__ == "__main__":
    main_for(__name__)
