"""HTTP API: the seed page end to end, every error status, back-pressure, probes, logs, metrics, CORS."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from timing import assert_quick, ordinary_text

from service.api import create_app, get_pipeline
from service.nlp import ModelLoadError
from service.pipeline import ArticleResult, NoArticleError, PageResult
from service.response import SummarizeResponse
from service.schema import Article, Quote, Summary, TextSpan
from service.settings import Settings
from service.summarize import ModelInfo


class FakePipeline:
    """Stands in for the models where a test is about HTTP behaviour, not analysis.

    It returns one article spanning the whole text; `gate` (if set) blocks run() until released, so
    tests can hold an inference slot busy.
    """

    def __init__(self, ready: bool = True, gate: threading.Event | None = None, delay_s: float = 0.0) -> None:
        self._ready = ready
        self.gate = gate
        self.delay_s = delay_s
        self.started = threading.Event()

    def ready(self) -> bool:
        if isinstance(self._ready, Exception):
            raise self._ready
        return self._ready

    def run(self, text: str, content_type: str = "text/plain") -> PageResult:
        self.started.set()
        if self.gate is not None:
            self.gate.wait(10)
        time.sleep(self.delay_s)
        if "NO ARTICLE" in text:
            raise NoArticleError("no article text found in the input")
        body = TextSpan(text, 0, len(text))
        quote = Quote(text[:1], 0, 1, "Someone", (0, 1), "said", None, None, "direct", 0.5)
        summary = Summary(bullets=(), selected_sentences=(), generator="fake")
        article = Article(headline=None, dateline=None, bullets=(), paragraphs=(body,))
        return PageResult(
            source_text=text,
            input_format="text",
            articles=(ArticleResult(article, (quote,), summary, False, 1),),
            model=ModelInfo("fake", "fake", "0"),
            timings_ms={"parse_page": 1.0, "total": 1.0},
        )


def make_client(pipeline, **settings) -> TestClient:
    app = create_app(Settings(generator="extractive", **settings))
    app.dependency_overrides[get_pipeline] = lambda: pipeline
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def real_client(pipeline) -> Iterator[TestClient]:
    with make_client(pipeline) as client:
        yield client


@pytest.fixture()
def fake_client() -> Iterator[TestClient]:
    with make_client(FakePipeline(), max_body_bytes=2_000) as client:
        yield client


def assert_offsets_index(document: dict, text: str) -> None:
    """Every span in the response slices `text` to the string the response gives for it."""
    for article in document["articles"]:
        for field in ("headline", "dateline"):
            if article[field] is not None:
                start, end = article[f"{field}_span"]
                assert text[start:end] == article[field]
        for bullet, (start, end) in zip(article["bullets"], article["bullet_spans"], strict=True):
            assert text[start:end] == bullet
        for start, end in article["summary_sources"]:
            assert 0 <= start < end <= len(text)
        for quote in article["quotes"]:
            assert text[quote["start"] : quote["end"]] == quote["text"]
            if quote["speaker_span"] is not None:
                start, end = quote["speaker_span"]
                assert 0 <= start < end <= len(text) and text[start:end].strip()


# --- the seed page, real pipeline -------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text-plain"])
def test_seed_page_offsets_index_posted_text(real_client, seed_page_text, as_json):
    if as_json:
        response = real_client.post("/v1/summarize", json={"text": seed_page_text, "url": "https://example.org/a"})
    else:
        response = real_client.post(
            "/v1/summarize", content=seed_page_text.encode(), headers={"content-type": "text/plain; charset=utf-8"}
        )
    assert response.status_code == 200, response.text
    document = response.json()
    SummarizeResponse.model_validate(document)
    assert document["input_format"] == "text" and document["source_text"] is None
    assert document["model"]["generator"] == "extractive"
    assert document["timings_ms"]["total"] > 0
    article = document["articles"][0]
    assert article["summary"] and len(article["summary"]) == len(article["summary_sources"])
    # The seed page's datelines credit no publisher of rules/publisher_lengths.tsv: the default length.
    assert article["summary_length"] == {"bullets": 4, "words": 50, "publisher": None}
    assert len(article["summary"]) <= article["summary_length"]["bullets"]
    assert any(q["kind"] == "direct" for q in article["quotes"])
    assert {q["kind"] for q in article["quotes"]} <= {"direct", "partial", "indirect"}
    assert_offsets_index(document, seed_page_text)


def test_html_input_returns_the_text_its_offsets_index(real_client, seed_page_text):
    paragraphs = [p for p in seed_page_text.splitlines() if p.strip()][:8]
    html = "<html><head><title>t</title></head><body><nav><a href='/'>Home</a></nav><article><h1>Lavrov warns US</h1>"
    html += "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>"
    response = real_client.post("/v1/summarize", content=html, headers={"content-type": "text/html"})
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["input_format"] == "html"
    source = document["source_text"]
    assert source and "<p>" not in source
    assert_offsets_index(document, source)


@pytest.mark.parametrize(
    "text",
    [
        "Hello there.\rSecond line here, said he.",
        # found by schemathesis: short sentences across a bare-\r line break once crashed selection
        "A!\r0A!",
    ],
)
def test_carriage_return_line_breaks_are_not_server_errors(real_client, text):
    response = real_client.post("/v1/summarize", content=text.encode(), headers={"content-type": "text/plain"})
    assert response.status_code in {200, 422}, response.text


def test_unexpected_pipeline_error_is_a_json_500_without_internals():
    class Broken(FakePipeline):
        def run(self, text: str, content_type: str = "text/plain") -> PageResult:
            raise ValueError("secret internal detail")

    with make_client(Broken()) as client:
        response = client.post("/v1/summarize", json={"text": "an article"})
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert "secret" not in response.text and "Traceback" not in response.text


# --- bad input: a clear JSON error, never a 500 -----------------------------------------------------

BAD_REQUESTS = [
    # (id, body bytes, content-type, expected status, error code, words the message must contain)
    ("empty-json-text", b'{"text": ""}', "application/json", 422, "empty_text", "empty"),
    ("whitespace-plain", b" \n\t  ", "text/plain", 422, "empty_text", "whitespace"),
    ("malformed-json", b'{"text": "a"', "application/json", 422, "malformed_json", "line 1"),
    ("json-missing-text", b'{"url": "x"}', "application/json", 422, "invalid_request", "text"),
    ("json-not-object", b'["text"]', "application/json", 422, "invalid_request", "body"),
    ("json-text-not-string", b'{"text": 5}', "application/json", 422, "invalid_request", "string"),
    ("lone-surrogate", b'{"text": "a \\ud800 b"}', "application/json", 422, "invalid_text", "surrogate"),
    ("form-encoded", b"text=hello", "application/x-www-form-urlencoded", 415, "unsupported_media_type", "text/plain"),
    ("no-content-type", b"hello", None, 415, "unsupported_media_type", "(none)"),
    ("unknown-charset", b"hello", "text/plain; charset=klingon-8", 415, "unsupported_charset", "klingon"),
    ("invalid-utf8", b"caf\xc3\x28 and more", "text/plain", 400, "undecodable_body", "byte 3"),
    (
        "latin1-declared",
        "café said “hi”".encode("cp1252"),
        "text/plain; charset=utf-8",
        400,
        "undecodable_body",
        "utf-8",
    ),
    ("no-article", b"NO ARTICLE here", "text/plain", 422, "no_article", "no article"),
    ("too-large", b"a" * 2_001, "text/plain", 413, "body_too_large", "2000"),
]


@pytest.mark.parametrize(
    "body, content_type, status, code, words", [case[1:] for case in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_requests_get_clear_json_errors(fake_client, body, content_type, status, code, words):
    headers = {"content-type": content_type} if content_type else {}
    response = fake_client.post("/v1/summarize", content=body, headers=headers)
    assert response.status_code == status
    error = response.json()
    assert error["error"] == code
    assert words.lower() in error["message"].lower()
    assert error["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text


def test_declared_charset_is_honoured(fake_client):
    text = "café said “hi”"
    response = fake_client.post(
        "/v1/summarize", content=text.encode("utf-16"), headers={"content-type": "text/plain; charset=utf-16"}
    )
    assert response.status_code == 200
    quote = response.json()["articles"][0]["quotes"][0]
    assert text[quote["start"] : quote["end"]] == quote["text"]


def test_declared_content_length_over_limit_is_refused_before_reading(fake_client):
    # A lying Content-Length is enough to refuse: the body is never read.
    response = fake_client.post(
        "/v1/summarize", content=b"short", headers={"content-type": "text/plain", "content-length": "999999"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize("size, status", [(1_990, 200), (2_500, 413), (50_000, 413)])
def test_streamed_body_without_content_length_is_capped(fake_client, size, status):
    def chunks() -> Iterator[bytes]:
        # A generator body goes out chunked, with no Content-Length: only the streamed count can catch it.
        for _ in range(0, size, 500):
            yield b"a" * 500

    response = fake_client.post("/v1/summarize", content=chunks(), headers={"content-type": "text/plain"})
    assert "content-length" not in response.request.headers
    assert response.status_code == status


def test_unknown_path_and_method_answer_json(fake_client):
    assert fake_client.get("/nope").json()["error"] == "http_error"
    response = fake_client.get("/v1/summarize")
    assert response.status_code == 405 and response.json()["error"] == "http_error"


# --- back-pressure and time limits -----------------------------------------------------------------


async def _post_while_first_is_running(app, pipeline: FakePipeline) -> tuple[httpx.Response, httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        first = asyncio.create_task(client.post("/v1/summarize", json={"text": "first article"}))
        while not pipeline.started.is_set():
            await asyncio.sleep(0.01)
        started = time.perf_counter()
        second = await client.post("/v1/summarize", json={"text": "second article"})
        second.extensions["elapsed_s"] = time.perf_counter() - started
        pipeline.gate.set()
        return await first, second


def test_saturated_server_answers_503_at_once():
    pipeline = FakePipeline(gate=threading.Event())
    app = create_app(Settings(generator="extractive", max_concurrency=1))
    app.dependency_overrides[get_pipeline] = lambda: pipeline
    first, second = asyncio.run(_post_while_first_is_running(app, pipeline))
    assert first.status_code == 200
    assert second.status_code == 503
    assert second.headers["retry-after"] == "1"
    assert second.json()["error"] == "saturated"
    assert second.extensions["elapsed_s"] < 0.5  # refused immediately, not queued


def test_slow_request_times_out_with_504_and_keeps_its_slot_until_done():
    pipeline = FakePipeline(delay_s=0.6)
    with make_client(pipeline, max_concurrency=1, request_timeout_s=0.1) as client:
        response = client.post("/v1/summarize", json={"text": "an article"})
        assert response.status_code == 504 and response.json()["error"] == "timeout"
        # The abandoned run still occupies the only slot, so the next request is refused, not stacked.
        assert client.post("/v1/summarize", json={"text": "an article"}).status_code == 503
        time.sleep(0.7)
        assert client.post("/v1/summarize", json={"text": "an article"}).status_code == 504


# --- probes, start-up ------------------------------------------------------------------------------


@pytest.mark.parametrize("ready, status", [(True, 200), (False, 503), (RuntimeError("model gone"), 503)])
def test_readyz_reflects_pipeline_readiness(ready, status):
    with make_client(FakePipeline(ready=ready)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        response = client.get("/readyz")
        assert response.status_code == status
        assert "model gone" not in response.text


def test_readyz_with_real_models(real_client):
    assert real_client.get("/readyz").json() == {"status": "ready"}


def test_missing_model_stops_startup_naming_it():
    app = create_app(Settings(generator="seq2seq", summary_model="/nonexistent/compressor"))
    with pytest.raises(ModelLoadError, match="/nonexistent/compressor"), TestClient(app):
        pass


def test_openapi_documents_the_route_and_its_errors(fake_client):
    schema = fake_client.get("/openapi.json").json()
    operation = schema["paths"]["/v1/summarize"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "text/plain", "text/html"}
    assert {"200", "400", "413", "415", "422", "503", "504"} <= set(operation["responses"])
    assert fake_client.get("/docs").status_code == 200


# --- request id, logs, metrics, CORS ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sent, echoed",
    [("abc-123", True), ("bad id with spaces", False), ("x" * 200, False), (None, False)],
)
def test_request_id_in_and_out(fake_client, sent, echoed):
    headers = {"x-request-id": sent} if sent else {}
    returned = fake_client.get("/healthz", headers=headers).headers["x-request-id"]
    assert (returned == sent) is echoed
    assert 1 <= len(returned) <= 128 and " " not in returned


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        from service.observability import JsonFormatter

        self.setFormatter(JsonFormatter())
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.mark.parametrize("log_text", [False, True])
def test_request_text_is_logged_only_when_enabled(log_text):
    records = _Records()
    service_logger = logging.getLogger("service")
    service_logger.addHandler(records)
    marker = "Zanzibar-marker-7Q said the minister"
    try:
        with make_client(FakePipeline(), log_request_text=log_text) as client:
            response = client.post("/v1/summarize", content=marker, headers={"x-request-id": "req-42"})
            assert response.status_code == 415  # no content type: refused before the text is read
            assert client.post("/v1/summarize", json={"text": marker}, headers={"x-request-id": "req-43"}).is_success
    finally:
        service_logger.removeHandler(records)
    access = [json.loads(line) for line in records.lines if '"message": "request"' in line]
    assert {(a["request_id"], a["status"], a["route"]) for a in access} >= {
        ("req-42", 415, "/v1/summarize"),
        ("req-43", 200, "/v1/summarize"),
    }
    assert any(marker in line for line in records.lines) is log_text


def test_metrics_count_requests_and_stage_latency(fake_client):
    fake_client.post("/v1/summarize", json={"text": "an article"})
    fake_client.post("/v1/summarize", json={"text": ""})
    fake_client.get("/no-such-page")
    fake_client.get("/openapi.json")
    metrics = fake_client.get("/metrics").text
    assert 'newsattrib_http_requests_total{method="POST",route="/v1/summarize",status="200"} 1.0' in metrics
    assert 'newsattrib_http_requests_total{method="POST",route="/v1/summarize",status="422"} 1.0' in metrics
    assert 'route="unmatched"' in metrics and "/no-such-page" not in metrics
    assert 'newsattrib_http_requests_total{method="GET",route="/openapi.json",status="200"} 1.0' in metrics
    assert 'newsattrib_pipeline_stage_duration_seconds_count{stage="parse_page"} 1.0' in metrics
    assert "newsattrib_inference_in_flight 0.0" in metrics
    assert "newsattrib_http_requests_in_flight 1.0" in metrics  # this very request


@pytest.mark.parametrize(
    "origins, allowed", [([], False), (["https://newsroom.example"], True), (["https://other.example"], False)]
)
def test_cors_is_off_unless_configured(origins, allowed):
    app = create_app(Settings(generator="extractive", cors_origins=origins))
    app.dependency_overrides[get_pipeline] = FakePipeline
    with TestClient(app) as client:
        response = client.options(
            "/v1/summarize",
            headers={"origin": "https://newsroom.example", "access-control-request-method": "POST"},
        )
    assert (response.headers.get("access-control-allow-origin") == "https://newsroom.example") is allowed


# --- pathological bodies: each answered with a 4xx or 200, quickly, and without a traceback ----------

LIMIT = Settings().max_body_bytes
PATHOLOGICAL_BODIES = {
    "deep-nesting-json": (b'{"text": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", "application/json"),
    "deep-nesting-bare": (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "deep-nesting-object": (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "application/json"),
    "huge-integer": (b'{"text": ' + b"9" * 100_000 + b"}", "application/json"),
    "huge-float": (b'{"text": 1e999999}', "application/json"),
    "huge-number-in-url": (b'{"text": "Officials said so.", "url": ' + b"1" * 5_000 + b"}", "application/json"),
    "nul-bytes-json": (
        json.dumps({"text": "The minister\u0000 said “no\u0000”.\u0000" * 50}).encode(),
        "application/json",
    ),
    "nul-bytes-plain": (b"\x00" * 10_000 + b" Officials said the bridge would reopen.", "text/plain"),
    "lone-surrogate": (b'{"text": "Officials said \\ud800 so."}', "application/json"),
    "lone-low-surrogate-plain": (b"Officials said so. " + b"\xed\xb0\x80", "text/plain"),
    "ten-thousand-quote-marks": (("“" * 5_000 + '"' * 5_000).encode(), "text/plain"),
    "quote-marks-in-prose": (("He said “yes" * 10_000).encode(), "text/plain"),
    "megabyte-single-line": (
        ("Officials said the bridge would reopen next week " * 20_408)[: LIMIT - 10].encode(),
        "text/plain",
    ),
    "over-the-limit": (b"a" * (LIMIT + 1), "text/plain"),
    "html-bomb": ((b"<div>" * 50_000) + b"text" + (b"</div>" * 50_000), "text/html"),
    "binary": (bytes(range(256)) * 1_000, "application/octet-stream"),
    "wrong-charset": ("Officials said so.".encode("utf-16"), "text/plain; charset=utf-8"),
    "unknown-charset": (b"Officials said so.", "text/plain; charset=x-no-such"),
}


@pytest.fixture()
def service_log() -> Iterator[list[logging.LogRecord]]:
    handler = _Records()
    logger = logging.getLogger("service")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("body, content_type", PATHOLOGICAL_BODIES.values(), ids=PATHOLOGICAL_BODIES.keys())
def test_pathological_body_gets_a_clear_answer_quickly(real_client, service_log, body, content_type):
    started = time.perf_counter()
    response = real_client.post("/v1/summarize", content=body, headers={"content-type": content_type})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.text[:300]
    if response.status_code != 200:
        document = response.json()
        assert document["message"] and document["request_id"] == response.headers["x-request-id"]
    ordinary = ordinary_text(len(body)).encode()
    assert_quick(
        elapsed,
        lambda: real_client.post("/v1/summarize", content=ordinary, headers={"content-type": "text/plain"}),
        floor_s=2.0,
    )
    assert not [r for r in service_log if r.exc_info or r.levelno >= logging.ERROR]


def test_an_unexpected_error_answers_500_with_the_request_id(service_log):
    class Broken(FakePipeline):
        def run(self, text: str, content_type: str = "text/plain") -> PageResult:
            raise RuntimeError("a bug")

    with make_client(Broken()) as client:
        response = client.post("/v1/summarize", json={"text": "Officials said so."}, headers={"x-request-id": "req-7"})
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "message": "internal error; see the server log for this request id",
        "request_id": "req-7",
    }
    (logged,) = [r for r in service_log if r.exc_info]
    assert logged.exc_info[1].args == ("a bug",)


def test_startup_warms_the_pipeline_before_serving(monkeypatch):
    """The first request must not pay for lazy model initialisation: start-up runs a whole article first."""

    class WarmCountingPipeline(FakePipeline):
        warm_ups = 0

        def warm_up(self) -> float:
            WarmCountingPipeline.warm_ups += 1
            return 0.01

    monkeypatch.setattr("service.api.Pipeline.from_settings", lambda settings: WarmCountingPipeline())
    app = create_app(Settings(generator="extractive"))
    assert WarmCountingPipeline.warm_ups == 0
    with TestClient(app) as client:
        assert WarmCountingPipeline.warm_ups == 1
        assert client.get("/healthz").status_code == 200
    assert WarmCountingPipeline.warm_ups == 1
