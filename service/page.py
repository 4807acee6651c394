"""Stage 1: page text -> articles.

Users paste whatever a browser copied: one or several articles, their headlines (sometimes *after* the
body), the publisher's bullet points, share links, footers, and paragraphs pasted twice. This module
turns that into ``Article`` objects whose every span indexes the input text exactly.

How ``parse_page`` works:

1. Each non-blank line is classified (``LineKind``): body paragraph, headline-like line, bullet, bare
   link, boilerplate (patterns in ``rules/boilerplate.txt``) or menu-like (very short, unpunctuated).
2. Body lines form runs; the non-body lines between two runs form a *cluster*. A run is also cut
   before a paragraph that opens with a dateline (see below).
3. Each cluster is resolved by content, not position alone: a headline-like line goes to the article
   whose opening paragraphs it echoes (shares more content words with), bullets to the article whose
   body they share more words with. Position only breaks ties (a headline right before a body is that
   body's; bullets follow the nearest headline before them).
4. A cluster is an article boundary when the next run opens with a dateline, when it gives the previous
   article its (trailing or repeated) headline, or when its headline echoes the next run more than the
   previous one. Otherwise it sits inside one article: its headline-like lines are sub-headings and are
   dropped, its bullets are list items and stay as paragraphs.
5. Paragraphs already seen on the page (same words, ignoring case, punctuation and quote style) are
   dropped into ``dropped_repeats``; first occurrence wins. A furniture sentence inside a paragraph
   ("Follow us on Twitter.") is cut out, the paragraph becoming the spans around it. Articles left
   without paragraphs vanish.

Choices callers rely on:

- The dateline is its own span ("SEOUL", "WASHINGTON (Reuters)", "(CNN)"; the separator ":" / "-"
  is not part of it) and the paragraph that carries it keeps its full text, dateline included, so
  quote offsets inside the first paragraph need no adjustment.
- A dateline-led paragraph in the middle of a run of paragraphs starts a new article when it is a
  wire dateline ("(Reuters) -"), or a "PLACE:" opener on a page where no such label opens two
  paragraphs (a repeated label, "LAVROV: ...", marks a transcript whose labels are speakers).
- Lines ending in "?" or "!" are body text (in-article questions are commoner than question headlines).
- Headline-like lines need 4+ words; shorter unpunctuated lines are treated as navigation.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from service import lexicon
from service.schema import Article, TextSpan
from service.text_facts import SENTENCE_CLOSERS, SENTENCE_END, match_dateline

# A stripped non-blank line: from its first to its last character that is neither whitespace (NBSP
# included) nor a zero-width mark, never crossing a line break (those str.splitlines() knows).
_LINE = re.compile(r"[^\s\u200b\u2060\ufeff](?:[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*[^\s\u200b\u2060\ufeff])?")
_LETTER = re.compile(r"[^\W\d_]")

_HEADLINE_MIN_WORDS = 4
_HEADLINE_MAX_WORDS = 30
_HEADLINE_MAX_CHARS = 250
_MENU_MAX_WORDS = 3
# Boilerplate is short; never running the patterns on long lines also bounds their cost.
_BOILERPLATE_MAX_CHARS = 400
# Shared content words that make a headline or bullet "echo" a body.
_MIN_ECHO_WORDS = 2
# Sub-headings inside an article are short; headlines of new stories are usually longer.
SUBHEADING_MAX_WORDS = 7
# Paragraphs a headline is compared with: headlines restate the lede, not the whole story.
_OPENING_PARAGRAPHS = 3

_BULLET = re.compile(r"[-–•*·▪●◦‣►]\s+")
_LINK = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_MENU_SEPARATOR = re.compile(r"\s[|•·›»]\s")


class LineKind(enum.Enum):
    BODY = "body"
    HEADLINE = "headline"
    BULLET = "bullet"
    LINK = "link"
    BOILERPLATE = "boilerplate"
    MENU = "menu"


class _Line(NamedTuple):
    """One stripped non-blank line (a NamedTuple: a page can hold hundreds of thousands of lines)."""

    kind: LineKind
    text: str
    start: int
    # Words of the line after Unicode/case folding: equal keys mean "the same paragraph".
    # Only lines the parser may keep (body, headline, bullet) get a key, words and a dateline.
    key: str = ""
    words: frozenset[str] = frozenset()
    dateline: TextSpan | None = None
    wire_dateline: bool = False

    def span(self) -> TextSpan:
        return TextSpan(self.text, self.start, self.start + len(self.text))


@dataclass
class _Draft:
    """An article being assembled from runs of body lines."""

    paragraphs: list[_Line]
    headline: _Line | None = None
    bullets: list[_Line] = field(default_factory=list)
    words: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for line in self.paragraphs:
            self.words |= line.words

    def extend(self, lines: list[_Line]) -> None:
        self.paragraphs.extend(lines)
        for line in lines:
            self.words |= line.words

    def opening_words(self) -> frozenset[str]:
        return _union(self.paragraphs[:_OPENING_PARAGRAPHS])


@dataclass
class _ClusterPlan:
    boundary: bool
    previous_headline: _Line | None = None
    next_headline: _Line | None = None
    previous_bullets: list[_Line] = field(default_factory=list)
    next_bullets: list[_Line] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# Rules files


def _boilerplate_patterns() -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    return lexicon.table("boilerplate.txt", _compile_boilerplate)


def _compile_boilerplate(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """(patterns anchored at the line start, tried with match; the rest, tried with search).

    Split so that the many anchored patterns are tried once per line, not at every position.
    """
    anchored: list[str] = []
    floating: list[str] = []
    for pattern in patterns:
        try:  # compile one by one so that a bad line is named in the error
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"bad pattern in rules/boilerplate.txt: {pattern!r}: {exc}") from exc
        (anchored if pattern.startswith("^") else floating).append(pattern)
    return _alternation(anchored), _alternation(floating) if floating else None


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------
# Words and keys


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def text_key(text: str) -> str:
    """The words of a text after Unicode and case folding: equal keys mean "the same paragraph".

    Punctuation and quote style vanish here, so “curly” and "straight" copies compare equal.
    """
    return " ".join(_WORD.findall(_fold(text)))


def _stem(word: str) -> str:
    """Crude suffix folding so that "warns"/"warned" and "targeting"/"target" meet."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _content_stem(word: str) -> str:
    """The stem a word counts as when lines are compared; "" for stopwords and single letters."""
    if len(word) < 2 or word in lexicon.word_set("page_stopwords.txt"):
        return ""
    return _stem(word)


