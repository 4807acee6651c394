"""Who said it: the speaker mention a cue governs, and the entity it names, by its fullest name.

A mention goes through ordered passes, the most precise first (after the multi-pass sieve of Lee et al.
2013, Stanford's deterministic coreference; rules and lexicons are ours):
1. a relative pronoun ("Beck, who said") stands for the noun it modifies;
2. a name: a person's short name or "Mr. X" is the longest person name in the article that contains it
   ("Lavrov" -> "Sergey Lavrov"; of several, the first introduced, or the one a he/she bound to the
   speaker's mention agrees with), an acronym its expansion
   ("IRCC" -> "Immigration, Refugees and Citizenship Canada", whether or not the article writes
   "(IRCC)" after it);
3. a description ("the mayor", "the agency", "the prime minister"): the entity the article last introduced
   with that head noun and modifiers, as a title ("Mayor Doug McCallum", "transit agency TransLink"),
   an apposition ("TransLink, the agency that ..."), a predicate ("McCallum is the mayor") or its own name
   ("the department" -> "Department of Community Services"); with no such entity, a person description
   with a modifier ("the rookie defenceman") is an epithet for the named person the sentence before is
   about. A document (rules/document_nouns.txt:
   "the statement", "a study") speaks for its author: its possessor, its "from/by X", or whoever the
   article said released one;
4. a pronoun: the last subject before it, else the last named entity, that agrees in number, animacy
   (he/she: a person, never an organisation or an outlet; it: an organisation or place) and gender.
   Gender comes from the article first: Mr./Ms. (rules/gendered_words.tsv), a gendered role noun
   ("spokeswoman", "father") and he/she bound to the name in its own sentence ("Lonechild said she ...");
   last, a given name that names one gender (rules/given_names.tsv: "Hillary", not "Lindsey"), which any
   of the article's own evidence outweighs.
The speaker's name is always a span of the article's own text: the entity's longest name mention with
titles cut ("Sergey Lavrov", not "Foreign Minister Sergey Lavrov"). A mention with no letter or digit is no
speaker.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Container
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from spacy.tokens import Doc, Span, Token

from service import lexicon
from service.nlp import breaks_line

Category = Literal["person", "thing", "plural"]
Gender = Literal["male", "female"]
CharSpan = tuple[int, int]

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Clauses that are not a sentence's own statement ("when Tapper asked", "who said").
SUBORDINATE_DEPS = frozenset({"advcl", "relcl", "acl", "csubj"})
INDEFINITE_ARTICLES = frozenset({"a", "an"})
# Links from a clause up to the clause that holds it ("X says [he is …]", "X said and [he added]").
CLAUSE_LINK_DEPS = frozenset({"ccomp", "xcomp", "conj", "advcl", "relcl", "parataxis"})
# Children of a name's head that are part of the name ("Sergey" of "Sergey Lavrov").
NAME_DEPS = frozenset({"compound", "flat"})
# Hyphens the tokenizer splits out of one name ("Waller-Bridge").
NAME_JOINERS = frozenset({"-", "‐", "‑"})
# Children that are not part of a speaker's name ("Hugh Hill, a doctor, who ..., said").
PRUNED_DEPS = frozenset({"appos", "relcl", "acl", "prep", "punct", "advmod", "parataxis", "ccomp", "advcl"})
PERSON_BLOCKING_LABELS = frozenset({"GPE", "LOC", "NORP", "FAC", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY"})
THING_LABELS = frozenset({"ORG", "GPE", "NORP", "FAC"})
# Labels spaCy's small model gives a bare surname ("Palvetzian" NORP, "Stanovaya" GPE or FAC).
MISLABELLED_SURNAME = frozenset({"NORP", "GPE", "FAC", "LOC"})
# Organisations and places that speak or are spoken of by name ("a registered Republican" names no one).
NAMED_THING_LABELS = THING_LABELS - {"NORP"}
# A proper-noun chain with one of these labels is an organisation or place, not a person's name.
NOT_PERSON_CHAIN_LABELS = PERSON_BLOCKING_LABELS | {"ORG", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
# How far back a pronoun looks for its antecedent, in words outside quotes: about three news sentences. A
# description or document looks as far for its holder or issuer, in tokens.
ANTECEDENT_WINDOW = 120
# Prepositions whose phrase says who a description is ("an official with the ministry", "some in the party").
DESCRIBING_PREPOSITIONS = frozenset({"of", "for", "with", "from", "in"})
# A describing phrase with one of these inside is a clause, not a description ("those who ...").
PHRASE_BREAKING_DEPS = frozenset({"relcl", "acl", "appos", "advcl"})
RELATIVE_PRONOUNS = frozenset({"who", "that", "which"})
# Small words inside an organisation's name that its acronym skips ("Citizenship and Immigration Canada").
ACRONYM_SKIPPED = frozenset({"of", "and", "for", "the", "on", "in", "&", ",", "-", "’s", "'s"})
MAX_ACRONYM = 8
# Children of a description's head that say which one it is ("the prime minister", "the WHL commissioner").
MODIFIER_DEPS = frozenset({"compound", "amod", "nmod"})
# Lower-case words inside a person's name ("Charles de Gaulle", "Ursula von der Leyen").
NAME_PARTICLES = frozenset(
    {
        "de",
        "da",
        "di",
        "del",
        "della",
        "du",
        "des",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "bin",
        "al",
        "el",
        "ibn",
        "dos",
        "das",
    }
)
# "the Rockets’ general manager Bruce Hamilton": the longest title read before a name.
MAX_TITLE_TOKENS = 6
TITLE_POS = frozenset({"NOUN", "PROPN", "ADJ"})
DESCRIPTION_DETERMINERS = frozenset({"the", "this", "that", "these", "those"})
# English compounds for people that WordNet lacks ("defenceman", "anchorwoman").
PERSON_NOUN_ENDINGS = ("man", "woman", "person")
# "the last man", "the other candidate": a description that brings in someone new.
NEW_REFERENT_MODIFIERS = frozenset({"last", "other", "next", "another"})
# Words of four letters or more in a line with no lower-case word that make it a headline with a single
# word outside the names the recogniser found in it.
TITLE_CASED_LONG_LINE = 5
# The small words a headline's title case may leave lower-case (or, mid-line, capitalise as no running text
# does), and the fewest longer words such a headline has.
HEADLINE_SMALL_WORDS = frozenset(
    {"a", "an", "the", "and", "but", "or", "nor", "for", "of", "on", "at", "to", "by", "in", "as"}
    | {"from", "with", "into", "onto", "over", "upon"}
)
HEADLINE_MIN_WORDS = 3
ARTICLES = frozenset({"a", "an", "the"})
# Prepositions after a document noun that name its author ("a statement from the EU", "a study by X").
AUTHOR_PREPOSITIONS = frozenset({"from", "by"})


def pronoun_table() -> dict[str, tuple[Category, Gender | None]]:
    return lexicon.table("pronouns.tsv", _pronoun_table)


def _pronoun_table(entries: tuple[str, ...]) -> dict[str, tuple[Category, Gender | None]]:
    table: dict[str, tuple[Category, Gender | None]] = {}
    for line in entries:
        pronoun, category, *gender = (field.strip() for field in line.split("\t"))
        table[pronoun.lower()] = (category, gender[0] if gender else None)  # type: ignore[assignment]
    return table


def gendered_words() -> dict[str, Gender]:
    """Titles and role nouns that tell a person's gender ("Mrs", "spokeswoman"), lower-cased."""
    return lexicon.table("gendered_words.tsv", _gendered_words)


def _gendered_words(entries: tuple[str, ...]) -> dict[str, Gender]:
    table: dict[str, Gender] = {}
    for line in entries:
        word, gender = line.split("\t")
        table[word.strip().lower()] = gender.strip()  # type: ignore[assignment]
    return table


