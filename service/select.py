"""Sentence selection: which sentences of an article carry its news.

A model learned from publisher highlights scores each sentence (service/salience.py: position dominates,
sentences the rest of the article restates rise); the best are taken until the budget, passing over any a
publisher would not print; questions and sentence fragments are never candidates. Each selected sentence
also carries what the compressor needs from the parse: the phrases it may drop, and how often the article
repeats each word.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from service import lexicon, readability
from service.nlp import breaks_line
from service.salience import SalienceModel, load_salience_model, sentence_features
from service.schema import Article, Quote, TextSpan
from service.text_facts import DOUBLE_QUOTE_MARKS, QUOTE_MARKS, match_dateline

MIN_WORDS = 6
# Sentences longer than this (in words) are not rewritten: the compressor was trained on shorter ones.
MAX_REWRITE_WORDS = 80
DELETABLE_DEPENDENCIES = lexicon.word_set("deletable_dependencies.txt", lowercase=False)
MEANING_MODIFIERS = lexicon.word_set("meaning_modifiers.txt")
# A deletion may not take more than this share of a sentence's words: the bullet must keep its clause.
MAX_DELETED_SHARE = 0.6
_NAME_ENTITIES = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
# What a verb needs besides its subject; a prepositional phrase beside one of these is an adjunct.
_COMPLEMENTS = frozenset({"dobj", "attr", "acomp", "xcomp", "ccomp", "dative", "oprd", "agent", "prep"})
# (most mentions in the article, value of keeping the word): a log scale of repetition.
_VALUE_BY_MENTIONS = ((1, -1.0), (2, 0.0), (4, 1.0), (math.inf, 2.0))


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
    # Page spans of the phrases a bullet may drop (modifier subtrees with their commas); the compressor
    # deletes only unions of these. None: no parse to say, any word may go.
    deletable: tuple[tuple[int, int], ...] | None = None
    # For each word, how often its form occurs in the article (0 for function words and punctuation).
    mentions: tuple[int, ...] = ()

    def keep_values(self, said: set[str]) -> list[float]:
        """What keeping each word is worth to a summary. Words the article repeats carry its news; words it
        mentions once rarely reach a publisher's bullet, nor do words an earlier bullet already said.
        (On news highlights, a content word mentioned once in its article appears in the highlights about
        one time in eight, one mentioned five times or more about two times in three.)"""
        values = []
        for word, count in zip(self.words, self.mentions):
            if count == 0:
                values.append(0.0)
            elif word_form(word.text) in said:
                values.append(-1.0)
            else:
                values.append(next(value for most, value in _VALUE_BY_MENTIONS if count <= most))
        return values


@dataclass(frozen=True)
class _Candidate:
    """A sentence the summary may take, with what the readability rules need to know of it."""

    span: Span
    words: int
    # Content words, to tell when two sentences say the same thing.
    content: frozenset[str]
    # It opens by pointing back ("It", "But"): a bullet only right after the sentence it points to.
    leans_back: bool
    # The candidate that is the very sentence before it in the article (None: nothing, or a sentence
    # that is no candidate, such as a question, stands there), and whether nothing stands before it.
    previous: int | None
    first: bool
    # A publisher could print it as a bullet: quote marks balanced, not page furniture.
    printable: bool


def select_sentences(
    article: Article,
    doc: Doc,
    quotes: Sequence[Quote],
    max_sentences: int,
    max_words: int,
    model: SalienceModel | None = None,
) -> list[SelectedSentence]:
    """Best-scoring sentences until they reach ``max_words`` words, returned in article order. Sentences are
    scored by ``model`` (service/salience.py; the shipped one unless given).

    The sentence that crosses the budget is kept whole: cutting a sentence, or skipping it for a shorter
    one further down, loses more news than a few words over the budget cost. A sentence that breaks a
    readability rule (service/readability.py) is passed over for the next best.
    """
    candidates = _candidates(doc)
    if not candidates:
        return []
    features = sentence_features([c.span for c in candidates], doc, [c.words for c in candidates])
    scores = (model or load_salience_model()).scores(features)
    chosen = _choose(candidates, scores, max_sentences, max_words)
    counts = _word_counts(doc)
    return [_selected(article, candidates[i].span, i, scores[i], counts) for i in chosen]


def candidate_features(doc: Doc) -> tuple[list[Span], list[list[float]]]:
    """The sentences a summary may be made from, in article order, and their salience features (what the
    selector model is trained on: python -m service.training.selector)."""
    candidates = _candidates(doc)
    spans = [c.span for c in candidates]
    return spans, sentence_features(spans, doc, [c.words for c in candidates])


def first_sentences(article: Article, doc: Doc, count: int) -> list[SelectedSentence]:
    """The article's first ``count`` candidate sentences, whatever their scores (the Lead-n baseline)."""
    spans = [c.span for c in _candidates(doc)][:count]
    counts = _word_counts(doc)
    return [_selected(article, span, i, 0.0, counts) for i, span in enumerate(spans)]


