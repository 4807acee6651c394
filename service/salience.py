"""How much of an article's news each sentence carries: a logistic regression learned from publisher highlights.

Each candidate sentence is described by FEATURES (where it stands, how long it is, how much of the article
it restates, what it names, whether it quotes); the model scores it by the log-odds that a sentence like it
is one of the sentences a publisher's highlights were written from (a greedy ROUGE oracle on cnndm_val
train). Trained by `python -m service.training.selector`; the weights ship as JSON in
service/models/selector, with the feature names they belong to, so no pickle ties them to a library version.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Span

from service import lexicon
from service.nlp import ModelLoadError
from service.settings import DEFAULT_SELECTOR_DIR
from service.text_facts import DOUBLE_QUOTE_MARKS

MODEL_FILE = "selector.json"
FEATURES = (
    "position_inverse_sqrt",  # 1/sqrt(1+i): news puts its facts first
    "is_first",
    "is_second",
    "is_third",
    "relative_position",  # i / number of candidates
    "log_position",
    "log_sentences",  # how long the article is: the lead matters less in a long one
    "log_words",
    "centrality",  # content words the rest of the article repeats (capped), per word
    "restated_share",  # share of its content words the article uses elsewhere
    "first_sentence_overlap",  # Jaccard overlap with the first sentence's content words
    "entity_density",
    "entities",
    "names_person",
    "names_place",
    "names_time",
    "has_number",
    "quote_marks",  # quote marks it holds (0-4, scaled to 0-1)
    "opens_with_quote",
    "reports_speech",  # say, tell or add: a sentence that reports what someone said
    "proper_noun_share",
)
_SPEECH_LEMMAS = lexicon.word_set("speech_verbs.txt")
_PLACES = frozenset({"GPE", "LOC"})
_TIMES = frozenset({"DATE", "TIME"})


@dataclass(frozen=True)
class SalienceModel:
    """Standardise each feature (mean, scale), then a weighted sum: the log-odds of a highlight sentence."""

    name: str
    version: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    # What it was trained on and how it scored (the model card's facts).
    card: dict = field(default_factory=dict, compare=False)

    def scores(self, rows: Sequence[Sequence[float]]) -> list[float]:
        terms = list(zip(self.mean, self.scale, self.weights))
        return [self.intercept + sum(w * (x - m) / s for x, (m, s, w) in zip(row, terms)) for row in rows]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MODEL_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load_salience_model(directory: Path = DEFAULT_SELECTOR_DIR) -> SalienceModel:
    path = Path(directory) / MODEL_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        model = SalienceModel(
            name=raw["name"],
            version=raw["version"],
            features=tuple(raw["features"]),
            mean=tuple(float(v) for v in raw["mean"]),
            scale=tuple(float(v) for v in raw["scale"]),
            weights=tuple(float(v) for v in raw["weights"]),
            intercept=float(raw["intercept"]),
            card=raw.get("card", {}),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"sentence selector {path} could not be loaded: {exc}") from exc
    if model.features != FEATURES:
        raise ModelLoadError(f"sentence selector {path} was trained on other features than this code computes")
    if not len(model.mean) == len(model.scale) == len(model.weights) == len(FEATURES) or 0.0 in model.scale:
        raise ModelLoadError(f"sentence selector {path}: one mean, non-zero scale and weight per feature needed")
    return model


def content_lemmas(tokens) -> Counter:
    return Counter(t.lemma_.lower() for t in tokens if t.is_alpha and not t.is_stop)


def sentence_features(sentences: Sequence[Span], doc: Doc, words: Sequence[int]) -> list[list[float]]:
    """FEATURES of each candidate sentence (in article order; ``words``: each one's word count)."""
    document = content_lemmas(doc)
    first = set(content_lemmas(sentences[0])) if sentences else set()
    count = len(sentences)
    rows = []
    for i, (sentence, size) in enumerate(zip(sentences, words)):
        lemmas = content_lemmas(sentence)
        repeated = {w: document[w] - c for w, c in lemmas.items()}
        own = set(lemmas)
        entities = sentence.ents
        text = sentence.text
        rows.append(
            [
                1.0 / math.sqrt(1 + i),
                float(i == 0),
                float(i == 1),
                float(i == 2),
                i / count,
                math.log1p(i),
                math.log1p(count),
                math.log1p(size),
                sum(min(r, 3) for r in repeated.values()) / (1 + sum(lemmas.values())),
                sum(1 for r in repeated.values() if r > 0) / (1 + len(own)),
                len(own & first) / (1 + len(own | first)) if i else 1.0,
                len(entities) / max(1, size),
                float(len(entities)),
                float(any(e.label_ == "PERSON" for e in entities)),
                float(any(e.label_ in _PLACES for e in entities)),
                float(any(e.label_ in _TIMES for e in entities)),
                float(any(t.like_num for t in sentence)),
                min(sum(1 for ch in text if ch in DOUBLE_QUOTE_MARKS), 4) / 4,
                float(text.lstrip()[:1] in DOUBLE_QUOTE_MARKS),
                float(any(t.lemma_.lower() in _SPEECH_LEMMAS for t in sentence)),
                sum(1 for t in sentence if t.pos_ == "PROPN") / max(1, size),
            ]
        )
    return rows
