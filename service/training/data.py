"""Training examples for the deletion-only compressor: which words of a news sentence to keep.

Two kinds of target, both as word indices into spaCy tokens of the sentence exactly as published:
- aligned: a publisher-written reference (BBC headline, PolNeAR title, XSum intro, a CNN highlight of a
  cnndm_val `train` story, a Google sentence compression) aligned to the source sentence it restates,
  closed under syntax (alignment.py);
- syntactic: rule-based trims of other lead sentences of the same articles (deletions.py).

    python -m service.training.data --data ../shared/data --out runs/compression.jsonl [--limit N] [--seed 13]

frank/ is the development set and is never read, nor is cnndm_val's `tune` split (the knobs are chosen
on it); the XSum test_lines are lowercased and tokenised, so they cannot give a sentence "exactly as in
the source" and are not used.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from tqdm import tqdm

from service.nlp import breaks_line, load_spacy
from service.settings import DEFAULT_SPACY_MODEL
from service.text_facts import match_dateline
from service.training.alignment import align, grammatical_closure
from service.training.deletions import candidate_deletions, choose, load_cue_lemmas
from service.training.tokens import Words, finalize, is_mark, quotes_balanced, structure

FORBIDDEN_DATA = "frank"
MIN_COVERAGE = 0.6
SYNTACTIC_PER_ALIGNED = 3.0
MIN_SENTENCE_WORDS, MAX_SENTENCE_TOKENS = 8, 80
MIN_KEPT_WORDS = 4
MIN_RATIO, MAX_RATIO = 0.3, 0.95
# Lead sentences per article offered to the syntactic pool.
POOL_SENTENCES = 4
BATCH_SIZE = 32


@dataclass(frozen=True)
class SourceArticle:
    references: tuple[str, ...]  # publisher-written restatements, each of one sentence of the body
    body: str


@dataclass(frozen=True)
class Source:
    name: str
    origin: str  # the "origin" of its aligned examples
    read: Callable[[Path], list[SourceArticle]]
    align_window: int  # how many lead sentences may be the reference's source
    excerpt_chars: int  # how much of each article is parsed (whole paragraphs, about this many characters)


@dataclass(frozen=True)
class SentenceUnit:
    """A sentence as published (with its dateline, if it opens the story) and its non-space tokens."""

    text: str
    words: Words
    dateline: frozenset[int]

    def offsets(self) -> list[list[int]]:
        base = self.words[0].idx
        return [[t.idx - base, t.idx - base + len(t.text)] for t in self.words]


def refuse_frank(path: Path) -> Path:
    """frank/ is the development set: nothing built for training may read it."""
    if any(FORBIDDEN_DATA in part.lower() for part in path.resolve().parts):
        raise ValueError(f"refusing to read {path}: {FORBIDDEN_DATA}/ is the development set")
    return path


def _read_text(path: Path) -> str:
    return refuse_frank(path).read_text(encoding="utf-8")


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in _read_text(path).splitlines() if line.strip()]


def read_bbc(data_dir: Path) -> list[SourceArticle]:
    rows = _read_jsonl(data_dir / "bbc_news_summary" / "articles.jsonl")
    return [SourceArticle((row["headline"].strip(),), row["article"]) for row in rows]


def read_polnear(data_dir: Path) -> list[SourceArticle]:
    """Train split only; a file's first line is the title, the rest the story."""
    articles = []
    for path in sorted((data_dir / "polnear" / "train" / "text").glob("*.txt")):
        title, _, body = _read_text(path).lstrip().partition("\n")
        articles.append(SourceArticle((title.strip(),), body))
    return articles


def read_xsum(data_dir: Path) -> list[SourceArticle]:
    rows = _read_jsonl(data_dir / "xsum" / "articles.jsonl")
    return [SourceArticle((row["summary"].strip(),), row["article"]) for row in rows]


