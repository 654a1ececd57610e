"""Liveness and readiness for orchestrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gzchain.api.deps import RuntimeDep
from gzchain.domain.errors import GzchainError

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready to serve: chain reachable, store reachable, contracts deployed",
    responses={503: {"description": "a check failed; the body says which"}},
)
def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks: dict[str, Any] = {}
    ready = True
    try:
        gateway = runtime.gateway
        checks["chain"] = {
            "ok": True,
            "backend": gateway.backend.kind,
            "chain_id": gateway.chain_id,
            "height": gateway.block_number(),
        }
        validators = gateway.validators()
        if validators is not None:
            checks["chain"]["validators"] = validators
    except GzchainError as exc:
        checks["chain"], ready = {"ok": False, "reason": str(exc)}, False
    try:
        with runtime.store.session() as session:
            session.execute(text("SELECT 1"))
        checks["store"] = {"ok": True}
    except GzchainError as exc:
        checks["store"], ready = {"ok": False, "reason": str(exc)}, False
    try:
        manifest = runtime.require_manifest()
        missing = [name for name, c in manifest.contracts.items() if not runtime.gateway.code_at(c.address)]
        checks["contracts"] = {
            "ok": not missing,
            "deployed": sorted(manifest.contracts),
            "missing_code": missing,
        }
        ready = ready and not missing
    except GzchainError as exc:
        checks["contracts"], ready = {"ok": False, "reason": str(exc)}, False
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
