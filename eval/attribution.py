"""Score quote extraction and attribution against PolNeAR (metric definitions: eval/README.md, "Attribution")."""

from __future__ import annotations

import argparse
import bisect
import contextlib
import dataclasses
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from eval import ggt
from eval.data import fail
from eval.extraction import extract_all
from eval.ggt import names_agree
from eval.metrics import precision_recall_f1
from eval.polnear import AnnotationError, Document, Fragments, GoldAttribution, load_split
from service.schema import Quote
from service.settings import DEFAULT_QUOTE_CONTENT_DIR, DEFAULT_SPACY_MODEL
from service.text_facts import DOUBLE_QUOTE_MARKS

THRESHOLDS = (0.5, 0.8)
PRONOUN_SOURCE = re.compile(r"(?i)(?:he|she|it|they|we|i|you|who|his|her|their|its)")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Prediction:
    content: Fragments
    speaker: Fragments | None
    kind: str
    # The attribution rule that found it (Quote.rule).
    rule: str | None = None
    # The resolved speaker (Quote.speaker): "Donald Trump" for the mention "he".
    name: str | None = None


@dataclass
class Tally:
    """Weighted counts (each annotator of a text weighs 1/number of its annotators)."""

    gold: float = 0.0
    predicted: float = 0.0
    matched: float = 0.0
    speaker_scored: float = 0.0
    speaker_correct: float = 0.0
    speaker_named: float = 0.0

    def add(self, other: Tally, weight: float) -> None:
        self.gold += other.gold * weight
        self.predicted += other.predicted * weight
        self.matched += other.matched * weight
        self.speaker_scored += other.speaker_scored * weight
        self.speaker_correct += other.speaker_correct * weight
        self.speaker_named += other.speaker_named * weight

    def prf(self) -> dict[str, float]:
        return {
            **precision_recall_f1(self.matched, self.predicted, self.gold),
            "gold": round(self.gold, 2),
            "predicted": round(self.predicted, 2),
            "matched": round(self.matched, 2),
        }

    def speaker_accuracy(self) -> float:
        return round(self.speaker_correct / self.speaker_scored, 4) if self.speaker_scored else 0.0

    def speaker_name_accuracy(self) -> float:
        return round(self.speaker_named / self.speaker_scored, 4) if self.speaker_scored else 0.0


@dataclass
class Scores:
    direct: Tally = field(default_factory=Tally)
    everything: Tally = field(default_factory=Tally)
    # Predictions and matches of each rule (gold counts stay in `direct` / `everything`).
    direct_by_rule: dict[str, Tally] = field(default_factory=dict)
    everything_by_rule: dict[str, Tally] = field(default_factory=dict)

    def add(self, other: Scores, weight: float) -> None:
        self.direct.add(other.direct, weight)
        self.everything.add(other.everything, weight)
        for mine, theirs in (
            (self.direct_by_rule, other.direct_by_rule),
            (self.everything_by_rule, other.everything_by_rule),
        ):
            for rule, tally in theirs.items():
                mine.setdefault(rule, Tally()).add(tally, weight)


class TokenIndex:
    """Word tokens of a text, to measure span overlap in tokens (punctuation and marks ignored)."""

    def __init__(self, text: str) -> None:
        self.text = text
        matches = list(WORD.finditer(text))
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]

    def tokens(self, fragments: Fragments) -> frozenset[int]:
        found: set[int] = set()
        for start, end in fragments:
            first = bisect.bisect_right(self.ends, start)
            last = bisect.bisect_left(self.starts, end)
            found.update(range(first, last))
        return frozenset(found)


