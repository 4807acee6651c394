"""Sentence selection: budgets, order, datelines, offsets."""

from __future__ import annotations

import pytest

from service import page
from service.nlp import load_spacy
from service.select import select_sentences
from service.settings import DEFAULT_SPACY_MODEL

ARTICLE = (
    "SEOUL: Officials said on Monday that the bridge over the river would reopen next week after repairs.\n\n"
    "The repairs cost 20 million dollars and took three years, the transport ministry said.\n\n"
    "Why did it take so long?\n\n"
    "Drivers had used a ferry in the meantime, adding an hour to their commute each day.\n\n"
    "Short.\n\n"
    "The ministry will publish a report on the delays later this year, officials added."
)


@pytest.fixture(scope="module")
def analysed():
    article = page.single_article(ARTICLE)
    return article, load_spacy(DEFAULT_SPACY_MODEL)(article.body.text)


@pytest.mark.parametrize("max_sentences, max_words", [(1, 100), (2, 100), (4, 35), (10, 1000)])
def test_budget_order_and_offsets(analysed, max_sentences, max_words):
    article, doc = analysed
    selected = select_sentences(article, doc, [], max_sentences=max_sentences, max_words=max_words)
    assert 1 <= len(selected) <= max_sentences
    assert [s.position for s in selected] == sorted(s.position for s in selected)
    if len(selected) > 1:
        # Only the sentence that crossed the budget took it over: without one of them it is under.
        counts = [sum(any(c.isalnum() for c in w.text) for w in s.words) for s in selected]
        assert min(sum(counts) - c for c in counts) < max_words
    for sentence in selected:
        assert ARTICLE[sentence.span.start : sentence.span.end] == sentence.span.text
        assert all(ARTICLE[w.start : w.end] == w.text for w in sentence.words)


def test_lead_sentence_loses_its_dateline(analysed):
    article, doc = analysed
    first = select_sentences(article, doc, [], max_sentences=10, max_words=1000)[0]
    assert first.span.text.startswith("Officials said on Monday")
    assert not any(w.text in {"SEOUL", ":"} for w in first.words)


def test_questions_and_fragments_are_not_selected(analysed):
    article, doc = analysed
    chosen = select_sentences(article, doc, [], max_sentences=10, max_words=1000)
    texts = [s.span.text for s in chosen]
    assert not any(t.endswith("?") for t in texts)
    assert "Short." not in texts


def test_table_rows_without_a_verb_are_not_selected():
    text = (
        "Lewis Hamilton took pole position for the Chinese Grand Prix in Shanghai on Saturday.\n\n"
        "Lewis Hamilton (Britain) Mercedes 1:35.782 2.\n\n"
        "Nico Rosberg (Germany) Mercedes 1:35.824 3.\n\n"
        "Sebastian Vettel (Germany) Ferrari 1:36.687 4.\n\n"
        "Rosberg said the team would study the data before the race on Sunday."
    )
    article = page.single_article(text)
    chosen = select_sentences(article, load_spacy(DEFAULT_SPACY_MODEL)(article.body.text), [], 10, 1000)
    assert [s.span.text.split()[0] for s in chosen] == ["Lewis", "Rosberg"]


def test_dateline_glued_to_the_first_word_is_cut_inside_the_token():
    text = "(CNN)They may not be extraterrestrials, but we may be close to finding evidence of alien life."
    article = page.single_article(text)
    doc = load_spacy(DEFAULT_SPACY_MODEL)(article.body.text)
    (first,) = select_sentences(article, doc, [], max_sentences=1, max_words=100)
    assert first.words[0].text == "They"
    assert first.span.text.startswith("They may not be")


@pytest.mark.parametrize(
    "text, opening",
    [
        (
            '(CNN)"A long, long time ago, I can still remember..." Those words make baby boomers think of a song.',
            '"A long',
        ),
        ("SEOUL (Reuters) - “We will reopen the bridge,” the minister said at a news conference.", "“We will"),
        # Negative case: the separator after the dateline goes.
        ("SEOUL (Reuters) - The minister said the bridge would reopen at a news conference.", "The minister"),
    ],
)
def test_a_quote_mark_after_the_dateline_stays_with_its_sentence(text, opening):
    article = page.single_article(text)
    doc = load_spacy(DEFAULT_SPACY_MODEL)(article.body.text)
    (first,) = select_sentences(article, doc, [], max_sentences=1, max_words=100)
    assert first.span.text.startswith(opening)


