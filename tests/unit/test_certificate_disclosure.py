"""Selective disclosure and the wallet: a presentation shows exactly what was chosen, and still verifies."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gzchain.domain.certificates.disclosure import (
    ALWAYS_DISCLOSED,
    disclosable_fields,
    disclosed_values,
    fields_to_hide,
    withheld_fields,
)
from gzchain.domain.errors import Conflict, InvalidInput, NotFound
from gzchain.domain.oa import check_signature, get_data, obfuscate, wrap_document, wrap_documents
from gzchain.domain.oa.flatten import flatten
from gzchain.services.certificates import Wallet
from gzchain.services.certificates.templates import template_of

ISSUER = {
    "name": "Guangzhou Education Bureau",
    "documentStore": "0x" + "ab" * 20,
    "identityProof": {"type": "DNS-TXT", "location": "jyj.gz.gov.cn"},
}
CERTIFICATE = {
    "$template": {"name": "GZ_GRADUATION_CERTIFICATE", "type": "EMBEDDED_RENDERER"},
    "id": "GZ-2026-000042",
    "name": "Graduation Certificate 毕业证书",
    "recipient": {"name": "陈晓明", "studentId": "2022000042"},
    "institution": "South China University of Technology",
    "degree": "Bachelor of Engineering",
    "major": "Software Engineering",
    "graduationDate": "2026-06-30",
    "courses": ["Compilers", "Databases"],
    "validFrom": "2026-07-01",
    "issuers": [ISSUER],
    "network": {"chain": "GZCHAIN", "chainId": "1337"},
}


def shown_paths(document: dict[str, Any]) -> set[str]:
    return set(flatten(get_data(document)))


# ---- which fields to hide ----


def test_only_the_revealed_fields_and_what_verifiers_need_stay_visible():
    hidden = fields_to_hide(CERTIFICATE, ["recipient.name", "degree", "graduationDate"])
    assert hidden == ["id", "name", "recipient.studentId", "institution", "major", "courses"]


def test_revealing_an_object_reveals_everything_in_it():
    assert "recipient.name" not in fields_to_hide(CERTIFICATE, ["recipient"])
    assert "recipient.studentId" not in fields_to_hide(CERTIFICATE, ["recipient"])


def test_what_verifiers_need_is_shown_even_when_named():
    assert fields_to_hide(CERTIFICATE, ["issuers.0.name", "degree"]) == fields_to_hide(
        CERTIFICATE, ["degree"]
    )


@pytest.mark.parametrize(
    ("reveal", "reason"),
    [
        (["recipient.age"], "no such field"),
        (["courses.0"], "reveal 'courses' whole"),
        (["recipient..name"], "not a dotted field path"),
        ([], "choose at least one field"),
    ],
)
def test_a_reveal_that_cannot_be_honoured_is_refused(reveal, reason):
    with pytest.raises(InvalidInput) as caught:
        fields_to_hide(CERTIFICATE, reveal)
    assert reason in str(caught.value)


def test_the_fields_a_holder_may_reveal_leave_out_what_is_always_shown():
    fields = disclosable_fields(CERTIFICATE)
    assert fields == [
        "id",
        "name",
        "recipient.name",
        "recipient.studentId",
        "institution",
        "degree",
        "major",
        "graduationDate",
        "courses",
    ]
    assert not any(field.split(".")[0] in ALWAYS_DISCLOSED for field in fields)


keys = st.sampled_from(["a", "b", "c", "name", "0", "10", "名"])
leaves = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=5))
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(keys, values, min_size=1, max_size=5), pick=st.randoms(use_true_random=False))
def test_any_presentation_verifies_and_shows_exactly_the_chosen_fields(data, pick):
    document = wrap_document({**data, "issuers": [ISSUER]})
    choices = disclosable_fields(get_data(document))
    if not choices:
        return
    reveal = pick.sample(choices, pick.randint(1, len(choices)))
    presented = obfuscate(document, fields_to_hide(get_data(document), reveal))
    check_signature(presented)
    shown = shown_paths(presented)
    for path in shown:
        top = path.split(".")[0]
        assert top in ALWAYS_DISCLOSED or any(path == r or path.startswith(r + ".") for r in reveal)
    for path in shown_paths(document):
        if any(path == r or path.startswith(r + ".") for r in reveal):
            assert path in shown


# ---- the wallet ----


@pytest.fixture
def certificates(tmp_path: Path) -> list[Path]:
    paths = []
    for n, document in enumerate(
        wrap_documents([CERTIFICATE | {"id": f"GZ-2026-{n:06d}"} for n in range(3)])
    ):
        path = tmp_path / f"issued-{n}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def test_the_wallet_keeps_certificates_readable_only_by_their_holder(tmp_path, certificates):
    wallet = Wallet(tmp_path / "wallet")
    entry = wallet.add(certificates[0])
    assert (entry.number, entry.holder, entry.issuer) == (
        "GZ-2026-000000",
        "陈晓明",
        "Guangzhou Education Bureau",
    )
    assert stat.S_IMODE(os.stat(entry.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "wallet").st_mode) == 0o700
    wallet.add(certificates[1])
    assert [e.number for e in wallet.entries()] == ["GZ-2026-000000", "GZ-2026-000001"]


def test_the_wallet_refuses_a_tampered_or_repeated_certificate(tmp_path, certificates):
    wallet = Wallet(tmp_path / "wallet")
    wallet.add(certificates[0])
    with pytest.raises(Conflict):
        wallet.add(certificates[0])
    tampered = json.loads(certificates[1].read_text(encoding="utf-8"))
    tampered["data"]["degree"] = tampered["data"]["degree"].replace("Bachelor", "Master")
    certificates[1].write_text(json.dumps(tampered), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        wallet.add(certificates[1])
    assert "not an intact OpenAttestation certificate" in str(caught.value)
    not_json = tmp_path / "note.json"
    not_json.write_text("hello", encoding="utf-8")
    with pytest.raises(InvalidInput):
        wallet.add(not_json)


def test_a_wallet_certificate_is_found_by_the_start_of_its_id(tmp_path, certificates):
    wallet = Wallet(tmp_path / "wallet")
    entry = wallet.add(certificates[2])
    found, document = wallet.get(entry.id[:6].upper())
    assert found.id == entry.id and document["signature"]["targetHash"] == entry.id
    with pytest.raises(NotFound):
        wallet.get("ffff" if not entry.id.startswith("ffff") else "0000")
    with pytest.raises(InvalidInput):
        wallet.get("ab")


def test_a_presentation_from_the_wallet_reveals_only_the_chosen_fields(tmp_path, certificates):
    wallet = Wallet(tmp_path / "wallet")
    entry = wallet.add(certificates[0])
    presentation = wallet.present(entry.id, ["recipient.name", "degree", "graduationDate"])
    check_signature(presentation)
    data = get_data(presentation)
    assert data["recipient"] == {"name": "陈晓明"}
    assert set(data) == {
        "recipient",
        "degree",
        "graduationDate",
        "validFrom",
        "issuers",
        "network",
        "$template",
    }
    # id, name, recipient.studentId, institution, major, and the two courses: one hash per leaf
    assert len(presentation["privacy"]["obfuscatedData"]) == 7
    assert presentation["signature"] == json.loads(certificates[0].read_text(encoding="utf-8"))["signature"]


def test_what_a_presentation_shows_and_withholds_is_read_from_its_template():
    document = wrap_document(CERTIFICATE)
    hidden = obfuscate(document, ["recipient.studentId", "major"])
    data = get_data(hidden)
    template = template_of(data)
    assert template is not None and template.id == "graduation-certificate"
    # admissionDate is absent too: a field left empty at issuance cannot be told from a withheld one
    assert withheld_fields(data, template.document) == ["recipient.studentId", "major", "admissionDate"]
    shown = dict(disclosed_values(data))
    assert shown["recipient.name"] == "陈晓明" and shown["courses.1"] == "Databases"
    assert "major" not in shown and "recipient.studentId" not in shown


def test_a_document_of_no_known_template_has_none():
    assert template_of({"$template": {"name": "SOMEONE_ELSES"}}) is None
    assert template_of({"name": "no renderer"}) is None