def overlap(a: frozenset[int], b: frozenset[int]) -> float:
    """Shared tokens over the longer span's tokens."""
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def match(gold: list[frozenset[int]], predicted: list[frozenset[int]], threshold: float) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, prediction index), best overlaps first, each >= threshold."""
    pairs = []
    for g, gold_tokens in enumerate(gold):
        for p, predicted_tokens in enumerate(predicted):
            score = overlap(gold_tokens, predicted_tokens)
            if score >= threshold:
                pairs.append((score, g, p))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    matched = []
    for _, g, p in pairs:
        if g not in used_gold and p not in used_predicted:
            used_gold.add(g)
            used_predicted.add(p)
            matched.append((g, p))
    return matched


def spans_overlap(a: Fragments, b: Fragments) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def has_quote_mark(text: str, fragments: Fragments, widen: int = 0) -> bool:
    return any(c in DOUBLE_QUOTE_MARKS for s, e in fragments for c in text[max(s - widen, 0) : e + widen])


def names_gold_source(text: str, name: str | None, source: Fragments) -> bool:
    """Our resolved speaker names the gold Source, where PolNeAR's annotators marked a name rather than
    the pronoun or description next to the cue ("Graham" for "he said")."""
    words = " ".join(text[s:e] for s, e in source)
    return not PRONOUN_SOURCE.fullmatch(words.strip()) and names_agree(name, words)


def predictions_from_quotes(quotes: list[Quote]) -> list[Prediction]:
    """One prediction per statement. The parts of a split quote ('"A," he said, "B."') share a
    content_span; the statement's content is its quoted parts, not the narration between them (as in
    PolNeAR, whose Content of such a statement is the quoted fragments)."""
    parts: dict[tuple[int, int], list[Quote]] = {}
    for quote in quotes:
        parts.setdefault(quote.content_span or (quote.start, quote.end), []).append(quote)
    predictions = []
    for statement in parts.values():
        first = statement[0]
        speaker = (first.speaker_mention_span,) if first.speaker_mention_span else None
        content = first.content_span or (first.start, first.end)
        if len(statement) > 1 and all(q.kind == "direct" for q in statement):
            fragments = tuple(sorted((q.start, q.end) for q in statement))
        else:
            fragments = (content,)
        predictions.append(Prediction(fragments, speaker, first.kind, first.rule, first.speaker))
    return predictions


def score_document(text: str, gold: list[GoldAttribution], predicted: list[Prediction], threshold: float) -> Scores:
    index = TokenIndex(text)
    scores = Scores()
    # Direct: gold contents with a quote mark; predictions whose content (or the mark just outside
    # it, as Quote spans exclude the marks) has one.
    direct_gold = [g for g in gold if has_quote_mark(text, g.content)]
    direct_predicted = [p for p in predicted if has_quote_mark(text, p.content, widen=1)]
    for tally, by_rule, gold_set, predicted_set, with_speaker in (
        (scores.direct, scores.direct_by_rule, direct_gold, direct_predicted, True),
        (scores.everything, scores.everything_by_rule, gold, predicted, False),
    ):
        gold_tokens = [index.tokens(g.content) for g in gold_set]
        predicted_tokens = [index.tokens(p.content) for p in predicted_set]
        pairs = match(gold_tokens, predicted_tokens, threshold)
        tally.gold, tally.predicted, tally.matched = len(gold_set), len(predicted_set), len(pairs)
        _tally_rules(by_rule, predicted_set, {p for _, p in pairs})
        if with_speaker:
            for g, p in pairs:
                source = gold_set[g].source
                if source is None:
                    continue  # PolNeAR "Attribution-no-source": nobody to compare with
                tally.speaker_scored += 1
                speaker = predicted_set[p].speaker
                correct = bool(speaker and spans_overlap(speaker, source))
                tally.speaker_correct += correct
                tally.speaker_named += correct or names_gold_source(text, predicted_set[p].name, source)
    return scores


def _tally_rules(by_rule: dict[str, Tally], predicted: list[Prediction], matched: set[int]) -> None:
    for p, prediction in enumerate(predicted):
        tally = by_rule.setdefault(prediction.rule or "none", Tally())
        tally.predicted += 1
        tally.matched += p in matched


def rule_table(whole: Tally, by_rule: dict[str, Tally]) -> dict[str, dict[str, float]]:
    """Each rule's predictions, matches, precision, its share of the gold statements it matched (recall), and
    the F1 of the whole set were its predictions left out (other matches unchanged): a rule whose
    `f1_without` is above the set's F1 costs more than it earns."""
    table = {}
    for rule, tally in sorted(by_rule.items(), key=lambda item: -item[1].predicted):
        rest = whole.predicted - tally.predicted + whole.gold
        table[rule] = {
            "predicted": round(tally.predicted, 2),
            "matched": round(tally.matched, 2),
            "precision": round(tally.matched / tally.predicted, 4) if tally.predicted else 0.0,
            "recall": round(tally.matched / whole.gold, 4) if whole.gold else 0.0,
            "f1_without": round(2 * (whole.matched - tally.matched) / rest, 4) if rest else 0.0,
        }
    return table


def evaluate(
    documents: list[Document],
    model_name: str,
    content_model: Path = DEFAULT_QUOTE_CONTENT_DIR,
    predictions_out: TextIO | None = None,
) -> dict:
    """Scores of the extractor on the documents; with `predictions_out`, every quote it found is also
    written there, one JSON line per document (to compare two versions' output exactly)."""
    totals = {t: Scores() for t in THRESHOLDS}
    kinds: Counter[str] = Counter()
    matched_kinds: dict[str, float] = defaultdict(float)
    extractor_ms: list[float] = []
    words: list[int] = []
    texts = (document.text for document in documents)
    for document, extracted in zip(documents, extract_all(texts, model_name, content_model, "attribution")):
        doc, quotes = extracted.doc, extracted.quotes
        extractor_ms.append(extracted.extractor_ms)
        if predictions_out is not None:
            record = {"id": document.stem, "quotes": [dataclasses.asdict(q) for q in quotes]}
            predictions_out.write(json.dumps(record, ensure_ascii=False) + "\n")
        words.append(sum(1 for t in doc if t.is_alpha))
        predicted = predictions_from_quotes(quotes)
        kinds.update(p.kind for p in predicted)
        weight = 1 / len(document.annotations)
        index = TokenIndex(document.text)
        for gold in document.annotations.values():
            for threshold in THRESHOLDS:
                totals[threshold].add(score_document(document.text, gold, predicted, threshold), weight)
            gold_tokens = [index.tokens(g.content) for g in gold]
            predicted_tokens = [index.tokens(p.content) for p in predicted]
            for _, p in match(gold_tokens, predicted_tokens, THRESHOLDS[0]):
                matched_kinds[predicted[p].kind] += weight
    return _report(documents, totals, kinds, matched_kinds, extractor_ms, words)


