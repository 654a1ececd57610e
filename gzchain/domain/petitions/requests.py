"""What a resident signs with their credential key: the request itself, so a signature authorises only it.

The message is `gzchain petitions v1`, the action, the request's other fields as canonical JSON (sorted
keys, no spaces) and the time it was made, one per line; the credential key signs it as an EIP-191
personal message, which any Ethereum wallet can produce.
"""

from __future__ import annotations

import json
from typing import Any, Final

from gzchain.domain.errors import InvalidInput

PREFIX: Final = "gzchain petitions v1"
MAX_CLOCK_SKEW_S: Final = 300
ACTIONS: Final = frozenset({"propose", "token"})


def resident_message(action: str, fields: dict[str, Any], issued_at: int) -> str:
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r}", field="action")
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{PREFIX}\n{action}\n{body}\n{issued_at}"


def enrolment_message(credential: str) -> str:
    """What the resident signs to prove they hold the key they enrol."""
    return f"{PREFIX}\nenrol\n{credential.lower()}"


def check_fresh(issued_at: int, now: int) -> None:
    if abs(now - issued_at) > MAX_CLOCK_SKEW_S:
        raise InvalidInput(
            f"must be within {MAX_CLOCK_SKEW_S} s of the server's clock (unix seconds); sign again",
            field="issued_at",
        )
