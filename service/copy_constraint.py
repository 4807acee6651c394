"""The copy constraint: generation may only emit a subsequence of the source's words, then stop.

The source sentence is cut into *units*: the smallest runs of tokenizer pieces whose character spans also
cover whole words (a unit is usually one word; "don't" may fuse two if the tokenizer's pieces cross the
word boundary). A compression is a choice of units, emitted in source order, each with exactly the pieces
the source has. Training targets are built with the same units, so what the model learns is what decoding
allows. Works with any fast tokenizer that reports offsets (T5 sentencepiece, BART byte-level BPE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import torch
from transformers import LogitsProcessor
from transformers.generation.candidate_generator import CandidateGenerator

Span = tuple[int, int]


@dataclass(frozen=True)
class Unit:
    pieces: tuple[int, ...]
    words: tuple[int, ...]  # indices into the sentence's words


@dataclass(frozen=True)
class EncodedSentence:
    input_ids: list[int]
    units: tuple[Unit, ...]

    @cached_property
    def unit_of_word(self) -> dict[int, int]:
        """Word index -> index of the unit holding it (words cut off by the token limit are absent)."""
        return {w: i for i, unit in enumerate(self.units) for w in unit.words}


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
    ranges: list[tuple[int, int] | None] = [
        _overlapping_words(words, start, max(end, start + 1)) for _, start, end in pieces
    ]
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
    their first pieces, so the automaton tracks the set. ``forced`` units may not be skipped. ``groups``
    are (first, last) unit ranges kept whole or dropped whole: a quotation must not be cut into a
    misquote, nor a name or number into part of one. ``deletable`` (first, last) unit ranges, when given,
    are all that may be left out: every gap must be a run of them. ``values`` say what keeping each unit
    is worth; ``options`` reports, for each allowed piece, the value its skip gives up.
    """

    def __init__(
        self,
        units: Sequence[Unit],
        eos_id: int,
        forced: frozenset[int] = frozenset(),
        groups: Sequence[tuple[int, int]] = (),
        deletable: Sequence[tuple[int, int]] | None = None,
        values: Sequence[float] | None = None,
    ) -> None:
        self.units = units
        self.eos_id = eos_id
        self.forced = forced
        # For every unit inside a group: the group's last unit; the group's first unit may be entered.
        self._group_last: dict[int, int] = {}
        self._not_enterable: set[int] = set()
        for first, last in groups:
            for unit in range(first, last + 1):
                self._group_last[unit] = max(last, self._group_last.get(unit, last))
            self._not_enterable.update(range(first + 1, last + 1))
        # (first, last) unit ranges that may be dropped; a gap must be a run of them. None: any gap.
        self._deletable_from: dict[int, set[int]] | None = None
        if deletable is not None:
            self._deletable_from = {}
            for first, last in deletable:
                self._deletable_from.setdefault(first, set()).add(last)
        self._gap_cache: dict[tuple[int, int], bool] = {}
        self._reachable_cache: dict[int, tuple[int, ...]] = {}
        # What keeping each unit is worth; skipping a unit gives that value up.
        self._prefix_value = [0.0]
        for value in values if values is not None else [0.0] * len(units):
            self._prefix_value.append(self._prefix_value[-1] + value)
        self._cache: dict[tuple[int, ...], frozenset[tuple[int, int]]] = {(): frozenset({(-1, 0)})}

    def allowed(self, emitted: Sequence[int]) -> list[int]:
        return sorted(self.options(emitted))

    def options(self, emitted: Sequence[int]) -> dict[int, float]:
        """Every piece that may come next, with the value of the units emitting it would skip (the least,
        where several readings allow it). A dead end (impossible after a valid prefix) still has to offer
        something: stop."""
        options: dict[int, float] = {}
        for unit, done in self._states(tuple(emitted)):
            if unit >= 0 and done < len(self.units[unit].pieces):
                options[self.units[unit].pieces[done]] = 0.0
                continue
            for nxt in self._reachable(unit):
                _keep_least(options, self.units[nxt].pieces[0], self._skipped_value(unit + 1, nxt))
            if self._may_stop_after(unit):
                _keep_least(options, self.eos_id, self._skipped_value(unit + 1, len(self.units)))
        return options or {self.eos_id: 0.0}

    def _skipped_value(self, first: int, stop: int) -> float:
        return self._prefix_value[stop] - self._prefix_value[first]

    def continuation(self, emitted: Sequence[int]) -> int | None:
        """The piece that would go on copying the source without a gap, if the output is between units."""
        for unit, done in sorted(self._states(tuple(emitted))):
            at_boundary = unit < 0 or done == len(self.units[unit].pieces)
            if at_boundary and unit + 1 in self._reachable(unit):
                return self.units[unit + 1].pieces[0]
        return None

    def copy_run(self, emitted: Sequence[int], limit: int) -> list[int]:
        """Up to ``limit`` pieces that go on copying the source without a gap: the rest of the current unit,
        then the units after it. This is what decoding does wherever the model deletes nothing."""
        run: list[int] = []
        prefix = list(emitted)
        while len(run) < limit:
            piece = self._inside_unit(prefix)
            if piece is None:
                piece = self.continuation(prefix)
            if piece is None:
                break
            run.append(piece)
            prefix.append(piece)
        return run

    def _inside_unit(self, emitted: Sequence[int]) -> int | None:
        for unit, done in sorted(self._states(tuple(emitted))):
            if unit >= 0 and done < len(self.units[unit].pieces):
                return self.units[unit].pieces[done]
        return None

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

    def _reachable(self, unit: int) -> tuple[int, ...]:
        """Units that may follow ``unit``: the next one inside a group; else any later unit that is not
        inside a group, up to the next forced unit. Asked at every decoding step, so kept per unit."""
        if unit not in self._reachable_cache:
            self._reachable_cache[unit] = self._units_after(unit)
        return self._reachable_cache[unit]

    def _units_after(self, unit: int) -> tuple[int, ...]:
        if unit >= 0 and self._group_last.get(unit, unit) > unit:
            return (unit + 1,)
        stop = len(self.units)
        for forced in sorted(self.forced):
            if forced > unit:
                stop = forced + 1
                break
        return tuple(u for u in range(unit + 1, stop) if u not in self._not_enterable and self._may_drop(unit + 1, u))

    def _may_stop_after(self, unit: int) -> bool:
        if unit < 0 or self._group_last.get(unit, unit) > unit:
            return False
        return not any(f > unit for f in self.forced) and self._may_drop(unit + 1, len(self.units))

    def _may_drop(self, first: int, stop: int) -> bool:
        """Whether units first..stop-1 together can be dropped: a run of deletable ranges (or any gap,
        when no ranges were given)."""
        if first >= stop or self._deletable_from is None:
            return True
        key = (first, stop)
        if key not in self._gap_cache:
            ends = self._deletable_from.get(first, ())
            self._gap_cache[key] = any(last < stop and self._may_drop(last + 1, stop) for last in ends)
        return self._gap_cache[key]


