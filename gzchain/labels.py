"""QR codes that open the citizen portal: printable cold-chain pack labels and certificate links.

A pack label's QR opens `<base>/trace/<batchId>`. A certificate's QR opens `<base>/verify#doc=<data>`, where
<data> is the certificate's JSON, raw-DEFLATE compressed and base64url encoded: the part after `#` never
leaves the phone that scans it, so the portal verifies the certificate without the server ever storing it.
"""

from __future__ import annotations

import base64
import io
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import segno
from PIL import Image, ImageDraw, ImageFont

from gzchain.domain.coldchain import Trace
from gzchain.domain.errors import InvalidInput

# Version 40 in byte mode: the most a QR code holds at error level L, and at level M.
QR_CAPACITY_BYTES = 2953
_CAPACITY_AT_LEVEL_M = 2331
_FORMATS = (".png", ".svg")


def portal_base(url: str) -> str:
    """The portal's base URL (http or https, with a host), without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput(
            "must be the portal's http(s) address, e.g. https://trace.gz.gov.cn", field="--base-url"
        )
    return url.strip().rstrip("/")


def trace_url(base_url: str, batch_id: bytes) -> str:
    return f"{portal_base(base_url)}/trace/0x{batch_id.hex()}"


def verify_url(base_url: str, document: dict[str, Any]) -> str:
    """The verify page with the certificate in the fragment; refused if no QR code could hold it."""
    compact = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE: the browser's 'deflate-raw'
    packed = deflater.compress(compact) + deflater.flush()
    url = f"{portal_base(base_url)}/verify#doc={base64.urlsafe_b64encode(packed).decode().rstrip('=')}"
    if len(url.encode()) > QR_CAPACITY_BYTES:
        raise InvalidInput(
            f"the certificate is too large for a QR code: its link is {len(url.encode()):,} bytes, a QR code "
            f"holds at most {QR_CAPACITY_BYTES:,}. Present fewer fields (`gzchain cert obfuscate` or "
            "`gzchain wallet present`) or share the file itself",
            field="document",
        )
    return url


def qr_code(url: str) -> segno.QRCode:
    # Error level M survives smudges on a printed label; segno raises it further when the data allows.
    try:
        return segno.make_qr(url, error="m" if len(url) <= _CAPACITY_AT_LEVEL_M else "l", boost_error=True)
    except segno.DataOverflowError:
        raise InvalidInput(f"a {len(url):,}-byte link does not fit in a QR code", field="url") from None


def output_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise InvalidInput("must end in .png or .svg", field="--out")
    return suffix


def write_qr(url: str, out: Path) -> None:
    """The QR code alone, as PNG or SVG by the file's suffix."""
    output_format(out)
    qr_code(url).save(str(out), scale=8, border=4, dark="#000", light="#fff")


@dataclass(frozen=True)
class PackLabel:
    """What a printed pack label says next to its QR code."""

    url: str
    gtin: str
    lot: str
    origin: str
    quantity: str
    window: str

    @classmethod
    def of(cls, trace: Trace, base_url: str) -> PackLabel:
        batch = trace.batch
        return cls(
            url=trace_url(base_url, batch.batch_id),
            gtin=batch.gtin,
            lot=batch.lot.number if batch.lot else "0x" + batch.batch_id.hex(),
            origin=batch.origin,
            quantity=f"{batch.quantity:,} {batch.unit}",
            window=batch.window.label,
        )

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("GTIN", self.gtin),
            ("Lot", self.lot),
            ("Origin", self.origin),
            ("Quantity", self.quantity),
            ("Keep at", self.window),
        ]


def write_label(label: PackLabel, out: Path) -> None:
    """A printable label, PNG or SVG by the file's suffix: the QR on the left, the facts on the right."""
    if output_format(out) == ".svg":
        out.write_text(label_svg(label), encoding="utf-8")
    else:
        out.write_bytes(label_png(label))


_MODULE = 6  # px per QR module
_BORDER = 4  # modules of quiet zone
_TEXT_WIDTH = 360


def label_svg(label: PackLabel) -> str:
    qr = qr_code(label.url)
    side = (qr.symbol_size(scale=1, border=_BORDER)[0]) * _MODULE
    qr_svg = io.BytesIO()
    qr.save(qr_svg, kind="svg", scale=_MODULE, border=_BORDER, xmldecl=False, svgns=False, nl=False)
    body = qr_svg.getvalue().decode()
    path = body[body.index("<path") : body.index("/>", body.index("<path")) + 2]
    x = side + 8
    rows = [
        f'<text x="{x}" y="36" font-size="22" font-weight="bold">扫码溯源 · Scan to trace</text>',
        *(
            f'<text x="{x}" y="{72 + 30 * i}" font-size="17"><tspan font-weight="bold">{escape(key)}:'
            f"</tspan> {escape(value)}</text>"
            for i, (key, value) in enumerate(label.lines())
        ),
    ]
    width = side + _TEXT_WIDTH
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{side}" '
        f'viewBox="0 0 {width} {side}" font-family="sans-serif">'
        f"<title>{escape(label.url)}</title>"
        f'<rect width="{width}" height="{side}" fill="#fff" stroke="#000" stroke-width="2"/>'
        f"<g>{path}</g>{''.join(rows)}</svg>\n"
    )


def label_png(label: PackLabel) -> bytes:
    qr_png = io.BytesIO()
    qr_code(label.url).save(qr_png, kind="png", scale=_MODULE, border=_BORDER)
    qr_image = Image.open(io.BytesIO(qr_png.getvalue())).convert("RGB")
    side = qr_image.width
    image = Image.new("RGB", (side + _TEXT_WIDTH, side), "white")
    image.paste(qr_image, (0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width - 1, image.height - 1), outline="black", width=2)
    title, text = ImageFont.load_default(size=22), ImageFont.load_default(size=17)
    x = side + 8
    draw.text((x, 14), "Scan to trace", fill="black", font=title)
    for i, (key, value) in enumerate(label.lines()):
        draw.text((x, 56 + 30 * i), f"{key}: {value}", fill="black", font=text)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()
