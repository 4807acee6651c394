"""Latency per pipeline stage and end to end, beside a BART-large-CNN-shaped generator on this machine.

python -m eval speed --out OUT.json [--limit N] [--bart-limit N] [--data FILE.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm
from transformers import BartConfig, BartForConditionalGeneration

from eval.data import DataError, fail, load_items
from eval.metrics import latency_percentiles, word_count
from eval.summarization import settings_from_args
from service.nlp import ModelLoadError
from service.pipeline import Pipeline
from service.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "frank" / "cnndm.jsonl"
STAGES = ("parse_page", "nlp", "quotes", "summary")
TORCH_THREADS = 2
SEED = 0
# facebook/bart-large-cnn's published sizes (its config.json); weights stay random, nothing is downloaded.
BART_LARGE_CNN_SIZES: dict[str, Any] = {
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 12,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "vocab_size": 50264,
    "max_position_embeddings": 1024,
}
BART_OUTPUT_TOKENS = 60
BART_MAX_INPUT_TOKENS = 1024
# bart-large-cnn's published decoding setting; kept so the comparison pays what that model pays.
BART_NO_REPEAT_NGRAM = 3
# Input length stand-in for BART's BPE: word and punctuation pieces (BPE adds ~10-20% on news text).
_TOKEN_PIECE = re.compile(r"\w+|[^\w\s]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="report path (.json)")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"JSON lines with 'article' (default {DEFAULT_DATA})"
    )
    parser.add_argument("--limit", type=int, default=20, help="articles timed through our pipeline (default 20)")
    parser.add_argument("--min-words", type=int, default=0, help="time only articles of at least this many words")
    parser.add_argument(
        "--bart-limit", type=int, default=3, help="articles timed through the BART-shaped model (default 3; 0 skips it)"
    )
    parser.add_argument(
        "--model", default=None, help="summariser checkpoint directory or hub id (Settings.summary_model)"
    )
    parser.add_argument(
        "--generator", choices=("seq2seq", "extractive"), default=None, help="override Settings.generator"
    )


def run(args: argparse.Namespace) -> int:
    if args.limit < 1 or args.bart_limit < 0:
        return fail("--limit must be at least 1 and --bart-limit at least 0")
    if args.bart_limit > args.limit:
        return fail("--bart-limit cannot exceed --limit (the ratio compares the same articles)")
    torch.set_num_threads(TORCH_THREADS)
    try:
        # Speed needs only the article text; the reference is not read.
        items = load_items(args.data, require_reference=False).items
    except DataError as exc:
        return fail(str(exc))
    texts = [item.article for item in items if word_count(item.article) >= args.min_words][: args.limit]
    if not texts:
        return fail(f"no article in {args.data} has {args.min_words} words or more")
    try:
        pipeline, load_s = load_timed(settings_from_args(args))
    except (ModelLoadError, ValueError) as exc:
        return fail(f"could not load the pipeline: {exc}")
    report = measure(texts, pipeline, args.bart_limit, bart_large_cnn_config())
    report["load_s"] = load_s
    report["data"] = str(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    bart = report.get("bart")
    ratio = f"; BART-shaped/ours summary = {bart['ratio_bart_to_ours']}x" if bart else ""
    print(
        f"n={report['n']} end-to-end p50 {report['end_to_end_ms']['p50']} ms{ratio}; wrote {args.out}", file=sys.stderr
    )
    return 0


def load_timed(settings: Settings) -> tuple[Pipeline, dict[str, float]]:
    """The pipeline, and seconds spent loading each model (libraries already imported)."""
    seconds: dict[str, float] = {}
    pipeline = Pipeline.from_settings(settings, seconds)
    return pipeline, {name: round(value, 2) for name, value in seconds.items()}


def bart_large_cnn_config() -> BartConfig:
    return BartConfig(**BART_LARGE_CNN_SIZES)


def measure(texts: Sequence[str], pipeline: Pipeline, bart_limit: int, bart_config: BartConfig) -> dict:
    load_at_start = os.getloadavg()[0]
    ours = time_pipeline(texts, pipeline)
    info = pipeline.summarizer.info
    report = {
        "n": len(texts),
        "generator": info.generator,
        "model": {"name": info.name, "version": info.version},
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "platform": platform.platform(),
            # Other work on the machine inflates wall-clock times; the load average says how much there was.
            "load_average_1m_at_start": round(load_at_start, 2),
        },
        # True: entities come from a worker process, whose CPU time end_to_end_cpu_ms does not count.
        "ner_worker": pipeline.settings.ner_worker,
        "stages_ms": {stage: latency_percentiles(ours[stage]) for stage in STAGES},
        # The quote issue's target: parse plus quotes per article, scaled linearly to a 700-word article.
        "parse_and_quotes_ms_per_700_words": latency_percentiles(
            [(nlp + quotes) * 700 / words for nlp, quotes, words in zip(ours["nlp"], ours["quotes"], ours["words"])]
        ),
        "end_to_end_ms": latency_percentiles(ours["end_to_end"]),
        # CPU time of this process (all its threads): less sensitive than wall time to other work.
        "end_to_end_cpu_ms": latency_percentiles(ours["end_to_end_cpu"]),
        "words_per_article": {
            "mean": round(float(np.mean(ours["words"])), 1),
            "p50": float(np.percentile(ours["words"], 50)),
            "max": int(max(ours["words"])),
        },
    }
    if bart_limit:
        num_beams = pipeline.settings.num_beams
        bart_ms, bart_cpu_ms = time_bart(texts[:bart_limit], bart_config, num_beams)
        ours_ms = ours["summary"][:bart_limit]
        report["bart"] = {
            "shape": {key: getattr(bart_config, key) for key in BART_LARGE_CNN_SIZES},
            "n": len(bart_ms),
            "num_beams": num_beams,
            "output_tokens": BART_OUTPUT_TOKENS,
            "input_tokens": [bart_input_length(text) for text in texts[:bart_limit]],
            "ms": [round(ms, 1) for ms in bart_ms],
            "cpu_ms": [round(ms, 1) for ms in bart_cpu_ms],
            "our_summary_ms": [round(ms, 1) for ms in ours_ms],
            "ratio_bart_to_ours": round(float(np.median(bart_ms) / max(np.median(ours_ms), 1e-6)), 1),
        }
    return report


def time_pipeline(texts: Sequence[str], pipeline: Pipeline) -> dict[str, list[float]]:
    """Per article: each stage's ms (from the pipeline's own timer), end-to-end ms, and word count."""
    pipeline.run(texts[0])  # warm-up: first-call initialisation is not a per-article cost
    timings: dict[str, list[float]] = {name: [] for name in (*STAGES, "end_to_end", "end_to_end_cpu", "words")}
    for text in tqdm(texts, desc="pipeline", unit="article"):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = pipeline.run(text)
        timings["end_to_end"].append((time.perf_counter() - started) * 1000)
        timings["end_to_end_cpu"].append((time.process_time() - cpu_started) * 1000)
        for stage in STAGES:
            timings[stage].append(result.timings_ms.get(stage, 0.0))
        timings["words"].append(word_count(text))
    return timings


def bart_input_length(text: str) -> int:
    return min(len(_TOKEN_PIECE.findall(text)), BART_MAX_INPUT_TOKENS)


def time_bart(texts: Sequence[str], config: BartConfig, num_beams: int) -> tuple[list[float], list[float]]:
    """Wall and CPU ms to generate BART_OUTPUT_TOKENS tokens per article with a random-weight model of
    this shape."""
    torch.manual_seed(SEED)
    model = BartForConditionalGeneration(config).eval()
    generator = torch.Generator().manual_seed(SEED)

    def generate(length: int, new_tokens: int) -> tuple[float, float]:
        # Random ids stand in for the article: latency depends on its length, not on its words.
        input_ids = torch.randint(3, config.vocab_size, (1, length), generator=generator)
        started, cpu_started = time.perf_counter(), time.process_time()
        with torch.inference_mode():
            model.generate(
                input_ids,
                attention_mask=torch.ones_like(input_ids),
                num_beams=num_beams,
                do_sample=False,
                min_new_tokens=new_tokens,
                max_new_tokens=new_tokens,
                no_repeat_ngram_size=BART_NO_REPEAT_NGRAM,
            )
        return (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000

    # Warm-up at the first article's length: the first call at a new size allocates its buffers.
    generate(bart_input_length(texts[0]), 4)
    timings = [
        generate(bart_input_length(text), BART_OUTPUT_TOKENS)
        for text in tqdm(texts, desc="bart-shaped", unit="article")
    ]
    return [wall for wall, _ in timings], [cpu for _, cpu in timings]
