"""OpenAttestation's own npm library and gzchain, in the anchored setting: what one wraps the other issues,
verifies and presents."""

from __future__ import annotations

import json

import pytest
from support.certificates import (
    HAVE_OA_NPM,
    OA_PACKAGE,
    ROOT,
    graduate,
    graduation_data,
    run_oa_npm,
    write_csv,
)

from gzchain.bootstrap import Runtime
from gzchain.domain.certificates.verification import Check, Status
from gzchain.domain.oa import get_data
from gzchain.services.certificates import Wallet
from gzchain.services.certificates.bulk import LINES_FILE
from gzchain.services.certificates.lines import read_line
from gzchain.services.certificates.templates import load_template

pytestmark = pytest.mark.skipif(
    not HAVE_OA_NPM, reason=f"needs node on PATH and {OA_PACKAGE.relative_to(ROOT)} (npm ci)"
)

EDU = "gz-edu"


def test_certificates_wrapped_by_npm_and_anchored_by_the_bureau_verify(runtime: Runtime):
    [wrapped] = run_oa_npm([{"action": "wrapBatch", "documents": graduation_data(runtime, 3)}])
    service = runtime.certificates()
    batch = service.anchor(EDU, wrapped, label="open-attestation-npm")
    assert batch.merkle_root.hex() == wrapped[0]["signature"]["merkleRoot"]
    for document in wrapped:
        verdict = service.verify(document)
        assert verdict.valid, verdict.summary
    [obfuscated_by_npm] = run_oa_npm(
        [{"action": "obfuscate", "document": wrapped[1], "fields": ["recipient.studentId", "major"]}]
    )
    assert service.verify(obfuscated_by_npm).valid


def test_certificates_wrapped_by_npm_but_not_anchored_are_not_issued(runtime: Runtime):
    [wrapped] = run_oa_npm([{"action": "wrapBatch", "documents": graduation_data(runtime, 2)}])
    verdict = runtime.certificates().verify(wrapped[0])
    assert verdict.fragment(Check.INTEGRITY).status is Status.VALID
    assert verdict.fragment(Check.STATUS).status is Status.INVALID


def assert_npm_verifies_and_reads_as_gzchain(documents: list[dict]) -> None:
    """OA's npm library verifies and schema-validates every document and reads the data gzchain reads."""
    requests = [
        {"action": action, "document": document}
        for document in documents
        for action in ("verifySignature", "validateSchema", "getData")
    ]
    answers = run_oa_npm(requests)
    for index, document in enumerate(documents):
        verified, valid_schema, data = answers[3 * index : 3 * index + 3]
        assert (verified, valid_schema) == (True, True)
        assert data == get_data(document)


def test_npm_verifies_validates_and_reads_what_gzchain_issued_and_presented(runtime: Runtime, tmp_path):
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(4)])
    template = load_template("graduation-certificate")
    runtime.certificates().issue_batch(EDU, template, records, tmp_path / "issued")
    wallet = Wallet(tmp_path / "wallet")
    entry = wallet.add(tmp_path / "issued" / "GZ-2026-000002.json")
    presentation = wallet.present(entry.id, ["recipient.name", "degree", "graduationDate"])
    issued = [tmp_path / "issued" / f"GZ-2026-{n:06d}.json" for n in range(4)]
    documents = [*(json.loads(path.read_text(encoding="utf-8")) for path in issued), presentation]
    assert_npm_verifies_and_reads_as_gzchain(documents)


def test_npm_verifies_a_certificate_taken_out_of_a_json_lines_batch(runtime: Runtime, tmp_path):
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(5)])
    template = load_template("graduation-certificate")
    batch = runtime.certificates().issue_batch(
        EDU, template, records, tmp_path / "issued", output_format="jsonl"
    )
    documents = [read_line(tmp_path / "issued" / LINES_FILE, number) for number in (1, 4, 5)]
    requests = [
        {"action": action, "document": document}
        for document in documents
        for action in ("verifySignature", "validateSchema")
    ]
    assert run_oa_npm(requests) == [True] * 6
    assert {d["signature"]["merkleRoot"] for d in documents} == {batch.merkle_root.hex()}


def test_npm_verifies_and_reads_certificates_wrapped_by_shape_with_tricky_values(runtime: Runtime, tmp_path):
    # A batch is wrapped by shape (gzchain.domain.oa.shape): escapes, non-ASCII and an empty optional field
    # (a second shape) must come out as OA reads them.
    rows = [
        graduate(0, student_name='陈 "晓明" \\ 🎓', major="Software\tEngineering"),
        graduate(1, admission_date=""),
        graduate(2, institution="Université de Canton / 广州大学"),
    ]
    template = load_template("graduation-certificate")
    records = write_csv(tmp_path / "class.csv", rows)
    runtime.certificates().issue_batch(EDU, template, records, tmp_path / "issued", output_format="jsonl")
    documents = [read_line(tmp_path / "issued" / LINES_FILE, number) for number in (1, 2, 3)]
    assert_npm_verifies_and_reads_as_gzchain(documents)
    assert "admissionDate" not in documents[1]["data"] and documents[0]["data"]["recipient"]["name"].endswith(
        ':string:陈 "晓明" \\ 🎓'
    )
