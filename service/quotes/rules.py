"""The attribution rules for quoted words, tried in order: the first rule that finds a cue or a speaker
attributes the quote, and the statement records its name. A rule applies to direct quotes (they open
their sentence, or follow a colon or "said,"), to partial ones (inside a larger clause), or to both.

QUOTE_RULES below is the order. Each rule is a function of the quote's site (service/quotes/site.py)
returning an Attribution or None; service/quotes/confidence.py scores each rule by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import takewhile

from spacy.tokens import Span, Token

from service.quote_content import ContentDecision
from service.quotes.content import characterises, clause_around, content_decision, named_content
from service.quotes.context import trimmed, words_between
from service.quotes.marks import first_non_space
from service.quotes.mentions import (
    ADJACENT_CUE_TOKENS,
    MAX_ATTRIBUTION_TOKENS,
    named_speaker,
    speaker_of,
    subject_head,
)
from service.quotes.site import QuoteSite, quote_root
from service.quotes.statement import Statement
from service.schema import QuoteKind
from service.speakers import Speaker
from service.text_facts import QUOTE_MARKS

TRAILING_NAME = re.compile(r"^\s*[―—–-]{1,2}\s*(?=[A-Z])")
LEADING_FROM = re.compile(r"\b(?:From|Per)\s+([A-Z][\w.’' -]{0,60}?)\s*:\s*$")
# '- Michelle Marks, Philadelphia.': the longest credit paragraph under a quote.
MAX_CREDIT_WORDS = 12
# '“…,” the 43-year-old Texan beamed': how far after a quote its reporting verb may come.
ADJACENT_TRAILING_TOKENS = 5
# A quote shorter than this is too short to continue the previous sentence's speaker (a quoted word or two
# opening a sentence is a name or a title more often than a statement).
MIN_PREVIOUS_SENTENCE_WORDS = 3
# Measured on PolNeAR train: quoted words under a clausal complement, or six words or more under any verb
# but "be"/"have", are someone's statement about six times in ten; shorter quoted phrases elsewhere are
# mostly scare quotes and titles.
MIN_PREDICATE_QUOTE_WORDS = 6
COPULAS = frozenset({"be", "have"})
CLAUSAL_COMPLEMENT_DEPS = frozenset({"ccomp", "oprd"})
# How the parser hangs a cue set off by commas ('X, he said, was …') on the clause it reports.
PARENTHETICAL_DEPS = frozenset({"parataxis", "ccomp"})

DIRECT: frozenset[QuoteKind] = frozenset({"direct"})
PARTIAL: frozenset[QuoteKind] = frozenset({"partial"})
BOTH: frozenset[QuoteKind] = DIRECT | PARTIAL


@dataclass(frozen=True)
class Attribution:
    """What a rule found for a quote. Unset fields keep the site's own: its quoted words as the content,
    its kind."""

    cue: Span | None
    speaker: Speaker | None
    content: tuple[int, int] | None = None
    kind: QuoteKind | None = None
    decision: ContentDecision | None = None
    # The quote continues the statement of the speaker before it (a run of quotes).
    continues: bool = False
    # The quoted parts that are the statement, where some of the quoted words are not ('a credit line').
    parts: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class Rule:
    name: str
    kinds: frozenset[QuoteKind]
    find: Callable[[QuoteSite], Attribution | None]


def attribute(site: QuoteSite) -> Statement | None:
    """The statement of the first rule that attributes the quote, or None (a scare quote, a title)."""
    if site.quoted.open in site.context.quoted_names:
        return None
    for rule in QUOTE_RULES:
        if site.kind in rule.kinds and (found := rule.find(site)) is not None:
            return Statement(
                parts=found.parts or site.quoted.parts,
                content=found.content or site.quoted.words,
                kind=found.kind or site.kind,
                cue=found.cue,
                speaker=found.speaker,
                rule=rule.name,
                continues=found.continues,
                decision=found.decision,
            )
    return None


# ---- both kinds ---------------------------------------------------------------------------------


def dash_name_colon(site: QuoteSite) -> Attribution | None:
    """'Pollsters agree - Carl Bialik: “…”', 'Bialik: “…”': a proper name ends the lead before a colon."""
    lead = site.colon_lead
    if lead is None or lead.cue is not None:
        return None
    return Attribution(None, lead.speaker)


def naming_verb(site: QuoteSite) -> Attribution | None:
    """'Jeb Bush called Trump “unhinged”': a naming verb (rules/naming_verbs.txt) governs the quoted words;
    its content is the object plus the quoted name."""
    governed = site.governing_cue
    if governed is None or governed[0].i not in site.context.naming_at:
        return None
    verb = governed[0]
    content, decision = named_content(site.context, verb, site.quoted.words)
    doc = site.context.doc
    return Attribution(doc[verb.i : verb.i + 1], speaker_of(site.context, verb), content, "partial", decision)


def governing_cue(site: QuoteSite) -> Attribution | None:
    """'“…,” Lavrov said', 'Kim reaffirmed his commitment to “…”': a cue governs the quoted words in the
    parse (not through its subject: '“The Hill” said' is no quote). A partial quote reports the clause
    the cue governs."""
    governed = site.governing_cue
    if governed is None or governed[0].i in site.context.naming_at:
        return None
    cue, below = governed
    content, decision = None, None
    if site.kind == "partial":
        content = clause_around(site.context, below, site.quoted.words, cue)
        decision = content_decision(site.context, below, site.quoted.words, cue, "governed", content)
    return Attribution(site.context.cue_at[cue.i], speaker_of(site.context, cue), content, decision=decision)


# ---- partial quotes -----------------------------------------------------------------------------


def parenthetical_cue(site: QuoteSite) -> Attribution | None:
    """'South Carolina, he said, was “where we have a chance …”': a cue set off by commas that the parser
    hangs on a clause above the quote (parataxis or ccomp) reports that whole clause."""
    context, span, frame = site.context, site.span, site.frame
    root = quote_root(span)
    if root is not None:
        heads = [head for _, head in context.path_up(root, span, frame)]
    else:  # 'Cost estimates, he added, were “based on a prototype …”': the quote holds its sentence's root
        heads = [t for t in span if t.head.i == t.i][:1]
    for head in heads:
        for cue in head.children:
            if _is_parenthetical_cue(site, cue) and (speaker := speaker_of(context, cue)) is not None:
                clause = trimmed([t for t in head.subtree if frame.start <= t.i < frame.end])
                words = site.quoted.words
                content = (min(clause[0], words[0]), max(clause[1], words[1]))
                return Attribution(context.cue_at[cue.i], speaker, content)
    return None


def _is_parenthetical_cue(site: QuoteSite, cue: Token) -> bool:
    context, span, frame = site.context, site.span, site.frame
    if cue.i not in context.cue_at or cue.dep_ not in PARENTHETICAL_DEPS or cue.lower_ == "according":
        return False
    if any(span.start <= t.i < span.end for t in cue.subtree):
        return False
    words = [t for t in cue.subtree if not t.is_punct]
    first, last = words[0].i, words[-1].i
    doc = context.doc
    opens = first <= frame.start or doc[first - 1].text == ","
    closes = last + 1 >= frame.end or doc[last + 1].text in (",", ".", "!", "?", ";") or doc[last + 1].is_space
    return opens and closes


def characterising_phrase(site: QuoteSite) -> Attribution | None:
    """'Clinton lambasted the law as a “crazy system”', 'likened the refugees to a “vicious snake”': the
    quote is in an "as"/"to" phrase beside a verb's object; content as for a naming verb."""
    found = site.nearest_predicate
    if found is None or not characterises(*found):
        return None
    verb = found[0]
    content, decision = named_content(site.context, verb, site.quoted.words)
    return _predicate_attribution(site, verb, content, decision)


