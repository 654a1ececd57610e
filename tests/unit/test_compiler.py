"""The offline Solidity toolchain: solc resolution, the solc-js shim, reproducible artifacts."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from gzchain.chain import compiler
from gzchain.chain.artifacts import load_artifact

ROOT = Path(__file__).resolve().parents[2]


def fake_solc(folder: Path, version: str) -> Path:
    path = folder / "solc"
    path.write_text(
        f"#!/bin/sh\necho 'solc, the solidity compiler commandline interface'\necho 'Version: {version}'\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_the_shim_answers_version_like_native_solc():
    out = subprocess.run([str(compiler.SHIM), "--version"], capture_output=True, text=True, check=True).stdout
    assert f"Version: {compiler.SOLC_VERSION}+commit." in out


def test_the_shim_prints_pure_json_for_standard_json():
    source = (
        "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\ncontract A { function f() external {} }"
    )
    request = {
        "language": "Solidity",
        "sources": {"a.sol": {"content": source}},
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    out = subprocess.run(
        [str(compiler.SHIM), "--standard-json"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["contracts"]["a.sol"]["A"]["abi"][0]["name"] == "f"


def test_an_explicit_solc_of_another_version_is_refused(tmp_path: Path):
    with pytest.raises(compiler.CompilerUnavailable, match=r"is not version 0\.8\.28"):
        compiler.resolve_solc(fake_solc(tmp_path, "0.8.19+commit.7dd6d404"))


def test_a_solc_on_path_of_the_pinned_version_comes_before_the_shim(tmp_path: Path, monkeypatch):
    solc = fake_solc(tmp_path, f"{compiler.SOLC_VERSION}+commit.7893614a")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "no-solcx-installs"))
    assert compiler.resolve_solc() == compiler.ResolvedSolc(solc, "PATH")


def test_a_solc_on_path_of_another_version_is_skipped_for_the_shim(tmp_path: Path, monkeypatch):
    fake_solc(tmp_path, "0.7.6+commit.7338295f")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "no-solcx-installs"))
    assert compiler.resolve_solc().origin == "npm solc (solc-js shim)"


def test_no_solc_anywhere_is_a_clear_error(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "no-solcx-installs"))
    with pytest.raises(compiler.CompilerUnavailable, match=r"no solc 0\.8\.28 found"):
        compiler.resolve_solc(root=tmp_path)


def test_a_fresh_compile_reproduces_the_committed_artifacts_byte_for_byte():
    artifacts = compiler.compile_contracts()
    assert compiler.diff_artifacts(artifacts) == []


def test_artifacts_record_compiler_settings_and_source_hash():
    artifact = load_artifact("Consortium")
    assert artifact["compiler"]["version"].startswith(compiler.SOLC_VERSION)
    assert artifact["compiler"]["settings"]["evmVersion"] == "shanghai"
    source = (ROOT / artifact["sourceName"]).read_bytes()
    assert artifact["sourceHash"] == "0x" + hashlib.sha256(source).hexdigest()
    assert artifact["deployedBytecode"].startswith("0x60")


def test_a_compile_error_names_the_source(tmp_path: Path):
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Broken.sol").write_text(
        "pragma solidity 0.8.28; contract Broken { uint x = ; }"
    )
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    with pytest.raises(compiler.InvalidInput, match="ParserError"):
        compiler.compile_contracts(root=tmp_path)
