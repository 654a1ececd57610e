"""The FastAPI application: routers per area, one error mapping, observability."""

from __future__ import annotations

from fastapi import FastAPI

from gzchain import __version__
from gzchain.api.errors import install_error_handlers
from gzchain.api.limits import BodyLimits, BoundedBodies
from gzchain.api.observability import install_observability
from gzchain.api.routes import business, certificates, coldchain, consortium, dns, epcis, health, petitions
from gzchain.api.routes.portal import install_portal
from gzchain.bootstrap import Runtime
from gzchain.services.api_keys import ApiKeyService

DESCRIPTION = """
gzchain's service API. Public endpoints (lookups, verification, traces, the member list) need no
credentials. Every write needs an agency API key (`Authorization: Bearer gzk_…`, issued with
`gzchain api-keys create --agency ID`); the request acts as that agency and is signed with its key.
Role checks here match the on-chain roles, and the chain checks again. Errors are RFC 9457
`application/problem+json` bodies naming the field and the reason. POSTs accept an `Idempotency-Key`.
"""


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="gzchain", version=__version__, description=DESCRIPTION)
    app.state.runtime = runtime
    app.state.api_keys = ApiKeyService(runtime.store, {a.id for a in runtime.genesis.agencies})
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
    # Added last, so it runs first: no body reaches parsing, authentication or logging unbounded.
    app.add_middleware(BoundedBodies, limits=BodyLimits.of(runtime.settings))
    return app
