"""The PolNeAR reader and the attribution scorer (eval/polnear.py, eval/attribution.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from eval import attribution
from eval.attribution import Prediction, TokenIndex, match, overlap, score_document
from eval.polnear import AnnotationError, GoldAttribution, load_split, parse_ann

SAMPLE = Path(__file__).parent / "fixtures" / "polnear_sample"
TEXT = "Intro line.\n\n“We are ready to talk,” Lavrov said. Russia understands it, he said."


def span(fragment: str) -> tuple[tuple[int, int], ...]:
    start = TEXT.index(fragment)
    return ((start, start + len(fragment)),)


@pytest.mark.parametrize(
    "a, b, expected",
    [({1, 2, 3, 4}, {1, 2, 3, 4}, 1.0), ({1, 2, 3, 4}, {1, 2}, 0.5), ({1, 2}, {3, 4}, 0.0), (set(), {1}, 0.0)],
    ids=["same", "half of longer", "disjoint", "empty"],
)
def test_overlap_is_shared_over_longer(a, b, expected):
    assert overlap(frozenset(a), frozenset(b)) == expected


def test_match_is_one_to_one_best_first():
    gold = [frozenset({1, 2, 3, 4})]
    predicted = [frozenset({1, 2}), frozenset({1, 2, 3, 4})]
    assert match(gold, predicted, 0.5) == [(0, 1)]
    assert match(gold, [frozenset({1})], 0.5) == []


def test_token_index_ignores_marks_and_handles_discontinuous_spans():
    index = TokenIndex(TEXT)
    assert len(index.tokens(span("“We are ready to talk,”"))) == 5
    both = span("We are") + span("Russia understands")
    assert len(index.tokens(both)) == 4


GOLD = [
    GoldAttribution(span("“We are ready to talk,”"), span("Lavrov"), span("said")),
    GoldAttribution(span("Russia understands it"), span("he"), None),
]


@pytest.mark.parametrize(
    "predicted, direct_matched, speaker_correct, all_matched",
    [
        ([Prediction(span("We are ready to talk,"), span("Lavrov"), "direct")], 1, 1, 1),
        ([Prediction(span("We are ready to talk,"), span("Intro"), "direct")], 1, 0, 1),
        ([Prediction(span("We are ready"), span("Lavrov"), "direct")], 1, 1, 1),
        ([Prediction(span("We are"), span("Lavrov"), "direct")], 0, 0, 0),
        ([Prediction(span("Intro line"), None, "indirect")], 0, 0, 0),
        (
            [
                Prediction(span("We are ready to talk,"), None, "direct"),
                Prediction(span("Russia understands it"), span("he"), "indirect"),
            ],
            1,
            0,
            2,
        ),
    ],
    ids=["exact", "wrong speaker", "3 of 5 tokens", "2 of 5 tokens", "unrelated", "both, no speaker"],
)
def test_score_document(predicted, direct_matched, speaker_correct, all_matched):
    scores = score_document(TEXT, GOLD, predicted, 0.5)
    assert scores.direct.gold == 1
    assert scores.direct.matched == direct_matched
    assert scores.direct.speaker_correct == speaker_correct
    assert scores.everything.gold == 2
    assert scores.everything.matched == all_matched
    assert scores.everything.predicted == len(predicted)


def test_strict_threshold_rejects_partial_overlap():
    predicted = [Prediction(span("We are ready"), span("Lavrov"), "direct")]
    assert score_document(TEXT, GOLD, predicted, 0.8).direct.matched == 0


def test_parse_ann_reads_discontinuous_and_multiline_spans():
    lines = [
        "T1\tContent 0 5;10 15\tabcde fghij",
        "T2\tSource 20 27\tsomeone",
        "T3\tContent 40 52\tline one",  # the span text runs over a newline of the .txt
        "two",
        "E1\tContent:T1 Source:T2",
        "E2\tContent:T3",
        "A1\tSomething T1",
    ]
    gold = parse_ann(lines, "x.ann")
    assert gold[0] == GoldAttribution(((0, 5), (10, 15)), ((20, 27),), None)
    assert gold[1] == GoldAttribution(((40, 52),), None, None)


@pytest.mark.parametrize(
    "line, message",
    [
        ("T1\tContent five 10\tx", "x.ann:1: bad offsets"),
        ("garbage line", "x.ann:1: not a brat"),
        ("E1\tContent:T7", "x.ann:1: event argument"),
    ],
    ids=["bad offsets", "unknown line", "dangling event"],
)
def test_parse_ann_errors_name_file_and_line(line, message):
    with pytest.raises(AnnotationError, match=message):
        parse_ann([line], "x.ann")


def test_load_split_missing_dir_is_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="PolNeAR directory not found"):
        load_split(tmp_path, "dev")


def test_load_split_reads_annotators():
    documents = load_split(SAMPLE, "dev")
    assert [d.stem for d in documents] == ["sample-article"]
    assert sorted(documents[0].annotations) == ["ab12", "cd34"]
    assert len(documents[0].annotations["ab12"]) == 2


def _args(tmp_path: Path, data: Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    attribution.add_arguments(parser)
    return parser.parse_args(["--data", str(data), "--split", "dev", "--out", str(tmp_path / "out.json")])


def test_command_on_fixture(tmp_path):
    assert attribution.run(_args(tmp_path, SAMPLE)) == 0
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["n_articles"] == 1 and report["n_annotations"] == 2
    assert report["direct_quotes"]["f1"] == 1.0
    assert report["speaker_accuracy"] == 1.0
    # Annotator cd34 marked only the quote: the indirect prediction is a false positive for them.
    assert report["all_attributions"]["recall"] == 1.0
    assert report["all_attributions"]["precision"] == pytest.approx(0.75)
    assert set(report["strict"]) >= {"direct_quotes", "speaker_accuracy", "all_attributions"}
    assert report["predicted_by_kind"] == {"direct": 1, "indirect": 1}
    # One rule found the quote, another the indirect statement; the annotator without it makes it half wrong.
    by_rule = report["by_rule"]["all_attributions"]
    assert {row["predicted"] for row in by_rule.values()} == {1.0}
    assert sorted(row["precision"] for row in by_rule.values()) == [0.5, 1.0]
    assert sum(row["recall"] for row in by_rule.values()) == pytest.approx(report["all_attributions"]["recall"])


def test_rule_table_shows_what_a_rule_costs():
    whole = attribution.Tally(gold=10, predicted=10, matched=8)
    table = attribution.rule_table(
        whole, {"good": attribution.Tally(predicted=8, matched=8), "bad": attribution.Tally(predicted=2, matched=0)}
    )
    assert list(table) == ["good", "bad"]
    assert table["good"]["precision"] == 1.0 and table["good"]["recall"] == 0.8
    assert table["bad"]["precision"] == 0.0
    assert table["bad"]["f1_without"] > 0.8 > table["good"]["f1_without"]  # 8/9 without "bad"; the set's F1 is 0.8


def test_command_names_a_content_model_it_cannot_load(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    attribution.add_arguments(parser)
    args = parser.parse_args(
        [
            "--data",
            str(SAMPLE),
            "--split",
            "dev",
            "--out",
            str(tmp_path / "out.json"),
            "--quote-content-model",
            str(tmp_path / "no-model"),
        ]
    )
    assert attribution.run(args) == 2
    assert "no-model" in capsys.readouterr().err


def test_command_missing_dir_exit_code(tmp_path, capsys):
    assert attribution.run(_args(tmp_path, tmp_path / "nowhere")) == 2
    assert "PolNeAR directory not found" in capsys.readouterr().err


def test_split_direct_quote_is_scored_by_its_quoted_parts_not_the_narration():
    from eval.attribution import predictions_from_quotes
    from service.schema import Quote

    text = '"We are ready," Lavrov said on a long visit to the eastern city on Saturday. "We will talk."'
    first, second = text.index("We are"), text.index("We will")
    whole = (first, text.index("talk.") + len("talk."))
    parts = [
        Quote(
            text=text[s:e],
            start=s,
            end=e,
            speaker="Sergey Lavrov",
            speaker_span=(17, 23),
            cue="said",
            cue_span=(24, 28),
            source_agency=None,
            kind="direct",
            confidence=0.9,
            content_span=whole,
        )
        for s, e in ((first, first + len("We are ready,")), (second, second + len("We will talk.")))
    ]
    (statement,) = predictions_from_quotes(parts)
    assert statement.content == ((parts[0].start, parts[0].end), (parts[1].start, parts[1].end))
    partial = Quote(
        text="ready",
        start=4,
        end=9,
        speaker=None,
        speaker_span=None,
        cue=None,
        cue_span=None,
        source_agency=None,
        kind="partial",
        confidence=0.5,
        content_span=(0, 30),
    )
    assert predictions_from_quotes([partial])[0].content == ((0, 30),)  # a partial quote's statement is its clause
