"""News agencies that carried a statement (``Quote.source_agency``), normalised by rules/agencies.tsv.

An agency is a statement's source only when the statement's own sentences name it ("KCNA reported",
"according to Tass", "seen by AFP"), or the dateline credits it ("SEOUL (AFP) -"); never a guess.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Token

from service import lexicon
from service.quotes.context import ArticleContext
from service.quotes.statement import Statement
from service.schema import Article
from service.speakers import mention_tokens

AGENCIES_FILE = "agencies.tsv"


@dataclass(frozen=True)
class AgencyTable:
    canonical_by_alias: dict[str, str]
    # One alternation of every alias, longest first, so "Xinhua News Agency" wins over "Xinhua".
    pattern: re.Pattern[str]

    def normalise(self, name: str) -> str | None:
        """Canonical agency name of an alias, or None when the table does not know it."""
        return self.canonical_by_alias.get(name.strip())

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every alias occurrence in ``text`` as (start, end, canonical name)."""
        return [(m.start(), m.end(), self.canonical_by_alias[m.group(0)]) for m in self.pattern.finditer(text)]


def parse_agency_table(entries: Sequence[str], source: str = AGENCIES_FILE) -> AgencyTable:
    """The table from its entries (comment and blank lines already left out, as rules files are read)."""
    canonical_by_alias: dict[str, str] = {}
    for number, line in enumerate(entries, start=1):
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip():
            raise ValueError(f"{source} entry {number}: expected 'canonical<TAB>alias|alias', got {line!r}")
        canonical = fields[0].strip()
        canonical_by_alias[canonical] = canonical
        for alias in fields[1].split("|"):
            if alias.strip():
                canonical_by_alias[alias.strip()] = canonical
    aliases = sorted(canonical_by_alias, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in aliases) + r")(?![\w-])")
    return AgencyTable(canonical_by_alias, pattern)


def load_agency_table() -> AgencyTable:
    return lexicon.table(AGENCIES_FILE, parse_agency_table)


# The opening characters of the first paragraph where a wire credit ("SEOUL (AFP) -") is looked for.
WIRE_CREDIT_CHARS = 80


def wire_credit(article: Article) -> str | None:
    """An agency credited in the dateline or the opening words ("SEOUL (AFP) -")."""
    openings = [article.dateline.text] if article.dateline else []
    if article.paragraphs:
        openings.append(article.paragraphs[0].text[:WIRE_CREDIT_CHARS])
    for opening in openings:
        for start, end, name in load_agency_table().find(opening):
            if opening[start - 1 : start] == "(" and opening[end : end + 1] == ")":
                return name
    return None


class Carriers:
    """Where an article names agencies, and the carriers its "according to" phrases name: found once per
    article, so that each statement finds its own by bisection (a page of thousands of statements in one
    parser "sentence" stays linear)."""

    def __init__(self, context: ArticleContext) -> None:
        self.context = context
        self.mentions = load_agency_table().find(context.text)
        self.mention_starts = [start for start, _, _ in self.mentions]
        # "according to" is a cue: the context has found every one already.
        self.according = [
            (i, words) for i in sorted(context.cue_at) if (words := _according_to_carrier(context.doc[i])) is not None
        ]
        self.according_at = [i for i, _ in self.according]

    def agency_for(self, statement: Statement, wire: str | None) -> str | None:
        """The agency that carried the statement, if its own sentences name one, else the wire credit."""
        doc = self.context.doc
        anchors = [statement.content[0], max(statement.content[1] - 1, statement.content[0])]
        if statement.cue is not None:
            anchors.append(statement.cue.start_char)
        spans = [doc.char_span(a, a + 1, alignment_mode="expand") for a in anchors]
        sentences = [self.context.sentence(s[0]) for s in spans if s is not None and len(s)]
        if not sentences:
            return wire
        named = self._named_outside(
            min(s.start_char for s in sentences), max(s.end_char for s in sentences), statement.content
        )
        if named is not None:
            return named
        if statement.cue is None or statement.cue[0].lower_ == "according":
            return wire  # "according to X" is then the statement's own cue, X its speaker
        k = bisect.bisect_left(self.according_at, min(s.start for s in sentences))
        if k < len(self.according) and self.according[k][0] < max(s.end for s in sentences):
            return self.according[k][1]
        return wire

    def _named_outside(self, start: int, end: int, content: tuple[int, int]) -> str | None:
        """The first agency named in [start, end) outside the statement's content."""
        k = bisect.bisect_left(self.mention_starts, start)
        if k < len(self.mentions) and content[0] <= self.mentions[k][0] < content[1]:
            k = bisect.bisect_left(self.mention_starts, content[1])
        if k < len(self.mentions) and self.mentions[k][1] <= end:
            return self.mentions[k][2]
        return None


def _according_to_carrier(token: Token) -> str | None:
    """'according to the Russian Foreign Ministry': the carrier's words, without their determiner."""
    doc = token.doc
    if token.lower_ != "according" or token.i + 1 >= len(doc):
        return None
    objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
    if not objects or not _is_carrier(objects[0]):
        return None
    words = mention_tokens(objects[0])
    while words and words[0].dep_ == "det":
        words = words[1:]
    return doc[words[0].i : words[-1].i + 1].text if words else None


def _is_carrier(head: Token) -> bool:
    return head.ent_type_ == "ORG" or head.lemma_.lower() in lexicon.word_set("carrier_nouns.txt")