def _choose(candidates: Sequence[_Candidate], scores: Sequence[float], max_sentences: int, max_words: int) -> list[int]:
    """Indices of the sentences to summarise with, best score first until the budget, in article order.
    Never a sentence a publisher would not print, one that says again what a chosen sentence before it
    says (or that a chosen one after it says again), or one that points back to a sentence not chosen
    right before it."""
    chosen: list[int] = []
    words = 0
    for i in sorted(range(len(candidates)), key=lambda i: -scores[i]):
        if words >= max_words or len(chosen) >= max_sentences:
            break
        candidate = candidates[i]
        if not candidate.printable:
            continue
        if candidate.leans_back and not candidate.first and candidate.previous not in chosen:
            continue
        # Read in article order, no bullet may say again what one before it said, whichever was chosen first.
        before = [candidates[j].content for j in chosen if j < i]
        after = [candidates[j].content for j in chosen if j > i]
        if readability.repeats(candidate.content, before) or any(
            readability.repeats(later, [candidate.content]) for later in after
        ):
            continue
        chosen.append(i)
        words += candidate.words
    # An article whose every sentence breaks a rule still gets its best one.
    return sorted(chosen) or [max(range(len(candidates)), key=lambda i: scores[i])]


def _candidates(doc: Doc) -> list[_Candidate]:
    """Statements of at least MIN_WORDS words with a verb (no questions, no table rows such as "Lewis
    Hamilton (Britain) Mercedes 1:35.782"), each within one paragraph, in article order; when there are
    none, every statement."""
    parts = _sentence_parts(doc)
    statements = [k for k, part in enumerate(parts) if not part.text.rstrip().endswith("?")]
    kept = [k for k in statements if _word_count(parts[k]) >= MIN_WORDS and _has_verb(parts[k])] or statements
    index = {k: i for i, k in enumerate(kept)}
    candidates = []
    for k in kept:
        text = parts[k].text
        dateline = match_dateline(text)
        if dateline is not None:
            text = text[dateline.separator_end :]
        candidates.append(
            _Candidate(
                span=parts[k],
                words=_word_count(parts[k]),
                content=readability.content_words(text),
                leans_back=readability.opens_leaning_back(text),
                previous=index.get(k - 1),
                first=k == 0,
                printable=not (
                    readability.unbalanced_quotes(text)
                    or readability.is_furniture(text)
                    or readability.opens_mid_sentence(text)
                ),
            )
        )
    return candidates


def _sentence_parts(doc: Doc) -> list[Span]:
    """Every sentence of the doc, split at paragraph breaks, in order. A sentence the parser began on a
    lower-case word in the middle of a line ('… but I actually like Rocket League | so this is more
    important to me.') is the end of the one before."""
    parts: list[Span] = []
    for part in (p for sentence in doc.sents for p in _within_paragraphs(sentence) if p.text.strip()):
        if parts and readability.opens_mid_sentence(part.text) and _same_line(parts[-1], part):
            parts[-1] = doc[parts[-1].start : part.end]
        else:
            parts.append(part)
    return parts


def _same_line(before: Span, after: Span) -> bool:
    return not any(breaks_line(t) for t in before.doc[before.end : after.start])


def _word_counts(doc: Doc) -> Counter:
    return Counter(word_form(t.text) for t in doc if not t.is_punct and not t.is_space)


def _within_paragraphs(sentence: Span) -> list[Span]:
    """Split a sentence at paragraph breaks: a bullet must come from one stretch of page text."""
    parts, start = [], sentence.start
    for token in sentence:
        if breaks_line(token):
            if token.i > start:
                parts.append(sentence.doc[start : token.i])
            start = token.i + 1
    if sentence.end > start:
        parts.append(sentence.doc[start : sentence.end])
    return parts


def _has_verb(sentence: Span) -> bool:
    return any(t.pos_ in ("VERB", "AUX") for t in sentence)


def _word_count(sentence: Span) -> int:
    return sum(1 for t in sentence if not t.is_punct and not t.is_space)


