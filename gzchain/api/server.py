"""The uvicorn configuration `gzchain serve` runs with: every protocol-level bound comes from Settings."""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp

from gzchain.api.connection_guard import ConnectionLimits, guarded_protocol
from gzchain.settings import Settings


def connection_limits(settings: Settings) -> ConnectionLimits:
    return ConnectionLimits(
        max_header_bytes=settings.max_header_bytes,
        max_header_count=settings.max_header_count,
        header_timeout_seconds=settings.header_timeout_seconds,
        body_idle_timeout_seconds=settings.body_idle_timeout_seconds,
        max_connections=settings.max_connections,
    )


def server_config(app: ASGIApp, settings: Settings, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded_protocol(connection_limits(settings)),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        # uvicorn counts requests in progress too; the connection bound itself is the protocol's.
        limit_concurrency=settings.max_connections + 1,
        backlog=settings.listen_backlog,
        timeout_keep_alive=settings.keep_alive_timeout_seconds,  # type: ignore[arg-type]  # a float works
        # X-Forwarded-For decides the client address the rate limits count, so it is believed only from
        # proxies named in the settings.
        proxy_headers=settings.trusted_proxies is not None,
        forwarded_allow_ips=settings.trusted_proxies or "",
        ws="none",
        log_config=None,
        access_log=False,
    )
