"""The GGT reader and GGT's quote metric (eval/ggt.py), and its hook in `python -m eval attribution`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from eval import attribution
from eval.ggt import (
    GgtFormatError,
    GoldQuote,
    PredictedQuote,
    coverage,
    is_ggt_file,
    load_ggt,
    match,
    mention_agrees,
    names_agree,
    predictions_from_quotes,
)
from service.schema import Quote

SAMPLE = Path(__file__).parent / "fixtures" / "ggt_sample.jsonl"


def gold(start: int, end: int, mention: tuple[int, int] | None = (0, 2), kind: str = "direct") -> GoldQuote:
    return GoldQuote((start, end), mention, "Doug McCallum", kind)


def predicted(start: int, end: int, mention=(0, 2), floating: bool = False) -> PredictedQuote:
    return PredictedQuote((start, end), mention, "Doug McCallum", "direct", floating)


@pytest.mark.parametrize(
    "gold_span, predicted_span, share",
    [((0, 10), (0, 10), 1.0), ((0, 10), (5, 30), 0.5), ((0, 10), (10, 20), 0.0), ((10, 20), (0, 100), 1.0)],
    ids=["same", "half", "touching", "prediction covers more"],
)
def test_coverage_is_share_of_gold_characters(gold_span, predicted_span, share):
    assert coverage(gold_span, predicted_span) == share


def test_match_takes_largest_share_in_gold_order_one_to_one():
    golds = [gold(0, 10), gold(5, 15)]
    # The first gold quote takes the prediction covering most of it, though it suits the second better.
    predictions = [predicted(0, 4), predicted(5, 15)]
    assert match(golds, predictions, 0.3) == [(0, 1)]
    assert match(golds, [predicted(0, 3)], 0.3) == []  # 0.3 is not above 0.3
    assert match(golds, [predicted(0, 4)], 0.3) == [(0, 0)]
    assert match(golds, [predicted(0, 4)], 0.8) == []


@pytest.mark.parametrize(
    "gold_quote, prediction, agrees",
    [
        (gold(0, 10, (20, 25)), predicted(0, 10, (22, 30)), True),
        (gold(0, 10, (20, 25)), predicted(0, 10, (25, 30)), False),
        (gold(0, 10, (20, 25)), predicted(0, 10, None), False),
        (gold(0, 10, None), predicted(0, 10, (25, 30), floating=True), True),
        (gold(0, 10, None), predicted(0, 10, (25, 30)), False),
    ],
    ids=["overlap", "adjacent", "no mention", "both floating", "gold floating only"],
)
def test_mention_agrees(gold_quote, prediction, agrees):
    assert mention_agrees(gold_quote, prediction) is agrees


@pytest.mark.parametrize(
    "speaker, canonical, agrees",
    [
        ("Doug McCallum", "Doug McCallum", True),
        ("Mayor Doug McCallum", "Doug McCallum", True),
        ("McCallum", "Doug McCallum", False),
        ("GroupM", "media buying company GroupM", True),
        ("the Kelowna Rockets", "The Kelowna Rockets", True),
        ("Rockets", "The Kelowna Rockets", False),
        ("administration officials", "administration officials granted anonymity", True),
        ("IRCC", "Immigration, Refugees and Citizenship Canada", False),
        ("McCallum’s", "McCallum", True),
        ("he", "Doug McCallum", False),
        (None, "Doug McCallum", False),
        ("‘’", "Doug McCallum", False),
    ],
)
def test_names_agree(speaker, canonical, agrees):
    assert names_agree(speaker, canonical) is agrees


def quote(start: int, end: int, content: tuple[int, int], mention: tuple[int, int] | None, kind="direct") -> Quote:
    return Quote(
        text="x",
        start=start,
        end=end,
        speaker="Doug McCallum",
        speaker_span=(0, 13),
        cue="said",
        cue_span=None,
        source_agency=None,
        kind=kind,
        confidence=1.0,
        content_span=content,
        speaker_mention="he" if mention else None,
        speaker_mention_span=mention,
    )


def test_split_direct_quote_is_two_units_the_second_floating():
    text = "Doug McCallum spoke.\n“We will,” he said. “Nobody can.”"
    first, second = text.index("We will,"), text.index("Nobody can.")
    he = text.index("he said")
    parts = [
        quote(first, first + 8, (first, second + 11), (he, he + 2)),
        quote(second, second + 11, (first, second + 11), (he, he + 2)),
    ]
    units = predictions_from_quotes(parts, text)
    assert [text[slice(*u.span)] for u in units] == ["“We will,”", "“Nobody can.”"]
    assert [u.floating for u in units] == [False, True]


def test_mention_in_an_earlier_paragraph_is_floating():
    text = "Doug McCallum said so.\n“It will be built.”"
    start = text.index("It will")
    (unit,) = predictions_from_quotes([quote(start, start + 18, (start, start + 18), (0, 13))], text)
    assert unit.floating


def test_load_ggt_reads_the_sample():
    (article,) = load_ggt(SAMPLE)
    assert article.id == "made-up-1" and len(article.quotes) == 3
    assert article.quotes[1].mention is None and article.quotes[2].kind == "indirect"
    assert is_ggt_file(SAMPLE) and not is_ggt_file(SAMPLE.parent)


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "not a GGT annotated article"),
        (json.dumps({"id": 1, "text": "abc"}), "'quotes'"),
        (
            json.dumps(
                {"id": 1, "text": "abc", "quotes": [{"start": 0, "end": 9, "speaker_canonical": "x", "kind": "direct"}]}
            ),
            "outside the text",
        ),
        (
            json.dumps(
                {"id": 1, "text": "abc", "quotes": [{"start": 0, "end": 2, "speaker_canonical": "x", "kind": "odd"}]}
            ),
            "unknown quote kind",
        ),
    ],
    ids=["not json", "no quotes", "span outside", "unknown kind"],
)
def test_load_ggt_errors_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GgtFormatError, match=f"bad.jsonl:2: .*{message}"):
        load_ggt(path)


def _args(tmp_path: Path, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    attribution.add_arguments(parser)
    return parser.parse_args(["--out", str(tmp_path / "out.json"), *extra])


def test_command_detects_ggt_and_scores_names(tmp_path):
    assert attribution.run(_args(tmp_path, "--data", str(SAMPLE))) == 0
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["format"] == "ggt" and report["n_gold"] == {"all": 3, "direct": 2}
    for threshold in ("0.3", "0.8"):
        scores = report["thresholds"][threshold]
        assert scores["all"]["f1"] == 1.0 and scores["direct"]["f1"] == 1.0
        assert scores["all"]["speaker_mention_accuracy"] == 1.0
        # "he" and "The mayor" both resolve to Doug McCallum, as the annotator's canonical name says.
        assert scores["all"]["speaker_name_accuracy"] == 1.0


def test_command_format_flag_and_errors(tmp_path, capsys):
    missing = tmp_path / "absent.jsonl"
    assert attribution.run(_args(tmp_path, "--data", str(missing), "--format", "ggt")) == 2
    assert "absent.jsonl" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\n", encoding="utf-8")
    assert attribution.run(_args(tmp_path, "--data", str(bad))) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err
