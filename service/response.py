"""The public response document, shared by the API and the CLI, and its construction from a PageResult.

Every span is a `[start, end]` pair of character offsets (Python code points) into the text exactly as
posted — or, for HTML input, into `source_text`, the text extracted from the markup.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.pipeline import ArticleResult, PageResult
from service.schema import Quote, SummaryLength, TextSpan

Span = tuple[int, int]


class QuoteOut(BaseModel):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    speaker: str | None = Field(
        description="Who said it: the fullest name the article gives the entity (a pronoun or description "
        "next to the quote resolved), as written in the text."
    )
    speaker_span: Span | None = Field(description="Where `speaker` stands in the text: text[start:end] == speaker.")
    cue: str | None
    cue_span: Span | None
    source_agency: str | None = Field(description="News agency the quote was relayed through, if any.")
    kind: Literal["direct", "partial", "indirect"]
    confidence: float = Field(ge=0.0, le=1.0)
    content_span: Span | None = Field(
        None, description="The whole reported content the cue governs (equals [start, end] for direct quotes)."
    )
    rule: str | None = Field(
        None, description="The attribution rule that found the quote (its confidence comes from it)."
    )
    speaker_mention: str | None = Field(
        None, description='The words naming the speaker next to the quote, as written ("he", "the minister").'
    )
    speaker_mention_span: Span | None = Field(None, description="Where `speaker_mention` stands in the text.")


class SummaryLengthOut(BaseModel):
    bullets: int = Field(ge=1, description="The most bullets the summary may have.")
    words: int = Field(ge=1, description="The words the summary is made to (a sentence that crosses it stays whole).")
    publisher: str | None = Field(
        description="The publisher whose own bullet style set the length (from the dateline's credit, "
        "e.g. CNN), or null for the default length."
    )


class ArticleOut(BaseModel):
    headline: str | None
    headline_span: Span | None
    dateline: str | None
    dateline_span: Span | None
    bullets: list[str] = Field(description="Bullet points the publisher printed with the article.")
    bullet_spans: list[Span]
    summary: list[str] = Field(description="Generated summary bullets.")
    summary_sources: list[Span] = Field(description="Source sentence of each summary bullet.")
    summary_length: SummaryLengthOut | None = Field(None, description="The length the summary was made to.")
    quotes: list[QuoteOut]
    paragraph_spans: list[Span] = Field(
        default_factory=list, description="The article's body paragraphs in reading order (the text quotes index)."
    )
    truncated: bool = Field(description="True when the article was too long and only its start was analysed.")
    paragraphs_analysed: int = Field(ge=0)


class ModelOut(BaseModel):
    generator: str
    name: str
    version: str


class SummarizeResponse(BaseModel):
    articles: list[ArticleOut]
    model: ModelOut
    timings_ms: dict[str, float]
    input_format: Literal["text", "html"]
    source_text: str | None = Field(None, description="For HTML input: the extracted text that every offset indexes.")


class SummarizeRequest(BaseModel):
    # The pattern documents "not blank"; the route checks it itself to answer with a specific error.
    text: str = Field(description="The page: plain text or HTML.", json_schema_extra={"pattern": r"\S"})
    url: str | None = Field(None, description="Where the page came from (informational).")


class ErrorResponse(BaseModel):
    error: str = Field(description="Machine-readable error code.")
    message: str
    request_id: str | None = None


def _span(span: TextSpan | None) -> Span | None:
    return (span.start, span.end) if span else None


def quote_out(quote: Quote) -> QuoteOut:
    return QuoteOut(
        text=quote.text,
        start=quote.start,
        end=quote.end,
        speaker=quote.speaker,
        speaker_span=quote.speaker_span,
        cue=quote.cue,
        cue_span=quote.cue_span,
        source_agency=quote.source_agency,
        kind=quote.kind,
        confidence=quote.confidence,
        content_span=quote.content_span,
        rule=quote.rule,
        speaker_mention=quote.speaker_mention,
        speaker_mention_span=quote.speaker_mention_span,
    )


def article_out(result: ArticleResult) -> ArticleOut:
    article = result.article
    bullets = result.summary.bullets
    return ArticleOut(
        headline=article.headline.text if article.headline else None,
        headline_span=_span(article.headline),
        dateline=article.dateline.text if article.dateline else None,
        dateline_span=_span(article.dateline),
        bullets=[b.text for b in article.bullets],
        bullet_spans=[(b.start, b.end) for b in article.bullets],
        summary=[b.text for b in bullets],
        summary_sources=[(b.source_sentence.start, b.source_sentence.end) for b in bullets],
        summary_length=_length_out(result.summary.length),
        quotes=[quote_out(q) for q in result.quotes],
        paragraph_spans=[(p.start, p.end) for p in article.paragraphs],
        truncated=result.truncated,
        paragraphs_analysed=result.paragraphs_analysed,
    )


def _length_out(length: SummaryLength | None) -> SummaryLengthOut | None:
    if length is None:
        return None
    return SummaryLengthOut(bullets=length.bullets, words=length.words, publisher=length.publisher)


def to_response(result: PageResult) -> SummarizeResponse:
    return SummarizeResponse(
        articles=[article_out(a) for a in result.articles],
        model=ModelOut(generator=result.model.generator, name=result.model.name, version=result.model.version),
        timings_ms=result.timings_ms,
        input_format="html" if result.input_format == "html" else "text",
        source_text=result.source_text if result.input_format == "html" else None,
    )
