"""`gzchain cert` and `gzchain wallet` end to end, and the e-certificates scenario, on the persistent
embedded chain and on anvil."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.certificates import HAVE_OA_NPM, ROOT, graduate, write_csv, write_json
from typer.testing import CliRunner

from gzchain.cli import app
from gzchain.domain.certificates.templates import issuer_entry
from gzchain.domain.oa import wrap_documents

WIDE = {"COLUMNS": "300"}


@pytest.fixture
def cli(isolated_env):
    runner = CliRunner(env=WIDE)

    def run(*args: str, expect: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == expect, result.output + (
            repr(result.exception) if result.exception else ""
        )
        return result.output

    return run


@pytest.fixture(params=["embedded", "anvil"])
def chain_args(request) -> list[str]:
    if request.param == "anvil":
        return ["--rpc-url", request.getfixturevalue("anvil").url]
    return []


def test_issue_present_verify_and_revoke_from_the_command_line(cli, chain_args, tmp_path: Path):
    args = chain_args
    cli(*args, "deploy")
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(25)])
    out = cli(
        *args,
        "cert",
        "issue",
        "--as",
        "gz-edu",
        "--template",
        "graduation-certificate",
        str(records),
        "--out",
        str(tmp_path / "issued"),
    )
    assert "issued 25 certificates (graduation-certificate) in one transaction" in out
    assert "anchoring the root in one transaction" in out
    assert "created the agency's document store" in out
    certificate = tmp_path / "issued" / "GZ-2026-000007.json"
    assert "✓ VALID" in cli(*args, "cert", "verify", str(certificate))

    wallet = ["wallet", "--wallet", str(tmp_path / "wallet")]
    assert "added" in cli(*args, *wallet, "add", str(certificate))
    listing = cli(*args, *wallet, "list")
    assert "GZ-2026-000007" in listing and "Guangzhou Education Bureau" in listing
    short_id = json.loads(certificate.read_text(encoding="utf-8"))["signature"]["targetHash"][:10]
    shown = cli(*args, *wallet, "show", short_id)
    assert "recipient.studentId" in shown and "always shown (verifiers need them): issuers" in shown
    presentation = tmp_path / "to-employer.json"
    cli(
        *args,
        *wallet,
        "present",
        short_id,
        "--reveal",
        "recipient.name",
        "--reveal",
        "degree",
        "--reveal",
        "graduationDate",
        "--out",
        str(presentation),
    )
    verdict = json.loads(cli(*args, "cert", "verify", "--json", str(presentation)))
    assert verdict["valid"] is True
    assert "studentId" not in presentation.read_text(encoding="utf-8")

    out = cli(
        *args,
        "cert",
        "revoke",
        "--as",
        "gz-edu",
        str(certificate),
        "--reason-code",
        "fraud",
        "--reason",
        "forged transcripts",
    )
    assert "revoked certificate 0x" in out and "for fraud: forged transcripts" in out
    out = cli(*args, "cert", "verify", str(presentation), expect=1)
    assert "✗ REVOKED" in out and "for fraud: forged transcripts" in out
    verdict = json.loads(cli(*args, "cert", "verify", "--json", str(presentation), expect=1))
    assert (
        verdict["revocation"]["reason"] == "fraud" and verdict["revocation"]["text"] == "forged transcripts"
    )

    batch = json.loads((tmp_path / "issued" / "batch.json").read_text(encoding="utf-8"))
    out = cli(
        *args,
        "cert",
        "revoke",
        "--as",
        "gz-edu",
        batch["merkleRoot"],
        "--reason-code",
        "withdrawn",
        "--reason",
        "ceremony cancelled",
    )
    assert "revoked batch 0x" + batch["merkleRoot"] in out
    assert batch["merkleRoot"] in cli(*args, "cert", "batches", "--as", "gz-edu")


def test_a_bad_record_exits_2_naming_row_and_field_and_issues_nothing(cli, tmp_path: Path):
    cli("deploy")
    rows = [graduate(n) for n in range(10)]
    rows[3]["student_id"] = "no spaces allowed"
    records = write_json(tmp_path / "class.json", rows)
    out = cli(
        "cert",
        "issue",
        "--as",
        "gz-edu",
        "--template",
        "graduation-certificate",
        str(records),
        "--out",
        str(tmp_path / "issued"),
        expect=2,
    )
    assert "row 4, student_id:" in out and "nothing was issued" in out
    assert not (tmp_path / "issued").exists()
    assert "Merkle root" in cli("cert", "batches") and "graduation-certificate" not in cli("cert", "batches")


def test_a_batch_issued_as_json_lines_gives_up_each_certificate_by_its_line(cli, tmp_path: Path):
    cli("deploy")
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(12)])
    issue = ["cert", "issue", "--as", "gz-edu", "--template", "graduation-certificate", str(records)]
    out = cli(*issue, "--out", str(tmp_path / "issued"), "--output-format", "jsonl")
    lines = tmp_path / "issued" / "certificates.jsonl"
    assert "issued 12 certificates" in out and f"wrapped certificates in {lines}" in out
    verified = cli("cert", "verify", str(lines), "--line", "8")
    assert "certificates.jsonl line 8" in verified and "✓ VALID" in verified
    single = tmp_path / "GZ-2026-000007.json"
    cli("cert", "extract", str(lines), "--line", "8", "--out", str(single))
    assert json.loads(single.read_text(encoding="utf-8"))["data"]["id"].endswith("GZ-2026-000007")
    assert "✓ VALID" in cli("cert", "verify", str(single))
    assert "added" in cli("wallet", "--wallet", str(tmp_path / "wallet"), "add", str(single))
    assert "fewer than 13 lines" in cli("cert", "extract", str(lines), "--line", "13", expect=2)
    assert "fewer than 99 lines" in cli("cert", "verify", str(lines), "--line", "99", expect=2)
    assert "'xml' is not one of" in cli(
        *issue, "--out", str(tmp_path / "x"), "--output-format", "xml", expect=2
    )
    assert not (tmp_path / "x").exists()


def test_an_agency_that_is_no_certificate_issuer_is_refused_with_exit_5(cli, tmp_path: Path):
    cli("deploy")
    out = cli("cert", "create-store", "--as", "gz-msa", expect=5)
    assert "ConsortiumMissingRole" in out and "role=CERT_ISSUER" in out
    assert "created for gz-edu" in cli("cert", "create-store", "--as", "gz-edu")
    assert "already issues from document store" in cli("cert", "create-store", "--as", "gz-edu")


def test_obfuscate_hides_fields_and_the_result_still_verifies(cli, tmp_path: Path):
    cli("deploy")
    records = write_csv(tmp_path / "class.csv", [graduate(1)])
    cli(
        "cert",
        "issue",
        "--as",
        "gz-edu",
        "--template",
        "graduation-certificate",
        str(records),
        "--out",
        str(tmp_path / "issued"),
    )
    hidden = tmp_path / "hidden.json"
    cli(
        "cert",
        "obfuscate",
        str(tmp_path / "issued" / "GZ-2026-000001.json"),
        "recipient.studentId",
        "major",
        "--out",
        str(hidden),
    )
    assert len(json.loads(hidden.read_text(encoding="utf-8"))["privacy"]["obfuscatedData"]) == 2
    assert "✓ VALID" in cli("cert", "verify", str(hidden))
    out = cli("cert", "obfuscate", str(hidden), "recipient.name", expect=2)
    assert "would leave an empty object" in out


def test_wallet_mistakes_exit_with_the_usual_codes(cli, tmp_path: Path):
    wallet = ["wallet", "--wallet", str(tmp_path / "wallet")]
    assert "no certificate" in cli(*wallet, "show", "abcdef", expect=3)
    (tmp_path / "note.json").write_text("[]", encoding="utf-8")
    assert "a certificate is a JSON object" in cli(*wallet, "add", str(tmp_path / "note.json"), expect=2)


def test_the_templates_command_lists_each_templates_fields(cli):
    out = cli("cert", "templates")
    for expected in ("graduation-certificate", "vocational-qualification", "business-licence", "uscc"):
        assert expected in out


@pytest.mark.skipif(not HAVE_OA_NPM, reason="the scenario's last step needs node and npm ci")
@pytest.mark.parametrize("lane", ["embedded", "anvil"])
def test_the_e_certificates_scenario_runs_green_alone(lane: str, request, isolated_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GZCHAIN_")}
    if lane == "anvil":
        env["GZCHAIN_RPC_URL"] = request.getfixturevalue("anvil").url
        env["GZCHAIN_DATA_DIR"] = str(isolated_env / "data")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scenarios" / "e_certificates.py")],
        capture_output=True,
        encoding="utf-8",
        env={**env, **WIDE},
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "✓ Electronic certificates" in completed.stdout
    assert "fails issuer identity" in completed.stdout and "shows REVOKED" in completed.stdout


def test_anchor_issues_the_root_of_certificates_wrapped_elsewhere(cli, tmp_path: Path):
    cli("deploy")
    out = cli("cert", "create-store", "--as", "gz-edu")
    store = re.search(r"document store (0x[0-9a-fA-F]{40}) created", out).group(1)
    issuer = issuer_entry("Guangzhou Education Bureau", store, "jyj.gz.gov.cn")
    files = []
    for n, document in enumerate(wrap_documents([{"issuers": [issuer], "serial": n} for n in range(2)])):
        files.append(write_json(tmp_path / f"external-{n}.json", document))
    assert "was never issued" in cli("cert", "verify", str(files[0]), expect=1)
    out = cli("cert", "anchor", "--as", "gz-edu", *map(str, files))
    assert "issued batch" in out and "2 certificate(s) given" in out
    assert "✓ VALID" in cli("cert", "verify", str(files[1]))
