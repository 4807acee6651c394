"""Evaluation inputs: JSON-lines data sets and scraped pages, validated line by line.

Every loader returns `EvalItem`s whose reference is already split into sentences (one per line for
ROUGE-Lsum). Bad input raises `DataError` naming the file, the line and what is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from service.schema import Article

# Tried in this order when --reference-field is not given (FRANK: reference; XSum: summary;
# BBC News Summary: extractive_summary; CNN/DM on the hub: highlights).
REFERENCE_FIELDS = ("reference", "summary", "extractive_summary", "highlights")
PAGE_SUFFIXES = {".txt", ".text", ".html", ".htm"}

# FRANK / See et al. references are PTB-tokenised with sentences joined by " . ".
_PTB_SENTENCE_BREAK = re.compile(r"(?<= [.!?]) +")
# Untokenised text: a break after . ! ? (and closing quotes/brackets) before the next sentence, also where
# the source lost the space ("$10.9bn.For the full year", as in BBC News Summary's extractive summaries).
_PUNCT_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]?(?:\s+|(?<=[a-z%)\"'”’][.!?])(?=[A-Z\"“]))")


class DataError(ValueError):
    """The evaluation input is missing or malformed; the message says where and what."""


@dataclass(frozen=True)
class EvalItem:
    id: str
    # The article text the system and the baselines read (body paragraphs, newline-separated).
    article: str
    reference: tuple[str, ...]
    systems: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The publisher's headline where the data set keeps it apart from the body (BBC News Summary).
    headline: str | None = None
    # Set when the item came from a scraped page: the article exactly as the page parser found it.
    parsed: Article | None = None


def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences of a reference or system output: newline-separated, PTB " . "-joined, or plain prose."""
    text = text.strip()
    if not text:
        return ()
    if "\n" in text:
        parts = text.splitlines()
    elif " . " in text or text.endswith(" ."):
        parts = _PTB_SENTENCE_BREAK.split(text)
    else:
        parts = _split_prose(text)
    return tuple(p.strip() for p in parts if p.strip())


def _split_prose(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _PUNCT_SENTENCE_BREAK.finditer(text):
        # Keep a closing quote/bracket with the sentence it closes; drop only the whitespace.
        end = match.start() + len(match.group(0).rstrip())
        pieces.append(text[start:end])
        start = match.end()
    pieces.append(text[start:])
    return pieces


def load_items(
    path: Path,
    reference_field: str | None = None,
    limit: int | None = None,
    require_reference: bool = True,
    parse_page: Callable[[str], Sequence[Article]] | None = None,
) -> list[EvalItem]:
    """Items from a .jsonl data set or from a scraped page (.txt/.html: its articles with bullets)."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.suffix.lower() in PAGE_SUFFIXES:
        items = load_page(path, parse_page)
    else:
        items = load_jsonl(path, reference_field, require_reference)
    if not items:
        raise DataError(f"{path}: no evaluation items found")
    return items[:limit] if limit else items


def load_jsonl(path: Path, reference_field: str | None = None, require_reference: bool = True) -> list[EvalItem]:
    items: list[EvalItem] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
            items.append(_item_from_row(row, f"{path}:{number}", reference_field, require_reference))
    return items


def _item_from_row(row: Any, where: str, reference_field: str | None, require_reference: bool) -> EvalItem:
    if not isinstance(row, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(row).__name__}")
    article = _text_field(row, "article", where)
    if article is None or not article.strip():
        raise DataError(f"{where}: missing or empty field 'article'")
    reference = _reference(row, where, reference_field)
    if require_reference and not reference:
        raise DataError(f"{where}: empty reference")
    return EvalItem(
        id=str(row.get("id", where)),
        article=article,
        reference=reference,
        systems=_systems(row, where),
        headline=_headline(row, where),
    )


def _reference(row: dict, where: str, reference_field: str | None) -> tuple[str, ...]:
    candidates = (reference_field,) if reference_field else REFERENCE_FIELDS
    for name in candidates:
        value = _text_field(row, name, where)
        if value is not None:
            return split_sentences(value)
    looked_for = ", ".join(repr(c) for c in candidates)
    raise DataError(f"{where}: missing reference field (looked for {looked_for}; set --reference-field)")


def _text_field(row: dict, name: str, where: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    if not isinstance(value, str):
        raise DataError(f"{where}: field {name!r} must be a string, got {type(value).__name__}")
    return value


def _headline(row: dict, where: str) -> str | None:
    headline = _text_field(row, "headline", where)
    # One line: the system reads it as the article's headline, not as a paragraph.
    if headline is None:
        return None
    return " ".join(headline.split()) or None


def _systems(row: dict, where: str) -> dict[str, tuple[str, ...]]:
    systems = row.get("systems") or {}
    if not isinstance(systems, dict):
        raise DataError(f"{where}: field 'systems' must be an object {{name: output}}")
    outputs: dict[str, tuple[str, ...]] = {}
    for name, output in systems.items():
        if not isinstance(output, str):
            raise DataError(f"{where}: systems[{name!r}] must be a string")
        outputs[name] = split_sentences(output)
    return outputs


def load_page(path: Path, parse_page: Callable[[str], Sequence[Article]] | None = None) -> list[EvalItem]:
    """Each article on a scraped page that has publisher bullets is an item; its bullets are the reference."""
    if parse_page is None:
        from service.page import parse_page  # the pipeline's own page parser
    text = path.read_text(encoding="utf-8")
    items = []
    for index, article in enumerate(parse_page(text)):
        if not article.bullets:
            continue
        items.append(
            EvalItem(
                id=f"{path.name}#{index}",
                article=article.body.text,
                reference=tuple(b.text.strip() for b in article.bullets),
                headline=article.headline.text if article.headline else None,
                parsed=article,
            )
        )
    if not items:
        raise DataError(f"{path}: the page has no article with publisher bullets to use as a reference")
    return items
