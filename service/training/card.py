"""MODEL_CARD.md for a compressor checkpoint: what it was trained on, how, its hash and its scores."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_model_card(model_dir: Path, eval_report: Path | None) -> Path:
    summary = json.loads((model_dir / "summariser.json").read_text(encoding="utf-8"))
    training = summary["training"]
    weights = model_dir / "model.safetensors"
    lines = [
        f"# {summary.get('name', model_dir.name)} {summary.get('version', '')}".rstrip(),
        "",
        f"A T5 encoder-decoder trained {_origin(summary)} by this project (`python -m service.training`) to compress",
        "one news sentence into a bullet by deleting words. Decoding is constrained to a subsequence of the",
        "source's words (service/copy_constraint.py), so it cannot invent names, numbers or words; at run time",
        "it may drop only whole modifier phrases of the spaCy parse, and its scores are shifted by two priors",
        "(keep_bias, salience_weight: see the settings under the scores).",
        "",
        "## Data",
        "Deletion examples built by `python -m service.training examples` (service/training/data.py): BBC News",
        "Summary headlines, PolNeAR train titles, XSum intros, the CNN highlights of cnndm_val `train` and",
        "Google's sentence compressions, each aligned to the source sentence it restates, plus syntactic",
        "deletions from spaCy parses. The development set (FRANK CNN/DM) and cnndm_val `tune` are never read",
        "by the training code.",
        *_data_lines(training.get("data")),
        "",
        "## Training",
        f"- parameters: {training['parameters']:,}; device: {training['device']}; minutes: {training['minutes']}",
        f"- steps: {training['steps']}; epochs: {training['epochs']}; train/val examples: "
        f"{training['train_examples']}/{training['val_examples']}",
        f"- held-out: loss {training['val_loss']}, keep-set F1 {training['val_keep_f1']}, "
        f"exact {training['val_exact']}, kept ratio {training['predicted_ratio']} (targets {training['target_ratio']})",
        "",
        "## Config",
        "```json",
        json.dumps(summary.get("config", {}), indent=1),
        "```",
        "",
        "## Files",
        f"- model.safetensors sha256 `{sha256(weights)}` ({weights.stat().st_size / 1e6:.1f} MB, fp16, loaded as fp32)",
    ]
    if eval_report is not None:
        report = json.loads(eval_report.read_text(encoding="utf-8"))
        lines += ["", "## Development-set scores (`python -m eval summarization`)", *_score_lines(report)]
    path = model_dir / "MODEL_CARD.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _origin(summary: dict) -> str:
    init = summary.get("init")
    return f"further from checkpoint {init}" if init else "from scratch"


def _data_lines(data: dict | None) -> list[str]:
    if not data:
        return []
    counts = ", ".join(f"{origin} {n}" for origin, n in data["counts"].items())
    built = f" Built with `{data['examples_command']}`;" if "examples_command" in data else ""
    hardware = data.get("hardware") or data.get("gpu")
    return ["", f"Examples: {counts}.{built} trained with `{data['train_command']}` on {hardware}."]


def _score_lines(report: dict) -> list[str]:
    rows = ["| system | ROUGE-1 | ROUGE-2 | ROUGE-Lsum |", "| --- | --- | --- | --- |"]
    named = {"this model": report["system"], **report.get("baselines", {})}
    named.update({f"ablation: {name}": block for name, block in report.get("ablation", {}).items()})
    for name, scores in named.items():
        rows.append(
            f"| {name} | " + " | ".join(f"{scores[m]['f']:.2f}" for m in ("rouge1", "rouge2", "rougeLsum")) + " |"
        )
    decoding = {k: v for k, v in (report.get("settings") or {}).items() if k != "summary_model"}
    rows.append(f"\nn = {report['n']}; faithfulness {report.get('faithfulness')}; settings {json.dumps(decoding)}")
    return rows
