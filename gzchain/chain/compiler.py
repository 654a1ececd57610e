"""Compiles the Solidity sources with py-solc-x into the artifacts committed as package data.

Only developers compile; running gzchain needs the committed artifacts alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError, SolcNotInstalled
from solcx.install import get_executable

from gzchain.domain.errors import GzchainError, InvalidInput

SOLC_VERSION = "0.8.28"
EVM_VERSION = "shanghai"  # runs on eth-tester and on Besu QBFT with shanghaiTime 0
SHIM = Path(__file__).with_name("solcjs_shim.js")
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "artifacts"

SETTINGS: dict[str, Any] = {
    "evmVersion": EVM_VERSION,
    "optimizer": {"enabled": True, "runs": 200},
    "remappings": ["@openzeppelin/=node_modules/@openzeppelin/"],
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}


class CompilerUnavailable(GzchainError):
    """No solc of the pinned version could be found."""


@dataclass(frozen=True)
class ResolvedSolc:
    path: Path
    origin: str  # which step of the resolution order found it


def project_root() -> Path:
    """The checkout holding contracts/ and node_modules/ (compiling is a developer task)."""
    return Path(__file__).resolve().parents[2]


def resolve_solc(explicit: Path | None = None, root: Path | None = None) -> ResolvedSolc:
    """Find a solc of SOLC_VERSION: explicit setting, py-solc-x install, PATH, then the npm solc-js shim."""
    root = root or project_root()
    tried: list[str] = []
    if explicit is not None:
        if _version_of(explicit) != SOLC_VERSION:
            raise CompilerUnavailable(f"solc at {explicit} is not version {SOLC_VERSION}")
        return ResolvedSolc(explicit, "setting")
    try:
        return ResolvedSolc(Path(get_executable(SOLC_VERSION)), "py-solc-x")
    except SolcNotInstalled:
        tried.append(f"py-solc-x has no solc {SOLC_VERSION} installed")
    on_path = shutil.which("solc")
    if on_path:
        found = _version_of(Path(on_path))
        if found == SOLC_VERSION:
            return ResolvedSolc(Path(on_path), "PATH")
        tried.append(f"solc on PATH is {found or 'unreadable'}")
    else:
        tried.append("no solc on PATH")
    if (root / "node_modules" / "solc").is_dir() and _version_of(SHIM) == SOLC_VERSION:
        return ResolvedSolc(SHIM, "npm solc (solc-js shim)")
    tried.append("npm solc not installed (run `npm ci`)")
    raise CompilerUnavailable(f"no solc {SOLC_VERSION} found: " + "; ".join(tried))


def _version_of(binary: Path) -> str | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"(\d+\.\d+\.\d+)\+commit\.\w+", out)
    return match.group(1) if match else None


def source_files(root: Path) -> list[Path]:
    return sorted((root / "contracts").rglob("*.sol"))


def standard_input(root: Path) -> dict[str, Any]:
    sources = {
        path.relative_to(root).as_posix(): {"content": path.read_text(encoding="utf-8")}
        for path in source_files(root)
    }
    return {"language": "Solidity", "sources": sources, "settings": SETTINGS}


def compile_contracts(
    root: Path | None = None, solc: ResolvedSolc | None = None
) -> dict[str, dict[str, Any]]:
    """Compile every contract under contracts/ and return one artifact per contract name."""
    root = root or project_root()
    solc = solc or resolve_solc(root=root)
    input_json = standard_input(root)
    try:
        output = solcx.compile_standard(
            input_json, base_path=str(root), allow_paths=[str(root)], solc_binary=solc.path
        )
    except SolcError as exc:
        raise InvalidInput(_first_error(exc), field="contracts") from exc
    version = _full_version(solc.path)
    artifacts: dict[str, dict[str, Any]] = {}
    for unit, contracts in output["contracts"].items():
        if not unit.startswith("contracts/"):
            continue
        source = input_json["sources"][unit]["content"].encode()
        for name, compiled in contracts.items():
            if name in artifacts:
                raise InvalidInput(f"contract name {name} is defined twice", field=unit)
            artifacts[name] = {
                "contractName": name,
                "sourceName": unit,
                "sourceHash": "0x" + hashlib.sha256(source).hexdigest(),
                "compiler": {"version": version, "settings": _recorded_settings()},
                "abi": compiled["abi"],
                "bytecode": "0x" + compiled["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
            }
    return artifacts


def _recorded_settings() -> dict[str, Any]:
    return {k: v for k, v in SETTINGS.items() if k != "outputSelection"}


def _full_version(binary: Path) -> str:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60).stdout
    match = re.search(r"\d+\.\d+\.\d+\+commit\.\w+", out)
    return match.group(0) if match else SOLC_VERSION


def _first_error(exc: SolcError) -> str:
    text = str(exc)
    for line in text.splitlines():
        if "Error" in line:
            return line.strip()
    return text.strip().splitlines()[0] if text.strip() else "solc failed"


def render_artifact(artifact: dict[str, Any]) -> str:
    """The one byte-exact form artifacts are committed in."""
    return json.dumps(artifact, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_artifacts(artifacts: dict[str, dict[str, Any]], out_dir: Path = ARTIFACTS_DIR) -> list[Path]:
    """Replace the artifact folder's contents with these artifacts; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.json"):
        if stale.stem not in artifacts:
            stale.unlink()
    written = []
    for name, artifact in sorted(artifacts.items()):
        path = out_dir / f"{name}.json"
        path.write_text(render_artifact(artifact), encoding="utf-8")
        written.append(path)
    return written


def diff_artifacts(artifacts: dict[str, dict[str, Any]], out_dir: Path = ARTIFACTS_DIR) -> list[str]:
    """Names of artifacts whose committed file differs from (or is missing for) a fresh compile."""
    committed = {p.stem for p in out_dir.glob("*.json")}
    differing = sorted(committed - set(artifacts))
    for name, artifact in artifacts.items():
        path = out_dir / f"{name}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != render_artifact(artifact):
            differing.append(name)
    return sorted(differing)
