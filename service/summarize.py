"""Stage 4: article -> bullet summary. Extract (select salient sentences), then compress each one.

`get_summarizer(settings)` picks the generator from settings; load failures raise ModelLoadError so that
start-up stops and names the model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from spacy.tokens import Doc

from service import lexicon, readability
from service.compress import Compressor, load_compressor
from service.salience import load_salience_model
from service.schema import Article, Bullet, Quote, Summary, SummaryLength
from service.select import SelectedSentence, select_sentences
from service.settings import Settings
from service.text_facts import SENTENCE_END, dateline_credit


def _publisher_lengths(lines: tuple[str, ...]) -> dict[str, SummaryLength]:
    table = {}
    for line in lines:
        fields = line.split("\t")
        if len(fields) != 3 or not fields[1].isdigit() or not fields[2].isdigit():
            raise ValueError(f"rules/publisher_lengths.tsv: {line!r} is not publisher<TAB>bullets<TAB>words")
        table[fields[0].casefold()] = SummaryLength(int(fields[1]), int(fields[2]), fields[0])
    return table


def publisher_lengths() -> dict[str, SummaryLength]:
    return lexicon.table("publisher_lengths.tsv", _publisher_lengths)


def summary_length(article: Article, settings: Settings) -> SummaryLength:
    """How many bullets and words this article's summary gets: its publisher's own bullet style when the
    dateline credits a publisher listed in rules/publisher_lengths.tsv, else the settings' default."""
    default = SummaryLength(settings.summary_max_bullets, settings.summary_max_words)
    if not settings.summary_length_by_publisher or article.dateline is None:
        return default
    credit = dateline_credit(article.dateline.text)
    if credit is None:
        return default
    return publisher_lengths().get(credit.casefold(), default)


@dataclass(frozen=True)
class ModelInfo:
    generator: str
    name: str
    version: str


class Selection(Protocol):
    """How a summariser picks its sentences: select_sentences, or a baseline the eval compares it with."""

    def __call__(
        self, article: Article, doc: Doc, quotes: Sequence[Quote], max_sentences: int, max_words: int
    ) -> list[SelectedSentence]: ...


class Summarizer(ABC):
    info: ModelInfo

    def __init__(self, settings: Settings, select: Selection = select_sentences) -> None:
        self.settings = settings
        self.select = select

    def summarize(self, article: Article, doc: Doc, quotes: Sequence[Quote]) -> Summary:
        length = summary_length(article, self.settings)
        selected = self.select(
            article,
            doc,
            quotes,
            max_sentences=length.bullets,
            max_words=self._selection_word_budget(length.words),
        )
        # Sentences that were different can become near-copies once the compressor has shortened them.
        bullets = readability.without_repeats(self._bullets(article, selected, quotes))
        return Summary(
            bullets=tuple(bullets),
            selected_sentences=tuple(s.span for s in selected),
            generator=self.info.generator,
            truncated_input=any(s.too_long for s in selected),
            length=length,
        )

    @abstractmethod
    def _selection_word_budget(self, summary_words: int) -> int: ...

    @abstractmethod
    def _bullets(
        self, article: Article, selected: Sequence[SelectedSentence], quotes: Sequence[Quote]
    ) -> list[Bullet]: ...


class ExtractiveSummarizer(Summarizer):
    """The selected sentences as they are: the ablation baseline, and a fallback users can choose."""

    info = ModelInfo(generator="extractive", name="sentence-selector", version="1")

    def _selection_word_budget(self, summary_words: int) -> int:
        return summary_words

    def _bullets(self, article, selected, quotes):
        return [_unrewritten(s) for s in selected]


