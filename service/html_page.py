"""Stage 1 for HTML input: a saved web page -> the text read from it, and its articles.

The text parser (``service/page.py``) has to guess from lines alone where an article starts; an HTML
page says so itself. trafilatura finds the page's main text and keeps its structure (headings,
paragraphs, lists, block quotes, links, bold); this module reads that structure:

- One article per page, unless several ``<article>`` elements of the page each hold part of the main
  text (a live blog's posts, a list of teasers): then each of them is an article, headed by its own
  first heading. Sub-headings (``<h2>``/``<h3>``, a bold, all-caps or short unpunctuated line) stay
  inside their article; they are not paragraphs, as they are not sentences.
- The headline is the ``<h1>`` that agrees with the page's metadata title (JSON-LD ``headline``,
  ``og:title``, ``twitter:title``, ``<title>``): pages hold other ``<h1>`` elements (a logo, a
  newsletter box), and metadata titles carry the site's name and date ("... | DW | 19.01.2020").
  Without one, an ``<h1>`` inside the main text; then the first metadata title in that order with the
  site name, section and date stripped; then the first ``<h1>`` (``choose_headline``).
- The dateline and wire credit come from the first paragraph, as for text input
  (``text_facts.match_dateline``). The page's description printed as a line that is not a sentence,
  or printed in an element whose class marks a standfirst (rules/standfirst_classes.txt: DW's
  ``<p class="intro">``), is the article's bullet, not a paragraph.
- Page furniture (rules/boilerplate.txt: "This article originally appeared on ...", newsletter
  prompts, photo credits, "Read more", "Follow us") and blocks that are all link text (related-story
  lists) are never paragraphs. A furniture sentence inside a paragraph of real text is cut out: the
  paragraph becomes the spans before and after it.
- When the visible main text is less than half of the JSON-LD ``articleBody`` (sites that fill the
  page with JavaScript, or show a teaser), the ``articleBody`` is read instead, one paragraph per line.

Every span indexes the returned ``source_text``: every block trafilatura extracted, one per line, after
the headline when the main text does not hold it (sub-headings and furniture included, so nothing that
was read is hidden; only paragraphs are analysed).
"""

from __future__ import annotations

import bisect
import enum
import html as html_entities
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document

from service import lexicon
from service.page import (
    SUBHEADING_MAX_WORDS,
    ends_sentence,
    find_dateline,
    is_boilerplate,
    text_key,
    without_furniture,
)
from service.schema import Article, TextSpan

# A block with at least this share of its characters in link text is navigation (a list of related
# stories, "Read more: <link>"), not article text.
_LINK_TEXT_SHARE = 0.8
# The JSON-LD articleBody replaces the visible text when the visible paragraphs hold less than this
# share of its characters.
_JSON_LD_BODY_SHARE = 0.5
_ARTICLE_TYPE = re.compile(r"(?:Article|BlogPosting)$")
# Separators between the parts of a metadata title: "Headline | Section | Site", "Headline - Site".
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|·|•|::|»)\s+")
_TITLE_DATE = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|(?:\w+,? )?\d{1,2}\.? [A-Za-z]{3,9}\.? \d{4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}"
)
_HTML_START = re.compile(
    r"(?:\ufeff)?\s{0,200}(?:<\?xml[^>]{0,200}>\s{0,200})?"
    r"<(?:!doctype\s+html|html|head|body|p|div|article|main|section|header|nav|span|table|ul|ol|h[1-6]|"
    r"meta|title|link|script|style|!--)(?=[\s>/])",
    re.IGNORECASE,
)
_HTML_ROOT = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)
_BODY_MARKUP = re.compile(r"</?(?:p|br|div|h[1-6]|li|blockquote)\b", re.IGNORECASE)


STANDFIRST_CLASSES_FILE = "standfirst_classes.txt"


class BlockRole(enum.Enum):
    PARAGRAPH = "paragraph"
    SUBHEADING = "subheading"
    FURNITURE = "furniture"
    NAVIGATION = "navigation"
    TABLE = "table"


