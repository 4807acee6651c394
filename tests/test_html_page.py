"""Stage 1 for HTML (service/html_page.py): a web page -> source text and articles.

The eight real pages are read from ../shared/data/real_pages at test time (the publishers' copyright:
never committed); their tests skip with a message when the folder is absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from service.html_page import HtmlPage, looks_like_html, parse_html, strip_title_suffix
from service.page import without_furniture
from service.schema import Article, TextSpan

FIXTURES = Path(__file__).parent / "fixtures"
REAL_PAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "real_pages"
SEED = (FIXTURES / "arab-news-page.txt").read_text(encoding="utf-8")


def _assert_offsets(page: HtmlPage) -> None:
    for article in page.articles:
        spans = [span for span in (article.headline, article.dateline) if span is not None]
        for span in [*spans, *article.bullets, *article.paragraphs, *article.dropped_repeats]:
            assert page.source_text[span.start : span.end] == span.text
            assert span.text and span.text == span.text.strip()


def _body_texts(article: Article) -> list[str]:
    return [paragraph.text for paragraph in article.paragraphs]


# ---------------------------------------------------------------------------------------------------
# A small hand-made article page


@pytest.fixture(scope="module")
def fixture_page() -> HtmlPage:
    return parse_html((FIXTURES / "page_article.html").read_text(encoding="utf-8"))


def test_article_page_gives_headline_dateline_and_paragraphs(fixture_page: HtmlPage) -> None:
    (article,) = fixture_page.articles
    assert article.headline is not None
    assert article.headline.text == "Port strike ends after dockworkers accept pay deal"
    assert fixture_page.source_text.startswith(article.headline.text + "\n")
    assert article.dateline is not None and article.dateline.text == "ROTTERDAM"
    texts = _body_texts(article)
    assert len(texts) == 4
    assert texts[0].startswith("ROTTERDAM: Dockworkers at Europe's largest port")
    assert texts[-1].startswith("Economists had estimated")
    _assert_offsets(fixture_page)


@pytest.mark.parametrize(
    "noise", ["Home", "Business", "cookies", "noise script", "font-family", "Most read", "Celebrity chef", "©"]
)
def test_page_noise_is_not_read(fixture_page: HtmlPage, noise: str) -> None:
    assert noise not in fixture_page.source_text


def test_the_byline_is_not_a_paragraph(fixture_page: HtmlPage) -> None:
    assert "By Jane Example" not in " ".join(_body_texts(fixture_page.articles[0]))


def test_a_bare_fragment_is_read() -> None:
    sentence = "Officials said on Monday that the bridge would reopen next week after repairs."
    page = parse_html(f"<p>{sentence}</p>")
    assert page.source_text == sentence
    (article,) = page.articles
    assert _body_texts(article) == [sentence]


@pytest.mark.parametrize(
    "html", ["", "   ", "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>"]
)
def test_a_page_without_text_has_no_article(html: str) -> None:
    assert parse_html(html).articles == ()


@pytest.mark.parametrize(
    ("text", "is_html"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", True),
        ("\ufeff  <html lang='en'>", True),
        ("<?xml version='1.0'?>\n<html>", True),
        ("<p>Some text</p>", True),
        ("<DIV class='story'>Some text</DIV>", True),
        ("<!-- saved page -->\n<body>", True),
        (SEED, False),
        ("Prices < 5 dollars <b>rose</b> today.", False),
        ("<3 this story", False),
        ("", False),
    ],
)
def test_looks_like_html(text: str, is_html: bool) -> None:
    assert looks_like_html(text) is is_html


# ---------------------------------------------------------------------------------------------------
# Sub-headings, furniture and the headline


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body><article>{body}</article></body></html>"


LEDE = (
    "<h1>Council approves new river bridge after long delay</h1>"
    "<p>The city council approved a new bridge over the river on Tuesday after a decade of delays, "
    "saying construction would start in the spring and take three years.</p>"
)
MORE = (
    "<p>Residents have campaigned for a second crossing since the old bridge was closed to lorries, "
    "forcing heavy traffic through the narrow streets of the old town.</p>"
)


@pytest.mark.parametrize(
    "line",
    [
        # Sub-headings: they stay inside their article, and are not sentences.
        "<h2>What happens next</h2>",
        "<h3>A long wait for the people who live on the east bank of the river</h3>",
        "<p><strong>A long wait for the people who live on the east bank of the river</strong></p>",
        "<p>DISAPPOINTING NIGHT FOR THE EAST BANK</p>",
        "<p>Eye in the sky</p>",
        # Furniture.
        "<p>This article originally appeared on Example Wire.</p>",
        "<p>Follow us on Twitter and Facebook for the latest city news.</p>",
        "<p>Sign up for our morning newsletter to get the day's news in your inbox.</p>",
        "<p>(Credit: Jane Doe / Example Wire)</p>",
        "<p>Read more: <a href='/x'>Council elections: who is standing</a></p>",
        "<p><a href='/a'>Council elections: who is standing in your ward this year</a></p>",
        "<ul><li><a href='/a'>Storm closes ferry service for the second day</a></li></ul>",
        "<p>Additional reporting by Jane Doe; Editing by John Roe</p>",
    ],
)
def test_subheadings_and_furniture_are_never_paragraphs(line: str) -> None:
    page = parse_html(_page(LEDE + line + MORE))
    (article,) = page.articles
    assert len(article.paragraphs) == 2, _body_texts(article)
    assert article.paragraphs[1].text.startswith("Residents have campaigned")
    _assert_offsets(page)


def test_a_long_line_without_a_full_stop_is_still_a_paragraph() -> None:
    # Reuters: '“Parasite” director Bong Joon Ho said backstage that no-one could predict ... on Feb. 9'
    line = "<p>The mayor said after the vote that nobody could say when the first lorries would cross it</p>"
    (article,) = parse_html(_page(LEDE + line + MORE)).articles
    assert len(article.paragraphs) == 3


@pytest.mark.parametrize(
    ("title", "site_names", "headline"),
    [
        (
            "Berlin confronts Germany's colonial past | DW | 19.01.2020",
            {"DW.COM"},
            "Berlin confronts Germany's colonial past",
        ),
        ("Berlin's past | Germany| News and in-depth reporting | DW | 19.01.2020", {"DW.COM"}, "Berlin's past"),
        ("The Amazon Is on Fire - VICE", {"Vice"}, "The Amazon Is on Fire"),
        ("UK academics 'second-class' | Education | The Guardian", {"The Guardian"}, "UK academics 'second-class'"),
        ("Reuters | 'Parasite' scores upset", {"Reuters"}, "'Parasite' scores upset"),
        ("Emissions dipped in 2019 - January 10, 2020", set(), "Emissions dipped in 2019"),
        # A dash that does not set off the site's name is part of the headline.
        ("Review: A Plague Tale – rats, so many rats", {"KnowTechie"}, "Review: A Plague Tale – rats, so many rats"),
        ("Salon", {"Salon.com"}, "Salon"),
    ],
)
def test_strip_title_suffix(title: str, site_names: set[str], headline: str) -> None:
    assert strip_title_suffix(title, site_names) == headline


@pytest.mark.parametrize(
    ("head", "body", "headline"),
    [
        # The <h1> that agrees with the metadata title wins over a logo <h1>; the og:title suffix goes.
        (
            "<meta property='og:title' content='Council approves new river bridge after long delay | City News'>",
            "<h1>City News</h1>" + LEDE,
            "Council approves new river bridge after long delay",
        ),
        # No <h1>: the metadata title without the site name.
        (
            "<title>Council approves bridge | City News</title>",
            LEDE.replace("h1>", "h4>"),
            "Council approves bridge",
        ),
        # JSON-LD headline before og:title.
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge &#8216;approved&#8217;"}'
            "</script><meta property='og:title' content='Something else'>",
            LEDE.replace("h1>", "h4>"),
            "Bridge ‘approved’",
        ),
        # No metadata: the <h1>.
        ("", LEDE, "Council approves new river bridge after long delay"),
    ],
)
def test_headline_choice(head: str, body: str, headline: str) -> None:
    page = parse_html(_page(body + MORE, head))
    (article,) = page.articles
    assert article.headline is not None and article.headline.text == headline
    _assert_offsets(page)


def test_a_repeated_paragraph_is_dropped() -> None:
    between = "<p>The council said the bridge would cost 40 million euros, most of it paid by the state.</p>"
    pull_quote = "<blockquote><p>" + MORE[3:-4] + "</p></blockquote>"
    (article,) = parse_html(_page(LEDE + MORE + between + pull_quote)).articles
    assert len(article.paragraphs) == 3 and len(article.dropped_repeats) == 1


def test_a_description_printed_as_a_standfirst_is_the_bullet() -> None:
    head = "<meta property='og:description' content='A decade of delays comes to an end'>"
    body = LEDE.replace("</h1>", "</h1><p>A decade of delays comes to an end</p>")
    (article,) = parse_html(_page(body + MORE, head)).articles
    assert [bullet.text for bullet in article.bullets] == ["A decade of delays comes to an end"]
    assert len(article.paragraphs) == 2


STANDFIRST = "The council has backed a second crossing. Work starts in the spring and will take three years."


@pytest.mark.parametrize(
    "element, is_bullet",
    [
        ('<p class="intro">', True),
        ('<div class="article__standfirst">', True),
        # Negative cases: the description printed as a plain paragraph, or in an element of another class,
        # is the article's first paragraph (many pages copy their lead into the description).
        ("<p>", False),
        ('<p class="introduction-video">', False),
    ],
)
def test_a_description_in_sentences_is_the_bullet_only_in_a_standfirst_element(element: str, is_bullet: bool) -> None:
    head = f"<meta name='description' content='{STANDFIRST}'>"
    closing = "</" + element[1:].split(">")[0].split()[0] + ">"
    body = LEDE.replace("</h1>", f"</h1>{element}{STANDFIRST}{closing}")
    (article,) = parse_html(_page(body + MORE, head)).articles
    assert ([bullet.text for bullet in article.bullets] == [STANDFIRST]) is is_bullet
    assert (article.paragraphs[0].text == STANDFIRST) is not is_bullet


# ---------------------------------------------------------------------------------------------------
# Several articles on one page


LIVE_BLOG = (FIXTURES / "page_live_blog.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "html",
    [
        LIVE_BLOG,
        # The same sub-heading in two posts stays with each post.
        LIVE_BLOG.replace('<p>"We have', '<h3>Reaction</h3><p>"We have').replace(
            '<p>"The voters', '<h3>Reaction</h3><p>"The voters'
        ),
    ],
    ids=["posts", "repeated-subheading"],
)
def test_a_live_blog_gives_one_article_per_post(html: str) -> None:
    page = parse_html(html)
    headlines = [article.headline.text if article.headline else None for article in page.articles]
    assert headlines == [
        "Turnout passes 70 percent in the capital",
        "Opposition leader concedes in northern district",
        "Markets steady as first results arrive",
    ]
    assert [len(article.paragraphs) for article in page.articles] == [2, 2, 2]
    assert page.articles[0].dateline is not None and page.articles[0].dateline.text == "CAPITAL CITY"
    assert "Most read" not in page.source_text
    _assert_offsets(page)


def test_a_list_of_teasers_gives_one_article_per_teaser() -> None:
    teasers = [
        (
            "Floods force thousands from homes in river delta",
            "DHAKA: Heavy monsoon rains flooded dozens of villages "
            "in the river delta on Tuesday, forcing more than 20,000 people to leave their homes, officials said.",
        ),
        (
            "Central bank holds rates as inflation eases",
            "The central bank kept its main interest rate unchanged on "
            "Wednesday, saying that inflation had eased for a third month but remained above its target.",
        ),
        (
            "Marathon record falls in cool morning conditions",
            "A Kenyan runner broke the course record at the city "
            "marathon on Sunday, finishing in just over two hours and three minutes in cool and still conditions.",
        ),
    ]
    body = "".join(
        f"<article><h2><a href='/{i}'>{title}</a></h2><p>{text}</p></article>"
        for i, (title, text) in enumerate(teasers)
    )
    page = parse_html(
        f"<html><head><title>World news</title></head><body><main><h1>World news</h1>{body}</main></body></html>"
    )
    assert [(a.headline.text if a.headline else None, a.paragraphs[0].text) for a in page.articles] == teasers
    _assert_offsets(page)


# ---------------------------------------------------------------------------------------------------
# JSON-LD articleBody


JSON_LD_PAGE = (FIXTURES / "page_json_ld_body.html").read_text(encoding="utf-8")
JSON_LD_FIRST = (
    "KISUMU, Kenya (Reuters) - Ferries returned to Lake Victoria on Monday after a two-week suspension ordered "
    "when a vessel ran aground near the port of Kisumu, the Kenya Maritime Authority said."
)


@pytest.mark.parametrize(
    "html",
    [
        # The body exists only in the JSON-LD (the page draws it with JavaScript).
        JSON_LD_PAGE,
        # The page shows only the first paragraph (a teaser), the JSON-LD holds the whole body.
        JSON_LD_PAGE.replace("Ferries are running again on Lake Victoria after a two-week halt.", JSON_LD_FIRST),
    ],
    ids=["body-only-in-json-ld", "visible-teaser"],
)
def test_the_json_ld_article_body_is_read_when_the_page_shows_little(html: str) -> None:
    page = parse_html(html)
    (article,) = page.articles
    assert article.headline is not None
    assert article.headline.text == "Lake Victoria ferry service resumes after two-week halt"
    assert article.dateline is not None and article.dateline.text == "KISUMU, Kenya (Reuters)"
    texts = _body_texts(article)
    assert texts[0] == JSON_LD_FIRST
    assert texts[1].startswith("“Every vessel has been inspected")
    # The furniture sentence inside the last paragraph and the furniture line after it are cut.
    assert texts[-1] == "The authority said it would publish its report on the grounding within a month."
    assert len(texts) == 4
    assert "Enable JavaScript" not in " ".join(texts)
    _assert_offsets(page)


def test_an_html_json_ld_article_body_keeps_its_paragraphs() -> None:
    body = "<p>" + JSON_LD_FIRST + "</p><p>Traders said the halt had cost them thousands of dollars a day.</p>"
    html = JSON_LD_PAGE.replace(
        JSON_LD_PAGE[JSON_LD_PAGE.index('"articleBody"') : JSON_LD_PAGE.index("}\n]}")],
        '"articleBody": ' + json.dumps(body),
    )
    (article,) = parse_html(html).articles
    assert _body_texts(article) == [JSON_LD_FIRST, "Traders said the halt had cost them thousands of dollars a day."]


def test_the_visible_body_wins_over_a_shorter_json_ld_body() -> None:
    html = (FIXTURES / "page_article.html").read_text(encoding="utf-8")
    json_ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "Dockworkers voted."}</script>'
    )
    page = parse_html(html.replace("</head>", json_ld + "</head>"))
    (article,) = page.articles
    assert len(article.paragraphs) == 4


# ---------------------------------------------------------------------------------------------------
# The eight real pages


@dataclass(frozen=True)
class RealPage:
    name: str
    headline: str
    dateline: str | None
    # The article body as a reader sees it, checked by hand in a browser: its first and last sentence.
    first_sentence: str
    last_sentence: str
    # Furniture the page prints between them or right after (hand-checked); never a paragraph.
    furniture: tuple[str, ...]
    # XPaths of page parts inside the body that a reader does not see as running text.
    hidden: tuple[str, ...] = ()


# Every page holds one story: one <h1>, one body. threatpost.com has nine <article> elements (the story
# and eight teaser cards of other stories); the teasers are not main text, so the page has one article.
# Sub-headings (Nature's "Eye in the sky", Reuters' "DISAPPOINTING NIGHT FOR 'IRISHMAN'", DW's bold
# lines, KnowTechie's video heading) sit inside the story.
REAL = [
    RealPage(
        "dw.com.colonial",
        "Berlin confronts Germany's colonial past with new initiative",
        None,
        # The standfirst before it (<p class="intro">, the page's description) is the article's bullet.
        "Berlin's relationship with its colonial history is being reconsidered",
        "a period of intense imperialist activity.",
        ("Read more: Recognizing Germany colonial crimes", "Read more: Looted colonial art"),
        # A picture gallery inside the body: one slide's caption shows at a time.
        ("//div[contains(@class, 'slideshow')]",),
    ),
    RealPage(
        "knowtechie.com.rally",
        "Rocket Pass 4 in Rocket League brings with it a new rally-inspired car",
        None,
        "Rocket League is gearing up for a new season",
        "the whole Epic Games thing. Please?",
        ("Let us know down below in the comments", "Editors’ Recommendations", "Crates are leaving Rocket League"),
    ),
    RealPage(
        "nature.com.telescope",
        "Gigantic Chinese telescope opens to astronomers worldwide",
        None,
        "The world’s largest single-dish radio observatory",
        "“A successful review will definitely help,” he says.",
        ("Nature 574, 16-17 (2019)",),
    ),
    RealPage(
        "reuters.com.parasite",
        "'Parasite' scores historic upset at SAG awards, boosting Oscar chances",
        "LOS ANGELES (Reuters)",
        "LOS ANGELES (Reuters) - South Korean thriller",
        "It’s been the most beautiful dream,” Waller-Bridge said.",
        ("Additional reporting by Steve Gorman", "Our Standards: The Thomson Reuters Trust Principles."),
    ),
    RealPage(
        "salon.com.emissions",
        "Despite everything, U.S. emissions dipped in 2019",
        None,
        "Just a week into the new year",
        "cars, and buildings.",
        ("(Credit: Clayton Aldern / Grist)",),
    ),
    RealPage(
        "theguardian.com.academics",
        "Thousands of UK academics 'treated as second-class citizens'",
        None,
        "Thousands of academic staff at British universities",
        "on the cards later this year.",
        ("Read more",),
    ),
    RealPage(
        "threatpost.com.android",
        "Android Ransomware Spreads Via ‘Sex Simulation Game’ Links on Reddit, SMS",
        None,
        "Researchers are warning of a new Android ransomware",
        "novel techniques to exfiltrate data.",
        ("Write a comment", "Share this article"),
    ),
    RealPage(
        "vice.com.amazon",
        "The Amazon Is on Fire and the Smoke Can Be Seen from Space",
        None,
        "In the middle of the day on Monday",
        "highest number of deforestation warnings.”",
        ("This article originally appeared on VICE US.", "Subscribe to the VICE newsletter."),
    ),
]


def _real_html(real: RealPage) -> str:
    path = REAL_PAGES / f"{real.name}.html"
    if not path.exists():
        pytest.skip(f"{path} is absent: the real pages are read from ../shared at test time")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed_real() -> dict[str, HtmlPage]:
    return {real.name: parse_html(_real_html(real)) for real in REAL}


def visible_article_text(real: RealPage) -> str:
    """The text a reader sees from the body's first sentence to its last, whitespace collapsed.

    Not shown by a browser: <script>, <style>, <noscript> (shown only without scripts), <template>,
    <svg>, an <iframe>'s inner text (its fallback), the <head>, and the page's own ``hidden`` parts.
    """
    tree = lxml.html.fromstring((REAL_PAGES / f"{real.name}.html").read_bytes())
    hidden = "//script|//style|//noscript|//template|//svg|//iframe|//head"
    for element in tree.xpath("|".join((hidden, *real.hidden))):
        element.drop_tree()
    text = " ".join(tree.text_content().split())
    assert text.count(real.first_sentence) == 1
    start = text.index(real.first_sentence)
    return text[start : text.index(real.last_sentence, start) + len(real.last_sentence)]


def _body_chars(article: Article) -> int:
    """Characters of the body as visible text counts them: paragraphs joined by one space."""
    return len(" ".join(" ".join(text.split()) for text in _body_texts(article)))


@pytest.mark.parametrize("real", REAL, ids=[real.name for real in REAL])
def test_a_real_page_is_one_article_with_its_headline_and_dateline(real: RealPage, parsed_real) -> None:
    page = parsed_real[real.name]
    (article,) = page.articles
    assert article.headline is not None and article.headline.text == real.headline
    assert (article.dateline.text if article.dateline else None) == real.dateline
    _assert_offsets(page)


@pytest.mark.parametrize("real", REAL, ids=[real.name for real in REAL])
def test_a_real_page_body_is_its_visible_article_text(real: RealPage, parsed_real) -> None:
    (article,) = parsed_real[real.name].articles
    visible = len(visible_article_text(real))
    assert abs(_body_chars(article) - visible) <= 0.1 * visible, (_body_chars(article), visible)
    assert real.first_sentence in article.paragraphs[0].text
    assert article.paragraphs[-1].text.endswith(real.last_sentence)


@pytest.mark.parametrize("real", REAL, ids=[real.name for real in REAL])
def test_real_page_furniture_is_never_a_paragraph(real: RealPage, parsed_real) -> None:
    (article,) = parsed_real[real.name].articles
    body = " ".join(_body_texts(article))
    assert not [piece for piece in real.furniture if piece in body]


@pytest.fixture(scope="module")
def real_results(pipeline) -> dict:
    return {real.name: pipeline.run(_real_html(real), content_type="text/html") for real in REAL}


@pytest.mark.parametrize("real", REAL, ids=[real.name for real in REAL])
def test_no_furniture_in_real_page_bullets_or_quotes(real: RealPage, real_results) -> None:
    # The session pipeline summarises extractively: its bullets are the selected sentences, the very
    # sentences the shipped compressor rewrites (by deleting words), so no furniture here means none there.
    (result,) = real_results[real.name].articles
    assert result.summary.bullets
    for text in [bullet.source_sentence.text for bullet in result.summary.bullets] + [q.text for q in result.quotes]:
        assert not [piece for piece in real.furniture if piece in text], text
        assert [span.text for span in without_furniture(TextSpan(text, 0, len(text)))] == [text.strip()]


@pytest.mark.parametrize(
    "name, quoted",
    [
        ("threatpost.com.android", "XDA Developers"),  # 'a forum for Android developers called “XDA Developers”'
        ("threatpost.com.android", "Agent Smith"),  # 'a new recent breed of Android malware, dubbed “Agent Smith,”'
        ("dw.com.colonial", "the man with the bloody hand"),  # 'the Swahili nickname "mkono wa damu," or "…,"'
    ],
)
def test_a_quoted_name_on_a_real_page_is_no_statement(name: str, quoted: str, real_results) -> None:
    (result,) = real_results[name].articles
    assert quoted not in [q.text.strip(" ,.") for q in result.quotes]


def test_an_unnamed_spokesperson_on_a_real_page_is_the_speaker_of_his_paragraphs(real_results) -> None:
    # Guardian: 'But a spokesperson for the Universities and Colleges Employers’ Association (UCEA) said … “…,” he
    # said.' The union leader quoted before him is not the speaker.
    (result,) = real_results["theguardian.com.academics"].articles
    [quote] = [q for q in result.quotes if q.text.startswith("UCEA has over recent years")]
    assert quote.speaker == "a spokesperson for the Universities and Colleges Employers’ Association"