def _keep_least(options: dict[int, float], piece: int, value: float) -> None:
    if piece not in options or value < options[piece]:
        options[piece] = value


def _keep_leftmost(paths: dict, state: tuple[int, int], path: tuple[int, ...]) -> None:
    if state not in paths or path < paths[state]:
        paths[state] = path


class CopyConstraintProcessor(LogitsProcessor):
    """Masks every piece the copy automaton forbids and adds two log-space priors to the rest.

    ``keep_bias`` favours copying on without a gap: larger values make the model delete only where it is
    confident. ``salience_weight`` times the value of the units a piece would skip is taken off it, so
    dropping words the article repeats costs more than dropping words it mentions once (0: the model's
    own choice). Rows are batch items times beams, in the order ``generate`` lays them out.
    """

    def __init__(
        self, automata: Sequence[CopyAutomaton], num_beams: int, keep_bias: float = 0.0, salience_weight: float = 0.0
    ) -> None:
        self.automata = automata
        self.num_beams = num_beams
        self.keep_bias = keep_bias
        self.salience_weight = salience_weight

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        adjustment = torch.full_like(scores, float("-inf"))
        for row, prefix in enumerate(input_ids.tolist()):
            automaton = self.automata[row // self.num_beams]
            emitted = prefix[1:]  # after the decoder start token
            options = automaton.options(emitted)
            pieces = list(options)
            adjustment[row, pieces] = torch.tensor(
                [-self.salience_weight * options[p] for p in pieces], dtype=scores.dtype
            )
            if self.keep_bias:
                following = automaton.continuation(emitted)
                if following is not None:
                    adjustment[row, following] += self.keep_bias
        return scores + adjustment


class SourceCopyCandidates(CandidateGenerator):
    """Draft tokens for assisted generation: the source's next pieces, as if nothing more were deleted.

    The model then checks a whole run of copied words in one forward pass instead of one pass per piece;
    greedy output is unchanged (generate keeps only the drafted pieces the model itself would pick).
    Batch size 1, as generate's assisted decoding requires.
    """

    def __init__(self, automaton: CopyAutomaton, draft_length: int) -> None:
        self.automaton = automaton
        self.draft_length = draft_length

    @property
    def num_drafting_tokens(self) -> int:
        # transformers >= 5.25 asks every candidate generator how many tokens it drafts per step.
        return self.draft_length

    def get_candidates(self, input_ids: torch.Tensor, **kwargs) -> tuple[torch.Tensor, None]:  # type: ignore[override]
        emitted = input_ids[0, 1:].tolist()  # after the decoder start token
        run = self.automaton.copy_run(emitted, self.draft_length)
        if not run:
            return input_ids, None
        draft = torch.tensor([run], dtype=input_ids.dtype, device=input_ids.device)
        return torch.cat([input_ids, draft], dim=1), None
