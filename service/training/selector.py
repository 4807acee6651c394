"""python -m service.training.selector: learn which sentences publisher highlights are written from.

    python -m service.training.selector --data ../shared/data/cnndm_val/articles.jsonl \\
        [--out service/models/selector] [--limit N]

Labels: in each article of the `train` split, the greedy ROUGE oracle (eval.metrics.OracleSelector, as
BERTSum labels its data) picks the candidate sentences whose union best matches the publisher's highlights;
those are the positives. Model: scikit-learn's logistic regression on the standardised features of
service/salience.py. Its regularisation strength C is the one whose selections score best on the `tune`
split (ROUGE-1 F of the selected sentences, each article at its own summary length). The weights are written
as JSON (selector.json) with a model card; the service reads them without scikit-learn.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from spacy.tokens import Doc
from tqdm import tqdm

from eval.data import EvalItem, load_items
from eval.metrics import OracleSelector, RougeEvaluator, aggregate_rouge
from eval.summarization import article_for
from service.nlp import get_parser
from service.salience import FEATURES, SalienceModel
from service.schema import Article
from service.select import candidate_features, select_sentences
from service.settings import DEFAULT_SELECTOR_DIR, DEFAULT_SPACY_MODEL, Settings
from service.summarize import summary_length

NAME = "newsattrib-selector-lr"
VERSION = "1"
C_VALUES = (0.01, 0.1, 1.0)


@dataclass
class Parsed:
    item: EvalItem
    article: Article
    doc: Doc
    sentences: list[str]
    features: list[list[float]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.training.selector", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="JSON lines with id, article, reference, split")
    parser.add_argument("--out", type=Path, default=DEFAULT_SELECTOR_DIR)
    parser.add_argument("--limit", type=int, help="only the first N articles of each split (tests)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    nlp = get_parser(DEFAULT_SPACY_MODEL, ner_worker=False)
    train = _parse(load_items(args.data, None, args.limit, split="train").items, nlp, "train")
    tune = _parse(load_items(args.data, None, args.limit, split="tune").items, nlp, "tune")
    features, labels = _training_rows(train)
    if labels.min() == labels.max():
        print("error: the oracle labels of the train split are all one class; give more articles", file=sys.stderr)
        return 2
    scaler = StandardScaler().fit(features)
    fitted = []
    for c in C_VALUES:
        classifier = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(features), labels)
        model = _as_model(scaler, classifier)
        fitted.append((_tune_rouge1(model, tune), c, model))
        print(f"C={c}: tune ROUGE-1 F of the selected sentences {fitted[-1][0]:.2f}", file=sys.stderr)
    best_rouge, best_c, best = max(fitted, key=lambda row: row[0])
    card = {
        "trained_on": f"{args.data.parent.name}/{args.data.name} split train: {len(train)} articles, "
        f"{len(labels)} candidate sentences, {int(labels.sum())} oracle-selected",
        "chosen_on": f"split tune ({len(tune)} articles): C={best_c} of {list(C_VALUES)}",
        "tune_rouge1_selected_sentences": round(best_rouge, 2),
        "tune_rouge1_by_c": {str(c): round(r, 2) for r, c, _ in fitted},
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    model = replace(best, card=card)
    model.save(args.out)
    (args.out / "MODEL_CARD.md").write_text(_model_card(model), encoding="utf-8")
    print(f"wrote {args.out} (C={best_c}, tune ROUGE-1 {best_rouge:.2f})", file=sys.stderr)
    return 0


def _parse(items: Sequence[EvalItem], nlp, split: str) -> list[Parsed]:
    parsed = []
    for item in tqdm(items, desc=f"parsing {split}", unit="article"):
        article = article_for(item)
        doc = nlp(article.body.text)
        spans, features = candidate_features(doc)
        if spans:
            parsed.append(Parsed(item, article, doc, [s.text for s in spans], features))
    return parsed


def _training_rows(articles: Sequence[Parsed]) -> tuple[np.ndarray, np.ndarray]:
    oracle = OracleSelector()
    rows: list[list[float]] = []
    labels: list[float] = []
    for parsed in tqdm(articles, desc="oracle labels", unit="article"):
        chosen = set(oracle.select(parsed.sentences, parsed.item.reference))
        rows.extend(parsed.features)
        labels.extend(1.0 if i in chosen else 0.0 for i in range(len(parsed.sentences)))
    return np.array(rows), np.array(labels)


def _as_model(scaler: StandardScaler, classifier: LogisticRegression) -> SalienceModel:
    return SalienceModel(
        name=NAME,
        version=VERSION,
        features=FEATURES,
        mean=tuple(float(v) for v in scaler.mean_),
        scale=tuple(float(v) for v in scaler.scale_),
        weights=tuple(float(v) for v in classifier.coef_[0]),
        intercept=float(classifier.intercept_[0]),
    )


def _tune_rouge1(model: SalienceModel, articles: Sequence[Parsed]) -> float:
    rouge, settings = RougeEvaluator(), Settings()
    scores = []
    for parsed in articles:
        length = summary_length(parsed.article, settings)
        selected = select_sentences(parsed.article, parsed.doc, [], length.bullets, length.words, model=model)
        scores.append(rouge.score(parsed.item.reference, [s.span.text for s in selected]))
    return aggregate_rouge(scores)["rouge1"]["f"]


def _model_card(model: SalienceModel) -> str:
    weights = "\n".join(
        f"| `{name}` | {weight:+.3f} |"
        for name, weight in sorted(zip(model.features, model.weights), key=lambda x: -abs(x[1]))
    )
    facts = "\n".join(f"- {key}: {value}" for key, value in model.card.items())
    return f"""# {model.name} v{model.version}

Scores each candidate sentence of an article by the log-odds that a publisher's highlights were written from
a sentence like it (service/salience.py); the summariser takes the best until the article's length budget.
A logistic regression over {len(model.features)} features, trained on CPU by `python -m service.training.selector`.
Weights are JSON (selector.json), read without scikit-learn.

{facts}

Weights on standardised features, largest first:

| feature | weight |
|---|---|
{weights}

The whole summariser's scores with this selector (cnndm_val tune, and FRANK dev as the check, never trained
or tuned on): README.md, "Measured", from `python -m eval summarization`.

Limits: trained on CNN stories only (cnndm_val has no other publisher). No headline feature: the training
articles come without headlines.
"""


if __name__ == "__main__":
    raise SystemExit(main())
