"""What a partial quote reports: the clause around the quoted words that its cue governs.

The rules choose a clause; the content model (service/quote_content.py) then places its boundaries,
with that clause as one of its inputs. A partial quote's content ends at the quoted words when a comma
or dash after them starts the writer's own clause ('he was “a big advocate” of common standards[, which
he argued ...]'), not when "and", "but", "because" ... go on with the speaker's words; it never runs
past the quote's paragraphs.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from service.quote_content import ContentDecision, DecisionKind
from service.quotes.context import ArticleContext, trimmed

# Right-hand children of a naming verb that belong to what it reports (object, name, "as" phrase).
NAMED_OBJECT_DEPS = frozenset({"dobj", "oprd", "ccomp", "xcomp", "attr", "dative", "prep", "acomp"})
# A comma or dash (inside or after the closing mark) that ends the quoted words and starts the writer's own.
TRAILING_ADJUNCT = re.compile(r"(?:[,;][”\"’']?|[”\"’']?\s*[,;—–]|\s+-\s)\s")
CONTINUING_CONJUNCTIONS = frozenset({"and", "but", "or", "because", "so", "nor"})
# 'Cruz blamed the law on “knuckleheaded Democratic politicians”': a verb whose own preposition characterises.
BLAMED_ON = {"blame": "on"}


def clause_around(
    context: ArticleContext, below: Token, quote: tuple[int, int], cue: Token | None = None
) -> tuple[int, int]:
    """The clause holding the quote, cut at the cue when the parse put the cue inside it."""
    tokens = list(below.subtree)
    if cue is not None and below.left_edge.i < cue.i < below.right_edge.i:
        side = [t for t in tokens if (t.i > cue.i) == (cue.idx < quote[0])]
        tokens = side or tokens
    start, end = trimmed(tokens)
    end = _cut_after_quote(context.text, end, quote)
    return context.in_quote_paragraphs((min(start, quote[0]), max(end, quote[1])), quote)


def named_content(
    context: ArticleContext, verb: Token, quote: tuple[int, int]
) -> tuple[tuple[int, int], ContentDecision | None]:
    """What a naming verb reports (the object and the name), and the decision the model will refine."""
    named = _named_object(context, verb, quote)
    complement = next((c for c in verb.rights if c.dep_ in NAMED_OBJECT_DEPS), None)
    if complement is None:
        return named, None
    return named, content_decision(context, complement, quote, verb, "naming", named)


def content_decision(
    context: ArticleContext,
    complement: Token,
    quote: tuple[int, int],
    cue: Token,
    kind: DecisionKind,
    rule_choice: tuple[int, int],
) -> ContentDecision | None:
    """A partial quote's content for the content model to place (service/quote_content.py), in the window
    of the quote's sentence and its cue; the rule's choice is one of the model's inputs."""
    doc = context.doc
    sentence = context.sentence(complement)
    quoted = doc.char_span(quote[0], quote[1], alignment_mode="expand")
    if quoted is None:
        return None
    start = min(sentence.start, quoted.start, cue.i)
    end = max(sentence.end, quoted.end)
    return ContentDecision(doc[start:end], quote, cue, complement, rule_choice, kind, context.cue_tokens)


def characterises(verb: Token, below: Token) -> bool:
    """'criticized the law as a “crazy system”', 'likened the refugees to a “vicious snake”': the quote is in
    an "as"/"to" phrase (or "blamed … on") beside the verb's object, so the verb names the object in quoted
    words."""
    characterising = below.lower_ in ("as", "to") or below.lower_ == BLAMED_ON.get(verb.lemma_.lower())
    return below.dep_ == "prep" and characterising and any(c.dep_ == "dobj" for c in verb.children)


def _named_object(context: ArticleContext, cue: Token, quote: tuple[int, int]) -> tuple[int, int]:
    """What a naming verb reports: its object and the quoted name ("called [Trump “unhinged”]")."""
    tokens = [t for child in cue.rights if child.dep_ in NAMED_OBJECT_DEPS for t in child.subtree]
    if not tokens:
        return quote
    start, end = trimmed(sorted(tokens, key=lambda t: t.i))
    end = _cut_after_quote(context.text, end, quote)
    return context.in_quote_paragraphs((min(start, quote[0]), max(end, quote[1])), quote)


def _cut_after_quote(text: str, end: int, quote: tuple[int, int]) -> int:
    """'he was “a big advocate” of common standards, which he argued ...': a clause after the last
    quoted words and a comma or dash is the writer's, not the speaker's."""
    tail = text[quote[1] - 1 : end]
    match = TRAILING_ADJUNCT.search(tail)
    if match is None or tail[match.end() :].split(" ", 1)[0].lower() in CONTINUING_CONJUNCTIONS:
        return end  # '“right to be angry,” but also hungry for ...' goes on with the speaker's words
    return min(end, quote[1] - 1 + match.start())
