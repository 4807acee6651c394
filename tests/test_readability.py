"""Readability rules of a bullet (service/readability.py): balanced quote marks, no dateline, no opener
pointing back to a sentence the reader has not read, no page furniture, no bullet that says again what
an earlier one said."""

from __future__ import annotations

import pytest

from service import readability
from service.schema import Bullet, TextSpan


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


def _bullets(text: str, sentences: list[str]) -> list[Bullet]:
    bullets = []
    for sentence in sentences:
        start = text.index(sentence)
        span = TextSpan(sentence, start, start + len(sentence))
        bullets.append(Bullet(sentence, span, ((span.start, span.end),)))
    return bullets


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