def verb_complement(site: QuoteSite) -> Attribution | None:
    """'He offered “my thoughts and prayers for all of the victims”': a quote that no cue governs is a
    statement of the subject of the nearest verb above it when it is that verb's clausal complement or
    long (see MIN_PREDICATE_QUOTE_WORDS); other quoted phrases are scare quotes or titles."""
    found = site.nearest_predicate
    if found is None or characterises(*found):
        return None
    verb, below = found
    long_enough = sum(t.is_alpha for t in site.span) >= MIN_PREDICATE_QUOTE_WORDS and verb.lemma_.lower() not in COPULAS
    if below.dep_ not in CLAUSAL_COMPLEMENT_DEPS and not long_enough:
        return None
    content = clause_around(site.context, below, site.quoted.words)
    decision = content_decision(site.context, below, site.quoted.words, verb, "predicate", content)
    return _predicate_attribution(site, verb, content, decision)


def _predicate_attribution(
    site: QuoteSite, verb: Token, content: tuple[int, int], decision: ContentDecision | None
) -> Attribution | None:
    speaker = speaker_of(site.context, verb)
    if speaker is None:
        return None
    return Attribution(site.context.doc[verb.i : verb.i + 1], speaker, content, decision=decision)


def run_on_continuation(site: QuoteSite) -> Attribution | None:
    """'“A,” Palmieri told reporters. “B” and other pocketbook issues.': a quote that opens a sentence
    without a cue and runs on into narration goes on the previous speaker's statement, up to the
    sentence's end."""
    context, span, frame = site.context, site.span, site.frame
    if any(t.i in context.cue_at for t in frame):
        return None
    speaker = _previous_sentence_speaker(site)  # None unless the quote opens its sentence
    if speaker is None:
        return None
    words = site.quoted.words
    content = (words[0], max(trimmed(list(context.doc[span.start : frame.end]))[1], words[1]))
    return Attribution(None, speaker, content, continues=True)


