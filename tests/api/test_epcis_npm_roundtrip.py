"""An independent producer: epcis2.js (npm) builds an EPCIS 2.0 document, gzchain captures it, and the query
interface returns the same events as JSON-LD data (compared expanded, with GS1's context, not as bytes)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from epcis_event_hash_generator.file_document_loader import file_document_loader
from pyld import jsonld
from support.coldchain import BATCH

from gzchain.api.schemas.coldchain import LOT_URI

ROOT = Path(__file__).resolve().parents[2]
PRODUCER = ROOT / "tests" / "support" / "epcis_npm" / "build_document.js"
READ_POINT = "urn:epc:id:sgln:6901234.00001.0"
TIMES = ("2025-03-01T06:00:00.000+08:00", "2025-03-01T06:05:00.000+08:00", "2025-03-01T06:10:00.000+08:00")


def expanded(event: dict, context: object) -> list:
    """The event as JSON-LD data: expanded with the contexts GS1's hash generator ships (no network)."""
    return jsonld.expand({"@context": context, **event}, {"documentLoader": file_document_loader()})


def test_events_built_by_epcis2_js_come_back_from_the_query_interface_as_the_same_data(client, auth):
    if shutil.which("node") is None:
        pytest.fail("node is missing: make setup needs Node.js")
    produced = subprocess.run(
        ["node", str(PRODUCER), LOT_URI, READ_POINT, *TIMES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    document = json.loads(produced.stdout)
    headers = auth("nansha-importer")
    assert client.post("/coldchain/batches", json=BATCH, headers=headers).status_code == 201
    captured = client.post("/epcis/capture", json=document, headers=headers)
    assert captured.status_code == 202 and captured.json()["success"] is True, captured.text

    answer = client.get("/epcis/events", params={"MATCH_epcClass": LOT_URI}).json()
    returned = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(returned) == len(TIMES)
    for sent, got in zip(document["epcisBody"]["eventList"], returned, strict=True):
        # the repository adds what the standard says it adds: recordTime, and an eventID (our CBV 2.0 hash)
        assert got.pop("recordTime").endswith("Z") and got.pop("eventID").startswith("ni:///sha-256;")
        assert expanded(got, answer["@context"]) == expanded(sent, document["@context"])
        assert expanded(got, answer["@context"]) != []
