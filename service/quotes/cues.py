"""Cues: the reporting verbs of service/rules/cue_verbs.txt, found on the tokens of a parse."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from service import lexicon
from service.text_facts import DOUBLE_CLOSERS, DOUBLED_SINGLE, STRAIGHT_DOUBLE

# "the congressional report", "the two": the short noun phrase of a credit whose verb was tagged a noun.
CREDIT_NOUN_PHRASE_POS = frozenset({"DET", "NUM", "ADJ", "PROPN", "NOUN", "PRON"})
MAX_CREDIT_NOUN_PHRASE = 4
CLOSING_MARK_TOKENS = frozenset({*DOUBLE_CLOSERS, STRAIGHT_DOUBLE, DOUBLED_SINGLE})


@dataclass(frozen=True)
class CueLexicon:
    lemmas: frozenset[str]
    # "call" -> {"for", "on"}: verbs that are cues only with the particle right after them.
    with_particle: dict[str, frozenset[str]]

    @property
    def verbs(self) -> frozenset[str]:
        """Every cue verb's lemma, with or without the particle it needs."""
        return self.lemmas | frozenset(self.with_particle)

    def match(self, token: Token) -> Span | None:
        """The cue phrase starting at this token, or None."""
        doc = token.doc
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            return doc[token.i : token.i + 2]
        if token.pos_ not in ("VERB", "AUX") or _that_said(token):
            return None
        if token.lemma_.lower() in self.lemmas:
            return doc[token.i : token.i + 1]
        particles = self.with_particle.get(token.lemma_.lower())
        if particles and token.i + 1 < len(doc) and doc[token.i + 1].lower_ in particles:
            return doc[token.i : token.i + 2]
        return None

    def credit_noun(self, token: Token) -> Span | None:
        """'“…,” the two write.', '“…,” the editorial read.': a cue the tagger took for a noun, known by
        its place: right after a quote that closed on , ! or ?, and a short noun phrase, ending the clause.
        Returns that noun phrase (the speaker), or None."""
        doc = token.doc
        if token.pos_ not in ("NOUN", "PROPN") or token.lemma_.lower() not in self.lemmas:
            return None
        following = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if following is not None and following.text not in (".", ",", ";") and following.pos_ != "ADP":
            return None
        i = token.i - 1
        while i >= 0 and token.i - i <= MAX_CREDIT_NOUN_PHRASE and doc[i].pos_ in CREDIT_NOUN_PHRASE_POS:
            i -= 1
        named = token.i - 1 - i
        closed = i >= 1 and doc[i].text in CLOSING_MARK_TOKENS and doc[i - 1].text in (",", "!", "?")
        return doc[i + 1 : token.i] if named and closed else None


def _that_said(token: Token) -> bool:
    """'That said, the malware leaves files unencrypted': "that said" opening a sentence means "even so"; it
    reports nothing (a message 'that said, “Sorry …”' does)."""
    doc = token.doc
    before = doc[token.i - 1] if token.i > 0 else None
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    return (
        token.lower_ == "said"
        and before is not None
        and before.text == "That"
        and bool(before.is_sent_start)
        and after is not None
        and after.text == ","
    )


def load_cue_lexicon() -> CueLexicon:
    return lexicon.table("cue_verbs.txt", _cue_lexicon)


def _cue_lexicon(entries: tuple[str, ...]) -> CueLexicon:
    lemmas: set[str] = set()
    with_particle: dict[str, set[str]] = {}
    for line in entries:
        words = line.lower().split()
        if words == ["according", "to"]:
            continue
        if len(words) == 1:
            lemmas.add(words[0])
        else:
            with_particle.setdefault(words[0], set()).add(" ".join(words[1:]))
    return CueLexicon(frozenset(lemmas), {k: frozenset(v) for k, v in with_particle.items()})
