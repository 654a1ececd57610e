"""Agency API credentials: issued once, stored as keyed digests, checked per request in constant time.

A token is `gzk_<key id>.<secret>` with a 256-bit random secret. Guessing such a secret is hopeless, so it
needs no slow password hash: the store keeps HMAC-SHA256(pepper, key id + secret), the pepper being a server
secret that is never stored beside it. Every check, whether the key id is unknown, revoked or real, computes
one HMAC and one constant-time comparison (against a dummy digest when there is no live row), so a failure
costs microseconds and its timing does not tell which key ids exist.

Keys issued before this scheme are argon2 hashes: such a key is verified once with argon2 (a few at a time,
never for a key id that is failing), and its row is then rewritten in the new form.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select, update

from gzchain.domain.errors import InvalidInput, NotFound, PermissionDenied, TooManyRequests
from gzchain.store.api import ApiKeyRow
from gzchain.store.db import Store

TOKEN_PREFIX = "gzk_"
DIGEST_SCHEME: Final = "hmac-sha256$"
LEGACY_SCHEME: Final = "$argon2"
# argon2 takes 64 MiB and tens of ms per verification: only this many run at once, and a request waits for a
# slot at most LEGACY_WAIT_SECONDS before it is told to retry.
ARGON2_AT_ONCE: Final = 2
LEGACY_WAIT_SECONDS: Final = 2.0
# What a token may look like; anything else is refused before any lookup or hashing.
_KEY_ID = re.compile(r"[0-9a-f]{1,32}")
_MAX_SECRET_CHARS: Final = 128
REFUSED: Final = "unknown or revoked API key"


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    agency_id: str
    token: str  # shown once; never stored


@dataclass(frozen=True)
class ApiKeyInfo:
    key_id: str
    agency_id: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyService:
    """Issues, lists, revokes and checks API keys.

    Failed checks are counted per key id (known or not, so the counting says nothing either) in a moving
    window, `failure_limit` (e.g. "10 per 5 minutes"). Past it, a failure is answered 429 with Retry-After
    instead of 401, and an argon2 key id is refused without running argon2. A right secret of a digest-form
    key is accepted even then: strangers sending wrong secrets cannot lock an agency out.
    """

    def __init__(
        self,
        store: Store,
        known_agencies: set[str],
        *,
        pepper: bytes,
        failure_limit: str = "10 per 5 minutes",
        hasher: PasswordHasher | None = None,
    ) -> None:
        if len(pepper) < 32:
            raise ValueError("the API key pepper must be at least 32 bytes")
        self.store = store
        self.known_agencies = known_agencies
        self._pepper = pepper
        self._hasher = hasher or PasswordHasher()
        self._dummy = self._digest("0", secrets.token_urlsafe(32))  # compared with when no live row exists
        self._failure_limit = parse(failure_limit)
        self._failures = MovingWindowRateLimiter(MemoryStorage())
        self._argon2_slots = threading.BoundedSemaphore(ARGON2_AT_ONCE)

    def create(self, agency_id: str) -> IssuedKey:
        if agency_id not in self.known_agencies:
            raise InvalidInput(f"unknown agency {agency_id!r}", field="agency")
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        with self.store.session() as session:
            session.add(
                ApiKeyRow(
                    key_id=key_id,
                    agency_id=agency_id,
                    secret_hash=self._digest(key_id, secret),
                    created_at=datetime.now(UTC),
                )
            )
        return IssuedKey(key_id, agency_id, f"{TOKEN_PREFIX}{key_id}.{secret}")

    def list(self) -> list[ApiKeyInfo]:
        with self.store.session() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [ApiKeyInfo(r.key_id, r.agency_id, r.created_at, r.revoked_at) for r in rows]

    def revoke(self, key_id: str) -> None:
        with self.store.session() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"no API key {key_id!r}")
            row.revoked_at = row.revoked_at or datetime.now(UTC)

    def authenticate(self, token: str) -> str:
        """The agency a bearer token acts as; PermissionDenied (or TooManyRequests) otherwise."""
        key_id, _, secret = token.removeprefix(TOKEN_PREFIX).partition(".")
        if (
            not token.startswith(TOKEN_PREFIX)
            or not _KEY_ID.fullmatch(key_id)
            or not 0 < len(secret) <= _MAX_SECRET_CHARS
        ):
            raise PermissionDenied("malformed API key")
        with self.store.session() as session:
            row = session.get(ApiKeyRow, key_id)
            live = row is not None and row.revoked_at is None
            agency_id = row.agency_id if live else ""
            stored = row.secret_hash if live else self._dummy
        if stored.startswith(LEGACY_SCHEME):
            if self._failing(key_id):
                self._refuse(key_id)
            matched = self._verify_legacy(key_id, secret, stored)
        else:
            matched = hmac.compare_digest(self._digest(key_id, secret), stored)
        if matched and live:
            return agency_id
        self._refuse(key_id)

    def _digest(self, key_id: str, secret: str) -> str:
        mac = hmac.digest(self._pepper, f"{key_id}.{secret}".encode(), hashlib.sha256)
        return DIGEST_SCHEME + mac.hex()

    def _failing(self, key_id: str) -> bool:
        return not self._failures.test(self._failure_limit, "key", key_id)

    def _refuse(self, key_id: str) -> NoReturn:
        """Count a failure, and say 401, or 429 once this key id has failed too often."""
        if self._failures.hit(self._failure_limit, "key", key_id):
            raise PermissionDenied(REFUSED)
        reset_at = self._failures.get_window_stats(self._failure_limit, "key", key_id).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise TooManyRequests(
            f"too many failed authentications for this key id (more than {self._failure_limit}); "
            f"retry after {retry_after} s",
            limit="auth_failure_limit",
            maximum=str(self._failure_limit),
            retry_after=retry_after,
        )

    def _verify_legacy(self, key_id: str, secret: str, stored: str) -> bool:
        """argon2 for a key issued before digests, then its row in digest form; at most a few at once."""
        if not self._argon2_slots.acquire(timeout=LEGACY_WAIT_SECONDS):
            raise TooManyRequests(
                "API key verification is busy; retry shortly",
                limit="argon2_at_once",
                maximum="2",
                retry_after=1,
            )
        try:
            with self.store.session() as session:
                now_stored = session.scalar(select(ApiKeyRow.secret_hash).where(ApiKeyRow.key_id == key_id))
            if now_stored is not None and not now_stored.startswith(LEGACY_SCHEME):
                # Another request with this token verified it while this one waited for a slot.
                return hmac.compare_digest(self._digest(key_id, secret), now_stored)
            self._hasher.verify(stored, secret)
        except (VerificationError, InvalidHashError):
            return False
        finally:
            self._argon2_slots.release()
        with self.store.session() as session:
            # Only if the row still holds the hash just verified: a replaced or revoked key stays as it is.
            session.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.key_id == key_id, ApiKeyRow.secret_hash == stored)
                .values(secret_hash=self._digest(key_id, secret))
            )
        return True
