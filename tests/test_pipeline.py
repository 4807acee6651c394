"""The pipeline wired end to end: page -> articles -> quotes -> summary, offsets into the posted text."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.pipeline import NoArticleError, Pipeline
from service.settings import Settings
from tests.tiny_model import build_tiny_checkpoint

SEED = (Path(__file__).parent / "fixtures" / "arab-news-page.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory):
    model_dir = build_tiny_checkpoint(tmp_path_factory.mktemp("tiny"))
    return Pipeline.from_settings(Settings(summary_model=str(model_dir), num_beams=1))


def test_seed_page_summaries_copy_source_words_with_exact_offsets(tiny_pipeline):
    result = tiny_pipeline.run(SEED)
    assert [a.article.dateline.text for a in result.articles] == ["SEOUL", "ABIDJAN"]
    assert result.model.generator == "seq2seq"
    for article_result in result.articles:
        summary = article_result.summary
        assert summary.bullets and len(summary.bullets) <= len(summary.selected_sentences)
        for bullet in summary.bullets:
            source = bullet.source_sentence
            assert SEED[source.start : source.end] == source.text
            assert bullet.kept == tuple(sorted(bullet.kept))
            for start, end in bullet.kept:
                assert source.start <= start < end <= source.end
                assert SEED[start:end] in bullet.text
        for quote in article_result.quotes:
            assert SEED[quote.start : quote.end] == quote.text
    assert set(result.timings_ms) >= {"parse_page", "nlp", "quotes", "summary", "total"}


def test_extractive_generator_returns_the_selected_sentences(tiny_pipeline):
    extractive = Pipeline.from_settings(Settings(generator="extractive"))
    result = extractive.run(SEED)
    for article_result in result.articles:
        assert [b.text for b in article_result.summary.bullets] == [
            s.text for s in article_result.summary.selected_sentences
        ]
    assert result.model.generator == "extractive"


def test_long_article_is_cut_at_a_paragraph_and_flagged(tiny_pipeline):
    paragraph = "The council said the new bridge would open next year after a long delay. " * 6
    text = "\n\n".join(f"{paragraph.strip()} Item {i}." for i in range(40))
    limited = Pipeline(
        Settings(max_article_chars=2_000), tiny_pipeline.nlp, tiny_pipeline.summarizer, tiny_pipeline.content
    )
    (article_result,) = limited.run(text).articles
    assert article_result.truncated
    assert 0 < article_result.paragraphs_analysed < len(article_result.article.paragraphs)
    assert all(b.source_sentence.end <= 2_500 for b in article_result.summary.bullets)


@pytest.mark.parametrize("text", ["", "   \n\n ", "Short Url\nhttps://arab.news/7n6kt\n"])
def test_input_without_an_article_is_refused(tiny_pipeline, text):
    with pytest.raises(NoArticleError):
        tiny_pipeline.run(text)


def test_html_input_is_extracted_and_reported(tiny_pipeline):
    html = (
        "<html><head><title>Bridge to reopen</title></head><body><nav>Home | News | Sport</nav>"
        "<article><h1>Bridge to reopen next week after repairs</h1>"
        "<p>Officials said on Monday that the bridge over the river would reopen next week after repairs "
        "that cost 20 million dollars.</p><p>Drivers had used a ferry in the meantime, adding an hour to "
        "their commute each day, the transport ministry said.</p></article>"
        "<footer>Copyright 2025 Example News</footer></body></html>"
    )
    result = tiny_pipeline.run(html, content_type="text/html")
    assert result.input_format == "html"
    assert "<p>" not in result.source_text
    (article_result,) = result.articles
    for bullet in article_result.summary.bullets:
        assert (
            result.source_text[bullet.source_sentence.start : bullet.source_sentence.end] == bullet.source_sentence.text
        )


def test_one_huge_paragraph_is_cut_at_a_sentence_end(tiny_pipeline):
    sentence = "The council said the new bridge would open next year after a long delay. "
    text = sentence * 3000  # about 220 kB in one paragraph
    limited = Pipeline(
        Settings(max_article_chars=5_000), tiny_pipeline.nlp, tiny_pipeline.summarizer, tiny_pipeline.content
    )
    (article_result,) = limited.run(text).articles
    assert article_result.truncated
    for bullet in article_result.summary.bullets:
        assert bullet.source_sentence.end <= 5_000
        assert bullet.source_sentence.text.endswith("delay.")


def test_warm_up_runs_every_stage_on_a_whole_article(pipeline):
    from service.pipeline import WARM_UP_ARTICLE

    assert pipeline.warm_up() > 0
    (article_result,) = pipeline.run(WARM_UP_ARTICLE.read_text(encoding="utf-8")).articles
    # A headline, bullets, and quotes of every kind, so no stage meets its first input on a client's request.
    assert article_result.article.headline and article_result.article.bullets
    assert {quote.kind for quote in article_result.quotes} == {"direct", "partial", "indirect"}
    assert article_result.summary.bullets
