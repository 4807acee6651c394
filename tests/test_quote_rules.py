"""Each attribution rule on its own (service/quotes/rules.py, service/quotes/indirect.py): called directly on
a short text where it applies and on one where it must not, whatever the rules before it would do."""

from __future__ import annotations

import pytest

from service.nlp import load_spacy
from service.quotes.confidence import RULE_CONFIDENCE
from service.quotes.context import ArticleContext, trimmed
from service.quotes.indirect import INDIRECT_RULES
from service.quotes.rules import QUOTE_RULES, Attribution, Rule, attribute
from service.quotes.runs import NESTED_RULE_PREFIX
from service.quotes.site import QuoteSite
from service.quotes.statement import Statement
from service.schema import Article, TextSpan
from service.settings import DEFAULT_SPACY_MODEL


@pytest.fixture(scope="module")
def nlp():
    return load_spacy(DEFAULT_SPACY_MODEL)


def context_of(nlp, paragraphs: list[str]) -> ArticleContext:
    spans, cursor = [], 0
    for text in paragraphs:
        spans.append(TextSpan(text, cursor, cursor + len(text)))
        cursor += len(text) + 1
    article = Article(headline=None, dateline=None, bullets=(), paragraphs=tuple(spans))
    return ArticleContext.of(article, nlp(article.body.text), article.body.text)


def site_of(context: ArticleContext, fragment: str) -> QuoteSite:
    """The site of the quote holding `fragment`, with the statements of the quotes before it as the
    pipeline finds them."""
    earlier: list[Statement] = []
    for quoted in context.quoted:
        site = QuoteSite.of(context, quoted, earlier)
        assert site is not None
        if fragment in context.text[quoted.open : quoted.close]:
            return site
        statement = attribute(site)
        if statement is not None:
            earlier.append(statement)
    raise AssertionError(f"no quote holds {fragment!r}")


RULES = {rule.name: rule for rule in QUOTE_RULES}

# rule -> (paragraphs, words of the quote, the speaker's name as found)
APPLIES = {
    "dash_name_colon": (
        ["Pollsters agree - Carl Bialik: “Keep on contacting voters as late as possible.”"],
        "Keep on contacting",
        "Carl Bialik",
    ),
    "naming_verb": (["Jeb Bush called Trump “unhinged” on Tuesday."], "unhinged", "Jeb Bush"),
    "governing_cue": (["“We are ready to talk,” Sergey Lavrov said."], "ready to talk", "Sergey Lavrov"),
    "parenthetical_cue": (
        ["Instead, Donald Trump told CNN, his policy would merely be “to go after them” if he wins the White House."],
        "go after them",
        "Donald Trump",
    ),
    "characterising_phrase": (
        ["Former President Bill Clinton lambasted the Affordable Care Act as a “crazy system” in Flint."],
        "crazy system",
        "Bill Clinton",
    ),
    "verb_complement": (
        ["Senator Maria Cantwell offered “my thoughts and prayers for all of the victims and their families.”"],
        "my thoughts",
        "Maria Cantwell",
    ),
    "run_on_continuation": (
        [
            "Lavrov said on Monday that the talks had gone well.",
            "“They will send a delegation” to the summit in Geneva next week.",
        ],
        "send a delegation",
        "Lavrov",
    ),
    "attached_cue": (
        ["As Michael Dell said last week in Tel Aviv, “Israel is the center of the digital future.”"],
        "Israel is the center",
        "Michael Dell",
    ),
    "according_to_before": (
        ["According to the Daily Caller, “Labott also coordinated with Reines on the quote.”"],
        "Labott also",
        "Daily Caller",
    ),
    "adjacent_cue": (
        ["“So why didn’t Donald Trump pay his taxes?” a narrator in the Clinton ad asks."],
        "So why",
        "a narrator in the Clinton ad",
    ),
    "verb_after_quote": (["“This is fantastic!” beamed Donald Hartley of Madison."], "fantastic", "Donald Hartley"),
    "colon_lead": (
        [
            "Ted Cruz called them on it:",
            "“The questions asked in this debate illustrate why people distrust the media.”",
        ],
        "The questions asked",
        "Ted Cruz",
    ),
    "dash_credit": (
        ["“Stay hungry, stay foolish, and never stop learning.” — Steve Jobs"],
        "Stay hungry",
        "Steve Jobs",
    ),
    "credit_line": (
        [
            "“We are going to enter the next recession without that consensus.",
            "Josh Bivens, Economic Policy Institute.”",
        ],
        "next recession",
        "Josh Bivens",
    ),
    "previous_speaker": (
        ["Hugh Hill, a doctor, said the clinic was full on Monday night.", "“We had no beds left for anyone.”"],
        "no beds left",
        "Hugh Hill",
    ),
}

