"""Constrained canonical GS1 Digital Link URIs, as the CBV 2.0 event hash writes identifiers.

``canonical_gs1_uri`` turns an EPC URI (``urn:epc:id:sgtin:4012345.011111.9876``), EPC class or pattern
URI, or any GS1 Digital Link URI into ``https://id.gs1.org/...`` with only the finest identification
level and no query string; anything else gives ``None``. It follows the reference event-hash
generator's normaliser (github.com/RalphTro/epcis-event-hash-generator, MIT), quirks included, because
a hash that differs from the reference in one identifier is a different hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

GS1_RESOLVER: Final = "https://id.gs1.org"

# One character of an EPC serial or reference: a safe ASCII character or a percent escape.
_CHAR: Final = (
    r"(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]"
    r"|[!')(*+,.0-9:;=A-Za-z_-])"
)
_CPI_CHAR: Final = r"(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])"
# Characters a constrained canonical Digital Link may carry in a key qualifier.
_DL_CHARS: Final = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"
_COMPANY_PREFIX_LENGTHS: Final = range(6, 13)
_URN_PERCENT_ENCODED: Final = str.maketrans(
    {"!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B", ",": "%2C", ":": "%3A"}
)


def check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit of a key without it (GTIN, SSCC, GLN, GRAI, GSRN, ...)."""
    total = sum(
        int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(digits))
    )
    return -total % 10


def canonical_gs1_uri(uri: str) -> str | None:
    """The constrained canonical GS1 Digital Link URI for ``uri``, or ``None`` if it names no GS1 key."""
    if "." not in uri:
        return None
    for scheme in _EPC_SCHEMES:
        found = scheme.pattern.match(uri)
        if found is not None:
            return GS1_RESOLVER + scheme.render(uri, uri.index("."))
    return _constrain_digital_link(uri)


def _split(total_digits: int, *, twelve: str | None = None) -> str:
    """Company prefix and reference with ``total_digits`` between them, for each prefix length."""
    options = [rf"\d{{{length}}}\.\d{{{total_digits - length}}}" for length in _COMPANY_PREFIX_LENGTHS]
    if twelve is not None:
        options[-1] = twelve
    return "(?:" + "|".join(options) + ")"


def _company_prefix_with(reference: str, budget: int) -> str:
    """Company prefix plus a free-form reference whose length shrinks as the prefix grows."""
    return (
        "(?:" + "|".join(rf"\d{{{n}}}\.{reference}{{1,{budget - n}}}" for n in _COMPANY_PREFIX_LENGTHS) + ")"
    )


def _encoded(text: str) -> str:
    return text.translate(_URN_PERCENT_ENCODED)


def _gtin(uri: str, start: int, dot: int) -> str:
    """GTIN-14 with check digit from ``company.indicatorItem`` between ``start`` and the next dot."""
    company = uri[start:dot]
    item = uri[dot + 1 : dot + 1 + 13 - len(company)]
    body = item[:1] + company + item[1:]
    return body + str(check_digit(body))


def _keyed(uri: str, start: int, dot: int, width: int, *, lead: str = "") -> str:
    """A key made of a company prefix and a fixed-width reference, with its check digit."""
    company = uri[start:dot]
    body = lead + company + uri[dot + 1 : dot + 1 + width - len(company)]
    return body + str(check_digit(body))


def _sscc(uri: str, start: int, dot: int) -> str:
    body = uri[dot + 1 : dot + 2] + uri[start:dot] + uri[dot + 2 :]
    return body + str(check_digit(body))


def _sgln(uri: str, start: int, dot: int) -> str:
    gln = _keyed(uri, start, dot, 12)
    extension = uri[30:]
    return f"/414/{gln}" if extension == "0" else f"/414/{gln}/254/{_encoded(extension)}"


def _cpi(uri: str, start: int, dot: int, *, with_serial: bool) -> str:
    last_dot = uri.rfind(".")
    part = _encoded(uri[start:dot] + uri[dot + 1 : last_dot])
    return f"/8010/{part}/8011/{uri[last_dot + 1 :]}" if with_serial else f"/8010/{part}"


