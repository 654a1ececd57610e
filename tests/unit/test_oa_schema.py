"""The OpenAttestation v2 schema rules gzchain checks on unsalted data, each failure naming its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import validate_data, validate_schema, wrap_document
from gzchain.domain.oa.schema import OPTIONAL_FIELDS

STORE = "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca"


def certificate() -> dict[str, Any]:
    return {
        "$template": {"name": "GZ_HEALTH_CERT", "type": "EMBEDDED_RENDERER", "url": "https://render.example"},
        "id": "GZ-HC-1",
        "documentUrl": "https://docs.example/1",
        "issuers": [
            {
                "id": "did:example:gz-health",
                "name": "广州市卫生健康委员会",
                "documentStore": STORE,
                "identityProof": {"type": "DNS-TXT", "location": "wjw.gz.example"},
                "revocation": {"type": "NONE"},
            }
        ],
        "recipient": {"name": "李四"},
        "network": {"chain": "ETH", "chainId": "1337"},
        "attachments": [{"filename": "scan.pdf", "type": "application/pdf", "data": "JVBERi0="}],
    }


def rejected(change: Callable[[dict[str, Any]], Any]) -> InvalidInput:
    data = certificate()
    change(data)
    with pytest.raises(InvalidInput) as caught:
        validate_data(data)
    return caught.value


def test_accepts_a_complete_store_anchored_certificate() -> None:
    validate_data(certificate())


def test_accepts_a_legacy_certificate_store_issuer_without_identity_proof() -> None:
    validate_data(
        {"issuers": [{"name": "GovTech", "certificateStore": "0x007d40224f6562461633ccfbaffd359ebb2fc9ba"}]}
    )


def test_accepts_a_template_given_as_a_plain_name() -> None:
    data = certificate()
    data["$template"] = "GZ_HEALTH_CERT"
    validate_data(data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda data: data.pop("issuers"), "issuers"),
        (lambda data: data.update(issuers=[]), "issuers"),
        (lambda data: data.update(issuers=["广州市"]), "issuers.0"),
        (lambda data: data["issuers"][0].pop("name"), "issuers.0.name"),
        (lambda data: data["issuers"][0].update(name=" "), "issuers.0.name"),
        (lambda data: data["issuers"][0].pop("documentStore"), "issuers.0.documentStore"),
        (lambda data: data["issuers"][0].update(documentStore="0x1234"), "issuers.0.documentStore"),
        (lambda data: data["issuers"][0].update(certificateStore=STORE), "issuers.0.documentStore"),
        (lambda data: data["issuers"][0].update(tokenRegistry=STORE), "issuers.0.tokenRegistry"),
        (lambda data: data["issuers"][0].pop("identityProof"), "issuers.0.identityProof"),
        (
            lambda data: data["issuers"][0]["identityProof"].update(type="X509"),
            "issuers.0.identityProof.type",
        ),
        (
            lambda data: data["issuers"][0]["identityProof"].pop("location"),
            "issuers.0.identityProof.location",
        ),
        (
            lambda data: data["issuers"][0]["identityProof"].update(type="DNS-DID"),
            "issuers.0.identityProof.key",
        ),
        (lambda data: data["issuers"][0]["revocation"].update(type="CRL"), "issuers.0.revocation.type"),
        (lambda data: data["issuers"][0].update(id=7), "issuers.0.id"),
        (lambda data: data.update(id=1), "id"),
        (lambda data: data["$template"].update(type="IFRAME"), "$template.type"),
        (lambda data: data.update(recipient="李四"), "recipient"),
        (lambda data: data["network"].pop("chain"), "network.chain"),
        (lambda data: data["attachments"][0].pop("data"), "attachments.0.data"),
        (lambda data: data["attachments"][0].update(size=3), "attachments.0.size"),
    ],
)
def test_refuses_data_outside_the_schema_naming_the_field(
    change: Callable[[dict[str, Any]], Any], field: str
) -> None:
    assert rejected(change).field == field


def test_validates_a_wrapped_document_on_its_unsalted_data() -> None:
    wrapped = wrap_document(certificate())
    validate_schema(wrapped)
    wrapped["data"]["issuers"][0]["documentStore"] = (
        "c0ffee00-0000-4000-8000-000000000000:string:not an address"
    )
    with pytest.raises(InvalidInput) as caught:
        validate_schema(wrapped)
    assert caught.value.field == "issuers.0.documentStore"


def test_refuses_a_wrapped_document_of_another_version() -> None:
    wrapped = {**wrap_document(certificate()), "version": "open-attestation/2.0"}
    with pytest.raises(InvalidInput) as caught:
        validate_schema(wrapped)
    assert caught.value.field == "version"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.text(max_size=12), _json, max_size=4), st.booleans())
def test_only_the_issuers_and_the_optional_fields_decide_whether_data_fits(extra, broken):
    # Wrapping a batch by shape (gzchain.domain.oa.shape) checks only these fields per document.
    data = certificate()
    if broken:
        data["recipient"] = "not an object"
    others = {key: value for key, value in extra.items() if key not in ("issuers", *OPTIONAL_FIELDS)}
    verdicts = []
    for candidate in (data, {**data, **others}):
        try:
            validate_data(candidate)
            verdicts.append("fits")
        except InvalidInput as exc:
            verdicts.append(exc.field)
    assert verdicts[0] == verdicts[1] == ("recipient" if broken else "fits")
