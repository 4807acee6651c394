"""Merging and splitting statements once every quote has its attribution.

- Quotes one cue governs ('warned that “A” because “B”') are one statement, unless the first one ended
  its sentence before the cue ('“A.” To which she said, “B.”').
- '“A,” he said, “B.”' is one statement; '“A,” he said. “B,” he said.' are two (the frame ended), and so
  are '“A,” he said, adding: “B.”' (a cue of B's own between them). '“A,” X said, <narration>. “B.”' (B
  without a cue of its own) is one statement with X as speaker: inside a paragraph whatever the
  narration's length, across a paragraph break only after a short frame. So is '“A,” X said. “B” and
  more.': B runs on into narration, to its sentence's end.
- A partial quote whose cue lies inside what an indirect statement reports takes that statement's place.
- An indirect statement's clause ends where a quote reported on its own begins.
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.tokens import Token

from service.quotes.indirect import MIN_INDIRECT_TOKENS
from service.quotes.statement import Statement
from service.speakers import SUBJECT_DEPS

# '“A,” he said, “B.”': the most characters of attribution between the two parts of one split quote (a
# name with a short title and a cue); a longer gap is narration.
MAX_SPLIT_GAP_CHARS = 80
# Words allowed between two quotes of one run across a paragraph break ("he said." plus a short frame).
MAX_RUN_GAP_WORDS = 20
WORD_CHARS = re.compile(r"\w+")
# "he said." closes the frame: what follows is a new sentence (and, with its own cue, a new statement).
FRAME_END = re.compile(r"[.!?;]\s")
# What a clause cut before a quote leaves at its end: ', but', ' and', ' —'.
TRAILING_LINK = re.compile(r"[\s,;:—–-]*(?:\b(?:and|but|or)\b)?[\s,;:—–-]*$")
# Two statements whose contents share this much of the shorter one report the same words.
MIN_SHARED_CONTENT = 0.5
# Subjects of a relative clause that make a quote cued in it the speaker's own statement ('which he called “…”').
RELATIVE_CLAUSE_SPEAKERS = frozenset({"he", "she", "they", "we", "i"})
# The rule of a quote that takes the attribution of the indirect statement around it: this + its rule.
NESTED_RULE_PREFIX = "quote_in_"


def merge_same_cue(statements: list[Statement], text: str) -> list[Statement]:
    """'called him a “train wreck” and “outsourcer in chief”', 'said that “A” because “B”': quotes one cue
    governs are one statement (PolNeAR annotates one Content), so its content covers them all."""
    merged: list[Statement] = []
    for statement in statements:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.cue is not None
            and statement.cue is not None
            and previous.cue.start == statement.cue.start
            and not _cue_introduces_next(previous, statement, text)
        ):
            content = (min(previous.content[0], statement.content[0]), max(previous.content[1], statement.content[1]))
            merged[-1] = replace(previous, parts=previous.parts + statement.parts, content=content)
            continue
        merged.append(statement)
    return merged


def merge_overlapping(statements: list[Statement]) -> list[Statement]:
    """'Americans are “right to be angry,” but also hungry for what she calls “real solutions.”': two quotes of
    one speaker whose contents cover mostly the same words (their cues differ, the content model put both in
    one clause) are one statement, over both contents."""
    merged: list[Statement] = []
    for statement in statements:
        previous = merged[-1] if merged else None
        if previous is not None and _same_report(previous, statement):
            content = (min(previous.content[0], statement.content[0]), max(previous.content[1], statement.content[1]))
            speaker = previous.speaker or statement.speaker
            merged[-1] = replace(previous, parts=previous.parts + statement.parts, content=content, speaker=speaker)
            continue
        merged.append(statement)
    return merged


def _same_report(previous: Statement, statement: Statement) -> bool:
    (start, end), (other_start, other_end) = previous.content, statement.content
    shared = min(end, other_end) - max(start, other_start)
    shorter = min(end - start, other_end - other_start)
    same_speaker = (
        previous.speaker is None or statement.speaker is None or previous.speaker.name == statement.speaker.name
    )
    return shorter > 0 and shared >= MIN_SHARED_CONTENT * shorter and same_speaker


def _cue_introduces_next(previous: Statement, statement: Statement, text: str) -> bool:
    """'“A.” To which she said, “B.”': the first quote ended its sentence and the cue comes after it, so
    the cue is the second quote's alone."""
    end = previous.parts[-1][1]
    ended = text[end - 1 : end] in (".", "!", "?")
    return ended and statement.cue is not None and end <= statement.cue.start_char < statement.parts[0][0]


def join_split_quotes(statements: list[Statement], text: str) -> list[Statement]:
    """Parts of one statement: '“A,” he said, “B.”', and '“A,” he said. “B.”' (or '“B” and more.') where
    B has no cue of its own (PolNeAR annotates such a run as one Content). All parts share one content span."""
    joined: list[Statement] = []
    for statement in statements:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and (statement.kind == "direct" or statement.continues)
            and previous.kind in ("direct", "partial")
        ):
            gap = text[previous.parts[-1][1] : statement.parts[0][0]]
            if (previous.kind == "direct" and _split_around_cue(previous, statement, gap, text)) or _runs_on(
                previous, statement, gap
            ):
                content = (previous.content[0], statement.content[1])
                speaker = previous.speaker or statement.speaker
                joined[-1] = replace(previous, parts=previous.parts + statement.parts, content=content, speaker=speaker)
                continue
        joined.append(statement)
    return joined


