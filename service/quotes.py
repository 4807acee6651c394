"""Stage 3: article -> quotes. Finds direct, partial and indirect reported statements and attributes them.

How a statement is found:
- Quote marks (curly, straight, angle, single) are paired per paragraph; a closing curly mark that opens a
  paragraph before a word is taken for the opener it was meant to be. An unclosed mark is dropped at
  the paragraph end unless the next paragraph opens with a quote mark (the newspaper convention for a
  quote running over paragraphs), so a stray mark never swallows the article.
- The cue is the reporting verb (service/rules/cue_verbs.txt) that governs the quoted words in the
  dependency parse (not through its subject: '“The Hill” said' is no quote); failing that, a cue verb
  attached to the quote ("“...,” he said" parsed as a conjunct; 'According to X, “...”'), a cue next to
  a whole-sentence quote or the first one of a short attribution after it ('“…?” a narrator in the ad
  asks'), any verb with a subject right after a quote that closes on , ! or ? ("“...!” beamed X", also
  behind an inner closing quote: '“… ‘decade,’” the article read'), the words before a colon that ends
  the sentence or the paragraph before the quote (their cue, else their main verb; "- Name:" names the
  speaker), "— Name" (or ― Name, or a short "- Name" paragraph right under the quote) / "From Name:", or
  the speaker of the previous sentence for a paragraph that is only a quote.
- A cue set off by commas that the parser hangs on a clause above the quote ('South Carolina, he said,
  was “where …”') reports that whole clause. A sentence after a quote that ended with a full stop lends
  the quote its cue only when it reports nothing of its own (no clause, no quote: '“B.” Reid said both
  … are “…”' is not B's attribution).
- Naming verbs (service/rules/naming_verbs.txt: call, label, dub ...) are cues only when they govern
  quoted words; their content is the object plus the quoted name ("called [Trump “unhinged”]").
- A quote inside a sentence that no cue governs is a statement of the subject of the nearest verb above
  it only when it is that verb's clausal complement, six words or more ("He offered “my thoughts and
  prayers for all of the victims”"), or an "as"/"to" phrase beside the verb's object ("criticized the law
  as a “crazy system”", content as for a naming verb); other quoted phrases are scare quotes or titles.
- Quotes one cue governs ('warned that “A” because “B”') are one statement, unless the first one ended
  its sentence before the cue ('“A.” To which she said, “B.”').
- A partial quote's content ends at the quoted words when a comma or dash after them starts the writer's
  own clause ('he was “a big advocate” of common standards[, which he argued ...]'), not when "and",
  "but", "because" ... go on with the speaker's words; it never runs past the quote's paragraphs.
- A quote mark left open at a paragraph end also continues when the next paragraph's first double
  mark is a curly closer (a line break inside the quote).
- '“A,” he said, “B.”' is one statement; '“A,” he said. “B,” he said.' are two (the frame ended), and so
  are '“A,” he said, adding: “B.”' (a cue of B's own between them).
  '“A,” X said, <narration>. “B.”' (B without a cue of its own, A direct or partial) is one statement
  with X as speaker, even when a later cue of the narration names someone else; inside a paragraph
  whatever the narration's length, across a paragraph break only after a short frame. So is
  '“A,” X said. “B” and more.': B runs on into narration, to its sentence's end.
- Indirect speech: a cue verb with a clausal complement ("Lavrov said (that) ...",
  "..., Lavrov said") or "according to X, ...". Its clause ends where a quote reported on its own
  begins ('said it was too early … but added, “…”').
- A quote inside a larger sentence ("commitment to “unconditionally support ...”"), or opening one that
  goes on past its unpunctuated close ('“A big truck” plowed through ...'), is "partial": its
  content_span is a clause around it. The rules below pick the clause the cue governs; a small network
  trained on PolNeAR train (service/quote_content.py) then places the boundaries, with that clause as
  one of its inputs. A quote split around its attribution ("“A,” he said,
  “B.”") or running over paragraphs is returned as several parts of one statement: each part is its
  own Quote (page[q.start:q.end] == q.text) and all parts share one content_span covering them all.

Confidence = cue evidence x speaker evidence: cue governs the words in the parse 1.0, cue attached to
the quote 0.9, naming verb 0.9, indirect clause 0.9, "according to" 0.8, cue next to the quote 0.75,
colon lead 0.7, verb after the quote, "— Name", parenthetical cue or previous-sentence speaker 0.6, verb
outside the lexicon 0.5;
speaker named 1.0, pronoun resolved 0.85, pronoun unresolved 0.5, no speaker 0.4. A subject the parser found
inside the quoted words is replaced by the mention beside the cue ('“…,” said Leslie Wimes'); a relative
pronoun is the speaker mention and its antecedent the speaker ("Beck, who said").
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from service import lexicon
from service.agencies import AgencyTable, load_agency_table
from service.quote_content import ContentChooser, ContentDecision, DecisionKind, default_chooser
from service.schema import Article, Quote, QuoteKind
from service.speakers import SUBJECT_DEPS, Speaker, SpeakerResolver, mention_tokens
from service.text_facts import DOUBLE_CLOSERS, DOUBLE_OPENERS, QUOTE_MARKS, STRAIGHT_DOUBLE

# Single quotes: an opener after a non-word character, a closer not followed by a letter (so the
# apostrophes of "Russia’s" and "don't" never pair).
SINGLE_QUOTED = re.compile(r"(?<![\w’'])[‘'](?=[\w“\"])([^\n‘“”\"]{1,400}?)(?<=[\w.,!?])[’'](?![\w])")
TRAILING_NAME = re.compile(r"^\s*[―—–-]{1,2}\s*(?=[A-Z])")
LEADING_FROM = re.compile(r"\b(?:From|Per)\s+([A-Z][\w.’' -]{0,60}?)\s*:\s*$")
# Links from a subjectless cue up to the verb whose subject said it.
SUBJECT_CLIMB_DEPS = frozenset({"conj", "xcomp", "advcl", "pcomp", "prep", "acl", "dobj", "pobj"})
# Right-hand children of a naming verb that belong to what it reports (object, name, "as" phrase).
NAMED_OBJECT_DEPS = frozenset({"dobj", "oprd", "ccomp", "xcomp", "attr", "dative", "prep", "acomp"})
# Tokens a cue may be from a whole-sentence quote and still be "next to" it.
ADJACENT_CUE_TOKENS = 6
# '“…” a narrator in the Clinton ad asks': the longest attribution after a quote.
MAX_ATTRIBUTION_TOKENS = 12
MIN_PREVIOUS_SENTENCE_WORDS = 3
# '- Michelle Marks, Philadelphia.': the longest credit paragraph under a quote.
MAX_CREDIT_WORDS = 12
# '“…,” the 43-year-old Texan beamed': how far after a quote its reporting verb may come.
ADJACENT_TRAILING_TOKENS = 5
MIN_INDIRECT_TOKENS = 3
# Longest path from quoted words up the parse to the verb that governs them.
MAX_PATH_STEPS = 12
MENTION_POS = frozenset({"PROPN", "NOUN", "PRON"})
# "the congressional report", "the two": the short noun phrase of a credit whose verb was tagged a noun.
CREDIT_NOUN_PHRASE_POS = frozenset({"DET", "NUM", "ADJ", "PROPN", "NOUN", "PRON"})
MAX_CREDIT_NOUN_PHRASE = 4
# ", citing a diplomatic source,": the longest aside between a subject and its cue that is skipped.
MAX_ASIDE_TOKENS = 10
# A cue's children that hold who said it or when, never the words said.
NOT_REPORTED_DEPS = frozenset({"nsubj", "npadvmod"})
NAME_PART_DEPS = frozenset({"compound", "poss", "appos", "flat"})
# A quote under a verb that is not a cue is a statement when it is the verb's clausal complement or this long.
CLAUSAL_COMPLEMENT_DEPS = frozenset({"ccomp", "oprd"})
# How the parser hangs a cue set off by commas ('X, he said, was …') on the clause it reports.
PARENTHETICAL_DEPS = frozenset({"parataxis", "ccomp"})
MIN_PREDICATE_QUOTE_WORDS = 6
COPULAS = frozenset({"be", "have"})
# Words allowed between two quotes of one run ("he said." plus a short frame).
MAX_RUN_GAP_WORDS = 20
WORD_CHARS = re.compile(r"\w+")
# What a clause cut before a quote leaves at its end: ', but', ' and', ' —'.
TRAILING_LINK = re.compile(r"[\s,;:—–-]*(?:\b(?:and|but|or)\b)?[\s,;:—–-]*$")
# A comma or dash (inside or after the closing mark) that ends the quoted words and starts the writer's own.
TRAILING_ADJUNCT = re.compile(r"(?:[,;][”\"’']?|[”\"’']?\s*[,;—–]|\s+-\s)\s")
CONTINUING_CONJUNCTIONS = frozenset({"and", "but", "or", "because", "so", "nor"})
# "he said." closes the frame: what follows is a new sentence (and, with its own cue, a new statement).
SENTENCE_END = re.compile(r"[.!?;]\s")


@dataclass(frozen=True)
class CueLexicon:
    lemmas: frozenset[str]
    # "call" -> {"for", "on"}: verbs that are cues only with the particle right after them.
    with_particle: dict[str, frozenset[str]]

    def match(self, token: Token) -> Span | None:
        """The cue phrase starting at this token, or None."""
        doc = token.doc
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            return doc[token.i : token.i + 2]
        if token.pos_ not in ("VERB", "AUX"):
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
        closed = i >= 1 and doc[i].text in DOUBLE_CLOSERS + STRAIGHT_DOUBLE and doc[i - 1].text in (",", "!", "?")
        return doc[i + 1 : token.i] if named and closed else None


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


@dataclass(frozen=True)
class QuotedSpan:
    """Quoted words in body offsets: from the opening mark to just past the closing one."""

    open: int
    close: int
    # The words inside the marks, one (start, end) per paragraph the quote runs over.
    parts: tuple[tuple[int, int], ...]

    @property
    def words(self) -> tuple[int, int]:
        """From the first quoted word to the last, across paragraphs."""
        return self.parts[0][0], self.parts[-1][1]


@dataclass(frozen=True)
class Statement:
    """One reported statement, in body offsets, before it is turned into page-offset Quotes."""

    parts: tuple[tuple[int, int], ...]
    content: tuple[int, int]
    kind: QuoteKind
    cue: Span | None
    speaker: Speaker | None
    cue_score: float
    # True for a quote attributed to the speaker of the sentence before it (a run of quotes).
    continues: bool = False
    # A partial quote's content to be placed by the content model (content holds the rule's choice till then).
    decision: ContentDecision | None = None


def find_quoted_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[QuotedSpan]:
    """Pair the quote marks of a body text, paragraph by paragraph (see the module docstring)."""
    spans: list[QuotedSpan] = []
    open_at: int | None = None
    part_start = previous_start = 0
    parts: list[tuple[int, int]] = []
    for para_start, para_end in paragraphs:
        scan_from = para_start
        if open_at is not None:
            first = _first_non_space(text, para_start, para_end)
            if first is not None and text[first] in DOUBLE_OPENERS + STRAIGHT_DOUBLE:
                part_start = scan_from = first + 1
            elif _first_mark_closes(text, para_start, para_end):
                part_start = para_start  # a line break inside the quote: its closing mark comes here
            else:
                spans.extend(_lost_closer(text, previous_start, open_at, parts))
                open_at, parts = None, []  # a stray opener: forget it, nothing is swallowed
        for i in range(scan_from, para_end):
            mark = text[i]
            if mark == "“" and open_at is not None and _typed_for_closer(text, i, para_end):
                mark = "”"  # '“expedited review“ of': an opener typed where the quote closes
            if mark in DOUBLE_OPENERS:
                open_at, part_start, parts = i, i + 1, []  # a second opener makes the first one stray
            elif mark in DOUBLE_CLOSERS and open_at is None and _opens_paragraph(text, para_start, i):
                open_at, part_start, parts = i, i + 1, []  # '”Fear. I am afraid.” ― Name': a closer typed for an opener
            elif mark in DOUBLE_CLOSERS or (mark == STRAIGHT_DOUBLE and open_at is not None):
                if open_at is not None:
                    parts.append((part_start, i))
                    spans.append(QuotedSpan(open_at, i + 1, tuple(parts)))
                    open_at, parts = None, []
            elif mark == STRAIGHT_DOUBLE and i + 1 < para_end and not text[i + 1].isspace():
                open_at, part_start, parts = i, i + 1, []
        if open_at is not None:
            parts.append((part_start, para_end))
        previous_start = para_start
    if open_at is not None:
        spans.extend(_lost_closer(text, previous_start, open_at, parts))
    spans.extend(_single_quoted(text, paragraphs, spans))
    spans.sort(key=lambda s: s.open)
    return spans


def _lost_closer(text: str, para_start: int, open_at: int, parts: list[tuple[int, int]]) -> list[QuotedSpan]:
    """'"What we have seen is ... claims.' opening its paragraph or a sentence ('“A,” said Baron. “B ...'):
    the closing mark was lost at the paragraph's end, so the quote runs to there and no further. Any
    other unclosed quote is forgotten."""
    before = text[para_start:open_at].rstrip()
    if len(parts) == 1 and (_is_blank(before) or before.endswith((".", "!", "?"))):
        return [QuotedSpan(open_at, parts[0][1], tuple(parts))]
    return []


def _typed_for_closer(text: str, i: int, para_end: int) -> bool:
    """The mark ends a word (or the word's punctuation) and a space, punctuation or the paragraph's
    end follows it: placed as a closer, whatever its glyph."""
    after = text[i + 1] if i + 1 < para_end else " "
    return i > 0 and not text[i - 1].isspace() and (after.isspace() or after in ",.;:!?)")


def _opens_paragraph(text: str, para_start: int, i: int) -> bool:
    """The mark is the paragraph's first character and a word follows it."""
    return _is_blank(text[para_start:i]) and i + 1 < len(text) and text[i + 1].isalnum()


def _is_blank(text: str) -> bool:
    """Spaces and invisible format characters only (a scraped '\u202a”Isis declares ...”')."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def _first_mark_closes(text: str, start: int, end: int) -> bool:
    """The paragraph's first double mark is a curly closer (and no opener comes before it)."""
    for i in range(start, end):
        if text[i] in DOUBLE_CLOSERS:
            return True
        if text[i] in DOUBLE_OPENERS or text[i] == STRAIGHT_DOUBLE:
            return False
    return False


def _first_non_space(text: str, start: int, end: int) -> int | None:
    for i in range(start, end):
        if not text[i].isspace():
            return i
    return None


def _single_quoted(text: str, paragraphs: list[tuple[int, int]], doubles: list[QuotedSpan]) -> list[QuotedSpan]:
    """Single-quoted words outside every double-quoted span (British style, or headlines)."""
    found: list[QuotedSpan] = []
    covered = [(s.open, s.close) for s in doubles]
    for para_start, para_end in paragraphs:
        for m in SINGLE_QUOTED.finditer(text, para_start, para_end):
            if not any(a <= m.start() < b for a, b in covered):
                found.append(QuotedSpan(m.start(), m.end(), ((m.start(1), m.end(1)),)))
    return found


class _ArticleExtractor:
    """All state for one article: built once, so every quote is handled in time linear in its sentence."""

    def __init__(self, article: Article, doc: Doc, text: str, content: ContentChooser) -> None:
        self.article = article
        self.content = content
        self.doc = doc
        self.text = text
        self.cues = load_cue_lexicon()
        self.agencies: AgencyTable = load_agency_table()
        self.paragraphs = _paragraph_bounds(article)
        self.paragraph_token_starts = self._paragraph_token_starts()
        self.paragraph_starts = [start for start, _ in self.paragraphs]
        self.quoted = find_quoted_spans(self.text, self.paragraphs)
        self.quoted_opens = [q.open for q in self.quoted]
        self.resolver = SpeakerResolver(doc, [(q.open, q.close) for q in self.quoted], text)
        self.cue_at = {t.i: span for t in doc if (span := self.cues.match(t)) is not None}
        # Cue index -> the credit's noun phrase, for cues the tagger took for nouns.
        self.credit_speakers = {
            t.i: words for t in doc if t.i not in self.cue_at and (words := self.cues.credit_noun(t)) is not None
        }
        self.cue_at.update((i, doc[i : i + 1]) for i in self.credit_speakers)
        self.cue_tokens = frozenset(self.cue_at)
        naming = lexicon.word_set("naming_verbs.txt")
        self.naming_at = {
            t.i for t in doc if t.pos_ == "VERB" and t.i not in self.cue_at and t.lemma_.lower() in naming
        }
        self.wire_credit = self._wire_credit()

    def _paragraph_token_starts(self) -> list[int]:
        starts = []
        for start, end in self.paragraphs:
            span = self.doc.char_span(start, max(end, start + 1), alignment_mode="expand")
            starts.append(span.start if span is not None else (starts[-1] if starts else 0))
        return starts

    def sentence(self, token: Token) -> Span:
        """spaCy's sentence of a token, cut at paragraph breaks (the parser sometimes runs over them)."""
        sent = token.sent
        k = bisect.bisect_right(self.paragraph_token_starts, token.i) - 1
        para_start = self.paragraph_token_starts[k] if k >= 0 else 0
        para_end = self.paragraph_token_starts[k + 1] if k + 1 < len(self.paragraph_token_starts) else len(self.doc)
        return self.doc[max(sent.start, para_start) : min(sent.end, para_end)]

    # ---- quotes in marks -------------------------------------------------------------------------

    def quote_statements(self) -> list[Statement]:
        statements: list[Statement] = []
        for quoted in self.quoted:
            statement = self._attribute_quote(quoted, statements)
            if statement is not None:
                statements.append(statement)
        statements = self._place_contents(statements)
        return _join_split_quotes(_merge_same_cue(statements, self.text), self.text)

    def _place_contents(self, statements: list[Statement]) -> list[Statement]:
        """Partial quotes' contents as the content model places them, all of the article's in one batch."""
        pending = [k for k, statement in enumerate(statements) if statement.decision is not None]
        chosen = self.content.choose_all([statements[k].decision for k in pending])
        placed = list(statements)
        for k, content in zip(pending, chosen):
            placed[k] = replace(statements[k], content=self._in_quote_paragraphs(content, statements[k].decision.quote))
        return placed

    def _attribute_quote(self, quoted: QuotedSpan, earlier: list[Statement]) -> Statement | None:
        span = self.doc.char_span(quoted.open, quoted.close, alignment_mode="expand")
        if span is None or not any(t.is_alpha for t in span):
            return None
        frame = self._frame(span)
        kind: QuoteKind = "direct" if self._stands_alone(span, frame) else "partial"
        inside = range(span.start, span.end)
        lead = self._colon_lead(quoted, span)
        if lead is not None and lead[0] is None:  # "Pollsters agree - Carl Bialik: “...”"
            return Statement(quoted.parts, quoted.words, kind, None, lead[1], 0.7)
        governed = self._governing_cue(span, frame)
        if governed is not None and governed[0].i in self.naming_at:
            cue, below = governed
            content, decision = self._named_content(cue, quoted.words)
            return Statement(
                quoted.parts,
                content,
                "partial",
                self.doc[cue.i : cue.i + 1],
                self._speaker_of(cue),
                0.9,
                decision=decision,
            )
        if governed is not None:
            cue, below = governed
            content, decision = quoted.words, None
            if kind == "partial":
                content = self._clause_around(below, quoted.words, cue)
                decision = self._content_decision(below, quoted.words, cue, "governed", content)
            return Statement(
                quoted.parts, content, kind, self.cue_at[cue.i], self._speaker_of(cue), 1.0, decision=decision
            )
        if kind == "partial":
            return (
                self._parenthetical_statement(quoted, span, frame)
                or self._predicate_statement(quoted, span, frame)
                or self._run_on_continuation(quoted, span, frame, earlier)
            )
        content = quoted.words
        attached = self._attached_cue(span, frame, inside)
        if attached is not None:
            cue, score = attached
            return Statement(quoted.parts, content, kind, self.cue_at[cue.i], self._speaker_of(cue), score)
        verb = self._trailing_verb(quoted, span, frame)
        if verb is not None and (speaker := self._speaker_of(verb)) is not None:
            return Statement(quoted.parts, content, kind, self.doc[verb.i : verb.i + 1], speaker, 0.6)
        if lead is not None:
            cue, speaker = lead
            return Statement(quoted.parts, content, kind, cue, speaker, 0.7)
        speaker = self._named_around(quoted)
        if speaker is not None:
            return Statement(quoted.parts, content, kind, None, speaker, 0.6)
        speaker = self._previous_sentence_speaker(span, frame, earlier)
        if speaker is None:
            return None
        return Statement(quoted.parts, content, kind, None, speaker, 0.6, continues=True)

    def _predicate_statement(self, quoted: QuotedSpan, span: Span, frame: Span) -> Statement | None:
        """A quote inside the complement of a verb whose subject is someone ('Beruff called ... “strong”',
        'Trump retweeted a quote ... “ilduce2016”'): the quoted words are that subject's."""
        found = self._nearest_predicate(span, frame)
        if found is None:
            return None
        verb, below = found
        quote = quoted.words
        # Measured on PolNeAR train: quoted words under a clausal complement, or six words or more under
        # any verb but "be"/"have", are someone's statement about six times in ten; shorter quoted
        # phrases elsewhere are mostly scare quotes and titles.
        long_enough = sum(t.is_alpha for t in span) >= MIN_PREDICATE_QUOTE_WORDS and verb.lemma_.lower() not in COPULAS
        if _characterises(verb, below):
            content, decision = self._named_content(verb, quote)
        elif below.dep_ in CLAUSAL_COMPLEMENT_DEPS or long_enough:
            content = self._clause_around(below, quote)
            decision = self._content_decision(below, quote, verb, "predicate", content)
        else:
            return None
        speaker = self._speaker_of(verb)
        if speaker is None:
            return None
        return Statement(
            quoted.parts, content, "partial", self.doc[verb.i : verb.i + 1], speaker, 0.5, decision=decision
        )

    def _parenthetical_statement(self, quoted: QuotedSpan, span: Span, frame: Span) -> Statement | None:
        """'South Carolina, he said, was “where we have a chance …”': a cue set off by commas that the parser
        hangs on a clause above the quote (parataxis or ccomp) reports that whole clause."""
        root = _quote_root(span)
        if root is None:
            return None
        for _, head in self._path_up(root, span, frame):
            for cue in head.children:
                if self._is_parenthetical_cue(cue, span, frame) and (speaker := self._speaker_of(cue)) is not None:
                    clause = self._trimmed([t for t in head.subtree if frame.start <= t.i < frame.end])
                    content = (min(clause[0], quoted.words[0]), max(clause[1], quoted.words[1]))
                    return Statement(quoted.parts, content, "partial", self.cue_at[cue.i], speaker, 0.6)
        return None

    def _is_parenthetical_cue(self, cue: Token, span: Span, frame: Span) -> bool:
        if cue.i not in self.cue_at or cue.dep_ not in PARENTHETICAL_DEPS or cue.lower_ == "according":
            return False
        if any(span.start <= t.i < span.end for t in cue.subtree):
            return False
        words = [t for t in cue.subtree if not t.is_punct]
        first, last = words[0].i, words[-1].i
        opens = first <= frame.start or self.doc[first - 1].text == ","
        closes = (
            last + 1 >= frame.end or self.doc[last + 1].text in (",", ".", "!", "?", ";") or self.doc[last + 1].is_space
        )
        return opens and closes

    def _run_on_continuation(
        self, quoted: QuotedSpan, span: Span, frame: Span, earlier: list[Statement]
    ) -> Statement | None:
        """'“A,” Palmieri told reporters. “B” and other pocketbook issues.': a quote that opens a sentence
        without a cue and runs on into narration goes on the previous speaker's statement, up to the
        sentence's end."""
        if any(t.i in self.cue_at for t in frame):
            return None
        speaker = self._previous_sentence_speaker(span, frame, earlier)  # None unless the quote opens its sentence
        if speaker is None:
            return None
        content = (quoted.words[0], max(self._trimmed(list(self.doc[span.start : frame.end]))[1], quoted.words[1]))
        return Statement(quoted.parts, content, "partial", None, speaker, 0.6, continues=True)

    def _nearest_predicate(self, span: Span, frame: Span) -> tuple[Token, Token] | None:
        root = _quote_root(span)
        if root is None:
            return None
        for below, head in self._path_up(root, span, frame):
            if head.pos_ in ("VERB", "AUX") and below.dep_ not in SUBJECT_DEPS:
                return head, below
        return None

    def _path_up(self, token: Token, span: Span, frame: Span) -> Iterator[tuple[Token, Token]]:
        """(child, head) pairs from a quoted token up the parse, while the head is in the frame and outside
        the quote, at most MAX_PATH_STEPS of them."""
        below, head = token, token.head
        for _ in range(MAX_PATH_STEPS):
            if head.i == below.i or not (frame.start <= head.i < frame.end) or span.start <= head.i < span.end:
                return
            yield below, head
            below, head = head, head.head

    def _frame(self, span: Span) -> Span:
        """The sentences holding the quote, plus a split-off "he said." after it or "X said:" before it."""
        first, last = self.sentence(span[0]), self.sentence(span[-1])
        start, end = first.start, last.end
        para_start, para_end = self._paragraph_of(span.start_char)
        if _words_between(self.doc, span.end, end) == 0 and end < len(self.doc):
            following = self.sentence(self.doc[end])
            if (
                following.start_char < para_end
                and self._looks_like_attribution(following)
                and not (_ends_sentence(span) and self._reports_its_own(following))
            ):
                end = following.end
        if _words_between(self.doc, start, span.start) == 0 and start > 0:
            previous = self.sentence(self.doc[start - 1])
            tail = [t for t in previous if not t.is_space]
            if previous.start_char >= para_start and tail and tail[-1].text in (":", ","):
                start = previous.start
        return self.doc[start:end]

    def _looks_like_attribution(self, sentence: Span) -> bool:
        words = [t for t in sentence if not t.is_space]
        if not words or words[0].text in QUOTE_MARKS:
            return False
        if any(t.i in self.cue_at for t in words[:ADJACENT_CUE_TOKENS]):
            return True  # 'LeVell declared, a point he likes to make after ...'
        return len(words) <= 15 and (words[0].is_lower or any(t.i in self.cue_at for t in words))

    def _reports_its_own(self, sentence: Span) -> bool:
        """'“B.” Reid said both Rubio and Cruz are “non-entities”': the sentence after a quote that ended
        with a full stop reports a clause or a quote of its own, so its cue is not the quote's."""
        return any(
            t.text in QUOTE_MARKS or (t.i in self.cue_at and any(c.dep_ == "ccomp" for c in t.children))
            for t in sentence
        )

    def _stands_alone(self, span: Span, frame: Span) -> bool:
        """A direct quote opens its sentence, or follows a colon or "said,"; a partial one is inside."""
        if self._sentence_runs_on(span, frame):
            return False
        before = [t for t in self.doc[frame.start : span.start] if not t.is_space]
        if not before or before[-1].text == ":" or before[-1].i in self.cue_at:
            return True
        if before[-1].text == "," and len(before) > 1 and before[-2].i in self.cue_at:
            return True
        if before[-1].text == "," and self._attribution_hangs_on(span, before[-1]):
            return True
        # Starts a new sentence inside the frame (after a sentence that ended with a full stop).
        return before[-1].text in (".", "!", "?") and span[0].is_sent_start

    def _attribution_hangs_on(self, span: Span, comma: Token) -> bool:
        """'As Michael Dell said last week in Tel Aviv, “...”', 'Weaver did not seem impressed, telling
        reporters, “...”': a cue clause before the comma that the parser hangs, at any depth, on the quoted words."""
        start = self.sentence(comma).start
        return any(
            i in self.cue_at and any(span.start <= above.i < span.end for above in self.doc[i].ancestors)
            for i in range(start, comma.i)
        )

    def _sentence_runs_on(self, span: Span, frame: Span) -> bool:
        """'“A big truck” plowed through the barriers': the quoted words end without punctuation and the
        sentence goes on with a lower-case word, so they are part of a larger clause."""
        last = span[-1]
        if last.text not in QUOTE_MARKS or span.end >= frame.end or len(span) < 2:
            return False
        inner = span[-2]
        if not (inner.is_alpha or inner.is_digit):
            return False
        following = next((t for t in self.doc[span.end : frame.end] if not t.is_space), None)
        return following is not None and following.is_alpha and following.is_lower and following.i not in self.cue_at

    def _governing_cue(self, span: Span, frame: Span) -> tuple[Token, Token] | None:
        """The cue verb above the quoted words in the parse, and its child on the path to them."""
        for token in span:
            if span.start <= token.head.i < span.end or token.is_punct:
                continue
            for below, head in self._path_up(token, span, frame):
                if (head.i in self.cue_at or head.i in self.naming_at) and below.dep_ in NOT_REPORTED_DEPS:
                    return None  # '“The Hill” said', 'on Fox's “Hannity,” Gingrich said': not what was said
                if head.i in self.cue_at:
                    return self._nearer_cue(head, span) or head, below
                if head.i in self.naming_at:
                    return head, below
        return None

    def _named_content(self, verb: Token, quote: tuple[int, int]) -> tuple[tuple[int, int], ContentDecision | None]:
        """What a naming verb reports (the object and the name), and the decision the model will refine."""
        named = self._named_object(verb, quote)
        complement = next((c for c in verb.rights if c.dep_ in NAMED_OBJECT_DEPS), None)
        return named, (None if complement is None else self._content_decision(complement, quote, verb, "naming", named))

    def _content_decision(
        self, complement: Token, quote: tuple[int, int], cue: Token, kind: DecisionKind, rule_choice: tuple[int, int]
    ) -> ContentDecision | None:
        """A partial quote's content for the content model to place (service/quote_content.py), in the window
        of the quote's sentence and its cue; the rule's choice is one of the model's inputs."""
        sentence = self.sentence(complement)
        quoted = self.doc.char_span(quote[0], quote[1], alignment_mode="expand")
        if quoted is None:
            return None
        start = min(sentence.start, quoted.start, cue.i)
        end = max(sentence.end, quoted.end)
        return ContentDecision(self.doc[start:end], quote, cue, complement, rule_choice, kind, self.cue_tokens)

    def _named_object(self, cue: Token, quote: tuple[int, int]) -> tuple[int, int]:
        """What a naming verb reports: its object and the quoted name ("called [Trump “unhinged”]")."""
        tokens = [t for child in cue.rights if child.dep_ in NAMED_OBJECT_DEPS for t in child.subtree]
        if not tokens:
            return quote
        start, end = self._trimmed(sorted(tokens, key=lambda t: t.i))
        end = self._cut_after_quote(end, quote)
        return self._in_quote_paragraphs((min(start, quote[0]), max(end, quote[1])), quote)

    def _nearer_cue(self, cue: Token, span: Span) -> Token | None:
        """A cue with its own subject between the governing cue and the quote ("X said A, while Y
        said “B”"): the parser often hangs B on X's verb, but the nearer speaker said it."""
        for i in range(span.start - 1, cue.i, -1):
            token = self.doc[i]
            if token.is_sent_start and i != span.start - 1:
                return None
            if i in self.cue_at and token.lower_ != "according" and _subject_head(token) is not None:
                return token
        return None

    def _attached_cue(self, span: Span, frame: Span, inside: range) -> tuple[Token, float] | None:
        """A cue outside the quote that the parser hung on a quoted word, or one right next to it."""
        candidates = [t for t in frame if t.i in self.cue_at and t.i not in inside and t.lower_ != "according"]
        for cue in candidates:
            if cue.head.i in inside or any(a.i in inside for a in cue.ancestors):
                return cue, 0.9
        leading = [t for t in frame if t.i in self.cue_at and t.i < span.start and t.lower_ == "according"]
        if leading and leading[-1].head.i in inside:
            return leading[-1], 0.8  # 'According to the Daily Caller, “…”'
        near = [c for c in candidates if _distance(c, span) <= ADJACENT_CUE_TOKENS or self._first_cue_after(c, span)]
        if near:
            return min(near, key=lambda c: _distance(c, span)), 0.75
        return None

    def _first_cue_after(self, cue: Token, span: Span) -> bool:
        """'“…?” a narrator in the Clinton ad asks.': the first cue after the quote, in the clause that the
        quote's end opens, within a short attribution."""
        between = self.doc[span.end : cue.i]
        return span.end <= cue.i < span.end + MAX_ATTRIBUTION_TOKENS and not any(
            t.i in self.cue_at or t.text in QUOTE_MARKS or t.text in (".", ";", ":") for t in between
        )

    def _trailing_verb(self, quoted: QuotedSpan, span: Span, frame: Span) -> Token | None:
        """'“This is fantastic!” beamed Donald Hartley': a quote closing on , ! or ? and a verb with a
        subject right after it; any verb reports it there."""
        words = self.text[slice(*quoted.words)].rstrip("’'")  # '…decade,’”': an inner quote closes too
        if words[-1:] not in (",", "!", "?"):
            return None
        for token in self.doc[span.end : min(span.end + ADJACENT_TRAILING_TOKENS, frame.end)]:
            if token.pos_ == "VERB":
                has_subject = _subject_head(token) is not None or self._right_after_quote(token)
                return token if has_subject and token.dep_ != "relcl" else None
        return None

    def _colon_lead(self, quoted: QuotedSpan, span: Span) -> tuple[Span | None, Speaker] | None:
        """The words before a colon right before the quote ('Cruz called them on it:', 'Stated Stone:',
        'Pollsters agree - Carl Bialik:'), in its paragraph or ending the paragraph before: their cue,
        else their main verb, introduces the quote; a bare name is the speaker."""
        colon = _token_before(self.doc, span.start)
        if colon is None or colon.text != ":":
            return None
        para_start, _ = self._paragraph_of(quoted.open)
        if colon.idx < para_start and _first_non_space(self.text, para_start, quoted.open) is not None:
            return None  # the colon ends an earlier paragraph, but this one does not open with the quote
        lead = self.doc[self.sentence(colon).start : colon.i]
        if not len(lead):
            return None
        named = _trailing_name(lead)
        if named:
            return None, self.resolver.named(named)
        cues = [t for t in lead if t.i in self.cue_at]
        verbs = cues[-1:] or [
            t
            for t in lead
            if (t.head.i == t.i or t.head.i not in range(lead.start, lead.end)) and t.pos_ in ("VERB", "AUX")
        ]
        for verb in verbs:
            speaker = self._speaker_of(verb)
            if speaker is not None and not self._quoted_chars(speaker.start, speaker.end):
                return self.cue_at.get(verb.i, self.doc[verb.i : verb.i + 1]), speaker
        return None

    def _named_around(self, quoted: QuotedSpan) -> Speaker | None:
        """'"..." — Name' after a quote or as the short paragraph under it, or 'From Name: "..."' before it.
        Read from the marks, not the tokens: the tokenizer keeps '”―' together."""
        para_start, para_end = self._paragraph_of(quoted.open)
        credit_start, credit_end = quoted.close, para_end
        if not self.text[quoted.close : para_end].strip() and para_end < len(self.text):
            # '"I went to Wall Street before the crash."¶- Clinton.'
            credit_start, credit_end = self._paragraph_of(
                _first_non_space(self.text, para_end, len(self.text)) or para_end
            )
        dash = TRAILING_NAME.match(self.text[credit_start:credit_end])
        if dash is not None and len(self.text[credit_start:credit_end].split()) <= MAX_CREDIT_WORDS:
            name_span = self.doc.char_span(credit_start + dash.end(), credit_end, alignment_mode="expand")
            names = [t for t in name_span or () if t.pos_ == "PROPN"]
            run = _leading_run(names)
            if run:
                return self.resolver.named(run)
        lead = LEADING_FROM.search(self.text, para_start, quoted.open)
        if lead is not None:
            return Speaker(lead.group(1).strip(), lead.start(1), lead.start(1) + len(lead.group(1).strip()), "named")
        return None

    def _previous_sentence_speaker(self, span: Span, frame: Span, earlier: list[Statement]) -> Speaker | None:
        """A quote that opens its sentence, with no cue after it, belongs to the speaker named just before
        it ('"A," said Jack Mozloom. "B," which Mozloom thinks ...')."""
        if _words_between(self.doc, frame.start, span.start) or any(
            t.i in self.cue_at for t in self.doc[span.end : frame.end]
        ):
            return None
        if sum(t.is_alpha for t in span) < MIN_PREVIOUS_SENTENCE_WORDS or frame.start == 0:
            return None
        previous = self.sentence(self.doc[frame.start - 1])
        while previous.start > 0 and not any(t.is_alpha for t in previous):
            previous = self.sentence(self.doc[previous.start - 1])
        # '“A,” X said, pointing out that Y insisted on it. “B.”': the quote before continues, whoever
        # else the sentence's later cues name.
        for statement in reversed(earlier):
            if statement.parts[-1][1] >= previous.start_char and statement.speaker is not None:
                return statement.speaker
        for token in reversed(previous):
            if token.i in self.cue_at and (speaker := self._speaker_of(token)) is not None:
                return speaker
        return None

    # ---- indirect speech -------------------------------------------------------------------------

    def indirect_statements(self, quoted: list[Statement]) -> list[Statement]:
        used = {s.cue.start for s in quoted if s.cue is not None}
        statements: list[Statement] = []
        for i, cue in self.cue_at.items():
            token = self.doc[i]
            if i in used or self._quoted_chars(token.idx, token.idx + 1):
                continue
            found = self._reported_clause(token)
            if found is None:
                continue
            content, score = found
            para_start, para_end = self._paragraph_of(token.idx)
            content = (max(content[0], para_start), min(content[1], para_end))  # a parse run over a break
            if content[1] - content[0] < 2:
                continue
            if self._quoted_chars(*content) > 0.5 * (content[1] - content[0]):
                continue  # the words are a direct quote already reported above
            speaker = self._speaker_of(token)
            if self._only_carries(speaker, content, quoted):
                continue  # "X said “...”, KCNA reported": KCNA is the statement's source_agency
            statements.append(Statement((content,), content, "indirect", cue, speaker, score))
        return statements

    def _reported_clause(self, cue: Token) -> tuple[tuple[int, int], float] | None:
        """The clause a cue reports: its clausal complement, or the clause "according to X" is in."""
        if cue.lower_ == "according":
            head = cue.head
            if head.i == cue.i or head.i in self.cue_at:
                return None  # "X said, according to Tass": Tass carried it, it is not a new statement
            outside = set(t.i for t in cue.subtree)
            kept = [t for t in head.subtree if t.i not in outside]
            run = _longest_run(kept)
            return (self._trimmed(run), 0.8) if len(run) >= MIN_INDIRECT_TOKENS else None
        complements = [child for child in cue.children if child.dep_ == "ccomp"]
        if complements:
            # 'X announced nothing, but the agency said that measures were decided': the parser hangs both
            # clauses on "said"; the one after the cue is what it reports.
            child = next((c for c in complements if c.i > cue.i), complements[0])
            tokens = list(child.subtree)
            return (self._trimmed(tokens), 0.9) if len(tokens) >= MIN_INDIRECT_TOKENS else None
        if cue.dep_ == "parataxis" and cue.i > cue.head.i:
            tokens = list(self.doc[cue.head.left_edge.i : cue.left_edge.i])
            return (self._trimmed(tokens), 0.9) if len(tokens) >= MIN_INDIRECT_TOKENS else None
        return None

    def _only_carries(self, speaker: Speaker | None, content: tuple[int, int], quoted: list[Statement]) -> bool:
        if speaker is None or self.agencies.normalise(speaker.name) is None:
            return False
        return any(s.cue is not None and content[0] <= s.cue.start_char < content[1] for s in quoted)

    # ---- shared helpers --------------------------------------------------------------------------

    def _speaker_of(self, cue: Token) -> Speaker | None:
        if (words := self.credit_speakers.get(cue.i)) is not None:
            return Speaker(words.text, words.start_char, words.end_char, "named")
        head = _subject_head(cue)
        quoted_subject = head is not None and self._quoted_chars(head.idx, head.idx + 1)
        if quoted_subject or (head is None and self._right_after_quote(cue)):
            # '“… Full panic mode,” said Leslie Wimes', '“…,” opined the Plain Dealer': the parser took
            # quoted words for the subject, or found none.
            head = self._unquoted_mention_beside(cue)
        elif head is None:
            head = self._mention_after_quote(cue) or self._mention_before_aside(cue)
        return self.resolver.resolve(head) if head is not None else None

    def _mention_before_aside(self, cue: Token) -> Token | None:
        """'the country’s news agency, citing a diplomatic source, said': the parser lost the subject;
        it is the noun right before the cue, or before a participial aside between commas."""
        sentence_start = self.sentence(cue).start
        i = cue.i - 1
        if i > sentence_start and self.doc[i].text == ",":
            opening = next(
                (j for j in range(i - 1, max(i - MAX_ASIDE_TOKENS, sentence_start), -1) if self.doc[j].text == ","),
                None,
            )
            if opening is None or self.doc[opening + 1].tag_ not in ("VBG", "VBN"):
                return None
            i = opening - 1
        if (
            i < sentence_start
            or self.doc[i].pos_ not in ("NOUN", "PROPN")
            or self._quoted_chars(self.doc[i].idx, self.doc[i].idx + 1)
        ):
            return None
        return _name_head(self.doc[i])

    def _mention_after_quote(self, cue: Token) -> Token | None:
        """'“…,” Gene Sperling, a top Clinton adviser, said': the parser hung the name on the quoted
        clause, so the cue has no subject; the speaker is the mention that opens the attribution."""
        start = self.sentence(cue).start
        for i in range(cue.i - 1, max(cue.i - MAX_ATTRIBUTION_TOKENS, start - 1), -1):
            token = self.doc[i]
            if token.text in QUOTE_MARKS:
                opening = next((t for t in self.doc[i + 1 : cue.i] if t.pos_ in MENTION_POS), None)
                return None if opening is None else _name_head(opening)
            if token.pos_ in ("VERB", "AUX") or i in self.cue_at:
                return None
        return None

    def _right_after_quote(self, token: Token) -> bool:
        previous = _token_before(self.doc, token.i)
        return previous is not None and previous.text in QUOTE_MARKS

    def _unquoted_mention_beside(self, cue: Token) -> Token | None:
        """The head of the noun phrase right after the cue ("said Leslie Wimes") or right before it,
        outside quote marks."""
        sentence = self.sentence(cue)
        after = self.doc[cue.i + 1 : min(cue.i + 1 + ADJACENT_CUE_TOKENS, sentence.end)]
        before = reversed(self.doc[max(cue.i - ADJACENT_CUE_TOKENS, sentence.start) : cue.i])
        for side in (after, before):
            for token in side:
                if self._quoted_chars(token.idx, token.idx + 1) or token.text in QUOTE_MARKS:
                    break
                if token.pos_ in MENTION_POS:
                    return _name_head(token)
        return None

    def _clause_around(self, below: Token, quote: tuple[int, int], cue: Token | None = None) -> tuple[int, int]:
        """The clause holding the quote, cut at the cue when the parse put the cue inside it."""
        tokens = list(below.subtree)
        if cue is not None and below.left_edge.i < cue.i < below.right_edge.i:
            side = [t for t in tokens if (t.i > cue.i) == (cue.idx < quote[0])]
            tokens = side or tokens
        start, end = self._trimmed(tokens)
        end = self._cut_after_quote(end, quote)
        return self._in_quote_paragraphs((min(start, quote[0]), max(end, quote[1])), quote)

    def _cut_after_quote(self, end: int, quote: tuple[int, int]) -> int:
        """'he was “a big advocate” of common standards, which he argued ...': a clause after the last
        quoted words and a comma or dash is the writer's, not the speaker's."""
        tail = self.text[quote[1] - 1 : end]
        match = TRAILING_ADJUNCT.search(tail)
        if match is None or tail[match.end() :].split(" ", 1)[0].lower() in CONTINUING_CONJUNCTIONS:
            return end  # '“right to be angry,” but also hungry for ...' goes on with the speaker's words
        return min(end, quote[1] - 1 + match.start())

    def _in_quote_paragraphs(self, content: tuple[int, int], quote: tuple[int, int]) -> tuple[int, int]:
        """A content span cut to the paragraphs the quote is in (the parse sometimes runs over a break)."""
        first, last = self._paragraph_of(quote[0]), self._paragraph_of(max(quote[1] - 1, quote[0]))
        return max(content[0], first[0]), min(content[1], last[1])

    def _trimmed(self, tokens: list[Token]) -> tuple[int, int]:
        words = [t for t in tokens if not (t.is_space or (t.is_punct and t.text not in QUOTE_MARKS))]
        words = words or tokens
        return words[0].idx, words[-1].idx + len(words[-1].text)

    def _paragraph_of(self, offset: int) -> tuple[int, int]:
        k = bisect.bisect_right(self.paragraph_starts, offset) - 1
        return self.paragraphs[k] if k >= 0 else (0, len(self.text))

    def _quoted_chars(self, start: int, end: int) -> int:
        """How many characters of [start, end) lie inside quote marks (spans are sorted, disjoint)."""
        k = max(bisect.bisect_right(self.quoted_opens, start) - 1, 0)
        covered = 0
        for quoted in self.quoted[k:]:
            if quoted.open >= end:
                break
            covered += max(0, min(quoted.close, end) - max(quoted.open, start))
        return covered

    def agency_for(self, statement: Statement) -> str | None:
        """The agency that carried the statement, if its own sentences name one (never a guess)."""
        anchors = [statement.content[0], max(statement.content[1] - 1, statement.content[0])]
        if statement.cue is not None:
            anchors.append(statement.cue.start_char)
        sentences = [self.doc.char_span(a, a + 1, alignment_mode="expand") for a in anchors]
        sentences = [self.sentence(s[0]) for s in sentences if s is not None and len(s)]
        if not sentences:
            return self.wire_credit
        start = min(s.start_char for s in sentences)
        end = max(s.end_char for s in sentences)
        outside = [
            (a, b, name)
            for a, b, name in self.agencies.find(self.text[start:end])
            if not statement.content[0] <= a + start < statement.content[1]
        ]
        if outside:
            return outside[0][2]
        carrier = self._according_to_carrier(self.doc.char_span(start, end, alignment_mode="expand"), statement)
        return carrier or self.wire_credit

    def _according_to_carrier(self, region: Span | None, statement: Statement) -> str | None:
        """'according to the Russian Foreign Ministry' when someone else is the speaker."""
        if region is None or statement.cue is None or statement.cue[0].lower_ == "according":
            return None
        for token in region:
            if token.lower_ != "according" or token.i + 1 >= len(self.doc):
                continue
            objects = [c for c in self.doc[token.i + 1].children if c.dep_ == "pobj"]
            if objects and _is_carrier(objects[0]):
                words = mention_tokens(objects[0])
                while words and words[0].dep_ == "det":
                    words = words[1:]
                if words:
                    return self.doc[words[0].i : words[-1].i + 1].text
        return None

    def _wire_credit(self) -> str | None:
        """An agency credited in the dateline or the opening words ("SEOUL (AFP) -")."""
        openings = [self.article.dateline.text] if self.article.dateline else []
        if self.article.paragraphs:
            openings.append(self.article.paragraphs[0].text[:80])
        for opening in openings:
            for start, end, name in self.agencies.find(opening):
                if opening[start - 1 : start] == "(" and opening[end : end + 1] == ")":
                    return name
        return None


def _is_carrier(head: Token) -> bool:
    return head.ent_type_ == "ORG" or head.lemma_.lower() in lexicon.word_set("carrier_nouns.txt")


def _characterises(verb: Token, below: Token) -> bool:
    """'criticized the law as a “crazy system”', 'likened the refugees to a “vicious snake”': the quote is in
    an "as"/"to" phrase beside the verb's object, so the verb names the object in quoted words."""
    return below.dep_ == "prep" and below.lower_ in ("as", "to") and any(c.dep_ == "dobj" for c in verb.children)


def _name_head(token: Token) -> Token:
    """The head of the name a token is part of: "Leslie" -> "Wimes", "(D-Md.)" -> "Cummings"."""
    while token.dep_ in NAME_PART_DEPS and token.head.i != token.i and token.head.pos_ in MENTION_POS:
        token = token.head
    return token


def _subject_head(cue: Token) -> Token | None:
    """The speaker mention a cue governs: its subject, the agent, "according to X", or its head's subject."""
    if cue.lower_ == "according":
        to = cue.doc[cue.i + 1]
        return next((c for c in to.children if c.dep_ == "pobj"), None)
    verb = cue
    for _ in range(4):
        for child in verb.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
            if child.dep_ == "agent":
                return next((c for c in child.children if c.dep_ == "pobj"), None)
        if verb.dep_ not in SUBJECT_CLIMB_DEPS or verb.head.i == verb.i:
            return None
        # "Lavrov arrived and said", "ended by saying", "emailed supporters saying": the subject is
        # the verb's above it.
        verb = verb.head
    return None


def _merge_same_cue(statements: list[Statement], text: str) -> list[Statement]:
    """'called him a “train wreck” and “outsourcer in chief”', 'said that “A” because “B”': quotes one cue
    governs are one statement (PolNeAR annotates one Content), so its content covers them all."""
    merged: list[Statement] = []
    for statement in statements:
        previous = merged[-1] if merged else None
        both_cued = previous is not None and previous.cue is not None and statement.cue is not None
        if (
            both_cued
            and previous.cue.start == statement.cue.start
            and not _cue_introduces_next(previous, statement, text)
        ):
            content = (min(previous.content[0], statement.content[0]), max(previous.content[1], statement.content[1]))
            merged[-1] = replace(previous, parts=previous.parts + statement.parts, content=content)
            continue
        merged.append(statement)
    return merged


def _cue_introduces_next(previous: Statement, statement: Statement, text: str) -> bool:
    """'“A.” To which she said, “B.”': the first quote ended its sentence and the cue comes after it, so
    the cue is the second quote's alone."""
    end = previous.parts[-1][1]
    ended = text[end - 1 : end] in (".", "!", "?")
    return ended and statement.cue is not None and end <= statement.cue.start_char < statement.parts[0][0]


def _join_split_quotes(statements: list[Statement], text: str) -> list[Statement]:
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
        and len(gap) <= 80
        and "\n" not in gap
        and text[previous.parts[-1][1] - 1] == ","
        and not SENTENCE_END.search(gap)
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


def _paragraph_bounds(article: Article) -> list[tuple[int, int]]:
    body = article.body
    return [(start, start + len(p.text)) for start, p in zip(body.body_starts, article.paragraphs)]


def _token_before(doc: Doc, i: int) -> Token | None:
    """The last token before position i that is not whitespace."""
    previous = i - 1
    while previous >= 0 and doc[previous].is_space:
        previous -= 1
    return doc[previous] if previous >= 0 else None


def _quote_root(span: Span) -> Token | None:
    """The quoted words' topmost token in the parse (its head lies outside the quote)."""
    return next((t for t in span if not (span.start <= t.head.i < span.end) and not t.is_punct), None)


def _ends_sentence(span: Span) -> bool:
    """The quoted words end with a full stop inside the closing mark ('“… my opinion.”')."""
    return len(span) > 1 and span[-2].text == "."


def _words_between(doc: Doc, start: int, end: int) -> int:
    return sum(1 for t in doc[start:end] if t.is_alpha or t.is_digit)


def _distance(token: Token, span: Span) -> int:
    if token.i < span.start:
        return span.start - token.i
    return token.i - span.end + 1


def _trailing_name(lead: Span) -> list[Token]:
    """A proper name that is all of a lead, or follows a dash in it ('Polls agree - Carl Bialik')."""
    words = [t for t in lead if not t.is_space]
    run: list[Token] = []
    while words and words[-1].pos_ == "PROPN":
        run.insert(0, words.pop())
    if run and (not words or words[-1].text in ("-", "–", "—")):
        return run
    return []


def _leading_run(tokens: list[Token]) -> list[Token]:
    run: list[Token] = []
    for token in tokens:
        if run and token.i != run[-1].i + 1:
            break
        run.append(token)
    return run


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


def _confidence(statement: Statement) -> float:
    if statement.speaker is None:
        speaker_score = 0.4
    else:
        speaker_score = {"named": 1.0, "pronoun": 0.85, "unresolved": 0.5}[statement.speaker.resolved_by]
    return round(statement.cue_score * speaker_score, 3)


def extract_quotes(article: Article, doc: Doc, content: ContentChooser | None = None) -> list[Quote]:
    """Every reported statement of the article, in page offsets, sorted by start, each once. `content`
    chooses partial quotes' content spans (default: the shipped model)."""
    text = doc.text  # joined from the tokens on every access: read it once
    if text != article.body.text:
        raise ValueError("doc must be the parse of article.body.text")
    extractor = _ArticleExtractor(article, doc, text, content or default_chooser())
    quoted = extractor.quote_statements()
    statements = _end_before_other_quotes(_report_nested_quotes(quoted, extractor.indirect_statements(quoted)), text)
    quotes: list[Quote] = []
    seen: set[tuple[str, str, str]] = set()
    for statement in statements:
        agency = extractor.agency_for(statement)
        reported = " ".join(text[slice(*statement.content)].split())
        for quote in _to_quotes(article, text, statement, agency):
            key = (quote.kind, " ".join(quote.text.split()), reported)
            if key in seen:
                continue  # a paragraph the page repeated (the same words in another clause are another quote)
            seen.add(key)
            quotes.append(quote)
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes


def _report_nested_quotes(quoted: list[Statement], indirect: list[Statement]) -> list[Statement]:
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
                cue_score=reporter.cue_score,
            )
        )
    return statements + [other for k, other in enumerate(indirect) if k not in taken]


