"""The shipped compressor on the seed page: bullets that read like a publisher's, from source words only."""

from __future__ import annotations

import pytest

from service.compress import MIN_KEPT_SHARE
from service.pipeline import Pipeline
from service.settings import DEFAULT_MODEL_DIR, Settings

DANGLING_ENDS = {"at", "on", "of", "to", "in", "for", "based", "and", "the", "a", "said"}


@pytest.fixture(scope="module")
def seed_result(seed_page_text):
    assert (DEFAULT_MODEL_DIR / "model.safetensors").exists(), "the trained compressor is committed with the code"
    return Pipeline.from_settings(Settings()).run(seed_page_text)


def test_default_generator_is_the_trained_seq2seq_model(seed_result):
    assert seed_result.model.generator == "seq2seq"
    assert seed_result.model.name == "newsattrib-compressor-t5"


def test_first_article_bullets_read_like_a_publishers(seed_result, seed_page_text):
    summary = seed_result.articles[0].summary
    assert len(summary.bullets) == 2
    assert "warned the US, South Korea and Japan against forming a security partnership" in summary.bullets[0].text
    assert "Sergey Lavrov" in summary.bullets[1].text
    for bullet in summary.bullets:
        text = bullet.text
        assert text[0].isupper() and text[-1] in '.”"'
        assert text.rstrip('.”"').split()[-1].lower() not in DANGLING_ENDS
        source_words = bullet.source_sentence.text.split()
        assert len(text.split()) >= MIN_KEPT_SHARE * len(source_words)
        assert len(text.split()) <= len(source_words)
        assert all(seed_page_text[start:end] in text for start, end in bullet.kept[1:])