def _labels_by_noun(entries: tuple[str, ...]) -> dict[str, frozenset[str]]:
    return {noun.strip().lower(): frozenset(labels.split()) for noun, labels in (e.split("\t") for e in entries)}


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
    # "unresolved": a pronoun with no compatible antecedent (its own text is the name);
    # "epithet": a description taken for the person the sentence before is about ("the rookie defenceman").
    resolved_by: Literal["named", "pronoun", "unresolved", "epithet"]
    # Body offsets of `name` in the text (the entity's fullest name); None: the mention is the name.
    name_span: CharSpan | None = None

    @property
    def entity_span(self) -> CharSpan:
        return self.name_span or (self.start, self.end)


@dataclass(frozen=True)
class Name:
    """A name the article spells out, titles cut: token range, and its words without punctuation."""

    start: int
    end: int
    words: tuple[str, ...]
    person: bool
    chars: CharSpan  # body offsets


@dataclass(frozen=True)
class Role:
    """'Mayor Doug McCallum', 'TransLink, the transit agency': a head noun the article gave an entity."""

    at: int  # token index where the article says it
    head: str  # lemma, lower-cased
    words: frozenset[str]  # every word of the role, lower-cased
    entity: CharSpan


def mention_tokens(head: Token) -> list[Token]:
    """The speaker noun phrase of a subject head, without appositions, clauses and punctuation."""
    kept = {head.i}
    stack = [child for child in head.children if child.dep_ not in PRUNED_DEPS]
    while stack:
        token = stack.pop()
        kept.add(token.i)
        stack.extend(child for child in token.children if child.dep_ not in PRUNED_DEPS)
    # Keep the contiguous run around the head, so a pruned apposition never leaves a gap inside.
    # A line break ends it too: the parser sometimes hangs a word of the paragraph before on the head.
    start = end = head.i
    while start - 1 in kept and "\n" not in head.doc[start - 1].text:
        start -= 1
    while end + 1 in kept and "\n" not in head.doc[end + 1].text:
        end += 1
    # A word written with hyphens is one word of the mention ("Wilson-Raybould", "the 43-year-old").
    while start > 1 and joins_name(head.doc[start - 1]):
        start -= 2
    while end + 2 < len(head.doc) and joins_name(head.doc[end + 1]):
        end += 2
    tokens = list(head.doc[start : end + 1])
    while len(tokens) > 1 and (tokens[0].is_punct or tokens[0].is_space):
        tokens.pop(0)
    while len(tokens) > 1 and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens.pop()
    return tokens