# rule -> (paragraphs, words of a quote the rule must leave alone)
DOES_NOT_APPLY = {
    "dash_name_colon": (["Sergey Lavrov said: “We are ready to talk to anyone.”"], "ready to talk"),
    "naming_verb": (["“We are ready to talk,” Sergey Lavrov said."], "ready to talk"),
    "governing_cue": (["“The Hill” said the vote would come on Monday."], "The Hill"),
    "parenthetical_cue": (["The so-called “experts” were absent from the meeting on Tuesday."], "experts"),
    "characterising_phrase": (
        ["Senator Maria Cantwell offered “my thoughts and prayers for all of the victims and their families.”"],
        "my thoughts",
    ),
    "verb_complement": (["Senator Maria Cantwell wore a “Vote” badge to the hearing."], "Vote"),
    "run_on_continuation": (
        ["Lavrov spoke on Monday.", "Officials said “a delegation” would go to the summit in Geneva."],
        "a delegation",
    ),
    "attached_cue": (["“Stay hungry, stay foolish, and never stop learning.” — Steve Jobs"], "Stay hungry"),
    "according_to_before": (["“We are ready to talk,” Sergey Lavrov said."], "ready to talk"),
    "adjacent_cue": (["“Stay hungry, stay foolish, and never stop learning.” — Steve Jobs"], "Stay hungry"),
    "verb_after_quote": (["“This is fantastic.” The crowd cheered for an hour."], "fantastic"),
    "colon_lead": (["“We are ready to talk,” Sergey Lavrov said."], "ready to talk"),
    "dash_credit": (["“We are ready to talk,” Sergey Lavrov said."], "ready to talk"),
    # The quote's last line is a sentence of its own, not a credit.
    "credit_line": (["“We will fight this ruling in every court.", "Mayor Doug McCallum will appeal it.”"], "fight"),
    "previous_speaker": (
        ["The weather was mild across the region.", "“We had no beds left for anyone.”"],
        "no beds left",
    ),
}


def test_every_rule_has_cases_and_a_confidence():
    names = [rule.name for rule in QUOTE_RULES] + [rule.name for rule in INDIRECT_RULES]
    assert len(set(names)) == len(names)
    assert set(APPLIES) == set(DOES_NOT_APPLY) == set(RULES)
    nested = {NESTED_RULE_PREFIX + rule.name for rule in INDIRECT_RULES}
    assert set(RULE_CONFIDENCE) == set(names) | nested
    assert all(0.0 < value <= 1.0 for value in RULE_CONFIDENCE.values())


@pytest.mark.parametrize("name", list(APPLIES))
def test_rule_applies(nlp, name):
    paragraphs, fragment, speaker = APPLIES[name]
    rule: Rule = RULES[name]
    context = context_of(nlp, paragraphs)
    site = site_of(context, fragment)
    assert site.kind in rule.kinds
    found = rule.find(site)
    assert isinstance(found, Attribution)
    assert found.speaker is not None and found.speaker.name == speaker
    # The speaker is the article's own characters.
    assert found.speaker.name_span is not None and context.text[slice(*found.speaker.name_span)] == speaker


@pytest.mark.parametrize("name", list(DOES_NOT_APPLY))
def test_rule_does_not_apply(nlp, name):
    paragraphs, fragment = DOES_NOT_APPLY[name]
    site = site_of(context_of(nlp, paragraphs), fragment)
    assert site.kind not in RULES[name].kinds or RULES[name].find(site) is None


@pytest.mark.parametrize(
    "paragraphs, fragment, rule",
    [
        (["“We are ready to talk,” Sergey Lavrov said."], "ready to talk", "governing_cue"),
        (["“Stay hungry, stay foolish, and never stop learning.” — Steve Jobs"], "Stay hungry", "dash_credit"),
        (
            ["Pollsters agree - Carl Bialik: “Keep on contacting voters as late as possible.”"],
            "Keep",
            "dash_name_colon",
        ),
    ],
)
def test_statement_records_its_rule(nlp, paragraphs, fragment, rule):
    statement = attribute(site_of(context_of(nlp, paragraphs), fragment))
    assert statement is not None and statement.rule == rule


INDIRECT = {rule.name: rule for rule in INDIRECT_RULES}

# rule -> (paragraph, the cue word, the reported clause, a paragraph whose cue the rule leaves alone)
INDIRECT_CASES = {
    "according_to_clause": (
        "According to the ministry, the measures were decided in a meeting last week.",
        "According",
        "the measures were decided in a meeting last week",
        "The ministry said the measures were decided in a meeting last week.",
    ),
    "reported_clause": (
        "The ministry said the measures were decided in a meeting last week.",
        "said",
        "the measures were decided in a meeting last week",
        "According to the ministry, the measures were decided in a meeting last week.",
    ),
    "parenthetical_clause": (
        "Mali is leaving the group with immediate effect, the statement said, after talks failed.",
        "said",
        "Mali is leaving the group with immediate effect",
        "The ministry said the measures were decided in a meeting last week.",
    ),
}


@pytest.mark.parametrize("name", list(INDIRECT_CASES))
def test_indirect_rule(nlp, name):
    paragraph, cue_word, clause, other = INDIRECT_CASES[name]
    context = context_of(nlp, [paragraph])
    [cue] = [t for t in context.doc if t.text == cue_word]
    tokens = INDIRECT[name].clause(context, cue)
    assert tokens is not None
    start, end = trimmed(tokens)
    assert context.text[start:end] == clause
    context = context_of(nlp, [other])
    assert all(INDIRECT[name].clause(context, context.doc[i]) is None for i in context.cue_at)
