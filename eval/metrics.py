"""Summary metrics: ROUGE (Google's rouge-score), bootstrap intervals, Lead-3, faithfulness, length."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rouge_score import rouge_scorer, tokenizers
from spacy.language import Language

ROUGE_METRICS = ("rouge1", "rouge2", "rougeLsum")
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240601
LEAD_SENTENCES = 3

# PTB splits "isn't" into "is n't"; rouge-score's tokenizer keeps only [a-z0-9] runs, so "isn't" would
# give "isn t" against the reference's "is n t". Splitting n't the PTB way on every text makes raw and
# tokenised texts score alike. (`` '' and other punctuation vanish in rouge-score's tokenizer anyway.)
_IRREGULAR_NEGATION = re.compile(r"\b(ca|wo|sha)(n't)\b", re.IGNORECASE)
_NEGATION = re.compile(r"(?<=\w)(n't)\b", re.IGNORECASE)
# Lead-3's sentence splitter: a break at every newline, after . ! ? followed by whitespace, and where a
# scrape glued sentences together ("the community.Dr Venter", common in FRANK's XSum). It is deliberately
# simple: it reproduces the published Lead-3 ROUGE on FRANK's CNN/DM (see eval/README.md).
_LEAD_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[a-z%)\"'”’][.!?])(?=[A-Z“])")
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")


@dataclass(frozen=True)
class Score:
    """One ROUGE score as fractions (0-1)."""

    p: float
    r: float
    f: float


ItemScores = dict[str, Score]


def normalise_for_rouge(sentence: str) -> str:
    sentence = sentence.replace("’", "'")
    sentence = _IRREGULAR_NEGATION.sub(r"\1 \2", sentence)
    return _NEGATION.sub(r" \1", sentence)


class RougeEvaluator:
    """ROUGE-1/2/Lsum with the Porter stemmer; Lsum reads one sentence per line."""

    def __init__(self) -> None:
        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_METRICS), use_stemmer=True)

    def score(self, reference: Sequence[str], output: Sequence[str]) -> ItemScores:
        target = "\n".join(normalise_for_rouge(s) for s in reference)
        prediction = "\n".join(normalise_for_rouge(s) for s in output)
        scores = self._scorer.score(target, prediction)
        return {m: Score(scores[m].precision, scores[m].recall, scores[m].fmeasure) for m in ROUGE_METRICS}


class OracleSelector:
    """The greedy extractive oracle (Nallapati et al. 2017, as BERTSum labels its data): add the sentence
    that raises ROUGE-1 + ROUGE-2 F of the selection against the reference most, until none raises it.
    Tokens as rouge-score makes them (stemmed), so the oracle optimises what the eval measures."""

    def __init__(self) -> None:
        self._tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)

    def tokens(self, text: str) -> list[str]:
        return self._tokenizer.tokenize(normalise_for_rouge(text))

    def summary(self, sentences: Sequence[str], reference: Sequence[str]) -> tuple[str, ...]:
        """The oracle's sentences themselves: an upper bound for any selection of whole sentences."""
        return tuple(sentences[i] for i in self.select(sentences, reference))

    def select(self, sentences: Sequence[str], reference: Sequence[str]) -> list[int]:
        """Indices of the oracle's sentences, in article order."""
        reference_tokens = self.tokens(" ".join(reference))
        target = (_ngrams(reference_tokens, 1), _ngrams(reference_tokens, 2))
        grams = [(_ngrams(t, 1), _ngrams(t, 2)) for t in (self.tokens(s) for s in sentences)]
        chosen: list[int] = []
        selected: tuple[Counter, Counter] = (Counter(), Counter())
        best = 0.0
        while len(chosen) < len(sentences):
            # (gain, -index): of equal gains, the earlier sentence.
            gains = [
                (_f(selected[0] + grams[i][0], target[0]) + _f(selected[1] + grams[i][1], target[1]), -i)
                for i in range(len(sentences))
                if i not in chosen
            ]
            gain, negative_pick = max(gains)
            if gain <= best:
                break
            best, pick = gain, -negative_pick
            chosen.append(pick)
            selected = (selected[0] + grams[pick][0], selected[1] + grams[pick][1])
        return sorted(chosen)