def read_cnndm_train(data_dir: Path) -> list[SourceArticle]:
    """The `train` split only: `tune` chooses the summariser's knobs and is never learned from."""
    rows = _read_jsonl(data_dir / "cnndm_val" / "articles.jsonl")
    return [
        SourceArticle(tuple(h.strip() for h in row["highlights"] if h.strip()), row["article"])
        for row in rows
        if row["split"] == "train"
    ]


def read_sentence_compression(data_dir: Path) -> list[SourceArticle]:
    """Google's deletion-only compressions (Filippova & Altun 2013): the sentence is the whole body."""
    rows = _read_jsonl(data_dir / "sentence_compression" / "pairs.jsonl")
    return [SourceArticle((row["compressed"].strip(),), row["original"]) for row in rows]


SOURCES = (
    # A BBC headline restates the first sentence in nine articles out of ten.
    Source("bbc", "bbc_headline", read_bbc, align_window=2, excerpt_chars=800),
    Source("polnear", "polnear_title", read_polnear, align_window=3, excerpt_chars=900),
    # The intro was cut from the article, so the sentence it restates can sit further down.
    Source("xsum", "xsum_intro", read_xsum, align_window=6, excerpt_chars=1000),
    # A CNN highlight restates a sentence from anywhere in the story, most often the first twenty.
    Source("cnndm_val", "cnn_highlight", read_cnndm_train, align_window=20, excerpt_chars=4000),
    Source("sentence_compression", "google_compression", read_sentence_compression, align_window=1, excerpt_chars=1000),
)


def build_examples(
    data_dir: Path,
    limit: int | None,
    seed: int,
    *,
    syntactic_per_aligned: float = SYNTACTIC_PER_ALIGNED,
    min_coverage: float = MIN_COVERAGE,
    pool_sentences: int = POOL_SENTENCES,
    excerpt_chars: int | None = None,
    stats: Counter | None = None,
) -> Iterator[dict]:
    """Aligned examples (every one that passes), then up to `syntactic_per_aligned` times as many
    syntactic ones. `limit` caps the articles read per source; `pool_sentences` lead sentences per article
    feed the syntactic pool, from the first `excerpt_chars` characters (default: each source's own);
    `stats` collects counts of what was dropped."""
    refuse_frank(Path(data_dir))
    stats = Counter() if stats is None else stats
    nlp = load_spacy(DEFAULT_SPACY_MODEL)
    cues = load_cue_lemmas()
    aligned: list[dict] = []
    pool: list[SentenceUnit] = []
    for source in SOURCES:
        articles = _sample(source.read(Path(data_dir)), limit, seed)
        references = _parsed_references(nlp, articles)
        chars = excerpt_chars or source.excerpt_chars
        docs = nlp.pipe((prepare_doc(nlp, a.body, chars) for a in articles), batch_size=BATCH_SIZE)
        for article_refs, doc in tqdm(zip(references, docs), total=len(articles), desc=source.name, file=sys.stderr):
            units = sentence_units(doc, max(source.align_window, pool_sentences))
            used: set[int] = set()
            for reference in article_refs:
                # Two highlights restating one sentence would give it two targets: the first one wins.
                example, index = _aligned_example(
                    reference, units[: source.align_window], used, source, min_coverage, stats
                )
                if example is not None and index is not None:
                    aligned.append(example)
                    used.add(index)
            pool.extend(u for i, u in enumerate(units[:pool_sentences]) if i not in used)
    yield from aligned
    syntactic = [e for e in (_syntactic_example(u, seed, cues, stats) for u in pool) if e is not None]
    wanted = min(len(syntactic), int(syntactic_per_aligned * len(aligned)))
    stats["syntactic_available"] += len(syntactic)
    yield from random.Random(seed).sample(syntactic, wanted)


def _parsed_references(nlp: Language, articles: list[SourceArticle]) -> list[list[Doc]]:
    """Each article's references, tokenised and tagged (no parse: only words and lemmas are aligned)."""
    flat = nlp.pipe((r for a in articles for r in a.references), batch_size=BATCH_SIZE, disable=["parser", "ner"])
    return [[next(flat) for _ in a.references] for a in articles]


