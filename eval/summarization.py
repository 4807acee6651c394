"""ROUGE, faithfulness, length and latency of the summariser against Lead-3 and published systems.

Beside the system: Lead-3, Lead cut to the system's length, the greedy sentence oracle (an upper bound),
published systems where the data has them; the ablations (the selection not rewritten, the compressor
without its salience prior, the compressor on Lead-3); and the share of bullets breaking each
readability rule (service/readability.py).

python -m eval summarization --data FILE.jsonl|PAGE.txt --out OUT.json [--split NAME] [--limit N] [--model DIR_OR_ID]
Writes OUT.json, OUT.md (table) and OUT.png (bar chart) side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from spacy.tokens import Doc
from tqdm import tqdm

from eval.data import DataError, EvalItem, fail, load_items
from eval.metrics import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    LEAD_SENTENCES,
    FaithfulnessChecker,
    OracleSelector,
    RougeEvaluator,
    aggregate_rouge,
    latency_percentiles,
    lead_sentences,
    lead_words,
    mean_length,
    word_count,
)
from eval.report import write_chart, write_markdown
from service import page
from service.compress import Seq2SeqCompressor
from service.nlp import ModelLoadError
from service.pipeline import Analysis, Pipeline, StageTimer
from service.readability import RULES
from service.schema import Article, Bullet, Quote
from service.select import SelectedSentence, first_sentences
from service.settings import Settings
from service.summarize import Seq2SeqSummarizer, Summarizer, broken_rules

SYSTEM = "system"
LEAD3 = "lead3"
LEAD_LENGTH_MATCHED = "lead_length_matched"
ORACLE = "oracle_selection"
ABLATION = "selected_sentences"
PRIOR_ABLATION = "compressor_without_salience_prior"
LEAD_ABLATION = "compressor_on_lead3"
# Settings that shape the summaries, recorded with every report.
SUMMARY_SETTINGS = (
    "summary_model",
    "summary_max_words",
    "summary_max_bullets",
    "summary_length_by_publisher",
    "num_beams",
    "keep_bias",
    "salience_weight",
)


class SummaryPipeline(Protocol):
    """What the harness needs of service.pipeline.Pipeline (tests pass a lighter object)."""

    # Any: the real Parser and Summarizer, or a test's stand-ins with the same attributes (.language, .info).
    nlp: Any
    summarizer: Any

    def analyse_article(self, article: Article, timer: StageTimer | None = None): ...


@dataclass(frozen=True)
class SystemRun:
    """What the pipeline produced for each item, in item order."""

    bullets: list[tuple[str, ...]]
    selected: list[tuple[str, ...]]
    summary_ms: list[float]
    # Per item, per bullet: the readability rules it breaks (service/readability.py); the same for the
    # selected sentences as they stand in the article.
    bullet_rules: list[list[frozenset[str]]]
    selected_rules: list[list[frozenset[str]]]
    # Per item, what the summary was made from (None where the pipeline does not say): the ablations
    # summarise the same parse and quotes again rather than parse every article once more.
    analyses: list[Analysis | None]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", required=True, type=Path, help="JSON lines (id, article, reference[, systems]) or a scraped page .txt"
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="report path (.json); .md and .png are written beside it"
    )
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N items")
    parser.add_argument(
        "--split", default=None, help="only the rows whose 'split' field is this (cnndm_val: train or tune)"
    )
    parser.add_argument(
        "--model", default=None, help="summariser checkpoint directory or hub id (Settings.summary_model)"
    )
    parser.add_argument(
        "--generator", choices=("seq2seq", "extractive"), default=None, help="override Settings.generator"
    )
    parser.add_argument(
        "--reference-field", default=None, help="JSON field holding the reference summary (default: detected)"
    )


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        return fail("--limit must be at least 1")
    if args.out.suffix != ".json":
        return fail(f"--out must name a .json file (OUT.md and OUT.png are written beside it), not {args.out}")
    try:
        dataset = load_items(args.data, args.reference_field, args.limit, split=args.split)
    except DataError as exc:
        return fail(str(exc))
    try:
        pipeline = Pipeline.from_settings(settings_from_args(args))
    except (ModelLoadError, ValueError) as exc:
        return fail(f"could not load the pipeline: {exc}")
    for reason in dataset.skipped:
        print(f"warning: skipped {reason}", file=sys.stderr)
    report = evaluate(dataset.items, pipeline)
    report["data"] = str(args.data)
    report["split"] = args.split
    report["skipped"] = dataset.skipped
    write_reports(report, args.out)
    system = report["system"]
    print(
        f"n={report['n']} {report['generator']}: ROUGE-1/2/Lsum F "
        f"{system['rouge1']['f']}/{system['rouge2']['f']}/{system['rougeLsum']['f']}; "
        f"Lead-3 {report['baselines'][LEAD3]['rouge1']['f']} ROUGE-1 F; wrote {args.out}",
        file=sys.stderr,
    )
    return 0


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides = {}
    if args.model:
        overrides["summary_model"] = args.model
    if args.generator:
        overrides["generator"] = args.generator
    return Settings(**overrides)


def article_for(item: EvalItem) -> Article:
    """The Article the pipeline reads: the page parser's, or the data set's text as one article."""
    if item.parsed is not None:
        return item.parsed
    if item.headline is None:
        return page.single_article(item.article)
    # Headline as the first line, then split off, so every span indexes one text.
    article = page.single_article(f"{item.headline}\n\n{item.article}")
    return replace(article, headline=article.paragraphs[0], paragraphs=article.paragraphs[1:])


def source_text(item: EvalItem) -> str:
    """Everything the system read (faithfulness is judged against it)."""
    return f"{item.headline}\n{item.article}" if item.headline else item.article


def run_system(items: Sequence[EvalItem], pipeline: SummaryPipeline) -> SystemRun:
    # One warm-up article first: lazy initialisation would otherwise land in the first timing.
    pipeline.analyse_article(article_for(items[0]))
    run = SystemRun([], [], [], [], [], [])
    for item in tqdm(items, desc="summarising", unit="article"):
        timer = StageTimer()
        result = pipeline.analyse_article(article_for(item), timer)
        summary = result.summary
        run.bullets.append(tuple(_one_line(b.text) for b in summary.bullets))
        run.selected.append(tuple(_one_line(s.text) for s in summary.selected_sentences))
        run.summary_ms.append(timer.ms.get("summary", 0.0))
        run.bullet_rules.append(broken_rules(result.article, summary.bullets))
        unrewritten = [Bullet(s.text, s, ((s.start, s.end),)) for s in summary.selected_sentences]
        run.selected_rules.append(broken_rules(result.article, unrewritten))
        run.analyses.append(getattr(result, "analysis", None))
    return run


def summarise_again(analyses: Sequence[Analysis | None], summarizer: Summarizer) -> list[tuple[str, ...]]:
    """Each article's bullets from another summariser over the system's own analysis of it."""
    bullets = []
    for analysis in tqdm(analyses, desc="summarising again", unit="article"):
        if analysis is None:
            raise ValueError("the pipeline kept no analysis of an article to summarise again")
        summary = summarizer.summarize(analysis.article, analysis.doc, analysis.quotes)
        bullets.append(tuple(_one_line(b.text) for b in summary.bullets))
    return bullets


def _one_line(text: str) -> str:
    # ROUGE-Lsum reads one sentence per line: a sentence that spans a line break stays one sentence.
    return " ".join(text.split())


def without_salience_prior(pipeline: SummaryPipeline) -> SummaryPipeline | None:
    """The same pipeline with the compressor's salience prior off, or None where there is none to turn off."""
    summarizer = pipeline.summarizer
    if not isinstance(pipeline, Pipeline) or not isinstance(summarizer, Seq2SeqSummarizer):
        return None
    compressor = summarizer.compressor
    if not isinstance(compressor, Seq2SeqCompressor) or compressor.salience_weight == 0:
        return None
    without = compressor.with_salience_weight(0.0)
    return Pipeline(
        pipeline.settings,
        pipeline.nlp,
        Seq2SeqSummarizer(pipeline.settings, without, summarizer.select),
        pipeline.content,
    )


