"""Score quotes and speakers against the Gender Gap Tracker's annotated news (metric: eval/README.md, "GGT").

The data: JSON lines, one article each: ``id``, ``text`` and ``quotes``, every quote with ``start``/``end``
(character offsets into ``text``, quote marks included), the speaker mention as written (``speaker``,
``speaker_start``/``speaker_end``, null where the article names no one beside the quote), the annotator's
resolved name ``speaker_canonical`` and ``kind`` (direct, mixed or indirect).
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from eval.extraction import extract_all
from eval.metrics import latency_percentiles, precision_recall_f1
from service.schema import Quote
from service.settings import DEFAULT_QUOTE_CONTENT_DIR
from service.text_facts import DOUBLE_QUOTE_MARKS

THRESHOLDS = (0.3, 0.8)
GOLD_KINDS = frozenset({"direct", "mixed", "indirect"})
NAME_WORD = re.compile(r"\w+")
# Words that do not tell two names apart ("the Kelowna Rockets" = "Kelowna Rockets").
ARTICLES = frozenset({"the", "a", "an"})

Span = tuple[int, int]


class GgtFormatError(ValueError):
    """A line of the GGT file that is not an annotated article."""


@dataclass(frozen=True)
class GoldQuote:
    span: Span
    mention: Span | None
    canonical: str
    kind: str


@dataclass(frozen=True)
class GgtArticle:
    id: str
    text: str
    quotes: tuple[GoldQuote, ...]


@dataclass(frozen=True)
class PredictedQuote:
    span: Span
    mention: Span | None
    speaker: str | None
    kind: str
    # GGT's "floating quote": the speaker comes from an earlier sentence, nobody is named beside it.
    floating: bool


def is_ggt_file(path: Path) -> bool:
    """GGT data is one JSON-lines file; PolNeAR is a folder."""
    return path.is_file() and path.suffix == ".jsonl"


def load_ggt(path: Path) -> list[GgtArticle]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    articles = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                articles.append(_article(line, f"{path}:{number}"))
    return articles


def _article(line: str, where: str) -> GgtArticle:
    try:
        row = json.loads(line)
        text = row["text"]
        quotes = tuple(_gold_quote(q, len(text)) for q in row["quotes"])
        return GgtArticle(str(row["id"]), text, quotes)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise GgtFormatError(f"{where}: not a GGT annotated article ({error})") from error


def _gold_quote(row: dict, length: int) -> GoldQuote:
    span = (int(row["start"]), int(row["end"]))
    mention = None
    if row.get("speaker_start") is not None and row.get("speaker_end") is not None:
        mention = (int(row["speaker_start"]), int(row["speaker_end"]))
    if row["kind"] not in GOLD_KINDS:
        raise ValueError(f"unknown quote kind {row['kind']!r}")
    for start, end in (span, mention or span):
        if not 0 <= start < end <= length:
            raise ValueError(f"span {start}-{end} outside the text")
    return GoldQuote(span, mention, str(row["speaker_canonical"] or ""), row["kind"])


# ---- our predictions as GGT units ----------------------------------------------------------------


def predictions_from_quotes(quotes: list[Quote], text: str) -> list[PredictedQuote]:
    """GGT's units: every part of a direct quote is one quote ('“A,” he said. “B.”' is two, B floating),
    with its marks; a partial or indirect statement is one quote, its content span."""
    statements: dict[Span, list[Quote]] = {}
    for quote in quotes:
        statements.setdefault(quote.content_span or (quote.start, quote.end), []).append(quote)
    predictions = []
    for content, parts in statements.items():
        parts.sort(key=lambda q: q.start)
        first = parts[0]
        spans = [(q.start, q.end) for q in parts] if first.kind == "direct" else [content]
        for i, (start, end) in enumerate(spans):
            span = _with_marks(text, start, end)
            mention = first.speaker_mention_span
            floating = i > 0 or (
                mention is not None and _paragraph_start(text, mention[0]) < _paragraph_start(text, start)
            )
            predictions.append(PredictedQuote(span, mention, first.speaker, first.kind, floating))
    return predictions


def _with_marks(text: str, start: int, end: int) -> Span:
    """Our quote spans exclude the marks; GGT's include them."""
    if start > 0 and text[start - 1] in DOUBLE_QUOTE_MARKS:
        start -= 1
    if end < len(text) and text[end] in DOUBLE_QUOTE_MARKS:
        end += 1
    return start, end


def _paragraph_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


# ---- GGT's matching ------------------------------------------------------------------------------


def coverage(gold: Span, predicted: Span) -> float:
    """Share of the gold span's characters that the prediction covers (asymmetric, as GGT's)."""
    shared = min(gold[1], predicted[1]) - max(gold[0], predicted[0])
    return max(shared, 0) / (gold[1] - gold[0])


def match(gold: list[GoldQuote], predicted: list[PredictedQuote], threshold: float) -> list[tuple[int, int]]:
    """GGT's greedy matching: each gold quote in order takes the unmatched prediction covering the largest
    share of it, above the threshold (the first of equal shares)."""
    free = list(range(len(predicted)))
    pairs = []
    for g, quote in enumerate(gold):
        best, best_score = None, threshold
        for p in free:
            score = coverage(quote.span, predicted[p].span)
            if score > best_score:
                best, best_score = p, score
        if best is not None:
            free.remove(best)
            pairs.append((g, best))
    return pairs


