"""One quoted span in its article, with the facts the attribution rules share: the frame (its sentences,
plus a split-off "he said." after it or "X said:" before it), whether it stands alone (direct) or sits
inside a larger clause (partial), the cue that governs it in the parse, the colon lead before it and the
nearest verb above it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Span, Token

from service.quotes.context import ArticleContext, token_before, words_between
from service.quotes.marks import QuotedSpan, first_non_space
from service.quotes.mentions import ADJACENT_CUE_TOKENS, named_speaker, speaker_of, subject_head
from service.quotes.statement import Statement
from service.schema import QuoteKind
from service.speakers import SUBJECT_DEPS, Speaker
from service.text_facts import QUOTE_MARKS

# A sentence right after a quote with no cue near its start is still its attribution when it is this short
# and opens lower-case or holds a cue ('“…,” he said, smiling at the crowd.'); longer ones are narration.
MAX_BARE_ATTRIBUTION_WORDS = 15
# A cue's children that hold who said it or when, never the words said.
NOT_REPORTED_DEPS = frozenset({"nsubj", "npadvmod"})


@dataclass(frozen=True)
class ColonLead:
    """The words before a colon that introduce a quote: their cue (None for a bare name) and speaker."""

    cue: Span | None
    speaker: Speaker


class QuoteSite:
    """A quoted span being attributed. Facts are computed on first use and kept."""

    def __init__(self, context: ArticleContext, quoted: QuotedSpan, span: Span, earlier: Sequence[Statement]) -> None:
        self.context = context
        self.quoted = quoted
        # The quote's tokens, marks included.
        self.span = span
        # Statements found for the quotes before this one, in order.
        self.earlier = earlier
        self.frame = _frame(context, span)
        self.kind: QuoteKind = "direct" if _stands_alone(context, span, self.frame) else "partial"

    @classmethod
    def of(cls, context: ArticleContext, quoted: QuotedSpan, earlier: Sequence[Statement]) -> QuoteSite | None:
        """The site of quoted words, or None when they hold no word (a quoted number, stray marks)."""
        span = context.doc.char_span(quoted.open, quoted.close, alignment_mode="expand")
        if span is None or not any(t.is_alpha for t in span):
            return None
        return cls(context, quoted, span, earlier)

    @cached_property
    def colon_lead(self) -> ColonLead | None:
        return _colon_lead(self.context, self.quoted, self.span)

    @cached_property
    def governing_cue(self) -> tuple[Token, Token] | None:
        """The cue verb (or naming verb) above the quoted words in the parse, and its child on the path to them."""
        return _governing_cue(self.context, self.span, self.frame)

    @cached_property
    def nearest_predicate(self) -> tuple[Token, Token] | None:
        """The nearest verb above the quoted words that they are not the subject of, and its child on the path."""
        root = quote_root(self.span)
        if root is None:
            return None
        for below, head in self.context.path_up(root, self.span, self.frame):
            if head.pos_ in ("VERB", "AUX") and below.dep_ not in SUBJECT_DEPS:
                return head, below
        return None


def quote_root(span: Span) -> Token | None:
    """The quoted words' topmost token in the parse (its head lies outside the quote)."""
    return next((t for t in span if not (span.start <= t.head.i < span.end) and not t.is_punct), None)


def _frame(context: ArticleContext, span: Span) -> Span:
    """The sentences holding the quote, plus a split-off "he said." after it or "X said:" before it."""
    doc = context.doc
    first, last = context.sentence(span[0]), context.sentence(span[-1])
    start, end = first.start, last.end
    para_start, para_end = context.paragraph_of(span.start_char)
    if words_between(doc, span.end, end) == 0 and end < len(doc):
        following = context.sentence(doc[end])
        if (
            following.start_char < para_end
            and _looks_like_attribution(context, following, span)
            and not (_ends_sentence(span) and _reports_its_own(context, following))
        ):
            end = following.end
    if words_between(doc, start, span.start) == 0 and start > 0:
        previous = context.sentence(doc[start - 1])
        tail = [t for t in previous if not t.is_space]
        if previous.start_char >= para_start and tail and tail[-1].text in (":", ","):
            start = previous.start
    return doc[start:end]


def _looks_like_attribution(context: ArticleContext, sentence: Span, span: Span) -> bool:
    words = [t for t in sentence if not t.is_space]
    if not words or words[0].text in QUOTE_MARKS:
        return False
    if any(t.i in context.cue_at for t in words[:ADJACENT_CUE_TOKENS]):
        return True  # 'LeVell declared, a point he likes to make after ...'
    has_cue = any(t.i in context.cue_at for t in words)
    if words[0].is_lower and has_cue and _closes_on_continuation(span):
        # '“… resign in disgrace!” the party’s likely nominee, Donald Trump, tweeted Sunday after …': the
        # parser ended the sentence at the mark, but a lower-case word goes on with it, whatever its length.
        return True
    return len(words) <= MAX_BARE_ATTRIBUTION_WORDS and (words[0].is_lower or has_cue)


def _closes_on_continuation(span: Span) -> bool:
    """The quoted words end on a comma, "!" or "?" inside the closing mark ('“… go home?”')."""
    return len(span) > 1 and span[-1].text in QUOTE_MARKS and span[-2].text in (",", "!", "?")


def _reports_its_own(context: ArticleContext, sentence: Span) -> bool:
    """'“B.” Reid said both Rubio and Cruz are “non-entities”': the sentence after a quote that ended
    with a full stop reports a clause or a quote of its own, so its cue is not the quote's."""
    return any(
        t.text in QUOTE_MARKS or (t.i in context.cue_at and any(c.dep_ == "ccomp" for c in t.children))
        for t in sentence
    )


