"""OpenAttestation's own verifier (@govtechsg/oa-verify, run by tests/interop/oa_verify.js) on documents."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from support.certificates import NODE, ROOT

OA_VERIFY = ROOT / "node_modules" / "@govtechsg" / "oa-verify"
DRIVER = ROOT / "tests" / "interop" / "oa_verify.js"
HASH, STATUS, DNS_TXT = (
    "OpenAttestationHash",
    "OpenAttestationEthereumDocumentStoreStatus",
    "OpenAttestationDnsTxtIdentityProof",
)
needs_oa_verify = pytest.mark.skipif(
    NODE is None or not OA_VERIFY.is_dir(), reason="needs node and npm ci's oa-verify"
)


def oa_verify(
    rpc_url: str, documents: list[Any], dns_query_url: str | None = None
) -> list[dict[str, dict[str, Any]]]:
    """oa-verify's fragments for each document, by fragment name; one node process for all of them. With
    ``dns_query_url``, its DNS-TXT identity check asks that /dns-query instead of public DNS."""
    assert NODE is not None
    request: dict[str, Any] = {"rpcUrl": rpc_url, "documents": documents}
    if dns_query_url is not None:
        request["dnsQueryUrl"] = dns_query_url
    completed = subprocess.run(
        [NODE, str(DRIVER)],
        input=json.dumps(request),
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return [{f["name"]: f for f in fragments} for fragments in json.loads(completed.stdout)["results"]]
