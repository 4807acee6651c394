"""The quote extractor run over a set of texts, as both attribution scorers (PolNeAR, GGT) use it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc
from tqdm import tqdm

from service.page import single_article
from service.schema import Quote


@dataclass(frozen=True)
class Extracted:
    doc: Doc
    quotes: list[Quote]
    # The quotes stage alone (the parse is timed by `python -m eval speed`).
    extractor_ms: float


def extract_all(texts: Iterable[str], model_name: str, content_model: Path, desc: str) -> Iterator[Extracted]:
    """Each text read as one article, parsed once, and its quotes extracted with the shipped content model."""
    from service.nlp import load_spacy
    from service.quote_content import default_chooser
    from service.quotes import extract_quotes

    nlp = load_spacy(model_name)
    content = default_chooser(content_model)
    for text in tqdm(texts, desc=desc, unit="article", file=sys.stderr):
        article = single_article(text)
        doc = nlp(article.body.text)
        started = time.perf_counter()
        quotes = extract_quotes(article, doc, content)
        yield Extracted(doc, quotes, (time.perf_counter() - started) * 1000)