def _end_before_other_quotes(statements: list[Statement], text: str) -> list[Statement]:
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
    end = TRAILING_LINK.search(text, start, end).start()
    return end if len(WORD_CHARS.findall(text, start, end)) >= MIN_INDIRECT_TOKENS else None


def _nests(statement: Statement, outer: Statement) -> bool:
    """A partial quote whose cue is inside the outer statement's content, as is most of its own."""
    if statement.kind != "partial" or statement.cue is None:
        return False
    (start, end), (outer_start, outer_end) = statement.content, outer.content
    shared = min(end, outer_end) - max(start, outer_start)
    return outer_start <= statement.cue.start_char < outer_end and shared >= (end - start) / 2


def _to_quotes(article: Article, text: str, statement: Statement, agency: str | None) -> list[Quote]:
    body = article.body
    content = (body.to_page(statement.content[0]), body.to_page_end(statement.content[1]))
    speaker = statement.speaker
    named = speaker.entity_span if speaker else None
    cue = statement.cue
    quotes: list[Quote] = []
    for start, end in statement.parts:
        start, end = _strip_space(text, start, end)
        if start >= end:
            continue
        quotes.append(
            Quote(
                text=text[start:end],
                start=body.to_page(start),
                end=body.to_page_end(end),
                speaker=speaker.name if speaker else None,
                speaker_span=(body.to_page(named[0]), body.to_page_end(named[1])) if named else None,
                cue=cue.text if cue is not None else None,
                cue_span=(body.to_page(cue.start_char), body.to_page_end(cue.end_char)) if cue is not None else None,
                source_agency=agency,
                kind=statement.kind,
                confidence=_confidence(statement),
                content_span=content,
                speaker_mention=text[speaker.start : speaker.end] if speaker else None,
                speaker_mention_span=(body.to_page(speaker.start), body.to_page_end(speaker.end)) if speaker else None,
            )
        )
    return quotes


def _strip_space(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
