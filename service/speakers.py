"""Who said it: the speaker mention a cue governs, and a light coreference to the fullest name.

Rules (no model): a pronoun subject refers to the last compatible subject before it (he/she ->
a person, it -> an organisation or country, they -> a plural or coordinated subject), else the last
compatible named entity; a short person name ("Lavrov") is expanded to the longest person name in the
article that contains it ("Sergey Lavrov").
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Doc, Span, Token

from service import lexicon

Category = Literal["person", "thing", "plural"]

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Children that are not part of a speaker's name ("Hugh Hill, a doctor, who ..., said").
PRUNED_DEPS = frozenset({"appos", "relcl", "acl", "prep", "punct", "advmod", "parataxis", "ccomp", "advcl"})
PERSON_BLOCKING_LABELS = frozenset({"GPE", "LOC", "NORP", "FAC", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY"})
THING_LABELS = frozenset({"ORG", "GPE", "NORP", "FAC"})
# How far back (tokens) a pronoun looks for its antecedent: about three news sentences.
ANTECEDENT_WINDOW = 120
RELATIVE_PRONOUNS = frozenset({"who", "that", "which"})


def pronoun_categories() -> dict[str, Category]:
    return lexicon.table("pronouns.tsv", _pronoun_table)


def _pronoun_table(entries: tuple[str, ...]) -> dict[str, Category]:
    table: dict[str, Category] = {}
    for line in entries:
        pronoun, category = line.split("\t")
        table[pronoun.strip().lower()] = category.strip()  # type: ignore[assignment]
    return table


def country_words() -> frozenset[str]:
    """Every word of a country name: such a token is a place or state, never a person."""
    return lexicon.table("countries.txt", _every_word)


def _every_word(entries: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word for line in entries for word in line.split())


@dataclass(frozen=True)
class Speaker:
    name: str
    # Body offsets of the mention the cue governs (the pronoun itself for "he said").
    start: int
    end: int
    # "named": the mention is a name or noun phrase; "pronoun": resolved from a pronoun;
    # "unresolved": a pronoun with no compatible antecedent (its own text is the name).
    resolved_by: Literal["named", "pronoun", "unresolved"]


def mention_tokens(head: Token) -> list[Token]:
    """The speaker noun phrase of a subject head, without appositions, clauses and punctuation."""
    kept = {head.i}
    stack = [child for child in head.children if child.dep_ not in PRUNED_DEPS]
    while stack:
        token = stack.pop()
        kept.add(token.i)
        stack.extend(child for child in token.children if child.dep_ not in PRUNED_DEPS)
    # Keep the contiguous run around the head, so a pruned apposition never leaves a gap inside.
    start = end = head.i
    while start - 1 in kept:
        start -= 1
    while end + 1 in kept:
        end += 1
    tokens = list(head.doc[start : end + 1])
    while len(tokens) > 1 and tokens[0].is_punct:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1].is_punct:
        tokens.pop()
    return tokens


class SpeakerResolver:
    """Built once per article Doc; resolves speaker heads to names."""

    def __init__(self, doc: Doc, quoted_spans: list[tuple[int, int]]) -> None:
        self.doc = doc
        self.pronouns = pronoun_categories()
        self.titles = lexicon.word_set("name_titles.txt")
        self.countries = country_words()
        self._quoted_starts = [s for s, _ in quoted_spans]
        self._quoted = quoted_spans
        self.person_names = self._person_names()
        self.person_words = {word for name in self.person_names for word in name}
        self._subjects = [t for t in doc if t.dep_ in SUBJECT_DEPS and not self._in_quote(t)]
        self._subject_index = [t.i for t in self._subjects]
        self._entities = [e for e in doc.ents if not self._in_quote(e.root)]
        self._entity_index = [e.root.i for e in self._entities]
        self._memo: dict[int, str | None] = {}

    def _in_quote(self, token: Token) -> bool:
        i = bisect.bisect_right(self._quoted_starts, token.idx) - 1
        return i >= 0 and self._quoted[i][0] <= token.idx < self._quoted[i][1]

    def _person_names(self) -> list[tuple[str, ...]]:
        """Every person name the article spells out: PERSON entities and proper-noun chains."""
        names: list[tuple[str, ...]] = []
        # Headlines ("Trump Stands Tall On Proposal ...") and quoted words ("Crooked Hillary Clinton")
        # spell no one's name.
        in_headlines = {i for sent in self.doc.sents if _title_cased(sent) for i in range(sent.start, sent.end)}
        for ent in self.doc.ents:
            if (
                ent.label_ == "PERSON"
                and not any(t.text in self.countries for t in ent)
                and ent.start not in in_headlines
                and not self._in_quote(ent.root)
            ):
                names.append(self._strip_name(ent))
        chain: list[Token] = []
        for token in self.doc:
            if (
                token.pos_ == "PROPN"
                and token.i not in in_headlines
                and not self._in_quote(token)
                and token.ent_type_ not in PERSON_BLOCKING_LABELS
                and token.text not in self.countries
            ):
                chain.append(token)
                continue
            if len(chain) >= 2:
                names.append(self._strip_name(chain))
            chain = []
        if len(chain) >= 2:
            names.append(self._strip_name(chain))
        return [name for name in names if name]

    def _strip_name(self, tokens: Span | list[Token]) -> tuple[str, ...]:
        kept = [t for t in tokens if not t.is_punct and t.tag_ != "POS" and t.text not in ("’s", "'s")]
        if len(kept) > 1 and _capitalised_only_as_first(kept[0]):
            kept = kept[1:]  # "Rival Hillary Clinton said"
        words = [t.text for t in kept]
        while words and words[0].lower().rstrip(".") in self.titles:
            words.pop(0)
        return tuple(words)

    def category(self, head: Token) -> Category | None:
        if head.pos_ == "PRON":
            return self.pronouns.get(head.lower_)
        if any(child.dep_ == "conj" for child in head.children) or head.tag_ in ("NNS", "NNPS"):
            return "plural"
        if self.is_person(head):
            return "person"
        if self.is_thing(head) or head.pos_ in ("NOUN", "PROPN"):
            return "thing"
        return None

    def is_person(self, head: Token) -> bool:
        if head.text in self.countries:
            return False
        if head.ent_type_ == "PERSON":
            return True
        if head.pos_ != "PROPN" or head.ent_type_ in PERSON_BLOCKING_LABELS or not head.text[:1].isupper():
            return False
        # spaCy's small model often labels a bare surname ORG; trust the article's own person names.
        return head.text in self.person_words

    def is_thing(self, head: Token) -> bool:
        return head.text in self.countries or head.ent_type_ in THING_LABELS

    def fullest_name(self, tokens: list[Token]) -> str:
        """The longest person name in the article containing this mention's name words."""
        words = self._strip_name(tokens)
        words = tuple(w for w in words if w[:1].isupper()) or words
        best = words
        for name in self.person_names:
            if len(name) > len(best) and _contains(name, words):
                best = name
        return " ".join(best)

    def name_of(self, head: Token) -> str:
        tokens = mention_tokens(head)
        if self.is_person(head) and not any(child.dep_ == "conj" for child in head.children):
            return self.fullest_name(tokens)
        text = self.doc[tokens[0].i : tokens[-1].i + 1].text if tokens else head.text
        return text

    def resolve(self, head: Token) -> Speaker:
        tokens = mention_tokens(head)
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        antecedent = _relative_antecedent(head)
        if antecedent is not None:  # "Beck, who said ...": the mention is "who", the speaker Beck
            resolved = self.resolve(antecedent)
            return Speaker(resolved.name, start, end, resolved.resolved_by)
        if head.pos_ != "PRON":
            return Speaker(self.name_of(head), start, end, "named")
        name = self._antecedent_name(head)
        if name is None:
            return Speaker(head.text, start, end, "unresolved")
        return Speaker(name, start, end, "pronoun")

    def _antecedent_name(self, pronoun: Token) -> str | None:
        if pronoun.i in self._memo:
            return self._memo[pronoun.i]
        self._memo[pronoun.i] = None  # guards against cycles through chained pronouns
        wanted = self.pronouns.get(pronoun.lower_)
        name = None
        if wanted is not None:
            name = self._from_subjects(pronoun, wanted) or self._from_entities(pronoun, wanted)
        self._memo[pronoun.i] = name
        return name

    def _from_subjects(self, pronoun: Token, wanted: Category) -> str | None:
        """The last subject before the pronoun that fits it (subjects are the likeliest antecedents)."""
        position = bisect.bisect_left(self._subject_index, pronoun.i)
        for subject in reversed(self._subjects[max(0, position - 40) : position]):
            if pronoun.i - subject.i > ANTECEDENT_WINDOW:
                return None
            if _reported_by(pronoun, subject):
                continue
            if subject.pos_ == "PRON":
                if self.pronouns.get(subject.lower_) == wanted:
                    return self._antecedent_name(subject)
                continue
            if self.category(subject) == wanted and (wanted != "thing" or self.is_thing(subject)):
                return self.name_of(subject)
        return None

    def _from_entities(self, pronoun: Token, wanted: Category) -> str | None:
        position = bisect.bisect_left(self._entity_index, pronoun.i)
        for ent in reversed(self._entities[max(0, position - 60) : position]):
            if pronoun.i - ent.root.i > ANTECEDENT_WINDOW:
                return None
            if wanted == "person" and self.is_person(ent.root):
                return self.fullest_name(list(ent))
            if wanted == "thing" and self.is_thing(ent.root):
                return ent.text
        return None