def _sample(articles: list[SourceArticle], limit: int | None, seed: int) -> list[SourceArticle]:
    if limit is None or limit >= len(articles):
        return articles
    return random.Random(seed).sample(articles, limit)


def _excerpt(body: str, chars: int) -> str:
    """The article's opening paragraphs, whole, up to about `chars` characters (lead sentences only)."""
    end = 0
    while end < len(body) and end < chars:
        newline = body.find("\n", end)
        end = len(body) if newline < 0 else newline + 1
    return body[:end]


def prepare_doc(nlp: Language, body: str, excerpt_chars: int) -> Doc:
    """Tokenised excerpt with sentence starts preset at paragraph starts and right after a dateline,
    so the parser reads the dateline as its own fragment instead of as the sentence's subject."""
    text = _excerpt(body, excerpt_chars)
    start = len(text) - len(text.lstrip())
    dateline = match_dateline(text, start)
    dateline_end = dateline.separator_end if dateline else None
    doc = nlp.make_doc(text)
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if not token.is_space and breaks_line(previous):
            token.is_sent_start = True
    doc.user_data["dateline_end"] = dateline_end
    if dateline_end is not None:
        inside = [t for t in doc if t.idx < dateline_end and not t.is_space]
        after = [t for t in doc if t.idx >= dateline_end and not t.is_space]
        for token in inside[1:]:
            token.is_sent_start = False
        if after:
            after[0].is_sent_start = True
    return doc


def sentence_units(doc: Doc, max_units: int) -> list[SentenceUnit]:
    """The first sentences of a parsed excerpt; a leading dateline fragment joins the sentence after it."""
    dateline_end = doc.user_data.get("dateline_end")
    units: list[SentenceUnit] = []
    pending: list = []
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space]
        if not words:
            continue
        if dateline_end is not None and not units and words[-1].idx + len(words[-1].text) <= dateline_end:
            pending.extend(words)
            continue
        merged = pending + words
        end = merged[-1].idx + len(merged[-1].text)
        units.append(SentenceUnit(doc.text[merged[0].idx : end], tuple(merged), frozenset(range(len(pending)))))
        pending = []
        if len(units) >= max_units:
            break
    return units


def _aligned_example(
    reference: Doc,
    units: list[SentenceUnit],
    taken: set[int],
    source: Source,
    min_coverage: float,
    stats: Counter,
) -> tuple[dict | None, int | None]:
    """The reference's best source sentence among those not `taken` and its target; the index returned is
    that sentence's if it made an example."""
    ref_tokens = [t for t in reference if not t.is_space]
    stats[f"{source.origin}_tried"] += 1
    scored = [(align(ref_tokens, u.words, u.dateline), -i) for i, u in enumerate(units) if i not in taken]
    if not scored:
        stats[f"{source.origin}_no_sentence"] += 1
        return None, None
    alignment, negative_index = max(scored, key=lambda pair: (pair[0].coverage, pair[1]))
    if alignment.coverage < min_coverage:
        stats[f"{source.origin}_low_coverage"] += 1
        return None, None
    unit = units[-negative_index]
    info = structure(unit.words)
    if info is None:
        stats[f"{source.origin}_unpaired_quotes"] += 1
        return None, None
    kept = grammatical_closure(unit.words, {k for _, k in alignment.pairs}, info)
    keep = finalize(unit.words, kept, info)
    problem = filter_problem(unit, keep)
    if problem:
        stats[f"{source.origin}_{problem}"] += 1
        return None, None
    return to_example(unit, keep, source.origin, reference.text), -negative_index


