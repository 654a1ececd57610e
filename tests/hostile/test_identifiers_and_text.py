"""Findings 6, 9 and 11 of issue #14 against a live server: look-alike GTINs, text that reads differently
from what it is (API and CLI), and GS1 Digital Link lot ids in every route and page that takes a lot."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import httpx2 as httpx
import pytest
from support.api import assert_problem
from support.records import a_record

from gzchain.domain.coldchain import Lot

CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CST)
GTIN = "07891234000019"
FULL_WIDTH_GTIN = "０７８９１２３４００００１９"
ARABIC_INDIC_GTIN = "٠٧٨٩١٢٣٤٠٠٠٠١٩"
PORT = "urn:epc:id:sgln:6901234.00001.0"
MISLEADING = {
    "U+202E right-to-left override": "Haizhu \u202eHealth Bureau",
    "U+200B zero-width space": "Haizhu\u200b Health Bureau",
    "U+2066 left-to-right isolate": "Haizhu \u2066Health Bureau",
    "NUL": "a\u0000<script>",
}


def batch(lot: str, gtin: str = GTIN) -> dict:
    return {
        "gtin": gtin,
        "lot": lot,
        "quantity": 100,
        "unit": "KGM",
        "origin": "BR",
        "min_celsius": "-30.0",
        "max_celsius": "-18.0",
    }


def post(server, path: str, body: dict, role: str, **headers: str) -> httpx.Response:
    return httpx.post(server.url + path, json=body, headers=server.headers(role, **headers), timeout=120)


# ---- finding 6: one GTIN, one batch id ----


def test_finding_6_a_full_width_gtin_names_the_same_batch_as_its_ascii_form(hostile_server):
    booked = post(hostile_server, "/coldchain/batches", batch("FW-6", FULL_WIDTH_GTIN), "operator")
    assert booked.status_code == 201, booked.text
    assert booked.json()["gtin"] == GTIN
    assert booked.json()["batch_id"] == "0x" + Lot(GTIN, "FW-6").batch_id.hex()
    again = post(hostile_server, "/coldchain/batches", batch("FW-6"), "operator")
    assert again.status_code == 409, again.text  # the same lot, not a look-alike second one
    traced = httpx.get(f"{hostile_server.url}/coldchain/batches/FW-6/trace", timeout=60)
    assert traced.status_code == 200, traced.text  # not "used with several GTINs"


def test_finding_6_a_gtin_in_another_script_s_digits_is_refused(hostile_server):
    refused = post(hostile_server, "/coldchain/batches", batch("AI-6", ARABIC_INDIC_GTIN), "operator")
    assert_problem(refused, 422, field="gtin")


def test_finding_6_a_full_width_lot_number_folds_to_ascii(hostile_server):
    booked = post(hostile_server, "/coldchain/batches", batch("ＦＷ－６Ｌ"), "operator")
    assert booked.status_code == 201, booked.text
    assert booked.json()["lot"] == "FW-6L"


# ---- finding 9: names and domains that mislead ----


@pytest.mark.parametrize("name", MISLEADING.values(), ids=MISLEADING.keys())
def test_finding_9_a_member_name_that_misleads_is_refused_by_the_api(hostile_server, name):
    proposal = {
        "kind": "add_member",
        "account": "0x00000000000000000000000000000000000000a9",
        "name": name,
        "domain": "wjj.haizhu.gov.cn",
    }
    assert_problem(post(hostile_server, "/consortium/proposals", proposal, "governor"), 422, field="name")


@pytest.mark.parametrize("domain", ["evil\u0000.com", "evil\u200b.com", "\u202emoc.live"])
def test_finding_9_a_domain_with_invisible_characters_is_refused_by_the_api(hostile_server, domain):
    proposal = {
        "kind": "add_member",
        "account": "0x00000000000000000000000000000000000000a9",
        "name": "Haizhu Health Bureau",
        "domain": domain,
    }
    assert_problem(post(hostile_server, "/consortium/proposals", proposal, "governor"), 422, field="domain")


@pytest.mark.parametrize("name", list(MISLEADING.values())[:3], ids=list(MISLEADING)[:3])
def test_finding_9_a_business_name_that_misleads_is_refused(hostile_server, name):
    refused = post(hostile_server, "/businesses", a_record(name=name), "governor")
    assert_problem(refused, 422, field="name")


@pytest.mark.parametrize(
    ("option", "value"),
    [("--name", "Haizhu \u202eHealth"), ("--name", "Haizhu\u2066 Health"), ("--domain", "wjj\u200b.gov.cn")],
    ids=["name U+202E", "name U+2066", "domain U+200B"],
)
def test_finding_9_the_cli_refuses_the_same_text(hostile_server, option, value):
    # A NUL cannot be passed in a command's arguments at all (argv is NUL-terminated).
    given = {"--name": "Haizhu Health Bureau", "--domain": "wjj.haizhu.gov.cn", option: value}
    done = hostile_server.cli(
        "consortium",
        "propose",
        "add-member",
        "--as",
        "gz-msa",
        "--account",
        "0x00000000000000000000000000000000000000a9",
        *[part for pair in given.items() for part in pair],
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"error: {option.removeprefix('--')}:" in done.stderr and "U+" in done.stderr


# ---- finding 11: Digital Link lot ids ----

DL_LOT = "DL-11"
DL_URI = f"https://id.gs1.org/01/{GTIN}/10/{DL_LOT}"


@pytest.fixture(scope="module")
def digital_link_lot(hostile_server) -> dict:
    """A lot booked and written to by its Digital Link URI, with one breaching reading."""
    booked = post(hostile_server, "/coldchain/batches", batch(DL_LOT), "operator")
    assert booked.status_code == 201, booked.text
    readings = [{"time": (T0 + timedelta(minutes=i)).isoformat(), "celsius": "-12.0"} for i in range(3)]
    event = {"biz_step": "transporting", "location": PORT, "time": T0.isoformat(), "readings": readings}
    recorded = post(hostile_server, f"/coldchain/batches/{DL_URI}/events", event, "operator")
    assert recorded.status_code == 201, recorded.text
    return recorded.json()


@pytest.mark.parametrize("spelt", [DL_URI, quote(DL_URI, safe="")], ids=["slashes", "percent-encoded"])
@pytest.mark.parametrize("route", ["trace", "status"])
def test_finding_11_a_digital_link_lot_id_is_read_by_every_public_route(
    hostile_server, digital_link_lot, spelt, route
):
    answer = httpx.get(f"{hostile_server.url}/coldchain/batches/{spelt}/{route}", timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "flagged"


def test_finding_11_a_reading_proof_is_served_for_a_digital_link_lot(hostile_server, digital_link_lot):
    trace = httpx.get(f"{hostile_server.url}/coldchain/batches/{DL_URI}/trace", timeout=60).json()
    digest = trace["temperatures"][0]["event_hash"]
    proof = httpx.get(
        f"{hostile_server.url}/coldchain/batches/{DL_URI}/events/{digest}/readings/0/proof", timeout=60
    )
    assert proof.status_code == 200, proof.text
    assert proof.json()["verified_on_chain"] is True


def test_finding_11_the_portal_page_of_a_digital_link_lot_opens(hostile_server, digital_link_lot):
    for spelt in (DL_URI, quote(DL_URI, safe="")):
        page = httpx.get(f"{hostile_server.url}/trace/{spelt}", timeout=60)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"], page.text[:500]


def test_finding_11_every_write_route_takes_a_digital_link_lot_id(hostile_server, digital_link_lot):
    released = post(
        hostile_server,
        f"/coldchain/batches/{DL_URI}/release",
        {"reason_code": "sensor-fault", "reason": "probe outside the carton"},
        "governor",
    )
    assert released.status_code == 201, released.text
    entitled = post(
        hostile_server,
        "/coldchain/entitlements",
        {"agency": "gz-customs", "kinds": ["customs-declaration"]},
        "governor",
    )
    assert entitled.status_code == 201, entitled.text
    certificate = {"kind": "customs-declaration", "document": base64.b64encode(b"%PDF-1.7 dl").decode()}
    attached = post(hostile_server, f"/coldchain/batches/{DL_URI}/certificates", certificate, "inspector")
    assert attached.status_code == 201, attached.text
    split = {
        "children": [{"lot": "DL-11-A", "quantity": 60}, {"lot": "DL-11-B", "quantity": 40}],
        "location": PORT,
        "time": (T0 + timedelta(hours=2)).isoformat(),
    }
    assert (
        answer := post(hostile_server, f"/coldchain/batches/{DL_URI}/splits", split, "operator")
    ).status_code == 201, answer.text
    child = f"https://id.gs1.org/01/{GTIN}/10/DL-11-A"
    recalled = post(
        hostile_server,
        f"/coldchain/batches/{quote(child, safe='')}/recall",
        {"reason_code": "pathogen-detected", "reason": "test"},
        "governor",
    )
    assert recalled.status_code == 201, recalled.text


@pytest.mark.parametrize("lot", ["..", "../etc", "a/..", ".", "/abs", "a/b"])
def test_finding_11_a_lot_number_that_is_a_path_is_refused(hostile_server, lot):
    assert_problem(post(hostile_server, "/coldchain/batches", batch(lot), "operator"), 422, field="lot")
