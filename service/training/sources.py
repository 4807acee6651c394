"""Raw text of the training sources. The development set (frank/) is never read here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from service.training.data import SOURCES, refuse_frank


def training_paragraphs(data_dir: Path) -> Iterator[str]:
    """References and article paragraphs of every source the examples come from: the tokenizer's corpus."""
    refuse_frank(data_dir)
    for source in SOURCES:
        for article in source.read(data_dir):
            yield from article.references
            yield from article.body.split("\n")
