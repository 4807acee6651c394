"""Indirect speech: a cue that reports a clause without quote marks ("Lavrov said (that) ...",
"..., Lavrov said", "according to X, ..."). Each cue not already the cue of a quote is tried against the
rules in INDIRECT_RULES, in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from service.quotes.agencies import load_agency_table
from service.quotes.context import ArticleContext, trimmed
from service.quotes.mentions import is_nobody, speaker_with_subject, subject_head
from service.quotes.statement import Statement
from service.speakers import Speaker

# A reported clause of fewer tokens is no statement ("he said so").
MIN_INDIRECT_TOKENS = 3
# Words mostly inside quote marks are a direct quote, reported by the quote rules already.
MAX_QUOTED_SHARE = 0.5
# A clause cut to its paragraph with fewer characters left is nothing.
MIN_CLAUSE_CHARS = 2
# No printed sentence reports more tokens than this; a longer clause is a parse run wild (10,000 cues chained
# in one "sentence"), cut here so that each cue costs bounded time.
MAX_CLAUSE_TOKENS = 250

# A clause's tokens: a subtree (which a non-projective parse may leave with gaps), or a run of the doc.
Clause = list[Token] | Span


@dataclass(frozen=True)
class IndirectRule:
    name: str
    # The tokens of the clause a cue reports, or None.
    clause: Callable[[ArticleContext, Token], Clause | None]


def according_to_clause(context: ArticleContext, cue: Token) -> Clause | None:
    """'According to the ministry, measures were decided': the clause "according to X" is in, without it.
    'X said, according to Tass' is no new statement: Tass carried it."""
    if cue.lower_ != "according":
        return None
    head = cue.head
    if head.i == cue.i or head.i in context.cue_at:
        return None
    if _runs_wild(head):
        return _bounded(context.doc, head.left_edge.i, cue.left_edge.i)
    outside = {t.i for t in cue.subtree}
    return _longest_run([t for t in head.subtree if t.i not in outside])


def reported_clause(context: ArticleContext, cue: Token) -> Clause | None:
    """'Lavrov said (that) Russia understands ...': the cue's clausal complement. 'X announced nothing, but
    the agency said that measures were decided': the parser hangs both clauses on "said"; the one after
    the cue is what it reports."""
    if cue.lower_ == "according":
        return None
    complements = [child for child in cue.children if child.dep_ == "ccomp"]
    if not complements:
        return None
    child = next((c for c in complements if c.i > cue.i), complements[0])
    if _runs_wild(child):
        return _bounded(context.doc, child.left_edge.i, child.right_edge.i + 1)
    return list(child.subtree)


def parenthetical_clause(context: ArticleContext, cue: Token) -> Clause | None:
    """'Russia understands North Korea’s decision, Lavrov said.': a cue the parser hangs after the clause
    it reports (parataxis) reports the words from that clause's start to the cue's own phrase."""
    if cue.lower_ == "according" or any(child.dep_ == "ccomp" for child in cue.children):
        return None
    if cue.dep_ != "parataxis" or cue.i <= cue.head.i:
        return None
    return _bounded(context.doc, cue.head.left_edge.i, cue.left_edge.i)


def _runs_wild(head: Token) -> bool:
    """A subtree longer than any printed sentence's (10,000 cues chained in one "sentence"): reading it
    token by token for every cue would cost time quadratic in the page."""
    return head.right_edge.i - head.left_edge.i >= MAX_CLAUSE_TOKENS


def _bounded(doc: Doc, start: int, end: int) -> Span:
    return doc[start : min(end, start + MAX_CLAUSE_TOKENS)]


INDIRECT_RULES: tuple[IndirectRule, ...] = (
    IndirectRule("according_to_clause", according_to_clause),
    IndirectRule("reported_clause", reported_clause),
    IndirectRule("parenthetical_clause", parenthetical_clause),
)


def indirect_statements(context: ArticleContext, quoted: list[Statement]) -> list[Statement]:
    """A statement for each cue that reports a clause and is not the cue of a quote already."""
    used = {s.cue.start for s in quoted if s.cue is not None}
    statements: list[Statement] = []
    for i, cue in context.cue_at.items():
        token = context.doc[i]
        if i in used or context.quoted_chars(token.idx, token.idx + 1):
            continue
        subject = subject_head(token, context.cue_at)
        if is_nobody(subject):
            continue
        found = _reported(context, token)
        if found is None:
            continue
        content, rule = found
        para_start, para_end = context.paragraph_of(token.idx)
        content = (max(content[0], para_start), min(content[1], para_end))  # a parse run over a break
        if content[1] - content[0] < MIN_CLAUSE_CHARS:
            continue
        if context.quoted_chars(*content) > MAX_QUOTED_SHARE * (content[1] - content[0]):
            continue  # the words are a direct quote already reported above
        speaker = speaker_with_subject(context, token, subject)
        if _only_carries(speaker, content, quoted):
            continue  # "X said “...”, KCNA reported": KCNA is the statement's source_agency
        statements.append(Statement((content,), content, "indirect", cue, speaker, rule))
    return statements


def _reported(context: ArticleContext, cue: Token) -> tuple[tuple[int, int], str] | None:
    """The clause the first applicable rule finds, and the rule's name; None when it is too short."""
    for rule in INDIRECT_RULES:
        tokens = rule.clause(context, cue)
        if tokens is not None:
            return (trimmed(tokens), rule.name) if len(tokens) >= MIN_INDIRECT_TOKENS else None
    return None


def _only_carries(speaker: Speaker | None, content: tuple[int, int], quoted: list[Statement]) -> bool:
    if speaker is None or load_agency_table().normalise(speaker.name) is None:
        return False
    return any(s.cue is not None and content[0] <= s.cue.start_char < content[1] for s in quoted)


def _longest_run(tokens: list[Token]) -> list[Token]:
    best: list[Token] = []
    run: list[Token] = []
    for token in sorted(tokens, key=lambda t: t.i):
        if run and token.i != run[-1].i + 1:
            run = []
        run.append(token)
        if len(run) > len(best):
            best = list(run)
    return best
