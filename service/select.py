"""Sentence selection: which sentences of an article carry its news.

News puts its most important facts first, so position dominates; overlap with the headline and with the
rest of the article (centrality) lift sentences that restate the story; sentences that are only a quote
fragment, a question or a teaser are held back.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from spacy.tokens import Doc, Span

from service.schema import Article, Quote, TextSpan

MIN_WORDS = 6
# Sentences longer than this (in words) are not rewritten: the compressor was trained on shorter ones.
MAX_REWRITE_WORDS = 80


@dataclass(frozen=True)
class Word:
    text: str
    start: int  # page offsets
    end: int


@dataclass(frozen=True)
class SelectedSentence:
    span: TextSpan
    words: tuple[Word, ...]
    position: int
    score: float
    too_long: bool
    # Page spans of names and numbers: a compression keeps each whole or drops it whole.
    entities: tuple[tuple[int, int], ...] = ()
    # (word start, its syntactic head's start) in page offsets: a kept word keeps the word it modifies.
    heads: tuple[tuple[int, int], ...] = ()


def select_sentences(
    article: Article,
    doc: Doc,
    quotes: Sequence[Quote],
    max_sentences: int,
    max_words: int,
) -> list[SelectedSentence]:
    """Best-scoring sentences until they reach ``max_words`` words, returned in article order.

    The sentence that crosses the budget is kept whole: cutting a sentence, or skipping it for a shorter
    one further down, loses more news than a few words over the budget cost.
    """
    candidates = _candidate_sentences(doc)
    sentences = [s for s in candidates if _word_count(s) >= MIN_WORDS] or candidates
    if not sentences:
        return []
    scores = _scores(sentences, doc, article)
    ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
    chosen: list[int] = []
    words = 0
    for i in ranked:
        if words >= max_words or len(chosen) >= max_sentences:
            break
        chosen.append(i)
        words += _word_count(sentences[i])
    return [_selected(article, sentences[i], i, scores[i]) for i in sorted(chosen)]


def _candidate_sentences(doc: Doc) -> list[Span]:
    candidates = []
    for sentence in doc.sents:
        for part in _within_paragraphs(sentence):
            if part.text.strip() and not part.text.rstrip().endswith("?"):
                candidates.append(part)
    return candidates


def _within_paragraphs(sentence: Span) -> list[Span]:
    """Split a sentence at paragraph breaks: a bullet must come from one stretch of page text."""
    parts, start = [], sentence.start
    for token in sentence:
        if token.is_space and "\n" in token.text:
            if token.i > start:
                parts.append(sentence.doc[start : token.i])
            start = token.i + 1
    if sentence.end > start:
        parts.append(sentence.doc[start : sentence.end])
    return parts


def _word_count(sentence: Span) -> int:
    return sum(1 for t in sentence if not t.is_punct and not t.is_space)


def _content_lemmas(tokens) -> Counter:
    return Counter(t.lemma_.lower() for t in tokens if t.is_alpha and not t.is_stop)


def _scores(sentences: list[Span], doc: Doc, article: Article) -> list[float]:
    document = _content_lemmas(doc)
    headline = {w.lower() for w in article.headline.text.split()} if article.headline else set()
    scores = []
    for i, sentence in enumerate(sentences):
        lemmas = _content_lemmas(sentence)
        position = 1.0 / math.sqrt(1 + i)
        centrality = sum(min(document[w] - c, 3) for w, c in lemmas.items()) / (1 + sum(lemmas.values()))
        head = len({t.text.lower() for t in sentence} & headline) / (1 + len(headline))
        scores.append(position + 0.15 * centrality + 0.5 * head)
    return scores


def _selected(article: Article, sentence: Span, position: int, score: float) -> SelectedSentence:
    body = article.body
    all_words = tuple(
        Word(t.text, body.to_page(t.idx), body.to_page_end(t.idx + len(t.text))) for t in sentence if not t.is_space
    )
    words = _without_dateline(article, all_words)
    start, end = words[0].start, words[-1].end
    text = _page_slice(article, start, end)
    return SelectedSentence(
        span=TextSpan(text, start, end),
        words=words,
        position=position,
        score=score,
        too_long=len(words) > MAX_REWRITE_WORDS,
        entities=tuple(
            (body.to_page(e.start_char), body.to_page_end(e.end_char)) for e in sentence.ents if len(e) > 1
        ),
        heads=tuple(
            (body.to_page(t.idx), body.to_page(t.head.idx))
            for t in sentence
            if t.head.i != t.i and sentence.start <= t.head.i < sentence.end and not t.is_space
        ),
    )


def _without_dateline(article: Article, words: tuple[Word, ...]) -> tuple[Word, ...]:
    """Drop a leading dateline ("SEOUL:", "(CNN)") and its separator: publishers' bullets never carry one."""
    dateline = article.dateline
    if dateline is None or not words or words[0].start > dateline.start:
        return words
    rest = []
    for word in words:
        if word.start >= dateline.end:
            rest.append(word)
        elif word.end > dateline.end:  # "(CNN)They" is one token: keep the part after the dateline
            rest.append(Word(word.text[dateline.end - word.start :], dateline.end, word.end))
    while rest and not any(ch.isalnum() for ch in rest[0].text):
        rest.pop(0)
    return tuple(rest) or words


def _page_slice(article: Article, start: int, end: int) -> str:
    for paragraph in article.paragraphs:
        if paragraph.start <= start and end <= paragraph.end:
            return paragraph.text[start - paragraph.start : end - paragraph.start]
    raise ValueError(f"span {start}-{end} is not inside one paragraph")
