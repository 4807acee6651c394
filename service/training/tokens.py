"""Token-level helpers shared by the aligned and the syntactic compression targets.

A sentence is a tuple of non-space spaCy tokens ("words"); a target is a set of indices into it.
Punctuation is never chosen directly: it is derived from which real words are kept, so every way of
making a target gets the same comma, quote and bracket handling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Token

from service.text_facts import QUOTE_MARKS

Words = Sequence[Token]

_MARK_CHARS = frozenset(",.;:!?…-–—―()[]{}`/") | QUOTE_MARKS
_OPENERS = {"“": "”", "‘": "’", "(": ")", "[": "]", "{": "}"}
_CLOSERS = {close: open_ for open_, close in _OPENERS.items()}
_TOGGLES = frozenset({'"', "'"})
# Marks that set a stretch off from the words before it.
_SETTING_OFF = frozenset({",", ";", ":", "-", "--", "–", "—", "―"})
# Function words that cannot end (or, for conjunctions, start) a compressed sentence on their own.
_DANGLING_POS = frozenset({"ADP", "CCONJ", "DET", "SCONJ"})


def is_mark(token: Token) -> bool:
    """Punctuation whose presence follows from the kept words ("%", "$", "#" are words here).

    A possessive apostrophe ("analysts’") is a word: it belongs to the noun before it.
    """
    return token.dep_ != "case" and all(ch in _MARK_CHARS for ch in token.text)


def is_content(token: Token) -> bool:
    return not token.is_stop and not is_mark(token) and (token.is_alpha or token.like_num or token.is_digit)


@dataclass(frozen=True)
class Structure:
    """What a sentence's marks pair with, and which words must be kept or dropped together."""

    partner: dict[int, int]  # opening <-> closing quote/bracket, both directions
    group_of: dict[int, frozenset[int]]  # word -> its atomic group (entity span, "high-speed", "76%")


def structure(words: Words) -> Structure | None:
    """None when the sentence's quotes or brackets do not pair up (a quote running across sentences)."""
    partner = _pair_marks(words)
    if partner is None:
        return None
    return Structure(partner, _atomic_groups(words, partner))


def _pair_marks(words: Words) -> dict[int, int] | None:
    partner: dict[int, int] = {}
    stack: list[int] = []
    open_toggle: dict[str, int] = {}
    for i, token in enumerate(words):
        text = token.text
        if text in _OPENERS:
            stack.append(i)
        elif text in _CLOSERS and stack and words[stack[-1]].text == _CLOSERS[text]:
            j = stack.pop()
            partner[i], partner[j] = j, i
        elif text in open_toggle:
            j = open_toggle.pop(text)
            partner[i], partner[j] = j, i
        elif _is_apostrophe(words, i):
            continue
        elif text in _CLOSERS:
            return None
        elif text in _TOGGLES:
            open_toggle[text] = i
    if stack or open_toggle:
        return None
    return partner


def _is_apostrophe(words: Words, i: int) -> bool:
    """A possessive ("analysts’", "Sanders'") rather than a closing quote: glued to the word before it.
    Only asked once no opening quote is waiting for this mark."""
    token = words[i]
    if token.dep_ == "case":
        return True
    return token.text in {"’", "'"} and i > 0 and not words[i - 1].whitespace_ and not is_mark(words[i - 1])