class SpeakerResolver:
    """Built once per article Doc; resolves speaker heads to the entities they name."""

    def __init__(
        self,
        doc: Doc,
        quoted_spans: list[tuple[int, int]],
        text: str | None = None,
        reporting_verbs: frozenset[str] = frozenset(),
    ) -> None:
        """`text` is doc.text, when the caller has it already (spaCy joins it anew on every access);
        `reporting_verbs` the lemmas of the cue verbs (service/quotes/cues.py), with which a pronoun speaker
        looks first for whoever spoke before."""
        self.doc = doc
        self.text = doc.text if text is None else text
        # Token objects are built on every doc[i]: build each once.
        self.tokens = list(doc)
        self.pronouns = pronoun_table()
        self.titles = lexicon.word_set("name_titles.txt")
        self.gendered = gendered_words()
        self.given_names = lexicon.table("given_names.tsv", _gendered_words)
        self.documents = lexicon.word_set("document_nouns.txt")
        self.person_nouns = lexicon.word_set("person_nouns.txt")
        self.issuing = lexicon.word_set("issuing_verbs.txt")
        self.asking = lexicon.word_set("asking_verbs.txt")
        self.reporting = reporting_verbs
        self.organisation_nouns = lexicon.table("organisation_nouns.tsv", _labels_by_noun)
        self.countries = country_words()
        self._quoted_starts = [s for s, _ in quoted_spans]
        self._quoted = quoted_spans
        # How far back an antecedent may be is counted in words outside quotes, which hold no candidate.
        self._unquoted_before = list(itertools.accumulate((not self._in_quote(t) for t in self.tokens), initial=0))
        # Headlines ("Trump Stands Tall On Proposal ...") spell no one's name; neither do quoted words.
        self._sentences = list(doc.sents)
        self._headline = {
            i
            for sent in self._sentences
            if _title_cased(self.tokens[sent.start : sent.end])
            for i in range(sent.start, sent.end)
        }
        self.names = self._names()
        self.person_names = [n for n in self.names if n.person]
        self.organisation_names = [n for n in self.names if not n.person and self.tokens[n.start].ent_type_ == "ORG"]
        self.person_words = {word for name in self.person_names for word in name.words}
        self._name_at = {i: name for name in self.names for i in range(name.start, name.end)}
        # A headline's subject is no antecedent either ("Carly Fiorina Endorses Ted Cruz: …" parses as a name).
        self._subjects = [
            t for t in self.tokens if t.dep_ in SUBJECT_DEPS and not self._in_quote(t) and t.i not in self._headline
        ]
        # The first token of each of spaCy's sentences (the quote code bisects in it too).
        self.sentence_starts = tuple(sent.start for sent in self._sentences)
        self._subject_index = [t.i for t in self._subjects]
        self._entities = [e for e in doc.ents if not self._in_quote(e.root) and e.start not in self._headline]
        self._entity_index = [e.root.i for e in self._entities]
        self._canonical: dict[tuple[str, ...], Name] = {}
        self._expansions: dict[str, CharSpan | None] = {}
        self._name_entities: dict[Name, CharSpan] = {}
        self._person_entities = {self._entity_of_name(name) for name in self.person_names}
        self._entity_memo: dict[int, CharSpan] = {}
        # Antecedent candidates: subjects, and the heads of names and entities wherever they stand.
        heads = {t.i: t for t in self._subjects}
        for name in self.names:
            span = doc[name.start : name.end]
            heads.setdefault(span.root.i, span.root)
        heads.update((e.root.i, e.root) for e in self._entities if e.root.i not in heads)
        self._candidates = [heads[i] for i in sorted(heads)]
        self._candidate_index = sorted(heads)
        self.roles: dict[str, list[Role]] = {}
        for role in self._roles():  # by head noun, in text order
            self.roles.setdefault(role.head, []).append(role)
        self._role_starts = {head: [r.at for r in roles] for head, roles in self.roles.items()}
        self._genders = self._gender_evidence()
        self._epithets: set[int] = set()  # heads of descriptions resolved as epithets
        self._memo: dict[int, CharSpan | None] = {}

    # ---- the article's names ---------------------------------------------------------------------

    def _in_quote(self, token: Token) -> bool:
        i = bisect.bisect_right(self._quoted_starts, token.idx) - 1
        return i >= 0 and self._quoted[i][0] <= token.idx < self._quoted[i][1]

    def _names(self) -> list[Name]:
        """Person names (PERSON entities and proper-noun chains) and organisation or place names."""
        names: list[Name] = []
        surnames = {ent[-1].text for ent in self.doc.ents if ent.label_ == "PERSON"}
        for ent in self.doc.ents:
            if ent.start in self._headline or self._in_quote(ent.root):
                continue
            # A country word is a surname at the end of a longer name ('Steve Israel', 'Jim Jordan'); elsewhere
            # the recogniser ran a name into a place ('New Hampshire Sanders').
            if (
                ent.label_ == "PERSON" or _mislabelled_person(ent, surnames) or self._described_as_person(ent)
            ) and not any(self._is_country(t) for t in ent):
                names.extend(self._cleaned(list(ent), person=True))
            elif ent.label_ in NAMED_THING_LABELS:
                names.extend(self._cleaned(list(ent), person=False))
        chain: list[Token] = []
        for token in [*self.tokens, None]:
            if token is not None and self._chain_continues(chain, token):
                chain.append(token)
                continue
            if len(chain) >= 2 and not self._owns_organisation_name(chain[-1]):
                names.extend(self._cleaned(chain, person=True))
            chain = [token] if token is not None and self._chain_continues([], token) else []
        covered = {i for name in names for i in range(name.start, name.end)}
        for token in self.tokens:
            # 'TransLink, the regional transit agency,', 'media buying company GroupM': a name the recogniser
            # missed, described as an organisation beside it.
            if (
                token.pos_ == "PROPN"
                and token.i not in covered
                and (
                    any(c.dep_ == "appos" and c.pos_ == "NOUN" for c in token.children)
                    or self._organisation_noun_before(token)
                )
                and not self._in_quote(token)
            ):
                names.extend(self._cleaned([token], person=False))
        names.sort(key=lambda n: (n.start, -n.end))
        unique: list[Name] = []
        for name in names:  # an entity and a chain over the same words: keep the entity's
            if unique and unique[-1].start <= name.start and name.end <= unique[-1].end and unique[-1].person:
                continue
            unique.append(name)
        return unique

    def _organisation_noun_before(self, token: Token) -> bool:
        before = self.tokens[token.i - 1] if token.i > 0 else None
        return (
            before is not None
            and before.dep_ == "compound"
            and before.head.i == token.i
            and before.pos_ == "NOUN"
            and self._names_organisation(before)
        )

    def _owns_organisation_name(self, token: Token) -> bool:
        """'Colleges Employers’ Association': capitalised words that possess a capitalised organisation noun are
        part of the organisation's name, not a person's."""
        doc = self.doc
        if token.i + 2 >= len(doc) or (doc[token.i + 1].tag_ != "POS" and doc[token.i + 1].dep_ != "case"):
            return False
        owned = doc[token.i + 2]
        return owned.pos_ == "PROPN" and self._names_organisation(owned)

    def _described_as_person(self, ent: Span) -> bool:
        """'Gustavo Faleiros, an editor at InfoAmazonia,' labelled ORG: a two- or three-word proper name whose
        apposition is a person noun (not an organisation noun: 'Walmart, the retailer') names a person."""
        return _shaped_like_full_name(ent) and any(
            child.dep_ == "appos"
            and child.pos_ == "NOUN"
            and self._names_a_person(child)
            and not self._names_organisation(child)
            for child in ent.root.children
        )

    def _names_organisation(self, noun: Token) -> bool:
        """An organisation noun of rules/organisation_nouns.tsv ('company', 'association')."""
        return "ORG" in self.organisation_nouns.get(noun.lemma_.lower(), ())

    def _chain_continues(self, chain: list[Token], token: Token) -> bool:
        if (
            token.pos_ != "PROPN"
            or token.i in self._headline
            or self._in_quote(token)
            or token.ent_type_ in NOT_PERSON_CHAIN_LABELS
            or token.text in self.countries
            or (token.is_upper and len(token) > 1)  # "LRT", "CNN", a photo credit in capitals
        ):
            return False
        # A chain never runs over a line or sentence break, nor from one entity into another.
        return not chain or not (token.is_sent_start or token.ent_iob_ == "B" or token.i != chain[-1].i + 1)

    def _cleaned(self, tokens: list[Token], person: bool) -> list[Name]:
        """The name in a run of tokens: titles, a sentence-initial word, a possessive and punctuation cut
        from its ends ("Foreign Minister Sergey Lavrov’s" -> "Sergey Lavrov")."""
        if any(breaks_line(t) for t in tokens):
            return []  # broken by a line break
        tokens = [t for t in tokens if not t.is_space]
        if any(t.i != tokens[0].i + k for k, t in enumerate(tokens)):
            return []  # not one run of words
        if person:  # "Alexandre Bissonnette’s Quebec" (mosque shooting plot): the name ends at its possessive
            tokens = next((tokens[: k + 1] for k, t in enumerate(tokens) if _possessive(t)), tokens)
        while tokens and (tokens[-1].is_punct or _possessive(tokens[-1])):
            tokens.pop()
        if person:
            if len(tokens) > 1 and _capitalised_only_as_first(tokens[0]):
                tokens = tokens[1:]  # "Rival Hillary Clinton said"
            while tokens and (
                tokens[0].lower_.rstrip(".") in self.titles
                or tokens[0].lower_ == "the"
                or not tokens[0].text[:1].isupper()
                or tokens[0].is_punct
            ):
                tokens = tokens[1:]
        else:
            while tokens and (tokens[0].lower_ == "the" or tokens[0].is_punct):
                tokens = tokens[1:]
        if person:
            while tokens and tokens[-1].lower_.rstrip(".") in self.titles and not self._surname_after_given(tokens):
                tokens = tokens[:-1]  # "Health Minister" is a title, not a name
        words = tuple(t.text for t in tokens if not t.is_punct)
        # A name's part after a hyphen may be lower-case ("Ban Ki-moon", "Kim Jong-un"; not "Trump-led").
        capitalised = [
            t.text[:1].isupper()
            or t.lower_ in NAME_PARTICLES
            or (t.i > 0 and joins_name(t.doc[t.i - 1]) and t.pos_ in ("PROPN", "NOUN"))
            for t in tokens
            if t.text[:1].isalpha()
        ]
        if not words or not any(capitalised) or (person and not all(capitalised)):
            return []  # "rookie defenceman" tagged PERSON, "the federal department" tagged ORG
        if person and any(w.isalpha() and w.isupper() and len(w) > 1 for w in words):
            return []  # "Surrey-Guildford LRT" tagged PERSON: an acronym is no part of a person's name
        chars = (tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))
        return [Name(tokens[0].i, tokens[-1].i + 1, words, person, chars)]

    def _surname_after_given(self, tokens: list[Token]) -> bool:
        """'Amy Pope', 'Peter T. King': a title word after a given name or an initial is the surname."""
        if len(tokens) < 2:
            return False
        before = tokens[-2].text
        return before.lower() in self.given_names or (len(before) == 2 and before[0].isupper() and before[1] == ".")

    def canonical_person(self, words: tuple[str, ...]) -> Name | None:
        """The longest person name containing these words; of several, the first the article gives."""
        if words not in self._canonical:
            best: Name | None = None
            for name in self.person_names:
                if _contains(name.words, words) and (best is None or len(name.words) > len(best.words)):
                    best = name
            if best is not None:
                self._canonical[words] = best
        return self._canonical.get(words)

    def _acronym_expansion(self, token: Token) -> CharSpan | None:
        """'IRCC' -> 'Immigration, Refugees and Citizenship Canada': capitalised words of the article whose
        initials spell the acronym (small words skipped), outside quotes."""
        letters = token.text
        if not (2 <= len(letters) <= MAX_ACRONYM and letters.isalpha() and letters.isupper()):
            return None
        if letters not in self._expansions:
            self._expansions[letters] = next(
                (
                    (self.tokens[start].idx, self.tokens[end - 1].idx + len(self.tokens[end - 1].text))
                    for start in range(len(self.tokens))
                    if self.tokens[start].text[:1] == letters[0]
                    and not self._in_quote(self.tokens[start])
                    and start not in self._headline
                    and (end := self._spells(start, letters)) is not None
                ),
                None,
            )
        return self._expansions[letters]

    def _spells(self, start: int, letters: str) -> int | None:
        """End token index when the capitalised words from `start` have `letters` as initials."""
        k, i = 0, start
        while i < len(self.tokens) and k < len(letters):
            token = self.tokens[i]
            if token.lower_ in ACRONYM_SKIPPED and k > 0:
                i += 1
                continue
            if not token.is_alpha or not token.text[0].isupper() or token.text[0] != letters[k] or token.is_upper:
                return None
            k, i = k + 1, i + 1
        return i if k == len(letters) and (i >= len(self.tokens) or not self.tokens[i].text[:1].isupper()) else None

    # ---- descriptions ----------------------------------------------------------------------------

    def _roles(self) -> list[Role]:
        """Every head noun the article gives a named entity: its title, apposition, predicate or own name."""
        roles: list[Role] = []
        for name in self.names:
            entity = self._entity_of_name(name)
            root = max(self.tokens[name.start : name.end], key=lambda t: t.head.i not in range(name.start, name.end))
            # 'Mayor Doug McCallum', 'Surrey mayor Doug McCallum', 'media buying company GroupM'
            if (titled := self._title_role(name, entity)) is not None:
                roles.append(titled)
            for other in self._described_by(root):
                roles.append(self._role(other.i, other, self._modifiers(other), entity))
            if not name.person and root.lemma_.lower() not in self.documents:
                # 'the department' for 'Department of Community Services' (not 'the statement' for a named one)
                roles.append(self._role(name.start, root, self.tokens[name.start : name.end], entity))
        roles.extend(self._titles_in_quotes_and_headlines())
        roles.sort(key=lambda r: r.at)
        return roles

    def _titles_in_quotes_and_headlines(self) -> list[Role]:
        """'“Mayor McCallum’s statements vary …”': a title the article gives a person only inside a quote or
        a headline still says who holds it, when the person is named outside them too."""
        roles = []
        for ent in self.doc.ents:
            if ent.label_ != "PERSON" or not (ent.start in self._headline or self._in_quote(ent.root)):
                continue
            for name in self._cleaned(list(ent), person=True):
                person = self.canonical_person(name.words)
                if person is not None and (titled := self._title_role(name, person.chars)) is not None:
                    roles.append(titled)
        return roles

    def _title_role(self, name: Name, entity: CharSpan) -> Role | None:
        """The role a title right before a name gives its entity: the title's last noun is its head."""
        title = self._title_before(name)
        nouns = [t for t in title if t.pos_ in ("NOUN", "PROPN")]
        return self._role(name.start, nouns[-1], title, entity) if nouns else None

    def _title_before(self, name: Name) -> list[Token]:
        """The words right before a name that describe it ("the Rockets’ general manager Bruce Hamilton")."""
        title: list[Token] = []
        i = name.start - 1
        if i >= 0 and self.tokens[i].tag_ == "POS":
            return []  # "the network’s Jake Tapper": the network is his employer, not his title
        while i >= max(name.start - MAX_TITLE_TOKENS, 0) and not self.tokens[i + 1].is_sent_start:
            token = self.tokens[i]
            if not (token.pos_ in TITLE_POS or token.tag_ == "POS" or token.text in ("-", "’", "'")):
                break
            title.insert(0, token)
            i -= 1
        return [t for t in title if t.pos_ in TITLE_POS]

    def _described_by(self, root: Token) -> list[Token]:
        """Nouns in apposition to a name, either way round, or its predicate ('X is the mayor')."""
        nouns = [
            c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN" and not self._colon_between(root, c)
        ]
        if root.dep_ == "appos" and root.head.pos_ == "NOUN" and not self._colon_between(root, root.head):
            nouns.append(root.head)
        if root.dep_ == "nsubj" and root.head.lemma_ == "be":
            nouns.extend(c for c in root.head.children if c.dep_ == "attr" and c.pos_ == "NOUN")
        return nouns

    def _colon_between(self, a: Token, b: Token) -> bool:
        """'Poll: Clinton and Sanders in dead heat': a heading's label is not the name's description."""
        first, last = sorted((a.i, b.i))
        return any(t.text == ":" for t in self.tokens[first:last])

    def _modifiers(self, head: Token) -> list[Token]:
        return [c for c in head.children if c.dep_ in MODIFIER_DEPS and c.pos_ in ("NOUN", "PROPN", "ADJ")]

    def _role(self, at: int, head: Token, words: list[Token], entity: CharSpan) -> Role:
        return Role(at, head.lemma_.lower(), frozenset(t.lower_ for t in [*words, head]), entity)

    def _entity_of_name(self, name: Name) -> CharSpan:
        if name not in self._name_entities:
            self._name_entities[name] = self._find_entity_of_name(name)
        return self._name_entities[name]

    def _find_entity_of_name(self, name: Name) -> CharSpan:
        if name.person:
            return (self.canonical_person(name.words) or name).chars
        if len(name.words) == 1 and (expansion := self._acronym_expansion(self.tokens[name.start])) is not None:
            return expansion
        return self._fullest_organisation(name).chars

    def _fullest_organisation(self, name: Name) -> Name:
        """'Suncor' -> 'Suncor Energy': the longest organisation name the article begins with these words."""
        best = name
        for other in self.organisation_names:
            if len(other.words) > len(best.words) and other.words[: len(name.words)] == name.words:
                best = other
        return best

    def _described_entity(self, head: Token) -> CharSpan | None:
        """The entity last introduced before this description with its head noun and modifiers."""
        if head.pos_ != "NOUN" or head.is_upper:
            return None
        determiners = [c for c in head.children if c.dep_ in ("det", "poss")]
        if not determiners and head.tag_ != "NNS":
            return None  # "a doctor said": someone new
        if any(d.dep_ == "det" and d.lower_ not in DESCRIPTION_DETERMINERS for d in determiners):
            return None
        lemma = head.lemma_.lower()
        # "Burkina Faso’s foreign ministry" is not the Russian one: a named possessor must match too.
        owners = [c for c in head.children if c.dep_ == "poss" and c.pos_ == "PROPN"]
        wanted = {t.lower_ for t in self._modifiers(head)} | {
            t.lower_ for o in owners for t in o.subtree if t.pos_ == "PROPN"
        }
        roles = self.roles.get(lemma, [])
        position = bisect.bisect_right(self._role_starts.get(lemma, []), head.i)
        found = next((roles[k].entity for k in range(position - 1, -1, -1) if wanted <= roles[k].words), None)
        if found is None and lemma in self.organisation_nouns and not wanted:
            found = self._last_organisation(head, self.organisation_nouns[lemma])
        if found is None and head.tag_ == "NN":
            # 'the WHL commissioner said … WHL commissioner Ron Robison said': named only a little after it.
            later = (k for k in range(position, len(roles)) if roles[k].at - head.i <= ANTECEDENT_WINDOW)
            found = next((roles[k].entity for k in later if wanted <= roles[k].words), None)
        if found in self._person_entities and head.tag_ == "NNS":
            return None  # "the lawyers", "the three scholars": several people are none of them alone
        if found is None and (found := self._epithet_referent(head, determiners)) is not None:
            self._epithets.add(head.i)
        return found

    def _epithet_referent(self, head: Token, determiners: list[Token]) -> CharSpan | None:
        """'Al Mnajer passed his test … The 32-year-old labourer says': a definite description of a person
        that the article gave no one is an epithet for the person the sentence before is about."""
        if not self._reads_as_epithet(head, determiners):
            return None
        if self._person_named_before(head):
            return None  # 'Trump's manager Corey Lewandowski said the developer …': someone else
        lemma = head.lemma_.lower()
        sentence = self._previous_unquoted_sentence(head)
        if sentence is None or any(t.lemma_.lower() == lemma and not self._in_quote(t) for t in sentence):
            return None  # 'another unnamed GOP official … said the GOP official'
        entity = self._topic_person(sentence)
        if entity is None or not self._agrees(entity, self.gendered.get(head.lower_)):
            return None
        return entity

    def _reads_as_epithet(self, head: Token, determiners: list[Token]) -> bool:
        """'the rookie defenceman', 'The Florida senator': the, a modifier, a person noun the article gave no
        one as a role ("the director" where it has one is that one, or someone new)."""
        modifiers = self._modifiers(head)
        return (
            head.tag_ == "NN"
            and [d.lower_ for d in determiners] == ["the"]
            and self._names_a_person(head)
            and head.lemma_.lower() not in self.roles
            and bool(modifiers)  # 'the man', 'the employee': someone new as often as not
            and not any(c.dep_ in ("relcl", "acl") for c in head.children)  # 'the young woman who escorted her'
            and not any(t.ent_type_ == "ORDINAL" or t.lower_ in NEW_REFERENT_MODIFIERS for t in modifiers)
            and not any(t.text in self.person_words for t in modifiers)  # 'the Christie supporter'
        )

    def _topic_person(self, sentence: Span) -> CharSpan | None:
        """The named person a sentence is about: the first of its subjects, its main clause's first, that
        names a person or stands for one. None when that subject is a person the article does not name
        ('While Ivanka Trump spoke, a fashion designer watched')."""
        first, last = (bisect.bisect_left(self._subject_index, i) for i in (sentence.start, sentence.end))
        subjects = sorted(self._subjects[first:last], key=lambda t: t.head.dep_ != "ROOT")
        for subject in subjects:
            subject = _relative_antecedent(subject) or subject
            name = self._name_at.get(subject.i)
            if subject.pos_ == "PRON" and self.category(subject) == "person":
                entity = self._antecedent(subject)
                return entity if entity in self._person_entities else None
            if name is not None and name.person and not self._also_a_place_or_body(name):
                return self._entity_of_name(name)
            if subject.pos_ == "NOUN" and self._names_a_person(subject):
                return None
        return None

    def _person_named_before(self, head: Token) -> bool:
        start = self._sentence_start(head.i)
        return any(n.start >= start and n.end <= head.i for n in self.person_names)

    def _also_a_place_or_body(self, name: Name) -> bool:
        """'Edmonton responded …' taken for a person where the article also writes 'the Edmonton Oilers', and
        no person's full name has the word ('Jones' of 'Caleb Jones' is a person whatever else is 'Jones')."""
        word = name.words[0]
        return len(name.words) == 1 and word in self._thing_words and word not in self._full_name_words

    @cached_property
    def _thing_words(self) -> set[str]:
        return {t.text for e in self._entities if e.label_ in THING_LABELS for t in e}

    @cached_property
    def _full_name_words(self) -> set[str]:
        return {word for name in self.person_names if len(name.words) > 1 for word in name.words}

    def _names_a_person(self, noun: Token) -> bool:
        lemma = noun.lemma_.lower()
        return lemma in self.person_nouns or lemma.endswith(PERSON_NOUN_ENDINGS)

    def _previous_unquoted_sentence(self, token: Token) -> Span | None:
        """The sentence before the token's, passing over any that is all quotation."""
        k = bisect.bisect_right(self.sentence_starts, token.i) - 1
        for sentence in reversed(self._sentences[:k]):
            if any(not (t.is_space or t.is_punct or self._in_quote(t)) for t in sentence):
                return None if sentence.start in self._headline else sentence
        return None

    def _last_organisation(self, head: Token, labels: frozenset[str]) -> CharSpan | None:
        """'Suncor Energy ... the company said': the organisation (or city) the article named last."""
        position = bisect.bisect_left(self._entity_index, head.i)
        for ent in reversed(self._entities[:position]):
            name = self._name_at.get(ent.root.i)
            if ent.label_ in labels and name is not None and not name.person and name.words[0][:1].isupper():
                return self._entity_of_name(name)
        return None

    def _author(self, head: Token) -> CharSpan | None:
        """'the statement', 'a study by Civic Action', 'her letter', 'a statement e-mailed to The Globe by Reagan
        Ruslim': a document speaks for its author."""
        if head.pos_ != "NOUN" or head.lemma_.lower() not in self.documents:
            return None
        for child in head.children:
            if child.dep_ == "poss":
                return self._entity(child)
            if child.dep_ == "prep" and child.lower_ in AUTHOR_PREPOSITIONS:
                by = next((c for c in child.children if c.dep_ == "pobj"), None)
                if by is not None:
                    return self._entity(by)
        if head.dep_ == "nsubjpass" or any(c.dep_ == "relcl" for c in head.children):
            passive = next((t.head for t in head.subtree if t.dep_ == "agent"), None)
            if passive is not None and (by := agent_of(passive)) is not None:
                return self._entity(by)
        # 'a statement e-mailed to The Globe by X' is X's; 'documents obtained by the Post' are not the Post's.
        for issued in (c for c in head.children if c.dep_ == "acl" and c.lemma_.lower() in self.issuing):
            if (by := agent_of(issued)) is not None:
                return self._entity(by)
        # 'Sanders is releasing a new ad that urges …': the document speaks for whoever issues it.
        if (issuer := self._issuer(head)) is not None:
            return issuer
        # 'The Kelowna Rockets filed a lawsuit ... The suit says': whoever issued one before.
        lemma = head.lemma_.lower()
        for token in reversed(self.tokens[max(head.i - ANTECEDENT_WINDOW, 0) : head.i]):
            if token.lemma_.lower() == lemma and (issuer := self._issuer(token)) is not None:
                return issuer
        return None

    def _issuer(self, document: Token) -> CharSpan | None:
        """The subject of the issuing verb whose object the document is ('X filed a lawsuit'), or of the
        reporting verb it was said in ('X said in a statement'; not 'the charge is explained in an
        affidavit'), outside quotes."""
        if self._in_quote(document):
            return None
        verb = document.head
        subject_deps: Container[str]
        if document.dep_ == "dobj" and verb.lemma_.lower() in self.issuing:
            subject_deps = SUBJECT_DEPS
        elif (
            document.dep_ == "pobj"
            and verb.lower_ == "in"
            and verb.dep_ == "prep"
            and verb.head.lemma_.lower() in self.reporting
        ):
            verb, subject_deps = verb.head, ("nsubj",)
        else:
            return None
        subject = next((c for c in verb.children if c.dep_ in subject_deps), None)
        return self._entity(subject) if subject is not None else None

    # ---- gender ----------------------------------------------------------------------------------

    def _gender_evidence(self) -> dict[CharSpan, Gender]:
        """Each person's gender as the article tells it: a title or gendered role noun next to the name,
        or a he/she later in the sentence whose subject the name is, with no other person between; a given
        name that names one gender counts least (one vote, once per person)."""
        votes: dict[CharSpan, dict[Gender, int]] = {}
        for name in self.person_names:
            entity = self._entity_of_name(name)
            given = self.given_names.get(name.words[0].lower())
            if given is not None and name.chars == entity:  # at the fullest name only: once per person
                votes.setdefault(entity, {}).setdefault(given, 0)
                votes[entity][given] += 1
            for token in self.tokens[max(name.start - 2, 0) : name.start]:
                gender = self.gendered.get(token.lower_.rstrip("."))
                if gender is not None:
                    votes.setdefault(entity, {}).setdefault(gender, 0)
                    votes[entity][gender] += 2
        for role in (role for roles in self.roles.values() for role in roles):
            for word in role.words:
                gender = self.gendered.get(word)
                if gender is not None:
                    votes.setdefault(role.entity, {}).setdefault(gender, 0)
                    votes[role.entity][gender] += 2
        person_starts = sorted(name.start for name in self.person_names)
        for sentence in self._sentences:
            k = bisect.bisect_left(person_starts, sentence.start)
            if k < len(person_starts) and person_starts[k] < sentence.end:  # a person is named in it
                self._bound_pronoun_votes(sentence, votes)
        self._lone_person_votes(votes)
        return {entity: max(tally, key=lambda g: tally[g]) for entity, tally in votes.items() if _decided(tally)}

    def _lone_person_votes(self, votes: dict[CharSpan, dict[Gender, int]]) -> None:
        """'Erin Kim runs the project. “…,” she says.': a he/she subject with one person alone named in its
        sentence and the one before it can only be that person."""
        sentences, starts = self._sentences, self.sentence_starts
        names = [n for n in self.person_names]
        name_starts = [n.start for n in names]
        for token in self._subjects:
            gender = self.pronouns.get(token.lower_, ("", None))[1] if token.pos_ == "PRON" else None
            if gender is None:
                continue
            k = bisect.bisect_right(starts, token.i) - 1
            window_start = sentences[max(k - 1, 0)].start
            first, last = bisect.bisect_left(name_starts, window_start), bisect.bisect_left(name_starts, token.i)
            people = {self._entity_of_name(n) for n in names[first:last]}
            if len(people) == 1:
                person = people.pop()
                votes.setdefault(person, {}).setdefault(gender, 0)
                votes[person][gender] += 1

    def _bound_pronoun_votes(self, sentence: Span, votes: dict[CharSpan, dict[Gender, int]]) -> None:
        """'Ms Kim said her team …': a he/she after the person its sentence names first, as subject, is hers."""
        for token in self.tokens[sentence.start : sentence.end]:
            name = self._name_at.get(token.i)
            if name is not None and name.person and token.i == name.start and not self._in_quote(token):
                gender = self._bound_gender(name)
                if gender is not None:
                    person = self._entity_of_name(name)
                    votes.setdefault(person, {}).setdefault(gender, 0)
                    votes[person][gender] += 1
                return

    def gender(self, entity: CharSpan) -> Gender | None:
        return self._genders.get(entity)

    # ---- categories ------------------------------------------------------------------------------

    def category(self, head: Token) -> Category | None:
        if head.pos_ == "PRON":
            entry = self.pronouns.get(head.lower_)
            return entry[0] if entry else None
        if _coordinated(head) or head.tag_ in ("NNS", "NNPS"):
            return "plural"
        if self.is_person(head) or self._entity(head) in self._person_entities:
            return "person"
        if self.is_thing(head) or head.pos_ in ("NOUN", "PROPN"):
            return "thing"
        return None

    def is_person(self, head: Token) -> bool:
        if self._is_country(head):
            return False
        if head.ent_type_ == "PERSON":
            return True
        # spaCy's small model often labels a bare surname ORG, NORP or GPE, and may tag one it takes for a
        # nationality a plural noun ("Schniederjans" NOUN, NORP); trust the article's person names.
        mislabelled = head.pos_ == "NOUN" and head.ent_type_ in MISLABELLED_SURNAME
        if (
            (head.pos_ != "PROPN" and not mislabelled)
            or head.ent_type_ in PERSON_BLOCKING_LABELS - MISLABELLED_SURNAME
            or not head.text[:1].isupper()
        ):
            return False
        return head.text in self.person_words

    def _is_country(self, token: Token) -> bool:
        """A country's word, unless it ends a longer person name ('Chuck Jordan')."""
        return token.text in self.countries and not _ends_longer_person_name(token)

    def is_thing(self, head: Token) -> bool:
        return head.text in self.countries or head.ent_type_ in THING_LABELS

    # ---- resolution ------------------------------------------------------------------------------

    def named(self, tokens: list[Token]) -> Speaker:
        """A speaker the quote code found as a run of name tokens ('— Carl Bialik', 'Stated Stone:')."""
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        words = _without_titles([t for t in tokens if not t.is_punct], self.titles)
        person = self.canonical_person(words) if words else None
        span = person.chars if person is not None else (start, end)
        return Speaker(self.text[span[0] : span[1]], start, end, "named", span)

    def resolve(self, head: Token) -> Speaker | None:
        """The speaker a mention head names; None when the mention has no word in it."""
        tokens = mention_tokens(head)
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        if not any(c.isalnum() for c in self.text[start:end]):
            return None  # a parse that took punctuation ('’’') for the subject
        antecedent = _relative_antecedent(head)
        if antecedent is not None:  # "Beck, who said ...": the mention is "who", the speaker Beck
            resolved = self.resolve(antecedent)
            if resolved is None:
                return None
            return Speaker(resolved.name, start, end, resolved.resolved_by, resolved.entity_span)
        if _coordinated(head) and head.pos_ == "PRON":
            return Speaker(self.text[start:end], start, end, "named")  # "she and another reporter": a group
        if head.pos_ == "PRON" and head.lower_ in self.pronouns:
            span = self._antecedent(head)
            if span is None:
                return Speaker(head.text, start, end, "unresolved")
            return Speaker(self.text[span[0] : span[1]], start, end, "pronoun", span)
        span = self._entity(head)
        resolved_by: Literal["named", "epithet"] = "epithet" if head.i in self._epithets else "named"
        return Speaker(self.text[span[0] : span[1]], start, end, resolved_by, span)

    def _entity(self, head: Token) -> CharSpan:
        """The entity a non-pronoun mention names, by its fullest name; else the mention as written."""
        if head.i not in self._entity_memo:
            self._entity_memo[head.i] = self._find_entity(head)
        return self._entity_memo[head.i]

    def _find_entity(self, head: Token) -> CharSpan:
        if head.pos_ == "PRON" and head.lower_ in self.pronouns:
            return self._antecedent(head) or (head.idx, head.idx + len(head.text))
        tokens = mention_tokens(head)
        if self.is_person(head) and not _coordinated(head):
            person = self._person_entity(head, told_by_pronoun=True)
            if person is not None:
                return person
        if head.pos_ == "PROPN" and (expansion := self._acronym_expansion(head)) is not None:
            return expansion
        beside = self._person_beside(head)
        if beside is not None:
            return beside
        found = self._described_entity(head) or self._author(head)
        if found is not None:
            return found
        name = self._name_at.get(head.i)
        if name is not None and not name.person and self._in_mention(name, tokens):
            return self._entity_of_name(name)  # "the Plain Dealer", "Cleveland’s Plain Dealer" -> "Plain Dealer"
        while len(tokens) > 1 and tokens[-1].tag_ == "POS":
            tokens = tokens[:-1]  # "a reporter’s" (tweet)
        tokens = self._with_describing_phrases(tokens)
        return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)

    def _with_describing_phrases(self, tokens: list[Token]) -> list[Token]:
        """'An official with Animal Protection Services', 'some in the Muslim community', 'people familiar
        with the bid': a description no name stands for is all of its words, the phrases after it too. Not
        a phrase of time ('the visit in March 2013'), nor one a clause or punctuation breaks into."""
        if tokens[-1].pos_ == "PROPN":
            return tokens
        end = tokens[-1].i + 1
        for token in tokens:
            for child in token.children:
                if child.dep_ == "prep" and child.i == end and child.lower_ in DESCRIBING_PREPOSITIONS:
                    phrase = self._describing_phrase(child)
                    if phrase:
                        tokens, end = tokens + phrase, phrase[-1].i + 1
        return tokens

    def _describing_phrase(self, preposition: Token) -> list[Token]:
        phrase = list(preposition.subtree)
        # '… with the talks but not authorised to speak': a coordinated clause ends the phrase, and so does a
        # comma or a bracket ('… Association (UCEA)'); an "and" inside a name does not ('a spokesperson for
        # the Universities and Colleges Employers’ Association').
        phrase = next((phrase[:k] for k, t in enumerate(phrase) if _ends_describing_phrase(t)), phrase)
        whole = phrase[-1].i - preposition.i + 1 == len(phrase)
        if (
            not whole
            or phrase[-1].pos_ not in ("NOUN", "PROPN", "NUM")
            or any(
                t.is_space
                or (t.is_punct and t.dep_ != "case")
                or t.dep_ in PHRASE_BREAKING_DEPS
                or t.ent_type_ in ("DATE", "TIME")
                or self._in_quote(t)
                for t in phrase
            )
        ):
            return []
        return phrase

    @staticmethod
    def _in_mention(name: Name, tokens: list[Token]) -> bool:
        """The organisation's name is all of the mention but for an article or its owner ('the White House',
        'the province's Department of Community Services')."""
        words = [t for t in tokens if t.i < name.start or t.i >= name.end]
        owners = {t.i for w in words if w.dep_ == "poss" and w.head.i in range(name.start, name.end) for t in w.subtree}
        return all(t.pos_ == "DET" or t.i in owners for t in words)

    def _person_beside(self, head: Token) -> CharSpan | None:
        """'the team’s captain, John Smith,': a noun whose name stands in apposition ('the Clinton campaign'
        is not Clinton)."""
        if head.pos_ != "NOUN":
            return None
        for child in head.children:
            name = self._name_at.get(child.i)
            if child.dep_ == "appos" and name is not None and name.person:
                return self._entity_of_name(name)
        return None

    def _person_entity(self, head: Token, told_by_pronoun: bool = False) -> CharSpan | None:
        """The person a name head names, by the longest name containing it; else its own name words. With
        `told_by_pronoun` (a speaker's own mention, never an antecedent candidate, whose he/she would be the
        very pronoun being resolved), a he/she bound to the name chooses among namesakes."""
        name = self._name_at.get(head.i)
        if name is None or not name.person:
            # The parser may hang a word of the line before on the name ("...: Matlow¶Matlow said"): only
            # the head's own line counts.
            line_start = max((t.i for t in head.subtree if t.i < head.i and breaks_line(t)), default=-1)
            parts = {
                t.i
                for t in head.subtree
                if t.i > line_start and (t.dep_ in NAME_DEPS or t.i == head.i or joins_name(t) or _blank_within_line(t))
            }
            names = self._cleaned(_run_around(head, parts), person=True)
            # 'Charlie King': a name that lost its head to the title list is not the mention's name.
            name = names[0] if names and names[0].start <= head.i < names[0].end else None
        if name is None:
            return None
        person = self.canonical_person(name.words) or name
        namesakes = self._namesakes(person, name.words) if told_by_pronoun else []
        gender = self._bound_gender(name) if namesakes else None
        if gender is not None:
            # 'Belkacemi says she …' where the article names Khaled and Megda Belkacemi: the one who agrees.
            fitting = [p for p in [person, *namesakes] if self._agrees(self._entity_of_name(p), gender)]
            if len(fitting) == 1:
                person = fitting[0]
        return person.chars

    def _namesakes(self, person: Name, words: tuple[str, ...]) -> list[Name]:
        """The other people whose names as long as this one's hold the same words ('Megda Belkacemi' and
        'Khaled Belkacemi' for 'Belkacemi')."""
        others: dict[tuple[str, ...], Name] = {}
        for name in self.person_names:
            if len(name.words) == len(person.words) and name.words != person.words and _contains(name.words, words):
                others.setdefault(name.words, name)
        return list(others.values())

    def _bound_gender(self, name: Name) -> Gender | None:
        """The gender of the first he/she (his, her, ...) after the name in its sentence, outside quotes, when
        the name is the subject there and no other person is named before that pronoun."""
        if not any(t.dep_ in SUBJECT_DEPS for t in self.tokens[name.start : name.end]):
            return None
        end = self._sentences[bisect.bisect_right(self.sentence_starts, name.start) - 1].end
        for token in self.tokens[name.end : end]:
            if self._in_quote(token):
                continue
            if self._in_person_name(token):
                return None
            gender = self.pronouns.get(token.lower_, ("", None))[1]
            if gender is not None:
                return gender
        return None

    def _antecedent(self, pronoun: Token) -> CharSpan | None:
        if pronoun.i in self._memo:
            return self._memo[pronoun.i]
        self._memo[pronoun.i] = None  # guards against cycles through chained pronouns
        category, gender = self.pronouns[pronoun.lower_]
        span = self._from_subjects(pronoun, category, gender) or self._from_entities(pronoun, category, gender)
        self._memo[pronoun.i] = span
        return span

    def _agrees(self, entity: CharSpan, gender: Gender | None) -> bool:
        known = self.gender(entity)
        return gender is None or known is None or known == gender

    def _candidates_for(self, pronoun: Token, wanted: Category) -> list[Token]:
        """He/she look for a person as Lee et al. do; it/they take the nearest subject, as in 'Mali said
        it was ... It voiced its regret', where the latest clause's subject is the one meant."""
        if wanted == "person":
            return self._candidate_subjects(pronoun)
        position = bisect.bisect_left(self._subject_index, pronoun.i)
        nearest = reversed(self._subjects[max(0, position - 40) : position])
        return [s for s in nearest if self._within_window(s, pronoun)]

    def _candidate_subjects(self, pronoun: Token) -> list[Token]:
        """Candidates before the pronoun, in the order they are tried (after Lee et al.): its own sentence
        nearest first, then each earlier sentence, latest first, from its start (subjects before other
        names)."""
        position = bisect.bisect_left(self._candidate_index, pronoun.i)
        before = [s for s in self._candidates[max(0, position - 60) : position] if self._within_window(s, pronoun)]
        by_sentence: dict[int, list[Token]] = {}
        for subject in before:
            by_sentence.setdefault(self._sentence_start(subject.i), []).append(subject)
        own = self._sentence_start(pronoun.i)
        # "Trudeau says he's not concerned about cuts Ford could make": the subjects of the clauses above
        # the pronoun's come first, nearest first, then the rest of its sentence, nearest first.
        above = self._subjects_above(pronoun)
        ordered = above + [s for s in reversed(by_sentence.pop(own, [])) if s not in above]
        speaking = pronoun.head.lemma_.lower() in self.reporting
        for start in sorted(by_sentence, reverse=True):
            # Its subjects first ("After meeting Choe Son Hui, Lavrov said"), then the names elsewhere in it.
            subjects = [s for s in by_sentence[start] if s.dep_ in SUBJECT_DEPS]
            if speaking:
                # "Trump, Sexton said, has created … “…,” he said": who speaks goes on speaking.
                subjects.sort(key=lambda s: not self._speaks(s))
            ordered.extend(subjects + [s for s in by_sentence[start] if s.dep_ not in SUBJECT_DEPS])
        return ordered

    def _within_window(self, candidate: Token, pronoun: Token) -> bool:
        return self._unquoted_before[pronoun.i] - self._unquoted_before[candidate.i] <= ANTECEDENT_WINDOW

    def _speaks(self, subject: Token) -> bool:
        """The subject of a reporting verb that is not a subordinate clause's ('when Tapper asked' is not)."""
        verb = subject.head
        return verb.lemma_.lower() in self.reporting and verb.dep_ not in SUBORDINATE_DEPS

    @staticmethod
    def _subjects_above(pronoun: Token) -> list[Token]:
        subjects: list[Token] = []
        verb = pronoun.head
        while verb.dep_ in CLAUSE_LINK_DEPS and verb.head.i != verb.i:
            verb = verb.head
            subjects.extend(c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i < pronoun.i)
        return subjects

    def _sentence_start(self, i: int) -> int:
        return self.sentence_starts[bisect.bisect_right(self.sentence_starts, i) - 1]

    def _from_subjects(self, pronoun: Token, wanted: Category, gender: Gender | None) -> CharSpan | None:
        """The first candidate before the pronoun that fits it."""
        for subject in self._candidates_for(pronoun, wanted):
            if (
                _reported_by(pronoun, subject)
                or _modified_by_its_clause(pronoun, subject)
                or _in_its_adjunct(pronoun, subject)
            ):
                continue
            if subject.pos_ == "PRON":
                entry = self.pronouns.get(subject.lower_)
                if entry is not None and entry[0] == wanted and (gender is None or entry[1] in (None, gender)):
                    return self._antecedent(subject)
                continue
            entity = self._person_candidate(subject, gender) if wanted == "person" else None
            if wanted != "person":
                if self.category(subject) != wanted or (wanted == "thing" and not self.is_thing(subject)):
                    continue
                entity = self._entity(subject)
            if entity is not None and self._agrees(entity, gender):
                return entity
        return None

    def _person_candidate(self, token: Token, gender: Gender | None) -> CharSpan | None:
        """The person a candidate names, one conjunct at a time ('Fouzia Al Hashish and her husband …');
        beside subjects only the article's person names count, and never a name inside a larger one
        ('Kinder Morgan pipeline')."""
        if token.dep_ == "compound":
            return None
        subject = token.dep_ in SUBJECT_DEPS
        if self.is_person(token) and (subject or self._in_person_name(token)):
            return self._person_entity(token)
        if subject and token.pos_ == "NOUN" and (entity := self._entity(token)) in self._person_entities:
            return entity  # "the mayor", resolved to the mayor's name
        if subject and self._someone_new_speaking(token, gender):
            return self._entity(token)
        return None

    def _someone_new_speaking(self, token: Token, gender: Gender | None) -> bool:
        """'A spokesperson for UCEA said …': an indefinite person noun speaking brings in someone the
        article does not name, whom a later 'he said' quotes, not a name before. Not one who asks ('A
        reporter asked Sanders how he felt. He replied: …')."""
        return (
            token.tag_ == "NN"
            and any(c.dep_ == "det" and c.lower_ in INDEFINITE_ARTICLES for c in token.children)
            and self._names_a_person(token)
            and self._speaks(token)
            and token.head.lemma_.lower() not in self.asking
            and self.gendered.get(token.lower_) in (None, gender)
        )

    def _in_person_name(self, token: Token) -> bool:
        name = self._name_at.get(token.i)
        return name is not None and name.person

    def _from_entities(self, pronoun: Token, wanted: Category, gender: Gender | None) -> CharSpan | None:
        position = bisect.bisect_left(self._entity_index, pronoun.i)
        for ent in reversed(self._entities[max(0, position - 60) : position]):
            if not self._within_window(ent.root, pronoun):
                return None
            if wanted == "person" and self.is_person(ent.root):
                entity = self._entity(ent.root)
                if self._agrees(entity, gender):
                    return entity
            if wanted == "thing" and self.is_thing(ent.root):
                return self._entity(ent.root)
        return None


