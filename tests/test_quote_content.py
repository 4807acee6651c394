"""The partial-quote content model (service/quote_content.py) and its training command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy
import pytest
import torch

from service.nlp import ModelLoadError, load_spacy
from service.quote_content import (
    FEATURE_SIZE,
    FLAGS,
    ContentBoundaryNet,
    LearnedContent,
    _overlap,
    boundary_log_probs,
    decision_features,
    default_chooser,
    load_model,
    most_likely_to_match,
    save_model,
)
from service.quotes import extract_quotes
from service.schema import Article, TextSpan
from service.settings import DEFAULT_SPACY_MODEL
from service.training.quote_content import RecordingChooser, collect_examples
from service.training.quote_content import main as train_main

FIXTURES = Path(__file__).parent / "fixtures"
PARAGRAPHS = [
    "Carson said that the campaign's announcement, which some have argued was meant to sway voters, "
    "was an “insult” to the young volunteers of his campaign.",
    "Kim reaffirmed his government's commitment to “unconditionally support all measures” taken by Russia.",
    "Clinton once described the trade pact as “the gold standard” of trade deals when she was secretary of state.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_spacy(DEFAULT_SPACY_MODEL)


def article_of(paragraphs: list[str]) -> Article:
    spans, cursor = [], 0
    for text in paragraphs:
        spans.append(TextSpan(text, cursor, cursor + len(text)))
        cursor += len(text) + 1
    return Article(headline=None, dateline=None, bullets=(), paragraphs=tuple(spans))


@pytest.fixture(scope="module")
def decisions(nlp):
    article = article_of(PARAGRAPHS)
    recorder = RecordingChooser()
    quotes = extract_quotes(article, nlp(article.body.text), recorder)
    return recorder.decisions, quotes


def test_every_partial_quote_is_a_decision_and_the_rule_choice_is_kept(decisions):
    recorded, quotes = decisions
    assert len(recorded) == 3
    page = "\n".join(PARAGRAPHS)
    body = recorded[0].window.doc.text
    partial = [q for q in quotes if q.kind == "partial"]
    assert {page[slice(*q.content_span)] for q in partial} == {body[slice(*d.rule_choice)] for d in recorded}


def test_features_mark_the_quoted_tokens_and_the_cue(decisions):
    for decision in decisions[0]:
        features = decision_features(decision)
        assert features.shape == (len(decision.window), FEATURE_SIZE)
        quoted = [t.text for t, row in zip(decision.window, features) if row[FLAGS.index("quoted")]]
        text = decision.window.doc.text[decision.quote[0] : decision.quote[1]]
        assert " ".join(quoted).replace(" ,", ",") in text or text.startswith(quoted[0])
        cue_rows = [t.text for t, row in zip(decision.window, features) if row[FLAGS.index("cue")]]
        assert cue_rows == [decision.cue.text]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_any_network_returns_content_that_holds_the_quoted_words(decisions, seed):
    torch.manual_seed(seed)
    chooser = LearnedContent([ContentBoundaryNet(), ContentBoundaryNet()])
    for decision in decisions[0]:
        [(start, end)] = chooser.choose_all([decision])
        assert start <= decision.quote[0] and end >= decision.quote[1]
        assert decision.window.start_char <= start and end <= decision.window.end_char


def test_a_padded_batch_chooses_as_each_decision_alone(decisions):
    chooser = default_chooser()
    assert chooser.choose_all(decisions[0]) == [chooser.choose_all([d])[0] for d in decisions[0]]


def test_save_and_load_give_the_same_choices(decisions, tmp_path):
    torch.manual_seed(3)
    nets = [ContentBoundaryNet(), ContentBoundaryNet()]
    save_model(nets, tmp_path, {"data": "none"})
    loaded = load_model(tmp_path)
    assert len(loaded.nets) == 2
    for decision in decisions[0]:
        assert loaded.choose_all([decision]) == LearnedContent(nets).choose_all([decision])


def test_a_parse_without_tok2vec_vectors_is_refused_by_name(nlp):
    article = article_of(PARAGRAPHS[1:2])
    doc = nlp(article.body.text)
    doc.tensor = numpy.zeros((len(doc), 0), dtype="float32")
    with pytest.raises(ValueError, match="tok2vec"):
        extract_quotes(article, doc, default_chooser())


def test_a_missing_model_stops_loading(tmp_path):
    with pytest.raises(ModelLoadError, match="could not be loaded"):
        load_model(tmp_path / "nothing-here")


def test_a_model_trained_on_other_features_is_refused(tmp_path):
    save_model([ContentBoundaryNet()], tmp_path, {"data": "none"})
    config = json.loads((tmp_path / "config.json").read_text())
    config["words"] = config["words"][:-1]
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="other features"):
        load_model(tmp_path)


def test_the_shipped_model_loads_and_widens_a_clause_the_parse_cut(decisions, nlp):
    """'He said that the announcement, which ..., was an “insult” to ...': annotators take the whole
    clause the cue reports; the parse alone gives the clause from "was"."""
    chooser = default_chooser()
    insult = next(d for d in decisions[0] if "insult" in d.window.doc.text[d.quote[0] : d.quote[1]])
    [(start, end)] = chooser.choose_all([insult])
    chosen = insult.window.doc.text[start:end]
    assert chosen.startswith("that the campaign's announcement") or chosen.startswith("the campaign's announcement")
    assert chosen.endswith("of his campaign")


def test_training_in_tiny_mode_writes_a_model_that_loads(tmp_path):
    out = tmp_path / "model"
    assert (
        train_main(
            [
                "--data",
                str(FIXTURES / "polnear_partial"),
                "--split",
                "train",
                "--epochs",
                "2",
                "--seeds",
                "0",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    config = json.loads((out / "config.json").read_text())
    assert config["training"]["documents"] == 1 and config["training"]["epochs"] == 2
    assert config["training"]["decisions"] == 2
    assert len(load_model(out).nets) == 2


def test_examples_are_labelled_with_the_annotated_content():
    from eval.polnear import load_split

    documents = load_split(FIXTURES / "polnear_partial", "train")
    examples = collect_examples(documents, DEFAULT_SPACY_MODEL)
    assert len(examples) == 2
    for example in examples:
        first, last = example.quoted
        assert example.targets
        assert len(example.targets) == 1
        start, end, weight = example.targets[0]
        assert start < first and end > last and weight == 1.0  # both contents reach beyond the quoted words


def _distribution(size: int, probabilities: dict[int, float]) -> torch.Tensor:
    values = torch.full((size,), 1e-9)
    for position, probability in probabilities.items():
        values[position] = probability
    return torch.log(values / values.sum())


def test_span_is_the_likeliest_to_match_not_two_argmaxes():
    # Two readings of a quote at tokens 4-5: the clause 0-9, or the quoted words alone. The first token
    # and the last token taken apart (0 and 5) give a span matching only the less likely reading.
    first = _distribution(12, {0: 0.55, 4: 0.45})
    last = _distribution(12, {5: 0.55, 9: 0.45})
    words = torch.ones(12)
    assert (int(first.argmax()), int(last.argmax())) == (0, 5)
    assert most_likely_to_match(first, last, (4, 5), words) == (0, 9)
    # Sure of both ends, it keeps them.
    assert most_likely_to_match(_distribution(12, {3: 1.0}), _distribution(12, {7: 1.0}), (4, 5), words) == (3, 7)


def test_every_networks_boundaries_at_once_equal_each_alone():
    # The chooser scores all networks of an ensemble in one call: each network's row must be what it gets
    # alone, normalised over tokens (not over networks), with the tokens outside its side of the quote ruled out.
    torch.manual_seed(0)
    scores = torch.randn(3, 9, 2)
    first, last = boundary_log_probs(scores, (3, 5))
    for net in range(3):
        alone_first, alone_last = boundary_log_probs(scores[net], (3, 5))
        assert torch.equal(first[net], alone_first) and torch.equal(last[net], alone_last)
    assert torch.allclose(first.exp().sum(-1), torch.ones(3)) and torch.allclose(last.exp().sum(-1), torch.ones(3))
    assert float(first[:, 4:].exp().max()) < 1e-6 and float(last[:, :5].exp().max()) < 1e-6


def test_overlap_of_every_two_candidate_spans_counts_their_shared_words():
    words = torch.tensor([1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0])  # 0: punctuation
    firsts, lasts = torch.tensor([0, 3, 2]), torch.tensor([4, 9])
    got = _overlap(firsts, lasts, torch.cat([torch.zeros(1), words.cumsum(0)]))
    spans = [(int(a), int(b)) for a in firsts for b in lasts]  # cartesian_prod's order
    for i, (a, b) in enumerate(spans):
        for j, (c, d) in enumerate(spans):
            shared = float(words[max(a, c) : min(b, d) + 1].sum()) if max(a, c) <= min(b, d) else 0.0
            longer = max(float(words[a : b + 1].sum()), float(words[c : d + 1].sum()))
            assert float(got[i, j]) == pytest.approx(shared / longer)
