"""A request whose response has not started within its time is answered 503 (issue #14).

Work already handed to a thread cannot be stopped in Python, so a write running past the deadline may still
finish: the client's retry with the same Idempotency-Key then gets its response (or "interrupted"), never a
second write. What the deadline stops for certain is a client holding a request open, e.g. by sending its
body a byte at a time.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gzchain.api.limits import problem_response

log = logging.getLogger("gzchain.api")


class RequestDeadline:
    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        late = False

        async def watched(message: Message) -> None:
            nonlocal started
            if late:
                return  # the client already has its 503
            started = started or message["type"] == "http.response.start"
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, watched))
        done, _ = await asyncio.wait({task}, timeout=self.seconds)
        if done or started:
            await task  # finished, or streaming its response: let it end as it will
            return
        late = True
        task.cancel()
        task.add_done_callback(_log_failure)
        await problem_response(
            send,
            503,
            "Service Unavailable",
            f"no response within {self.seconds:g} s; a write may still complete, so retry with the same "
            "Idempotency-Key",
            "request_timeout_seconds",
            self.seconds,
            retry_after=1,
        )


def _log_failure(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a request past its deadline failed", exc_info=task.exception())