def _atomic_groups(words: Words, partner: dict[int, int]) -> dict[int, frozenset[int]]:
    """All-or-nothing word groups: entity spans, runs glued without whitespace ("high-speed", "76%",
    "Warner's"), and the words inside a pair of quote marks (trimming a quote would misquote)."""
    parent = list(range(len(words)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    index = {token.i: k for k, token in enumerate(words)}
    for k in range(len(words) - 1):
        left, right = words[k], words[k + 1]
        glued = not left.whitespace_ and right.i == left.i + 1
        if glued and _glues(left) and _glues(right):
            union(k, k + 1)
    for k, token in enumerate(words):
        # An entity never continues across a separating mark ("Organization (WHO" is a tagging slip).
        previous = index.get(token.i - 1)
        if token.ent_iob_ == "I" and previous is not None and _glues(token) and _glues(words[previous]):
            union(k, previous)
    for opening, closing in partner.items():
        if opening < closing and words[opening].text in QUOTE_MARKS:
            inside = [j for j in range(opening + 1, closing) if not is_mark(words[j])]
            for j in inside[1:]:
                union(j, inside[0])
    members: dict[int, set[int]] = {}
    for k in range(len(words)):
        members.setdefault(find(k), set()).add(k)
    return {k: frozenset(members[find(k)]) for k in range(len(words))}


def _glues(token: Token) -> bool:
    # Hyphens and slashes glue their neighbours into one word; other marks separate words.
    return not is_mark(token) or token.text in {"-", "/"}


def splits_group(indices: set[int] | frozenset[int], info: Structure) -> bool:
    return any(not info.group_of[i] <= indices for i in indices)


def finalize(words: Words, kept_words: set[int], info: Structure) -> list[int]:
    """The full target: kept words minus dangling edges, plus the punctuation they imply."""
    kept = {k for k in kept_words if not is_mark(words[k])}
    kept = _trim_dangling(words, kept)
    if not kept:
        return []
    return sorted(kept | _implied_marks(words, kept, info))


def _trim_dangling(words: Words, kept: set[int]) -> set[int]:
    kept = set(kept)
    while kept:
        first, last = min(kept), max(kept)
        if words[first].dep_ in {"cc", "preconj"}:
            kept.discard(first)
        elif _dangles(words, last, kept):
            kept.discard(last)
        else:
            break
    return kept


def _dangles(words: Words, k: int, kept: set[int]) -> bool:
    token = words[k]
    if token.dep_ == "prt" or token.pos_ not in _DANGLING_POS:
        return False
    index = {t.i: j for j, t in enumerate(words)}
    return not any(index.get(child.i) in kept for child in token.children)


def _implied_marks(words: Words, kept: set[int], info: Structure) -> set[int]:
    marks: set[int] = set()
    last_word = max(kept)
    for i, token in enumerate(words):
        if not is_mark(token):
            continue
        if i in info.partner:
            lo, hi = sorted((i, info.partner[i]))
            if any(lo < k < hi for k in kept):
                marks.add(i)
        elif i > last_word:
            # Sentence-final punctuation ends whatever is left of the sentence.
            if not any(not is_mark(w) for w in words[i:]):
                marks.add(i)
        elif _separates_kept(words, i, kept):
            marks.add(i)
    return marks


def _separates_kept(words: Words, i: int, kept: set[int]) -> bool:
    """An inner comma/colon/dash stays between two kept words, or after a deleted stretch that a kept word
    runs straight into ("began [in November], 83 people"), but not after a stretch that was itself set off
    by a mark ("Hill, [a doctor], said") or that opened the sentence ("[On Tuesday], he said")."""
    left, right = _nearest_word(words, i, -1), _nearest_word(words, i, +1)
    if right not in kept or left is None:
        return False
    if left in kept:
        return True
    last_kept = left
    while last_kept >= 0 and last_kept not in kept:
        last_kept -= 1
    return last_kept >= 0 and words[last_kept + 1].text not in _SETTING_OFF


def _nearest_word(words: Words, i: int, step: int) -> int | None:
    j = i + step
    while 0 <= j < len(words):
        if not is_mark(words[j]):
            return j
        j += step
    return None


def quotes_balanced(words: Words, keep: Sequence[int]) -> bool:
    """Every kept opening quote mark has its closing mark kept, and vice versa."""
    stack: list[str] = []
    toggles: set[str] = set()
    for k in keep:
        text = words[k].text
        if text in {"“", "‘"}:
            stack.append(text)
        elif text in {"”", "’"} and stack and stack[-1] == _CLOSERS[text]:
            stack.pop()
        elif text in toggles:
            toggles.discard(text)
        elif _is_apostrophe(words, k):
            continue
        elif text in {"”", "’"}:
            return False
        elif text in _TOGGLES:
            toggles.add(text)
    return not stack and not toggles
