"""EPC URIs and GS1 Digital Link URIs in the constrained canonical form the event hash uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.epcis import canonical_gs1_uri
from gzchain.domain.epcis.digital_link import check_digit


@pytest.mark.parametrize(
    ("uri", "canonical"),
    [
        ("urn:epc:id:sgtin:6901234.012345.1001", "https://id.gs1.org/01/06901234123456/21/1001"),
        ("urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876"),
        ("urn:epc:id:sscc:4012345.0000000333", "https://id.gs1.org/00/040123450000003338"),
        ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"),
        ("urn:epc:id:sgln:4012345.00011.987", "https://id.gs1.org/414/4012345000115/254/987"),
        ("urn:epc:id:pgln:4012345.00000", "https://id.gs1.org/417/4012345000009"),
        ("urn:epc:id:giai:4000001.111", "https://id.gs1.org/8004/4000001111"),
        ("urn:epc:id:gdti:4012345.55555.1234", "https://id.gs1.org/253/40123455555541234"),
        ("urn:epc:class:lgtin:4054739.099914.20160711", "https://id.gs1.org/01/04054739999148/10/20160711"),
        ("urn:epc:idpat:sgtin:4012345.066666.*", "https://id.gs1.org/01/04012345666663"),
        ("urn:epc:id:sgtin:6901234.012345.A%2FB", "https://id.gs1.org/01/06901234123456/21/A%2FB"),
        ("urn:epc:id:sgtin:6901234.012345.A:B", "https://id.gs1.org/01/06901234123456/21/A%3AB"),
    ],
)
def test_converts_epc_uris_to_digital_link(uri: str, canonical: str) -> None:
    assert canonical_gs1_uri(uri) == canonical


@pytest.mark.parametrize(
    ("uri", "canonical"),
    [
        (
            "https://id.gs1.de/01/04012345999990/21/XYZ-1234",
            "https://id.gs1.org/01/04012345999990/21/XYZ-1234",
        ),
        ("https://example.com/253/4012345000054987", "https://id.gs1.org/253/4012345000054987"),
        ("https://example.com/gtin/9520123456788/lot/ABC", "https://id.gs1.org/01/09520123456788/10/ABC"),
        (
            "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345",
            "https://id.gs1.org/01/09520123456788/21/12345",
        ),
        (
            "https://id.gs1.org/01/09520123456788/21/12345?17=201225",
            "https://id.gs1.org/01/09520123456788/21/12345",
        ),
        ("https://id.gs1.org/01/09520123456788/22/2A", "https://id.gs1.org/01/09520123456788"),
    ],
)
def test_constrains_digital_link_uris_to_the_finest_key_on_the_gs1_resolver(uri: str, canonical: str) -> None:
    assert canonical_gs1_uri(uri) == canonical


@pytest.mark.parametrize(
    "uri",
    [
        "urn:gzchain:cert:quarantine:2024-000123",
        "urn:epc:id:sgtin:6901234.12345.1001",
        "urn:epc:id:sscc:4012345.000000033",
        "geo:47.506694,11.104301",
        "https://gzchain.example/certificates/1",
        "https://ref.gs1.org/voc/Temperature",
        "KGM",
        "26.1",
    ],
)
def test_leaves_anything_that_names_no_gs1_key_alone(uri: str) -> None:
    assert canonical_gs1_uri(uri) is None


@given(st.text("0123456789", min_size=7, max_size=17))
def test_a_key_with_its_check_digit_sums_to_a_multiple_of_ten(digits: str) -> None:
    with_check = digits + str(check_digit(digits))
    weights = [3 if position % 2 else 1 for position, _ in enumerate(reversed(with_check))]

    assert (
        sum(int(digit) * weight for digit, weight in zip(reversed(with_check), weights, strict=True)) % 10
        == 0
    )


@given(st.integers(min_value=6, max_value=12), st.data())
def test_every_company_prefix_length_gives_the_same_gtin(prefix_length: int, data: st.DataObject) -> None:
    gtin_body = data.draw(st.text("0123456789", min_size=13, max_size=13))
    company, item = gtin_body[1 : prefix_length + 1], gtin_body[0] + gtin_body[prefix_length + 1 :]

    canonical = canonical_gs1_uri(f"urn:epc:id:sgtin:{company}.{item}.7")

    assert canonical == f"https://id.gs1.org/01/{gtin_body}{check_digit(gtin_body)}/21/7"
