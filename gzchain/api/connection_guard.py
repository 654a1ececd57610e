"""Bounds the HTTP protocol itself (issue #14): header size and count, how long a client may take to send its
headers or fall silent mid-body, and how many connections may be open. These act on bytes as they arrive,
before any ASGI app runs, so no amount of slow or oversized input reaches routing, parsing or authentication.

It is uvicorn's h11 protocol (h11 bounds the bytes it buffers for an incomplete header section, which
httptools does not) with timers and a connection bound added.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState


@dataclass(frozen=True)
class ConnectionLimits:
    max_header_bytes: int
    max_header_count: int
    header_timeout_seconds: float
    body_idle_timeout_seconds: float
    max_connections: int


def raw_problem(status: int, reason: str, detail: str, limit: str, value: Any) -> bytes:
    """A whole problem+json response as bytes, for answers given outside any request/response cycle."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": reason,
            "status": status,
            "detail": detail,
            "limit": limit,
            "max": value,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class _CountingConnection(h11.Connection):
    """h11's connection, refusing too many header fields and remembering why it refused a request."""

    def __init__(self, max_header_bytes: int, max_header_count: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_header_bytes)
        self.max_header_bytes = max_header_bytes
        self.max_header_count = max_header_count
        self.refusal: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as exc:
            self.refusal = exc
            raise
        if isinstance(event, h11.Request):
            # h11 bounds a header section still arriving; one that arrived whole in a read is measured here.
            size = len(event.method) + len(event.target) + sum(len(n) + len(v) + 4 for n, v in event.headers)
            if size > self.max_header_bytes:
                self._refuse(f"the request line and headers exceed {self.max_header_bytes:,} bytes")
            if len(event.headers) > self.max_header_count:
                self._refuse(f"more than {self.max_header_count} header fields (max_header_count)")
        return event

    def _refuse(self, reason: str) -> None:
        self.refusal = h11.RemoteProtocolError(reason, error_status_hint=431)
        self._process_error(self.their_role)
        raise self.refusal


def guarded_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """A protocol class for `uvicorn.Config(http=...)` enforcing `limits` on every connection."""

    class GuardedH11Protocol(H11Protocol):
        def __init__(
            self,
            config: Config,
            server_state: ServerState,
            app_state: dict[str, Any],
            _loop: asyncio.AbstractEventLoop | None = None,
        ) -> None:
            super().__init__(config, server_state, app_state, _loop)
            self.conn = _CountingConnection(limits.max_header_bytes, limits.max_header_count)
            self._header_timer: asyncio.TimerHandle | None = None
            self._body_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                # Refused before reading a byte: a connection over the bound costs no parsing and no timer.
                transport.write(
                    raw_problem(
                        503,
                        "Service Unavailable",
                        f"more than {limits.max_connections} connections are open; retry shortly",
                        "max_connections",
                        limits.max_connections,
                    )
                )
                transport.close()
                return
            self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_timers()
            super().connection_lost(exc)

        def handle_events(self) -> None:
            super().handle_events()
            self._rearm()

        def send_400_response(self, msg: str) -> None:
            refusal = self.conn.refusal  # type: ignore[attr-defined]
            if refusal is None or refusal.error_status_hint != 431:
                super().send_400_response(msg)
                return
            self._cancel_timers()
            if "max_header_count" in str(refusal):
                detail, limit, value = str(refusal), "max_header_count", limits.max_header_count
            else:  # h11's own refusal: its buffer for an incomplete header section is full
                detail = f"the request line and headers exceed {limits.max_header_bytes:,} bytes"
                limit, value = "max_header_bytes", limits.max_header_bytes
            self.transport.write(raw_problem(431, "Request Header Fields Too Large", detail, limit, value))
            self.transport.close()

        def _rearm(self) -> None:
            """After each batch of bytes: which timer applies depends on what the client still owes."""
            if self.transport.is_closing():
                self._cancel_timers()
                return
            state = self.conn.their_state
            if state is h11.IDLE and self.conn.our_state is h11.IDLE:
                if self._header_timer is None and self.timeout_keep_alive_task is None:
                    self._arm_header_timer()
                self._cancel_body_timer()
            elif state is h11.SEND_BODY:
                self._cancel_header_timer()
                self._cancel_body_timer()
                self._body_timer = self.loop.call_later(limits.body_idle_timeout_seconds, self._body_silent)
            else:
                self._cancel_timers()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # uvicorn's keep-alive timer now guards the idle connection; the next request's first byte
            # cancels it, and `_rearm` then starts the header clock.
            self._cancel_header_timer()

        def _arm_header_timer(self) -> None:
            self._cancel_header_timer()
            self._header_timer = self.loop.call_later(limits.header_timeout_seconds, self._headers_late)

        def _headers_late(self) -> None:
            self._header_timer = None
            if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
                return
            self.transport.write(
                raw_problem(
                    408,
                    "Request Timeout",
                    f"the request headers did not arrive within {limits.header_timeout_seconds:g} s",
                    "header_timeout_seconds",
                    limits.header_timeout_seconds,
                )
            )
            self.transport.close()

        def _body_silent(self) -> None:
            self._body_timer = None
            if self.transport.is_closing() or self.conn.their_state is not h11.SEND_BODY:
                return
            if self.flow.read_paused:
                # The app has not read what came already: the silence is ours, not the client's.
                self._body_timer = self.loop.call_later(limits.body_idle_timeout_seconds, self._body_silent)
                return
            # The app is waiting on the body; closing hands it a disconnect, and it answers no one.
            self.transport.close()

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _cancel_body_timer(self) -> None:
            if self._body_timer is not None:
                self._body_timer.cancel()
                self._body_timer = None

        def _cancel_timers(self) -> None:
            self._cancel_header_timer()
            self._cancel_body_timer()

    return GuardedH11Protocol
