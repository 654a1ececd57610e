"""Helpers the certificate suites share: records for the graduation template, and batches issued directly."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from gzchain.bootstrap import Runtime
from gzchain.domain.certificates.templates import issuer_entry, with_issuer
from gzchain.domain.oa import WrappedDocument, get_data, wrap_documents
from gzchain.services.certificates.templates import load_template

ROOT = Path(__file__).resolve().parents[2]
OA_PACKAGE = ROOT / "node_modules" / "@govtechsg" / "open-attestation"
OA_CLI = ROOT / "tests" / "unit" / "oa_npm" / "oa_cli.js"
NODE = shutil.which("node")
HAVE_OA_NPM = NODE is not None and OA_PACKAGE.is_dir()


# A record for each of the other two shipped templates.
QUALIFICATION = {
    "certificate_number": "HR-2026-0001",
    "holder_name": "黄雨桐",
    "id_number": "44010619850315456X",
    "occupation": "Electrician (电工)",
    "level": "Level 3 / Advanced (三级/高级工)",
    "assessment_date": "2026-03-01",
    "valid_from": "2026-03-15",
    "valid_until": "2031-03-14",
}
LICENCE = {
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
}


def graduate(n: int, **changes: str) -> dict[str, str]:
    record = {
        "certificate_number": f"GZ-2026-{n:06d}",
        "student_name": f"陈晓明{n}",
        "student_id": f"2022{n:06d}",
        "institution": "South China University of Technology",
        "degree": "Bachelor of Engineering",
        "major": "Software Engineering",
        "admission_date": "2022-09-01",
        "graduation_date": "2026-06-30",
    }
    return {**record, **changes}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def store_of(runtime: Runtime, agency: str) -> str:
    return runtime.certificates().create_store(agency).address


def graduation_data(
    runtime: Runtime,
    count: int,
    *,
    agency: str = "gz-edu",
    store: str | None = None,
    domain: str | None = None,
) -> list[dict[str, Any]]:
    """Data of `count` graduation certificates naming `agency` (with its store and domain unless given)."""
    member = runtime.consortium().member(agency)
    issuer = issuer_entry(member.name, store or store_of(runtime, agency), domain or member.domain)
    template = load_template("graduation-certificate")
    return [
        with_issuer(template.document_for(graduate(n))[0], issuer, runtime.gateway.chain_id)
        for n in range(count)
    ]


def issue(runtime: Runtime, documents: list[WrappedDocument], agency: str = "gz-edu") -> bytes:
    """Anchor the batch's root on the store its documents name, signed by `agency`."""
    root = bytes.fromhex(documents[0]["signature"]["merkleRoot"])
    store = get_data(documents[0])["issuers"][0]["documentStore"]
    contract = runtime.gateway.contract("DocumentStore", store)
    runtime.gateway.transact(contract.functions.issue(root), runtime.keys.signer(agency))
    return root


def issued_batch(runtime: Runtime, count: int = 4, agency: str = "gz-edu") -> list[WrappedDocument]:
    documents = wrap_documents(graduation_data(runtime, count, agency=agency))
    issue(runtime, documents, agency)
    return documents


def run_oa_npm(requests: list[dict[str, Any]]) -> list[Any]:
    """Answer requests with OA's own npm library through tests/unit/oa_npm/oa_cli.js; errors as strings."""
    assert NODE is not None
    completed = subprocess.run(
        [NODE, str(OA_CLI)],
        input=json.dumps({"requests": requests}),
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return [
        r["value"] if r["ok"] else f"error: {r['error']}" for r in json.loads(completed.stdout)["results"]
    ]