@dataclass(frozen=True)
class Block:
    """One block of the main text as trafilatura kept it (a paragraph, heading, list item, table row)."""

    text: str
    role: BlockRole
    key: str


@dataclass(frozen=True)
class HtmlPage:
    """The text read from an HTML page (what every offset indexes) and the articles found in it."""

    source_text: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class _Container:
    """An outermost <article> element of the page: its words (to place blocks in it) and first heading."""

    key: str
    heading: str | None


@dataclass(frozen=True)
class _Group:
    """The blocks of one article, with the headline it gets when none of its blocks is that headline."""

    blocks: list[Block]
    headline: str | None


def looks_like_html(text: str) -> bool:
    """True when the text opens with an HTML tag (doctype, <html>, <body>, <p>, <div>, ...)."""
    return _HTML_START.match(text[:2000]) is not None


def parse_html(html: str) -> HtmlPage:
    """The articles of an HTML page, in page order; none when it holds no article text."""
    if not _HTML_ROOT.search(html):
        # trafilatura finds nothing in a bare fragment ("<p>...</p>") without a document root.
        html = f"<html><body>{html}</body></html>"
    tree = trafilatura.load_html(html)
    if tree is None:
        return HtmlPage("", ())
    document = _extract(
        tree,
        with_metadata=True,  # the site name, to strip it from metadata titles
        # The exhaustive date search would double the time on big pages; the date is not used.
        date_extraction_params={"extensive_search": False},
    )
    blocks = main_blocks(document.body) if document is not None else []
    site_names = _site_names(document)
    items = list(_json_ld_items(tree))
    headline = choose_headline(tree, items, site_names, {block.key for block in blocks})
    body = _json_ld_body(items)
    json_ld_blocks = _text_blocks(body) if body else []
    if json_ld_blocks and _prefers_json_ld(blocks, json_ld_blocks):
        groups = [_Group(json_ld_blocks, headline)]
    else:
        groups = _groups(blocks, _containers(tree), headline)
    return _assemble(groups, _descriptions(tree, items))


# ---------------------------------------------------------------------------------------------------
# Blocks


def _extract(content: HtmlElement | str, **options: Any) -> Document | None:
    """trafilatura's main text (and metadata when asked); None when it finds no main text."""
    document = trafilatura.bare_extraction(
        content,
        include_comments=False,
        include_formatting=True,  # bold: sub-headings written as <p><strong>
        include_links=True,  # link text: related-story lists
        **options,
    )
    return document if isinstance(document, Document) else None