def _ends_sentence(span: Span) -> bool:
    """The quoted words end with a full stop inside the closing mark ('“… my opinion.”')."""
    return len(span) > 1 and span[-2].text == "."


def _stands_alone(context: ArticleContext, span: Span, frame: Span) -> bool:
    """A direct quote opens its sentence, or follows a colon or "said,"; a partial one is inside."""
    if _sentence_runs_on(context, span, frame):
        return False
    before = [t for t in context.doc[frame.start : span.start] if not t.is_space]
    if not before or before[-1].text == ":" or before[-1].i in context.cue_at:
        return True
    if before[-1].text in (",", ";") and len(before) > 1 and before[-2].i in context.cue_at:
        return True  # 'Lavrov said, “…”', 'he added; “…”' (a semicolon typed for a colon)
    if before[-1].text == "," and _attribution_hangs_on(context, span, before[-1]):
        return True
    # Starts a new sentence inside the frame (after a sentence that ended with a full stop).
    return before[-1].text in (".", "!", "?") and bool(span[0].is_sent_start)


def _attribution_hangs_on(context: ArticleContext, span: Span, comma: Token) -> bool:
    """'As Michael Dell said last week in Tel Aviv, “...”', 'Weaver did not seem impressed, telling
    reporters, “...”': a cue clause before the comma that the parser hangs, at any depth, on the quoted words."""
    start = context.sentence(comma).start
    return any(
        i in context.cue_at and any(span.start <= above.i < span.end for above in context.doc[i].ancestors)
        for i in range(start, comma.i)
    )


def _sentence_runs_on(context: ArticleContext, span: Span, frame: Span) -> bool:
    """'“A big truck” plowed through the barriers': the quoted words end without punctuation and the
    sentence goes on with a lower-case word, so they are part of a larger clause."""
    last = span[-1]
    if last.text not in QUOTE_MARKS or span.end >= frame.end or len(span) < 2:
        return False
    inner = span[-2]
    if not (inner.is_alpha or inner.is_digit):
        return False
    following = next((t for t in context.doc[span.end : frame.end] if not t.is_space), None)
    return following is not None and following.is_alpha and following.is_lower and following.i not in context.cue_at


def _governing_cue(context: ArticleContext, span: Span, frame: Span) -> tuple[Token, Token] | None:
    for token in span:
        if span.start <= token.head.i < span.end or token.is_punct:
            continue
        for below, head in context.path_up(token, span, frame):
            if (
                (head.i in context.cue_at or head.i in context.naming_at)
                and below.dep_ in NOT_REPORTED_DEPS
                and not _inverted_report(head, below)
            ):
                return None  # '“The Hill” said', 'on Fox's “Hannity,” Gingrich said': not what was said
            if head.i in context.cue_at:
                return _nearer_cue(context, head, span) or head, below
            if head.i in context.naming_at:
                return head, below
    return None


def _inverted_report(cue: Token, below: Token) -> bool:
    """'The rejection signals “the beginning of the end,” said Geert Wilders': before ", said X" the parser
    made the reported clause a second subject of the cue; the speaker is the subject after it."""
    doc = cue.doc
    return (
        below.dep_ == "nsubj"
        and below.i < cue.i
        and doc[cue.i - 1].text == ","
        and any(c.dep_ == "nsubj" and c.i > cue.i for c in cue.children)
    )


def _nearer_cue(context: ArticleContext, cue: Token, span: Span) -> Token | None:
    """A cue with its own subject between the governing cue and the quote ("X said A, while Y
    said “B”"): the parser often hangs B on X's verb, but the nearer speaker said it."""
    for i in range(span.start - 1, cue.i, -1):
        token = context.doc[i]
        if token.is_sent_start and i != span.start - 1:
            return None
        if i in context.cue_at and token.lower_ != "according" and subject_head(token) is not None:
            return token
    return None


def _colon_lead(context: ArticleContext, quoted: QuotedSpan, span: Span) -> ColonLead | None:
    """The words before a colon right before the quote ('Cruz called them on it:', 'Stated Stone:',
    'Pollsters agree - Carl Bialik:'), in its paragraph or ending the paragraph before: their cue,
    else their main verb, introduces the quote; a bare name is the speaker."""
    doc = context.doc
    colon = token_before(doc, span.start)
    if colon is None or colon.text != ":":
        return None
    para_start, _ = context.paragraph_of(quoted.open)
    if colon.idx < para_start and first_non_space(context.text, para_start, quoted.open) is not None:
        return None  # the colon ends an earlier paragraph, but this one does not open with the quote
    lead = doc[context.sentence(colon).start : colon.i]
    if not len(lead):
        return None
    named = _trailing_name(lead)
    if named:
        return ColonLead(None, named_speaker(context, named))
    cues = [t for t in lead if t.i in context.cue_at]
    verbs = cues[-1:] or [
        t
        for t in lead
        if (t.head.i == t.i or t.head.i not in range(lead.start, lead.end)) and t.pos_ in ("VERB", "AUX")
    ]
    for verb in verbs:
        speaker = speaker_of(context, verb)
        if speaker is not None and not context.quoted_chars(speaker.start, speaker.end):
            return ColonLead(context.cue_at.get(verb.i, doc[verb.i : verb.i + 1]), speaker)
    return None


def _trailing_name(lead: Span) -> list[Token]:
    """A proper name that is all of a lead, or follows a dash in it ('Polls agree - Carl Bialik')."""
    words = [t for t in lead if not t.is_space]
    run: list[Token] = []
    while words and words[-1].pos_ == "PROPN":
        run.insert(0, words.pop())
    if run and (not words or words[-1].text in ("-", "–", "—")):
        return run
    return []
