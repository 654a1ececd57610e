"""The citizen portal: static pages from gzchain/web, under a strict Content-Security-Policy.

Each page is a fixed HTML shell: web/layout.html (the head, header and footer every page shares) around the
page's own main part from web/pages/. Its script reads the batch or USCC from the address and calls the
public API on the same origin. The policy forbids inline script and any other origin, so a page can only
ever talk to this server. Portal routes stay out of the OpenAPI schema: they are pages, not API.
"""

from __future__ import annotations

import os
from importlib.resources import files
from os import PathLike
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse
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


# Each page's main part in web/pages/, by the name of its script and the prefix of its i18n keys.
_PAGE_KEYS = {
    "index": "home",
    "verify": "verify",
    "trace": "trace",
    "business": "business",
    "petitions": "petitions",
    "petition": "petition",
}


def _composed(name: str, key: str) -> str:
    layout = (WEB / "layout.html").read_text(encoding="utf-8")
    main = (WEB / "pages" / f"{name}.html").read_text(encoding="utf-8")
    return layout.replace("{{title}}", f"{key}.title").replace("{{script}}", key).replace("{{main}}", main)


# Composed once: the files do not change while the server runs.
_PAGES = {name: _composed(name, key) for name, key in _PAGE_KEYS.items()}


def _page(name: str) -> HTMLResponse:
    return HTMLResponse(_PAGES[name], headers=SECURITY_HEADERS)


@router.get("/")
def home() -> HTMLResponse:
    return _page("index")


@router.get("/verify")
def verify() -> HTMLResponse:
    return _page("verify")


@router.get("/trace")
def trace_search() -> RedirectResponse:
    return RedirectResponse("/#trace", status_code=307)


# `path`: a lot may be named by its GS1 Digital Link URI, which has slashes.
@router.get("/trace/{batch:path}")
def trace(batch: Annotated[str, PathParam(max_length=300)]) -> HTMLResponse:
    return _page("trace")


@router.get("/business")
def business_search() -> HTMLResponse:
    return _page("business")


@router.get("/business/{uscc}")
def business(uscc: Annotated[str, PathParam(max_length=32)]) -> HTMLResponse:
    return _page("business")


# Singular, as /business is: /petitions is the API's.
@router.get("/petition")
def petitions() -> HTMLResponse:
    return _page("petitions")


@router.get("/petition/{petition_id}")
def petition(petition_id: Annotated[str, PathParam(max_length=80)]) -> HTMLResponse:
    return _page("petition")


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
