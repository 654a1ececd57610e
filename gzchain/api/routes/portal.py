"""The citizen portal: static pages from gzchain/web, under a strict Content-Security-Policy.

Each page is a fixed HTML shell; its script reads the batch or USCC from the address and calls the public
API on the same origin. The policy forbids inline script and any other origin, so a page can only ever talk
to this server. Portal routes stay out of the OpenAPI schema: they are pages, not API.
"""

from __future__ import annotations

import os
from importlib.resources import files
from os import PathLike
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB = Path(str(files("gzchain") / "web"))
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _page(name: str) -> FileResponse:
    return FileResponse(WEB / f"{name}.html", media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/")
def home() -> FileResponse:
    return _page("index")


@router.get("/verify")
def verify() -> FileResponse:
    return _page("verify")


@router.get("/trace")
def trace_search() -> RedirectResponse:
    return RedirectResponse("/#trace", status_code=307)


# `path`: a lot may be named by its GS1 Digital Link URI, which has slashes.
@router.get("/trace/{batch:path}")
def trace(batch: Annotated[str, PathParam(max_length=300)]) -> FileResponse:
    return _page("trace")


@router.get("/business")
def business_search() -> FileResponse:
    return _page("business")


@router.get("/business/{uscc}")
def business(uscc: Annotated[str, PathParam(max_length=32)]) -> FileResponse:
    return _page("business")


class _PortalStatic(StaticFiles):
    """Scripts, styles and icons, with the same headers as the pages."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(SECURITY_HEADERS)
        return response


def install_portal(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/portal", _PortalStatic(directory=WEB / "static"), name="portal")
