"""Request rates (issue #14), counted with the `limits` library in this process's memory.

Public requests count per client address; requests made with an agency key count per key once the key is
authenticated, so neither one agency's load nor a stranger's flood of wrong keys uses up another's share.
Failed authentications count against the address they came from. /healthz and /readyz are never limited:
they are how operators and load balancers see the server.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from gzchain.api.limits import problem_response
from gzchain.domain.errors import TooManyRequests
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


def agency_route_matcher(routes: Sequence[BaseRoute], needs_agency: Callable) -> Callable[[Scope], bool]:
    """Whether a request goes to a route that authenticates an agency (its key's counter applies there)."""
    guarded = [r for r in routes if isinstance(r, APIRoute) and _depends_on(r.dependant, needs_agency)]

    def matches(scope: Scope) -> bool:
        return any(route.matches(scope)[0] is Match.FULL for route in guarded)

    return matches


def _depends_on(dependant: Dependant, call: Callable) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


class PublicRateLimit:
    """ASGI middleware: 429 problem+json with Retry-After past the per-address rate, before any body."""

    def __init__(self, app: ASGIApp, limits: RateLimits, is_agency_request: Callable[[Scope], bool]) -> None:
        self.app = app
        self.limits = limits
        self.is_agency_request = is_agency_request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] not in EXEMPT_PATHS
            and not self.is_agency_request(scope)
        ):
            try:
                self.limits.hit_address(client_address(scope))
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
