"""The web page at GET /, driven in a real headless Chromium (Debian's /usr/bin/chromium through Playwright)
against the real app and pipeline started as `python -m service serve`.

The browser tests skip, saying why, where Chromium or Playwright is missing (.ci/run installs both). A
screenshot of the seed page's results, and one with a quote marked, are written to out/screenshots/ as
test artifacts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from load_test import free_port, start_server, stop_server, wait_ready

from service.api import create_app, get_pipeline
from service.settings import DEFAULT_MODEL_DIR, Settings
from service.web import STATIC_DIR

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SCREENSHOT_DIR = REPO / "out" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium stalls on a closed network (update checks, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULT_TIMEOUT_MS = 90_000


# --- the page as files: served, self-contained ----------------------------------------------------------


@pytest.fixture(scope="module")
def static_client() -> Iterator[TestClient]:
    app = create_app(Settings(generator="extractive"))
    app.dependency_overrides[get_pipeline] = lambda: None  # serving files needs no model
    with TestClient(app) as client:
        yield client


def test_index_is_served_with_a_strict_content_policy(static_client):
    response = static_client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "<main>" in response.text and 'lang="en"' in response.text


@pytest.mark.parametrize("name, media_type", [("app.js", "javascript"), ("app.css", "text/css")])
def test_static_assets_are_served(static_client, name, media_type):
    response = static_client.get(f"/static/{name}")
    assert response.status_code == 200 and media_type in response.headers["content-type"]
    assert response.text == (STATIC_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ["/static/missing.js", "/static/../api.py", "/index.html"])
def test_other_paths_are_not_found(static_client, path):
    assert static_client.get(path).status_code == 404


def test_page_loads_nothing_from_elsewhere():
    # No CDN and no inline code (the content policy would block both): every reference is a local path.
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references and all(ref.startswith(("/static/", "#")) for ref in references), references
    assert not re.search(r"<script>(?!\s*</script>)|<style>| style=\"| on\w+=\"", html)
    for name in ("app.js", "app.css"):
        assert not re.search(r"https?://", (STATIC_DIR / name).read_text(encoding="utf-8")), name


def test_page_is_not_in_the_api_schema(static_client):
    assert "/" not in static_client.get("/openapi.json").json()["paths"]


# --- in the browser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("web-server") / "server.log"
    # The trained compressor when it is there, else the extractive generator (same page, no checkpoint).
    env = {} if (DEFAULT_MODEL_DIR / "config.json").exists() else {"NEWSATTRIB_GENERATOR": "extractive"}
    process = start_server(port, log_path, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, log_path)
        yield url
    finally:
        if process.poll() is None:
            stop_server(process)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium; .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def page(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server_url}/")
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def submit_and_wait(page, text: str) -> dict:
    """Paste `text`, press Analyse, and return the API's answer once the page has shown it."""
    page.get_by_label("News page").fill(text)
    with page.expect_response("**/v1/summarize", timeout=RESULT_TIMEOUT_MS) as answer:
        page.get_by_role("button", name="Analyse").click()
    document = answer.value.json()
    page.wait_for_selector("#status:has-text('Found')", timeout=RESULT_TIMEOUT_MS)
    return document


def marked_text(page) -> str:
    return "".join(page.locator(".article-text .is-marked").all_text_contents())


