"""Quote-mark pairing: which characters of a body text are inside quote marks.

Marks (curly, straight, angle, single, and two apostrophes typed for a double mark) are paired per
paragraph; a closing curly mark that opens a paragraph before a word is taken for the opener it was meant
to be. An unclosed mark is dropped at the paragraph end unless the next paragraph opens with a quote mark
(the newspaper convention for a quote running over paragraphs) or its first double mark is placed as a
closer (a line break inside the quote), so a stray mark never swallows the article.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from service.text_facts import DOUBLE_CLOSERS, DOUBLE_OPENERS, DOUBLED_SINGLE, STRAIGHT_DOUBLE

# Single quotes: an opener after a non-word character, a closer not followed by a letter (so the
# apostrophes of "Russia’s" and "don't" never pair).
SINGLE_QUOTED = re.compile(r"(?<![\w’'])[‘'](?=[\w“\"])([^\n‘“”\"]{1,400}?)(?<=[\w.,!?])[’'](?![\w])")
# ''Quoted words,'' within one paragraph: an opener before a word, a closer after one.
DOUBLED_SINGLE_QUOTED = re.compile(
    rf"(?<![\w']){DOUBLED_SINGLE}(?=[^\s'])([^\n“”\"]{{1,2000}}?)(?<=[^\s']){DOUBLED_SINGLE}(?![\w'])"
)


@dataclass(frozen=True)
class QuotedSpan:
    """Quoted words in body offsets: from the opening mark to just past the closing one."""

    open: int
    close: int
    # The words inside the marks, one (start, end) per paragraph the quote runs over.
    parts: tuple[tuple[int, int], ...]

    @property
    def words(self) -> tuple[int, int]:
        """From the first quoted word to the last, across paragraphs."""
        return self.parts[0][0], self.parts[-1][1]


def find_quoted_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[QuotedSpan]:
    """Pair the quote marks of a body text, paragraph by paragraph (see the module docstring)."""
    spans: list[QuotedSpan] = []
    open_at: int | None = None
    part_start = previous_start = 0
    parts: list[tuple[int, int]] = []
    for para_start, para_end in paragraphs:
        scan_from = para_start
        if open_at is not None:
            first = first_non_space(text, para_start, para_end)
            if first is not None and text[first] in DOUBLE_OPENERS + STRAIGHT_DOUBLE:
                part_start = scan_from = first + 1
            elif _first_mark_closes(text, para_start, para_end):
                part_start = para_start  # a line break inside the quote: its closing mark comes here
            else:
                spans.extend(_lost_closer(text, previous_start, open_at, parts))
                open_at, parts = None, []  # a stray opener: forget it, nothing is swallowed
        for i in range(scan_from, para_end):
            mark = text[i]
            if mark == "“" and open_at is not None and _typed_for_closer(text, i, para_end):
                mark = "”"  # '“expedited review“ of': an opener typed where the quote closes
            if mark in DOUBLE_OPENERS:
                open_at, part_start, parts = i, i + 1, []  # a second opener makes the first one stray
            elif mark in DOUBLE_CLOSERS and open_at is None and _opens_paragraph(text, para_start, i):
                open_at, part_start, parts = i, i + 1, []  # '”Fear. I am afraid.” ― Name': a closer typed for an opener
            elif mark in DOUBLE_CLOSERS or (mark == STRAIGHT_DOUBLE and open_at is not None):
                if open_at is not None:
                    parts.append((part_start, i))
                    spans.append(QuotedSpan(open_at, i + 1, tuple(parts)))
                    open_at, parts = None, []
            elif mark == STRAIGHT_DOUBLE and i + 1 < para_end and not text[i + 1].isspace():
                open_at, part_start, parts = i, i + 1, []
        if open_at is not None:
            parts.append((part_start, para_end))
        previous_start = para_start
    if open_at is not None:
        spans.extend(_lost_closer(text, previous_start, open_at, parts))
    spans.extend(_outside(spans, _matches(DOUBLED_SINGLE_QUOTED, text, paragraphs)))
    spans.extend(_outside(spans, _matches(SINGLE_QUOTED, text, paragraphs)))
    spans.sort(key=lambda s: s.open)
    return spans


def _lost_closer(text: str, para_start: int, open_at: int, parts: list[tuple[int, int]]) -> list[QuotedSpan]:
    """'"What we have seen is ... claims.' opening its paragraph or a sentence ('“A,” said Baron. “B ...'):
    the closing mark was lost at the paragraph's end, so the quote runs to there and no further. Any
    other unclosed quote is forgotten."""
    before = text[para_start:open_at].rstrip()
    if len(parts) == 1 and (_is_blank(before) or before.endswith((".", "!", "?"))):
        return [QuotedSpan(open_at, parts[0][1], tuple(parts))]
    return []


def _typed_for_closer(text: str, i: int, para_end: int) -> bool:
    """The mark ends a word (or the word's punctuation) and a space, punctuation or the paragraph's
    end follows it: placed as a closer, whatever its glyph."""
    after = text[i + 1] if i + 1 < para_end else " "
    return i > 0 and not text[i - 1].isspace() and (after.isspace() or after in ",.;:!?)")


def _opens_paragraph(text: str, para_start: int, i: int) -> bool:
    """The mark is the paragraph's first character and a word follows it."""
    return _is_blank(text[para_start:i]) and i + 1 < len(text) and text[i + 1].isalnum()


def _is_blank(text: str) -> bool:
    """Spaces and invisible format characters only (a scraped '\u202a”Isis declares ...”')."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def _first_mark_closes(text: str, start: int, end: int) -> bool:
    """The paragraph's first double mark is a curly closer, or a straight one placed as a closer
    ('…stimulus.¶Josh Bivens, Economic Policy Institute."'), and no opener comes before it."""
    for i in range(start, end):
        if text[i] in DOUBLE_CLOSERS:
            return True
        if text[i] == STRAIGHT_DOUBLE:
            return _typed_for_closer(text, i, end)
        if text[i] in DOUBLE_OPENERS:
            return False
    return False


def first_non_space(text: str, start: int, end: int) -> int | None:
    for i in range(start, end):
        if not text[i].isspace():
            return i
    return None


def _matches(pattern: re.Pattern[str], text: str, paragraphs: list[tuple[int, int]]) -> list[QuotedSpan]:
    return [
        QuotedSpan(m.start(), m.end(), ((m.start(1), m.end(1)),))
        for para_start, para_end in paragraphs
        for m in pattern.finditer(text, para_start, para_end)
    ]


def _outside(spans: list[QuotedSpan], found: list[QuotedSpan]) -> list[QuotedSpan]:
    """The quotes found by a later pass that open outside every quote found before (single-quoted words
    inside a double-quoted span are a quote within the quote)."""
    covered = [(s.open, s.close) for s in spans]
    return [q for q in found if not any(a <= q.open < b for a, b in covered)]
