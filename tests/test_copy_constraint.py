"""The copy constraint: only subsequences of the source's units can be generated."""

from __future__ import annotations

import random

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from service.copy_constraint import CopyAutomaton, CopyConstraintProcessor, Unit, _group_units, target_pieces

EOS = 1

units_strategy = st.lists(st.lists(st.integers(3, 9), min_size=1, max_size=3), min_size=1, max_size=12)


def make_units(pieces: list[list[int]]) -> tuple[Unit, ...]:
    return tuple(Unit(tuple(p), (i,)) for i, p in enumerate(pieces))


@settings(max_examples=200, deadline=None)
@given(units_strategy, st.data())
def test_every_deletion_target_is_accepted_and_read_back(pieces, data):
    units = make_units(pieces)
    kept = set(data.draw(st.sets(st.integers(0, len(units) - 1), min_size=1)))  # empty output is not allowed
    target = target_pieces(units, kept, EOS)
    automaton = CopyAutomaton(units, EOS)
    for i, piece in enumerate(target):
        assert piece in automaton.allowed(target[:i])
    recovered = automaton.kept_units(target)
    # When piece sequences coincide (another occurrence, or two units spelling a third) the leftmost
    # reading wins: it must spell exactly the same pieces, in a valid order.
    assert recovered == sorted(set(recovered))
    assert [p for u in recovered for p in units[u].pieces] == target[:-1]


@settings(max_examples=200, deadline=None)
@given(units_strategy, st.integers(0, 10_000))
def test_any_walk_through_allowed_pieces_is_a_subsequence_of_units(pieces, seed):
    units = make_units(pieces)
    automaton = CopyAutomaton(units, EOS)
    rng = random.Random(seed)
    emitted: list[int] = []
    while True:
        choice = rng.choice(automaton.allowed(emitted))
        if choice == EOS:
            break
        emitted.append(choice)
        assert len(emitted) <= sum(len(p) for p in pieces)
    used = automaton.kept_units(emitted)
    assert used == sorted(used) and len(set(used)) == len(used)
    assert [p for u in used for p in units[u].pieces] == emitted


def test_forced_unit_cannot_be_skipped_or_left_out():
    units = make_units([[3], [4], [5], [6]])
    automaton = CopyAutomaton(units, EOS, forced=frozenset({2}))
    assert automaton.allowed([]) == [3, 4, 5]  # nothing past the forced unit, and no early stop
    assert EOS not in automaton.allowed([4])
    assert EOS in automaton.allowed([4, 5])


def test_mid_unit_only_the_next_piece_is_allowed():
    units = make_units([[3, 4, 5], [6]])
    automaton = CopyAutomaton(units, EOS)
    assert automaton.allowed([3]) == [4]
    assert automaton.allowed([3, 4]) == [5]
    assert automaton.allowed([3, 4, 5]) == [EOS, 6]


@pytest.mark.parametrize(
    "emitted, limit, expected",
    [
        ([], 10, [3, 4, 5, 6, 7]),  # from the start: the whole source
        ([3], 2, [4, 5]),  # the rest of a unit first, cut at the limit
        ([6], 10, [7]),  # after a deletion: copying resumes after the last emitted unit
        ([3, 4, 5, 6, 7], 10, []),  # nothing left to copy
    ],
)
def test_copy_run_drafts_the_source_without_gaps(emitted, limit, expected):
    automaton = CopyAutomaton(make_units([[3, 4, 5], [6], [7]]), EOS)
    assert automaton.copy_run(emitted, limit) == expected


def test_copy_run_stays_inside_a_group_and_stops_before_a_forced_gap():
    units = make_units([[3], [4], [5], [6]])
    automaton = CopyAutomaton(units, EOS, groups=[(1, 2)])
    assert automaton.copy_run([4], 10) == [5, 6]
    # Every drafted piece is one the constraint allows at that point.
    prefix: list[int] = []
    for piece in automaton.copy_run([], 10):
        assert piece in automaton.allowed(prefix)
        prefix.append(piece)


