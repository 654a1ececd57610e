"""The part of the OpenAttestation v2 schema gzchain relies on, checked on unsalted data.

Whatever passes here also passes OA's own `validateSchema`, so a document gzchain issues is never
rejected by OA tooling; failures name the offending field, which OA's own errors do not.
"""

from __future__ import annotations

import re
from typing import Any

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa.document import SCHEMA_V2, JsonObject, WrappedDocument
from gzchain.domain.oa.salt import get_data

ETHEREUM_ADDRESS = re.compile(r"0x[a-fA-F0-9]{40}")
IDENTITY_PROOF_TYPES = ("DNS-TXT", "DNS-DID", "DID")
# OA's schema requires a public key for the DID-based identity proofs.
_KEYED_IDENTITY_PROOF_TYPES = ("DNS-DID", "DID")
STORE_FIELDS = ("documentStore", "certificateStore")
REVOCATION_TYPES = ("NONE", "REVOCATION_STORE", "OCSP_RESPONDER")
ATTACHMENT_FIELDS = ("filename", "type", "data")
# The top-level fields validate_optional_fields reads; anything else in document data is the issuer's own.
OPTIONAL_FIELDS = ("id", "documentUrl", "$template", "recipient", "network", "attachments")


def validate_schema(document: WrappedDocument) -> None:
    """Raise InvalidInput unless `document` is an OA v2 wrapped document whose data fits the schema."""
    if not isinstance(document, dict) or document.get("version") != SCHEMA_V2:
        raise InvalidInput(f"must be {SCHEMA_V2!r}", field="version")
    validate_data(get_data(document))


def validate_data(data: JsonObject) -> None:
    """Raise InvalidInput, naming the field, unless unsalted `data` fits the OA v2 schema."""
    if not isinstance(data, dict):
        raise InvalidInput("document data must be a JSON object", field="data")
    issuers = data.get("issuers")
    if not isinstance(issuers, list) or not issuers:
        raise InvalidInput("at least one issuer is required", field="issuers")
    for index, issuer in enumerate(issuers):
        _validate_issuer(issuer, f"issuers.{index}")
    validate_optional_fields(data)


def _validate_issuer(issuer: Any, path: str) -> None:
    if not isinstance(issuer, dict):
        raise InvalidInput("an issuer must be an object", field=path)
    _require_text(issuer, "name", path)
    if "tokenRegistry" in issuer:
        raise InvalidInput(
            "transferable records are not supported; use documentStore", field=f"{path}.tokenRegistry"
        )
    stores = [name for name in STORE_FIELDS if name in issuer]
    if len(stores) != 1:
        # OA's schema matches an issuer against exactly one store kind; naming both fails there too.
        raise InvalidInput(
            "exactly one of documentStore or certificateStore is required", field=f"{path}.documentStore"
        )
    store = stores[0]
    if not isinstance(issuer[store], str) or not ETHEREUM_ADDRESS.fullmatch(issuer[store]):
        raise InvalidInput("must be a 0x-prefixed 20-byte hex address", field=f"{path}.{store}")
    # Legacy certificateStore issuers predate identity proofs, so only documentStore ones must carry one.
    if store == "documentStore" or "identityProof" in issuer:
        _validate_identity_proof(issuer.get("identityProof"), f"{path}.identityProof")
    _optional_text(issuer, "id", path)
    if "revocation" in issuer:
        revocation = issuer["revocation"]
        _require_object(revocation, f"{path}.revocation")
        if "type" in revocation:
            _require_choice(revocation, "type", REVOCATION_TYPES, f"{path}.revocation")
        _optional_text(revocation, "location", f"{path}.revocation")


def _validate_identity_proof(proof: Any, path: str) -> None:
    _require_object(proof, path)
    _require_choice(proof, "type", IDENTITY_PROOF_TYPES, path)
    _require_text(proof, "location", path)
    if proof["type"] in _KEYED_IDENTITY_PROOF_TYPES:
        _require_text(proof, "key", path)


def validate_optional_fields(data: JsonObject) -> None:
    """Raise InvalidInput, naming the field, unless the OPTIONAL_FIELDS of unsalted `data` fit the schema:
    validate_data's checks but those of the issuers."""
    _optional_text(data, "id", "")
    _optional_text(data, "documentUrl", "")
    template = data.get("$template")
    if "$template" in data and not isinstance(template, str):
        _require_object(template, "$template")
        _require_text(template, "name", "$template")
        _require_choice(template, "type", ("EMBEDDED_RENDERER",), "$template")
        _optional_text(template, "url", "$template")
    if "recipient" in data:
        _require_object(data["recipient"], "recipient")
        _optional_text(data["recipient"], "name", "recipient")
    if "network" in data:
        _require_object(data["network"], "network")
        _require_text(data["network"], "chain", "network")
        _optional_text(data["network"], "chainId", "network")
    if "attachments" in data:
        _validate_attachments(data["attachments"])


def _validate_attachments(attachments: Any) -> None:
    if not isinstance(attachments, list):
        raise InvalidInput("must be a list", field="attachments")
    for index, attachment in enumerate(attachments):
        path = f"attachments.{index}"
        _require_object(attachment, path)
        for name in ATTACHMENT_FIELDS:
            _require_text(attachment, name, path)
        extra = sorted(set(attachment) - set(ATTACHMENT_FIELDS))
        if extra:
            raise InvalidInput("an attachment holds only filename, type and data", field=f"{path}.{extra[0]}")


def _field(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _require_object(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise InvalidInput("must be an object", field=path)


def _require_text(container: dict[str, Any], name: str, parent: str) -> None:
    value = container.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("a non-empty string is required", field=_field(parent, name))


def _optional_text(container: dict[str, Any], name: str, parent: str) -> None:
    if name in container and not isinstance(container[name], str):
        raise InvalidInput("must be a string", field=_field(parent, name))


def _require_choice(container: dict[str, Any], name: str, choices: tuple[str, ...], parent: str) -> None:
    if container.get(name) not in choices:
        raise InvalidInput(f"must be one of {', '.join(choices)}", field=_field(parent, name))