def word_form(text: str) -> str:
    """The form words are counted by: lower case, letters and digits only ("U.S." -> "us")."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _selected(article: Article, sentence: Span, position: int, score: float, counts: Counter) -> SelectedSentence:
    body = article.body
    tokens = [t for t in sentence if not t.is_space]
    all_words = tuple(Word(t.text, body.to_page(t.idx), body.to_page_end(t.idx + len(t.text))) for t in tokens)
    words = _without_dateline(article, all_words)
    mention_at = {body.to_page_end(t.idx + len(t.text)): _mentions(t, counts) for t in tokens}
    start, end = words[0].start, words[-1].end
    text = _page_slice(article, start, end)
    return SelectedSentence(
        span=TextSpan(text, start, end),
        words=words,
        position=position,
        score=score,
        too_long=len(words) > MAX_REWRITE_WORDS,
        entities=tuple((body.to_page(e.start_char), body.to_page_end(e.end_char)) for e in sentence.ents if len(e) > 1),
        heads=tuple(
            (body.to_page(t.idx), body.to_page(t.head.idx))
            for t in sentence
            if t.head.i != t.i and sentence.start <= t.head.i < sentence.end and not t.is_space
        ),
        deletable=tuple((body.to_page(start), body.to_page_end(end)) for start, end in _deletable_phrases(sentence)),
        mentions=tuple(mention_at[w.end] for w in words),
    )


def _mentions(token, counts: Counter) -> int:
    if token.is_stop or token.is_punct or not word_form(token.text):
        return 0
    return counts[word_form(token.text)]


def _deletable_phrases(sentence: Span) -> list[tuple[int, int]]:
    """Character spans (in the doc) of the modifier subtrees a bullet may drop, with their commas."""
    content_words = sum(1 for t in sentence if not t.is_punct and not t.is_space)
    phrases = []
    for token in sentence:
        if token.dep_ not in DELETABLE_DEPENDENCIES or token.lower_ in MEANING_MODIFIERS:
            continue
        if token.dep_ == "prep" and not _adjunct_phrase(sentence, token):
            continue
        if _inside_a_name(token):
            continue
        first, last = token.left_edge.i, token.right_edge.i
        inside = sentence.doc[first : last + 1]
        if first < sentence.start or last >= sentence.end or token.head.i == token.i:
            continue
        if any(t.text in DOUBLE_QUOTE_MARKS for t in inside):
            continue
        if sum(1 for t in inside if not t.is_punct) > MAX_DELETED_SHARE * content_words:
            continue
        first, last = _with_commas(sentence, token, first, last)
        phrases.append((sentence.doc[first].idx, sentence.doc[last].idx + len(sentence.doc[last].text)))
    return phrases


def _inside_a_name(token) -> bool:
    """A name word modifying a proper noun, or coordinated with one that does: "the British and Irish
    Lions" may lose neither "British and Irish" nor "and Irish", which would name another team."""
    anchor = token.head if token.dep_ == "conj" else token
    is_name_word = anchor.pos_ == "PROPN" or anchor.ent_type_ in _NAME_ENTITIES
    return token.dep_ in {"amod", "conj"} and is_name_word and anchor.head.pos_ == "PROPN"


def _adjunct_phrase(sentence: Span, preposition) -> bool:
    """A prepositional phrase that only adds detail: after a noun ("a man from Ohio"), set off by a comma,
    a time ("on Tuesday"), or beside another complement of its verb ("re-enter the atmosphere in a week").
    A verb's only complement stays: without it the verb says nothing ("spoke at ...", "based on ...")."""
    head = preposition.head
    if head.pos_ in {"NOUN", "PROPN", "PRON", "NUM"}:
        return True
    doc = sentence.doc
    first, last = preposition.left_edge.i, preposition.right_edge.i
    set_off = (first > sentence.start and doc[first - 1].text == ",") or (
        last + 1 < sentence.end and doc[last + 1].text == "," and first == sentence.start
    )
    timed = any(t.ent_type_ in {"DATE", "TIME"} for t in preposition.children)
    other_complement = any(c.dep_ in _COMPLEMENTS and c.i != preposition.i for c in head.children)
    return set_off or timed or other_complement


def _with_commas(sentence: Span, token, first: int, last: int) -> tuple[int, int]:
    """Widen a phrase to the punctuation that goes with it: ", a doctor," between commas; ", he said" at
    the end; "On Monday," at the start; ", and X" for a conjunct."""
    doc = sentence.doc
    before = doc[first - 1] if first > sentence.start else None
    if token.dep_ == "conj" and before is not None and before.dep_ == "cc":
        first -= 1
        before = doc[first - 1] if first > sentence.start else None
    after = doc[last + 1] if last + 1 < sentence.end else None
    comma_before = before is not None and before.text == ","
    comma_after = after is not None and after.text == ","
    ends_sentence = after is None or (after.is_punct and after.text in {".", "!", "?", ";"})
    if comma_before and (comma_after or ends_sentence or token.dep_ == "conj"):
        first -= 1
    if comma_after and (comma_before or first == sentence.start):
        last += 1
    return first, last


def _without_dateline(article: Article, words: tuple[Word, ...]) -> tuple[Word, ...]:
    """Drop a leading dateline ("SEOUL:", "(CNN)") and its separator: publishers' bullets never carry one."""
    dateline = article.dateline
    if dateline is None or not words or words[0].start > dateline.start:
        return words
    rest = []
    for word in words:
        if word.start >= dateline.end:
            rest.append(word)
        elif word.end > dateline.end:  # a dateline glued to the word after it: keep that word
            rest.append(Word(word.text[dateline.end - word.start :], dateline.end, word.end))
    # The separator goes ("-", ":"); a quote mark opening the sentence stays, or its quotation is unpaired.
    while rest and not any(ch.isalnum() for ch in rest[0].text) and rest[0].text not in QUOTE_MARKS:
        rest.pop(0)
    return tuple(rest) or words


def _page_slice(article: Article, start: int, end: int) -> str:
    for paragraph in article.paragraphs:
        if paragraph.start <= start and end <= paragraph.end:
            return paragraph.text[start - paragraph.start : end - paragraph.start]
    raise ValueError(f"span {start}-{end} is not inside one paragraph")
