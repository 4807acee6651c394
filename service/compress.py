"""Sentence compression by a seq2seq model whose decoding is constrained to delete words only.

Any Hugging Face encoder-decoder checkpoint loads (our own T5 by default; FLAN-T5, BART, PEGASUS via
SUMMARY_MODEL). Its task prefix comes from prompts/<model_type>.txt. Every word of the output is a word
of the source sentence, so names and numbers cannot be invented, and the text is rebuilt from the
source's own characters.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, LogitsProcessorList

from service.copy_constraint import (
    CopyAutomaton,
    CopyConstraintProcessor,
    EncodedSentence,
    SourceCopyCandidates,
    encode_sentence,
)
from service.nlp import ModelLoadError
from service.schema import Quote
from service.select import SelectedSentence, Word, word_form
from service.settings import PROMPTS_DIR, Settings

MAX_INPUT_TOKENS = 192
# A bullet keeps at least this share of its sentence's words (punctuation included).
MIN_KEPT_SHARE = 0.4
# Pieces drafted per forward pass in greedy decoding: longer than most runs of kept words.
DRAFT_LENGTH = 24
# Written by the training code beside the weights: what the summariser needs to know of the model.
SUMMARISER_CONFIG = "summariser.json"

PageSpan = tuple[int, int]

logger = logging.getLogger(__name__)


class Compressor(ABC):
    name: str
    version: str
    # Typical kept words / source words; the selector picks more sentences to fill the budget after it.
    expected_ratio: float

    @abstractmethod
    def compress(self, sentences: Sequence[SelectedSentence], quotes: Sequence[Quote]) -> list[tuple[PageSpan, ...]]:
        """For each sentence, the page spans of the words kept. Quotations and multi-word names are kept
        whole or dropped whole."""


@dataclass(frozen=True)
class _Job:
    encoded: EncodedSentence
    forced_units: frozenset[int]
    groups: tuple[tuple[int, int], ...]  # unit ranges kept whole
    groups_by_word: tuple[frozenset[int], ...]  # the same, as word index sets
    deletable: tuple[tuple[int, int], ...] | None  # unit ranges that may be dropped; None: any
    values: tuple[float, ...] | None  # what keeping each unit is worth


class Seq2SeqCompressor(Compressor):
    def __init__(
        self,
        tokenizer,
        model,
        name: str,
        version: str,
        prompt: str,
        expected_ratio: float,
        num_beams: int,
        keep_bias: float = 0.0,
        salience_weight: float = 0.0,
    ):
        self.tokenizer = tokenizer
        self.keep_bias = keep_bias
        self.salience_weight = salience_weight
        self.model = model.eval()
        output_layer = model.get_output_embeddings()
        self.head = SourcePiecesHead(output_layer) if isinstance(output_layer, torch.nn.Linear) else None
        if self.head is not None:
            model.set_output_embeddings(self.head)
        # generate() has no argument for a custom draft source; it builds one through this hook.
        model._get_candidate_generator = self._source_copy_candidates
        self._local = threading.local()
        self.name = name
        self.version = version
        self.prompt = prompt
        self.expected_ratio = expected_ratio
        self.num_beams = num_beams

    def with_salience_weight(self, weight: float) -> Seq2SeqCompressor:
        """The same loaded model, decoding with another prior weight (0: the model's choices alone)."""
        twin = copy.copy(self)
        twin.salience_weight = weight
        return twin

    def compress(self, sentences, quotes):
        # In order, so that a bullet need not repeat what an earlier one said.
        said: set[str] = set()
        spans = []
        for sentence in sentences:
            kept = self._compress_one(sentence, quotes, said)
            said.update(word_form(sentence.words[w].text) for w in kept)
            spans.append(tuple((sentence.words[w].start, sentence.words[w].end) for w in kept))
        return spans

    def _compress_one(self, sentence: SelectedSentence, quotes: Sequence[Quote], said: set[str]) -> list[int]:
        job = self._job(sentence, quotes, frozenset(), said)
        salience_weight = self.salience_weight
        kept = self._decode(job, salience_weight)
        if len(kept) < MIN_KEPT_SHARE * len(sentence.words):
            # The prior dropped most of the sentence: a bullet must still say something; the model alone.
            salience_weight = 0.0
            kept = self._decode(job, salience_weight)
        # A quote kept without its speaker loses its meaning: decode again with speaker and cue forced.
        forced = _speaker_units_needed(sentence.words, job.encoded, kept, quotes)
        if forced:
            kept = self._decode(replace(job, forced_units=forced), salience_weight)
        return _with_heads(sentence, kept, job.groups_by_word)

    def _job(self, sentence: SelectedSentence, quotes: Sequence[Quote], forced: frozenset[int], said: set[str]) -> _Job:
        text, spans = _sentence_text(sentence.words)
        encoded = encode_sentence(self.tokenizer, self.prompt, text, spans, MAX_INPUT_TOKENS)
        whole = list(sentence.entities) + [(q.start - 1, q.end + 1) for q in quotes if q.kind != "indirect"]
        groups = _unit_groups(sentence.words, encoded, whole)
        by_word = tuple(
            frozenset(w for u in range(first, last + 1) for w in encoded.units[u].words) for first, last in groups
        )
        deletable = None if sentence.deletable is None else _unit_ranges(sentence.words, encoded, sentence.deletable)
        values = None
        if len(sentence.mentions) == len(sentence.words):
            word_values = sentence.keep_values(said)
            values = tuple(sum(word_values[w] for w in unit.words) for unit in encoded.units)
        return _Job(encoded, forced, groups, by_word, deletable, values)

    @torch.inference_mode()
    def _decode(self, job: _Job, salience_weight: float) -> list[int]:
        """Kept word indices."""
        automaton = CopyAutomaton(
            job.encoded.units, self.tokenizer.eos_token_id, job.forced_units, job.groups, job.deletable, job.values
        )
        processor = CopyConstraintProcessor([automaton], self.num_beams, self.keep_bias, salience_weight)
        self._local.automaton = automaton
        with self._only_source_pieces(job):
            generated = self.model.generate(
                input_ids=torch.tensor([job.encoded.input_ids]),
                max_new_tokens=sum(len(u.pieces) for u in job.encoded.units) + 1,
                logits_processor=LogitsProcessorList([processor]),
                do_sample=False,
                num_beams=self.num_beams,
                # Greedy decoding drafts copied runs, so a run of kept words costs one forward pass;
                # this argument selects generate's assisted decoding, the drafts are ours.
                prompt_lookup_num_tokens=DRAFT_LENGTH if self.num_beams == 1 else None,
            )
        # After the decoder start token; stops at end-of-sequence. An output cut off mid-word reads as
        # nothing: the sentence is then kept whole rather than dropped.
        units = automaton.kept_units(generated[0].tolist()[1:]) or range(len(job.encoded.units))
        return sorted(w for u in units for w in job.encoded.units[u].words)

    def _only_source_pieces(self, job: _Job):
        if self.head is None:
            return nullcontext()
        pieces = {p for u in job.encoded.units for p in u.pieces}
        return self.head.restricted_to(sorted(pieces | {self.tokenizer.eos_token_id}))

    def _source_copy_candidates(self, *args, **kwargs) -> SourceCopyCandidates:
        return SourceCopyCandidates(self._local.automaton, DRAFT_LENGTH)


class SourcePiecesHead(torch.nn.Module):
    """The model's output layer, computed only for the pieces decoding may emit.

    The copy constraint masks every other piece anyway; skipping them saves the largest matrix product
    of each decoder step. Greedy choices are unchanged; beam scores are normalised over the source's pieces.
    The restriction is per thread, so concurrent requests do not see each other's.
    """

    def __init__(self, full: torch.nn.Linear) -> None:
        super().__init__()
        self.full = full
        self._local = threading.local()

    @contextmanager
    def restricted_to(self, piece_ids: list[int]) -> Iterator[None]:
        rows = torch.tensor(piece_ids, device=self.full.weight.device)
        bias = None if self.full.bias is None else self.full.bias[rows]
        self._local.restriction = (rows, self.full.weight[rows], bias)
        try:
            yield
        finally:
            self._local.restriction = None

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        restriction = getattr(self._local, "restriction", None)
        if restriction is None:
            return self.full(hidden)
        rows, weight, bias = restriction
        logits = hidden.new_full((*hidden.shape[:-1], self.full.out_features), float("-inf"))
        logits[..., rows] = torch.nn.functional.linear(hidden, weight, bias)
        return logits


def _sentence_text(words: Sequence[Word]) -> tuple[str, list[tuple[int, int]]]:
    """The sentence as the model reads it: words joined with the source's spacing, spans relative to it."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    cursor = 0
    previous_end = None
    for word in words:
        if previous_end is not None and word.start > previous_end:
            parts.append(" ")
            cursor += 1
        spans.append((cursor, cursor + len(word.text)))
        parts.append(word.text)
        cursor += len(word.text)
        previous_end = word.end
    return "".join(parts), spans


def _with_heads(sentence: SelectedSentence, kept: list[int], groups: Sequence[frozenset[int]]) -> list[int]:
    """Add the syntactic head of every kept word (up to the root), and complete any group touched.

    Deleting a head while keeping its dependent changes meaning ("The brother of ex-footballer Ryan
    Giggs" must not become "The Ryan Giggs"); the additions are source words too, in source order.
    """
    index_at = {w.start: i for i, w in enumerate(sentence.words)}
    head_of = {index_at[a]: index_at[b] for a, b in sentence.heads if a in index_at and b in index_at}
    result = set(kept)
    pending = list(result)
    while pending:
        word = pending.pop()
        additions = [head_of[word]] if word in head_of else []
        additions += [w for group in groups if word in group for w in group]
        for added in additions:
            if added not in result:
                result.add(added)
                pending.append(added)
    return sorted(result)


def _unit_ranges(
    words: Sequence[Word], encoded: EncodedSentence, spans: Sequence[PageSpan]
) -> tuple[tuple[int, int], ...]:
    """(first, last) unit ranges covering the words inside each page span; a span whose edge cuts a unit
    (a piece fusing a word inside with one outside) gives none."""
    ranges = []
    for start, end in spans:
        touched = sorted({u for i, u in encoded.unit_of_word.items() if words[i].end > start and words[i].start < end})
        whole = all(start <= words[w].start and words[w].end <= end for u in touched for w in encoded.units[u].words)
        if touched and whole:
            ranges.append((touched[0], touched[-1]))
    return tuple(ranges)


def _unit_groups(
    words: Sequence[Word], encoded: EncodedSentence, spans: Sequence[PageSpan]
) -> tuple[tuple[int, int], ...]:
    """(first, last) unit ranges covering the words inside each page span (a quote with its marks, a name)."""
    unit_of_word = encoded.unit_of_word
    groups = []
    for start, end in spans:
        inside = [unit_of_word[i] for i, w in enumerate(words) if w.end > start and w.start < end and i in unit_of_word]
        if len(inside) > 1:
            groups.append((min(inside), max(inside)))
    return tuple(groups)


def _speaker_units_needed(words, encoded: EncodedSentence, kept: list[int], quotes: Sequence[Quote]) -> frozenset[int]:
    """Units of the speaker and cue of any quote whose words were kept while its speaker was dropped."""
    kept_set = set(kept)
    unit_of_word = encoded.unit_of_word
    forced: set[int] = set()
    for quote in quotes:
        quoted = {i for i, w in enumerate(words) if quote.start <= w.start and w.end <= quote.end}
        if not quoted & kept_set or quote.speaker_mention_span is None:
            continue
        attribution = [quote.speaker_mention_span] + ([quote.cue_span] if quote.cue_span else [])
        needed = {i for i, w in enumerate(words) for s, e in attribution if s <= w.start and w.end <= e}
        if needed and not needed <= kept_set:
            forced.update(unit_of_word[w] for w in needed if w in unit_of_word)
    return frozenset(forced)


def prompt_for(model_type: str) -> str:
    """The task prefix for a model family, from prompts/; a family without a file gets none, said aloud."""
    for name in (f"{model_type}.txt", "default.txt"):
        path = PROMPTS_DIR / name
        if path.exists():
            return path.read_text(encoding="utf-8").rstrip("\n")
    logger.warning("no task prefix for model family %r in %s: the model reads bare sentences", model_type, PROMPTS_DIR)
    return ""


def load_compressor(settings: Settings) -> Seq2SeqCompressor:
    source = settings.summary_model
    local = Path(source)
    if (local.is_absolute() or source.startswith(".")) and not local.is_dir():
        raise ModelLoadError(f"summary model directory {source!r} does not exist")
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForSeq2SeqLM.from_pretrained(source, dtype=torch.float32)
    except Exception as exc:  # a corrupt or partial checkpoint must stop start-up, naming it
        raise ModelLoadError(f"summary model {source!r} could not be loaded: {exc}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ModelLoadError(f"summary model {source!r}: its tokenizer reports no offsets (needs a fast tokenizer)")
    torch.set_num_threads(settings.torch_threads)
    card = _summariser_config(local)
    return Seq2SeqCompressor(
        tokenizer=tokenizer,
        model=model.to(settings.device),
        name=card.get("name", local.name if local.is_dir() else source),
        version=card.get("version", "unversioned"),
        # A checkpoint trained here records the prefix it was trained with; others use their family's.
        prompt=card["prompt"] if "prompt" in card else prompt_for(model.config.model_type),
        expected_ratio=float(card.get("expected_ratio", 0.7)),
        num_beams=settings.num_beams,
        keep_bias=settings.keep_bias,
        salience_weight=settings.salience_weight,
    )


def _summariser_config(model_dir: Path) -> dict:
    path = model_dir / SUMMARISER_CONFIG
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelLoadError(f"{path} is not valid JSON: {exc}") from exc
