"""Agency API credentials: issued once, stored only as argon2 hashes, verified per request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from gzchain.domain.errors import InvalidInput, NotFound, PermissionDenied
from gzchain.store.api import ApiKeyRow
from gzchain.store.db import Store

TOKEN_PREFIX = "gzk_"


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
    def __init__(self, store: Store, known_agencies: set[str]) -> None:
        self.store = store
        self.known_agencies = known_agencies
        self._hasher = PasswordHasher()
        # argon2 is slow on purpose; a verified secret's fast digest spares repeat requests the cost.
        self._verified: dict[str, bytes] = {}
        self._lock = threading.Lock()

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
                    secret_hash=self._hasher.hash(secret),
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
        with self._lock:
            self._verified.pop(key_id, None)

    def authenticate(self, token: str) -> str:
        """The agency a bearer token acts as; PermissionDenied otherwise, saying no more than needed."""
        key_id, _, secret = token.removeprefix(TOKEN_PREFIX).partition(".")
        if not token.startswith(TOKEN_PREFIX) or not key_id or not secret:
            raise PermissionDenied("malformed API key")
        digest = hashlib.sha256(secret.encode()).digest()
        with self.store.session() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None or row.revoked_at is not None:
                raise PermissionDenied("unknown or revoked API key")
            agency_id, secret_hash = row.agency_id, row.secret_hash
        with self._lock:
            cached = self._verified.get(key_id)
        if cached is not None and hmac.compare_digest(cached, digest):
            return agency_id
        try:
            self._hasher.verify(secret_hash, secret)
        except (VerificationError, InvalidHashError):
            raise PermissionDenied("unknown or revoked API key") from None
        with self._lock:
            self._verified[key_id] = digest
        return agency_id
