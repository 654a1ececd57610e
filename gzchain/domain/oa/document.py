"""The shape of an OpenAttestation v2 wrapped document, as plain JSON values."""

from __future__ import annotations

from typing import Any

SCHEMA_V2 = "https://schema.openattestation.com/2.0/schema.json"
SIGNATURE_TYPE = "SHA3MerkleProof"

JsonObject = dict[str, Any]
WrappedDocument = dict[str, Any]
