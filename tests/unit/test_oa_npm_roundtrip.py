"""Round trips with OA's own npm library, @govtechsg/open-attestation: each side accepts what the other makes.

Node is started twice for the whole module (once to make documents, once to check ours), because
starting it and loading the library costs about a second each time.
"""

from __future__ import annotations

import copy
import json
import math
import random
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gzchain.domain.errors import InvalidInput
from gzchain.domain.merkle import build_tree
from gzchain.domain.oa import (
    check_signature,
    digest_document,
    get_data,
    obfuscate,
    validate_schema,
    verify_signature,
    wrap_document,
    wrap_documents,
)
from gzchain.domain.oa.js import js_string

ROOT = Path(__file__).resolve().parents[2]
OA_PACKAGE = ROOT / "node_modules" / "@govtechsg" / "open-attestation"
OA_CLI = Path(__file__).resolve().parent / "oa_npm" / "oa_cli.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not OA_PACKAGE.is_dir(),
    reason=f"comparing with OA's npm library needs node on PATH and {OA_PACKAGE.relative_to(ROOT)} (npm ci)",
)

EXTERNAL_SCHEMA = "gzchain/health-certificate/1.0"


def issuer(agency: str) -> dict[str, Any]:
    return {
        "name": agency,
        "documentStore": "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca",
        "identityProof": {"type": "DNS-TXT", "location": "gzchain.example"},
        "url": "https://gzchain.example/agencies",
    }


def sample_documents() -> list[dict[str, Any]]:
    """Documents exercising every rendering OA's hashes depend on."""
    return [
        {
            "$template": {"name": "GZ_LICENCE", "type": "EMBEDDED_RENDERER", "url": "https://render.example"},
            "id": "GZ-2024-000001",
            "issuers": [issuer("广州市市场监督管理局")],
            "recipient": {"name": "广州示例贸易有限公司", "uscc": "91440101MA59LU9AX1"},
        },
        {
            "issuers": [issuer("Guangzhou Customs")],
            "numbers": [1.0, 1e21, 1e20, -0.5, 1.5e-7, 0.1, 2**53 - 1, -(2**53) + 1, 0, -0.0, 5e-324],
            "flags": {"yes": True, "no": False, "nothing": None},
            "empty": {"object": {}, "array": [], "nested": [[], {}]},
        },
        {
            "issuers": [issuer("Agency"), {"name": "Legacy", "certificateStore": "0x" + "ab" * 20}],
            "10": "integer-like keys come first in JavaScript",
            "2": "and in numeric order",
            "text": [
                "a:b:c",
                "tab\tnew\nline\x01",
                "emoji 🧊",
                'quote " backslash \\',
                "line\u2028separator",
                "\ud83d lone",
            ],
        },
        {
            "issuers": [issuer("Health Commission")],
            "deep": {"a": [{"b": [{"c": [1, [2, [3]]]}]}]},
            "salted-looking": "3c2a6dfd-d3ad-4f4b-8a2d-7b2c7d3c6f21:number:5",
        },
    ]


def random_documents(count: int, seed: int = 20240601) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    keys = ["a", "b", "0", "1", "10", "名字", "with space", "x-y"]
    characters = 'aZ9 :é中🧊\t\n"\\\x00\u2028'

    def value(depth: int) -> Any:
        kind = rng.randrange(9 if depth < 3 else 6)
        if kind == 0:
            return None
        if kind == 1:
            return rng.random() < 0.5
        if kind == 2:
            return rng.randint(-(2**53) + 1, 2**53 - 1) if rng.random() < 0.3 else rng.randint(-1000, 1000)
        if kind == 3:
            return rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)
        if kind in (4, 5):
            return "".join(rng.choice(characters) for _ in range(rng.randrange(8)))
        if kind == 6:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {rng.choice(keys): value(depth + 1) for _ in range(rng.randrange(4))}

    return [{"issuers": [issuer(f"Agency {n}")], "payload": value(0)} for n in range(count)]


def random_doubles(count: int, seed: int = 11) -> list[float]:
    """Doubles from random bit patterns (every magnitude, subnormals included) and from round decimals."""
    rng = random.Random(seed)
    doubles: list[float] = []
    while len(doubles) < count:
        (bits,) = struct.unpack("<d", rng.randbytes(8))
        if math.isfinite(bits):
            doubles.append(bits)
        doubles.append(round(rng.uniform(-1, 1), rng.randint(0, 8)) * 10.0 ** rng.randint(-25, 25))
    return doubles


