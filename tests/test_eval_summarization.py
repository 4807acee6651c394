"""The summarization and speed commands: loaders, validation, and smoke runs on tiny fixtures."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from transformers import BartConfig

from eval import speed, summarization
from eval.data import DataError, EvalItem, load_items
from eval.metrics import lead_sentences, word_count
from service.readability import RULES
from service.schema import Bullet, Summary, TextSpan
from service.settings import DEFAULT_SPACY_MODEL
from service.summarize import ModelInfo

FIXTURES = Path(__file__).parent / "fixtures"
FRANK_STYLE = FIXTURES / "eval_cnndm_3.jsonl"
NEWLINE_STYLE = FIXTURES / "eval_headline_newline.jsonl"


def _write(tmp_path: Path, lines: list[str], name: str = "data.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _args(command_module, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command_module.add_arguments(parser)
    return parser.parse_args(argv)


# --- Loaders -------------------------------------------------------------------------------------


def test_frank_style_references_split_on_ptb_full_stops():
    items = load_items(FRANK_STYLE).items
    assert len(items) == 3
    assert items[0].reference == (
        "NASA chief scientist Ellen Stofan believes we 're close to finding alien life .",
        "Indications within a decade ; definitive evidence within `` 20 to 30 years , '' she said .",
        "Finding water on other celestial bodies is key to determination .",
    )
    assert set(items[0].systems) == {"bart", "pgn"}
    assert all(s.endswith(".") for s in items[0].systems["bart"][1:-1])


def test_newline_references_and_headline_field():
    items = load_items(NEWLINE_STYLE).items
    assert items[0].reference == (
        "The harbour bridge in Portsmouth will reopen on Monday after six weeks of repairs.",
        "Engineers replaced 40 steel cables.",
    )
    assert items[0].headline == "Harbour bridge to reopen after repairs"
    assert items[0].systems == {}


def test_reference_field_override_and_limit(tmp_path):
    path = _write(
        tmp_path, [json.dumps({"id": "a", "article": "Text here.", "gold": "Gold one.", "summary": "Other."})]
    )
    assert load_items(path, reference_field="gold").items[0].reference == ("Gold one.",)
    assert load_items(path).items[0].reference == ("Other.",)
    assert len(load_items(FRANK_STYLE, limit=2).items) == 2


def test_split_keeps_only_that_splits_rows(tmp_path):
    rows = [
        {"id": "a", "split": "train", "article": "A.", "reference": "B."},
        {"id": "b", "split": "tune", "article": "C.", "reference": "D."},
        {"id": "c", "article": "E.", "reference": "F."},
    ]
    path = _write(tmp_path, [json.dumps(row) for row in rows])
    assert [item.id for item in load_items(path, split="tune").items] == ["b"]
    assert [item.id for item in load_items(path).items] == ["a", "b", "c"]
    with pytest.raises(DataError, match="no evaluation items with split 'test' found"):
        load_items(path, split="test")
    with pytest.raises(DataError, match="a page has no splits"):
        load_items(FIXTURES / "arab-news-page.txt", split="tune")


def test_rows_with_an_empty_reference_are_skipped_and_reported(tmp_path):
    path = _write(
        tmp_path, ['{"id": "a", "article": "A.", "reference": "B."}', '{"id": "b", "article": "C.", "reference": ""}']
    )
    dataset = load_items(path)
    assert [item.id for item in dataset.items] == ["a"]
    assert dataset.skipped == [f"{path}:2 (b): empty reference"]


def test_speed_inputs_need_no_reference(tmp_path):
    path = _write(tmp_path, ['{"article": "Only text."}'])
    assert load_items(path, require_reference=False).items[0].reference == ()
    with pytest.raises(DataError, match="missing reference field"):
        load_items(path)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"article": "A.", "reference": "B."}', "{not json"], ":2: not valid JSON"),
        (['{"reference": "B."}'], ":1: missing or empty field 'article'"),
        (['{"article": "  ", "reference": "B."}'], ":1: missing or empty field 'article'"),
        (['{"article": "A."}'], ":1: missing reference field"),
        (['{"article": "A.", "reference": ""}'], "no evaluation items found"),
        (['{"article": "A.", "reference": 3}'], ":1: field 'reference' must be a string"),
        (['{"article": "A.", "reference": "B.", "systems": ["x"]}'], ":1: field 'systems' must be an object"),
        (['{"article": "A.", "reference": "B.", "systems": {"x": 1}}'], "systems['x'] must be a string"),
        (['["a list"]'], ":1: expected a JSON object"),
        ([""], "no evaluation items"),
    ],
)
def test_malformed_input_names_file_line_and_problem(tmp_path, lines, message):
    path = _write(tmp_path, lines)
    with pytest.raises(DataError) as error:
        load_items(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_items(tmp_path / "absent.jsonl")


def test_binary_file_is_a_data_error(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"article": "\xff\xfe"}\n')
    with pytest.raises(DataError, match="not UTF-8"):
        load_items(path)


def test_scraped_page_items_use_publisher_bullets(seed_page_text):
    items = load_items(FIXTURES / "arab-news-page.txt").items
    # Only the first article of the seed page carries publisher bullets.
    assert len(items) == 1
    assert len(items[0].reference) == 2
    assert all(b in seed_page_text for b in items[0].reference)
    assert items[0].parsed is not None and items[0].article == items[0].parsed.body.text


def test_article_with_headline_keeps_offsets_into_one_text():
    item = load_items(NEWLINE_STYLE).items[0]
    article = summarization.article_for(item)
    page_text = f"{item.headline}\n\n{item.article}"
    assert article.headline.text == item.headline
    assert len(article.paragraphs) == 4
    for span in (article.headline, *article.paragraphs):
        assert page_text[span.start : span.end] == span.text


# --- The summarization command -------------------------------------------------------------------


class LeadPipeline:
    """Stands in for Pipeline: 'summarises' with the article's first two sentences."""

    def __init__(self, nlp) -> None:
        self.nlp = nlp
        self.summarizer = type("S", (), {"info": ModelInfo("seq2seq", "lead-two", "0")})()
        self.calls = 0

    def analyse_article(self, article, timer=None):
        self.calls += 1
        body = article.body.text
        spans = tuple(TextSpan(s, body.index(s), body.index(s) + len(s)) for s in lead_sentences(body, n=2))
        bullets = tuple(Bullet(s.text, s, ((s.start, s.end),)) for s in spans)
        if timer is not None:
            with timer.stage("summary"):
                pass
        return type("Result", (), {"article": article, "summary": Summary(bullets, spans, "seq2seq")})()


