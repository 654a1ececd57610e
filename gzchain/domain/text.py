"""Text that reads the same to everyone: canonical identifiers, and names that cannot mislead a reader.

Identifiers are folded with NFKC first (a full-width ０ typed on a Chinese input method is the digit 0),
then must be ASCII, so that no two spellings of one identifier derive two ids. Names and domains may not
hold control characters or Unicode format characters (category Cf: the bidirectional overrides and
isolates that reorder what a reader sees, zero-width spaces and joiners that hide a difference).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from gzchain.domain.errors import InvalidInput

# The control and format characters the Consortium contract refuses too (_requirePlainText), by code point.
CONTRACT_FORMAT_RANGES: Final = (
    (0x0000, 0x001F),  # C0 controls
    (0x007F, 0x009F),  # DEL and the C1 controls
    (0x00AD, 0x00AD),  # soft hyphen
    (0x061C, 0x061C),  # Arabic letter mark
    (0x200B, 0x200F),  # zero-width space, joiners, left-to-right and right-to-left marks
    (0x202A, 0x202E),  # bidirectional embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidirectional isolates, deprecated format characters
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte-order mark)
)

_LABEL: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)


def canonical_ascii(text: object, *, field: str, what: str) -> str:
    """``text`` NFKC-folded and stripped, if that is ASCII; else InvalidInput naming the first other
    character (digits of other scripts, ٠١٢, are not folded by NFKC and are refused here)."""
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be a string", field=field)
    folded = unicodedata.normalize("NFKC", text).strip()
    for position, char in enumerate(folded, start=1):
        if not char.isascii():
            raise InvalidInput(
                f"{what} must be written in ASCII letters and digits; character {position} is {_named(char)}",
                field=field,
            )
    return folded


def misleading_character(text: str) -> str | None:
    """The first control, format (Cf) or surrogate character of ``text``, described, or None."""
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            return f"character {position} is {_named(char)}"
    return None


def check_display_text(text: str, *, field: str) -> str:
    """``text`` if it has no character that could make readers see something else than what is stored."""
    found = misleading_character(text)
    if found is not None:
        raise InvalidInput(
            f"{found}: control and invisible formatting characters (such as right-to-left overrides or "
            "zero-width spaces) are not allowed, they make a text read differently from what it is",
            field=field,
        )
    return text


def canonical_domain(text: object, *, field: str = "domain") -> str:
    """An internet domain as the consortium keys members by it: NFKC-folded, lower case, ASCII labels of
    letters, digits and hyphens (an internationalised domain is given in its xn-- form)."""
    domain = canonical_ascii(text, field=field, what="a domain").lower().rstrip(".")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidInput(
            "must be an internet domain such as jyj.gz.gov.cn (letters, digits and hyphens between dots; "
            "an internationalised domain in its xn-- form)",
            field=field,
        )
    return domain


def _named(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")