def test_seed_page_articles_quotes_and_a_marked_quote(page, seed_page_text):
    document = submit_and_wait(page, seed_page_text)
    quotes = [quote for article in document["articles"] for quote in article["quotes"]]
    quoted = [quote for quote in quotes if quote["kind"] != "indirect"]
    assert len(document["articles"]) == 2 and len(quoted) == 14
    assert re.match(r"Found 2 articles, 14 quotes, \d+ reported statements?\.", page.locator("#status").inner_text())

    articles = page.get_by_role("article")
    assert articles.count() == 2
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "web-seed-page-results.png"))
    for index, article in enumerate(document["articles"]):
        shown = articles.nth(index)
        assert shown.get_by_role("heading", level=2).inner_text() == article["headline"]
        assert shown.locator(".quote-list .quote-link").count() == len(article["quotes"])
        # Every quote is highlighted in the article text, and its chip names the speaker.
        highlighted = shown.locator(".article-text mark.quote").evaluate_all(
            "marks => [...new Set(marks.map(m => m.dataset.quote))].length"
        )
        assert highlighted == len(article["quotes"])
        chips = shown.locator(".article-text .chip").evaluate_all(
            "chips => chips.map(c => [Number(c.dataset.quote), c.childNodes[1].textContent])"
        )
        expected = [
            [q, " · ".join(filter(None, [quote["speaker"] or "unattributed", quote["source_agency"]]))]
            for q, quote in enumerate(article["quotes"])
        ]
        assert sorted(chips) == expected

    # Click a direct quote in the first article's list: its words are marked and focused, and the words naming
    # its speaker next to it (the mention, not the full name elsewhere) underlined.
    first = document["articles"][0]
    number, quote = next((i, q) for i, q in enumerate(first["quotes"]) if q["kind"] == "direct")
    articles.nth(0).locator(".quote-list .quote-link").nth(number).click()
    assert marked_text(page) == quote["text"]
    assert page.evaluate("document.activeElement.classList.contains('is-marked')")
    if quote["speaker_mention_span"]:
        start, end = quote["speaker_mention_span"]
        assert "".join(page.locator(".article-text .is-speaker").all_text_contents()) == seed_page_text[start:end]
    assert page.locator(".article-text .is-marked").first.is_visible()
    screenshot = SCREENSHOT_DIR / "web-seed-page.png"
    page.screenshot(path=str(screenshot), full_page=False)
    print(f"screenshot: {screenshot}")
    assert screenshot.stat().st_size > 10_000


@pytest.mark.parametrize(
    "list_class, spans_field", [("bullet-list", "bullet_spans"), ("summary-list", "summary_sources")]
)
def test_clicking_a_bullet_marks_its_source(page, seed_page_text, list_class, spans_field):
    document = submit_and_wait(page, seed_page_text)
    start, end = document["articles"][0][spans_field][-1]
    page.locator(f"article >> nth=0 >> .{list_class} button").last.click()
    assert marked_text(page) == seed_page_text[start:end]


def test_keyboard_only_use(page, seed_page_text):
    page.get_by_label("News page").fill(seed_page_text)
    page.get_by_label("News page").focus()
    # From the text box, Tab reaches the file chooser, then Analyse; Enter submits.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "page-file"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_selector("#status:has-text('Found')", timeout=RESULT_TIMEOUT_MS)
    # Focus moves to the first article's headline, so a screen reader starts reading the results there.
    assert page.evaluate("document.activeElement.tagName") == "H2"
    quote_button = page.locator(".quote-list .quote-link").first
    quote_button.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('is-marked')")
    assert "Marked" in page.locator("#status").inner_text()


def test_landmarks_labels_and_live_regions(page):
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "newsattrib"
    assert page.get_by_label("News page").evaluate("e => e.tagName") == "TEXTAREA"
    assert page.get_by_role("status").count() == 1
    assert page.locator("#error").get_attribute("role") == "alert"
    assert page.get_by_role("button", name="Analyse").is_enabled()


@pytest.mark.parametrize(
    "text, status, title",
    [
        ("a" * 1_100_000, 413, "The page is too large"),
        ("Home\nNews\nSport\nContact", 422, "Nothing could be analysed"),
    ],
    ids=["too-large", "no-article"],
)
def test_server_errors_are_readable(page, text, status, title):
    page.get_by_label("News page").fill(text)
    with page.expect_response("**/v1/summarize", timeout=RESULT_TIMEOUT_MS) as answer:
        page.get_by_role("button", name="Analyse").click()
    assert answer.value.status == status
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.get_by_role("heading").inner_text() == title
    assert answer.value.json()["message"] in alert.inner_text()
    assert "Request id:" in alert.inner_text()
    assert page.get_by_role("article").count() == 0


