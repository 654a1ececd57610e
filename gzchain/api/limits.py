"""Bounds before work: a request body is counted as it streams in and refused past its route class's limit,
whatever Content-Length says, and a JSON body's nesting depth is known before anything parses it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gzchain.api.idempotency import REQUEST_TARGET
from gzchain.domain.bounded_json import check_json_depth
from gzchain.domain.errors import InvalidInput, LimitExceeded
from gzchain.settings import Settings

PROBLEM = b"application/problem+json"
# Routes whose bodies are large by nature; every other body is a JSON write or a public verification.
EPCIS_ROUTES = ("/coldchain/documents", "/epcis/capture")
BATCH_ROUTES = ("/certificates/batches", "/certificates/anchors")
FILE_ROUTES = ("/filings/verify",)  # hashed as it streams, never held whole


@dataclass(frozen=True)
class BodyLimits:
    json_bytes: int
    epcis_bytes: int
    batch_bytes: int
    file_bytes: int
    json_depth: int

    @classmethod
    def of(cls, settings: Settings) -> BodyLimits:
        return cls(
            settings.max_json_body_bytes,
            settings.max_epcis_body_bytes,
            settings.max_batch_body_bytes,
            settings.max_file_bytes,
            settings.max_json_depth,
        )

    def for_path(self, path: str) -> tuple[str, int]:
        """(the setting's name, its value) bounding a body sent to `path`."""
        if path in FILE_ROUTES:
            return "max_file_bytes", self.file_bytes
        if any(path == r or path.startswith(r + "/") for r in EPCIS_ROUTES):
            return "max_epcis_body_bytes", self.epcis_bytes
        if any(path == r or path.startswith(r + "/") for r in BATCH_ROUTES):
            return "max_batch_body_bytes", self.batch_bytes
        return "max_json_body_bytes", self.json_bytes


class BodyTooLarge(LimitExceeded):
    """A LimitExceeded, so that one raised inside a streaming route reaches the client as the same 413."""

    def __init__(self, setting: str, limit: int) -> None:
        super().__init__(
            f"the request body is larger than {limit:,} bytes ({setting})",
            field="body",
            limit=setting,
            maximum=limit,
        )


class BoundedBodies:
    """Outermost ASGI middleware: 413 past the body limit, 422 past the JSON depth, both problem+json."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        REQUEST_TARGET.set((scope["method"], scope["path"]))
        setting, limit = self.limits.for_path(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await problem_response(
                send, 413, "Content too large", str(BodyTooLarge(setting, limit)), setting, limit
            )
            return
        if scope["path"] in FILE_ROUTES:
            await self._streamed(scope, receive, send, setting, limit)
            return
        try:
            body = await _read_bounded(receive, setting, limit)
            if body:
                check_json_depth(body, self.limits.json_depth)
        except BodyTooLarge as exc:
            await problem_response(send, 413, "Content too large", exc.reason, exc.limit, exc.maximum)
            return
        except InvalidInput as exc:
            await problem_response(
                send, 422, "Invalid input", exc.reason, "max_json_depth", self.limits.json_depth
            )
            return
        await self.app(scope, _replay(body, receive), send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, setting: str, limit: int) -> None:
        """The body passes through chunk by chunk; past the limit the app sees it end there, and whatever it
        answers about that cut-short body is dropped for the 413. (An exception raised from `receive` would
        reach the app's own error handlers, wrapped by its middleware, as a 500.)"""
        seen = 0
        over = False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def watched(message: Message) -> None:
            if not over:
                await send(message)

        await self.app(scope, counted, watched)
        if over:
            exc = BodyTooLarge(setting, limit)
            await problem_response(send, 413, "Content too large", exc.reason, exc.limit, exc.maximum)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server's HTTP parser refuses it; counting still bounds the body
    return None


async def _read_bounded(receive: Receive, setting: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the app sees an empty body and answers no one
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(setting, limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: only a disconnect is left to wait for

    return replayed


async def problem_response(
    send: Send,
    status: int,
    title: str,
    detail: str,
    limit_name: str,
    limit: Any,
    retry_after: int | None = None,
) -> None:
    """A problem+json answer naming the limit, sent from ASGI middleware; it closes the connection."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "limit": limit_name,
            "max": limit,
        }
    ).encode()
    headers = [
        (b"content-type", PROBLEM),
        (b"content-length", str(len(body)).encode()),
        # The rest of an oversized body is not read: the connection cannot carry another request.
        (b"connection", b"close"),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
