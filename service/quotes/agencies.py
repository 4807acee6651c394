"""News agencies that carried a statement (``Quote.source_agency``), normalised by rules/agencies.tsv.

An agency is a statement's source only when the statement's own sentences name it ("KCNA reported",
"according to Tass", "seen by AFP"), or the dateline credits it ("SEOUL (AFP) -"); never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span, Token

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


def agency_for(context: ArticleContext, statement: Statement, wire: str | None) -> str | None:
    """The agency that carried the statement, if its own sentences name one, else the wire credit."""
    doc = context.doc
    anchors = [statement.content[0], max(statement.content[1] - 1, statement.content[0])]
    if statement.cue is not None:
        anchors.append(statement.cue.start_char)
    spans = [doc.char_span(a, a + 1, alignment_mode="expand") for a in anchors]
    sentences = [context.sentence(s[0]) for s in spans if s is not None and len(s)]
    if not sentences:
        return wire
    start = min(s.start_char for s in sentences)
    end = max(s.end_char for s in sentences)
    outside = [
        (a, b, name)
        for a, b, name in load_agency_table().find(context.text[start:end])
        if not statement.content[0] <= a + start < statement.content[1]
    ]
    if outside:
        return outside[0][2]
    carrier = _according_to_carrier(doc.char_span(start, end, alignment_mode="expand"), statement)
    return carrier or wire


def _according_to_carrier(region: Span | None, statement: Statement) -> str | None:
    """'according to the Russian Foreign Ministry' when someone else is the speaker."""
    if region is None or statement.cue is None or statement.cue[0].lower_ == "according":
        return None
    doc = region.doc
    for token in region:
        if token.lower_ != "according" or token.i + 1 >= len(doc):
            continue
        objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
        if objects and _is_carrier(objects[0]):
            words = mention_tokens(objects[0])
            while words and words[0].dep_ == "det":
                words = words[1:]
            if words:
                return doc[words[0].i : words[-1].i + 1].text
    return None


def _is_carrier(head: Token) -> bool:
    return head.ent_type_ == "ORG" or head.lemma_.lower() in lexicon.word_set("carrier_nouns.txt")