def _ends_describing_phrase(token: Token) -> bool:
    return token.text in ("(", ",") or (token.dep_ in ("cc", "conj") and not _inside_name(token))


def _inside_name(token: Token) -> bool:
    """A conjunction between two capitalised words, or the capitalised word after it: part of one name."""
    doc = token.doc
    if token.dep_ == "cc":
        return 0 < token.i < len(doc) - 1 and doc[token.i - 1].pos_ == "PROPN" and doc[token.i + 1].pos_ == "PROPN"
    return token.pos_ == "PROPN" and token.i > 1 and doc[token.i - 1].dep_ == "cc" and _inside_name(doc[token.i - 1])


def _blank_within_line(token: Token) -> bool:
    """A space token that breaks no line: 'Newt\xa0Gingrich' is one name."""
    return token.is_space and not breaks_line(token)


def _run_around(head: Token, parts: set[int]) -> list[Token]:
    """The tokens of `parts` next to one another around the head: '“… on President Trump’s handling …,” Trump
    tweeted' hangs the quote, and a compound in it, on the name."""
    start, end = head.i, head.i + 1
    while start - 1 in parts:
        start -= 1
    while end in parts:
        end += 1
    return list(head.doc[start:end])


def _ends_longer_person_name(token: Token) -> bool:
    """'Chuck Jordan': the last word of a PERSON entity of more than one word."""
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return token.ent_type_ == "PERSON" and token.ent_iob_ == "I" and (following is None or following.ent_iob_ != "I")


