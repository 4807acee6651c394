"""Raw text of the training sources. The development set (frank/) is never read here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from service.training.data import refuse_frank


def training_paragraphs(data_dir: Path) -> Iterator[str]:
    """Paragraphs of BBC News Summary, XSum articles and PolNeAR train: the tokenizer's corpus."""
    refuse_frank(data_dir)
    for name in ("bbc_news_summary/articles.jsonl", "xsum/articles.jsonl"):
        path = data_dir / name
        refuse_frank(path)
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                for field in ("headline", "summary", "article"):
                    yield from (record.get(field) or "").split("\n")
    for path in sorted((data_dir / "polnear" / "train" / "text").glob("*.txt")):
        yield from path.read_text(encoding="utf-8").split("\n")