@dataclass(frozen=True)
class _EpcScheme:
    pattern: re.Pattern[str]
    render: Callable[[str, int], str]


def _scheme(prefix: str, body: str, render: Callable[[str, int, int], str]) -> _EpcScheme:
    start = len(prefix)
    return _EpcScheme(re.compile(re.escape(prefix) + body), lambda uri, dot: render(uri, start, dot))


_EPC_SCHEMES: Final = (
    _scheme(
        "urn:epc:id:sgtin:",
        _split(13) + rf"\.{_CHAR}{{1,20}}$",
        lambda u, s, d: f"/01/{_gtin(u, s, d)}/21/{_encoded(u[32:])}",
    ),
    _scheme("urn:epc:id:sscc:", _split(17) + "$", lambda u, s, d: f"/00/{_sscc(u, s, d)}"),
    _scheme("urn:epc:id:sgln:", _split(12, twelve=r"\d{12}\.") + rf"\.{_CHAR}{{1,20}}$", _sgln),
    _scheme(
        "urn:epc:id:grai:",
        _split(12, twelve=r"\d{12}\.\.") + rf"\.{_CHAR}{{1,16}}$",
        lambda u, s, d: f"/8003/{_keyed(u, s, d, 12, lead='0')}{_encoded(u[30:])}",
    ),
    _scheme(
        "urn:epc:id:giai:",
        _company_prefix_with(_CHAR, 30) + "$",
        lambda u, s, d: f"/8004/{u[s:d]}{_encoded(u[d + 1 :])}",
    ),
    _scheme("urn:epc:id:gsrn:", _split(17) + "$", lambda u, s, d: f"/8018/{_keyed(u, s, d, 17)}"),
    _scheme("urn:epc:id:gsrnp:", _split(17) + "$", lambda u, s, d: f"/8017/{_keyed(u, s, d, 17)}"),
    _scheme(
        "urn:epc:id:gdti:",
        _split(12, twelve=r"\d{12}\.\.") + rf"{_CHAR}{{1,20}}$",
        lambda u, s, d: f"/253/{_keyed(u, s, d, 12)}{_encoded(u[30:])}",
    ),
    _scheme(
        "urn:epc:id:cpi:",
        _company_prefix_with(_CPI_CHAR, 30) + r"\.\d{1,12}$",
        lambda u, s, d: _cpi(u, s, d, with_serial=True),
    ),
    _scheme(
        "urn:epc:id:sgcn:",
        _split(12, twelve=r"\d{12}\.") + r"\.\d{1,12}$",
        lambda u, s, d: f"/255/{_keyed(u, s, d, 12)}{u[30:]}",
    ),
    _scheme(
        "urn:epc:id:ginc:",
        _company_prefix_with(_CHAR, 30) + "$",
        lambda u, s, d: f"/401/{u[s:d]}{_encoded(u[d + 1 :])}",
    ),
    _scheme("urn:epc:id:gsin:", _split(16) + "$", lambda u, s, d: f"/402/{_keyed(u, s, d, 16)}"),
    _scheme(
        "urn:epc:id:itip:",
        _split(13) + rf"\.\d{{2}}\.\d{{2}}\.{_CHAR}{{1,20}}$",
        lambda u, s, d: f"/8006/{_gtin(u, s, d)}{u[31:33]}{u[34:36]}/21/{_encoded(u[37:])}",
    ),
    _scheme(
        "urn:epc:id:upui:",
        _split(13) + rf"\.{_CHAR}{{1,28}}$",
        lambda u, s, d: f"/01/{_gtin(u, s, d)}/235/{_encoded(u[31:])}",
    ),
    _scheme(
        "urn:epc:id:pgln:",
        _split(12, twelve=r"\d{12}\.") + "$",
        lambda u, s, d: f"/417/{_keyed(u, s, d, 12)}",
    ),
    _scheme(
        "urn:epc:class:lgtin:",
        _split(13) + rf"\.{_CHAR}{{1,20}}$",
        lambda u, s, d: f"/01/{_gtin(u, s, d)}/10/{_encoded(u[35:])}",
    ),
    _scheme("urn:epc:idpat:sgtin:", _split(13) + r"\.\*$", lambda u, s, d: f"/01/{_gtin(u, s, d)}"),
    _scheme(
        "urn:epc:idpat:grai:",
        _split(12, twelve=r"\d{12}\.\.") + r"\.\*$",
        lambda u, s, d: f"/8003/{_keyed(u, s, d, 12, lead='0')}",
    ),
    _scheme(
        "urn:epc:idpat:gdti:",
        _split(12, twelve=r"\d{12}\.\.") + r"\.\*$",
        lambda u, s, d: f"/253/{_keyed(u, s, d, 12)}",
    ),
    _scheme(
        "urn:epc:idpat:sgcn:",
        _split(12, twelve=r"\d{12}\.\.") + r"\.\*$",
        lambda u, s, d: f"/255/{_keyed(u, s, d, 12)}",
    ),
    _scheme(
        "urn:epc:idpat:cpi:",
        _company_prefix_with(_CPI_CHAR, 30) + r"\.\*$",
        lambda u, s, d: _cpi(u, s, d, with_serial=False),
    ),
    _scheme(
        "urn:epc:idpat:itip:",
        _split(13) + r"\.\d{2}\.\d{2}\.\*$",
        lambda u, s, d: f"/8006/{_gtin(u, s, d)}{u[34:36]}{u[37:39]}",
    ),
    _scheme("urn:epc:idpat:upui:", _split(13) + r"\.\*$", lambda u, s, d: f"/01/{_gtin(u, s, d)}"),
)

