"""HTTP API: POST /v1/summarize, health and readiness probes, Prometheus metrics, and the web page at /.

The pipeline is built and warmed up once at start-up (lifespan), so that a missing model stops the process
instead of failing the first request, and that request does not pay for lazy initialisation. Inference
runs in a bounded thread pool, off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import __version__
from service.limits import BodyTooLarge, InferenceSlots, InferenceTimeout, Saturated, read_body_capped
from service.nlp import ModelLoadError
from service.observability import Metrics, RequestContextMiddleware, configure_logging, logger, request_id_var
from service.pipeline import NoArticleError, Pipeline
from service.response import ErrorResponse, SummarizeRequest, SummarizeResponse, to_response
from service.settings import Settings, get_settings
from service.web import add_web_page

SUPPORTED_MEDIA_TYPES = ("application/json", "text/plain", "text/html")
# How long a refused client should wait: about one article's inference time.
RETRY_AFTER_S = 1


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=code, message=message, request_id=request_id_var.get())
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def get_pipeline(request: Request) -> Pipeline:
    return request.app.state.pipeline


def get_slots(request: Request) -> InferenceSlots:
    return request.app.state.slots


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


SettingsDep = Annotated[Settings, Depends(get_settings)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
SlotsDep = Annotated[InferenceSlots, Depends(get_slots)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]


def _provider(app: FastAPI, dependency: Callable[..., Any]) -> Callable[..., Any]:
    """The lifespan resolves settings the way routes do, so a test's override applies to both."""
    return app.dependency_overrides.get(dependency, dependency)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = _provider(app, get_settings)()
    if get_pipeline not in app.dependency_overrides:
        try:
            app.state.pipeline = await run_in_threadpool(Pipeline.from_settings, settings)
        except ModelLoadError as exc:
            logger.error("start-up failed: a model could not be loaded", extra={"error": str(exc)})
            raise
        # uvicorn accepts no connection before start-up ends, so /healthz and /readyz answer only once
        # this worker's first (slow) run is done and a client's first request runs warm.
        warm_up_s = await run_in_threadpool(app.state.pipeline.warm_up)
        logger.info("models warmed up", extra={"warm_up_s": round(warm_up_s, 2)})
    metrics: Metrics = app.state.metrics
    app.state.slots = InferenceSlots(settings.max_concurrency, on_change=metrics.inference_in_flight.set)
    logger.info("ready to serve", extra={"max_concurrency": settings.max_concurrency})
    try:
        yield
    finally:
        app.state.slots.shutdown()


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """("text/html", "iso-8859-1") from "text/html; charset=ISO-8859-1"."""
    if not content_type:
        return "", None
    media_type, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return media_type.strip().lower(), charset


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset)
    except LookupError as exc:
        raise ApiError(415, "unsupported_charset", f"unknown charset {charset!r}") from exc
    except UnicodeDecodeError as exc:
        raise ApiError(
            400, "undecodable_body", f"body is not valid {charset}: byte {exc.start} cannot be decoded"
        ) from exc


def _page_from_json(body: str) -> str:
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ApiError(
            422, "malformed_json", f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise ApiError(422, "malformed_json", "JSON nested too deeply to read") from exc
    except ValueError as exc:  # an integer beyond Python's digit limit
        raise ApiError(422, "malformed_json", "a number in the JSON is too long to read") from exc
    try:
        return SummarizeRequest.model_validate(payload).text
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
        raise ApiError(422, "invalid_request", f"invalid request body: {problems}") from exc


def _check_page_text(text: str) -> None:
    if not text.strip():
        raise ApiError(422, "empty_text", "the text is empty or only whitespace")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # JSON "\ud800" escapes decode to lone surrogates, which no response could carry back.
        raise ApiError(422, "invalid_text", f"text contains an unpaired surrogate at character {exc.start}") from exc


async def read_page(request: Request, settings: Settings) -> tuple[str, str]:
    """The posted page text and the content type to hand the pipeline."""
    media_type, charset = _media_type(request.headers.get("content-type"))
    if media_type not in SUPPORTED_MEDIA_TYPES:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"content type {media_type or '(none)'!r} is not supported; send one of {', '.join(SUPPORTED_MEDIA_TYPES)}",
        )
    try:
        body = await read_body_capped(request.stream(), request.headers.get("content-length"), settings.max_body_bytes)
    except BodyTooLarge as exc:
        raise ApiError(413, "body_too_large", str(exc)) from exc
    text = _decode(body, charset or "utf-8")
    if media_type == "application/json":
        # JSON text is posted as plain text: the pipeline still recognises HTML inside it.
        return _page_from_json(text), "text/plain"
    return text, media_type


