"""`gzchain business` end to end, and the business registration scenario, embedded and on anvil."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gzchain.cli import app

WIDE = {"COLUMNS": "250"}
USCC = "91440112MA9Y3K2P2J"
LEGAL_REP_ID = "44011219880808123X"  # fictitious: its GB 11643 check digit is deliberately wrong


def a_record(**changes: Any) -> dict[str, Any]:
    record = {
        "uscc": USCC,
        "name": "广州黄埔示例智能科技有限公司",
        "legal_representative": {"name": "林晓峰", "id_number": LEGAL_REP_ID},
        "registered_capital": {"amount": "10000000.00"},
        "address": "广州市黄埔区科学大道1号",
        "business_scope": "人工智能应用软件开发",
        "shareholders": [
            {
                "name": "林晓峰",
                "kind": "natural_person",
                "identifier": LEGAL_REP_ID,
                "contribution": {"amount": "10000000.00"},
            }
        ],
        "establishment_date": "2025-03-18",
    }
    return {**record, **changes}


@pytest.fixture
def cli(deployed_cli):
    return deployed_cli


@pytest.fixture
def files(isolated_env: Path):
    def write(name: str, content: bytes | dict[str, Any]) -> str:
        path = isolated_env / name
        data = json.dumps(content, ensure_ascii=False).encode() if isinstance(content, dict) else content
        path.write_bytes(data)
        return str(path)

    return write


def test_register_notarise_amend_and_look_up_a_business(cli, files):
    out = cli("business", "register", "--as", "gz-msa", files("record.json", a_record()))
    assert f"{USCC} version 1: registered" in out and "tx 0x" in out and "in block" in out
    articles = files("articles.txt", "公司章程\n第一条 ……\n".encode())
    out = cli(
        "business", "notarise", "--as", "gz-notary", USCC, articles, "--type", "articles-of-association"
    )
    assert "notarised articles.txt (articles of association)" in out and "tx 0x" in out
    raised = a_record(registered_capital={"amount": "30000000"})
    out = cli("business", "amend", "--as", "gz-msa", files("raised.json", raised))
    assert f"{USCC} version 2: amended: capital" in out

    out = cli("business", "show", USCC)
    assert "广州黄埔示例智能科技有限公司" in out and "status active" in out
    assert "registered capital 30000000.00 CNY" in out
    assert "4401************3X" in out and LEGAL_REP_ID not in out, "the public sees no ID numbers"
    assert "amended: capital" in out and "articles of association" in out
    assert "shareholder 林** (4401" in out, "a natural-person shareholder's name is not public"
    assert "salted" in out and "legacy" not in out
    assert "✓ every stored version and filing matches the chain" in out


def test_a_file_verifies_byte_for_byte_and_shows_its_revocation(cli, files):
    cli("business", "register", "--as", "gz-msa", files("record.json", a_record()))
    original = files("licence.pdf", b"%PDF-1.7 business licence " + USCC.encode())
    altered = files("altered.pdf", b"%PDF-1.7 business licence " + USCC.encode()[:-1] + b"K")
    cli("business", "notarise", "--as", "gz-msa", USCC, original, "--type", "business-licence")

    out = cli("business", "verify-file", original)
    assert "✓ notarised" in out and "business licence of 广州黄埔示例智能科技有限公司" in out
    assert "by Guangzhou Market Supervision Administration" in out
    assert "was never notarised" in cli("business", "verify-file", altered, expect=1)

    out = cli(
        "business", "revoke-notarisation", "--as", "gz-msa", original,
        "--reason-code", "superseded", "--reason", "licence reissued",
    )  # fmt: skip
    assert "revoked the notarisation" in out
    out = cli("business", "verify-file", original, expect=1)
    assert "notarised, then revoked" in out and "superseded: licence reissued ✓ verified" in out


def test_the_status_lifecycle_and_amendments_refused_after_deregistration(cli, files):
    cli("business", "register", "--as", "gz-msa", files("record.json", a_record()))
    out = cli(
        "business", "status", "suspend", USCC, "--as", "gz-msa",
        "--reason-code", "unreachable-at-address", "--reason", "cannot be contacted",
    )  # fmt: skip
    assert "version 2: suspended" in out
    shown = cli("business", "show", USCC)
    assert "suspended (listed for abnormal operations)" in shown
    assert "unreachable at address: cannot be contacted ✓ verified" in " ".join(shown.split())
    assert "version 3: reinstated" in cli(
        "business", "status", "reinstate", USCC, "--as", "gz-msa",
        "--reason-code", "reachable-again", "--reason", "reachable again",
    )  # fmt: skip
    cli(
        "business", "status", "deregister", USCC, "--as", "gz-msa",
        "--reason-code", "voluntary-dissolution", "--reason", "dissolved",
    )  # fmt: skip
    out = cli(
        "business",
        "amend",
        "--as",
        "gz-msa",
        files("renamed.json", a_record(name="新名称有限公司")),
        expect=5,
    )
    assert f"BusinessRegistryDeregistered(uscc={USCC})" in out


def test_refusals_and_bad_input_exit_with_the_documented_codes(cli, files):
    out = cli("business", "register", "--as", "gz-notary", files("record.json", a_record()), expect=5)
    assert "ConsortiumMissingRole" in out and "role=REGISTRAR" in out
    out = cli(
        "business",
        "register",
        "--as",
        "gz-msa",
        files("bad.json", a_record(uscc="91440101MA59A1B2C3")),
        expect=2,
    )
    assert "uscc: position 17 is 'C', the GB 11714 check character should be '8'" in out
    assert "is not a UTF-8 JSON file" in cli(
        "business", "register", "--as", "gz-msa", files("x.json", b"{"), expect=2
    )
    cli("business", "register", "--as", "gz-msa", str(Path("no-such-file.json")), expect=2)
    out = cli(
        "business", "notarise", "--as", "gz-notary", USCC, files("a.txt", b"a"), "--type", "poem", expect=2
    )
    assert "document_type: unknown document type 'poem'" in out
    assert f"no business with USCC {USCC}" in cli("business", "show", USCC, expect=3)
    out = cli(
        "business", "status", "suspend", USCC, "--as", "gz-msa", "--reason-code", "other", "--reason", " ",
        expect=2,
    )  # fmt: skip
    assert "reason: is required" in out
    out = cli(
        "business", "status", "suspend", USCC, "--as", "gz-msa", "--reason-code", "bribery", "--reason", "x",
        expect=2,
    )  # fmt: skip
    assert "reason_code: unknown reason code 'bribery' to suspend" in out


def test_show_exits_1_when_a_stored_record_was_altered(cli, files, isolated_env: Path):
    cli("business", "register", "--as", "gz-msa", files("record.json", a_record()))
    with sqlite3.connect(isolated_env / "data" / "store.sqlite") as db:
        db.execute(
            "UPDATE business_versions SET public_record = json_set(public_record, '$.address', '别处')"
        )
    out = cli("business", "show", USCC, expect=1)
    assert "✗ the store disagrees with the chain" in out
    assert "version 1: the stored record does not match the hash on chain" in out


@pytest.mark.parametrize("lane", ["embedded", "anvil"])
def test_the_scenario_runs_green_on_its_own(lane: str, run_scenario_alone):
    stdout = run_scenario_alone("business_registration.py", lane)
    assert "✓ Business registration" in stdout
    assert "refused: BusinessRegistryInvalidUscc" in stdout
    assert "amendments of a deregistered company are refused" in stdout


def test_the_demo_runs_the_business_registration_scenario_green(isolated_env: Path):
    # The demo's exit code answers for every scenario (tests/e2e/test_cli.py); this one answers for ours.
    output = CliRunner(env=WIDE).invoke(app, ["demo"]).output
    assert "✓ Business registration" in output
    assert "✗ Business registration" not in output


def test_a_registrar_erases_a_deregistered_business_s_personal_data_and_show_says_so(cli, files):
    cli("business", "register", "--as", "gz-msa", files("record.json", a_record()))
    refused = cli("business", "erase-personal-data", USCC, "--as", "gz-msa", expect=6)
    assert "only a deregistered business" in refused
    cli(
        "business", "status", "deregister", USCC, "--as", "gz-msa",
        "--reason-code", "voluntary-dissolution", "--reason", "dissolved",
    )  # fmt: skip
    denied = cli("business", "erase-personal-data", USCC, "--as", "gz-notary", expect=4)
    assert "not an active registrar" in denied
    out = cli("business", "erase-personal-data", USCC, "--as", "gz-msa")
    assert f"erased the personal data of {USCC} (versions: 1, 2)" in out
    shown = cli("business", "show", USCC)
    assert "personal data erased" in shown and "Guangzhou Market Supervision" in shown
    assert "广州黄埔示例智能科技有限公司" in shown and "林晓峰" not in shown
    assert LEGAL_REP_ID[:4] + "*" not in shown and LEGAL_REP_ID not in shown
    assert "✓ every stored version and filing matches the chain" in shown
