"""`GET /dns-query`: OpenAttestation's DNS-TXT identity records, answered from the consortium registry in the
DNS-over-HTTPS JSON shape @govtechsg/dnsprove reads. Records exist only for active CERT_ISSUER members with a
document store; other names are NXDOMAIN or empty; malformed queries are problem+json naming the field."""

from __future__ import annotations

import pytest
from support.api import assert_problem

EDU_DOMAIN, HRSS_DOMAIN, MSA_DOMAIN = "jyj.gz.gov.cn", "rsj.gz.gov.cn", "scjgj.gz.gov.cn"


def dns(client, name: str, type: str = "TXT") -> dict:
    response = client.get("/dns-query", params={"name": name, "type": type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/dns-json")
    return response.json()


@pytest.fixture
def edu_store(client, auth) -> str:
    created = client.post("/certificates/stores", headers=auth("gz-edu"))
    assert created.status_code == 201, created.text
    return created.json()["address"]


def test_an_issuers_domain_has_one_openatts_record_naming_its_store_on_this_chain(client, runtime, edu_store):
    answer = dns(client, EDU_DOMAIN)
    assert answer["Status"] == 0 and answer["AD"] is False
    assert answer["Question"] == [{"name": f"{EDU_DOMAIN}.", "type": 16}]
    [record] = answer["Answer"]
    chain_id = runtime.gateway.chain_id
    assert record == {
        "name": f"{EDU_DOMAIN}.",
        "type": 16,
        "TTL": 60,
        "data": f'"openatts net=ethereum netId={chain_id} addr={edu_store}"',
    }


def test_the_name_is_matched_without_regard_to_case_or_a_trailing_dot_and_type_may_be_16(client, edu_store):
    for name, qtype in (("JYJ.GZ.gov.cn", "TXT"), (f"{EDU_DOMAIN}.", "txt"), (EDU_DOMAIN, "16")):
        [record] = dns(client, name, qtype)["Answer"]
        assert record["data"].endswith(f'addr={edu_store}"'), (name, qtype)


def test_a_name_that_is_no_members_domain_is_nxdomain_with_no_answers(client, edu_store):
    for name in ("example.com", "gov.cn", f"www.{EDU_DOMAIN}"):
        answer = dns(client, name)
        assert (answer["Status"], answer["Answer"]) == (3, []), name


def test_members_that_are_not_issuers_or_have_no_store_yet_publish_no_record(client, edu_store):
    assert dns(client, MSA_DOMAIN)["Answer"] == [] and dns(client, MSA_DOMAIN)["Status"] == 0  # a regulator
    assert dns(client, HRSS_DOMAIN)["Answer"] == [] and dns(client, HRSS_DOMAIN)["Status"] == 0  # no store


def test_other_record_types_of_an_issuers_domain_get_an_empty_noerror_answer(client, edu_store):
    for qtype in ("A", "aaaa", "1", "TYPE65"):
        answer = dns(client, EDU_DOMAIN, qtype)
        assert (answer["Status"], answer["Answer"]) == (0, []), qtype


def test_a_suspended_issuer_loses_its_record_from_the_next_block(client, auth, edu_store):
    assert len(dns(client, EDU_DOMAIN)["Answer"]) == 1
    suspend = {"kind": "suspend_member", "account": "gz-edu"}
    proposed = client.post("/consortium/proposals", json=suspend, headers=auth("gz-msa"))
    assert proposed.status_code == 201, proposed.text
    approved = client.post(
        f"/consortium/proposals/{proposed.json()['proposal']['id']}/approvals", headers=auth("gz-gsdata")
    )
    assert approved.status_code == 201 and approved.json()["executed"] is True, approved.text
    assert dns(client, EDU_DOMAIN)["Answer"] == []


def test_a_well_formed_name_of_exactly_253_characters_is_looked_up_not_refused(client):
    name = ".".join(("a" * 63, "b" * 63, "c" * 63, "d" * 61))
    assert len(name) == 253
    assert dns(client, name)["Status"] == 3


def test_a_name_over_253_characters_is_refused_naming_the_limit(client):
    body = assert_problem(
        client.get("/dns-query", params={"name": ("a" * 63 + ".") * 4 + "cn"}), 422, field="name"
    )
    assert "258" in body["detail"] and "253" in body["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"name": "jyj gz.gov.cn"}, "name"),
        ({"name": "-jyj.gz.gov.cn"}, "name"),
        ({"name": "jyj..gz.gov.cn"}, "name"),
        ({"name": "jyj.gz.gov.cn/../x"}, "name"),
        ({"name": "."}, "name"),
        ({"name": EDU_DOMAIN, "type": "NOTATYPE"}, "type"),
        ({"name": EDU_DOMAIN, "type": "65536"}, "type"),
        ({"name": EDU_DOMAIN, "type": "0"}, "type"),
        ({"name": EDU_DOMAIN, "type": "TYPE99999"}, "type"),
        ({"name": EDU_DOMAIN, "type": "²"}, "type"),
        ({"name": "jyj.gz.gov.cn\u0000"}, "name"),
        ({"name": "教育局.gz.gov.cn"}, "name"),
    ],
)
def test_a_malformed_name_or_type_is_refused_as_problem_json_naming_the_field(client, params, field):
    assert_problem(client.get("/dns-query", params=params), 422, field=field)


def test_a_query_without_a_name_is_refused_as_problem_json(client):
    assert_problem(client.get("/dns-query"), 422)