def _reported_by(pronoun: Token, subject: Token) -> bool:
    """'Loyalty, he noted, has long been …': the subject of the clause that the pronoun's own
    parenthetical clause reports is what is said, not who said it."""
    verb = pronoun.head
    parenthetical = verb.dep_ == "parataxis" or (verb.dep_ == "ccomp" and verb.i < verb.head.i)
    return parenthetical and subject.head.i == verb.head.i


def _relative_antecedent(head: Token) -> Token | None:
    """The noun a relative pronoun subject stands for ("Beck, who said" -> Beck)."""
    if head.lower_ in RELATIVE_PRONOUNS and head.head.dep_ == "relcl" and head.head.head.i != head.i:
        return head.head.head
    return None


def _capitalised_only_as_first(token: Token) -> bool:
    """A sentence's first word outside any entity: upper case for its place, not as a name."""
    return token.is_sent_start and not token.ent_type_


def _title_cased(sentence: Span) -> bool:
    """A headline-style sentence, where every word is capitalised and proper-noun tags mean little."""
    words = [t for t in sentence if t.is_alpha and len(t) > 3]
    return len(words) >= 3 and sum(t.text[0].isupper() for t in words) > 0.8 * len(words)


def _contains(name: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not words:
        return False
    n = len(words)
    return any(name[i : i + n] == words for i in range(len(name) - n + 1))