def _mislabelled_person(ent: Span, surnames: set[str]) -> bool:
    """'Megan Bortis' labelled GPE where the article's 'Bortis' is a PERSON: a proper-noun pair or triple
    that ends in a surname the recogniser gives a person elsewhere is that person's full name."""
    return _shaped_like_full_name(ent) and ent[-1].text in surnames


def _shaped_like_full_name(ent: Span) -> bool:
    """A place or thing entity of two or three capitalised proper nouns ('Megan Bortis', 'Gustavo Faleiros')."""
    return (
        ent.label_ in NAMED_THING_LABELS
        and 2 <= len(ent) <= 3
        and all(t.pos_ == "PROPN" and t.text[:1].isupper() and t.is_alpha for t in ent)
    )


def _without_titles(tokens: list[Token], titles: Container[str]) -> tuple[str, ...]:
    """The words of a name run without its titles ('Rep. Jim Clyburn' -> Jim Clyburn). The last word is the
    name's own even when it spells a title: 'Amy Pope'."""
    kept = [t for t in tokens[:-1] if t.lower_.rstrip(".") not in titles] + tokens[-1:]
    return tuple(t.text for t in kept)


def _decided(tally: dict[Gender, int]) -> bool:
    return len(set(tally.values())) > 1 or len(tally) == 1


