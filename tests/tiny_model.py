"""A tiny T5 + sentencepiece checkpoint built by the tests themselves (no hub, no committed weights)."""

from __future__ import annotations

from pathlib import Path

import sentencepiece as spm
import torch
from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer

CORPUS = [
    "Russian Foreign Minister Sergey Lavrov spoke Saturday at North Korea's eastern Wonsan city.",
    "\u201cWe warn against exploiting these ties,\u201d he said, according to Tass.",
    "Mali and Burkina Faso have announced travel restrictions on American nationals.",
    "The White House said it was banning foreigners who intend to threaten Americans.",
    "Officials said on Monday that the bridge would reopen next week after repairs.",
    "NASA chief scientist Ellen Stofan said we are close to finding evidence of alien life.",
]


def build_tiny_checkpoint(out_dir: Path, seed: int = 0) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "corpus.txt"
    corpus.write_text("\n".join(CORPUS * 20), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(out_dir / "sp"),
        vocab_size=100,
        model_type="unigram",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        normalization_rule_name="identity",
        minloglevel=2,
        character_coverage=1.0,
        num_threads=1,
    )
    processor = spm.SentencePieceProcessor(model_file=str(out_dir / "sp.model"))
    vocab = [(processor.id_to_piece(i), processor.get_score(i)) for i in range(processor.get_piece_size())]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0)
    torch.manual_seed(seed)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=16,
        d_ff=32,
        d_kv=8,
        num_heads=2,
        num_layers=1,
        num_decoder_layers=1,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    model_dir = out_dir / "checkpoint"
    T5ForConditionalGeneration(config).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    return model_dir