_PRIMARY_KEYS: Final = (
    "01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc"
    "|402|gsin|8003|grai|8004|giai"
)
_DIGITAL_LINK: Final = re.compile(
    r"https?:(?://(?:(?:[^/?#]*)@)?(?:[^/?#:]*)(?::(?:[^/?#]*))?)?"
    rf"(?:(?:[^?#]*)/(?:{_PRIMARY_KEYS})/\d{{4}}[^/]+(?:/[^/]+/[^/]+)?/?(?:\?[^?\n]*)?(?:#[^\n]*)?"
    r"|/[A-Za-z_-]{10}$)"
)
_SHORT_NAMES: Final = (
    ("/gtin/", "/01/"),
    ("/itip/", "/8006/"),
    ("/cpid/", "/8010/"),
    ("/gln/", "/414/"),
    ("/party/", "/417/"),
    ("/gsrnp/", "/8017/"),
    ("/gsrn/", "/8018/"),
    ("/gcn/", "/255/"),
    ("/sscc/", "/00/"),
    ("/gdti/", "/253/"),
    ("/ginc/", "/401/"),
    ("/gsin/", "/402/"),
    ("/grai/", "/8003/"),
    ("/giai/", "/8004/"),
    ("/cpv/", "/22/"),
    ("/lot/", "/10/"),
    ("/ser/", "/21/"),
)
_ON_RESOLVER: Final = re.compile(
    r"https://id.gs1.org/(?:01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)/\d{4}[^/]"
)
# Where to cut a URI on a custom domain, first match wins.
_REBASE_KEYS: Final = (
    "/00/",
    "/01/",
    "/253/",
    "/255/",
    "/401/",
    "/402/",
    "/414/",
    "/417/",
    "/8003/",
    "/8004/",
    "/8006/",
    "/8010/",
    "/8017/",
    "/8018/",
)
_GTIN_PADDING: Final = (
    (re.compile(r"https://id.gs1.org/01/\d{13}"), "0"),
    (re.compile(r"https://id.gs1.org/01/\d{12}"), "00"),
    (re.compile(r"https://id.gs1.org/01/\d{8}"), "000000"),
)
_GTIN_14: Final = re.compile(r"https://id.gs1.org/01/\d{14}")
_CPV_LAST: Final = re.compile(rf"https://id.gs1.org/(?:8006/\d{{18}}|01/\d{{14}})/22/{_DL_CHARS}{{0,20}}$")
_CPV_INNER: Final = re.compile(
    r"https://id.gs1.org/(?:8006/\d{18}|01/\d{14})/22/[/\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20}$"
)
_LOT_AND_SERIAL: Final = re.compile(
    rf"https://id.gs1.org/(?:8006/\d{{18}}|01/\d{{14}})/10/{_DL_CHARS}{{0,20}}/21/{_DL_CHARS}{{0,20}}$"
)
_CONSTRAINED: Final = re.compile(
    "|".join(
        (
            r"https://id.gs1.org/00/\d{18}$",
            rf"https://id.gs1.org/01/\d{{14}}/21/{_DL_CHARS}{{0,20}}$",
            rf"https://id.gs1.org/01/\d{{14}}/10/{_DL_CHARS}{{0,20}}$",
            r"https://id.gs1.org/01/\d{14}$",
            rf"https://id.gs1.org/01/\d{{14}}/235/{_DL_CHARS}{{0,28}}$",
            rf"https://id.gs1.org/253/\d{{13}}{_DL_CHARS}{{0,17}}$",
            r"https://id.gs1.org/255/\d{13}\d{0,12}$",
            rf"https://id.gs1.org/401/{_DL_CHARS}{{0,30}}$",
            r"https://id.gs1.org/402/\d{17}$",
            r"https://id.gs1.org/414/\d{13}$",
            rf"https://id.gs1.org/414/\d{{13}}/254/{_DL_CHARS}{{0,20}}$",
            r"https://id.gs1.org/417/\d{13}$",
            rf"https://id.gs1.org/8003/\d{{14}}{_DL_CHARS}{{0,16}}$",
            rf"https://id.gs1.org/8004/{_DL_CHARS}{{0,30}}$",
            rf"https://id.gs1.org/8006/\d{{18}}/21/{_DL_CHARS}{{0,20}}$",
            rf"https://id.gs1.org/8006/\d{{18}}/10/{_DL_CHARS}{{0,20}}$",
            r"https://id.gs1.org/8006/\d{18}$",
            r"https://id.gs1.org/8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}/8011/\d{0,12}$",
            r"https://id.gs1.org/8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}$",
            r"https://id.gs1.org/8017/\d{18}$",
            r"https://id.gs1.org/8018/\d{18}$",
        )
    )
)


