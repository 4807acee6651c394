"""News agencies that carried a statement (``Quote.source_agency``), normalised by rules/agencies.tsv."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service import lexicon

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