@pytest.fixture(scope="module")
def lead_pipeline():
    from service.nlp import InlineParser, load_spacy

    return LeadPipeline(InlineParser(load_spacy(DEFAULT_SPACY_MODEL)))


def test_evaluate_scores_system_baselines_and_ablation_alike(lead_pipeline):
    items = load_items(FRANK_STYLE).items
    first = summarization.evaluate(items, lead_pipeline)
    again = summarization.evaluate(items, lead_pipeline)
    for report in (first, again):
        report.pop("latency_ms")
    assert first == again  # fixed bootstrap seed: same input, same numbers
    assert first["n"] == 3 and first["model"] == {"name": "lead-two", "version": "0"}
    assert list(first["baselines"]) == ["lead3", "lead_length_matched", "oracle_selection", "bart", "pgn"]
    # Lead cut to the system's words, article by article: the same length as the system.
    assert first["baselines"]["lead_length_matched"]["length"] == first["length"]
    # The oracle chose its sentences by ROUGE against the reference: above Lead-3 and the system.
    oracle = first["baselines"]["oracle_selection"]["rouge1"]["f"]
    assert oracle >= first["baselines"]["lead3"]["rouge1"]["f"] and oracle >= first["system"]["rouge1"]["f"]
    # The fake's bullets are its selected sentences, so the ablation scores exactly as the system.
    assert first["ablation"]["selected_sentences"] == first["system"]
    # Lead-2 is a prefix of Lead-3: never more recall, and both copy the article (faithful).
    assert first["system"]["rouge1"]["r"] <= first["baselines"]["lead3"]["rouge1"]["r"]
    assert first["system"]["faithfulness"] == first["baselines"]["lead3"]["faithfulness"] == 1.0
    assert first["length"] < first["baselines"]["lead3"]["length"]


def test_scraped_page_items_are_summarised_from_the_parsed_article(lead_pipeline):
    items = load_items(FIXTURES / "arab-news-page.txt").items
    report = summarization.evaluate(items, lead_pipeline)
    assert report["n"] == 1 and list(report["baselines"]) == ["lead3", "lead_length_matched", "oracle_selection"]
    assert report["system"]["rouge1"]["f"] > 0 and report["system"]["faithfulness"] == 1.0