def _split_around_cue(previous: Statement, statement: Statement, gap: str, text: str) -> bool:
    """'“A,” he said, “B.”': the first part closes on a comma and the cue sits between the parts."""
    return (
        previous.cue is not None
        and previous.parts[-1][1] <= previous.cue.start_char < statement.parts[0][0]
        and len(gap) <= MAX_SPLIT_GAP_CHARS
        and "\n" not in gap
        and text[previous.parts[-1][1] - 1] == ","
        and not FRAME_END.search(gap)
        and not _own_cue_between(previous, statement)
    )


def _own_cue_between(previous: Statement, statement: Statement) -> bool:
    """'“A,” he said, adding: “B.”': a second cue between the parts introduces a statement of its own."""
    cue = statement.cue
    return (
        cue is not None
        and previous.cue is not None
        and cue.start != previous.cue.start
        and previous.parts[-1][1] <= cue.start_char < statement.parts[0][0]
    )


def _runs_on(previous: Statement, statement: Statement, gap: str) -> bool:
    """'“A,” X said, <narration>. “B.”': B has no cue of its own and X is the speaker before it. Inside a
    paragraph whatever the narration's length; across a paragraph break only after a short frame."""
    if not statement.continues or previous.speaker not in (None, statement.speaker):
        return False
    return len(WORD_CHARS.findall(gap)) <= MAX_RUN_GAP_WORDS or "\n" not in gap


def report_nested_quotes(quoted: list[Statement], indirect: list[Statement]) -> list[Statement]:
    """'Clinton said anybody who complains about a microphone “is not having a good night”': the quote's
    own cue ("complains") lies inside what an outer cue reports, so the outer cue's speaker said it and
    its clause is the content. Such a quote takes the outer statement's place; PolNeAR annotates the
    outer one (measured on train: keeping both as separate statements cost precision)."""
    taken: set[int] = set()
    statements: list[Statement] = []
    for statement in quoted:
        outer = next((k for k, other in enumerate(indirect) if _nests(statement, other)), None)
        if outer is None:
            statements.append(statement)
            continue
        taken.add(outer)
        reporter = indirect[outer]
        statements.append(
            replace(
                statement,
                content=reporter.content,
                cue=reporter.cue,
                speaker=reporter.speaker,
                rule=NESTED_RULE_PREFIX + reporter.rule,
            )
        )
    return statements + [other for k, other in enumerate(indirect) if k not in taken]


def _nests(statement: Statement, outer: Statement) -> bool:
    """A partial quote whose cue is inside the outer statement's content, as is most of its own."""
    if statement.kind != "partial" or statement.cue is None or _own_relative_clause(statement.cue.root):
        return False
    (start, end), (outer_start, outer_end) = statement.content, outer.content
    shared = min(end, outer_end) - max(start, outer_start)
    return outer_start <= statement.cue.start_char < outer_end and shared >= (end - start) / 2


def _own_relative_clause(cue: Token) -> bool:
    """'…, which he called “a total disaster”': the quote's cue heads a relative clause whose subject is a
    personal pronoun, the speaker going on in a statement of its own (PolNeAR annotates it apart)."""
    return cue.dep_ == "relcl" and any(
        child.dep_ in SUBJECT_DEPS and child.lower_ in RELATIVE_CLAUSE_SPEAKERS for child in cue.children
    )


def end_before_other_quotes(statements: list[Statement], text: str) -> list[Statement]:
    """'Suu Kyi said it was too early to congratulate winners but added, "I think …"': an indirect
    statement's clause ends where a quote reported as a statement of its own begins (or at that quote's
    cue, when the cue comes first). A clause left with too few words is no statement."""
    quoted = [s for s in statements if s.kind != "indirect"]
    kept: list[Statement] = []
    for statement in statements:
        if statement.kind == "indirect":
            end = _end_before_quotes(statement, quoted, text)
            if end is None:
                continue
            statement = replace(statement, parts=((statement.content[0], end),), content=(statement.content[0], end))
        kept.append(statement)
    return kept


def _end_before_quotes(statement: Statement, quoted: list[Statement], text: str) -> int | None:
    start, end = statement.content
    for other in quoted:
        if other.cue is not None and statement.cue is not None and other.cue.start == statement.cue.start:
            continue
        opening = other.parts[0][0] - 1
        if start < opening < end:
            end = other.cue.start_char if other.cue is not None and start < other.cue.start_char < opening else opening
    if end == statement.content[1]:
        return end
    link = TRAILING_LINK.search(text, start, end)
    end = link.start() if link is not None else end
    return end if len(WORD_CHARS.findall(text, start, end)) >= MIN_INDIRECT_TOKENS else None