def _report(documents, totals, kinds, matched_kinds, extractor_ms, words) -> dict:
    loose, strict = totals[THRESHOLDS[0]], totals[THRESHOLDS[1]]
    return {
        "n_articles": len(documents),
        "n_annotations": sum(len(d.annotations) for d in documents),
        "overlap_threshold": THRESHOLDS[0],
        "direct_quotes": loose.direct.prf(),
        "speaker_accuracy": loose.direct.speaker_accuracy(),
        "speaker_name_accuracy": loose.direct.speaker_name_accuracy(),
        "speaker_scored": round(loose.direct.speaker_scored, 2),
        "all_attributions": loose.everything.prf(),
        "strict": {
            "overlap_threshold": THRESHOLDS[1],
            "direct_quotes": strict.direct.prf(),
            "speaker_accuracy": strict.direct.speaker_accuracy(),
            "speaker_name_accuracy": strict.direct.speaker_name_accuracy(),
            "all_attributions": strict.everything.prf(),
        },
        "by_rule": {
            "direct_quotes": rule_table(loose.direct, loose.direct_by_rule),
            "all_attributions": rule_table(loose.everything, loose.everything_by_rule),
        },
        "predicted_by_kind": dict(kinds),
        "matched_by_kind": {k: round(v, 2) for k, v in matched_kinds.items()},
        "extractor_ms": _latency(extractor_ms),
        "words_per_article": {"mean": round(statistics.fmean(words), 1) if words else 0, "max": max(words, default=0)},
    }


def _latency(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "mean": round(statistics.fmean(ordered), 2),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
        "max": round(ordered[-1], 2),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        help="PolNeAR data dir holding <split>/text and <split>/attributions, or a GGT .jsonl file",
    )
    parser.add_argument(
        "--format", choices=("auto", "polnear", "ggt"), default="auto", help="auto: a .jsonl file is GGT's"
    )
    parser.add_argument("--split", choices=("train", "dev", "test"), default="dev", help="PolNeAR only")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON report")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N texts")
    parser.add_argument("--spacy-model", default=DEFAULT_SPACY_MODEL)
    parser.add_argument(
        "--quote-content-model",
        type=Path,
        default=DEFAULT_QUOTE_CONTENT_DIR,
        help="the partial-quote content model to score (a folder written by python -m service.training.quote_content)",
    )
    parser.add_argument(
        "--predictions", type=Path, default=None, help="also write every predicted quote here (JSON lines)"
    )


def run(args: argparse.Namespace) -> int:
    use_ggt = args.format == "ggt" or (args.format == "auto" and ggt.is_ggt_file(args.data))
    try:
        items: list = ggt.load_ggt(args.data) if use_ggt else load_split(args.data, args.split)
    except (FileNotFoundError, AnnotationError, ggt.GgtFormatError) as error:
        return fail(str(error))
    if args.limit is not None:
        items = items[: args.limit]
    if not items:
        return fail(f"no annotated texts in {args.data if use_ggt else args.data / args.split}")
    from service.nlp import ModelLoadError  # spaCy loads only for the command that needs it

    score = ggt.evaluate if use_ggt else evaluate
    try:
        with contextlib.ExitStack() as stack:
            predictions = None
            if args.predictions is not None:
                args.predictions.parent.mkdir(parents=True, exist_ok=True)
                predictions = stack.enter_context(args.predictions.open("w", encoding="utf-8"))
            report = score(items, args.spacy_model, args.quote_content_model, predictions)
    except ModelLoadError as error:
        return fail(str(error))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if use_ggt:
        print(json.dumps({t: {k: v["f1"] for k, v in s.items()} for t, s in report["thresholds"].items()}))
    else:
        keys = ("n_articles", "direct_quotes", "speaker_accuracy", "speaker_name_accuracy", "all_attributions")
        print(json.dumps({k: report[k] for k in keys}))
        print_rule_table(report["by_rule"], sys.stderr)
    return 0


def print_rule_table(by_rule: dict[str, dict[str, dict[str, float]]], out: TextIO) -> None:
    """The per-rule figures as a plain table (the JSON report holds the same)."""
    for figure, table in by_rule.items():
        print(f"\n{figure} by rule: predicted, matched, precision, recall, F1 without the rule", file=out)
        for rule, row in table.items():
            print(
                f"  {rule:32s} {row['predicted']:9.2f} {row['matched']:9.2f} {row['precision']:7.3f} "
                f"{row['recall']:7.3f} {row['f1_without']:7.3f}",
                file=out,
            )
