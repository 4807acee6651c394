"""Train the T5 compressor on encoded examples; runs on a GPU or the CPU.

Needs only torch, transformers and the project's copy constraint (no spaCy), so the encoded examples
can be trained on a machine that has nothing else. Writes a loadable checkpoint directory.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import torch
from transformers import LogitsProcessorList, T5Config, T5ForConditionalGeneration

from service.copy_constraint import CopyAutomaton, CopyConstraintProcessor, Unit
from service.training.card import sha256


@dataclass
class TrainResult:
    steps: int
    epochs: float
    minutes: float
    device: str
    train_examples: int
    val_examples: int
    val_loss: float
    val_keep_f1: float
    val_exact: float
    target_ratio: float
    predicted_ratio: float
    parameters: int


def load_encoded(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def build_model(model_config: dict, vocab_size: int, pad_id: int, eos_id: int) -> T5ForConditionalGeneration:
    config = T5Config(
        vocab_size=vocab_size,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        **model_config,
    )
    # T5 starts decoding from the pad id (set after construction: the config's typed signature omits it).
    config.decoder_start_token_id = pad_id
    return T5ForConditionalGeneration(config)


def load_for_training(model_dir: Path) -> T5ForConditionalGeneration:
    """A saved checkpoint in fp32 (they are stored as fp16), ready to train further."""
    model = T5ForConditionalGeneration.from_pretrained(model_dir, dtype=torch.float32)
    if model.config.pad_token_id is None:
        raise ValueError(f"{model_dir}: the checkpoint's config has no pad_token_id")
    return model


def train(
    records: list[dict],
    model: T5ForConditionalGeneration,
    settings: dict,
    seed: int,
    device: str,
) -> TrainResult:
    random.seed(seed)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    rng.shuffle(records)
    n_val = max(1, int(len(records) * settings["val_fraction"]))
    val, train_set = records[:n_val], records[n_val:]
    model.to(device)  # type: ignore[arg-type]  # transformers types `to` through a decorator that expects the model
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings["learning_rate"], weight_decay=settings["weight_decay"]
    )
    batches_per_epoch = math.ceil(len(train_set) / settings["batch_size"])
    total_steps = batches_per_epoch * settings["max_epochs"]
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_then_cosine(settings["warmup_steps"], total_steps))
    pad = model.config.pad_token_id
    if pad is None:
        raise ValueError("the model's config has no pad_token_id")
    use_bf16 = device.startswith("cuda")
    started = time.perf_counter()
    deadline = started + settings["max_minutes"] * 60
    step = 0
    epoch = 0.0
    for epoch_index in range(settings["max_epochs"]):
        model.train()
        for batch_index, batch in enumerate(_batches(train_set, settings["batch_size"], rng, pad, device)):  # noqa: B007 (read after the loop)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=use_bf16):
                loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if step % 200 == 0:
                print(
                    f"step {step} epoch {epoch_index} loss {loss.item():.4f} {time.perf_counter() - started:.0f}s",
                    flush=True,
                )
            if time.perf_counter() > deadline:
                break
        epoch = epoch_index + (batch_index + 1) / batches_per_epoch
        if time.perf_counter() > deadline:
            break
    minutes = (time.perf_counter() - started) / 60
    val_loss = _validation_loss(model, val, pad, device)
    f1, exact, target_ratio, predicted_ratio = _constrained_scores(model, val[:400], device)
    return TrainResult(
        steps=step,
        epochs=round(epoch, 2),
        minutes=round(minutes, 2),
        device=device,
        train_examples=len(train_set),
        val_examples=len(val),
        val_loss=round(val_loss, 4),
        val_keep_f1=round(f1, 4),
        val_exact=round(exact, 4),
        target_ratio=round(target_ratio, 4),
        predicted_ratio=round(predicted_ratio, 4),
        parameters=sum(p.numel() for p in model.parameters()),
    )


def _warmup_then_cosine(warmup: int, total: int):
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def _batches(records: list[dict], size: int, rng: random.Random, pad: int, device: str):
    """Length-bucketed batches in random order (less padding, same randomness per seed)."""
    order = sorted(range(len(records)), key=lambda i: (len(records[i]["input_ids"]), rng.random()))
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    for chunk in chunks:
        yield _collate([records[i] for i in chunk], pad, device)


def _collate(batch: list[dict], pad: int, device: str) -> dict[str, torch.Tensor]:
    def padded(key: str, fill: int) -> torch.Tensor:
        longest = max(len(r[key]) for r in batch)
        return torch.tensor([r[key] + [fill] * (longest - len(r[key])) for r in batch], device=device)

    input_ids = padded("input_ids", pad)
    return {"input_ids": input_ids, "attention_mask": (input_ids != pad).long(), "labels": padded("labels", -100)}


@torch.no_grad()
def _validation_loss(model, val: list[dict], pad: int, device: str) -> float:
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(val), 64):
        batch = _collate(val[i : i + 64], pad, device)
        total += model(**batch).loss.item() * len(val[i : i + 64])
        count += len(val[i : i + 64])
    return total / max(count, 1)


@torch.no_grad()
def _constrained_scores(model, val: list[dict], device: str) -> tuple[float, float, float, float]:
    """Keep-set F1 and exact match of constrained greedy decoding against the targets."""
    model.eval()
    eos = model.config.eos_token_id
    f1s, exact, target_ratio, predicted_ratio = [], 0, [], []
    for record in val:
        units = tuple(Unit(tuple(pieces), (i,)) for i, pieces in enumerate(record["units"]))
        automaton = CopyAutomaton(units, eos)
        output = model.generate(
            input_ids=torch.tensor([record["input_ids"]], device=device),
            max_new_tokens=sum(len(u.pieces) for u in units) + 1,
            num_beams=1,
            do_sample=False,
            logits_processor=LogitsProcessorList([CopyConstraintProcessor([automaton], num_beams=1)]),
        )[0].tolist()
        predicted = set(automaton.kept_units(output[1:]))
        gold = set(automaton.kept_units(record["labels"]))
        overlap = len(predicted & gold)
        f1s.append(2 * overlap / (len(predicted) + len(gold)) if predicted or gold else 1.0)
        exact += predicted == gold
        target_ratio.append(len(gold) / max(len(units), 1))
        predicted_ratio.append(len(predicted) / max(len(units), 1))
    n = max(len(val), 1)
    return sum(f1s) / n, exact / n, sum(target_ratio) / n, sum(predicted_ratio) / n


def save_checkpoint(model: T5ForConditionalGeneration, out_dir: Path, result: TrainResult, extra: dict) -> None:
    """Weights as fp16 safetensors (half the size; loaded back as fp32) plus what the summariser reads."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.to("cpu").half().save_pretrained(out_dir, safe_serialization=True)  # type: ignore[arg-type]  # as above
    version = f"{date.today().isoformat()}-{sha256(out_dir / 'model.safetensors')[:8]}"
    summary = {"expected_ratio": result.predicted_ratio, "training": result.__dict__, **extra, "version": version}
    (out_dir / "summariser.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
