"""Structured access logs (no secrets, no personal data) and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from gzchain.bootstrap import Runtime

access_log = logging.getLogger("gzchain.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; request fields come from `extra`."""

    FIELDS = ("method", "route", "status", "duration_ms", "agency")

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name}
        entry["message"] = record.getMessage()
        entry.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("gzchain")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def install_observability(app: FastAPI, runtime: Runtime) -> None:
    registry = CollectorRegistry()
    requests = Counter(
        "gzchain_http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "gzchain_http_request_seconds", "HTTP request latency", ["method", "route"], registry=registry
    )
    transactions = Gauge(
        "gzchain_transactions_confirmed", "transactions this server sent and saw confirmed", registry=registry
    )
    transactions.set_function(lambda: runtime.gateway.transactions_sent)
    height = Gauge("gzchain_chain_height", "latest block number", registry=registry)
    height.set_function(lambda: _height_or_nan(runtime))

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        # The route template, not the path: paths carry ids, and label values must stay few.
        route = getattr(request.scope.get("route"), "path", "unmatched")
        requests.labels(request.method, route, str(response.status_code)).inc()
        latency.labels(request.method, route).observe(elapsed)
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "agency": getattr(request.state, "agency_id", None),
            },
        )
        return response

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _height_or_nan(runtime: Runtime) -> float:
    try:
        return float(runtime.gateway.block_number())
    except Exception:
        return float("nan")
