"""Request rates (issue #14), counted with the `limits` library in this process's memory.

Requests made with a valid agency key count per key; every other request, including one whose key fails,
counts per client address. So neither one agency's load nor a stranger's flood of wrong keys uses up another
agency's share. /healthz and /readyz are never limited:
they are how operators and load balancers see the server.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from gzchain.api.limits import problem_response
from gzchain.domain.errors import PermissionDenied, TooManyRequests
from gzchain.services.api_keys import TOKEN_PREFIX
from gzchain.settings import Settings

EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})


class RateLimits:
    """The counters of one server: per client address, and per agency key."""

    def __init__(self, public: str, writes: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self.public: RateLimitItem = parse(public)
        self.writes: RateLimitItem = parse(writes)

    @classmethod
    def of(cls, settings: Settings) -> RateLimits:
        return cls(settings.rate_limit_public, settings.rate_limit_writes)

    def hit_address(self, address: str) -> None:
        self._hit(self.public, "rate_limit_public", "address", address, f"client address {address}")

    def hit_key(self, key_id: str) -> None:
        self._hit(self.writes, "rate_limit_writes", "key", key_id, f"API key {key_id}")

    def _hit(self, item: RateLimitItem, setting: str, kind: str, who: str, described: str) -> None:
        if self._limiter.hit(item, kind, who):
            return
        reset_at = self._limiter.get_window_stats(item, kind, who).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise TooManyRequests(
            f"more than {item} requests from {described}; retry after {retry_after} s",
            limit=setting,
            maximum=str(item),
            retry_after=retry_after,
        )


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


AGENCY = "gzchain.agency"  # scope state: the agency a valid bearer token acts as
REFUSAL = "gzchain.auth_refusal"  # scope state: why a bearer token was refused


class CountedRequests:
    """ASGI middleware, before any body is read: a request with a bearer token is authenticated here (a
    keyed digest, cheap) and counted against its key; any other request, and one whose token fails, is counted
    against its client address. Past a rate: 429 problem+json with Retry-After. The outcome is left in the
    scope's state for `current_agency`, so a token is checked once per request."""

    def __init__(self, app: ASGIApp, limits: RateLimits, authenticate: Callable[[str], str]) -> None:
        self.app = app
        self.limits = limits
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            await self._count(scope)
        except TooManyRequests as exc:
            await problem_response(
                send,
                429,
                "Too Many Requests",
                str(exc),
                exc.limit,
                exc.maximum,
                retry_after=exc.retry_after,
            )
            return
        await self.app(scope, receive, send)

    async def _count(self, scope: Scope) -> None:
        token = _bearer_token(scope)
        if token is None:
            self.limits.hit_address(client_address(scope))
            return
        state = scope.setdefault("state", {})
        try:
            # The store read blocks; the thread pool keeps the event loop serving others meanwhile.
            state[AGENCY] = await run_in_threadpool(self.authenticate, token)
        except PermissionDenied as exc:
            state[REFUSAL] = str(exc)
            self.limits.hit_address(client_address(scope))
            return
        self.limits.hit_key(token.removeprefix(TOKEN_PREFIX).partition(".")[0])


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None