# ---- direct quotes ------------------------------------------------------------------------------


def attached_cue(site: QuoteSite) -> Attribution | None:
    """'“…,” he said' parsed as a conjunct of the quoted clause: a cue outside the quote that the parser
    hung on a quoted word."""
    inside = range(site.span.start, site.span.end)
    attached = [c for c in _outside_cues(site) if c.head.i in inside or any(a.i in inside for a in c.ancestors)]
    if not attached:
        return None
    # 'When the governor said …, Reed fired back: “…”': the parser may hang a subordinate clause's cue on the
    # quote too; the cue nearest the quote introduces it.
    return _cue_attribution(site, min(attached, key=lambda c: _distance(c, site.span)))


def according_to_before(site: QuoteSite) -> Attribution | None:
    """'According to the Daily Caller, “…”': the last "according to" before the quote, hung on it."""
    context, span = site.context, site.span
    leading = [t for t in site.frame if t.i in context.cue_at and t.i < span.start and t.lower_ == "according"]
    if leading and span.start <= leading[-1].head.i < span.end:
        return _cue_attribution(site, leading[-1])
    return None


def adjacent_cue(site: QuoteSite) -> Attribution | None:
    """A cue within a few tokens of a whole-sentence quote, or the first one of a short attribution after
    it ('“…?” a narrator in the ad asks'): the nearest such cue."""
    near = [
        c for c in _outside_cues(site) if _distance(c, site.span) <= ADJACENT_CUE_TOKENS or _first_cue_after(site, c)
    ]
    if not near:
        return None
    return _cue_attribution(site, min(near, key=lambda c: _distance(c, site.span)))


def _outside_cues(site: QuoteSite) -> list[Token]:
    """The frame's cues outside the quote, "according to" aside."""
    context, span = site.context, site.span
    return [
        t
        for t in site.frame
        if t.i in context.cue_at and not (span.start <= t.i < span.end) and t.lower_ != "according"
    ]


def _cue_attribution(site: QuoteSite, cue: Token) -> Attribution:
    return Attribution(site.context.cue_at[cue.i], speaker_of(site.context, cue))


def _first_cue_after(site: QuoteSite, cue: Token) -> bool:
    """'“…?” a narrator in the Clinton ad asks.': the first cue after the quote, in the clause that the
    quote's end opens, within a short attribution."""
    context, span = site.context, site.span
    between = context.doc[span.end : cue.i]
    return span.end <= cue.i < span.end + MAX_ATTRIBUTION_TOKENS and not any(
        t.i in context.cue_at or t.text in QUOTE_MARKS or t.text in (".", ";", ":") for t in between
    )


def _distance(token: Token, span: Span) -> int:
    if token.i < span.start:
        return span.start - token.i
    return token.i - span.end + 1


def verb_after_quote(site: QuoteSite) -> Attribution | None:
    """'“This is fantastic!” beamed Donald Hartley': a quote closing on , ! or ? (also behind an inner
    closing quote: '“… ‘decade,’” the article read') and a verb with a subject right after it; any verb
    reports it there."""
    context, span, frame = site.context, site.span, site.frame
    words = context.text[slice(*site.quoted.words)].rstrip("’'")
    if words[-1:] not in (",", "!", "?"):
        return None
    for token in context.doc[span.end : min(span.end + ADJACENT_TRAILING_TOKENS, frame.end)]:
        if token.pos_ == "VERB":
            has_subject = subject_head(token) is not None or context.right_after_quote(token)
            if not has_subject or token.dep_ == "relcl":
                return None
            speaker = speaker_of(context, token)
            return None if speaker is None else Attribution(context.doc[token.i : token.i + 1], speaker)
    return None


def colon_lead(site: QuoteSite) -> Attribution | None:
    """'Cruz called them on it: “…”', 'Stated Stone: “…”': the words before a colon right before the quote,
    in its paragraph or ending the paragraph before; their cue, else their main verb, introduces it."""
    lead = site.colon_lead
    if lead is None:
        return None
    return Attribution(lead.cue, lead.speaker)


