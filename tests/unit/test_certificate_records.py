"""Certificate templates and batch records: every record checked, bad ones named by row and field."""

from __future__ import annotations

import copy
import json

import pytest
from support.certificates import LICENCE, QUALIFICATION

from gzchain.domain.certificates.records import parse_csv, parse_json, prepare
from gzchain.domain.certificates.templates import DocumentWrapper, file_name, template_from_dict, with_issuer
from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import check_signature, get_data, validate_data
from gzchain.services.certificates.templates import builtin_templates, load_template

GRADUATE = {
    "certificate_number": "GZ-2026-000001",
    "student_name": "陈晓明",
    "student_id": "2022000001",
    "institution": "South China University of Technology",
    "degree": "Bachelor of Engineering",
    "major": "Software Engineering",
    "admission_date": "2022-09-01",
    "graduation_date": "2026-06-30",
}
ISSUER = {
    "name": "Guangzhou Education Bureau",
    "documentStore": "0x" + "ab" * 20,
    "identityProof": {"type": "DNS-TXT", "location": "jyj.gz.gov.cn"},
}


@pytest.fixture(scope="module")
def graduation():
    return load_template("graduation-certificate")


def csv_text(*rows: dict[str, str]) -> str:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(row[name] for name in header) for row in rows]
    return "\n".join(lines) + "\n"


# ---- shipped templates ----


def test_gzchain_ships_the_three_certificate_templates():
    assert list(builtin_templates()) == [
        "business-licence",
        "graduation-certificate",
        "vocational-qualification",
    ]


def test_a_graduation_record_becomes_the_document_the_template_describes(graduation):
    data, name = graduation.document_for(GRADUATE)
    assert name == "GZ-2026-000001.json"
    assert data == {
        "$template": {"name": "GZ_GRADUATION_CERTIFICATE", "type": "EMBEDDED_RENDERER"},
        "id": "GZ-2026-000001",
        "name": "Graduation Certificate 毕业证书",
        "recipient": {"name": "陈晓明", "studentId": "2022000001"},
        "institution": "South China University of Technology",
        "degree": "Bachelor of Engineering",
        "major": "Software Engineering",
        "admissionDate": "2022-09-01",
        "graduationDate": "2026-06-30",
    }


def test_an_empty_optional_field_leaves_its_key_out(graduation):
    data, _ = graduation.document_for(GRADUATE | {"admission_date": ""})
    assert "admissionDate" not in data


def test_every_shipped_template_makes_documents_that_fit_the_oa_schema():
    records = {
        "graduation-certificate": GRADUATE,
        "vocational-qualification": QUALIFICATION,
        "business-licence": LICENCE,
    }
    for template_id, template in builtin_templates().items():
        data, _ = template.document_for(records[template_id])
        validate_data({**data, "issuers": [ISSUER]})


@pytest.mark.parametrize(
    "record",
    [
        GRADUATE,
        GRADUATE | {"admission_date": ""},
        GRADUATE | {"student_name": '陈 "晓明"\\ 🎓', "major": "A\tB"},
    ],
    ids=["every field", "an optional field empty", "quotes, escapes and emoji"],
)
def test_a_batch_wrapper_wraps_the_document_the_template_describes_intact(graduation, record):
    wrapper = DocumentWrapper(graduation, ISSUER, 1337)
    for _ in range(2):  # the second document reuses the shape the first compiled
        text, target = wrapper.wrap(graduation.check(record))
        signature = {
            "type": "SHA3MerkleProof",
            "targetHash": target.hex(),
            "proof": [],
            "merkleRoot": target.hex(),
        }
        document = {**json.loads(text), "signature": signature}
        check_signature(document)
        assert get_data(document) == with_issuer(graduation.document_for(record)[0], ISSUER, 1337)


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"student_name": " "}, "student_name", "is required"),
        ({"graduation_date": "30/06/2026"}, "graduation_date", "must be a date YYYY-MM-DD"),
        ({"graduation_date": "2026-02-30"}, "graduation_date", "is not a calendar date"),
        ({"graduation_date": "2021-06-30"}, "graduation_date", "is before admission_date 2022-09-01"),
        ({"certificate_number": "gz/../x"}, "certificate_number", "does not match"),
        ({"major": "x" * 201}, "major", "at most 200 characters"),
        ({"nickname": "Ming"}, "nickname", "unknown field"),
    ],
)
def test_a_bad_record_is_refused_naming_its_field(graduation, changes, field, reason):
    with pytest.raises(InvalidInput) as caught:
        graduation.document_for(GRADUATE | changes)
    assert caught.value.field == field and reason in caught.value.reason


def test_a_choice_field_takes_only_its_choices():
    template = load_template("vocational-qualification")
    record = {
        "certificate_number": "HR-2026-0001",
        "holder_name": "黄雨桐",
        "occupation": "Electrician",
        "level": "Grandmaster",
        "assessment_date": "2026-03-01",
        "valid_from": "2026-03-15",
    }
    with pytest.raises(InvalidInput) as caught:
        template.document_for(record)
    assert caught.value.field == "level" and "is not one of" in caught.value.reason


def test_a_uscc_field_checks_the_check_characters():
    template = load_template("business-licence")
    with pytest.raises(InvalidInput) as caught:
        template.document_for(LICENCE | {"uscc": "91440101MA59LU9AX2"})
    assert caught.value.field == "uscc" and "not a valid USCC" in caught.value.reason


# ---- template files ----