def mention_agrees(gold: GoldQuote, predicted: PredictedQuote) -> bool:
    """GGT's speaker match: the mentions share a character, or neither quote has a mention beside it."""
    if gold.mention is None:
        return predicted.floating
    return predicted.mention is not None and coverage(gold.mention, predicted.mention) > 0


def name_words(name: str) -> list[str]:
    normal = unicodedata.normalize("NFKC", name).replace("’", "'")
    normal = re.sub(r"'s\b", "", normal)
    return [w for w in NAME_WORD.findall(normal) if w.casefold() not in ARTICLES]


def names_agree(speaker: str | None, canonical: str) -> bool:
    """Our speaker names the annotator's: it holds every word of the canonical name ("Mayor Doug McCallum"
    for "Doug McCallum"), or it is part of the canonical name and keeps all of its capitalised words
    ("GroupM" for "media buying company GroupM", not "McCallum" for "Doug McCallum"). Case, articles and a
    possessive 's are ignored."""
    if not speaker:
        return False
    ours = {w.casefold() for w in name_words(speaker)}
    words = name_words(canonical)
    theirs = {w.casefold() for w in words}
    if not ours or not theirs:
        return False
    proper = {w.casefold() for w in words if w[:1].isupper()}
    return theirs <= ours or (ours <= theirs and proper <= ours)


# ---- scores --------------------------------------------------------------------------------------


@dataclass
class Counts:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    mention_correct: int = 0
    name_correct: int = 0

    def add(self, other: Counts) -> None:
        for name, value in dataclasses.asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def report(self) -> dict[str, float]:
        return {
            **precision_recall_f1(self.matched, self.predicted, self.gold),
            "speaker_mention_accuracy": round(self.mention_correct / self.matched, 4) if self.matched else 0.0,
            "speaker_name_accuracy": round(self.name_correct / self.matched, 4) if self.matched else 0.0,
            **dataclasses.asdict(self),
        }


def score_article(
    article: GgtArticle, predicted: list[PredictedQuote], threshold: float
) -> tuple[dict[str, Counts], list[dict]]:
    """Counts for all quotes and for direct ones (gold "direct" against our "direct"), and every gold
    quote of the "all" scoring with what it matched (for reading errors)."""
    counts = {}
    details: list[dict] = []
    for name, keep_gold, keep_predicted in (
        ("all", lambda g: True, lambda p: True),
        ("direct", lambda g: g.kind == "direct", lambda p: p.kind == "direct"),
    ):
        gold = [g for g in article.quotes if keep_gold(g)]
        ours = [p for p in predicted if keep_predicted(p)]
        pairs = match(gold, ours, threshold)
        tally = Counts(len(gold), len(ours), len(pairs))
        for g, p in pairs:
            tally.mention_correct += mention_agrees(gold[g], ours[p])
            tally.name_correct += names_agree(ours[p].speaker, gold[g].canonical)
        counts[name] = tally
        if name == "all":
            details = _details(article, gold, ours, pairs)
    return counts, details


def _details(article: GgtArticle, gold: list[GoldQuote], ours: list[PredictedQuote], pairs) -> list[dict]:
    text = article.text
    matched = dict(pairs)
    rows = []
    for g, quote in enumerate(gold):
        row: dict = {"gold": text[slice(*quote.span)], "kind": quote.kind, "canonical": quote.canonical}
        row["gold_mention"] = text[slice(*quote.mention)] if quote.mention else None
        if g in matched:
            p = ours[matched[g]]
            row["speaker"] = p.speaker
            row["mention"] = text[slice(*p.mention)] if p.mention else None
            row["mention_ok"] = mention_agrees(quote, p)
            row["name_ok"] = names_agree(p.speaker, quote.canonical)
        rows.append(row)
    used = set(matched.values())
    rows.extend({"extra": text[slice(*p.span)], "speaker": p.speaker} for i, p in enumerate(ours) if i not in used)
    return rows


def evaluate(
    articles: list[GgtArticle],
    model_name: str,
    content_model: Path = DEFAULT_QUOTE_CONTENT_DIR,
    predictions_out: TextIO | None = None,
) -> dict:
    totals = {t: {"all": Counts(), "direct": Counts()} for t in THRESHOLDS}
    kinds: Counter[str] = Counter()
    extractor_ms: list[float] = []
    texts = (item.text for item in articles)
    for item, extracted in zip(articles, extract_all(texts, model_name, content_model, "ggt")):
        quotes = extracted.quotes
        extractor_ms.append(extracted.extractor_ms)
        predicted = predictions_from_quotes(quotes, item.text)
        kinds.update(p.kind for p in predicted)
        for threshold in THRESHOLDS:
            counts, details = score_article(item, predicted, threshold)
            for name, tally in counts.items():
                totals[threshold][name].add(tally)
            if predictions_out is not None and threshold == THRESHOLDS[0]:
                record = {"id": item.id, "quotes": [dataclasses.asdict(q) for q in quotes], "scored": details}
                predictions_out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {
        "format": "ggt",
        "n_articles": len(articles),
        "n_gold": {"all": sum(len(a.quotes) for a in articles), "direct": totals[THRESHOLDS[0]]["direct"].gold},
        "thresholds": {str(t): {name: tally.report() for name, tally in totals[t].items()} for t in THRESHOLDS},
        "predicted_by_kind": dict(kinds),
        "extractor_ms": latency_percentiles(extractor_ms) if extractor_ms else {},
    }
