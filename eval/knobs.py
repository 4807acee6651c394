"""The summariser's knobs tried one at a time on one data split (issue #15: choose them on cnndm_val tune).

python -m eval knobs --data ../shared/data/cnndm_val/articles.jsonl --split tune --out out/knobs_tune.json \
    --try summary_max_words=30,40,60 --try keep_bias=0.5,1.5 [--limit N] [--model DIR_OR_ID]

Every article is parsed and its quotes found once; each setting, moved alone from the shipped ones,
summarises those same analyses again and is scored with the ROUGE of `python -m eval summarization`. A length
tried applies to every article, also to those whose publisher has its own (rules/publisher_lengths.tsv).
Writes OUT.json and prints one line per setting.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from eval.data import DataError, EvalItem, fail, load_items
from eval.metrics import RougeEvaluator, aggregate_rouge, mean_length
from eval.summarization import SUMMARY_SETTINGS, article_for, summarise_again
from service.nlp import ModelLoadError
from service.pipeline import Analysis, Pipeline
from service.settings import Settings
from service.summarize import Summarizer, get_summarizer

# Settings that shape a summary and may be searched (the model is chosen by --model).
KNOBS = tuple(name for name in SUMMARY_SETTINGS if name != "summary_model")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="JSON lines (id, article, reference[, split])")
    parser.add_argument("--out", type=Path, required=True, help="report path (.json)")
    parser.add_argument("--split", help="only the rows whose 'split' field is this (cnndm_val: train or tune)")
    parser.add_argument("--limit", type=int, help="only the first N items")
    parser.add_argument("--model", help="summariser checkpoint directory or hub id (Settings.summary_model)")
    parser.add_argument(
        "--try",
        dest="trials",
        action="append",
        required=True,
        metavar="NAME=V1,V2",
        help=f"values to try for one knob, the others as shipped; repeatable. Knobs: {', '.join(KNOBS)}",
    )


def parse_trials(specs: Sequence[str]) -> list[tuple[str, str]]:
    """('keep_bias=0.5,1.5',) -> [('keep_bias', '0.5'), ('keep_bias', '1.5')]."""
    trials: list[tuple[str, str]] = []
    for spec in specs:
        name, _, values = spec.partition("=")
        if name not in KNOBS:
            raise ValueError(f"--try {spec!r}: unknown knob {name!r} (knobs: {', '.join(KNOBS)})")
        if not values or "" in values.split(","):
            raise ValueError(f"--try {spec!r}: give values as NAME=V1,V2")
        trials.extend((name, value) for value in values.split(","))
    return trials


# A length tried is tried on every article, not only on those whose publisher has no length of its own.
LENGTH_KNOBS = ("summary_max_words", "summary_max_bullets")


def _trial(name: str, value: str) -> dict[str, str | bool]:
    return {name: value, "summary_length_by_publisher": False} if name in LENGTH_KNOBS else {name: value}


def run(args: argparse.Namespace) -> int:
    if args.out.suffix != ".json":
        return fail(f"--out must name a .json file, not {args.out}")
    if args.limit is not None and args.limit < 1:
        return fail("--limit must be at least 1")
    overrides = {"summary_model": args.model} if args.model else {}
    try:
        trials = parse_trials(args.trials)
        settings = [(name, value, Settings(**{**overrides, **_trial(name, value)})) for name, value in trials]
        dataset = load_items(args.data, None, args.limit, split=args.split)
        pipeline = Pipeline.from_settings(Settings(**overrides))
    except ValidationError as exc:
        return fail(f"a value to try is not a valid setting: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    except (DataError, ValueError, ModelLoadError) as exc:
        return fail(str(exc))
    items = dataset.items
    analyses = [pipeline.analyse_article(article_for(item)).analysis for item in tqdm(items, desc="parsing")]
    rows = [_row("shipped", None, items, analyses, pipeline.summarizer)]
    for name, value, trial in settings:
        rows.append(_row(name, getattr(trial, name), items, analyses, get_summarizer(trial)))
        print(f"{name}={value}: {_line(rows[-1])}", file=sys.stderr)
    shipped = pipeline.settings
    report = {
        "data": str(args.data),
        "split": args.split,
        "n": len(items),
        "shipped": {name: getattr(shipped, name) for name in SUMMARY_SETTINGS},
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"shipped: {_line(rows[0])}; wrote {args.out}", file=sys.stderr)
    return 0


def _row(
    name: str,
    value: float | None,
    items: Sequence[EvalItem],
    analyses: Sequence[Analysis | None],
    summarizer: Summarizer,
) -> dict:
    outputs = summarise_again(analyses, summarizer)
    rouge = RougeEvaluator()
    scores = aggregate_rouge([rouge.score(item.reference, output) for item, output in zip(items, outputs)])
    return {"knob": name, "value": value, **scores, "words": mean_length(outputs)}


def _line(row: dict) -> str:
    return f"ROUGE-1/2/Lsum F {row['rouge1']['f']}/{row['rouge2']['f']}/{row['rougeLsum']['f']}, {row['words']} words"
