"""Types passed between pipeline stages.

Every span carries character offsets into the page text exactly as the user sent it
(``page[start:end] == text``), never into a normalised copy.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

QuoteKind = Literal["direct", "partial", "indirect"]


@dataclass(frozen=True)
class TextSpan:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Article:
    """One article found on a page. Paragraphs are de-duplicated and in reading order."""

    headline: TextSpan | None
    dateline: TextSpan | None
    bullets: tuple[TextSpan, ...]
    paragraphs: tuple[TextSpan, ...]
    # Paragraphs the page repeated and the parser dropped (kept so callers can report them).
    dropped_repeats: tuple[TextSpan, ...] = ()

    PARAGRAPH_SEPARATOR = "\n\n"

    @cached_property
    def body(self) -> ArticleBody:
        return ArticleBody.from_paragraphs(self.paragraphs, self.PARAGRAPH_SEPARATOR)


@dataclass(frozen=True)
class ArticleBody:
    """The article's paragraphs joined into one string, with a map back to page offsets.

    NLP runs on ``text``; ``to_page`` turns an offset in ``text`` into an offset in the page.
    """

    text: str
    # Parallel lists: body offset where paragraph i starts, and its page offset.
    body_starts: tuple[int, ...] = field(default=())
    page_starts: tuple[int, ...] = field(default=())

    @classmethod
    def from_paragraphs(cls, paragraphs: tuple[TextSpan, ...], separator: str) -> ArticleBody:
        parts: list[str] = []
        body_starts: list[int] = []
        page_starts: list[int] = []
        cursor = 0
        for paragraph in paragraphs:
            if parts:
                parts.append(separator)
                cursor += len(separator)
            body_starts.append(cursor)
            page_starts.append(paragraph.start)
            parts.append(paragraph.text)
            cursor += len(paragraph.text)
        return cls("".join(parts), tuple(body_starts), tuple(page_starts))

    def to_page(self, offset: int) -> int:
        """Page offset of a body offset. Offsets inside a separator map to the paragraph end."""
        if not self.body_starts:
            return offset
        i = max(bisect.bisect_right(self.body_starts, offset) - 1, 0)
        return self.page_starts[i] + (offset - self.body_starts[i])

    def to_page_end(self, offset: int) -> int:
        """Page offset of an exclusive end offset (it belongs to the paragraph before it)."""
        if offset <= 0 or not self.body_starts:
            return offset
        return self.to_page(offset - 1) + 1


@dataclass(frozen=True)
class Quote:
    text: str
    start: int
    end: int
    # Who said it, by the fullest name the article gives the entity ("Sergey Lavrov" for "he" or
    # "Lavrov"); where no name stands for it, the description with the phrases that say who it is ("a
    # spokesman for the ministry"). speaker_span is where those characters stand (page[span] == speaker).
    speaker: str | None
    speaker_span: tuple[int, int] | None
    cue: str | None
    cue_span: tuple[int, int] | None
    source_agency: str | None
    kind: QuoteKind
    confidence: float
    # The whole reported content the cue governs (PolNeAR's "Content"): for a partial quote inside a
    # paraphrase it is the clause around the quoted words; for a direct quote it equals (start, end).
    content_span: tuple[int, int] | None = None
    # The name of the attribution rule that found it (service/quotes/rules.py, service/quotes/indirect.py).
    rule: str | None = None
    # The words that name the speaker next to the quote, as written ("he", "the minister", "Lavrov"):
    # the mention the cue governs (PolNeAR's Source), which `speaker` resolves.
    speaker_mention: str | None = None
    speaker_mention_span: tuple[int, int] | None = None


@dataclass(frozen=True)
class Bullet:
    """One summary bullet, made of words copied from one source sentence."""

    text: str
    source_sentence: TextSpan
    # Page spans of the source words the bullet kept, in order.
    kept: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SummaryLength:
    """The most bullets and words a summary is made to."""

    bullets: int
    words: int
    # The publisher whose own bullet style set it (the dateline's credit), or None for the default.
    publisher: str | None = None


@dataclass(frozen=True)
class Summary:
    bullets: tuple[Bullet, ...]
    selected_sentences: tuple[TextSpan, ...]
    generator: str
    truncated_input: bool = False
    # None only from stand-in summarisers (tests).
    length: SummaryLength | None = None
