"""Facts about news text that the service, the eval harness and the training code must agree on:
which characters are quote marks, where a sentence ends, what a dateline looks like.

Defined once here so that training data, evaluation and the running service cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service import lexicon

# Quote marks. Curly double quotes, guillemets and the German low opener; the straight mark opens or
# closes by position. Single marks double as apostrophes, so only some uses of them quote.
DOUBLE_OPENERS = "“«„"
DOUBLE_CLOSERS = "”»"
STRAIGHT_DOUBLE = '"'
SINGLE_OPENER = "‘"
SINGLE_CLOSER = "’"
STRAIGHT_SINGLE = "'"
# Two apostrophes typed for a double quote mark, as archive copies of newspapers (The New York Times in
# LexisNexis) print them: ''This isn't tax reform,'' said ... The parser reads it as one token.
DOUBLED_SINGLE = "''"
DOUBLE_QUOTE_MARKS = frozenset(DOUBLE_OPENERS + DOUBLE_CLOSERS + STRAIGHT_DOUBLE)
SINGLE_QUOTE_MARKS = frozenset(SINGLE_OPENER + SINGLE_CLOSER + STRAIGHT_SINGLE)
# Characters, and the doubled apostrophe as a token.
QUOTE_MARKS = DOUBLE_QUOTE_MARKS | SINGLE_QUOTE_MARKS | {DOUBLED_SINGLE}

# What may close a sentence after its full stop: quote marks and brackets.
SENTENCE_CLOSERS = "\"'”’»)]}"
# A sentence end inside running text: terminal punctuation, any closers, then white space.
SENTENCE_END = re.compile(r"[.!?][\"'”’»)\]}]*\s")

# Datelines. Wire style: "WASHINGTON (Reuters) -", "LONDON, May 3 (AP) —", "Dec 29 (Reuters) -", and a
# bare source opener, "(Reuters) - ..." or CNN's "(CNN)They ..." and "(The Hollywood Reporter)Stan ..."
# (no space: the next word must then be capitalised). Place style: "SEOUL: ...", "NEW YORK, May 3: ...", "KYIV, Ukraine — ...".
_PLACE = r"[A-ZÀ-Þ][A-ZÀ-Þ.'’ -]{1,40}"
_DATE = r"[A-Z][a-z]{2,8}\.? \d{1,2}"
_DASH = r"(?:--|[-—–―])"
# A place in title case ("Washington", "New Delhi, India", "Rio de Janeiro") names a dateline only
# before a source in brackets that a dash or a capitalised word follows: "New Delhi, India (CNN)As the".
_TITLE_WORD = r"(?: (?:de|del|da|do|la|el|al|of|upon))? [A-ZÀ-Þ][\w'’.-]{1,20}"
_TITLE_PLACE = (
    rf"[A-ZÀ-Þ][\w'’.-]{{1,20}}(?:{_TITLE_WORD}){{0,3}}(?:, [A-ZÀ-Þ][\w'’.-]{{1,20}}(?:{_TITLE_WORD}){{0,2}}){{0,2}}"
)
_SOURCE_NAME = r"[A-Z][\w.&/ -]{0,30}"
_SOURCE = rf"\({_SOURCE_NAME}\)"
# The source a dateline ends by crediting: "LONDON, England (CNN)" -> "CNN".
_CREDIT = re.compile(rf"\(({_SOURCE_NAME})\)\s*$")
_AGENCY_DATELINE = re.compile(
    rf"(?P<dateline>(?:{_PLACE}(?:,[\w.'’ ]{{1,40}})?|{_DATE})\s?{_SOURCE})\s?{_DASH}"
    rf"|(?P<titled>{_TITLE_PLACE} {{0,2}}{_SOURCE})(?:\s?{_DASH}| ?(?=[A-Z“\"]))"
    rf"|(?P<bare>\([A-Z][\w.]{{1,15}}(?: [A-Z][\w.]{{1,15}}){{0,2}}\))(?:\s?{_DASH}|(?=[A-Z“\"]))"
)
_PLACE_DATELINE = re.compile(
    rf"(?P<dateline>[A-ZÀ-Þ][A-ZÀ-Þ.'’ -]{{0,40}}[A-ZÀ-Þ.](?:,[\w.'’ ]{{1,40}}?)?)(?::\s|\s?{_DASH}\s)"
)
# Only the opening characters of a paragraph are searched for one.
_DATELINE_SEARCH_CHARS = 120


@dataclass(frozen=True)
class Dateline:
    """A dateline opening a text: [start, end) is the dateline itself, [start, separator_end) with the
    dash or colon after it. ``names_agency``: it credits a wire service ("(Reuters)")."""

    start: int
    end: int
    separator_end: int
    names_agency: bool


def dateline_credit(dateline: str) -> str | None:
    """The publisher or agency a dateline credits in brackets ("(CNN)", "SEOUL (Reuters)"), if any."""
    found = _CREDIT.search(dateline)
    return found.group(1).strip() if found else None


def match_dateline(text: str, start: int = 0) -> Dateline | None:
    """The dateline at ``text[start:]``, if one opens it. A capitalised label that names no place
    ("BREAKING:", rules/dateline_labels.txt) is not a dateline."""
    head = text[: start + _DATELINE_SEARCH_CHARS]
    match = _AGENCY_DATELINE.match(head, start)
    if match:
        group = next(name for name in ("dateline", "titled", "bare") if match.group(name))
        return Dateline(match.start(group), match.end(group), match.end(), names_agency=True)
    match = _PLACE_DATELINE.match(head, start)
    labels = lexicon.word_set("dateline_labels.txt", lowercase=False)
    if match and match.group("dateline").split(",")[0].strip() not in labels:
        return Dateline(match.start("dateline"), match.end("dateline"), match.end(), names_agency=False)
    return None