def _syntactic_example(unit: SentenceUnit, seed: int, cues: frozenset[str], stats: Counter) -> dict | None:
    info = structure(unit.words)
    if info is None:
        stats["syntactic_unpaired_quotes"] += 1
        return None
    fired = choose(candidate_deletions(unit.words, unit.dateline, info, cues), seed, unit.text)
    if not fired:
        stats["syntactic_no_rule"] += 1
        return None
    deleted = frozenset().union(*(d.indices for d in fired))
    keep = finalize(unit.words, set(range(len(unit.words))) - deleted, info)
    problem = filter_problem(unit, keep)
    if problem:
        stats[f"syntactic_{problem}"] += 1
        return None
    stats.update(f"deletion_{d.kind}" for d in fired)
    return to_example(unit, keep, "syntactic", None)


def filter_problem(unit: SentenceUnit, keep: list[int]) -> str | None:
    """Why an example is unusable (None if it is fine): size, identity-like ratio, broken quotes."""
    words = unit.words
    sentence_words = sum(1 for t in words if not is_mark(t))
    if sentence_words < MIN_SENTENCE_WORDS or len(words) > MAX_SENTENCE_TOKENS:
        return "sentence_length"
    if sum(1 for k in keep if not is_mark(words[k])) < MIN_KEPT_WORDS:
        return "too_few_kept"
    if not MIN_RATIO <= len(keep) / len(words) <= MAX_RATIO:
        return "ratio"
    if not quotes_balanced(words, keep):
        return "broken_quotes"
    return None


def to_example(unit: SentenceUnit, keep: list[int], origin: str, reference: str | None) -> dict:
    return {"text": unit.text, "words": unit.offsets(), "keep": sorted(keep), "origin": origin, "reference": reference}


def keep_ratio(example: dict) -> float:
    return len(example["keep"]) / len(example["words"])


def kept_text(example: dict) -> str:
    """The compressed sentence, each kept word preceded by a space only where the source had one."""
    text, words = example["text"], example["words"]
    parts: list[str] = []
    for k in example["keep"]:
        start, end = words[k]
        if parts and k > 0 and text[words[k - 1][1] : start]:
            parts.append(" ")
        parts.append(text[start:end])
    return "".join(parts)


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data directory")
    parser.add_argument("--out", type=Path, required=True, help="JSON lines file to write")
    parser.add_argument("--limit", type=int, default=None, help="articles read per source (default: all)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--syntactic-per-aligned", type=float, default=SYNTACTIC_PER_ALIGNED)
    parser.add_argument("--min-coverage", type=float, default=MIN_COVERAGE)
    parser.add_argument(
        "--pool-sentences",
        type=int,
        default=POOL_SENTENCES,
        help="lead sentences per article that may become syntactic examples",
    )
    parser.add_argument(
        "--excerpt-chars", type=int, default=None, help="characters of each article to parse (default: per source)"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)

    started = time.perf_counter()
    stats: Counter = Counter()
    by_origin: Counter = Counter()
    ratios: defaultdict[str, float] = defaultdict(float)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for example in build_examples(
            args.data,
            args.limit,
            args.seed,
            syntactic_per_aligned=args.syntactic_per_aligned,
            min_coverage=args.min_coverage,
            pool_sentences=args.pool_sentences,
            excerpt_chars=args.excerpt_chars,
            stats=stats,
        ):
            out.write(json.dumps(example, ensure_ascii=False) + "\n")
            by_origin[example["origin"]] += 1
            ratios[example["origin"]] += keep_ratio(example)
    total = sum(by_origin.values())
    print(f"wrote {total} examples to {args.out} in {time.perf_counter() - started:.0f} s")
    for origin, count in sorted(by_origin.items()):
        print(f"  {origin:15s} {count:6d}  mean keep ratio {ratios[origin] / count:.3f}")
    if total:
        print(f"  {'all':15s} {total:6d}  mean keep ratio {sum(ratios.values()) / total:.3f}")
    print("dropped / rule counts:")
    for key, count in sorted(stats.items()):
        print(f"  {key:40s} {count:6d}")


if __name__ == "__main__":
    main()
