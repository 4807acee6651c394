"""The copy constraint: generation may only emit a subsequence of the source's words, then stop.

The source sentence is cut into *units*: the smallest runs of tokenizer pieces whose character spans also
cover whole words (a unit is usually one word; "don't" may fuse two if the tokenizer's pieces cross the
word boundary). A compression is a choice of units, emitted in source order, each with exactly the pieces
the source has. Training targets are built with the same units, so what the model learns is what decoding
allows. Works with any fast tokenizer that reports offsets (T5 sentencepiece, BART byte-level BPE).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

Span = tuple[int, int]


@dataclass(frozen=True)
class Unit:
    pieces: tuple[int, ...]
    words: tuple[int, ...]  # indices into the sentence's words


@dataclass(frozen=True)
class EncodedSentence:
    input_ids: list[int]
    units: tuple[Unit, ...]


def encode_sentence(tokenizer, prompt: str, text: str, words: Sequence[Span], max_tokens: int) -> EncodedSentence:
    """Tokenise ``prompt + text`` and group the sentence's pieces into copy units.

    ``words`` are character spans in ``text``. Pieces past ``max_tokens`` are dropped from both the input
    and the units (the caller decides whether a sentence that long should be rewritten at all).
    """
    encoding = tokenizer(prompt + text, return_offsets_mapping=True, add_special_tokens=True)
    ids = encoding["input_ids"][:max_tokens]
    if ids and ids[-1] != tokenizer.eos_token_id and tokenizer.eos_token_id is not None:
        ids[-1] = tokenizer.eos_token_id
    # <unk> stands for a real source character, so it is copied like any piece.
    special = set(tokenizer.all_special_ids) - {tokenizer.unk_token_id}
    offset = len(prompt)
    pieces: list[tuple[int, int, int]] = []  # (piece id, start, end) in text coordinates
    for piece_id, (start, end) in zip(ids, encoding["offset_mapping"][: len(ids)]):
        if piece_id in special or end <= offset:
            continue
        pieces.append((piece_id, max(start - offset, 0), end - offset))
    return EncodedSentence(ids, _group_units(pieces, words))


def _group_units(pieces: list[tuple[int, int, int]], words: Sequence[Span]) -> tuple[Unit, ...]:
    """Words joined by a piece that crosses their boundary form one unit; lone pieces join the next word."""
    ranges: list[tuple[int, int] | None] = [_overlapping_words(words, start, max(end, start + 1)) for _, start, end in pieces]
    for i in range(len(ranges) - 2, -1, -1):
        if ranges[i] is None:
            ranges[i] = ranges[i + 1]
    joined_to_next = [False] * len(words)
    for word_range in ranges:
        if word_range is not None:
            for w in range(word_range[0], word_range[1]):
                joined_to_next[w] = True
    group_of_word: list[int] = []
    group = 0
    for w in range(len(words)):
        group_of_word.append(group)
        if not joined_to_next[w]:
            group += 1
    pieces_of_group: dict[int, list[int]] = {}
    for (piece_id, _, _), word_range in zip(pieces, ranges):
        if word_range is not None:
            pieces_of_group.setdefault(group_of_word[word_range[0]], []).append(piece_id)
    return tuple(
        Unit(tuple(pieces_of_group[g]), tuple(w for w in range(len(words)) if group_of_word[w] == g))
        for g in sorted(pieces_of_group)
    )


def _overlapping_words(words: Sequence[Span], start: int, end: int) -> tuple[int, int] | None:
    """(first, last) indices of the words a character span overlaps, or None."""
    found = [i for i, (w_start, w_end) in enumerate(words) if w_start < end and start < w_end]
    return (found[0], found[-1]) if found else None


def target_pieces(units: Sequence[Unit], kept_words: set[int], eos_id: int) -> list[int]:
    """Decoder target: the pieces of every unit holding a kept word, in order, then end-of-sequence."""
    target: list[int] = []
    for unit in units:
        if kept_words.intersection(unit.words):
            target.extend(unit.pieces)
    target.append(eos_id)
    return target


class CopyAutomaton:
    """Which pieces may come next, given the pieces emitted so far (a subsequence automaton).

    A state is (unit index, pieces of it emitted). Several states can hold at once when two units share
    their first pieces, so the automaton tracks the set. ``forced`` units may not be skipped.
    """

    BOUNDARY = -1

    def __init__(self, units: Sequence[Unit], eos_id: int, forced: frozenset[int] = frozenset()) -> None:
        self.units = units
        self.eos_id = eos_id
        self.forced = forced
        self._cache: dict[tuple[int, ...], frozenset[tuple[int, int]]] = {(): frozenset({(-1, 0)})}

    def allowed(self, emitted: Sequence[int]) -> list[int]:
        states = self._states(tuple(emitted))
        allowed: set[int] = set()
        for unit, done in states:
            if unit >= 0 and done < len(self.units[unit].pieces):
                allowed.add(self.units[unit].pieces[done])
                continue
            for nxt in self._reachable(unit):
                allowed.add(self.units[nxt].pieces[0])
            if self._may_stop_after(unit):
                allowed.add(self.eos_id)
        # A dead end (impossible after a valid prefix) still has to return something: stop.
        return sorted(allowed) or [self.eos_id]

    def kept_units(self, emitted: Sequence[int]) -> list[int]:
        """Units used by a complete output; the leftmost reading when several fit."""
        paths: dict[tuple[int, int], tuple[int, ...]] = {(-1, 0): ()}
        for piece in emitted:
            if piece == self.eos_id:
                break
            advanced: dict[tuple[int, int], tuple[int, ...]] = {}
            for (unit, done), path in paths.items():
                if unit >= 0 and done < len(self.units[unit].pieces):
                    if self.units[unit].pieces[done] == piece:
                        _keep_leftmost(advanced, (unit, done + 1), path)
                    continue
                for nxt in self._reachable(unit):
                    if self.units[nxt].pieces[0] == piece:
                        _keep_leftmost(advanced, (nxt, 1), path + (nxt,))
            if not advanced:
                break
            paths = advanced
        complete = [path for (unit, done), path in paths.items() if unit < 0 or done == len(self.units[unit].pieces)]
        return list(min(complete)) if complete else []

    def _states(self, emitted: tuple[int, ...]) -> frozenset[tuple[int, int]]:
        if emitted in self._cache:
            return self._cache[emitted]
        previous = self._states(emitted[:-1])
        piece = emitted[-1]
        states: set[tuple[int, int]] = set()
        for unit, done in previous:
            if unit >= 0 and done < len(self.units[unit].pieces):
                if self.units[unit].pieces[done] == piece:
                    states.add((unit, done + 1))
                continue
            for nxt in self._reachable(unit):
                if self.units[nxt].pieces[0] == piece:
                    states.add((nxt, 1))
        result = frozenset(states)
        self._cache[emitted] = result
        return result

    def _reachable(self, unit: int) -> range:
        """Units that may follow ``unit``: any later one, but none past the next forced unit."""
        stop = len(self.units)
        for forced in sorted(self.forced):
            if forced > unit:
                stop = forced + 1
                break
        return range(unit + 1, stop)

    def _may_stop_after(self, unit: int) -> bool:
        return unit >= 0 and not any(f > unit for f in self.forced)


def _keep_leftmost(paths: dict, state: tuple[int, int], path: tuple[int, ...]) -> None:
    if state not in paths or path < paths[state]:
        paths[state] = path