def test_blank_input_is_refused_before_sending(page):
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "/v1/" in request.url else None)
    page.get_by_label("News page").fill("   \n ")
    page.get_by_role("button", name="Analyse").click()
    assert page.get_by_role("alert").get_by_role("heading").inner_text() == "Nothing to analyse"
    assert sent == []


def test_busy_server_is_retried_after_retry_after(page, seed_page_text):
    refusals = []

    def busy_once(route):
        if not refusals:
            refusals.append(route.request.url)
            body = {"error": "saturated", "message": "all inference slots are busy; retry later", "request_id": "r1"}
            route.fulfill(
                status=503, headers={"Retry-After": "1"}, content_type="application/json", body=json.dumps(body)
            )
        else:
            route.continue_()

    page.route("**/v1/summarize", busy_once)
    page.get_by_label("News page").fill(seed_page_text)
    page.get_by_role("button", name="Analyse").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "The server is busy" in alert.inner_text() and "Retrying automatically in 1 s" in alert.inner_text()
    page.wait_for_selector("#status:has-text('Found 2 articles')", timeout=RESULT_TIMEOUT_MS)
    assert refusals and page.locator("#error").is_hidden()


def test_stop_retrying_keeps_the_error_and_offers_a_retry(page, seed_page_text):
    page.route(
        "**/v1/summarize",
        lambda route: route.fulfill(
            status=503, headers={"Retry-After": "30"}, json={"error": "saturated", "message": "busy"}
        ),
    )
    page.get_by_label("News page").fill(seed_page_text)
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("button", name="Stop retrying").click()
    assert page.get_by_role("button", name="Try again now").is_visible()
    assert "Retrying automatically" not in page.get_by_role("alert").inner_text()


def dropped_file(page, name: str, text: str, mime: str) -> None:
    """Drop a file on the drop zone as a user's drag and drop would."""
    transfer = page.evaluate_handle(
        """([name, text, mime]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: mime }));
            return transfer;
        }""",
        [name, text, mime],
    )
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})


def test_dropped_html_file_is_sent_as_html_and_marked_in_its_text(page):
    html = (FIXTURES / "page_article.html").read_text(encoding="utf-8")
    dropped_file(page, "port-strike.html", html, "text/html")
    page.wait_for_selector("#file-name:has-text('port-strike.html')")
    assert page.get_by_label("News page").input_value() == html
    with page.expect_request("**/v1/summarize") as sent:
        page.get_by_role("button", name="Analyse").click()
    assert sent.value.headers["content-type"].startswith("text/html")
    page.wait_for_selector("#status:has-text('Found 1 article')", timeout=RESULT_TIMEOUT_MS)
    document = sent.value.response().json()
    assert document["input_format"] == "html"
    quote = document["articles"][0]["quotes"][0]
    page.locator(".quote-list .quote-link").first.click()
    # Offsets index the text extracted from the HTML (source_text), which is what the page shows.
    assert marked_text(page) == document["source_text"][quote["start"] : quote["end"]] == quote["text"]


@pytest.mark.parametrize(
    "name, accepted",
    [("article.txt", True), ("ARTICLE.HTM", True), ("photo.png", False), ("notes.docx", False)],
)
def test_dropped_file_types(page, name, accepted):
    dropped_file(page, name, "Some text.", "application/octet-stream")
    if accepted:
        page.wait_for_selector(f"#file-name:has-text('{name}')")
        assert page.get_by_label("News page").input_value() == "Some text."
    else:
        assert "not supported" in page.get_by_role("alert").inner_text()
        assert page.get_by_label("News page").input_value() == ""