def a_template() -> dict:
    return json.loads(
        json.dumps(
            {
                "id": "permit",
                "title": "Permit",
                "file_name_field": "number",
                "fields": {"number": {"type": "string"}, "holder": {"type": "string"}},
                "document": {"id": "{number}", "recipient": {"name": "{holder}"}},
            }
        )
    )


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            lambda t: t["document"].update(extra="{missing}"),
            "permit.json: document",
            "{missing} names no field",
        ),
        (lambda t: t["fields"].update(unused={}), "permit.json: fields.unused", "never placed"),
        (lambda t: t["document"].update(issuers=[]), "permit.json: document", "added at issuance"),
        (lambda t: t.update(file_name_field="nope"), "permit.json: file_name_field", "a required field"),
        (lambda t: t["fields"]["holder"].update(type="money"), "permit.json: fields.holder.type", "one of"),
        (
            lambda t: t["fields"]["holder"].update(pattern="("),
            "permit.json: fields.holder.pattern",
            "regular",
        ),
        (
            lambda t: t["fields"]["holder"].update(not_before="number"),
            "permit.json: fields.holder.not_before",
            "date",
        ),
    ],
)
def test_a_malformed_template_is_refused_saying_what_is_wrong(change, field, reason):
    raw = a_template()
    change(raw)
    with pytest.raises(InvalidInput) as caught:
        template_from_dict(raw, "permit.json")
    assert caught.value.field == field and reason in caught.value.reason


def test_a_template_file_is_loaded_by_path(tmp_path):
    path = tmp_path / "permit.json"
    path.write_text(json.dumps(a_template()), encoding="utf-8")
    assert load_template(str(path)).id == "permit"


def test_file_names_keep_only_safe_characters():
    assert file_name("GZ-2026/0001 é") == "GZ-2026_0001__.json"
    assert file_name("..hidden") == "hidden.json"


# ---- reading records ----


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them():
    records = parse_csv("\ufeffa,b\n1,2\n\n3,4\n")
    assert [(r.row, r.values) for r in records] == [(2, {"a": "1", "b": "2"}), (4, {"a": "3", "b": "4"})]


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ("", "row 1", "a header row"),
        ("a,a\n1,2\n", "row 1", "column 'a' appears twice"),
        ("a,\n1,2\n", "row 1", "column 2 has no name"),
        ("a,b\n1,2\n1,2,3\n", "row 3", "has 3 cells, the header has 2"),
    ],
)
def test_malformed_csv_is_refused_with_its_row(text, field, reason):
    with pytest.raises(InvalidInput) as caught:
        parse_csv(text)
    assert caught.value.field == field and reason in caught.value.reason


def test_json_records_are_a_list_or_an_object_with_records():
    assert [r.row for r in parse_json('[{"a": 1}, {"a": 2}]')] == [1, 2]
    assert [r.values for r in parse_json('{"records": [{"a": 1}]}')] == [{"a": 1}]
    with pytest.raises(InvalidInput) as caught:
        parse_json('[{"a": 1}, 7]')
    assert caught.value.field == "row 2"
    with pytest.raises(InvalidInput):
        parse_json("{not json")


def test_a_batch_with_bad_rows_is_refused_whole_naming_each_row_and_field(graduation):
    rows = [GRADUATE | {"certificate_number": f"GZ-2026-{n:06d}"} for n in range(30)]
    rows[4]["graduation_date"] = "2026-13-01"
    rows[11]["student_name"] = ""
    records = parse_csv(csv_text(*rows))
    with pytest.raises(InvalidInput) as caught:
        prepare(graduation, records)
    assert caught.value.field == "row 6, graduation_date"
    assert "row 13, student_name: is required" in caught.value.reason
    assert "(2 of 30 rows invalid; nothing was issued)" in caught.value.reason


def test_json_values_must_be_text(graduation):
    records = parse_json(json.dumps([GRADUATE | {"student_id": 2022000001}]))
    with pytest.raises(InvalidInput) as caught:
        prepare(graduation, records)
    assert caught.value.field == "row 1, student_id" and "must be text" in caught.value.reason


def test_a_json_value_with_a_lone_surrogate_is_refused_naming_its_row_and_field(graduation):
    text = json.dumps([GRADUATE | {"student_name": "Li SURROGATE Ming"}]).replace("SURROGATE", "\\ud800")
    records = parse_json(text)
    with pytest.raises(InvalidInput) as caught:
        prepare(graduation, records)
    assert caught.value.field == "row 1, student_name" and "lone UTF-16 surrogate" in caught.value.reason


def test_a_batch_refuses_two_records_with_the_same_number(graduation):
    records = parse_json(json.dumps([GRADUATE, copy.deepcopy(GRADUATE)]))
    with pytest.raises(InvalidInput) as caught:
        prepare(graduation, records)
    assert caught.value.field == "row 2, certificate_number" and "duplicates row 1" in caught.value.reason


def test_many_bad_rows_are_summarised(graduation):
    rows = [GRADUATE | {"certificate_number": f"GZ-2026-{n:06d}", "degree": ""} for n in range(25)]
    with pytest.raises(InvalidInput) as caught:
        prepare(graduation, parse_json(json.dumps(rows)))
    assert "and 15 more (25 of 25 rows invalid" in caught.value.reason


def test_an_empty_batch_is_refused(graduation):
    with pytest.raises(InvalidInput) as caught:
        prepare(graduation, parse_json("[]"))
    assert caught.value.field == "records"