def test_systems_missing_on_some_items_are_left_out(lead_pipeline):
    items = [
        EvalItem("a", "Alpha rose. Beta fell. Gamma held.", ("Alpha rose.",), {"x": ("Alpha rose.",), "y": ("No.",)}),
        EvalItem("b", "Delta rose. Echo fell.", ("Delta rose.",), {"x": ("Delta rose.",)}),
    ]
    report = summarization.evaluate(items, lead_pipeline)
    assert list(report["baselines"]) == ["lead3", "lead_length_matched", "oracle_selection", "x"]
    assert report["baselines"]["x"]["rouge1"]["f"] == 100.0


def test_summarization_command_writes_json_markdown_and_chart(tmp_path, pipeline, monkeypatch):
    monkeypatch.setattr(summarization.Pipeline, "from_settings", classmethod(lambda cls, settings: pipeline))
    out = tmp_path / "report" / "summ.json"
    code = summarization.run(
        _args(summarization, ["--data", str(FRANK_STYLE), "--out", str(out), "--generator", "extractive"])
    )
    assert code == 0
    report = json.loads(out.read_text())
    assert set(report) >= {
        "n",
        "generator",
        "model",
        "system",
        "baselines",
        "faithfulness",
        "length",
        "latency_ms",
        "ablation",
        "readability",
    }
    assert set(report["readability"]) == {"system", "selected_sentences"}
    for shares in report["readability"].values():
        assert set(shares) == {"bullets", *RULES} and shares["bullets"] >= 3
        assert all(0.0 <= shares[rule] <= 1.0 for rule in RULES)
    for block in (report["system"], report["baselines"]["lead3"], report["ablation"]["selected_sentences"]):
        assert set(block) >= {"rouge1", "rouge2", "rougeLsum", "ci", "faithfulness", "length"}
        assert set(block["rouge1"]) == {"p", "r", "f"}
        low, high = block["ci"]["rougeLsum"]
        assert low <= block["rougeLsum"]["f"] <= high
    assert report["generator"] == "extractive" and report["skipped"] == []
    assert 0.0 <= report["faithfulness"] <= 1.0
    assert report["latency_ms"]["p50"] <= report["latency_ms"]["p95"]
    markdown = out.with_suffix(".md").read_text()
    assert "baseline: lead3" in markdown and "ablation: selected_sentences" in markdown
    assert "baseline: lead_length_matched" in markdown and "baseline: oracle_selection" in markdown
    assert "| summary | bullets | " + " | ".join(RULES) + " |" in markdown
    assert out.with_suffix(".png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "absent.jsonl", "--out", "o.json"], "no such file"),
        (["--data", str(FRANK_STYLE), "--out", "o.md"], "--out must name a .json file"),
        (["--data", str(FRANK_STYLE), "--out", "o.json", "--limit", "0"], "--limit must be at least 1"),
    ],
)
def test_summarization_command_user_errors_are_messages(tmp_path, capsys, argv, message):
    argv = [str(tmp_path / a) if a in {"absent.jsonl", "o.json", "o.md"} else a for a in argv]
    assert summarization.run(_args(summarization, argv)) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error
    assert "Traceback" not in error


# --- The speed command ---------------------------------------------------------------------------

TINY_BART = BartConfig(
    d_model=16,
    encoder_layers=1,
    decoder_layers=1,
    encoder_attention_heads=2,
    decoder_attention_heads=2,
    encoder_ffn_dim=32,
    decoder_ffn_dim=32,
    vocab_size=64,
    max_position_embeddings=1024,
)


def test_speed_reports_stages_and_bart_ratio(pipeline):
    texts = [item.article for item in load_items(FRANK_STYLE, limit=1).items]
    report = speed.measure(texts, pipeline, bart_limit=1, bart_config=TINY_BART)
    assert set(report["stages_ms"]) == {"parse_page", "nlp", "quotes", "summary"}
    for timing in (*report["stages_ms"].values(), report["end_to_end_ms"]):
        assert 0.0 <= timing["p50"] <= timing["p95"]
    assert report["end_to_end_ms"]["p50"] >= report["stages_ms"]["nlp"]["p50"]
    words = report["words_per_article"]["p50"]
    parse_and_quotes = report["stages_ms"]["nlp"]["p50"] + report["stages_ms"]["quotes"]["p50"]
    assert report["parse_and_quotes_ms_per_700_words"]["p50"] == pytest.approx(parse_and_quotes * 700 / words, rel=1e-3)
    assert report["words_per_article"]["max"] == report["words_per_article"]["p50"] > 50
    bart = report["bart"]
    assert bart["n"] == 1 and bart["num_beams"] == pipeline.settings.num_beams and bart["output_tokens"] == 60
    assert bart["input_tokens"][0] == speed.bart_input_length(texts[0]) <= speed.BART_MAX_INPUT_TOKENS
    assert bart["shape"]["d_model"] == 16 and bart["ratio_bart_to_ours"] > 0


