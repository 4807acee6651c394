"""The learned sentence selector: its training command in a tiny mode, its JSON weights, and loading them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.nlp import ModelLoadError, load_spacy
from service.salience import FEATURES, MODEL_FILE, load_salience_model, sentence_features
from service.select import candidate_features
from service.settings import DEFAULT_SPACY_MODEL, Settings
from service.summarize import get_summarizer
from service.training import selector

TOWNS = ["Leeds", "York", "Hull", "Bath", "Derby", "Ripon"]


def _article(town: str) -> dict:
    lead = f"The {town} council voted on Monday to close the old bridge over the river after engineers found cracks."
    rest = [
        f"Drivers in {town} will use a ferry while the bridge is repaired, which could take two years.",
        "The weather was mild for the time of year, with light winds from the west.",
        "A local bakery has started selling a new kind of bread made with rye and honey.",
        f"Engineers told the {town} council the cracks had grown quickly since the winter floods.",
        "The town's football team lost its match on Saturday by two goals.",
    ]
    reference = [f"{town} council closes old bridge after engineers find cracks", "Drivers will use a ferry"]
    return {"article": " ".join([lead, *rest]), "reference": reference}


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("selector")
    data = root / "articles.jsonl"
    rows = [{"id": f"a{i}", **_article(town), "split": "train" if i < 4 else "tune"} for i, town in enumerate(TOWNS)]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = root / "model"
    assert selector.main(["--data", str(data), "--out", str(out)]) == 0
    return out


def test_training_writes_weights_the_service_loads_and_a_card(trained):
    model = load_salience_model(trained)
    assert model.features == FEATURES
    assert len(model.weights) == len(FEATURES)
    assert model.card["chosen_on"].startswith("split tune (2 articles): C=")
    card = (trained / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "trained on CNN stories only" in card and "4 articles" in card


def test_the_trained_model_ranks_the_sentences_highlights_come_from_first(trained):
    nlp = load_spacy(DEFAULT_SPACY_MODEL)
    spans, features = candidate_features(nlp(_article("Selby")["article"]))
    scores = load_salience_model(trained).scores(features)
    ranked = [spans[i].text.split()[:2] for i in sorted(range(len(spans)), key=lambda i: -scores[i])]
    assert ranked[0] == ["The", "Selby"]
    assert ["The", "weather"] not in ranked[:2]


def test_features_are_one_row_of_every_feature_per_sentence():
    nlp = load_spacy(DEFAULT_SPACY_MODEL)
    doc = nlp("Officials said the bridge would reopen. “It is safe,” the mayor told reporters on Monday.")
    rows = sentence_features(list(doc.sents), doc, [6, 9])
    assert [len(row) for row in rows] == [len(FEATURES), len(FEATURES)]
    named = [dict(zip(FEATURES, row)) for row in rows]
    assert named[0]["is_first"] == 1.0 and named[1]["is_first"] == 0.0
    assert named[1]["opens_with_quote"] == 1.0 and named[0]["opens_with_quote"] == 0.0
    assert named[0]["reports_speech"] == 1.0 and named[1]["names_time"] == 1.0


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "could not be loaded"),
        ("{not json", "could not be loaded"),
        (json.dumps({"name": "x"}), "could not be loaded"),
    ],
)
def test_a_missing_or_broken_selector_stops_start_up(tmp_path, content, message):
    if content is not None:
        (tmp_path / MODEL_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(ModelLoadError, match=message):
        get_summarizer(Settings(selector_model=tmp_path, generator="extractive"))


def test_a_selector_trained_on_other_features_is_refused(tmp_path, trained):
    raw = json.loads((trained / MODEL_FILE).read_text(encoding="utf-8"))
    raw["features"] = raw["features"][::-1]
    (tmp_path / MODEL_FILE).write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="other features"):
        load_salience_model(tmp_path)