def _content_words(key: str) -> frozenset[str]:
    stems = set(map(_content_stem, set(key.split())))
    stems.discard("")
    return frozenset(stems)


def _union(lines: list[_Line]) -> frozenset[str]:
    words: set[str] = set()
    for line in lines:
        words |= line.words
    return frozenset(words)


# ---------------------------------------------------------------------------------------------------
# Lines


def _stripped_lines(text: str) -> list[tuple[str, int]]:
    """(text, page offset) of each non-blank line, stripped; any line break (\\n, \\r\\n, \\r, ...)."""
    return [(match.group(), match.start()) for match in _LINE.finditer(text)]


def ends_sentence(text: str) -> bool:
    """Whether a stripped text ends the way a sentence (or a clause of one) does."""
    trimmed = text.rstrip(SENTENCE_CLOSERS)  # text is already stripped of whitespace
    return bool(trimmed) and trimmed[-1] in ".!?…;:,"


def _is_menu(text: str, word_count: int) -> bool:
    if word_count <= _MENU_MAX_WORDS and not ends_sentence(text):
        return True
    # Breadcrumbs and nav bars: "Home › World › Middle East", "News | Sport | Weather".
    items = _MENU_SEPARATOR.split(text)
    return len(items) >= 3 and all(len(item.split()) <= 4 for item in items)


def is_boilerplate(text: str) -> bool:
    """Whether a stripped line (or sentence) is page furniture (rules/boilerplate.txt)."""
    if len(text) > _BOILERPLATE_MAX_CHARS:
        return False
    anchored, floating = _boilerplate_patterns()
    return anchored.match(text) is not None or (floating is not None and floating.search(text) is not None)


