"""python -m service.training.quote_content: train the partial-quote content model on PolNeAR train.

Every text of the split is parsed and run through the quote extractor with the rule's content choices,
recording each partial quote's ContentDecision (service/quote_content.py). Each decision is labelled,
per annotator, with the annotated Content that shares the most quoted words with it; each network
learns its first and last token (cross-entropy over the tokens allowed at each end, annotators weighted
1/n), four epochs, one network per seed (five by default). Deterministic for a given seed list.
Develop on train only: the dev split is for `python -m eval attribution`.

    python -m service.training.quote_content --data ../shared/data/polnear --split train
    python -m service.training.quote_content --data tests/fixtures/polnear_partial --split train --seeds 0 --out /tmp/m
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from eval.attribution import has_quote_mark
from eval.polnear import Document, load_split
from service.nlp import load_spacy
from service.page import single_article
from service.quote_content import (
    ContentBoundaryNet,
    ContentDecision,
    RuleChoice,
    boundary_log_probs,
    decision_features,
    save_model,
)
from service.quotes import extract_quotes
from service.settings import DEFAULT_QUOTE_CONTENT_DIR, Settings


@dataclass(frozen=True)
class Example:
    features: torch.Tensor
    quoted: tuple[int, int]
    # (first token, last token, weight): one per annotator whose Content overlaps the quote.
    targets: tuple[tuple[int, int, float], ...]


class RecordingChooser(RuleChoice):
    """Keeps the rule's choice and records every decision for labelling."""

    def __init__(self) -> None:
        self.decisions: list[ContentDecision] = []

    def choose_all(self, decisions: list[ContentDecision]) -> list[tuple[int, int]]:
        self.decisions.extend(decisions)
        return super().choose_all(decisions)


def collect_examples(documents: list[Document], spacy_model: str) -> list[Example]:
    nlp = load_spacy(spacy_model)
    articles = [single_article(document.text) for document in documents]
    examples: list[Example] = []
    docs = nlp.pipe([article.body.text for article in articles], batch_size=32)
    for document, article, doc in tqdm(zip(documents, articles, docs), total=len(documents), desc="parse + extract"):
        recorder = RecordingChooser()
        extract_quotes(article, doc, recorder)
        for decision in recorder.decisions:
            targets = _targets(document, decision, article.body.to_page)
            if targets:
                examples.append(Example(decision_features(decision), decision.quoted_token_range(), targets))
    return examples


def _targets(document: Document, decision: ContentDecision, to_page) -> tuple[tuple[int, int, float], ...]:
    """Per annotator, the first and last window word of the quote-marked Content that holds most quoted words."""
    words = [(k, to_page(t.idx)) for k, t in enumerate(decision.window) if not (t.is_punct or t.is_space)]
    first_quoted, last_quoted = decision.quoted_token_range()
    quoted = {k for k, _ in words if first_quoted <= k <= last_quoted}
    weight = 1 / len(document.annotations)
    targets = []
    for gold in document.annotations.values():
        best: set[int] = set()
        for attribution in gold:
            if not has_quote_mark(document.text, attribution.content):
                continue
            inside = {k for k, at in words if any(s <= at < e for s, e in attribution.content)}
            if len(inside & quoted) > len(best & quoted):
                best = inside
        if best & quoted:
            targets.append((min(min(best), first_quoted), max(max(best), last_quoted), weight))
    return tuple(targets)


def train(examples: list[Example], epochs: int, seed: int, learning_rate: float) -> ContentBoundaryNet:
    torch.manual_seed(seed)
    order = random.Random(seed)
    net = ContentBoundaryNet()
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate, weight_decay=1e-5)
    shuffled = list(examples)
    for epoch in range(epochs):
        order.shuffle(shuffled)
        net.train()
        total = 0.0
        for example in shuffled:
            first, last = boundary_log_probs(net(example.features), example.quoted)
            loss = -torch.stack([weight * (first[s] + last[e]) for s, e, weight in example.targets]).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch + 1}/{epochs}: loss {total / max(len(shuffled), 1):.3f}", file=sys.stderr)
    return net.eval()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="PolNeAR folder (with train/ and dev/)")
    parser.add_argument("--split", default="train")
    parser.add_argument("--out", type=Path, default=DEFAULT_QUOTE_CONTENT_DIR)
    # Four epochs: eight fitted train better and dev no better (measured); one network per seed.
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts (tests)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # per-example steps on a small network: threads only add overhead
    documents = load_split(args.data, args.split)
    if args.limit:
        documents = documents[: args.limit]
    examples = collect_examples(documents, Settings().spacy_model)
    if not examples:
        raise SystemExit(f"no partial quotes with annotated content in {args.data}/{args.split}")
    nets = [train(examples, args.epochs, seed, args.learning_rate) for seed in args.seeds]
    training = {
        "data": f"PolNeAR {args.split}",
        "documents": len(documents),
        "decisions": len(examples),
        "epochs": args.epochs,
        "seeds": args.seeds,
        "learning_rate": args.learning_rate,
    }
    save_model(nets, args.out, training)
    print(f"{len(examples)} decisions from {len(documents)} texts; model written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
