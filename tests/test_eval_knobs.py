"""The knob search (python -m eval knobs): each knob moved alone over one parse of the data, user errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from eval import knobs

FRANK_STYLE = Path(__file__).parent / "fixtures" / "eval_cnndm_3.jsonl"


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    knobs.add_arguments(parser)
    return parser.parse_args(argv)


def test_trials_name_a_knob_and_its_values():
    assert knobs.parse_trials(["keep_bias=0.5,1.5", "summary_max_words=30"]) == [
        ("keep_bias", "0.5"),
        ("keep_bias", "1.5"),
        ("summary_max_words", "30"),
    ]
    with pytest.raises(ValueError, match="unknown knob 'summary_model'"):
        knobs.parse_trials(["summary_model=x"])
    with pytest.raises(ValueError, match="give values as NAME=V1,V2"):
        knobs.parse_trials(["keep_bias="])
    with pytest.raises(ValueError, match="give values as NAME=V1,V2"):
        knobs.parse_trials(["keep_bias=1,,2"])


def test_each_knob_moves_alone_over_the_same_analyses(tmp_path, capsys):
    from tests.tiny_model import build_tiny_checkpoint

    model = build_tiny_checkpoint(tmp_path)
    out = tmp_path / "knobs.json"
    argv = ["--data", str(FRANK_STYLE), "--out", str(out), "--model", str(model)]
    code = knobs.run(_args([*argv, "--try", "summary_max_words=5,400", "--try", "summary_max_bullets=1"]))
    assert code == 0, capsys.readouterr().err
    report = json.loads(out.read_text())
    assert report["n"] == 3 and report["shipped"]["summary_model"] == str(model)
    rows = {(row["knob"], row["value"]): row for row in report["rows"]}
    assert list(rows) == [
        ("shipped", None),
        ("summary_max_words", 5),
        ("summary_max_words", 400),
        ("summary_max_bullets", 1),
    ]
    for row in report["rows"]:
        assert set(row) >= {"rouge1", "rouge2", "rougeLsum", "ci", "words"}
        assert 0.0 <= row["rouge1"]["f"] <= 100.0
    # A 5-word budget gives shorter summaries than a 400-word one, one bullet fewer words than four.
    assert rows[("summary_max_words", 5)]["words"] < rows[("summary_max_words", 400)]["words"]
    assert rows[("summary_max_bullets", 1)]["words"] < rows[("shipped", None)]["words"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--try", "summary_max_words=0"], "not a valid setting: summary_max_words"),
        (["--try", "beam=2"], "unknown knob 'beam'"),
        (["--try", "keep_bias=1", "--limit", "0"], "--limit must be at least 1"),
    ],
)
def test_user_errors_are_one_line_messages(tmp_path, capsys, extra, message):
    code = knobs.run(_args(["--data", str(FRANK_STYLE), "--out", str(tmp_path / "k.json"), *extra]))
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "k.json").exists()