def without_furniture(paragraph: TextSpan) -> list[TextSpan]:
    """The paragraph's spans between its furniture sentences ("Follow us on Twitter."), in order."""
    text = paragraph.text
    ends = [match.end() for match in SENTENCE_END.finditer(text)]
    kept: list[TextSpan] = []
    piece_start: int | None = None
    piece_end = 0
    for start, end in zip([0, *ends], [*ends, len(text)], strict=True):
        if is_boilerplate(text[start:end].strip()):
            if piece_start is not None:
                kept.append(_stripped_span(paragraph, piece_start, piece_end))
            piece_start = None
            continue
        piece_start = start if piece_start is None else piece_start
        piece_end = end
    if piece_start is not None:
        kept.append(_stripped_span(paragraph, piece_start, piece_end))
    return [span for span in kept if span.text]


def _stripped_span(paragraph: TextSpan, start: int, end: int) -> TextSpan:
    """The stripped span of paragraph.text[start:end], in source-text offsets."""
    piece = paragraph.text[start:end]
    lead = len(piece) - len(piece.lstrip())
    text = piece.strip()
    return TextSpan(text, paragraph.start + start + lead, paragraph.start + start + lead + len(text))


def _is_headline_like(text: str, word_count: int) -> bool:
    return (
        _HEADLINE_MIN_WORDS <= word_count <= _HEADLINE_MAX_WORDS
        and len(text) <= _HEADLINE_MAX_CHARS
        and not ends_sentence(text)
    )


def find_dateline(text: str, start: int) -> tuple[TextSpan | None, bool]:
    """The dateline opening a paragraph at page offset ``start``, and whether it names an agency."""
    found = match_dateline(text)
    if found is None:
        return None, False
    return TextSpan(text[found.start : found.end], start + found.start, start + found.end), found.names_agency


def _text_line(kind: LineKind, text: str, start: int) -> _Line:
    """A line the parser may keep (body, headline, bullet): it gets its key and content words."""
    key = text_key(text)
    dateline, wire = find_dateline(text, start) if kind is LineKind.BODY else (None, False)
    return _Line(kind, text, start, key, _content_words(key), dateline, wire)


def _classify(text: str, start: int) -> _Line:
    if _LETTER.search(text) is None:
        return _Line(LineKind.BOILERPLATE, text, start)
    words = text.split()
    if len(words) == 1 and _LINK.fullmatch(text):
        return _Line(LineKind.LINK, text, start)
    marker = _BULLET.match(text)
    if marker:
        item, item_start = text[marker.end() :], start + marker.end()
        if _is_menu(item, len(words) - 1) or is_boilerplate(item):
            return _Line(LineKind.MENU, item, item_start)
        return _text_line(LineKind.BULLET, item, item_start)
    if _is_menu(text, len(words)):
        return _Line(LineKind.MENU, text, start)
    if is_boilerplate(text):
        return _Line(LineKind.BOILERPLATE, text, start)
    if _is_headline_like(text, len(words)):
        return _text_line(LineKind.HEADLINE, text, start)
    return _text_line(LineKind.BODY, text, start)


def _classified_lines(text: str) -> list[_Line]:
    # Pages repeat lines (pasted paragraphs, furniture): classify each distinct line once, at
    # offset 0, and move the result to each place it occurs.
    classified: dict[str, _Line] = {}
    lines = []
    for line, start in _stripped_lines(text):
        template = classified.get(line)
        if template is None:
            template = classified[line] = _classify(line, 0)
        lines.append(_moved(template, start))
    return lines


def _moved(line: _Line, offset: int) -> _Line:
    dateline = line.dateline
    if dateline is not None:
        dateline = TextSpan(dateline.text, dateline.start + offset, dateline.end + offset)
    return _Line(line.kind, line.text, line.start + offset, line.key, line.words, dateline, line.wire_dateline)


def classify_lines(text: str) -> list[tuple[LineKind, TextSpan]]:
    """Each non-blank line's kind and stripped span (bullets: without their marker)."""
    return [(line.kind, line.span()) for line in _classified_lines(text)]


# ---------------------------------------------------------------------------------------------------
# Segmentation


def _opens_article(line: _Line, is_transcript: bool) -> bool:
    """Whether a dateline-led paragraph starts an article even in the middle of a run of paragraphs.

    Wire datelines always do. "PLACE:" openers do only on a page where no such label repeats: a
    repeated label ("LAVROV: ...") means the page is a transcript and its labels are speakers.
    """
    if line.dateline is None:
        return False
    return line.wire_dateline or not is_transcript


