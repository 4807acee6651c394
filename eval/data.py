"""Evaluation inputs: JSON-lines data sets and scraped pages, validated line by line.

Every loader returns `EvalItem`s whose reference is already split into sentences (one per line for
ROUGE-Lsum). Bad input raises `DataError` naming the file, the line and what is wrong.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.page import parse_page
from service.schema import Article

# Tried in this order when --reference-field is not given (FRANK: reference; XSum: summary;
# BBC News Summary: extractive_summary; CNN/DM on the hub: highlights).
REFERENCE_FIELDS = ("reference", "summary", "extractive_summary", "highlights")
PAGE_SUFFIXES = {".txt", ".text", ".html", ".htm"}

# FRANK / See et al. references are PTB-tokenised with sentences joined by " . ".
_PTB_SENTENCE_BREAK = re.compile(r"(?<= [.!?]) +")
# Untokenised text: a break after . ! ? (and closing quotes/brackets) before the next sentence, also where
# the source lost the space ("$10.9bn.For the full year", as in BBC News Summary's extractive summaries).
_PUNCT_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]?(?:\s+|(?<=[a-z%)\"'”’][.!?])(?=[A-Z“]))")


class DataError(ValueError):
    """The evaluation input is missing or malformed; the message says where and what."""


def fail(message: str) -> int:
    """A user error of an eval command: one `error: ...` line on stderr, and the exit status 2."""
    print(f"error: {message}", file=sys.stderr)
    return 2


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


@dataclass(frozen=True)
class Dataset:
    items: list[EvalItem]
    # "FILE:LINE (id): reason" for rows left out because they cannot be scored (an empty reference).
    skipped: list[str] = field(default_factory=list)


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
    split: str | None = None,
) -> Dataset:
    """Items from a .jsonl data set or from a scraped page (.txt/.html: its articles with bullets).
    `split` keeps only the rows whose "split" field has that value (cnndm_val: train / tune)."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.suffix.lower() in PAGE_SUFFIXES:
        if split is not None:
            raise DataError(f"{path}: a page has no splits (--split is for .jsonl data sets)")
        dataset = Dataset(load_page(path))
    else:
        dataset = load_jsonl(path, reference_field, require_reference, split)
    if not dataset.items:
        wanted = f" with split {split!r}" if split is not None else ""
        raise DataError(f"{path}: no evaluation items{wanted} found")
    return Dataset(dataset.items[:limit] if limit else dataset.items, dataset.skipped)


def load_jsonl(
    path: Path, reference_field: str | None = None, require_reference: bool = True, split: str | None = None
) -> Dataset:
    items: list[EvalItem] = []
    skipped: list[str] = []
    # split("\n"), not splitlines(): JSON strings may hold raw U+2028, which splitlines() breaks on.
    for number, line in enumerate(_read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if split is not None and isinstance(row, dict) and row.get("split") != split:
            continue
        item = _item_from_row(row, f"{path}:{number}", reference_field, require_reference)
        if require_reference and not item.reference:
            # FRANK's XSum has one such row; it cannot be scored, so it is left out and reported.
            skipped.append(f"{path}:{number} ({item.id}): empty reference")
            continue
        items.append(item)
    return Dataset(items, skipped)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc


def _item_from_row(row: Any, where: str, reference_field: str | None, require_reference: bool) -> EvalItem:
    if not isinstance(row, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(row).__name__}")
    article = _text_field(row, "article", where)
    if article is None or not article.strip():
        raise DataError(f"{where}: missing or empty field 'article'")
    return EvalItem(
        id=str(row.get("id", where)),
        article=article,
        reference=_reference(row, where, reference_field, require_reference),
        systems=_systems(row, where),
        headline=_headline(row, where),
    )


def _reference(row: dict, where: str, reference_field: str | None, required: bool) -> tuple[str, ...]:
    candidates = (reference_field,) if reference_field else REFERENCE_FIELDS
    for name in candidates:
        value = _text_field(row, name, where)
        if value is not None:
            return split_sentences(value)
    if not required:
        return ()
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


def load_page(path: Path) -> list[EvalItem]:
    """Each article on a scraped page that has publisher bullets is an item; its bullets are the reference.
    The page is read with the pipeline's own parser, so the items are the articles the service sees."""
    text = _read_text(path)
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