def test_bart_large_cnn_config_has_the_published_sizes():
    config = speed.bart_large_cnn_config()
    assert (config.d_model, config.encoder_layers, config.decoder_layers) == (1024, 12, 12)
    assert (config.encoder_attention_heads, config.encoder_ffn_dim, config.vocab_size) == (16, 4096, 50264)


def test_bart_input_is_truncated_to_1024_tokens():
    assert speed.bart_input_length("word " * 5000) == 1024
    assert speed.bart_input_length("Two words.") == 3


def test_speed_command_rejects_bad_limits(capsys):
    args = _args(speed, ["--out", "o.json", "--limit", "2", "--bart-limit", "3"])
    assert speed.run(args) == 2
    assert "--bart-limit cannot exceed --limit" in capsys.readouterr().err


def test_raw_line_separator_inside_a_json_string_stays_one_line(tmp_path):
    row = json.dumps({"article": "One\u2028two.", "reference": "Ref."}, ensure_ascii=False)
    items = load_items(_write(tmp_path, [row, row.replace("One", "Three")])).items
    assert [item.article for item in items] == ["One\u2028two.", "Three\u2028two."]


def test_seq2seq_reports_the_compressor_without_its_salience_prior(tmp_path):
    from service.pipeline import Pipeline
    from service.settings import Settings
    from tests.tiny_model import build_tiny_checkpoint

    pipeline = Pipeline.from_settings(Settings(summary_model=str(build_tiny_checkpoint(tmp_path)), salience_weight=1.5))
    model_alone = summarization.without_salience_prior(pipeline)
    assert model_alone.summarizer.compressor.salience_weight == 0.0
    assert model_alone.summarizer.compressor.model is pipeline.summarizer.compressor.model  # not loaded twice
    assert pipeline.summarizer.compressor.salience_weight == 1.5
    report = summarization.evaluate(load_items(FRANK_STYLE).items, pipeline)
    assert set(report["ablation"]) == {
        "selected_sentences",
        "compressor_without_salience_prior",
        "compressor_on_lead3",
    }
    assert report["settings"]["salience_weight"] == 1.5
    on_lead = summarization.on_lead3(pipeline)
    assert on_lead.summarizer.compressor is pipeline.summarizer.compressor
    # The compressor's input is the article's first three sentences (less the dateline), whatever their scores.
    item = load_items(FRANK_STYLE).items[2]
    analysis = pipeline.analyse_article(summarization.article_for(item)).analysis
    lead = on_lead.summarizer.summarize(analysis.article, analysis.doc, analysis.quotes)
    lead3 = lead_sentences(item.article)
    assert [s.text for s in lead.selected_sentences] == [lead3[0].removeprefix("(CNN)"), *lead3[1:]]
    assert set(report["readability"]) == {"system", "selected_sentences"}
    shares = report["readability"]["system"]
    assert shares["bullets"] >= 3 and all(0.0 <= shares[rule] <= 1.0 for rule in RULES)


def test_speed_command_times_only_long_enough_articles_and_model_loads(tmp_path, capsys):
    lengths = sorted(word_count(item.article) for item in load_items(FRANK_STYLE).items)
    assert lengths[0] < lengths[-1], "the fixture needs articles of different lengths"
    out = tmp_path / "speed.json"
    argv = ["--out", str(out), "--data", str(FRANK_STYLE), "--generator", "extractive", "--bart-limit", "0"]
    assert speed.run(_args(speed, [*argv, "--min-words", str(lengths[-1])])) == 0
    report = json.loads(out.read_text())
    assert report["n"] == lengths.count(lengths[-1]) < len(lengths)
    assert set(report["load_s"]) == {"summariser", "spacy", "quote_content"} and all(
        s >= 0 for s in report["load_s"].values()
    )
    assert speed.run(_args(speed, [*argv, "--min-words", str(lengths[-1] * 10)])) == 2
    assert "words or more" in capsys.readouterr().err
