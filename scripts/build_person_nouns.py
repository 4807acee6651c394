"""Writes service/rules/person_nouns.txt from WordNet 3.0 (Debian package `wordnet-base`).

A noun is kept when its most frequent sense is a person (WordNet's lexicographer file noun.person):
"labourer", "minister"; not "source", "suit" or "page", whose person senses come later. Only single lower-case words: a description's head noun is one word.

    apt-get install wordnet-base && python scripts/build_person_nouns.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

NOUN_PERSON = 18  # WordNet's lexicographer file number for noun.person
SENSES_READ = 1

HEADER = """\
# Nouns whose most frequent WordNet sense is a person ("labourer", "minister"; not "source" or "page"):
# a definite description with one ("the 32-year-old labourer") may stand for a person the article just named. Built by scripts/build_person_nouns.py from WordNet 3.0:
# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. Used under the WordNet 3.0
# licence, which permits use, copying and distribution with this notice. THIS DATABASE IS PROVIDED "AS IS"
# AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED.
"""


def person_synsets(data_noun: Path) -> set[str]:
    """Offsets of the synsets in noun.person."""
    offsets = set()
    for line in data_noun.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(" "):
            continue  # the licence header
        offset, lex_filenum = line.split(" ", 2)[:2]
        if int(lex_filenum) == NOUN_PERSON:
            offsets.add(offset)
    return offsets


def person_nouns(index_noun: Path, persons: set[str]) -> list[str]:
    nouns = []
    for line in index_noun.read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue
        fields = line.split()
        lemma, synset_count = fields[0], int(fields[2])
        if not lemma.isalpha() or not lemma.islower():
            continue
        senses = fields[-synset_count:]  # most frequent first
        if any(offset in persons for offset in senses[:SENSES_READ]):
            nouns.append(lemma)
    return nouns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--out", type=Path, default=Path("service/rules/person_nouns.txt"))
    args = parser.parse_args()
    nouns = person_nouns(args.wordnet / "index.noun", person_synsets(args.wordnet / "data.noun"))
    args.out.write_text(HEADER + "\n".join(nouns) + "\n", encoding="utf-8")
    print(f"{len(nouns)} nouns -> {args.out}")


if __name__ == "__main__":
    main()
