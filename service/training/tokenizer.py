"""Fit the compressor's sentencepiece vocabulary on the training sources and wrap it as a T5 tokenizer."""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sentencepiece as spm
from transformers import T5Tokenizer

from service.training.sources import training_paragraphs


def fit_tokenizer(data_dir: Path, out_dir: Path, vocab_size: int, max_sentences: int, seed: int) -> T5Tokenizer:
    paragraphs = list(_sample(training_paragraphs(data_dir), max_sentences, seed))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("\n".join(paragraphs), encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_prefix=str(Path(tmp) / "spiece"),
            vocab_size=vocab_size,
            model_type="unigram",
            character_coverage=0.9999,
            # T5's ids: pad 0, eos 1, unk 2; no bos.
            pad_id=0,
            eos_id=1,
            unk_id=2,
            bos_id=-1,
            # Identity: pieces keep the source's characters, so offsets map straight back.
            normalization_rule_name="identity",
            num_threads=2,
            minloglevel=2,
        )
        processor = spm.SentencePieceProcessor(model_file=str(Path(tmp) / "spiece.model"))
    vocab = [(processor.id_to_piece(i), processor.get_score(i)) for i in range(processor.get_piece_size())]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0)
    tokenizer.save_pretrained(out_dir)
    (out_dir / "tokenizer_fit.json").write_text(
        json.dumps({"vocab_size": vocab_size, "paragraphs": len(paragraphs), "seed": seed}, indent=1)
    )
    return tokenizer


def _sample(paragraphs: Iterator[str], limit: int, seed: int) -> list[str]:
    items = [p for p in paragraphs if p.strip()]
    random.Random(seed).shuffle(items)
    return items[:limit]
