"""Turn deletion examples into model inputs and decoder targets, with the units decoding will use."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from tqdm import tqdm

from service.copy_constraint import encode_sentence, target_pieces


def encode_examples(examples: Iterable[dict], tokenizer, prompt: str, max_tokens: int) -> Iterator[dict]:
    """One record per usable example: input_ids, labels, and the unit pieces (for constrained eval)."""
    for example in examples:
        words = [tuple(span) for span in example["words"]]
        encoded = encode_sentence(tokenizer, prompt, example["text"], words, max_tokens)
        covered = {w for unit in encoded.units for w in unit.words}
        if len(covered) < len(words):
            continue  # cut by max_tokens: the target could name words the input lacks
        kept = set(example["keep"])
        yield {
            "input_ids": encoded.input_ids,
            "labels": target_pieces(encoded.units, kept, tokenizer.eos_token_id),
            "units": [list(unit.pieces) for unit in encoded.units],
            "origin": example.get("origin", "unknown"),
        }


def encode_file(examples_path: Path, out_path: Path, tokenizer, prompt: str, max_tokens: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    with examples_path.open(encoding="utf-8") as lines, gzip.open(out_path, "wt", encoding="utf-8") as out:
        examples = (json.loads(line) for line in lines)
        for record in encode_examples(tqdm(examples, desc="encode", unit="ex"), tokenizer, prompt, max_tokens):
            out.write(json.dumps(record) + "\n")
            counts[record["origin"]] = counts.get(record["origin"], 0) + 1
    return counts
