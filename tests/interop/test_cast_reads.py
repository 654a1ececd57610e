"""Foundry's `cast` reading gzchain's contracts on a real anvil node, checked against what gzchain's CLI and
API say about the same state: anyone with an RPC endpoint and the interfaces in contracts/interfaces/ can
audit gzchain without trusting its code, its store or its ABI files."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, AnvilNode
from fastapi.testclient import TestClient
from support.certificates import graduate, graduation_data, write_csv
from support.records import USCC, a_record
from typer.testing import CliRunner

from gzchain.api.app import create_app
from gzchain.bootstrap import Runtime, open_runtime
from gzchain.cli import app
from gzchain.domain.oa import wrap_documents
from gzchain.domain.reasons import RecallReason
from gzchain.settings import Settings

CAST = ROOT / "node_modules" / "@foundry-rs" / "cast-linux-amd64" / "bin" / "cast"
GTIN = "07891234000019"
RECALLED_LOT, KEPT_LOT = "CAST-R-1", "CAST-K-1"
EDU = "gz-edu"
CERTIFICATES = 4
REVOKED = 2  # the index of the one certificate revoked on its own

# The enum orders of contracts/interfaces: cast prints enums as their uint8.
BUSINESS_ACTIVE = 1  # IBusinessRegistry.BusinessStatus.Active
# IColdChainTrace.BatchStatus in its declared order, in the API's snake_case.
BATCH_STATUS = ("none", "awaiting_clearance", "cleared", "flagged", "recalled", "split", "destroyed")
BUSINESS = "business(bytes18)((bytes32,address,uint64,uint32,uint64,uint8))"
VERSIONS = "versions(bytes18)((bytes32,address,uint16,uint64,uint8,bytes32)[])"
RECALL_OF = "recallOf(bytes32)((address,uint64,uint8,bytes32),bytes32)"

pytestmark = [
    pytest.mark.rpc,
    pytest.mark.skipif(not CAST.exists(), reason="needs npm ci's @foundry-rs/cast-linux-amd64"),
]


@dataclass
class Chain:
    url: str
    cli: Any  # run(*args, expect=0) -> output of `gzchain --rpc-url URL *args`
    api: TestClient
    runtime: Runtime
    work: Path

    def run_cast(self, *args: str, offline: bool = False) -> subprocess.CompletedProcess[str]:
        """Runs cast: on the node, or `offline` for its encoding helpers (which take no --rpc-url)."""
        return subprocess.run(
            [str(CAST), *args, *([] if offline else ["--rpc-url", self.url])],
            capture_output=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )

    def cast(self, *args: str, offline: bool = False) -> str:
        completed = self.run_cast(*args, offline=offline)
        assert completed.returncode == 0, completed.stderr[-2000:]
        return completed.stdout.strip()

    def call(self, address: str, signature: str, *args: str) -> Any:
        """`cast call --json`: the decoded return values, as cast prints them."""
        return json.loads(self.cast("call", "--json", address, signature, *args))

    def logs(self, address: str, event: str) -> list[dict[str, Any]]:
        """`cast logs --json`: every log of `event` the contract at `address` emitted since genesis."""
        return json.loads(self.cast("logs", "--json", "--from-block", "0", "--address", address, event))

    def contract(self, name: str) -> str:
        """An address from the deployment manifest gzchain wrote into its data folder."""
        [manifest] = (self.work / "data" / "deployments").glob("*.json")
        return json.loads(manifest.read_text(encoding="utf-8"))["contracts"][name]["address"]


def tuple_fields(value: Any) -> list[str]:
    """A tuple as `cast call --json` gives it (a JSON array), its fields as strings."""
    assert isinstance(value, list), value
    return [str(field) for field in value]


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    """One anvil; gzchain deployed and the state made only through gzchain's own command line."""
    work = tmp_path_factory.mktemp("cast-reads")
    node = AnvilNode().start()
    # No GZCHAIN_ setting leaks in from the shell; CliRunner restores the environment after each run.
    env = {key: None for key in os.environ if key.startswith("GZCHAIN_")}
    runner = CliRunner(env={**env, "COLUMNS": "250", "GZCHAIN_DATA_DIR": str(work / "data")})

    def run(*args: str, expect: int = 0) -> str:
        result = runner.invoke(app, ["--rpc-url", node.url, *args])
        assert result.exit_code == expect, result.output + (
            repr(result.exception) if result.exception else ""
        )
        return result.output

    def write(name: str, content: Any) -> str:
        (work / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        return str(work / name)

    run("deploy")
    run("business", "register", "--as", "gz-msa", write("record.json", a_record()))
    raised = a_record(registered_capital={"amount": "3000000.00", "currency": "CNY"})
    assert f"{USCC} version 2: amended" in run(
        "business", "amend", "--as", "gz-msa", write("v2.json", raised)
    )
    for lot in (RECALLED_LOT, KEPT_LOT):
        run(
            "coldchain", "create", "--as", "nansha-importer", "--gtin", GTIN, "--lot", lot,
            "--quantity", "24000", "--origin", "BR", "--min", "-30.0", "--max", "-18.0",
        )  # fmt: skip
    run(
        "coldchain", "recall", "--as", "gz-msa", RECALLED_LOT,
        "--reason-code", "temperature-abuse", "--reason", "reefer failure on the quay",
    )  # fmt: skip
    records = write_csv(work / "class.csv", [graduate(n) for n in range(CERTIFICATES)])
    issue = ["cert", "issue", "--as", EDU, "--template", "graduation-certificate", str(records)]
    assert f"issued {CERTIFICATES} certificates" in run(*issue, "--out", str(work / "issued"))
    out = run(
        "cert", "revoke", "--as", EDU, str(work / "issued" / f"GZ-2026-{REVOKED:06d}.json"),
        "--reason-code", "fraud", "--reason", "forged transcript",
    )  # fmt: skip
    assert "revoked certificate 0x" in out

    runtime = open_runtime(Settings(data_dir=work / "data", rpc_url=node.url))
    yield Chain(node.url, run, TestClient(create_app(runtime), raise_server_exceptions=False), runtime, work)
    runtime.close()
    node.stop()


def uscc_bytes18(chain: Chain) -> str:
    """The USCC as the contract's bytes18, by cast itself: its 18 ASCII characters."""
    return chain.cast("from-utf8", USCC, offline=True)


def lot_id(chain: Chain, lot: str) -> str:
    """A lot's bytes32 batch id, by cast itself: keccak256 of its GS1 Digital Link URI."""
    return chain.cast("keccak", f"https://id.gs1.org/01/{GTIN}/10/{lot}", offline=True)


def certificate(chain: Chain, n: int) -> tuple[Path, dict[str, Any]]:
    path = chain.work / "issued" / f"GZ-2026-{n:06d}.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_the_registry_holds_the_latest_version_and_commitment_that_the_cli_and_api_show(chain):
    registry = chain.contract("BusinessRegistry")
    [business] = chain.call(registry, BUSINESS, uscc_bytes18(chain))
    record_hash, registrar, _registered_at, version, _updated_at, status = tuple_fields(business)
    assert (int(version), int(status)) == (2, BUSINESS_ACTIVE)
    assert registrar.lower() == chain.runtime.keys.address("gz-msa").lower()

    shown = chain.cli("business", "show", USCC)
    assert f"current record hash {record_hash} (version 2)" in shown
    body = chain.api.get(f"/businesses/{USCC}").json()
    assert body["status"] == "active" and body["verified"] is True
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert body["versions"][-1]["record_hash"] == record_hash

    # Every version's commitment, as BusinessRegistry.versions() holds it, is the API's record_hash.
    [versions] = chain.call(registry, VERSIONS, uscc_bytes18(chain))
    on_chain = [version[0] for version in versions]
    assert on_chain == [v["record_hash"] for v in body["versions"]]
    assert on_chain[0] != on_chain[1], "the amendment changed the commitment"

    # The events say the same: BusinessAmended carries version 2 and the latest commitment.
    [amended] = chain.logs(registry, "BusinessAmended(bytes18 indexed,address indexed,uint32,bytes32,uint16)")
    assert amended["topics"][1] == uscc_bytes18(chain).ljust(66, "0")
    decoded = chain.cast(
        "abi-decode", "--input", "f(uint32,bytes32,uint16)", amended["data"], offline=True
    ).split("\n")
    assert decoded[:2] == ["2", record_hash]


def test_an_unregistered_business_is_absent_on_chain_and_not_found_by_gzchain(chain):
    other = "914403001922038216"
    completed = chain.run_cast(
        "call", chain.contract("BusinessRegistry"), BUSINESS, chain.cast("from-utf8", other, offline=True)
    )
    unknown = chain.cast("sig", "BusinessRegistryUnknownBusiness(bytes18)", offline=True)
    assert completed.returncode != 0 and f"custom error {unknown}" in completed.stderr, completed.stderr
    assert chain.api.get(f"/businesses/{other}").status_code == 404


def test_a_recalled_batch_reads_recalled_with_its_reason_on_chain_as_in_the_cli_and_api(chain):
    trace = chain.contract("ColdChainTrace")
    recalled = lot_id(chain, RECALLED_LOT)
    [status] = chain.call(trace, "status(bytes32)(uint8)", recalled)
    assert BATCH_STATUS[int(status)] == "recalled"
    recall, recalled_batch = chain.call(trace, RECALL_OF, recalled)
    assert recalled_batch == recalled
    assert int(recall[2]) == RecallReason.TEMPERATURE_ABUSE and int(recall[1]) > 0
    assert recall[0].lower() == chain.runtime.keys.address("gz-msa").lower()
    [batch] = chain.call(
        trace,
        "batch(bytes32)((bytes32,address,uint8,bool,bool,bool,bool,address,uint64,bytes3,uint128,bytes2))",
        recalled,
    )
    assert batch[3:6] == [False, False, True]  # not split, not destroyed, recalled

    out = chain.cli("coldchain", "trace", RECALLED_LOT)
    assert "status recalled" in out and "reefer failure on the quay" in out
    body = chain.api.get(f"/coldchain/batches/{RECALLED_LOT}/trace").json()
    assert body["status"] == BATCH_STATUS[int(status)]
    # The chain holds the code and the salted hash; the words come from the store, verified against it.
    assert body["recall"]["reason"] == "reefer failure on the quay"
    detail = body["recall"]["reason_detail"]
    assert (detail["code"], detail["verified"], detail["reason_hash"]) == (
        "temperature-abuse",
        True,
        recall[3],
    )

    # The recall event names the batch id cast computed from the lot's URI.
    logs = chain.logs(trace, "ColdChainRecallOrdered(bytes32 indexed,address indexed,uint8,bytes32)")
    assert [log["topics"][1] for log in logs] == [recalled]


def test_a_batch_that_was_not_recalled_reads_awaiting_clearance_everywhere(chain):
    trace = chain.contract("ColdChainTrace")
    kept = lot_id(chain, KEPT_LOT)
    [status] = chain.call(trace, "status(bytes32)(uint8)", kept)
    assert BATCH_STATUS[int(status)] == "awaiting_clearance"
    recall, recalled_batch = chain.call(trace, RECALL_OF, kept)
    assert recalled_batch == "0x" + "00" * 32 and [int(recall[1]), int(recall[2])] == [0, 0]
    assert recall[3] == "0x" + "00" * 32
    out = chain.cli("coldchain", "trace", KEPT_LOT)
    assert "status awaiting clearance" in out and "recalled" not in out
    body = chain.api.get(f"/coldchain/batches/{KEPT_LOT}/trace").json()
    assert body["status"] == BATCH_STATUS[int(status)]
    assert body["recall"] is None


def test_the_document_store_has_the_batch_issued_and_only_the_revoked_certificate_revoked(chain):
    factory = chain.contract("DocumentStoreFactory")
    [store] = chain.call(factory, "storeOf(address)(address)", chain.runtime.keys.address(EDU))
    _path, first = certificate(chain, 0)
    assert first["data"]["issuers"][0]["documentStore"].rsplit(":", 1)[-1].lower() == store.lower()
    root = "0x" + first["signature"]["merkleRoot"]
    assert chain.call(store, "isIssued(bytes32)(bool)", root) == [True]
    assert chain.call(store, "isRevoked(bytes32)(bool)", root) == [False]

    for n in range(CERTIFICATES):
        path, document = certificate(chain, n)
        assert "0x" + document["signature"]["merkleRoot"] == root, "one batch, one root"
        target = "0x" + document["signature"]["targetHash"]
        [revoked] = chain.call(store, "isRevoked(bytes32)(bool)", target)
        assert revoked is (n == REVOKED)
        verdict = json.loads(chain.cli("cert", "verify", "--json", str(path), expect=1 if revoked else 0))
        assert verdict["valid"] is not revoked
        api = chain.api.post("/certificates/verify", json=document)
        assert api.status_code == 200 and api.json()["valid"] is not revoked
        assert (api.json()["revocation"] is not None) is revoked

    # OpenAttestation's events: one DocumentIssued for the root, one DocumentRevoked for the one certificate.
    issued = chain.logs(store, "DocumentIssued(bytes32 indexed)")
    assert [log["topics"][1] for log in issued] == [root]
    revoked_logs = chain.logs(store, "DocumentRevoked(bytes32 indexed)")
    _path, revoked_document = certificate(chain, REVOKED)
    assert [log["topics"][1] for log in revoked_logs] == ["0x" + revoked_document["signature"]["targetHash"]]


def test_an_intact_certificate_whose_root_was_never_issued_is_unknown_on_chain_and_invalid_in_gzchain(chain):
    [store] = chain.call(
        chain.contract("DocumentStoreFactory"), "storeOf(address)(address)", chain.runtime.keys.address(EDU)
    )
    # Wrapped for the agency's own store, but its root never anchored: only the status check can catch it.
    [document] = wrap_documents(graduation_data(chain.runtime, 1))
    never = "0x" + document["signature"]["merkleRoot"]
    assert chain.call(store, "isIssued(bytes32)(bool)", never) == [False]
    assert chain.call(store, "isRevoked(bytes32)(bool)", never) == [False]
    held = chain.work / "never-issued.json"
    held.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert json.loads(chain.cli("cert", "verify", "--json", str(held), expect=1))["valid"] is False
    api = chain.api.post("/certificates/verify", json=document).json()
    fragments = {f["name"]: f["status"] for f in api["fragments"]}
    assert api["valid"] is False
    assert (fragments["DOCUMENT_INTEGRITY"], fragments["DOCUMENT_STATUS"]) == ("VALID", "INVALID")