@pytest.mark.parametrize(
    "repeated",
    [
        "Officials said on Monday that the bridge over the river would reopen next week after repairs.",
        "Officials said on Tuesday that the bridge over the river would reopen next week after the repairs.",
    ],
    ids=["the same sentence", "a near duplicate"],
)
def test_a_sentence_said_twice_is_one_bullet(repeated):
    text = ARTICLE.replace("after repairs.\n\n", f"after repairs. {repeated}\n\n", 1)
    article = page.single_article(text)
    doc = load_spacy(DEFAULT_SPACY_MODEL)(article.body.text)
    chosen = select_sentences(article, doc, [], max_sentences=10, max_words=1000)
    assert sum("the bridge over the river would reopen" in s.span.text for s in chosen) == 1
    assert len(chosen) >= 3  # the other sentences are still chosen


def test_different_sentences_sharing_some_words_are_both_kept():
    text = (
        "The ministry said the bridge would reopen next week after three years of repairs.\n\n"
        "The ministry said the ferry that replaced the bridge would stop running at the end of the month."
    )
    article = page.single_article(text)
    doc = load_spacy(DEFAULT_SPACY_MODEL)(article.body.text)
    assert len(select_sentences(article, doc, [], max_sentences=10, max_words=1000)) == 2


def test_empty_article_selects_nothing():
    article = page.single_article("   ")
    doc = load_spacy(DEFAULT_SPACY_MODEL)(article.body.text)
    assert select_sentences(article, doc, [], max_sentences=3, max_words=60) == []


@pytest.fixture(scope="module")
def nlp():
    return load_spacy(DEFAULT_SPACY_MODEL)


def only_sentence(nlp, text: str):
    article = page.single_article(text)
    (sentence,) = select_sentences(article, nlp(article.body.text), [], max_sentences=1, max_words=1000)
    return sentence


@pytest.mark.parametrize(
    "text, deletable, not_deletable",
    [
        # An appositive goes with both its commas: "Hugh Hill said".
        (
            "Hugh Hill, a doctor at the city hospital, said the clinic would close.",
            ", a doctor at the city hospital,",
            "said",
        ),
        # A phrase after a noun is detail; "former" changes the claim and stays.
        ("The former president met a farmer from Ohio on Tuesday.", "from Ohio", "former"),
        # A verb's only complement stays: "Lavrov spoke" says nothing.
        (
            "Foreign Minister Sergey Lavrov spoke at the eastern city of Wonsan.",
            "eastern",
            "at the eastern city of Wonsan",
        ),
        # A non-restrictive relative clause with its commas; a conjunct with its "and".
        (
            "The company, which was founded in 1990, sold the factory and its offices.",
            ", which was founded in 1990,",
            "sold the factory",
        ),
        ("The company, which was founded in 1990, sold the factory and its offices.", "and its offices", "the factory"),
        # Part of a name: dropping "and Irish" would name another team.
        ("Gatland was named head coach of the British and Irish Lions for the tour.", "for the tour", "and Irish"),
        (
            "Gatland was named head coach of the British and Irish Lions for the tour.",
            "for the tour",
            "British and Irish",
        ),
        # An attribution tail with its comma; "never" stays.
        ("The minister never approved the plan, according to two officials.", ", according to two officials", "never"),
    ],
)
def test_deletable_phrases_are_whole_modifiers(nlp, text, deletable, not_deletable):
    sentence = only_sentence(nlp, text)
    phrases = {text[start:end] for start, end in sentence.deletable}
    assert deletable in phrases
    assert not_deletable not in phrases


def test_quoted_words_are_never_in_a_deletable_phrase(nlp):
    text = '"We will not stop," the union leader said after the vote in the capital.'
    sentence = only_sentence(nlp, text)
    assert sentence.deletable, "the time phrase after the verb may go"
    assert all(not set('"“”') & set(text[start:end]) for start, end in sentence.deletable)


def test_keep_values_follow_mentions_and_what_was_said(nlp):
    text = (
        "Flooding hit the valley town again. Flooding closed roads. Flooding cut power in the valley. "
        "Flooding and storms struck. Flooding returned. Rescuers reached the valley on Sunday."
    )
    article = page.single_article(text)
    doc = nlp(article.body.text)
    sentence = next(s for s in select_sentences(article, doc, [], 10, 1000) if s.words[0].text == "Rescuers")
    by_word = dict(zip((w.text for w in sentence.words), sentence.keep_values(set())))
    assert by_word["Rescuers"] == -1.0  # mentioned once
    assert by_word["valley"] == 1.0  # three times
    assert by_word["the"] == 0.0  # a function word: syntax decides
    assert dict(zip((w.text for w in sentence.words), sentence.keep_values({"valley"})))["valley"] == -1.0