def _constrain_digital_link(uri: str) -> str | None:
    if _DIGITAL_LINK.match(uri) is None:
        return None
    uri = uri.split("?", 1)[0]
    for short_name, application_identifier in _SHORT_NAMES:
        uri = uri.replace(short_name, application_identifier)
    if _ON_RESOLVER.match(uri) is None:
        key = next((key for key in _REBASE_KEYS if key in uri), None)
        if key is not None:
            uri = GS1_RESOLVER + uri[uri.find(key) :]
    if _GTIN_14.match(uri) is None:
        padding = next((zeros for pattern, zeros in _GTIN_PADDING if pattern.match(uri)), "")
        uri = uri.replace("/01/", "/01/" + padding) if padding else uri
    after_cpv = uri[uri.find("/22/") + 4 :]
    if _CPV_LAST.match(uri):
        uri = uri[: uri.find("/22/")]
    elif _CPV_INNER.match(uri):
        uri = uri[: uri.find("/22/")] + after_cpv[after_cpv.find("/") :]
    if _LOT_AND_SERIAL.match(uri):
        after_lot = uri[uri.find("/10/") + 4 :]
        uri = uri[: uri.find("/10/")] + after_lot[after_lot.find("/") :]
    return uri if _CONSTRAINED.match(uri) else None
