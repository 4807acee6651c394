"""Structured JSON logs carrying a request id, and the Prometheus metrics the API exports.

Request text never reaches the logs unless Settings.log_request_text is set: pages can be embargoed or
private, and logs travel further than responses.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is echoed into logs and headers, so accept only short, plain tokens.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

logger = logging.getLogger("service")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Fields of a LogRecord that are plumbing, not content: everything else passed via `extra=` is logged.
# uvicorn adds `color_message`, a terminal-coloured copy of the message.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for our logger and uvicorn's; idempotent."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("service", "uvicorn", "uvicorn.error"):
        named = logging.getLogger(name)
        named.handlers = [handler]
        named.setLevel(level)
        named.propagate = False
    # Our middleware writes one access line per request; uvicorn's would duplicate it as plain text.
    logging.getLogger("uvicorn.access").disabled = True


def incoming_request_id(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


class Metrics:
    """One registry per app, so several apps (tests, workers) never collide on metric names."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsattrib_http_requests",
            "HTTP requests by route template, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "newsattrib_http_request_duration_seconds",
            "Wall time of HTTP requests by route template.",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30),
        )
        self.stage_seconds = Histogram(
            "newsattrib_pipeline_stage_duration_seconds",
            "Time spent in each pipeline stage per request (from timings_ms).",
            ["stage"],
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20),
        )
        self.http_in_flight = Gauge(
            "newsattrib_http_requests_in_flight", "HTTP requests being served now.", registry=self.registry
        )
        self.inference_in_flight = Gauge(
            "newsattrib_inference_in_flight",
            "Pipeline runs occupying an inference slot (including timed-out runs still finishing).",
            registry=self.registry,
        )
        self.rejected = Counter(
            "newsattrib_rejected_requests",
            "Requests refused before inference, by reason.",
            ["reason"],
            registry=self.registry,
        )

    def observe_stages(self, timings_ms: dict[str, float]) -> None:
        for stage, ms in timings_ms.items():
            self.stage_seconds.labels(stage=stage).observe(ms / 1000)


class RequestContextMiddleware:
    """Pure ASGI middleware: request id in and out, one JSON access log line, request metrics.

    Pure ASGI (not BaseHTTPMiddleware) so request bodies stream through untouched and the size limit
    can be enforced while reading.
    """

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        route_paths: Callable[[], set[str]],
        internal_error_body: Callable[[str], bytes],
    ) -> None:
        self.app = app
        self.metrics = metrics
        self._route_paths = route_paths
        self._internal_error_body = internal_error_body
        self._known_paths: set[str] | None = None

    def route_label(self, scope: Scope) -> str:
        """The matched route template; unmatched paths share one label so that a scanner cannot blow up
        the metric's cardinality."""
        route = scope.get("route")
        if route is not None:
            return route.path
        # FastAPI records only its API routes in the scope; /docs and /openapi.json are static paths.
        if self._known_paths is None:
            self._known_paths = self._route_paths()
        return scope["path"] if scope["path"] in self._known_paths else "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope.get("headers", []))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode("latin-1")),
                ]
            await send(message)

        self.metrics.http_in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Here, not in an app exception handler: Starlette runs those outside this middleware, where
            # the request id is gone. Logged with its traceback; the client gets only the id.
            logger.exception("unhandled error")
            if response_started:
                raise
            await self._send_internal_error(send_with_id, request_id)
        finally:
            self.metrics.http_in_flight.dec()
            elapsed = time.perf_counter() - started
            route = self.route_label(scope)
            self.metrics.requests.labels(route=route, method=scope["method"], status=str(status)).inc()
            self.metrics.request_seconds.labels(route=route).observe(elapsed)
            logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            request_id_var.reset(token)

    async def _send_internal_error(self, send: Send, request_id: str) -> None:
        body = self._internal_error_body(request_id)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": body})