def _ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f(output: Counter, reference: Counter) -> float:
    overlap = sum((output & reference).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(output.values()), overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def latency_percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50 and p95 of timings, rounded to 2 decimals."""
    return {"p50": round(float(np.percentile(values, 50)), 2), "p95": round(float(np.percentile(values, 95)), 2)}


def precision_recall_f1(matched: float, predicted: float, gold: float) -> dict[str, float]:
    """Precision, recall and F1 of a matching, rounded to 4 decimals (0.0 where undefined)."""
    precision = matched / predicted if predicted else 0.0
    recall = matched / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def bootstrap_ci(
    values: Sequence[float],
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean; a fixed seed gives the same interval for the same input."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("bootstrap_ci needs at least one value")
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def aggregate_rouge(per_item: Sequence[ItemScores]) -> dict:
    """Mean P/R/F per metric and the bootstrap CI of mean F, all as percentages (2 decimals)."""
    if not per_item:
        raise ValueError("no scores to aggregate")
    summary: dict = {}
    intervals: dict[str, list[float]] = {}
    for metric in ROUGE_METRICS:
        scores = [item[metric] for item in per_item]
        summary[metric] = {
            "p": _percent(np.mean([s.p for s in scores])),
            "r": _percent(np.mean([s.r for s in scores])),
            "f": _percent(np.mean([s.f for s in scores])),
        }
        intervals[metric] = [_percent(bound) for bound in bootstrap_ci([s.f for s in scores])]
    summary["ci"] = intervals
    return summary


def _percent(fraction: float | np.floating) -> float:
    return round(float(fraction) * 100, 2)


def lead_sentences(article: str, n: int | None = LEAD_SENTENCES) -> tuple[str, ...]:
    """The first n sentences of the article (the Lead-n baseline); all of them for None."""
    sentences: list[str] = []
    for line in article.splitlines():
        for sentence in _LEAD_SENTENCE_BREAK.split(line.strip()):
            if sentence:
                sentences.append(sentence)
                if len(sentences) == n:
                    return tuple(sentences)
    return tuple(sentences)


def lead_words(article: str, words: int) -> tuple[str, ...]:
    """The article's opening ``words`` words (as word_count counts them), in its sentences: the last
    sentence cut after the word that reaches the count."""
    result: list[str] = []
    total = 0
    for sentence in lead_sentences(article, None):
        if total >= words:
            break
        kept: list[str] = []
        for token in sentence.split():
            if total >= words:
                break
            kept.append(token)
            total += word_count(token)
        result.append(" ".join(kept))
    return tuple(result)


def word_count(text: str) -> int:
    """Words as rouge-score counts them (letter/digit runs), so PTB and raw text count alike."""
    return len(_WORD.findall(text))


def mean_length(summaries: Iterable[Sequence[str]]) -> float:
    lengths = [sum(word_count(s) for s in summary) for summary in summaries]
    return round(float(np.mean(lengths)), 2) if lengths else 0.0


def _normalised(text: str) -> str:
    """Lower-cased word runs, space-padded: "NASA's" and PTB "nasa 's" both become " nasa s "."""
    return " " + " ".join(w.lower() for w in _WORD.findall(text)) + " "


class FaithfulnessChecker:
    """A summary sentence is faithful when each of its named entities (spaCy NER) and numbers occurs
    in the article. Entities are compared as lower-cased word runs (tokenisation and case do not
    matter); numbers as digit strings, so "9pm" in the article supports "9" and "25,000" is "25000"."""

    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp

    def sentence_flags(self, summary: Sequence[str], article: str) -> list[bool]:
        return self.flags([(summary, article)])[0]

    def flags(self, pairs: Sequence[tuple[Sequence[str], str]]) -> list[list[bool]]:
        """Per summary, per sentence: faithful or not. One nlp.pipe call for all the sentences."""
        sentences = [s for summary, _ in pairs for s in summary]
        # Only NER is needed; the parser is the slow part of the pipeline.
        unused = [name for name in ("parser", "lemmatizer") if name in self._nlp.pipe_names]
        docs = iter(self._nlp.pipe(sentences, disable=unused))
        result = []
        for summary, article in pairs:
            evidence = _Evidence(_normalised(article), _numbers(article))
            result.append([evidence.supports(next(docs)) for _ in summary])
        return result

    def share(self, pairs: Sequence[tuple[Sequence[str], str]]) -> float:
        """Share (0-1) of all summary sentences that are faithful; 1.0 when there are none."""
        flags = [flag for summary_flags in self.flags(pairs) for flag in summary_flags]
        return round(sum(flags) / len(flags), 4) if flags else 1.0


@dataclass(frozen=True)
class _Evidence:
    words: str
    numbers: frozenset[str]

    def supports(self, doc) -> bool:
        # An entity with digits ("between 10 to 12", "$15million") is judged by its numbers alone.
        entities = [ent.text for ent in doc.ents if not any(c.isdigit() for c in ent.text)]
        return (
            all(_normalised(e) in self.words for e in entities if _normalised(e).strip())
            and _numbers(doc.text) <= self.numbers
        )


def _numbers(text: str) -> frozenset[str]:
    return frozenset(n.replace(",", "") for n in _NUMBER.findall(text))
