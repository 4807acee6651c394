"""The pipeline: page text -> articles -> spaCy parse -> quotes -> summary.

Each stage lives in its own module; this one only wires them in order and times them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from spacy.tokens import Doc

from service import html_page, page, quotes
from service.nlp import Parser, get_parser
from service.quote_content import ContentChooser, default_chooser
from service.schema import Article, Quote, Summary, TextSpan
from service.settings import Settings
from service.summarize import ModelInfo, Summarizer, get_summarizer
from service.text_facts import SENTENCE_END

T = TypeVar("T")

WARM_UP_ARTICLE = Path(__file__).resolve().parent / "warmup_article.txt"


class NoArticleError(ValueError):
    """The input holds no article text (only boilerplate, links or whitespace)."""


@dataclass(frozen=True)
class Analysis:
    """An article as the summariser reads it: cut to max_article_chars, parsed, its quotes found."""

    article: Article
    doc: Doc
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class ArticleResult:
    article: Article
    quotes: tuple[Quote, ...]
    summary: Summary
    # True when the article was longer than max_article_chars and only its first paragraphs were read.
    truncated: bool = False
    paragraphs_analysed: int = 0
    # What the summary was made from (the eval summarises it again with other summarisers).
    analysis: Analysis | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PageResult:
    source_text: str
    input_format: str
    articles: tuple[ArticleResult, ...]
    model: ModelInfo
    timings_ms: dict[str, float] = field(default_factory=dict)


class StageTimer:
    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] = self.ms.get(name, 0.0) + (time.perf_counter() - started) * 1000


def _timed_load(seconds: dict[str, float], name: str, load: Callable[[], T]) -> T:
    started = time.perf_counter()
    model = load()
    seconds[name] = time.perf_counter() - started
    return model


class Pipeline:
    def __init__(self, settings: Settings, nlp: Parser, summarizer: Summarizer, content: ContentChooser) -> None:
        self.settings = settings
        self.nlp = nlp
        self.summarizer = summarizer
        self.content = content

    @classmethod
    def from_settings(cls, settings: Settings, load_seconds: dict[str, float] | None = None) -> Pipeline:
        """Load every model now, so that a missing or corrupt one stops start-up, naming it. Each model's
        load time goes into `load_seconds` when one is given."""
        seconds = {} if load_seconds is None else load_seconds
        summarizer = _timed_load(seconds, "summariser", lambda: get_summarizer(settings))
        nlp = _timed_load(seconds, "spacy", lambda: get_parser(settings.spacy_model, settings.ner_worker))
        content = _timed_load(seconds, "quote_content", lambda: default_chooser(settings.quote_content_model))
        return cls(settings, nlp, summarizer, content)

    def run(self, text: str, content_type: str = "text/plain") -> PageResult:
        timer = StageTimer()
        with timer.stage("parse_page"):
            source_text, input_format, found = self._read_page(text, content_type)
            articles = found[: self.settings.max_articles_per_page]
        if not articles:
            raise NoArticleError("no article text found in the input (only boilerplate, links or blank lines)")
        results = tuple(self.analyse_article(article, timer) for article in articles)
        timer.ms["total"] = sum(timer.ms.values())
        return PageResult(
            source_text=source_text,
            input_format=input_format,
            articles=results,
            model=self.summarizer.info,
            timings_ms={name: round(ms, 2) for name, ms in timer.ms.items()},
        )

    def warm_up(self) -> float:
        """Run a whole article (headline, bullets, quotes of every kind) through every stage once and return
        the seconds it took: the first run after loading pays for lazy initialisation in torch and spaCy,
        which must not land on a client's first request."""
        started = time.perf_counter()
        self.run(WARM_UP_ARTICLE.read_text(encoding="utf-8"))
        return time.perf_counter() - started

    def ready(self) -> bool:
        """Run one tiny article through every model; True when all answered."""
        result = self.run("Officials said on Monday that the bridge would reopen next week after repairs.")
        return len(result.articles) == 1

    def _read_page(self, text: str, content_type: str) -> tuple[str, str, list[Article]]:
        """(the text offsets index, "html" or "text", the articles found in it)."""
        if "html" in content_type or (content_type == "text/plain" and html_page.looks_like_html(text)):
            parsed = html_page.parse_html(text)
            return parsed.source_text, "html", list(parsed.articles)
        return text, "text", page.parse_page(text)

    def analyse_article(self, article: Article, timer: StageTimer | None = None) -> ArticleResult:
        """Quotes and summary of one article (the eval harness calls this on dev-set articles)."""
        timer = timer or StageTimer()
        analysed = self._fit_to_limit(article)
        with timer.stage("nlp"):
            doc = self.nlp(analysed.body.text)
        with timer.stage("quotes"):
            found = tuple(quotes.extract_quotes(analysed, doc, self.content))
        with timer.stage("summary"):
            summary = self.summarizer.summarize(analysed, doc, found)
        truncated = analysed is not article
        return ArticleResult(
            article=article,
            quotes=found,
            summary=summary,
            truncated=truncated,
            paragraphs_analysed=len(analysed.paragraphs),
            analysis=Analysis(analysed, doc, found),
        )

    def _fit_to_limit(self, article: Article) -> Article:
        """Keep whole leading paragraphs up to max_article_chars; a first paragraph longer than that is cut
        at its last sentence end within the limit, never mid-sentence where a sentence end exists."""
        budget = self.settings.max_article_chars
        kept: list[TextSpan] = []
        used = 0
        for paragraph in article.paragraphs:
            if used + len(paragraph.text) > budget:
                if not kept:
                    kept.append(_cut_at_sentence_end(paragraph, budget))
                break
            kept.append(paragraph)
            used += len(paragraph.text) + len(Article.PARAGRAPH_SEPARATOR)
        if kept == list(article.paragraphs):
            return article
        return replace(article, paragraphs=tuple(kept))


def _cut_at_sentence_end(paragraph: TextSpan, limit: int) -> TextSpan:
    window = paragraph.text[:limit]
    ends = [m.end() for m in SENTENCE_END.finditer(window)]
    cut = ends[-1] if ends else (window.rfind(" ") if " " in window else limit)
    text = window[:cut].rstrip()
    return TextSpan(text, paragraph.start, paragraph.start + len(text))
