"""The FastAPI application: routers per area, one error mapping, observability."""

from __future__ import annotations

import threading

from fastapi import FastAPI

from gzchain import __version__
from gzchain.api.errors import install_error_handlers
from gzchain.api.idempotency import KeyWindow
from gzchain.api.limits import BodyLimits, BoundedBodies
from gzchain.api.observability import install_observability
from gzchain.api.rate_limits import CountedRequests, RateLimits
from gzchain.api.request_deadline import RequestDeadline
from gzchain.api.routes import business, certificates, coldchain, consortium, dns, epcis, health, petitions
from gzchain.api.routes.portal import install_portal
from gzchain.bootstrap import Runtime, api_key_service

DESCRIPTION = """
gzchain's service API. Public endpoints (lookups, verification, traces, the member list) need no
credentials. Every write needs an agency API key (`Authorization: Bearer gzk_…`, issued with
`gzchain api-keys create --agency ID`); the request acts as that agency and is signed with its key.
Role checks here match the on-chain roles, and the chain checks again. Errors are RFC 9457
`application/problem+json` bodies naming the field and the reason. POSTs accept an `Idempotency-Key`
(remembered for a day by default). Requests are rate-limited per client address, and per key once
authenticated: past a rate the answer is 429 with `Retry-After`.
"""


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="gzchain", version=__version__, description=DESCRIPTION)
    app.state.runtime = runtime
    app.state.trace_slots = threading.BoundedSemaphore(runtime.settings.trace_max_concurrent)
    app.state.api_keys = api_key_service(runtime)
    app.state.rate_limits = RateLimits.of(runtime.settings)
    install_error_handlers(app)
    install_observability(app, runtime)
    app.include_router(health.router)
    app.include_router(consortium.router)
    app.include_router(business.router)
    app.include_router(coldchain.router)
    app.include_router(certificates.router)
    app.include_router(epcis.router)
    app.include_router(dns.router)
    app.include_router(petitions.router)
    install_portal(app)
    # The last added runs first. No request holds its connection past its time; a flood from one address or
    # key is refused before its body is read; and no body reaches parsing or logging unbounded.
    app.add_middleware(KeyWindow, seconds=runtime.settings.idempotency_ttl_seconds)
    app.add_middleware(BoundedBodies, limits=BodyLimits.of(runtime.settings))
    app.add_middleware(
        CountedRequests, limits=app.state.rate_limits, authenticate=app.state.api_keys.authenticate
    )
    app.add_middleware(RequestDeadline, seconds=runtime.settings.request_timeout_seconds)
    return app
