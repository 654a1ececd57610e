"""QR codes that open the portal: pack labels and certificate links, decoded back as a phone would."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zlib
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from gzchain.domain.coldchain import TemperatureWindow
from gzchain.domain.errors import InvalidInput
from gzchain.labels import (
    QR_CAPACITY_BYTES,
    PackLabel,
    label_png,
    label_svg,
    portal_base,
    trace_url,
    verify_url,
    write_label,
    write_qr,
)

BATCH_ID = bytes.fromhex("7f896c5b9da36b6974fd050906030704b481f2c8e676ee10cb08f84ac3cb697b")
LABEL = PackLabel(
    url=trace_url("https://trace.gz.gov.cn/", BATCH_ID),
    gtin="07891234000019",
    lot="BR2611-2366-A",
    origin="BR",
    quantity="8,000 KGM",
    window=TemperatureWindow.from_celsius("-30.0", "-18.0").label,
)


def decoded(image: Image.Image) -> str:
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    return codes[0].text


def certificate(fields: int) -> dict:
    """A wrapped-document-shaped object with `fields` salted values: salts are random-looking, so they barely
    compress, as in a real certificate."""
    data = {
        f"field{n}": f"{hashlib.sha256(bytes([n % 256, n // 256])).hexdigest()}:string:value {n}"
        for n in range(fields)
    }
    return {"version": "https://schema.openattestation.com/2.0/schema.json", "data": data, "signature": {}}


def test_a_trace_link_names_the_batch_by_its_id():
    assert (
        trace_url("https://trace.gz.gov.cn/", BATCH_ID) == f"https://trace.gz.gov.cn/trace/0x{BATCH_ID.hex()}"
    )


@pytest.mark.parametrize(
    "url",
    ["ftp://trace.gz.gov.cn", "trace.gz.gov.cn", "https://", "https://x.cn/?a=1", "https://x.cn/#a", ""],
)
def test_a_base_url_that_is_no_http_address_is_refused(url):
    with pytest.raises(InvalidInput) as refused:
        portal_base(url)
    assert refused.value.field == "--base-url"


def test_the_label_png_holds_a_qr_code_a_phone_decodes_to_the_trace_link():
    image = Image.open(io.BytesIO(label_png(LABEL)))

    assert decoded(image) == LABEL.url
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)  # PNG stores dots per metre


def test_the_label_svg_states_the_lot_facts_and_carries_the_link():
    svg = label_svg(LABEL)

    for text in ("GTIN:</tspan> 07891234000019", "Lot:</tspan> BR2611-2366-A", "Origin:</tspan> BR"):
        assert text in svg
    assert f"<title>{LABEL.url}</title>" in svg
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and re.search(r'<path [^>]*d="M', svg)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_write_label_picks_the_format_from_the_suffix(tmp_path: Path, suffix: str):
    out = tmp_path / f"label{suffix}"
    write_label(LABEL, out)

    head = out.read_bytes()[:8]
    assert head.startswith(b"\x89PNG") if suffix == ".png" else head.startswith(b"<svg")


def test_an_image_format_other_than_png_or_svg_is_refused(tmp_path: Path):
    with pytest.raises(InvalidInput) as refused:
        write_label(LABEL, tmp_path / "label.gif")
    assert refused.value.field == "--out"
    assert not (tmp_path / "label.gif").exists()


def test_a_certificate_link_carries_the_document_in_the_fragment_and_decodes_back():
    document = certificate(10)
    url = verify_url("https://zwfw.gz.gov.cn", document)

    base, _, fragment = url.partition("#doc=")
    assert base == "https://zwfw.gz.gov.cn/verify"
    packed = base64.urlsafe_b64decode(fragment + "=" * (-len(fragment) % 4))
    assert json.loads(zlib.decompress(packed, -15)) == document


def test_the_certificate_qr_code_decodes_to_the_link(tmp_path: Path):
    url = verify_url("https://zwfw.gz.gov.cn", certificate(10))
    write_qr(url, tmp_path / "qr.png")

    assert decoded(Image.open(tmp_path / "qr.png")) == url


def test_a_certificate_too_large_for_any_qr_code_is_refused_with_what_to_do():
    with pytest.raises(InvalidInput) as refused:
        verify_url("https://zwfw.gz.gov.cn", certificate(200))

    assert refused.value.field == "document"
    assert f"at most {QR_CAPACITY_BYTES:,}" in refused.value.reason
    assert "gzchain cert obfuscate" in refused.value.reason
