"""Readability rules of a bullet (service/readability.py), and the summariser keeping to them: balanced
quote marks, no dateline, no opener pointing back to a sentence the reader has not read, no page
furniture, no bullet that says again what an earlier one said, no bullet that opens mid-sentence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from service import page, readability
from service.compress import Compressor
from service.nlp import load_spacy
from service.schema import Bullet, TextSpan
from service.select import SelectedSentence, Word, select_sentences
from service.settings import DEFAULT_SPACY_MODEL, Settings
from service.summarize import Seq2SeqSummarizer, broken_rules


@pytest.mark.parametrize(
    "text, unbalanced",
    [
        ("He said “no” and left.", False),
        ('He said "no" and left.', False),
        ("“I'm on television, honey,” and “I wouldn't work there.”", False),
        ("No quotation at all.", False),
        ("As caught on tape: “I'm on television ... honey,” and “I wouldn't work at a place like this.", True),
        ('He said "no and left.', True),
        ("He said no” and left.", True),
        ("”Backwards“ marks.", True),
    ],
)
def test_unbalanced_quotes(text, unbalanced):
    assert readability.unbalanced_quotes(text) is unbalanced


@pytest.mark.parametrize(
    "text, has_dateline",
    [
        ("New Delhi, India (CNN)As the earth shook in Nepal, people ran.", True),
        ("SEOUL: Officials said the bridge would reopen.", True),
        ("Officials in Seoul said the bridge would reopen.", False),
        ("BREAKING: the bridge is closed.", False),
    ],
)
def test_opens_with_dateline(text, has_dateline):
    assert readability.opens_with_dateline(text) is has_dateline


@pytest.mark.parametrize(
    "text, leans",
    [
        ("And giving some lip -- like Kylie Jenner.", True),
        ("But the minister said no.", True),
        ("It rose by 4%.", True),
        ("“This is the end,” he said.", True),
        ("The minister said no.", False),
        ("Italy rose by 4%.", False),
        ("Andrew said no.", False),
    ],
)
def test_opens_leaning_back(text, leans):
    assert readability.opens_leaning_back(text) is leans


@pytest.mark.parametrize(
    "text, furniture",
    [
        ("The video is at the top of this story.", True),
        ("These are the best videos of the week.", True),
        ("Follow us on Twitter for more.", True),
        ("Watch the video above to see the rescue.", True),
        ("The video shows the rescue of three miners.", False),
        ("The best players of the week met the president.", False),
    ],
)
def test_is_furniture(text, furniture):
    assert readability.is_furniture(text) is furniture


@pytest.mark.parametrize(
    "sentence, earlier, repeated",
    [
        ("The bridge will reopen next week.", ["The bridge will reopen next week."], True),
        ("The old bridge will reopen next week.", ["The bridge will reopen next week, officials said."], True),
        ("The bridge will reopen next week.", ["Repairs cost 20 million dollars."], False),
        ("The bridge will reopen next week.", [], False),
        ("The bridge will reopen after repairs costing 20 million dollars.", ["The bridge will reopen."], False),
    ],
)
def test_repeats_by_word_overlap(sentence, earlier, repeated):
    words = readability.content_words(sentence)
    assert readability.repeats(words, [readability.content_words(e) for e in earlier]) is repeated


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("so this trip matters more to me.", True),
        ("and prices rose by 4% in March.", True),
        # Negative cases: a sentence's start, a name written in lower case, a number.
        ("The minister said no.", False),
        ("iPhone sales rose by 4%.", False),
        ("eBay shares fell on Monday.", False),
        ("42 people were rescued.", False),
    ],
)
def test_opens_mid_sentence(text, fragment):
    assert readability.opens_mid_sentence(text) is fragment


def _bullets(text: str, sentences: list[str]) -> list[Bullet]:
    bullets = []
    for sentence in sentences:
        start = text.index(sentence)
        span = TextSpan(sentence, start, start + len(sentence))
        bullets.append(Bullet(sentence, span, ((span.start, span.end),)))
    return bullets


def test_broken_rules_name_each_rule_and_let_a_follow_on_opener_pass():
    text = (
        "The minister resigned on Monday. It was her third year in office. Prices rose by 4% in March. "
        "“We will fight on, he said. This follows a long dispute. The video is at the top of this story."
    )
    article = page.single_article(text)
    sentences = [
        "The minister resigned on Monday.",
        "It was her third year in office.",
        "This follows a long dispute.",
        "“We will fight on, he said.",
        "The video is at the top of this story.",
        "The minister resigned on Monday.",
    ]
    rules = broken_rules(article, _bullets(text, sentences))
    assert rules == [
        frozenset(),
        frozenset(),  # "It" follows the bullet it points back to
        frozenset({"leans_back"}),  # the sentence before it in the article is not a bullet
        frozenset({"unbalanced_quotes"}),
        frozenset({"furniture"}),
        frozenset({"repeat"}),
    ]


def test_broken_rules_name_a_bullet_that_opens_mid_sentence():
    text = "The ferry resumed service on Monday. Crews had repaired it, so the trip matters more to tourists."
    article = page.single_article(text)
    rules = broken_rules(article, _bullets(text, ["The ferry resumed service on Monday.", "so the trip matters"]))
    assert rules == [frozenset(), frozenset({"fragment"})]


def test_without_repeats_drops_a_bullet_that_compression_made_a_near_copy():
    text = (
        "The bridge over the Han river will reopen next week, the ministry said on Monday. "
        "The bridge will reopen next week after repairs, officials in Seoul told reporters. "
        "Drivers used a ferry in the meantime."
    )
    bullets = _bullets(
        text,
        [
            "The bridge over the Han river will reopen next week",
            "The bridge will reopen next week",
            "Drivers used a ferry in the meantime.",
        ],
    )
    assert [b.text for b in readability.without_repeats(bullets)] == [bullets[0].text, bullets[2].text]
    # Negative case: different bullets all stay, in order.
    assert readability.without_repeats([bullets[0], bullets[2]]) == [bullets[0], bullets[2]]


# --- The selection keeps to the rules ---------------------------------------------------------------

LEAD = "The bridge over the Han river will reopen next week after three years of repairs, officials said.\n\n"
LAST = "\n\nDrivers had used a ferry in the meantime, adding an hour to their commute each day."


@pytest.fixture(scope="module")
def nlp():
    return load_spacy(DEFAULT_SPACY_MODEL)


def chosen(nlp, text: str, max_sentences: int = 2) -> list[str]:
    article = page.single_article(text)
    selected = select_sentences(article, nlp(article.body.text), [], max_sentences=max_sentences, max_words=1000)
    return [s.span.text for s in selected]


@pytest.mark.parametrize(
    "second, printable",
    [
        ("The video of the reopening ceremony is at the top of this story.", False),
        ("The repairs cost 20 million dollars, “far more than planned, the minister said.", False),
        # Negative cases: the same sentences with nothing a publisher would not print are chosen.
        ("The video of the reopening ceremony shows the minister cutting a ribbon.", True),
        ("The repairs cost 20 million dollars, “far more than planned,” the minister said.", True),
    ],
)
def test_a_sentence_a_publisher_would_not_print_is_passed_over(nlp, second, printable):
    texts = chosen(nlp, LEAD + second + LAST)
    assert texts[0] == LEAD.strip()
    assert (texts[1] == second) is printable
    if not printable:
        assert texts[1] == LAST.strip()


def test_a_sentence_the_parser_ended_mid_line_is_read_whole(nlp):
    # The parser ends a sentence after "Lake Geneva" and starts the next on "so": one sentence, one bullet.
    whole = (
        "The ferry runs like any other service that grew popular thanks to tourists like Anna Berg, but I really "
        "prefer Lake Geneva so this trip matters more to me."
    )
    texts = chosen(nlp, LEAD + whole + LAST, max_sentences=3)
    assert whole in texts
    assert not any(readability.opens_mid_sentence(text) for text in texts)


@pytest.mark.parametrize(
    "before, may_lean",
    [
        # A question stands between: "It" would point to a sentence the summary does not give.
        ("Why did the repairs on the old bridge take three whole years?\n\n", False),
        # Negative case: right after the lead sentence, which is chosen, "It" reads on from it.
        ("", True),
    ],
)
def test_a_sentence_pointing_back_follows_the_sentence_it_points_to(nlp, before, may_lean):
    leaning = "It was found to be unsafe by engineers who inspected it in the spring of 2019."
    article = page.single_article(LEAD + before + leaning + LAST)
    selected = select_sentences(article, nlp(article.body.text), [], max_sentences=3, max_words=1000)
    assert (leaning in [s.span.text for s in selected]) is may_lean
    bullets = [Bullet(s.span.text, s.span, ((s.span.start, s.span.end),)) for s in selected]
    assert not any(rules for rules in broken_rules(article, bullets))


def test_a_sentence_that_says_again_what_a_chosen_one_before_it_says_is_not_chosen(nlp):
    long_one = (
        "Officials in Seoul announced on Monday that the Han bridge, damaged by floods during the summer, "
        "will reopen following extensive structural repairs."
    )
    short_one = "The Han bridge will reopen to cars."
    drivers = "Drivers crossing the Han have waited for the bridge to reopen since the floods."
    text = "\n\n".join(["Bridge reopens to cars", long_one, short_one, drivers])
    article = page.single_article(text)
    article = replace(article, headline=article.paragraphs[0], paragraphs=article.paragraphs[1:])
    selected = select_sentences(article, nlp(article.body.text), [], max_sentences=2, max_words=1000)
    # The headline ranks the short sentence first; under it, the long one before it in the article says
    # all the short one says, so only one of the two is a bullet. Negative case: the drivers' sentence
    # shares words with both, says more, and is chosen.
    assert [s.span.text for s in selected] == [short_one, drivers]


def test_an_article_whose_every_sentence_breaks_a_rule_still_gets_its_best_one(nlp):
    text = (
        "The video of the reopening ceremony is at the top of this story.\n\n"
        "Follow us on Twitter for the latest news about the bridge and the river."
    )
    assert chosen(nlp, text) == ["The video of the reopening ceremony is at the top of this story."]


# --- The compressor's bullets keep to the rules ---------------------------------------------------


class _Deleting(Compressor):
    """Keeps the words that `keep` leaves of each sentence."""

    name, version, expected_ratio = "deleting", "0", 1.0

    def __init__(self, keep: Callable[[Sequence[Word]], Sequence[Word]]) -> None:
        self.keep = keep

    def compress(self, sentences: Sequence[SelectedSentence], quotes):
        return [tuple((w.start, w.end) for w in self.keep(s.words)) for s in sentences]


def _without(*texts: str) -> Callable[[Sequence[Word]], Sequence[Word]]:
    return lambda words: [w for w in words if w.text not in texts]


def summary_bullets(nlp, text: str, compressor: Compressor) -> list[str]:
    article = page.single_article(text)
    summarizer = Seq2SeqSummarizer(Settings(summary_max_words=400), compressor)
    return [b.text for b in summarizer.summarize(article, nlp(article.body.text), []).bullets]


@pytest.mark.parametrize(
    "sentence, dropped, compressed",
    [
        # Leaves a quote mark unpaired, or opens with a word pointing back: the sentence stands instead.
        ("The minister said “we will fight on and never give up” before leaving the talks.", ("”",), None),
        ("In March, it rose by four percent to a record high in Seoul.", ("In", "March", ","), None),
        # Negative cases: compressions that keep the rules stand.
        (
            "The minister said “we will fight on and never give up” before leaving the talks.",
            ("before", "leaving", "the", "talks"),
            "The minister said “we will fight on and never give up”.",
        ),
        (
            "On Monday, prices rose by four percent to a record high in Seoul.",
            ("On", "Monday", ","),
            "Prices rose by four percent to a record high in Seoul.",
        ),
    ],
)
def test_a_compression_that_breaks_a_rule_gives_way_to_its_sentence(nlp, sentence, dropped, compressed):
    (bullet,) = summary_bullets(nlp, sentence, _Deleting(_without(*dropped)))
    assert bullet == (compressed or sentence)


def test_a_bullet_compressed_into_a_near_copy_of_an_earlier_one_is_dropped(nlp):
    text = (
        "The bridge over the Han river will reopen next week, the ministry said on Monday.\n\n"
        "The bridge will reopen next week after repairs, officials in Seoul told reporters on Tuesday."
    )

    def up_to_week(words: Sequence[Word]) -> Sequence[Word]:
        return words[: next(i for i, w in enumerate(words) if w.text == "week") + 1]

    assert summary_bullets(nlp, text, _Deleting(up_to_week)) == ["The bridge over the Han river will reopen next week"]
    # Negative case: compressed less, the two bullets say different things and both stay.
    assert len(summary_bullets(nlp, text, _Deleting(_without(",")))) == 2