def _blocks(lines: list[_Line], is_transcript: bool) -> tuple[list[tuple[list[_Line], list[_Line]]], list[_Line]]:
    """(cluster, run) pairs: the non-body lines before each run of body lines, and the tail cluster."""
    blocks: list[tuple[list[_Line], list[_Line]]] = []
    cluster: list[_Line] = []
    run: list[_Line] = []
    for line in lines:
        if line.kind is not LineKind.BODY:
            if run:
                blocks.append((cluster, run))
                cluster, run = [], []
            cluster.append(line)
            continue
        if run and _opens_article(line, is_transcript):
            blocks.append((cluster, run))
            cluster, run = [], []
        run.append(line)
    if run:
        blocks.append((cluster, run))
        cluster = []
    return blocks, cluster


def _shared(line: _Line, words: frozenset[str] | set[str]) -> int:
    return len(line.words & words)


def _plan_cluster(
    cluster: list[_Line], previous: _Draft | None, run: list[_Line] | None, run_opens_article: bool
) -> _ClusterPlan:
    """Decide what the lines between two bodies (either may be missing) belong to."""
    previous_opening = previous.opening_words() if previous else frozenset()
    previous_key = previous.headline.key if previous and previous.headline else None
    next_opening = _union(run[:_OPENING_PARAGRAPHS]) if run else frozenset()

    headlines = [line for line in cluster if line.kind is LineKind.HEADLINE]
    repeats_previous = [line for line in headlines if line.key == previous_key]
    candidates = _unique_by_key([line for line in headlines if line.key != previous_key])
    last_candidate = candidates[-1] if candidates else None

    def echo_previous(line: _Line) -> int:
        return _shared(line, previous_opening)

    def echo_next(line: _Line) -> int:
        return _shared(line, next_opening)

    next_headline = None
    if run is not None:
        # The line right before a body is its headline unless it echoes the previous body more.
        for_next = [
            line
            for line in candidates
            if echo_next(line) > echo_previous(line)
            or (line is last_candidate and echo_next(line) == echo_previous(line))
        ]
        next_headline = max(for_next, key=lambda line: (echo_next(line), line.start), default=None)

    previous_headline = None
    if previous is not None and previous.headline is None:
        # A headline after a body (as some sites print it) must echo that body.
        for_previous = [
            line
            for line in candidates
            if line is not next_headline
            and echo_previous(line) >= _MIN_ECHO_WORDS
            and echo_previous(line) > echo_next(line)
        ]
        previous_headline = max(for_previous, key=lambda line: (echo_previous(line), -line.start), default=None)

    boundary = (
        previous is None
        or run is None
        or run_opens_article
        or previous_headline is not None
        or bool(repeats_previous)
        or (next_headline is not None and _starts_new_story(next_headline, echo_previous, echo_next))
    )
    plan = _ClusterPlan(boundary, previous_headline, next_headline if boundary else None)
    if boundary:
        _assign_bullets(cluster, plan, previous, run)
    return plan


def _starts_new_story(
    headline: _Line, echo_previous: Callable[[_Line], int], echo_next: Callable[[_Line], int]
) -> bool:
    """A headline-like line between two bodies: a new story's headline, or a sub-heading?

    It must echo the next body more than the previous one. A short line (sub-heading length) that
    also echoes the previous body is taken for a sub-heading of the same story.
    """
    if echo_next(headline) < _MIN_ECHO_WORDS or echo_next(headline) <= echo_previous(headline):
        return False
    is_long = len(headline.text.split()) > SUBHEADING_MAX_WORDS
    return is_long or echo_previous(headline) < _MIN_ECHO_WORDS


def _unique_by_key(lines: list[_Line]) -> list[_Line]:
    """First occurrence of each distinct line: a headline printed twice is one headline."""
    seen: set[str] = set()
    unique = []
    for line in lines:
        if line.key not in seen:
            seen.add(line.key)
            unique.append(line)
    return unique