def _reported_by(pronoun: Token, subject: Token) -> bool:
    """'Loyalty, he noted, has long been …': the subject of the clause that the pronoun's own
    parenthetical clause reports is what is said, not who said it."""
    verb = pronoun.head
    parenthetical = verb.dep_ == "parataxis" or (verb.dep_ == "ccomp" and verb.i < verb.head.i)
    return parenthetical and subject.head.i == verb.head.i


def _modified_by_its_clause(pronoun: Token, candidate: Token) -> bool:
    """'Christie, whom he describes as …': the subject of a relative clause is not the noun the clause
    describes."""
    verb = pronoun.head
    return verb.dep_ == "relcl" and verb.head.i == candidate.i


def _in_its_adjunct(pronoun: Token, candidate: Token) -> bool:
    """'Unlike Al Mnajer, he has been unable to find work': a subject pronoun is not the object of a
    preposition on its own verb."""
    return (
        pronoun.dep_ in SUBJECT_DEPS
        and candidate.dep_ == "pobj"
        and candidate.head.dep_ == "prep"
        and candidate.head.head.i == pronoun.head.i
    )


def _relative_antecedent(head: Token) -> Token | None:
    """The noun a relative pronoun subject stands for ("Beck, who said" -> Beck)."""
    if head.lower_ in RELATIVE_PRONOUNS and head.head.dep_ == "relcl" and head.head.head.i != head.i:
        return head.head.head
    return None