def run_npm(requests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Answer every named request in one node process; a failed request is an error string."""
    completed = subprocess.run(
        [NODE, str(OA_CLI)],
        input=json.dumps({"requests": list(requests.values())}),
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)["results"]
    return {
        name: result["value"] if result["ok"] else f"error: {result['error']}"
        for name, result in zip(requests, results, strict=True)
    }


# (which sample document, which fields); integer-like keys check that hashes come in OA's order.
OBFUSCATIONS = [
    (0, ["recipient.name"]),
    (0, ["recipient", "id"]),
    (0, ["recipient.uscc", "$template.url", "issuers.0.url"]),
    (2, ["text", "10", "issuers.0.url", "2"]),
    (1, ["empty.nested", "flags", "numbers"]),
]


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    """Documents gzchain wraps, batches and obfuscates."""
    samples = sample_documents()
    singles = [wrap_document(data) for data in samples]
    return {
        "singles": singles,
        "with_schema": wrap_document(samples[0], schema_id=EXTERNAL_SCHEMA),
        "batch": wrap_documents(samples),
        "batch_of_one": wrap_documents(samples[:1]),
        "obfuscated": [obfuscate(singles[sample], fields) for sample, fields in OBFUSCATIONS],
        "random": wrap_documents(random_documents(40)),
    }


@pytest.fixture(scope="module")
def npm_made(ours: dict[str, Any]) -> dict[str, Any]:
    """What the npm library makes: wrapped singles and batches, and obfuscations of gzchain's documents."""
    samples = sample_documents()
    requests: dict[str, dict[str, Any]] = {
        f"single.{index}": {"action": "wrap", "data": data} for index, data in enumerate(samples)
    }
    requests["with_schema"] = {
        "action": "wrap",
        "data": samples[0],
        "options": {"externalSchemaId": EXTERNAL_SCHEMA},
    }
    requests["batch"] = {"action": "wrapBatch", "documents": samples}
    requests["random"] = {"action": "wrapBatch", "documents": random_documents(40, seed=7)}
    for index, (sample, fields) in enumerate(OBFUSCATIONS):
        requests[f"obfuscated.{index}"] = {
            "action": "obfuscate",
            "document": ours["singles"][sample],
            "fields": fields,
        }
    requests["numbers"] = {"action": "jsString", "values": samples[1]["numbers"] + random_doubles(500)}
    requests["digest"] = {"action": "digest", "document": {"data": samples[2]}}
    requests["no_issuers"] = {"action": "wrap", "data": {"recipient": {"name": "x"}}}
    return run_npm(requests)


@pytest.fixture(scope="module")
def npm_checked(ours: dict[str, Any], npm_made: dict[str, Any]) -> dict[str, Any]:
    """What the npm library says of gzchain's documents, and of gzchain's obfuscations of npm's."""
    documents: dict[str, Any] = {
        **{f"single.{index}": document for index, document in enumerate(ours["singles"])},
        "with_schema": ours["with_schema"],
        **{f"batch.{index}": document for index, document in enumerate(ours["batch"])},
        "batch_of_one": ours["batch_of_one"][0],
        **{f"obfuscated.{index}": document for index, document in enumerate(ours["obfuscated"])},
        **{f"random.{index}": document for index, document in enumerate(ours["random"])},
        "npm_single_obfuscated_here": obfuscate(npm_made["single.0"], ["recipient.name", "$template"]),
        "npm_batch_member_obfuscated_here": obfuscate(npm_made["batch"][2], "text"),
    }
    tampered = copy.deepcopy(ours["singles"][0])
    tampered["data"]["id"] = tampered["data"]["id"].replace("000001", "000002")
    documents["tampered"] = tampered
    requests: dict[str, dict[str, Any]] = {}
    for name, document in documents.items():
        requests[f"{name}:verify"] = {"action": "verifySignature", "document": document}
        requests[f"{name}:schema"] = {"action": "validateSchema", "document": document}
        requests[f"{name}:data"] = {"action": "getData", "document": document}
    return {"documents": documents, "answers": run_npm(requests)}


# npm makes, gzchain checks


def test_gzchain_verifies_documents_wrapped_by_npm(npm_made: dict[str, Any]) -> None:
    for index in range(len(sample_documents())):
        check_signature(npm_made[f"single.{index}"])
    check_signature(npm_made["with_schema"])
    assert npm_made["with_schema"]["schema"] == EXTERNAL_SCHEMA


def test_gzchain_reads_back_the_data_npm_wrapped(npm_made: dict[str, Any]) -> None:
    for index, data in enumerate(sample_documents()):
        assert get_data(npm_made[f"single.{index}"]) == data
        validate_schema(npm_made[f"single.{index}"])


def test_gzchain_recomputes_the_target_hash_npm_computes_for_tricky_values(npm_made: dict[str, Any]) -> None:
    assert digest_document({"data": sample_documents()[2]}) == npm_made["digest"]


def test_gzchain_renders_numbers_as_javascript_string_does(npm_made: dict[str, Any]) -> None:
    numbers = sample_documents()[1]["numbers"] + random_doubles(500)
    assert [js_string(number) for number in numbers] == npm_made["numbers"]


def test_gzchain_verifies_every_member_of_a_batch_wrapped_by_npm(npm_made: dict[str, Any]) -> None:
    batch = npm_made["batch"]
    for document in batch:
        check_signature(document)
    tree = build_tree([bytes.fromhex(document["signature"]["targetHash"]) for document in batch])
    for index, document in enumerate(batch):
        assert document["signature"]["merkleRoot"] == tree.root.hex()
        assert document["signature"]["proof"] == [node.hex() for node in tree.proof(index)]


def test_gzchain_verifies_a_random_corpus_wrapped_by_npm(npm_made: dict[str, Any]) -> None:
    for document, data in zip(npm_made["random"], random_documents(40, seed=7), strict=True):
        check_signature(document)
        assert get_data(document) == data


def test_gzchain_verifies_documents_obfuscated_by_npm(npm_made: dict[str, Any]) -> None:
    for index in range(len(OBFUSCATIONS)):
        check_signature(npm_made[f"obfuscated.{index}"])


def test_gzchain_obfuscates_byte_for_byte_as_npm_does(ours: dict[str, Any], npm_made: dict[str, Any]) -> None:
    for index, document in enumerate(ours["obfuscated"]):
        assert json.dumps(document) == json.dumps(npm_made[f"obfuscated.{index}"])


def test_both_refuse_to_wrap_data_without_issuers(npm_made: dict[str, Any]) -> None:
    assert npm_made["no_issuers"].startswith("error:")
    with pytest.raises(InvalidInput) as caught:
        wrap_document({"recipient": {"name": "x"}})
    assert caught.value.field == "issuers"


# gzchain makes, npm checks


def npm_accepts(npm_checked: dict[str, Any], name: str) -> bool:
    answers = npm_checked["answers"]
    return answers[f"{name}:verify"] is True and answers[f"{name}:schema"] is True


def test_npm_verifies_and_validates_documents_wrapped_by_gzchain(npm_checked: dict[str, Any]) -> None:
    names = [f"single.{index}" for index in range(len(sample_documents()))] + ["with_schema"]
    assert [name for name in names if not npm_accepts(npm_checked, name)] == []


def test_npm_reads_back_the_data_gzchain_wrapped(npm_checked: dict[str, Any]) -> None:
    for index, data in enumerate(sample_documents()):
        assert npm_checked["answers"][f"single.{index}:data"] == data


def test_npm_verifies_and_validates_every_member_of_a_gzchain_batch(npm_checked: dict[str, Any]) -> None:
    names = [f"batch.{index}" for index in range(len(sample_documents()))] + ["batch_of_one"]
    assert [name for name in names if not npm_accepts(npm_checked, name)] == []


def test_npm_verifies_a_random_corpus_wrapped_by_gzchain(npm_checked: dict[str, Any]) -> None:
    assert [index for index in range(40) if not npm_accepts(npm_checked, f"random.{index}")] == []


def test_npm_verifies_documents_obfuscated_by_gzchain(npm_checked: dict[str, Any]) -> None:
    names = [f"obfuscated.{index}" for index in range(len(OBFUSCATIONS))]
    names += ["npm_single_obfuscated_here", "npm_batch_member_obfuscated_here"]
    assert [name for name in names if not npm_accepts(npm_checked, name)] == []
    assert all(verify_signature(npm_checked["documents"][name]) for name in names)


def test_npm_rejects_a_gzchain_document_changed_after_wrapping(npm_checked: dict[str, Any]) -> None:
    assert npm_checked["answers"]["tampered:verify"] is False
    assert verify_signature(npm_checked["documents"]["tampered"]) is False
