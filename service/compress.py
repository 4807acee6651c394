"""Sentence compression by a seq2seq model whose decoding is constrained to delete words only.

Any Hugging Face encoder-decoder checkpoint loads (our own T5 by default; FLAN-T5, BART, PEGASUS via
SUMMARY_MODEL). Its task prefix comes from prompts/<model_type>.txt. Every word of the output is a word
of the source sentence, so names and numbers cannot be invented, and the text is rebuilt from the
source's own characters.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

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
from service.select import SelectedSentence, Word
from service.settings import PROMPTS_DIR, Settings

MAX_INPUT_TOKENS = 192
# Pieces drafted per forward pass in greedy decoding: longer than most runs of kept words.
DRAFT_LENGTH = 24
# Written by the training code beside the weights: what the summariser needs to know of the model.
SUMMARISER_CONFIG = "summariser.json"

PageSpan = tuple[int, int]


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


class Seq2SeqCompressor(Compressor):
    def __init__(
        self, tokenizer, model, name: str, version: str, prompt: str, expected_ratio: float, num_beams: int,
        keep_bias: float = 0.0,
    ):
        self.tokenizer = tokenizer
        self.keep_bias = keep_bias
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

    def compress(self, sentences, quotes):
        if not sentences:
            return []
        jobs = [self._job(sentence, quotes, frozenset()) for sentence in sentences]
        outputs = self._generate(jobs)
        # A quote kept without its speaker loses its meaning: decode again with speaker and cue forced.
        retry = {}
        for i, (sentence, job, kept) in enumerate(zip(sentences, jobs, outputs)):
            forced = _speaker_units_needed(sentence.words, job.encoded, kept, quotes)
            if forced:
                retry[i] = self._job(sentence, quotes, forced)
        if retry:
            for i, kept in zip(retry, self._generate(list(retry.values()))):
                outputs[i] = kept
        spans = []
        for sentence, kept, job in zip(sentences, outputs, jobs):
            words = sentence.words
            spans.append(tuple((words[w].start, words[w].end) for w in _with_heads(sentence, kept, job.groups_by_word)))
        return spans

    def _job(self, sentence: SelectedSentence, quotes: Sequence[Quote], forced: frozenset[int]) -> _Job:
        text, spans = _sentence_text(sentence.words)
        encoded = encode_sentence(self.tokenizer, self.prompt, text, spans, MAX_INPUT_TOKENS)
        whole = list(sentence.entities) + [(q.start - 1, q.end + 1) for q in quotes if q.kind != "indirect"]
        groups = _unit_groups(sentence.words, encoded, whole)
        by_word = tuple(
            frozenset(w for u in range(first, last + 1) for w in encoded.units[u].words) for first, last in groups
        )
        return _Job(encoded, forced, groups, by_word)

    @torch.inference_mode()
    def _generate(self, jobs: list[_Job]) -> list[list[int]]:
        """Kept word indices for each job."""
        eos = self.tokenizer.eos_token_id
        automata = [CopyAutomaton(job.encoded.units, eos, job.forced_units, job.groups) for job in jobs]
        if self.num_beams == 1:
            rows = [self._greedy(job, automaton) for job, automaton in zip(jobs, automata)]
        else:
            rows = self._beam_search(jobs, automata)
        kept = []
        for automaton, job, row in zip(automata, jobs, rows):
            # After the decoder start token; stops at end-of-sequence. An output cut off mid-word reads as
            # nothing: the sentence is then kept whole rather than dropped.
            units = automaton.kept_units(row[1:]) or range(len(job.encoded.units))
            kept.append(sorted(w for u in units for w in job.encoded.units[u].words))
        return kept

    def _greedy(self, job: _Job, automaton: CopyAutomaton) -> list[int]:
        """One sentence, greedy, drafting copied runs: a run of kept words costs one forward pass."""
        self._local.automaton = automaton
        with self._only_source_pieces([job]):
            generated = self.model.generate(
                input_ids=torch.tensor([job.encoded.input_ids]),
                max_new_tokens=_piece_count(job) + 1,
                logits_processor=LogitsProcessorList([CopyConstraintProcessor([automaton], 1, self.keep_bias)]),
                do_sample=False,
                num_beams=1,
                prompt_lookup_num_tokens=DRAFT_LENGTH,  # selects assisted decoding; the drafts are ours
            )
        return generated[0].tolist()

    def _beam_search(self, jobs: list[_Job], automata: list[CopyAutomaton]) -> list[list[int]]:
        batch = self.tokenizer.pad({"input_ids": [job.encoded.input_ids for job in jobs]}, return_tensors="pt")
        with self._only_source_pieces(jobs):
            generated = self.model.generate(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                num_beams=self.num_beams,
                max_new_tokens=max(_piece_count(job) for job in jobs) + 1,
                logits_processor=LogitsProcessorList([CopyConstraintProcessor(automata, self.num_beams, self.keep_bias)]),
                do_sample=False,
            )
        return generated.tolist()

    def _only_source_pieces(self, jobs: Sequence[_Job]):
        if self.head is None:
            return nullcontext()
        pieces = {p for job in jobs for u in job.encoded.units for p in u.pieces}
        return self.head.restricted_to(sorted(pieces | {self.tokenizer.eos_token_id}))

    def _source_copy_candidates(self, *args, **kwargs) -> SourceCopyCandidates:
        return SourceCopyCandidates(self._local.automaton, DRAFT_LENGTH)


def _piece_count(job: _Job) -> int:
    return sum(len(u.pieces) for u in job.encoded.units)


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


def _unit_groups(words: Sequence[Word], encoded: EncodedSentence, spans: Sequence[PageSpan]) -> tuple[tuple[int, int], ...]:
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
        if not quoted & kept_set or quote.speaker_span is None:
            continue
        attribution = [quote.speaker_span] + ([quote.cue_span] if quote.cue_span else [])
        needed = {i for i, w in enumerate(words) for s, e in attribution if s <= w.start and w.end <= e}
        if needed and not needed <= kept_set:
            forced.update(unit_of_word[w] for w in needed if w in unit_of_word)
    return frozenset(forced)


def prompt_for(model_type: str) -> str:
    """The task prefix for a model family, from prompts/; families without a file get none."""
    for name in (f"{model_type}.txt", "default.txt"):
        path = PROMPTS_DIR / name
        if path.exists():
            return path.read_text(encoding="utf-8").rstrip("\n")
    return ""


def load_compressor(settings: Settings) -> Seq2SeqCompressor:
    source = settings.summary_model
    local = Path(source)
    if local.is_absolute() or source.startswith("."):
        if not local.is_dir():
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
        prompt=prompt_for(model.config.model_type),
        expected_ratio=float(card.get("expected_ratio", 0.7)),
        num_beams=settings.num_beams,
        keep_bias=settings.keep_bias,
    )


def _summariser_config(model_dir: Path) -> dict:
    path = model_dir / SUMMARISER_CONFIG
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelLoadError(f"{path} is not valid JSON: {exc}") from exc
