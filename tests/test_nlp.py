"""The shared parse (service/nlp.py): entities from the worker process match the inline parse."""

from __future__ import annotations

import os
import signal

import pytest

from service.nlp import InlineParser, ModelLoadError, ParallelNerParser, get_parser, load_spacy
from service.settings import DEFAULT_SPACY_MODEL

MODEL = DEFAULT_SPACY_MODEL
TEXTS = [
    "Russian Foreign Minister Sergey Lavrov met Kim Jong Un in Wonsan on Friday, KCNA reported.",
    "“We are ready,” said Leslie Wimes, a Florida-based president of the caucus. AFP saw the letter on 3 May.",
    "Markets were calm.",
    "",
    # The recogniser labels "the Arecibo Observatory" PERSON.
    ARECIBO := "The new dish is twice the size of the next-largest telescope, the Arecibo Observatory in Puerto Rico.",
    # The recogniser alone reads "the Crucible Theatre The"; the parser ends a sentence after "Theatre".
    "The show opened at the Crucible Theatre The next day it closed.",
]


def entities(doc):
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


@pytest.fixture(scope="module")
def parallel():
    return get_parser(MODEL, True)


@pytest.mark.parametrize("text", TEXTS)
def test_worker_entities_equal_inline_parse(parallel, text):
    inline = InlineParser(load_spacy(MODEL))(text)
    doc = parallel(text)
    assert entities(doc) == entities(inline)
    assert [t.dep_ for t in doc] == [t.dep_ for t in inline]


def test_entity_never_crosses_a_sentence_end(parallel):
    doc = parallel(TEXTS[-1])
    assert next(e.text for e in doc.ents) == "the Crucible Theatre"
    for entity in doc.ents:
        assert entity[0].sent == entity[-1].sent


def test_dead_worker_is_replaced_and_the_call_still_answers(parallel):
    for pid in list(parallel._pool._processes):
        os.kill(pid, signal.SIGKILL)
    doc = parallel(TEXTS[0])
    assert ("Sergey Lavrov", "PERSON") in [(e.text, e.label_) for e in doc.ents]
    assert entities(parallel(TEXTS[0])) == entities(doc)  # the new worker answers


@pytest.mark.parametrize("mode", ["inline", "worker"])
def test_a_thing_the_recogniser_took_for_a_person_is_labelled_a_thing(parallel, mode):
    parse = parallel if mode == "worker" else InlineParser(load_spacy(MODEL))
    assert ("the Arecibo Observatory", "FAC") in [(e.text, e.label_) for e in parse(ARECIBO).ents]


def test_missing_model_stops_start_up():
    with pytest.raises(ModelLoadError, match="no_such_spacy_model"):
        ParallelNerParser("no_such_spacy_model")


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("Ryan said,“Look here.”", ["Ryan", "said", ",", "“", "Look", "here", ".", "”"]),
        (
            'Rep. Gowdy (R-S.C.):"I have not."',
            ["Rep.", "Gowdy", "(", "R", "-", "S.C.)", ":", '"', "I", "have", "not", ".", '"'],
        ),
        ("It was “a disaster.”The next day", ["It", "was", "“", "a", "disaster", ".", "”", "The", "next", "day"]),
        ("the act—“My plan!”—is", ["the", "act", "—", "“", "My", "plan", "!", "”", "—", "is"]),
        # Marks at a token's edges split as before; markup attributes are left alone.
        ("in the “U.S.” and", ["in", "the", "“", "U.S.", "”", "and"]),
        ('<a id="67">', ["<", "a", 'id="67', '"', ">"]),
        # A comma glued between a name and an age; numbers with thousands separators stay whole.
        ("Khaled Belkacemi,60, died", ["Khaled", "Belkacemi", ",", "60", ",", "died"]),
        ("It cost 1,000 dollars", ["It", "cost", "1,000", "dollars"]),
        # A credit's closing bracket glued to the story's first word; a formula keeps its brackets.
        ("(CNN)The mayor", ["(", "CNN", ")", "The", "mayor"]),
        ("(The Hollywood Reporter)Stan Freberg", ["(", "The", "Hollywood", "Reporter", ")", "Stan", "Freberg"]),
        ("f(x)y", ["f(x)y"]),
        # A full stop after a name that ends in a capital; initials and a URL's code keep theirs.
        ("according to GroupM. The", ["according", "to", "GroupM", ".", "The"]),
        ("J. Smith of the U.S. said", ["J.", "Smith", "of", "the", "U.S.", "said"]),
        ("See http://dnain.fo/1HSB5rF.", ["See", "http://dnain.fo/1HSB5rF."]),
    ],
)
def test_punctuation_glued_to_words_is_split_off(text, tokens):
    assert [t.text for t in load_spacy(MODEL).tokenizer(text)] == tokens


@pytest.mark.parametrize(
    "text",
    [
        "Huot made it clear that sentences are “probable.”\n\nREAD MORE: Remembering the victims\n\nBissonnette had a past.",
        "All governments should be working 'in tandem': Matlow\n\nMatlow said he likes a proposal.",
    ],
)
def test_a_blank_line_ends_a_sentence(text):
    """No sentence runs over a paragraph break, and the paragraph after it is one sentence, not its first
    word cut off ('Matlow | said')."""
    doc = load_spacy(MODEL)(text)
    paragraphs = text.split("\n\n")
    words = [s.text.strip() for s in doc.sents if s.text.strip()]
    assert all("\n\n" not in w for w in words)
    assert words[-1] == paragraphs[-1]
