"""The training pipeline end to end in its tiny mode: examples -> tokenizer -> encode -> train -> card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.compress import load_compressor
from service.schema import TextSpan
from service.select import SelectedSentence, Word
from service.settings import Settings
from service.training.__main__ import load_config, main
from service.training.sources import training_paragraphs

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"training sources not found at {DATA}")


@needs_data
def test_tiny_training_run_gives_a_loadable_deleting_model(tmp_path):
    model_dir = tmp_path / "model"
    assert (
        main(
            [
                "all",
                "--tiny",
                "--limit",
                "12",
                "--data",
                str(DATA),
                "--work",
                str(tmp_path / "work"),
                "--out",
                str(model_dir),
            ]
        )
        == 0
    )
    summary = json.loads((model_dir / "summariser.json").read_text())
    assert summary["training"]["steps"] > 0 and summary["training"]["device"] == "cpu"
    assert "sha256" in (model_dir / "MODEL_CARD.md").read_text()
    compressor = load_compressor(Settings(summary_model=str(model_dir), num_beams=1))
    text = "The ministry said on Monday that the bridge would reopen next week."
    words = [Word(t, text.index(t), text.index(t) + len(t)) for t in text[:-1].split(" ")]
    span = TextSpan(text, 0, len(text))
    (kept,) = compressor.compress([SelectedSentence(span, tuple(words), 0, 0.0, False)], [])
    assert set(kept) <= {(w.start, w.end) for w in words}

    # Fine-tuning starts from the checkpoint: its tiny shape and vocabulary, not compressor.toml's [model].
    tuned_dir = tmp_path / "tuned"
    encoded = str(tmp_path / "work" / "encoded.jsonl.gz")
    overrides = ["--set", "train.max_epochs=1", "--set", "train.batch_size=8"]
    assert main(["train", "--encoded", encoded, "--init", str(model_dir), "--out", str(tuned_dir), *overrides]) == 0
    tuned = json.loads((tuned_dir / "summariser.json").read_text())
    assert tuned["init"] == summary["version"] and tuned["training"]["steps"] > 0
    assert tuned["training"]["parameters"] == summary["training"]["parameters"]
    assert load_compressor(Settings(summary_model=str(tuned_dir), num_beams=1)).expected_ratio > 0


def test_the_development_set_is_refused(tmp_path):
    with pytest.raises(ValueError, match="development set"):
        next(training_paragraphs(tmp_path / "frank"))


def test_config_overrides_are_checked():
    assert load_config(False, ["train.max_minutes=1.5"])["train"]["max_minutes"] == 1.5
    assert load_config(True)["model"]["d_model"] < load_config(False)["model"]["d_model"]
    with pytest.raises(SystemExit, match="no setting"):
        load_config(False, ["train.nonexistent=1"])
