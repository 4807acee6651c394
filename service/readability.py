"""Would a publisher print this bullet? The rules a summary keeps, each a test on bullet text:

- ``unbalanced_quotes``: every double quote mark opened is closed (and none closed that was not opened);
- ``dateline``: no bullet opens with a dateline ("New Delhi, India (CNN)As ...");
- ``leans_back``: no bullet opens by pointing back ("And", "But", "It", "This", ...) unless the bullet
  before it is the very sentence it points back to;
- ``furniture``: no sentence about the page instead of the news ("The video is at the top of this story.");
- ``repeat``: no bullet says again what an earlier bullet said (same words, or nearly);
- ``fragment``: no bullet opens in the middle of a sentence, on a lower-case word ("so this is more
  important to me."; a name such as "iPhone" or "eBay" is not one).

The selection (service/select.py) keeps sentences that would break a rule out of the summary, the
compressed summary gives way to its source sentence or drops a bullet where compression broke one
(service/summarize.py), and the eval counts, over a whole data set, the share of bullets that break each
(``python -m eval summarization``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from service import lexicon
from service.schema import Bullet
from service.text_facts import DOUBLE_CLOSERS, DOUBLE_OPENERS, STRAIGHT_DOUBLE, match_dateline

RULES = ("unbalanced_quotes", "dateline", "leans_back", "furniture", "repeat", "fragment")
# A bullet repeats an earlier one when this share of its content words is in that one.
REPEAT_SHARE = 0.7
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_FIRST_WORD = re.compile(r"[^\W_]+")


def unbalanced_quotes(text: str) -> bool:
    """A double quotation opened and not closed, or closed and not opened (curly marks in pairs, in
    order; straight marks in pairs)."""
    depth = 0
    for ch in text:
        if ch in DOUBLE_OPENERS:
            depth += 1
        elif ch in DOUBLE_CLOSERS:
            depth -= 1
            if depth < 0:
                return True
    return depth != 0 or text.count(STRAIGHT_DOUBLE) % 2 == 1


def opens_with_dateline(text: str) -> bool:
    return match_dateline(text.lstrip()) is not None


def opens_leaning_back(text: str) -> bool:
    """The first word points back to a sentence before ("It", "But", "These", ...)."""
    first = _FIRST_WORD.search(text)
    return first is not None and first.group(0).lower() in lexicon.word_set("leaning_openers.txt")


def opens_mid_sentence(text: str) -> bool:
    """The first word is lower case throughout: the rest of a sentence, not its start."""
    first = _FIRST_WORD.search(text)
    return first is not None and first.group(0)[0].isalpha() and first.group(0).islower()


def is_furniture(text: str) -> bool:
    return lexicon.table("summary_furniture.txt", _furniture_pattern).search(text) is not None


def _furniture_pattern(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def content_words(text: str) -> frozenset[str]:
    """Lower-cased words that are not function words (the stop words of the page rules)."""
    stop = lexicon.word_set("page_stopwords.txt")
    return frozenset(w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in stop)


def repeats(words: frozenset[str], earlier: Sequence[frozenset[str]]) -> bool:
    """`words` (a sentence's content words) say nothing that one earlier sentence did not: the same
    sentence, or most of its words in one other."""
    return bool(words) and any(len(words & other) >= REPEAT_SHARE * len(words) for other in earlier)


def without_repeats(bullets: Sequence[Bullet]) -> list[Bullet]:
    """The bullets, less each one that says again what a bullet kept before it said: sentences that were
    different can become near-copies once the compressor has shortened them."""
    kept: list[Bullet] = []
    said: list[frozenset[str]] = []
    for bullet in bullets:
        words = content_words(bullet.text)
        if not repeats(words, said):
            kept.append(bullet)
            said.append(words)
    return kept


def broken_rules(bullets: Sequence[Bullet], adjacent: Callable[[Bullet | None, Bullet], bool]) -> list[frozenset[str]]:
    """For each bullet, the rules it breaks. ``adjacent(before, bullet)``: nothing but the sentence of
    the bullet before (None: nothing at all) stands in the article before this bullet's sentence, so an
    opener like "It" points to what the reader has just read."""
    result = []
    said: list[frozenset[str]] = []
    for k, bullet in enumerate(bullets):
        text = bullet.text
        words = content_words(text)
        broken = {
            "unbalanced_quotes": unbalanced_quotes(text),
            "dateline": opens_with_dateline(text),
            "leans_back": opens_leaning_back(text) and not adjacent(bullets[k - 1] if k else None, bullet),
            "furniture": is_furniture(text),
            "repeat": repeats(words, said),
            "fragment": opens_mid_sentence(text),
        }
        said.append(words)
        result.append(frozenset(rule for rule, hit in broken.items() if hit))
    return result