def test_gaps_must_be_runs_of_deletable_ranges():
    units = make_units([[3], [4], [5], [6], [7], [8]])
    automaton = CopyAutomaton(units, EOS, deletable=[(1, 2), (4, 4)])
    assert automaton.allowed([]) == [3]  # unit 0 is in no deletable range: it cannot be skipped
    assert automaton.allowed([3]) == [4, 6]  # go on, or drop units 1-2
    assert automaton.allowed([3, 6]) == [7, 8]  # go on, or drop unit 4
    assert EOS not in automaton.allowed([3, 6])  # unit 5 may not be dropped
    assert automaton.allowed([3, 6, 8]) == [EOS]


def test_options_carry_the_value_of_what_they_skip():
    units = make_units([[3], [4], [5], [6]])
    automaton = CopyAutomaton(units, EOS, values=[0.0, -1.0, 2.0, 0.5])
    assert automaton.options([3]) == {4: 0.0, 5: -1.0, 6: 1.0, EOS: 1.5}
    processor = CopyConstraintProcessor([automaton], num_beams=1, keep_bias=0.5, salience_weight=2.0)
    adjusted = processor(torch.tensor([[0, 3]]), torch.zeros(1, 10))[0]
    # Continuing (+keep_bias), dropping a low-value unit (+2), dropping valued ones (-2, -3), forbidden.
    assert adjusted[[4, 5, 6, EOS]].tolist() == [0.5, 2.0, -2.0, -3.0]
    assert torch.isinf(adjusted[[0, 2, 3, 7]]).all()


def test_ambiguous_first_pieces_keep_both_readings():
    # "Korea" and "Korean" both start with the piece 7; the automaton must not commit early.
    units = make_units([[7, 8], [9], [7, 8, 10]])
    automaton = CopyAutomaton(units, EOS)
    assert set(automaton.allowed([7, 8])) == {EOS, 9, 7, 10}
    assert automaton.kept_units([7, 8, 10, EOS]) == [2]


@pytest.mark.parametrize(
    "pieces, words, expected_words",
    [
        # one piece per word
        ([(3, 0, 3), (4, 4, 7)], [(0, 3), (4, 7)], [(0,), (1,)]),
        # a piece crossing a word boundary ("don't" as do|n't under a tokenizer piece "n'") fuses the words
        ([(3, 0, 3), (4, 2, 5)], [(0, 2), (2, 5)], [(0, 1)]),
        # a zero-width piece ("▁" before a quote mark) belongs with the next word
        ([(3, 0, 0), (4, 0, 1), (5, 2, 4)], [(0, 1), (2, 4)], [(0,), (1,)]),
    ],
)
def test_units_follow_words_and_pieces(pieces, words, expected_words):
    units = _group_units(pieces, words)
    assert [u.words for u in units] == expected_words
    assert sum(len(u.pieces) for u in units) == len(pieces)


def test_groups_are_kept_whole_or_dropped_whole():
    # units 1-3 are a quotation: entering it means copying it to its end; it cannot be entered midway
    units = make_units([[3], [4], [5], [6], [7]])
    automaton = CopyAutomaton(units, EOS, groups=[(1, 3)])
    assert automaton.allowed([]) == [3, 4, 7]
    assert automaton.allowed([4]) == [5]
    assert automaton.allowed([4, 5]) == [6]
    assert automaton.allowed([4, 5, 6]) == [EOS, 7]
    assert automaton.allowed([3]) == [EOS, 4, 7]


@settings(max_examples=100, deadline=None)
@given(units_strategy, st.integers(0, 10_000), st.data())
def test_walks_never_cut_a_group(pieces, seed, data):
    units = make_units([[i + 3] for i in range(len(pieces))])  # distinct pieces: readings are unique
    first = data.draw(st.integers(0, len(units) - 1))
    last = data.draw(st.integers(first, len(units) - 1))
    automaton = CopyAutomaton(units, EOS, groups=[(first, last)])
    rng = random.Random(seed)
    emitted: list[int] = []
    while (choice := rng.choice(automaton.allowed(emitted))) != EOS:
        emitted.append(choice)
    used = set(automaton.kept_units(emitted))
    inside = set(range(first, last + 1))
    assert inside <= used or not inside & used