def _assign_bullets(
    cluster: list[_Line],
    plan: _ClusterPlan,
    previous: _Draft | None,
    run: list[_Line] | None,
) -> None:
    """Give each bullet to the article whose body it shares more words with; ties follow position."""
    previous_words = previous.words if previous else set()
    next_words = _union(run) if run else frozenset()
    previous_headlines = {line.key for line in (plan.previous_headline, previous and previous.headline) if line}
    # Before any headline in the cluster, bullets lean to the body that follows (a standfirst);
    # after one, to that headline's article.
    owner_is_next = run is not None
    for line in cluster:
        if line.kind is LineKind.HEADLINE and line.key in previous_headlines:
            owner_is_next = False
        elif line is plan.next_headline:
            owner_is_next = True
        if line.kind is not LineKind.BULLET:
            continue
        on_previous = _shared(line, previous_words) if previous else -1
        on_next = _shared(line, next_words) if run else -1
        if max(on_previous, on_next) < _MIN_ECHO_WORDS:
            continue  # shares nothing with either body: a "related stories" list, not a summary
        if on_next > on_previous or (on_next == on_previous and owner_is_next):
            plan.next_bullets.append(line)
        else:
            plan.previous_bullets.append(line)


def _drafts(lines: list[_Line]) -> list[_Draft]:
    openers = Counter(line.dateline.text for line in lines if line.dateline and not line.wire_dateline)
    is_transcript = any(count > 1 for count in openers.values())
    blocks, tail = _blocks(lines, is_transcript)
    drafts: list[_Draft] = []
    for cluster, run in blocks:
        previous = drafts[-1] if drafts else None
        plan = _plan_cluster(cluster, previous, run, _opens_article(run[0], is_transcript))
        if previous is not None and not plan.boundary:
            # A cluster inside one article: its bullets are list items, its headline-like lines
            # sub-headings (dropped, they are not sentences).
            previous.extend([line for line in cluster if line.kind is LineKind.BULLET] + run)
            continue
        if previous is not None:
            previous.headline = previous.headline or plan.previous_headline
            previous.bullets.extend(plan.previous_bullets)
        drafts.append(_Draft(list(run), plan.next_headline, plan.next_bullets))
    if drafts and tail:
        plan = _plan_cluster(tail, drafts[-1], None, False)
        drafts[-1].headline = drafts[-1].headline or plan.previous_headline
        drafts[-1].bullets.extend(plan.previous_bullets)
    return drafts


def _to_articles(drafts: list[_Draft]) -> list[Article]:
    """Drop paragraphs already seen on the page (first occurrence wins) and empty articles."""
    seen: set[str] = set()
    articles = []
    for draft in drafts:
        kept: list[_Line] = []
        dropped: list[TextSpan] = []
        for line in draft.paragraphs:
            if line.key in seen:
                dropped.append(line.span())
            else:
                seen.add(line.key)
                kept.append(line)
        paragraphs = tuple(piece for line in kept for piece in without_furniture(line.span()))
        if not paragraphs:
            continue
        articles.append(
            Article(
                headline=draft.headline.span() if draft.headline else None,
                dateline=kept[0].dateline if paragraphs[0].start == kept[0].start else None,
                bullets=tuple(line.span() for line in _unique_by_key(draft.bullets)),
                paragraphs=paragraphs,
                dropped_repeats=tuple(dropped),
            )
        )
    return articles


# ---------------------------------------------------------------------------------------------------
# Public API


def parse_page(text: str) -> list[Article]:
    """Articles found in scraped plain text, in page order; [] when there is no article text."""
    return _to_articles(_drafts(_classified_lines(text)))


def single_article(text: str) -> Article:
    """The whole text as one article: every non-blank line is a paragraph, nothing is dropped.

    Used for evaluation texts (PolNeAR, CNN/DM) whose gold offsets cover every line. No headline is
    split off: PolNeAR's first line is its headline, ends with a period, and in 416 of its 840 train
    documents holds annotated attributions, so removing it would hide gold quotes. The dateline of
    the first paragraph ("(CNN)") is still reported.
    """
    paragraphs = tuple(TextSpan(line, start, start + len(line)) for line, start in _stripped_lines(text))
    dateline = find_dateline(paragraphs[0].text, paragraphs[0].start)[0] if paragraphs else None
    return Article(headline=None, dateline=dateline, bullets=(), paragraphs=paragraphs)
