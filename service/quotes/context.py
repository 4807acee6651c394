"""The read-only facts of one article that every rule consults: its paragraphs, its sentences cut at
paragraph breaks, what is inside quote marks, where the cues and naming verbs are, and the speaker
resolver. Built once per article, so each quote is then handled in time linear in its sentence."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from service import lexicon
from service.quotes.cues import load_cue_lexicon
from service.quotes.marks import QuotedSpan, find_quoted_spans
from service.quotes.titles import quoted_names
from service.schema import Article
from service.speakers import SpeakerResolver
from service.text_facts import QUOTE_MARKS

# Longest path from quoted words up the parse to the verb that governs them.
MAX_PATH_STEPS = 12


@dataclass(frozen=True)
class ArticleContext:
    article: Article
    doc: Doc
    # The body text (doc.text, read once: spaCy joins it from the tokens on every access).
    text: str
    paragraphs: tuple[tuple[int, int], ...]
    paragraph_starts: tuple[int, ...]
    # The first token of each paragraph, and of each of spaCy's sentences (Token.sent walks the sentence on
    # every call: on a page that is one long "sentence" that would make each lookup linear).
    paragraph_token_starts: tuple[int, ...]
    sentence_token_starts: tuple[int, ...]
    quoted: tuple[QuotedSpan, ...]
    quoted_opens: tuple[int, ...]
    resolver: SpeakerResolver
    # Token index -> the cue phrase starting there (reporting verbs, "according to", credit nouns).
    cue_at: Mapping[int, Span]
    # Cue index -> the credit's noun phrase, for cues the tagger took for nouns ('“…,” the two write').
    credit_speakers: Mapping[int, Span]
    cue_tokens: frozenset[int]
    # Naming verbs (call, label, dub ...): cues only when they govern quoted words.
    naming_at: frozenset[int]
    # The opening offsets of quoted spans that name a work ('the film “Parasite”') or a so-called term, never statements.
    quoted_names: frozenset[int]

    @classmethod
    def of(cls, article: Article, doc: Doc, text: str) -> ArticleContext:
        paragraphs = tuple(
            (start, start + len(p.text)) for start, p in zip(article.body.body_starts, article.paragraphs)
        )
        quoted = tuple(find_quoted_spans(text, list(paragraphs)))
        cues = load_cue_lexicon()
        naming = lexicon.word_set("naming_verbs.txt")
        # One pass over the tokens (each Token object costs): cues, credit nouns, naming verbs.
        cue_at: dict[int, Span] = {}
        credit_speakers: dict[int, Span] = {}
        naming_at: set[int] = set()
        for t in doc:
            if (span := cues.match(t)) is not None:
                cue_at[t.i] = span
            elif (words := cues.credit_noun(t)) is not None:
                credit_speakers[t.i] = words
            elif t.pos_ == "VERB" and t.lemma_.lower() in naming:
                naming_at.add(t.i)
        cue_at.update((i, doc[i : i + 1]) for i in credit_speakers)
        resolver = SpeakerResolver(doc, [(q.open, q.close) for q in quoted], text, cues.verbs)
        return cls(
            article=article,
            doc=doc,
            text=text,
            paragraphs=paragraphs,
            paragraph_starts=tuple(start for start, _ in paragraphs),
            paragraph_token_starts=_paragraph_token_starts(doc, paragraphs),
            sentence_token_starts=resolver.sentence_starts,
            quoted=quoted,
            quoted_opens=tuple(q.open for q in quoted),
            resolver=resolver,
            cue_at=cue_at,
            credit_speakers=credit_speakers,
            cue_tokens=frozenset(cue_at),
            naming_at=frozenset(naming_at),
            quoted_names=quoted_names(doc, text, quoted),
        )

    def sentence(self, token: Token) -> Span:
        """spaCy's sentence of a token, cut at paragraph breaks (the parser sometimes runs over them)."""
        sent_start, sent_end = _run_around(self.sentence_token_starts, token.i, len(self.doc))
        para_start, para_end = _run_around(self.paragraph_token_starts, token.i, len(self.doc))
        return self.doc[max(sent_start, para_start) : min(sent_end, para_end)]

    def paragraph_of(self, offset: int) -> tuple[int, int]:
        k = bisect.bisect_right(self.paragraph_starts, offset) - 1
        return self.paragraphs[k] if k >= 0 else (0, len(self.text))

    def quoted_chars(self, start: int, end: int) -> int:
        """How many characters of [start, end) lie inside quote marks (spans are sorted, disjoint)."""
        k = max(bisect.bisect_right(self.quoted_opens, start) - 1, 0)
        covered = 0
        for quoted in self.quoted[k:]:
            if quoted.open >= end:
                break
            covered += max(0, min(quoted.close, end) - max(quoted.open, start))
        return covered

    def in_quote_paragraphs(self, content: tuple[int, int], quote: tuple[int, int]) -> tuple[int, int]:
        """A content span cut to the paragraphs the quote is in (the parse sometimes runs over a break)."""
        first, last = self.paragraph_of(quote[0]), self.paragraph_of(max(quote[1] - 1, quote[0]))
        return max(content[0], first[0]), min(content[1], last[1])

    def right_after_quote(self, token: Token) -> bool:
        previous = token_before(self.doc, token.i)
        return previous is not None and previous.text in QUOTE_MARKS

    def path_up(self, token: Token, span: Span, frame: Span) -> Iterator[tuple[Token, Token]]:
        """(child, head) pairs from a quoted token up the parse, while the head is in the frame and outside
        the quote, at most MAX_PATH_STEPS of them."""
        below, head = token, token.head
        for _ in range(MAX_PATH_STEPS):
            if head.i == below.i or not (frame.start <= head.i < frame.end) or span.start <= head.i < span.end:
                return
            yield below, head
            below, head = head, head.head


def _run_around(starts: tuple[int, ...], i: int, length: int) -> tuple[int, int]:
    """The [start, end) of the run holding token i, of runs that begin at `starts` (sorted)."""
    k = bisect.bisect_right(starts, i) - 1
    return (starts[k] if k >= 0 else 0), (starts[k + 1] if k + 1 < len(starts) else length)


def _paragraph_token_starts(doc: Doc, paragraphs: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    starts: list[int] = []
    for start, end in paragraphs:
        span = doc.char_span(start, max(end, start + 1), alignment_mode="expand")
        starts.append(span.start if span is not None else (starts[-1] if starts else 0))
    return tuple(starts)


def trimmed(tokens: list[Token] | Span) -> tuple[int, int]:
    """Character bounds of tokens without the spaces and punctuation (but quote marks) at their ends."""
    # Scans in from both ends only: a clause can be thousands of tokens long.
    first = next((t for t in tokens if _is_word(t)), None)
    if first is None:
        first, last = tokens[0], tokens[-1]
    else:
        last = next(t for t in reversed(tokens) if _is_word(t))
    return first.idx, last.idx + len(last.text)


def _is_word(token: Token) -> bool:
    return not (token.is_space or (token.is_punct and token.text not in QUOTE_MARKS))


def token_before(doc: Doc, i: int) -> Token | None:
    """The last token before position i that is not whitespace."""
    previous = i - 1
    while previous >= 0 and doc[previous].is_space:
        previous -= 1
    return doc[previous] if previous >= 0 else None


def words_between(doc: Doc, start: int, end: int) -> int:
    return sum(1 for t in doc[start:end] if t.is_alpha or t.is_digit)