class Seq2SeqSummarizer(Summarizer):
    """Selected sentences rewritten by a seq2seq model that may only delete words (copy-constrained)."""

    def __init__(self, settings: Settings, compressor: Compressor, select: Selection = select_sentences) -> None:
        super().__init__(settings, select)
        self.compressor = compressor
        self.info = ModelInfo(generator="seq2seq", name=compressor.name, version=compressor.version)

    def _selection_word_budget(self, summary_words: int) -> int:
        # Compression removes words, so select enough that the rewritten bullets fill the budget.
        return int(summary_words / self.compressor.expected_ratio)

    def _bullets(self, article, selected, quotes):
        rewritable = [s for s in selected if not s.too_long]
        compressed = iter(self.compressor.compress(rewritable, quotes))
        bullets = []
        for sentence in selected:
            if sentence.too_long:
                bullets.append(_unrewritten(sentence))
                continue
            kept = next(compressed)
            bullet = Bullet(_capitalised_like(render(article, kept), sentence.span.text), sentence.span, kept)
            bullets.append(bullet if _reads_as_well(bullet.text, sentence.span.text) else _unrewritten(sentence))
        return bullets


def _reads_as_well(bullet: str, sentence: str) -> bool:
    """A compression may not break a rule its sentence kept: leave a quote mark unpaired, or open with a
    word that points back ("In March, it rose" -> "It rose")."""
    return not (
        (readability.unbalanced_quotes(bullet) and not readability.unbalanced_quotes(sentence))
        or (readability.opens_leaning_back(bullet) and not readability.opens_leaning_back(sentence))
    )


def broken_rules(article: Article, bullets: Sequence[Bullet]) -> list[frozenset[str]]:
    """The readability rules each bullet breaks (service/readability.py), in this article."""
    read = article_page_slices(article)
    article_start = article.paragraphs[0].start if article.paragraphs else 0

    def adjacent(before: Bullet | None, bullet: Bullet) -> bool:
        start = before.source_sentence.end if before is not None else article_start
        return SENTENCE_END.search(read(start, bullet.source_sentence.start) + " ") is None

    return readability.broken_rules(bullets, adjacent)


def _capitalised_like(bullet: str, sentence: str) -> str:
    """A bullet whose opening words were dropped starts with a capital when its sentence did."""
    if bullet[:1].islower() and sentence[:1].isupper():
        return bullet[0].upper() + bullet[1:]
    return bullet


def _unrewritten(sentence: SelectedSentence) -> Bullet:
    return Bullet(sentence.span.text, sentence.span, ((sentence.span.start, sentence.span.end),))


def render(article: Article, kept: Sequence[tuple[int, int]]) -> str:
    """Join kept source words with the source's own spacing where they were adjacent, else one space."""
    page_text = article_page_slices(article)
    parts: list[str] = []
    previous_end = None
    for start, end in kept:
        word = page_text(start, end)
        if previous_end is not None:
            between = page_text(previous_end, start)
            if between.strip() == "":
                parts.append(between)
            elif not _attaches_left(word):
                parts.append(" ")
        parts.append(word)
        previous_end = end
    return "".join(parts).strip()


def _attaches_left(word: str) -> bool:
    return word[:1] in {",", ".", ";", ":", "!", "?", ")", "'", "’", "”"} or word.startswith(("'s", "’s", "n't", "n’t"))


def article_page_slices(article: Article):
    """A reader of page text by page offsets, backed by the article's paragraphs."""
    paragraphs = article.paragraphs

    def read(start: int, end: int) -> str:
        pieces = []
        for paragraph in paragraphs:
            lo, hi = max(start, paragraph.start), min(end, paragraph.end)
            if lo < hi:
                pieces.append(paragraph.text[lo - paragraph.start : hi - paragraph.start])
            elif paragraph.start >= end:
                break
        return " ".join(pieces)

    return read


def get_summarizer(settings: Settings) -> Summarizer:
    publisher_lengths()  # read now: a malformed table stops start-up, not the first credited article
    select = partial(select_sentences, model=load_salience_model(settings.selector_model))
    if settings.generator == "extractive":
        return ExtractiveSummarizer(settings, select)
    return Seq2SeqSummarizer(settings, load_compressor(settings), select)