def _capitalised_only_as_first(token: Token) -> bool:
    """A sentence's first word outside any entity: upper case for its place, not as a name ("Rival Hillary
    Clinton said"). Not at a paragraph's start, where a name the recogniser missed most often stands
    ("Tatiana Stanovaya, an independent political expert")."""
    return bool(token.is_sent_start) and not token.ent_type_ and not _after_line_break(token)


def agent_of(verb: Token) -> Token | None:
    """X of the verb's "by X"."""
    by = next((c for c in verb.children if c.dep_ == "agent"), None)
    return next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None


def _possessive(token: Token) -> bool:
    return token.tag_ == "POS" or token.lower_ in ("’s", "'s")


def _after_line_break(token: Token) -> bool:
    return token.i > 0 and breaks_line(token.doc[token.i - 1])


def _title_cased(sentence: list[Token]) -> bool:
    """A headline-style sentence, where every word is capitalised and proper-noun tags mean little (names
    do not count: "Prime Minister Justin Trudeau visited Halifax" is no headline). Headline style may keep
    its small words lower-case ("Beck Blasts Drudge for Mocking His Fast, Quotes Bible from ...")."""
    words = [t for t in sentence if t.is_alpha and len(t) > 3 and t.lower_ not in HEADLINE_SMALL_WORDS]
    plain = [t for t in words if not t.ent_type_]
    no_lower_case = not any(t.is_alpha and t.is_lower for t in sentence)
    # A name the recogniser stretched over headline words ("Fiorina Endorses Ted Cruz") hides them: a long
    # line with no lower-case word at all needs only one word outside a name, and none where a small word is
    # capitalised mid-line, which running text never does ("Trump Calls On Obama To Resign"; an article may
    # be a name's: "Enter The Washington Post").
    long_capitalised = len(words) >= TITLE_CASED_LONG_LINE and no_lower_case
    small_word_capitalised = no_lower_case and any(
        t.lower_ in HEADLINE_SMALL_WORDS - ARTICLES and t.text[0].isupper() for t in sentence[1:]
    )
    evidence = (
        len(plain) >= 2
        or (len(plain) == 1 and long_capitalised)
        or (small_word_capitalised and len(words) >= HEADLINE_MIN_WORDS)
    )
    return evidence and all(t.text[0].isupper() for t in words)


def _coordinated(head: Token) -> bool:
    """'she and another reporter said': a group, named as written."""
    return any(child.dep_ == "conj" for child in head.children)


def joins_name(token: Token) -> bool:
    """A hyphen written inside one name, no space either side ("Waller-Bridge", not "Reynolds - Santilli")."""
    return (
        token.text in NAME_JOINERS and not token.whitespace_ and token.i > 0 and not token.doc[token.i - 1].whitespace_
    )


def _contains(name: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not words:
        return False
    n = len(words)
    return any(name[i : i + n] == words for i in range(len(name) - n + 1))