def main_blocks(body: etree._Element) -> list[Block]:
    """The blocks of trafilatura's main-text tree, in reading order, each with its role."""
    blocks: list[Block] = []
    for element in body:
        if element.tag == "list":
            blocks.extend(_block(item, is_heading=False) for item in element.iterfind(".//item"))
        elif element.tag == "table":
            blocks.extend(_table_row(row) for row in element.iterfind(".//row"))
        else:
            blocks.append(_block(element, is_heading=element.tag == "head"))
    return [block for block in blocks if block.key]


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def _inner_text(element: etree._Element) -> str:
    # A list item's nested list is a block of its own.
    parts = [element.text or ""]
    for child in element:
        if child.tag != "list":
            parts.append(_inner_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _block(element: etree._Element, is_heading: bool) -> Block:
    text = _collapsed(_inner_text(element))
    link_chars = sum(len(_collapsed(_inner_text(ref))) for ref in element.iterfind(".//ref"))
    bold = _collapsed("".join(_inner_text(hi) for hi in element.iterfind(".//hi") if "#b" in hi.get("rend", "")))
    role = _role(text, is_heading=is_heading or bold == text, link_share=link_chars / max(len(text), 1))
    return Block(text, role, text_key(text))


def _table_row(row: etree._Element) -> Block:
    text = " | ".join(_collapsed(_inner_text(cell)) for cell in row)
    return Block(text, BlockRole.TABLE, text_key(text))


def _role(text: str, is_heading: bool = False, link_share: float = 0.0) -> BlockRole:
    if is_boilerplate(text):
        return BlockRole.FURNITURE
    if link_share >= _LINK_TEXT_SHARE:
        return BlockRole.NAVIGATION
    if is_heading or _is_subheading(text):
        return BlockRole.SUBHEADING
    return BlockRole.PARAGRAPH


def _is_subheading(text: str) -> bool:
    """A line that is not a sentence: short and unpunctuated, or all in capitals."""
    if ends_sentence(text):
        return False
    return len(text.split()) <= SUBHEADING_MAX_WORDS or (text.upper() == text and text.lower() != text)


def _text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text body (JSON-LD articleBody): one per line."""
    if _BODY_MARKUP.search(text):
        # Some sites put the body's HTML in articleBody.
        document = _extract(f"<html><body><article>{text}</article></body></html>", favor_recall=True)
        return main_blocks(document.body) if document is not None else []
    lines = (_collapsed(line) for line in html_entities.unescape(text).splitlines())
    return [Block(line, _role(line), text_key(line)) for line in lines if text_key(line)]


def _prefers_json_ld(visible: list[Block], json_ld: list[Block]) -> bool:
    """Whether to read the JSON-LD articleBody: the visible paragraphs hold less than half of its text,
    or they are that same text in fewer blocks (trafilatura's own last resort reads it as one block)."""
    if _paragraph_chars(visible) < _JSON_LD_BODY_SHARE * _paragraph_chars(json_ld):
        return True
    return len(json_ld) > len(visible) and _joined_key(visible) == _joined_key(json_ld)


def _joined_key(blocks: list[Block]) -> str:
    return " ".join(block.key for block in blocks)


def _paragraph_chars(blocks: list[Block]) -> int:
    return sum(len(block.text) for block in blocks if block.role is BlockRole.PARAGRAPH)


# ---------------------------------------------------------------------------------------------------
# Articles on the page


def _containers(tree: HtmlElement) -> list[_Container]:
    elements = tree.xpath("//article[not(ancestor::article)]")
    if len(elements) < 2:
        return []
    containers = []
    for element in elements:
        headings = element.xpath("(.//h1|.//h2|.//h3)")
        heading = next((text for text in (_collapsed(h.text_content()) for h in headings) if text), None)
        # Spaces between the element's texts: "<h2>Title</h2><time>21:05" are two words, not "Title21".
        containers.append(_Container(f" {text_key(' '.join(element.itertext()))} ", heading))
    return containers


def _groups(blocks: list[Block], containers: list[_Container], page_headline: str | None) -> list[_Group]:
    """One group of all blocks, or one per <article> element when several hold paragraphs."""
    runs: list[tuple[int | None, list[Block]]] = []
    for block, owner in zip(blocks, _owners(blocks, containers), strict=True):
        if runs and runs[-1][0] == owner:
            runs[-1][1].append(block)
        else:
            runs.append((owner, [block]))
    holders = {owner for owner, run in runs if owner is not None and _paragraph_chars(run)}
    if len(holders) < 2:
        return [_Group(blocks, page_headline)]
    groups = []
    for index, (owner, run) in enumerate(runs):
        # Text outside every <article> (a live blog's introduction) is the page's own article.
        headline = containers[owner].heading if owner is not None else (page_headline if index == 0 else None)
        groups.append(_Group(run, headline))
    return groups


def _owners(blocks: list[Block], containers: list[_Container]) -> list[int | None]:
    """For each block, the index of the <article> element holding its text, or None.

    Blocks and elements are both in page order, so the search starts at the last owner found: a short
    line ("Update") that an earlier element also holds stays with its own. The elements' keys are
    searched as one string (each key is spaced at both ends, so no match spans two of them).
    """
    joined = "".join(container.key for container in containers)
    starts = list(itertools.accumulate((len(container.key) for container in containers[:-1]), initial=0))
    owners: list[int | None] = []
    first = 0
    for block in blocks:
        found = joined.find(f" {block.key} ", starts[first]) if containers else -1
        owner = bisect.bisect_right(starts, found) - 1 if found >= 0 else None
        owners.append(owner)
        first = owner if owner is not None else first
    return owners


# ---------------------------------------------------------------------------------------------------
# Headline


def choose_headline(
    tree: HtmlElement, json_ld_items: list[dict[str, object]], site_names: set[str], main_keys: set[str]
) -> str | None:
    """The page's headline, from the first rule that gives one:

    1. an <h1> that agrees with a metadata title (the page's other <h1>s are logos or boxes);
    2. an <h1> inside the main text (``main_keys``: the keys of its blocks);
    3. the first metadata title (JSON-LD headline, og:title, twitter:title, <title>) without the site's
       name, section and date;
    4. the first <h1>.
    """
    titles = [
        stripped
        for title in _metadata_titles(tree, json_ld_items)
        if (stripped := strip_title_suffix(title, site_names))
    ]
    h1s = [text for text in (_collapsed(h1.text_content()) for h1 in tree.iter("h1")) if text_key(text)]
    agreeing = (h1 for h1 in h1s if any(text_key(title).startswith(text_key(h1)) for title in titles))
    in_main_text = (h1 for h1 in h1s if text_key(h1) in main_keys)
    return next(agreeing, None) or next(in_main_text, None) or next(iter(titles), None) or next(iter(h1s), None)


def _metadata_titles(tree: HtmlElement, json_ld_items: list[dict[str, object]]) -> Iterator[str]:
    for item in json_ld_items:
        if _is_article(item) and isinstance(item.get("headline"), str):
            yield html_entities.unescape(str(item["headline"]))
    yield from tree.xpath("//meta[@property='og:title']/@content")
    yield from tree.xpath("//meta[@name='twitter:title']/@content")
    yield from (title.text_content() for title in tree.iter("title"))


def strip_title_suffix(title: str, site_names: set[str]) -> str:
    """A metadata title without the site's name, section and date: "Headline | Section | Site | 19.01.2020"."""
    title = _collapsed(title)
    parts = _TITLE_SEPARATOR.split(title)
    separators = _TITLE_SEPARATOR.findall(title)
    while len(parts) > 1 and (_is_site_name(parts[-1], site_names) or _TITLE_DATE.fullmatch(parts[-1])):
        parts.pop()
        separators.pop()
    while len(parts) > 1 and _is_site_name(parts[0], site_names):
        parts.pop(0)
        separators.pop(0)
    if any(separator.strip() == "|" for separator in separators):
        return parts[0]  # "|" is never part of a headline: what follows is the section or the site
    return "".join(part + separator for part, separator in zip(parts, [*separators, ""], strict=True))


def _site_key(name: str) -> str:
    name = name.strip().lower().removeprefix("www.")
    if " " not in name and "." in name:
        name = name.split(".")[0]  # "Salon.com", "DW.COM"
    return text_key(name).removeprefix("the ")


def _is_site_name(part: str, site_names: set[str]) -> bool:
    return _site_key(part) in {_site_key(name) for name in site_names if name}


def _site_names(document: Document | None) -> set[str]:
    if document is None:
        return set()
    return {name for name in (document.sitename, document.hostname) if name}


@dataclass(frozen=True)
class _Descriptions:
    """The text keys of the page's descriptions (og:description, twitter:description, <meta
    name=description>, JSON-LD), and of the elements whose class marks a standfirst."""

    keys: frozenset[str]
    marked: frozenset[str]

    def standfirst(self, block: Block) -> bool:
        """The description printed under the headline as a line that is not a sentence ("Still trying to
        figure out what to do with thousands of crates tho"), or in a standfirst's element: the
        publisher's summary line."""
        return (
            block.role is BlockRole.PARAGRAPH
            and block.key in self.keys
            and (block.key in self.marked or not ends_sentence(block.text))
        )


def _descriptions(tree: HtmlElement, json_ld_items: list[dict[str, object]]) -> _Descriptions:
    descriptions = tree.xpath(
        "//meta[@property='og:description' or @name='twitter:description' or @name='description']/@content"
    )
    descriptions += [
        str(item["description"]) for item in json_ld_items if _is_article(item) and item.get("description")
    ]
    keys = frozenset(text_key(html_entities.unescape(description)) for description in descriptions) - {""}
    marked = (
        frozenset(text_key(element.text_content()) for element in _standfirst_elements(tree)) if keys else frozenset()
    )
    return _Descriptions(keys, marked & keys)


def _standfirst_elements(tree: HtmlElement) -> list[HtmlElement]:
    names = lexicon.word_set(STANDFIRST_CLASSES_FILE)
    # lxml's XPath narrows the page to elements whose class contains a name at all; then each class is read.
    contains = " or ".join(f"contains(@class, '{name}')" for name in sorted(names))
    return [
        element
        for element in tree.xpath(f"//body//*[{contains}]")
        if any(_standfirst_class(name, names) for name in str(element.get("class")).split())
    ]


def _standfirst_class(name: str, names: frozenset[str]) -> bool:
    """'intro', 'article__standfirst', 'c-dek': one of the names, alone or after a '-' or '_'."""
    return name.lower() in names or re.split(r"[-_]", name.lower())[-1] in names


# ---------------------------------------------------------------------------------------------------
# JSON-LD


def _json_ld_items(tree: HtmlElement) -> Iterator[dict[str, object]]:
    """Every JSON-LD object of the page: top level, in lists and in @graph; unreadable scripts skipped."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content(), strict=False)
        except ValueError:
            continue
        yield from _objects(data)


def _objects(data: object) -> Iterator[dict[str, object]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"))


def _is_article(item: dict[str, object]) -> bool:
    types = item.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(name, str) and _ARTICLE_TYPE.search(name) for name in names)


def _json_ld_body(items: list[dict[str, object]]) -> str:
    bodies = [str(item["articleBody"]).strip() for item in items if _is_article(item) and item.get("articleBody")]
    return max(bodies, key=len, default="")


# ---------------------------------------------------------------------------------------------------
# Source text and articles


class _Writer:
    """Writes blocks one per line into the source text and returns each one's span in it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.length = 0

    def write(self, text: str) -> TextSpan:
        start = self.length + (1 if self.lines else 0)
        self.lines.append(text)
        self.length = start + len(text)
        return TextSpan(text, start, start + len(text))

    def text(self) -> str:
        return "\n".join(self.lines)


def _assemble(groups: list[_Group], descriptions: _Descriptions) -> HtmlPage:
    writer = _Writer()
    seen: set[str] = set()
    articles = [article for group in groups if (article := _article(writer, group, seen, descriptions)) is not None]
    return HtmlPage(writer.text(), tuple(articles))


def _article(writer: _Writer, group: _Group, seen: set[str], descriptions: _Descriptions) -> Article | None:
    headline_key = text_key(group.headline) if group.headline else ""
    headline = None
    if group.headline and not any(block.key == headline_key for block in group.blocks):
        headline = writer.write(group.headline)
    paragraphs: list[TextSpan] = []
    standfirst: list[TextSpan] = []
    dropped: list[TextSpan] = []
    for block in group.blocks:
        span = writer.write(block.text)
        if headline is None and block.key == headline_key:
            headline = span
        elif descriptions.standfirst(block):
            standfirst.append(span)
        elif block.role is BlockRole.PARAGRAPH and block.key in seen:
            dropped.append(span)  # a pull quote or a paragraph printed twice: first occurrence wins
        elif block.role is BlockRole.PARAGRAPH:
            seen.add(block.key)
            paragraphs.extend(without_furniture(span))
    if not paragraphs:
        return None
    dateline = find_dateline(paragraphs[0].text, paragraphs[0].start)[0]
    return Article(headline, dateline, tuple(standfirst), tuple(paragraphs), tuple(dropped))
