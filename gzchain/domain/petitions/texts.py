"""Proposal, rejection and response texts: off chain, committed on chain by a salted SHA-256.

The salt (128 bits at least, 256 here) makes the hash useless to anyone guessing the words: a short reply
("Rejected.") or a proposal copied from the news cannot be confirmed from the chain.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from typing import Final

from gzchain.domain.errors import InvalidInput
from gzchain.domain.text import check_display_text

SALT_BYTES: Final = 32
MAX_TITLE_CHARS: Final = 200
MAX_TEXT_CHARS: Final = 20_000
_LABEL: Final = b"gzchain petition text v1\x00"


@dataclass(frozen=True)
class SaltedText:
    text: str
    salt: bytes

    @property
    def hash(self) -> bytes:
        return text_hash(self.text, self.salt)


def text_hash(text: str, salt: bytes) -> bytes:
    """SHA-256(label ‖ salt ‖ UTF-8 of the NFC text): what the chain holds for a text."""
    if len(salt) < 16:
        raise InvalidInput("must be at least 128 bits", field="salt")
    return hashlib.sha256(_LABEL + salt + unicodedata.normalize("NFC", text).encode()).digest()


def salted(text: str) -> SaltedText:
    return SaltedText(unicodedata.normalize("NFC", text), os.urandom(SALT_BYTES))


def clean_text(value: object, *, field: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """A resident's or an office's words: a non-empty string of bounded length, no misleading characters."""
    if not isinstance(value, str):
        raise InvalidInput("must be a string", field=field)
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise InvalidInput("must not be empty", field=field)
    if len(text) > max_chars:
        raise InvalidInput(f"has more than {max_chars} characters", field=field)
    text = text.replace("\r\n", "\n")
    for line in text.split("\n"):  # line breaks are the one control character a long text needs
        check_display_text(line, field=field)
    return text
