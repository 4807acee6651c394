"""Each article's summary length: its publisher's own where the dateline credits a listed publisher."""

from __future__ import annotations

import pytest

from service import page, summarize
from service.nlp import load_spacy
from service.schema import SummaryLength
from service.settings import DEFAULT_SPACY_MODEL, Settings
from service.summarize import ExtractiveSummarizer, summary_length
from service.text_facts import dateline_credit

DEFAULT = Settings(summary_max_words=400, summary_max_bullets=20)
# Eight sentences of 15 words, each saying something else.
BODY = " ".join(
    f"The {place} council said on {day} that its {thing} would reopen to visitors next {season}."
    for place, day, thing, season in [
        ("Leeds", "Monday", "library", "spring"),
        ("York", "Tuesday", "museum", "summer"),
        ("Hull", "Wednesday", "swimming pool", "autumn"),
        ("Bath", "Thursday", "theatre", "winter"),
        ("Derby", "Friday", "market hall", "month"),
        ("Ripon", "Saturday", "cathedral tower", "week"),
        ("Wells", "Sunday", "old bridge", "year"),
        ("Selby", "Monday", "town hall", "spring"),
    ]
)


@pytest.mark.parametrize(
    "opening, length",
    [
        ("(CNN)", SummaryLength(4, 30, "CNN")),
        ("LONDON, England (CNN) -- ", SummaryLength(4, 30, "CNN")),
        # Negative cases: a publisher not in the table, another agency's credit, no dateline at all.
        ("(The Hollywood Reporter)", SummaryLength(20, 400)),
        ("SEOUL (Reuters) - ", SummaryLength(20, 400)),
        ("", SummaryLength(20, 400)),
    ],
)
def test_length_follows_the_publisher_the_dateline_credits(opening, length):
    assert summary_length(page.single_article(opening + BODY), DEFAULT) == length


def test_publisher_lengths_can_be_turned_off():
    article = page.single_article("(CNN)" + BODY)
    settings = DEFAULT.model_copy(update={"summary_length_by_publisher": False})
    assert summary_length(article, settings) == SummaryLength(20, 400)


def test_a_credited_article_gets_its_publishers_shorter_summary():
    nlp = load_spacy(DEFAULT_SPACY_MODEL)
    summarizer = ExtractiveSummarizer(DEFAULT)

    def summary(text: str):
        article = page.single_article(text)
        return summarizer.summarize(article, nlp(article.body.text), [])

    # 15 words a sentence: the second sentence reaches CNN's 30 words.
    credited, other = summary("(CNN)" + BODY), summary("(The Hollywood Reporter)" + BODY)
    assert len(credited.bullets) == 2 and credited.length == SummaryLength(4, 30, "CNN")
    assert len(other.bullets) == 8 and other.length == SummaryLength(20, 400)


@pytest.mark.parametrize("line", ["CNN\t4", "CNN 4 30", "CNN\tfour\t30"])
def test_a_malformed_length_table_row_is_named(line):
    with pytest.raises(ValueError, match="is not publisher<TAB>bullets<TAB>words"):
        summarize._publisher_lengths((line,))


@pytest.mark.parametrize(
    "dateline, credit",
    [
        ("(CNN)", "CNN"),
        ("LONDON, England (CNN)", "CNN"),
        ("SEOUL (Reuters)", "Reuters"),
        # Negative cases: a place alone credits no one; brackets not at the end are no credit.
        ("SEOUL", None),
        ("(CNN) LONDON", None),
    ],
)
def test_the_credit_a_dateline_ends_with(dateline, credit):
    assert dateline_credit(dateline) == credit
