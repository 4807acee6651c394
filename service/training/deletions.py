"""Syntactic targets: publisher-style trims of an unlabelled news sentence, read off its parse.

Each rule proposes a deletion (a set of word indices) that removes something a bullet does not need
(dateline, attribution tail, temporal modifier, parenthetical, name appositive, opening discourse
marker, non-restrictive relative clause) and never the clause that says who did what. A seeded draw
per sentence decides which optional deletions fire, so the model also sees them left in place.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from spacy.tokens import Token

from service.quotes import load_cue_lexicon
from service.text_facts import QUOTE_MARKS
from service.training.tokens import Structure, Words, is_mark, splits_group

# A dateline is always removed; each other deletion a sentence allows fires with this probability.
FIRE_PROBABILITY = 0.7
_OPENER_DEPS = frozenset({"advmod", "npadvmod", "prep", "intj"})
_MAX_OPENER_WORDS = 5
_TEMPORAL_PREPS = frozenset({"on", "at", "in", "during"})
_TEMPORAL_ENTS = frozenset({"DATE", "TIME"})
_NAME_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
_RELATIVE_WORDS = frozenset({"which", "who", "whom", "whose"})
_DASHES = frozenset({"—", "–", "--", "-"})
_MAX_DASHED_WORDS = 15


@dataclass(frozen=True)
class Deletion:
    kind: str
    indices: frozenset[int]


def load_cue_lemmas() -> frozenset[str]:
    """Single-word reporting verbs from the attribution lexicon ("say", "tell", "add")."""
    return load_cue_lexicon().lemmas


def candidate_deletions(
    words: Words, dateline: frozenset[int], info: Structure, cues: frozenset[str]
) -> list[Deletion]:
    index = {token.i: k for k, token in enumerate(words)}
    body = [k for k in range(len(words)) if k not in dateline]
    real = [k for k in body if not is_mark(words[k])]
    if not real:
        return []
    first, last = real[0], real[-1]
    root = words[first].sent.root
    found = [Deletion("dateline", dateline)] if dateline else []
    proposals = [
        ("opener", _opener(words, index, root, first)),
        ("attribution", _attribution_tail(words, index, info, root, first, last, cues)),
    ]
    proposals += [("temporal", span) for span in _temporal(words, index, body)]
    proposals += [("parenthetical", span) for span in _parentheticals(words, info, first, last)]
    proposals += [("appositive", span) for span in _name_appositives(words, index, body)]
    proposals += [("relative", span) for span in _nonrestrictive_relatives(words, index, body)]
    for kind, span in proposals:
        keeps_a_word = any(k not in span for k in real)
        if span and not (span & dateline) and not splits_group(_words_only(words, span), info) and keeps_a_word:
            found.append(Deletion(kind, frozenset(span)))
    return found


def choose(deletions: list[Deletion], seed: int, sentence_text: str) -> list[Deletion]:
    """Seeded per sentence: the same sentence and seed always give the same trims; at least one fires."""
    if not deletions:
        return []
    rng = random.Random(f"{seed}\x00{sentence_text}")
    fired = [d for d in deletions if d.kind == "dateline" or rng.random() < FIRE_PROBABILITY]
    optional = [d for d in deletions if d.kind != "dateline"]
    if not any(d.kind != "dateline" for d in fired) and optional:
        fired.append(rng.choice(optional))
    return fired


def _words_only(words: Words, span: set[int]) -> set[int]:
    return {k for k in span if not is_mark(words[k])}


def _subtree(token: Token, index: dict[int, int]) -> set[int]:
    return {index[t.i] for t in token.subtree if t.i in index}


def _next_is_comma(words: Words, span: set[int]) -> bool:
    after = max(span) + 1
    return after < len(words) and words[after].text == ","


def _prev_is_comma(words: Words, span: set[int]) -> bool:
    before = min(span) - 1
    return before >= 0 and words[before].text == ","


def _opener(words: Words, index: dict[int, int], root: Token, first: int) -> set[int]:
    """ "However,", "Meanwhile,", "On Tuesday,", "But": a short root modifier opening the sentence."""
    for child in root.children:
        if index.get(child.left_edge.i) != first:
            continue
        span = _subtree(child, index)
        if child.dep_ == "cc" and span == {first}:
            return span
        short = len(_words_only(words, span)) <= _MAX_OPENER_WORDS
        if child.dep_ in _OPENER_DEPS and short and _next_is_comma(words, span):
            return span
    return set()


def _attribution_tail(
    words: Words, index: dict[int, int], info: Structure, root: Token, first: int, last: int, cues: frozenset[str]
) -> set[int]:
    """ ", he said." / ", X told reporters." / ", according to X." at the end of a reported statement.

    Direct quotes keep their speaker: a quote without its attribution would read as the outlet's claim.
    """
    if any(words[k].text in QUOTE_MARKS for k in info.partner):
        return set()
    for token in words[first : last + 1]:
        if token.lower_ == "according" and token.dep_ == "prep":
            span = _subtree(token, index)
            if max(span) == last and _prev_is_comma(words, span):
                return span
    if root.lemma_.lower() not in cues or root.pos_ != "VERB":
        return set()
    for content in (c for c in root.children if c.dep_ == "ccomp" and c.i < root.i):
        comma = index.get(content.right_edge.i, -2) + 1
        if not (0 <= comma < len(words) and words[comma].text == ","):
            continue
        tail = set(range(comma, last + 1))
        if _words_only(words, tail) <= _subtree(root, index) - _subtree(content, index):
            return tail
    return set()


def _temporal(words: Words, index: dict[int, int], body: list[int]) -> list[set[int]]:
    """ "on Tuesday", "last week", "Saturday" modifying a verb; dated phrases with digits are kept (numbers)."""
    spans = []
    for k in body:
        token = words[k]
        if token.head.pos_ != "VERB" or token.head.i == token.i:
            continue
        span = _subtree(token, index)
        if token.dep_ in {"npadvmod", "tmod", "advmod"}:
            phrase = span
        elif token.dep_ == "prep" and token.lower_ in _TEMPORAL_PREPS:
            phrase = span - {k}
        else:
            continue
        phrase_words = [words[j] for j in _words_only(words, phrase)]
        if phrase_words and all(
            w.ent_type_ in _TEMPORAL_ENTS and not any(ch.isdigit() for ch in w.text) for w in phrase_words
        ):
            spans.append(span)
    return spans


def _parentheticals(words: Words, info: Structure, first: int, last: int) -> list[set[int]]:
    spans = []
    for opener, closer in info.partner.items():
        if words[opener].text in {"(", "["} and first < opener < closer:
            spans.append(set(range(opener, closer + 1)))
    dashes = [
        k
        for k in range(first + 1, last)
        if words[k].text in _DASHES and words[k - 1].whitespace_ and words[k].whitespace_
    ]
    if len(dashes) == 2 and 0 < len(_words_only(words, set(range(dashes[0], dashes[1])))) <= _MAX_DASHED_WORDS:
        spans.append(set(range(dashes[0], dashes[1] + 1)))
    return spans


def _name_appositives(words: Words, index: dict[int, int], body: list[int]) -> list[set[int]]:
    """ "Hugh Hill, a doctor, said" -> "Hugh Hill said": the description goes, the name stays."""
    spans = []
    for k in body:
        token = words[k]
        head = token.head
        if token.dep_ != "appos" or not (head.pos_ == "PROPN" or head.ent_type_ in _NAME_ENTS):
            continue
        span = _subtree(token, index)
        if min(span) > index.get(head.i, len(words)) and _prev_is_comma(words, span):
            spans.append(span)
    return spans


def _nonrestrictive_relatives(words: Words, index: dict[int, int], body: list[int]) -> list[set[int]]:
    """ ", which ..." / ", who ..." clauses set off by a comma add detail, not the news."""
    spans = []
    for k in body:
        token = words[k]
        if token.dep_ != "relcl":
            continue
        span = _subtree(token, index)
        opening = words[min(span)]
        if opening.lower_ in _RELATIVE_WORDS and _prev_is_comma(words, span):
            spans.append(span)
    return spans