def on_lead3(pipeline: SummaryPipeline) -> SummaryPipeline | None:
    """The same compressor on the article's first three candidate sentences instead of the selection, or
    None where there is no compressor."""
    summarizer = pipeline.summarizer
    if not isinstance(pipeline, Pipeline) or not isinstance(summarizer, Seq2SeqSummarizer):
        return None
    lead = Seq2SeqSummarizer(pipeline.settings, summarizer.compressor, _lead3_selection)
    return Pipeline(pipeline.settings, pipeline.nlp, lead, pipeline.content)


def _lead3_selection(
    article: Article, doc: Doc, quotes: Sequence[Quote], max_sentences: int, max_words: int
) -> list[SelectedSentence]:
    """Lead-3 as a summariser's selection: the first three candidate sentences, whatever the budget."""
    return first_sentences(article, doc, LEAD_SENTENCES)


def evaluate(items: Sequence[EvalItem], pipeline: SummaryPipeline) -> dict:
    system_run = run_system(items, pipeline)
    baselines = {LEAD3: [lead_sentences(item.article) for item in items]}
    # Lead cut to the system's word count, article by article: a gain over it is not length alone.
    baselines[LEAD_LENGTH_MATCHED] = [
        lead_words(item.article, sum(word_count(b) for b in bullets))
        for item, bullets in zip(items, system_run.bullets)
    ]
    # The best ROUGE any choice of whole sentences reaches: an upper bound for the selection.
    oracle = OracleSelector()
    baselines[ORACLE] = [oracle.summary(lead_sentences(item.article, None), item.reference) for item in items]
    for name in _shared_system_names(items):
        baselines[name] = [item.systems[name] for item in items]
    scorer = Scorer(items, FaithfulnessChecker(pipeline.nlp.language))
    info = pipeline.summarizer.info
    system = scorer.block(system_run.bullets)
    settings = getattr(pipeline, "settings", None)
    return {
        "n": len(items),
        "generator": info.generator,
        "settings": {name: getattr(settings, name) for name in SUMMARY_SETTINGS} if settings else None,
        "model": {"name": info.name, "version": info.version},
        "system": system,
        "baselines": {
            name: scorer.block(outputs) for name, outputs in tqdm(baselines.items(), desc="scoring baselines")
        },
        "faithfulness": system["faithfulness"],
        "length": system["length"],
        "latency_ms": latency_percentiles(system_run.summary_ms),
        "ablation": _ablations(pipeline, scorer, system_run),
        "readability": {
            SYSTEM: rule_shares(system_run.bullet_rules),
            ABLATION: rule_shares(system_run.selected_rules),
        },
        "bootstrap": {"resamples": BOOTSTRAP_RESAMPLES, "seed": BOOTSTRAP_SEED, "confidence": 0.95},
    }


