"""Typed dependencies: the runtime, the authenticated agency, role checks before any transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gzchain.api.rate_limits import AGENCY, REFUSAL
from gzchain.bootstrap import Runtime
from gzchain.domain.errors import PermissionDenied
from gzchain.domain.roles import Role
from gzchain.services.api_keys import ApiKeyService

_bearer = HTTPBearer(auto_error=False, description="An agency API key from `gzchain api-keys create`")


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_api_keys(request: Request) -> ApiKeyService:
    return request.app.state.api_keys


def get_trace_slots(request: Request) -> threading.BoundedSemaphore:
    return request.app.state.trace_slots


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# A trace holds every reading of a lot while it checks them (a hundred thousand for the largest allowed
# document): taking a slot bounds how many are held at once, whoever asks.
TraceSlots = Annotated[threading.BoundedSemaphore, Depends(get_trace_slots)]
ApiKeysDep = Annotated[ApiKeyService, Depends(get_api_keys)]


@dataclass(frozen=True)
class Agency:
    """The agency a request acts as; its key signs every transaction the request sends."""

    id: str


def current_agency(
    request: Request,
    api_keys: ApiKeysDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Agency:
    state = request.scope.get("state", {})
    if AGENCY in state:  # authenticated, and counted, as the request came in
        agency = Agency(state[AGENCY])
    elif REFUSAL in state:
        raise HTTPException(401, state[REFUSAL], headers={"WWW-Authenticate": "Bearer"})
    elif credentials is None:
        raise HTTPException(
            401, "this endpoint needs an agency API key", headers={"WWW-Authenticate": "Bearer"}
        )
    else:
        try:
            agency = Agency(api_keys.authenticate(credentials.credentials))
        except PermissionDenied as exc:
            raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    request.state.agency_id = agency.id  # for the access log
    return agency


CurrentAgency = Annotated[Agency, Depends(current_agency)]


def require_role(*roles: Role) -> Callable[..., Agency]:
    """The same check the contract makes, made first: a 403 here costs no transaction."""

    def check(agency: CurrentAgency, runtime: RuntimeDep) -> Agency:
        return holding(runtime, agency, *roles)

    return check


def holding(runtime: Runtime, agency: Agency, *roles: Role) -> Agency:
    """`agency` if it actively holds one of `roles`; for routes whose role depends on the request body."""
    consortium = runtime.consortium()
    if not any(consortium.has_active_role(agency.id, role) for role in roles):
        needed = " or ".join(role.value for role in roles)
        raise PermissionDenied(f"agency {agency.id!r} does not actively hold the {needed} role")
    return agency


Governor = Annotated[Agency, Depends(require_role(Role.GOVERNOR))]
Registrar = Annotated[Agency, Depends(require_role(Role.REGISTRAR))]
Notariser = Annotated[Agency, Depends(require_role(Role.NOTARY, Role.REGISTRAR))]
Regulator = Annotated[Agency, Depends(require_role(Role.REGULATOR))]
ColdChainOperator = Annotated[Agency, Depends(require_role(Role.COLDCHAIN_OPERATOR))]
# Certificates are attached by inspectors (customs, quarantine, tests) or by the supervised warehouse.
Certifier = Annotated[Agency, Depends(require_role(Role.INSPECTOR, Role.COLDCHAIN_OPERATOR))]
CertIssuer = Annotated[Agency, Depends(require_role(Role.CERT_ISSUER))]
