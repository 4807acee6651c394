"""python -m service.training {examples,tokenizer,encode,train,card,all}: build the default compressor.

`all` runs every step on this machine (CPU path; --tiny for tests). On a GPU machine, run `train` on the
encoded examples that `examples`, `tokenizer` and `encode` produced here (the GPU machine needs no spaCy).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tomllib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

CONFIG_PATH = Path(__file__).with_name("compressor.toml")
MODEL_NAME = "newsattrib-compressor-t5"


def load_config(tiny: bool, overrides: Sequence[str] = ()) -> dict:
    """compressor.toml, with the [tiny] values applied for --tiny and --set section.key=value on top."""
    config = tomllib.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    if tiny:
        for key, value in config["tiny"].items():
            for section in ("tokenizer", "model", "train"):
                if key in config[section]:
                    config[section][key] = value
    for override in overrides:
        dotted, _, raw = override.partition("=")
        section, _, key = dotted.partition(".")
        if section not in config or key not in config[section]:
            raise SystemExit(f"--set {override!r}: no setting {dotted!r} in {CONFIG_PATH.name}")
        config[section][key] = tomllib.loads(f"value = {raw}")["value"]
    return config


def cmd_examples(args) -> int:
    from service.training.data import main as build

    build(
        ["--data", str(args.data), "--out", str(args.out), "--seed", str(args.seed)]
        + (["--limit", str(args.limit)] if args.limit else [])
        + [a for a in args.data_args if a != "--"]
    )
    return 0


def cmd_tokenizer(args) -> int:
    from service.training.tokenizer import fit_tokenizer

    config = load_config(args.tiny)
    fit_tokenizer(
        args.data, args.out, config["tokenizer"]["vocab_size"], config["tokenizer"]["max_sentences"], config["seed"]
    )
    return 0


def training_prompt() -> str:
    """The task prefix the compressor is trained with; saved beside its weights, so it travels with them."""
    from service.compress import prompt_for

    return prompt_for("t5")


def cmd_encode(args) -> int:
    from transformers import AutoTokenizer

    from service.training.encode import encode_file

    config = load_config(args.tiny)
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    counts = encode_file(args.examples, args.out, tokenizer, training_prompt(), config["train"]["max_input_tokens"])
    print(json.dumps({"encoded": counts}))
    return 0


def cmd_train(args) -> int:
    from transformers import AutoTokenizer

    from service.training.train import build_model, load_encoded, load_for_training, save_checkpoint, train

    config = load_config(args.tiny, args.set)
    records = load_encoded(args.encoded)
    extra = {"name": MODEL_NAME, "config": config, "prompt": training_prompt()}
    if args.init:
        # Fine-tuning: the checkpoint brings its own shape and vocabulary ([model] and --tokenizer unused).
        tokenizer = AutoTokenizer.from_pretrained(args.init)
        model = load_for_training(args.init)
        extra["init"] = json.loads((args.init / "summariser.json").read_text(encoding="utf-8")).get("version")
    else:
        tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
        model = build_model(config["model"], len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id)
    result = train(records, model, config["train"], config["seed"], args.device)
    print(json.dumps(result.__dict__), flush=True)
    extra["data"] = {
        "counts": dict(Counter(r["origin"] for r in records)),
        "train_command": f"python -m service.training {args.command_line}",
        "hardware": hardware(args.device),
    }
    save_checkpoint(model, args.out, result, extra)
    tokenizer.save_pretrained(args.out)
    return 0


def hardware(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU, {torch.get_num_threads()} threads"


def cmd_card(args) -> int:
    from service.training.card import write_model_card

    write_model_card(args.model, args.eval_report)
    return 0


def cmd_all(args) -> int:
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    steps = [
        (
            cmd_examples,
            argparse.Namespace(data=args.data, out=work / "compression.jsonl", limit=args.limit, seed=13, data_args=[]),
        ),
        (cmd_tokenizer, argparse.Namespace(data=args.data, out=work / "tokenizer", tiny=args.tiny)),
        (
            cmd_encode,
            argparse.Namespace(
                examples=work / "compression.jsonl",
                tokenizer=work / "tokenizer",
                out=work / "encoded.jsonl.gz",
                tiny=args.tiny,
            ),
        ),
        (
            cmd_train,
            argparse.Namespace(
                encoded=work / "encoded.jsonl.gz",
                tokenizer=work / "tokenizer",
                out=args.out,
                device=args.device,
                tiny=args.tiny,
                set=[],
                init=None,
                command_line=args.command_line,
            ),
        ),
        (cmd_card, argparse.Namespace(model=args.out, eval_report=None)),
    ]
    for step, step_args in steps:
        if step(step_args):
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.training", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("examples", help="deletion examples from ../shared/data (never the dev set)")
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--out", type=Path, default=Path("runs/compression.jsonl"))
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument(
        "data_args",
        nargs=argparse.REMAINDER,
        help="further options of python -m service.training.data (e.g. --pool-sentences 14)",
    )
    p.set_defaults(func=cmd_examples)

    p = sub.add_parser("tokenizer", help="fit the sentencepiece vocabulary")
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--out", type=Path, default=Path("runs/tokenizer"))
    p.add_argument("--tiny", action="store_true")
    p.set_defaults(func=cmd_tokenizer)

    p = sub.add_parser("encode", help="examples -> token ids and targets")
    p.add_argument("--examples", type=Path, default=Path("runs/compression.jsonl"))
    p.add_argument("--tokenizer", type=Path, default=Path("runs/tokenizer"))
    p.add_argument("--out", type=Path, default=Path("runs/encoded.jsonl.gz"))
    p.add_argument("--tiny", action="store_true")
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("train", help="train the T5 compressor and write a checkpoint")
    p.add_argument("--encoded", type=Path, default=Path("runs/encoded.jsonl.gz"))
    p.add_argument("--tokenizer", type=Path, default=Path("runs/tokenizer"))
    p.add_argument("--out", type=Path, default=Path("service/models/compressor"))
    p.add_argument("--device", default="cpu")
    p.add_argument("--tiny", action="store_true")
    p.add_argument(
        "--init",
        type=Path,
        default=None,
        metavar="MODEL_DIR",
        help="fine-tune this checkpoint (weights and tokenizer; encode with its tokenizer) instead of a new model",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a compressor.toml value, e.g. --set train.max_minutes=3",
    )
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("card", help="write MODEL_CARD.md (hashes, config, scores) for a checkpoint")
    p.add_argument("--model", type=Path, default=Path("service/models/compressor"))
    p.add_argument("--eval-report", type=Path, default=None, help="python -m eval summarization JSON")
    p.set_defaults(func=cmd_card)

    p = sub.add_parser("all", help="every step on this machine")
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--work", type=Path, default=Path("runs"))
    p.add_argument("--out", type=Path, default=Path("service/models/compressor"))
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--device", default="cpu")
    p.add_argument("--tiny", action="store_true")
    p.set_defaults(func=cmd_all)

    args = parser.parse_args(argv)
    args.command_line = shlex.join(argv if argv is not None else sys.argv[1:])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
