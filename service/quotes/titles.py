"""Titles of works, names and so-called terms in quote marks are not statements: 'the film “Parasite”',
'movies “The Irishman” and “Once Upon A Time in Hollywood”', '“Parasite,” the Korean film', 'the “Star Wars”
series', 'the comedy “Fleabag.”', a network's programme ('CNN’s “State of the Union”'), a work and its author
('“Perfect Enough” by George Anders'), a project or slogan ('a project named “…”'), any thing a participle
names in capitals ('a forum called “XDA Developers”'). The nouns that name a work are in
service/rules/work_title_nouns.txt. The same words quoted again elsewhere in the article are the same title
('… for his role in “Once Upon A Time in Hollywood,” …'). A term or a nickname is quoted to be named, whatever
its case ('agreeing so-called “Schutzverträge,” or “protection contracts,”', 'the Swahili nickname “mkono wa
damu,” or “the man with the bloody hand,”'; service/rules/nickname_nouns.txt)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from service import lexicon
from service.quotes.marks import QuotedSpan

WORK_NOUNS_FILE = "work_title_nouns.txt"
NICKNAME_NOUNS_FILE = "nickname_nouns.txt"
# Words that may stand between a work noun and its title: 'movies such as “X”', 'a film called “X”',
# 'her book, “X”'.
TITLE_LINK_WORDS = frozenset({",", ":", "such", "as", "like", "including", "called", "titled", "entitled", "named"})
MAX_TITLE_LINK_TOKENS = 3
# A title is a name: a few words, the first one capitalised ('“Parasite”', '“1917”'; not '“was inappropriate”'). One closing its sentence ('the comedy “Fleabag.”') may end on the
# sentence's full stop inside the marks; it is shorter still, and right after its work noun (after a comma or
# colon, quoted words that end a sentence are what someone said of the work: 'said of the film: “It is …”').
MAX_TITLE_WORDS = 12
# A title named after its network's possessive has every word of this length or more capitalised.
MIN_TITLE_CASED_WORD = 4
MAX_SENTENCE_END_TITLE_WORDS = 6
TITLE_END_PUNCTUATION = " ,.!?’'"
SENTENCE_PUNCTUATION = frozenset(".!?")
# Right before a term's opening mark.
SO_CALLED = re.compile(r"\bso-called\s*$", re.IGNORECASE)
SO_CALLED_REACH = 12
# Between two titles of one list: '“A” and “B”', '“A”, “B”', '“A,” “B” or “C”' (the comma inside the marks).
LIST_GAP = re.compile(r" *(?:, *(?:(?:and|or|&) +)?|(?:and|or|&) +)")
LIST_GAP_AFTER_COMMA = re.compile(r" +")
# How a quoted title hangs on its work noun in the parse: 'the “Star Wars” film', 'the film, “X”'.
MODIFIER_DEPS = frozenset({"compound", "nmod", "amod", "appos"})
# A participle that hangs a name on the noun before it: 'a forum called “X”'.
NAMING_PARTICIPLES = frozenset({"called", "named", "dubbed", "titled", "entitled", "nicknamed"})


def quoted_names(doc: Doc, text: str, quoted: Sequence[QuotedSpan]) -> frozenset[int]:
    """The opening offsets of the quoted spans that name something (a work, a term) rather than report words."""
    nouns = lexicon.word_set(WORK_NOUNS_FILE)
    nickname_nouns = lexicon.word_set(NICKNAME_NOUNS_FILE)
    titles: set[int] = set()
    terms: set[int] = set()
    previous: QuotedSpan | None = None
    for marks in quoted:
        words = _title_words(text, marks)
        span = doc.char_span(marks.open, marks.close, alignment_mode="expand")
        # The opening of the quoted span this one continues a list from ('“A” and “B”'), if any.
        listed_after = previous.open if previous is not None and _continues_list(text, previous, marks) else None
        # A so-called term and a nickname are names whatever their case.
        term = _so_called(text, marks) or (span is not None and _after_nickname_noun(span, nickname_nouns))
        if term or listed_after in terms:
            terms.add(marks.open)
            titles.add(marks.open)
        elif words is not None and span is not None:
            ends_sentence = text[marks.words[1] - 1 : marks.words[1]] in SENTENCE_PUNCTUATION
            if (
                listed_after in titles
                or _after_work_noun(span, nouns, ends_sentence, len(words.split()))
                or _beside_work_noun(span, nouns)
                or (_title_cased(words) and (_after_organisation(span) or _by_author(span) or _named_thing(span)))
            ):
                titles.add(marks.open)
        previous = marks
    named = {_key(text, marks) for marks in quoted if marks.open in titles}
    return frozenset(marks.open for marks in quoted if marks.open in titles or _key(text, marks) in named)


def _so_called(text: str, marks: QuotedSpan) -> bool:
    """'so-called “death panels”': a term; the gloss or list that goes on from it ('“…,” or “protection
    contracts,”') is one too."""
    return SO_CALLED.search(text, max(0, marks.open - SO_CALLED_REACH), marks.open) is not None


def _after_nickname_noun(span: Span, nouns: frozenset[str]) -> bool:
    """'the Swahili nickname “mkono wa damu,”': a name given to someone, whatever its case."""
    noun = _word_before(span, frozenset({",", ":"}))
    return noun is not None and noun.pos_ == "NOUN" and noun.lemma_.lower() in nouns


def _word_before(span: Span, passed_over: frozenset[str], reach: int | None = None) -> Token | None:
    """The token before the span, passing over spaces and the words given (no further back than `reach`
    tokens, when given)."""
    doc = span.doc
    i = span.start - 1
    while i >= 0 and (reach is None or span.start - i <= reach) and (doc[i].is_space or doc[i].lower_ in passed_over):
        i -= 1
    return doc[i] if i >= 0 else None


def _continues_list(text: str, previous: QuotedSpan, marks: QuotedSpan) -> bool:
    gap = text[previous.close : marks.open]
    comma_inside = text[previous.words[1] - 1 : previous.words[1]] == ","
    return LIST_GAP.fullmatch(gap) is not None or (comma_inside and LIST_GAP_AFTER_COMMA.fullmatch(gap) is not None)


def _title_words(text: str, quoted: QuotedSpan) -> str | None:
    """The quoted words without the punctuation at their end, if they are shaped like a title."""
    words = text[slice(*quoted.words)].rstrip(TITLE_END_PUNCTUATION)
    inner_stop = any(c in SENTENCE_PUNCTUATION and words[k + 1 : k + 2] == " " for k, c in enumerate(words))
    if len(quoted.parts) != 1 or not words or inner_stop or len(words.split()) > MAX_TITLE_WORDS:
        return None
    if not (words[0].isupper() or words[0].isdigit()):
        return None
    return words


def _title_cased(words: str) -> bool:
    """Every word of four letters or more capitalised ('State of the Union', 'Good Morning America')."""
    long_words = [w for w in words.split() if len(w) >= MIN_TITLE_CASED_WORD]
    return bool(long_words) and all(w[0].isupper() for w in long_words)


def _after_organisation(span: Span) -> bool:
    """'CNN’s “State of the Union,”', 'ABC’s “Good Morning America”': a programme named after its network's
    possessive."""
    doc = span.doc
    i = span.start - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 1 or doc[i].tag_ != "POS":
        return False
    owner = doc[i - 1]
    return owner.ent_type_ == "ORG" or owner.text.isupper()


def _by_author(span: Span) -> bool:
    """'“Perfect Enough: Carly Fiorina and the Reinvention of Hewlett-Packard” by George Anders': a work and
    its author."""
    doc = span.doc
    following = [t for t in doc[span.end : span.end + 3] if not t.is_space]
    return len(following) >= 2 and following[0].lower_ == "by" and following[1].ent_type_ == "PERSON"


def _named_thing(span: Span) -> bool:
    """'a forum for Android developers called “XDA Developers”', 'a group called the “We The People
    Foundation”': a noun, then a participle that names it, then the name."""
    participle = _word_before(span, frozenset({"the"}))
    return (
        participle is not None
        and participle.lower_ in NAMING_PARTICIPLES
        and participle.tag_ == "VBN"
        and participle.dep_ == "acl"
        and participle.head.pos_ == "NOUN"
    )


def _key(text: str, quoted: QuotedSpan) -> str:
    return " ".join(text[slice(*quoted.words)].rstrip(TITLE_END_PUNCTUATION).casefold().split())


def _is_work_noun(token: Token, nouns: frozenset[str]) -> bool:
    """A common noun ("the film"; not the name "Dr. Paul Song")."""
    return token.pos_ == "NOUN" and token.lemma_.lower() in nouns


def _after_work_noun(span: Span, nouns: frozenset[str], ends_sentence: bool, word_count: int) -> bool:
    """'movies “The Irishman”', 'a film called “X”', 'biopic “Judy.”': a work noun right before the title,
    a link word or two between them at most."""
    noun = _word_before(span, TITLE_LINK_WORDS, reach=MAX_TITLE_LINK_TOKENS)
    if noun is None or not _is_work_noun(noun, nouns):
        return False
    linked = any(not t.is_space for t in span.doc[noun.i + 1 : span.start])
    return not ends_sentence or (not linked and word_count <= MAX_SENTENCE_END_TITLE_WORDS)


def _beside_work_noun(span: Span, nouns: frozenset[str]) -> bool:
    """'the “Star Wars” film', '“Parasite,” the Korean film': the parse hangs the title on a work noun
    outside it, or a work noun on the title, as a modifier or apposition."""
    for token in span:
        head = token.head
        if span.start <= head.i < span.end:
            continue
        if token.dep_ in MODIFIER_DEPS and _is_work_noun(head, nouns):
            return True
        if any(child.dep_ == "appos" and _is_work_noun(child, nouns) for child in token.children):
            return True
    return False