def dash_credit(site: QuoteSite) -> Attribution | None:
    """'"…" — Name' after a quote or as the short paragraph under it, or 'From Name: "…"' before it. Read
    from the marks, not the tokens: the tokenizer keeps '”―' together."""
    context, quoted = site.context, site.quoted
    text = context.text
    para_start, para_end = context.paragraph_of(quoted.open)
    credit_start, credit_end = quoted.close, para_end
    if not text[quoted.close : para_end].strip() and para_end < len(text):
        # '"I went to Wall Street before the crash."¶- Clinton.'
        credit_start, credit_end = context.paragraph_of(first_non_space(text, para_end, len(text)) or para_end)
    dash = TRAILING_NAME.match(text[credit_start:credit_end])
    if dash is not None and len(text[credit_start:credit_end].split()) <= MAX_CREDIT_WORDS:
        name_span = context.doc.char_span(credit_start + dash.end(), credit_end, alignment_mode="expand")
        run = _leading_run([t for t in name_span or () if t.pos_ == "PROPN"])
        if run:
            return Attribution(None, named_speaker(context, run))
    lead = LEADING_FROM.search(text, para_start, quoted.open)
    if lead is not None:
        name = lead.group(1).strip()
        return Attribution(None, Speaker(name, lead.start(1), lead.start(1) + len(name), "named"))
    return None


def credit_line(site: QuoteSite) -> Attribution | None:
    """'"We are going to enter the next recession without that consensus.¶Josh Bivens, Economic Policy
    Institute."': a pull quote whose last line, inside its marks, is the name of who said it (a name, then at
    most a role or an organisation, no verb)."""
    context, quoted = site.context, site.quoted
    if len(quoted.parts) < 2:
        return None
    line_start, line_end = quoted.parts[-1]
    line = context.doc.char_span(line_start, line_end, alignment_mode="expand")
    words = [t for t in line or () if not t.is_space]
    if not words or len(words) > MAX_CREDIT_WORDS or any(t.pos_ in ("VERB", "AUX") for t in words):
        return None
    name = list(takewhile(lambda t: t.pos_ == "PROPN" or (t.is_alpha and t.is_title), words))
    if not name or not any(t.pos_ == "PROPN" for t in name):
        return None
    statement = quoted.parts[:-1]
    return Attribution(None, named_speaker(context, name), content=(statement[0][0], statement[-1][1]), parts=statement)


def _leading_run(tokens: list[Token]) -> list[Token]:
    run: list[Token] = []
    for token in tokens:
        if run and token.i != run[-1].i + 1:
            break
        run.append(token)
    return run


def previous_speaker(site: QuoteSite) -> Attribution | None:
    """'"A," said Jack Mozloom. "B."', or a paragraph that is only a quote: a quote that opens its
    sentence, with no cue after it, continues the speaker named just before it."""
    speaker = _previous_sentence_speaker(site)
    return None if speaker is None else Attribution(None, speaker, continues=True)


def _previous_sentence_speaker(site: QuoteSite) -> Speaker | None:
    """The speaker of the sentence before a quote that opens its sentence with no cue after it."""
    context, span, frame = site.context, site.span, site.frame
    doc = context.doc
    if words_between(doc, frame.start, span.start) or any(t.i in context.cue_at for t in doc[span.end : frame.end]):
        return None
    if sum(t.is_alpha for t in span) < MIN_PREVIOUS_SENTENCE_WORDS or frame.start == 0:
        return None
    previous = context.sentence(doc[frame.start - 1])
    while previous.start > 0 and not any(t.is_alpha for t in previous):
        previous = context.sentence(doc[previous.start - 1])
    # '“A,” X said, pointing out that Y insisted on it. “B.”': the quote before continues, whoever
    # else the sentence's later cues name.
    for statement in reversed(site.earlier):
        if statement.parts[-1][1] >= previous.start_char and statement.speaker is not None:
            return statement.speaker
    for token in reversed(previous):
        if token.i in context.cue_at and (speaker := speaker_of(context, token)) is not None:
            return speaker
    return None


QUOTE_RULES: tuple[Rule, ...] = (
    Rule("dash_name_colon", BOTH, dash_name_colon),
    Rule("naming_verb", BOTH, naming_verb),
    Rule("governing_cue", BOTH, governing_cue),
    Rule("parenthetical_cue", PARTIAL, parenthetical_cue),
    Rule("characterising_phrase", PARTIAL, characterising_phrase),
    Rule("verb_complement", PARTIAL, verb_complement),
    Rule("run_on_continuation", PARTIAL, run_on_continuation),
    Rule("attached_cue", DIRECT, attached_cue),
    Rule("according_to_before", DIRECT, according_to_before),
    Rule("adjacent_cue", DIRECT, adjacent_cue),
    Rule("verb_after_quote", DIRECT, verb_after_quote),
    Rule("colon_lead", DIRECT, colon_lead),
    Rule("dash_credit", DIRECT, dash_credit),
    Rule("credit_line", DIRECT, credit_line),
    Rule("previous_speaker", DIRECT, previous_speaker),
)
