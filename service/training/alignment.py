"""Aligned targets: which words of a source sentence a publisher's reference (headline, intro) reuses.

The reference is aligned to the sentence in order (LCS over lowercased lemmas, content words first), then
the aligned words are closed under syntax so the kept words still read as a sentence.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Token

from service.training.tokens import Structure, Words, is_content, is_mark

# Dependents a kept word cannot lose and still read grammatically.
_CLOSURE_DEPS = frozenset(
    {
        "det",
        "predet",
        "aux",
        "auxpass",
        "neg",
        "case",
        "mark",
        "prt",
        "poss",
        "nummod",
        "quantmod",
        "compound",
        "nsubj",
        "nsubjpass",
        "expl",
        "dobj",
        "pobj",
        "pcomp",
        "attr",
        "acomp",
    }
)


@dataclass(frozen=True)
class Alignment:
    pairs: tuple[tuple[int, int], ...]  # (reference token index, sentence word index), in order
    coverage: float  # share of the reference's content words that found a partner


def align(reference: Sequence[Token], words: Words, excluded: frozenset[int] = frozenset()) -> Alignment:
    """Align content words first; then function words, only inside the gaps between content anchors."""
    ref_content = [r for r, t in enumerate(reference) if is_content(t)]
    sent_content = [k for k, t in enumerate(words) if is_content(t) and k not in excluded]
    anchors = _lcs(reference, ref_content, words, sent_content)
    pairs = list(anchors)
    for (r0, k0), (r1, k1) in itertools.pairwise(anchors):
        ref_gap = [r for r in range(r0 + 1, r1) if not is_content(reference[r]) and not is_mark(reference[r])]
        sent_gap = [k for k in range(k0 + 1, k1) if not is_content(words[k]) and not is_mark(words[k])]
        pairs.extend(_lcs(reference, ref_gap, words, sent_gap))
    coverage = len(anchors) / len(ref_content) if ref_content else 0.0
    return Alignment(tuple(sorted(pairs)), coverage)


def _keys(token: Token) -> frozenset[str]:
    # Headlines are title-cased, so their lemmas can be wrong ("Sales" as a name): match surface or lemma.
    return frozenset({token.lower_, token.lemma_.lower()})


def _lcs(reference: Sequence[Token], ref_ids: list[int], words: Words, word_ids: list[int]) -> list[tuple[int, int]]:
    n, m = len(ref_ids), len(word_ids)
    if not n or not m:
        return []
    ref_keys = [_keys(reference[r]) for r in ref_ids]
    word_keys = [_keys(words[k]) for k in word_ids]
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            if ref_keys[a] & word_keys[b]:
                table[a][b] = table[a + 1][b + 1] + 1
            else:
                table[a][b] = max(table[a + 1][b], table[a][b + 1])
    matched: list[tuple[int, int]] = []  # positions in ref_ids / word_ids
    a = b = 0
    while a < n and b < m:
        if ref_keys[a] & word_keys[b] and table[a][b] == table[a + 1][b + 1] + 1:
            matched.append((a, b))
            a, b = a + 1, b + 1
        elif table[a + 1][b] >= table[a][b + 1]:
            a += 1
        else:
            b += 1
    compact = _pulled_right(matched, ref_keys, word_keys, m)
    if _span(compact) < _span(matched):
        matched = compact
    return [(ref_ids[a], word_ids[b]) for a, b in matched]


def _pulled_right(matched: list[tuple[int, int]], ref_keys, word_keys, m: int) -> list[tuple[int, int]]:
    """The same matches, each moved to its latest partner before the next match: the greedy LCS takes the
    first "prices" in "Prices rose ... then prices fell", the reference means the one next to "fell"."""
    pulled = list(matched)
    limit = m
    for i in range(len(pulled) - 1, -1, -1):
        a, b = pulled[i]
        floor = pulled[i - 1][1] if i else -1
        later = next((c for c in range(limit - 1, b, -1) if c > floor and ref_keys[a] & word_keys[c]), b)
        pulled[i] = (a, later)
        limit = later
    return pulled


def _span(matched: list[tuple[int, int]]) -> int:
    return matched[-1][1] - matched[0][1] if matched else 0


def grammatical_closure(words: Words, seed_words: set[int], info: Structure) -> set[int]:
    """Seed words plus their heads up to the root, their function dependents and whole entity spans."""
    index = {token.i: k for k, token in enumerate(words)}
    kept: set[int] = set()
    frontier = list(seed_words)
    while frontier:
        k = frontier.pop()
        if k in kept:
            continue
        kept.add(k)
        token = words[k]
        # A coordinated clause ("..., and yet none of his rivals are punching up") stands on its own:
        # climbing to the first clause's verb would keep that verb without its complement.
        clause_conjunct = token.dep_ == "conj" and token.pos_ in {"VERB", "AUX"}
        needed = [token.head] if token.head.i != token.i and not clause_conjunct else []
        needed += [child for child in token.children if child.dep_ in _CLOSURE_DEPS]
        linked = [index[t.i] for t in needed if t.i in index and not is_mark(t)]
        frontier.extend(linked)
        frontier.extend(info.group_of[k])
        if not frontier:
            frontier.extend(_coordinators(words, kept, index))
    return kept


def _coordinators(words: Words, kept: set[int], index: dict[int, int]) -> list[int]:
    """The "and" before a kept conjunct (spaCy hangs it on the first conjunct, so heads miss it)."""
    found = []
    for k, token in enumerate(words):
        if token.dep_ not in {"cc", "preconj"} or k in kept or index.get(token.head.i) not in kept:
            continue
        following = next((j for j in range(k + 1, len(words)) if words[j].dep_ == "conj"), None)
        if following in kept:
            found.append(k)
    return found
