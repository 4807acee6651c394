"""A reported statement as the rules find it, in body offsets, before it becomes page-offset Quotes."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span

from service.quote_content import ContentDecision
from service.schema import QuoteKind
from service.speakers import Speaker


@dataclass(frozen=True)
class Statement:
    """One reported statement: its quoted parts, what it reports, who said it and the rule that found it."""

    parts: tuple[tuple[int, int], ...]
    content: tuple[int, int]
    kind: QuoteKind
    cue: Span | None
    speaker: Speaker | None
    # The name of the rule that attributed it (service/quotes/confidence.py scores each rule).
    rule: str
    # True for a quote attributed to the speaker of the sentence before it (a run of quotes).
    continues: bool = False
    # A partial quote's content to be placed by the content model (content holds the rule's choice till then).
    decision: ContentDecision | None = None