def _ablations(pipeline: SummaryPipeline, scorer: Scorer, system_run: SystemRun) -> dict:
    ablations = {ABLATION: scorer.block(system_run.selected)}
    model_alone = without_salience_prior(pipeline)
    if model_alone is not None:
        ablations[PRIOR_ABLATION] = scorer.block(summarise_again(system_run.analyses, model_alone.summarizer))
    lead = on_lead3(pipeline)
    if lead is not None:
        ablations[LEAD_ABLATION] = scorer.block(summarise_again(system_run.analyses, lead.summarizer))
    return ablations


def rule_shares(rules: Sequence[Sequence[frozenset[str]]]) -> dict:
    """How many bullets there were, and the share (0-1) of them that break each readability rule."""
    flat = [broken for item in rules for broken in item]
    shares = {rule: round(sum(rule in broken for broken in flat) / len(flat), 4) if flat else 0.0 for rule in RULES}
    return {"bullets": len(flat), **shares}


def _shared_system_names(items: Sequence[EvalItem]) -> list[str]:
    """Published systems with an output for every item (others could not be compared on the same set)."""
    names = set(items[0].systems)
    for item in items[1:]:
        names &= set(item.systems)
    return [name for name in items[0].systems if name in names]


class Scorer:
    """Scores any list of outputs (one per item) the same way: ROUGE + CI, faithfulness, length."""

    def __init__(self, items: Sequence[EvalItem], checker: FaithfulnessChecker) -> None:
        self.items = items
        self.checker = checker
        self.rouge = RougeEvaluator()

    def block(self, outputs: Sequence[Sequence[str]]) -> dict:
        per_item = [self.rouge.score(item.reference, output) for item, output in zip(self.items, outputs)]
        block = aggregate_rouge(per_item)
        block["faithfulness"] = self.checker.share(
            [(output, source_text(item)) for item, output in zip(self.items, outputs)]
        )
        block["length"] = mean_length(outputs)
        return block


def write_reports(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    write_markdown(report, out.with_suffix(".md"))
    write_chart(report, out.with_suffix(".png"))