_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        400: "Body bytes are not valid in the declared charset.",
        413: "Body larger than the configured limit.",
        415: "Unsupported content type or charset.",
        422: "Malformed JSON, empty text, or no article found.",
        503: "All inference slots are busy; retry after Retry-After seconds.",
        504: "The request's time limit passed.",
    }.items()
}

_PAGE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": SummarizeRequest.model_json_schema()},
        "text/plain": {"schema": {"type": "string", "pattern": r"\S"}},
        "text/html": {"schema": {"type": "string", "pattern": r"\S"}},
    },
}


def _register_routes(app: FastAPI) -> None:
    @app.post(
        "/v1/summarize",
        response_model=SummarizeResponse,
        responses=_ERROR_RESPONSES,
        openapi_extra={"requestBody": _PAGE_BODY},
        summary="Articles, quotes with speakers, and bullet summaries of a news page",
    )
    async def summarize(
        request: Request, pipeline: PipelineDep, settings: SettingsDep, slots: SlotsDep, metrics: MetricsDep
    ) -> SummarizeResponse:
        text, content_type = await read_page(request, settings)
        _check_page_text(text)
        if settings.log_request_text:
            logger.info("request text", extra={"text": text})
        try:
            result = await slots.run(lambda: pipeline.run(text, content_type), settings.request_timeout_s)
        except Saturated as exc:
            metrics.rejected.labels(reason="saturated").inc()
            raise ApiError(
                503, "saturated", "all inference slots are busy; retry later", {"Retry-After": str(RETRY_AFTER_S)}
            ) from exc
        except InferenceTimeout as exc:
            metrics.rejected.labels(reason="timeout").inc()
            raise ApiError(
                504, "timeout", f"the page was not analysed within {settings.request_timeout_s:g} s"
            ) from exc
        except NoArticleError as exc:
            raise ApiError(422, "no_article", str(exc)) from exc
        metrics.observe_stages(result.timings_ms)
        return to_response(result)

    @app.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        summary="Models are loaded and answering",
        responses={503: {"model": ErrorResponse, "description": "Not ready."}},
    )
    async def readyz(pipeline: PipelineDep, settings: SettingsDep) -> dict[str, str]:
        try:
            ready = await asyncio.wait_for(run_in_threadpool(pipeline.ready), settings.request_timeout_s)
        except TimeoutError:
            ready = False
        except Exception:
            logger.exception("readiness check failed")
            ready = False
        if not ready:
            raise ApiError(503, "not_ready", "the models are not answering")
        return {"status": "ready"}

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint(metrics: MetricsDep) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


def _register_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, "http_error", str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return error_response(422, "invalid_request", problems)


def internal_error_body(request_id: str) -> bytes:
    """The 500 answer: no internals, only the id under which the server log holds the traceback."""
    message = "internal error; see the server log for this request id"
    return ErrorResponse(error="internal_error", message=message, request_id=request_id).model_dump_json().encode()


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app. `settings` (else the environment's) also decides CORS, which is fixed at creation."""
    configured = settings or get_settings()
    app = FastAPI(
        title="newsattrib",
        version=__version__,
        description="News page parsing, quote attribution and bullet summaries with source offsets.",
        lifespan=lifespan,
    )
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    app.state.metrics = Metrics()
    if configured.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=configured.cors_origins, allow_methods=["GET", "POST"], allow_headers=["*"]
        )
    # Added last, so it is outermost: it sees every response, errors and CORS preflights included.
    app.add_middleware(
        RequestContextMiddleware,
        metrics=app.state.metrics,
        route_paths=lambda: {path for route in app.routes if "{" not in (path := getattr(route, "path", "{"))},
        internal_error_body=internal_error_body,
    )
    _register_routes(app)
    add_web_page(app)
    _register_error_handlers(app)
    return app


configure_logging(logging.INFO)
app = create_app()
