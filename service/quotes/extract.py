"""Stage 3's driver: the article's statements, from its quoted spans and its cues, as page-offset Quotes."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from service.quote_content import ContentChooser, default_chooser
from service.quotes.agencies import Carriers, wire_credit
from service.quotes.confidence import confidence
from service.quotes.context import ArticleContext
from service.quotes.indirect import indirect_statements
from service.quotes.rules import attribute
from service.quotes.runs import (
    end_before_other_quotes,
    join_split_quotes,
    merge_overlapping,
    merge_same_cue,
    report_nested_quotes,
)
from service.quotes.site import QuoteSite
from service.quotes.statement import Statement
from service.schema import Article, Quote


def extract_quotes(article: Article, doc: Doc, content: ContentChooser | None = None) -> list[Quote]:
    """Every reported statement of the article, in page offsets, sorted by start, each once. `content`
    chooses partial quotes' content spans (default: the shipped model)."""
    text = doc.text  # joined from the tokens on every access: read it once
    if text != article.body.text:
        raise ValueError("doc must be the parse of article.body.text")
    context = ArticleContext.of(article, doc, text)
    quoted = quote_statements(context, content or default_chooser())
    statements = end_before_other_quotes(report_nested_quotes(quoted, indirect_statements(context, quoted)), text)
    wire = wire_credit(article)
    carriers = Carriers(context)
    quotes: list[Quote] = []
    seen: set[tuple[str, str, str, str]] = set()
    for statement in statements:
        agency = carriers.agency_for(statement, wire)
        reported = " ".join(text[slice(*statement.content)].split())
        paragraphs = " ".join(text[slice(*_paragraphs_of(context, statement.content))].split())
        for quote in _to_quotes(article, text, statement, agency):
            key = (quote.kind, " ".join(quote.text.split()), reported, paragraphs)
            if key in seen:
                # A paragraph the page repeated word for word. The same words reported again in another
                # paragraph ("The Latest" updates retelling an earlier one) are another report of them.
                continue
            seen.add(key)
            quotes.append(quote)
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes


def quote_statements(context: ArticleContext, content: ContentChooser) -> list[Statement]:
    """The statements of the quoted spans, in order, with partial quotes' contents placed and runs joined."""
    statements: list[Statement] = []
    for quoted in context.quoted:
        site = QuoteSite.of(context, quoted, statements)
        statement = attribute(site) if site is not None else None
        if statement is not None:
            statements.append(statement)
    statements = _place_contents(context, statements, content)
    return merge_overlapping(join_split_quotes(merge_same_cue(statements, context.text), context.text))


def _place_contents(context: ArticleContext, statements: list[Statement], content: ContentChooser) -> list[Statement]:
    """Partial quotes' contents as the content model places them, all of the article's in one batch."""
    pending = [(k, statement.decision) for k, statement in enumerate(statements) if statement.decision is not None]
    chosen = content.choose_all([decision for _, decision in pending])
    placed = list(statements)
    for (k, decision), span in zip(pending, chosen, strict=True):
        placed[k] = replace(statements[k], content=context.in_quote_paragraphs(span, decision.quote))
    return placed


def _paragraphs_of(context: ArticleContext, content: tuple[int, int]) -> tuple[int, int]:
    """From the start of the paragraph the content opens in to the end of the one it closes in."""
    return context.paragraph_of(content[0])[0], context.paragraph_of(max(content[1] - 1, content[0]))[1]


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
                confidence=confidence(statement.rule, speaker),
                content_span=content,
                rule=statement.rule,
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
