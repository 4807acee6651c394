"""python -m eval {summarization,knobs,attribution,speed,batch-speed} ...  (each writes a JSON report)."""

from __future__ import annotations

import argparse
import importlib
import sys

# command -> (module, one-line help). Only the module of the command asked for is imported.
COMMANDS = {
    "summarization": ("eval.summarization", "summaries vs the publisher's bullets, with baselines"),
    "knobs": ("eval.knobs", "the summariser's knobs tried one at a time on one split (choose them on tune)"),
    "attribution": ("eval.attribution", "quotes and speakers vs PolNeAR gold spans"),
    "speed": ("eval.speed", "latency per pipeline stage, with a BART-large-shaped reference"),
    "batch-speed": ("eval.batch_speed", "batch throughput of the loop, pool and Ray engines, outputs compared"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    chosen = argv[0] if argv and argv[0] in COMMANDS else None
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name == chosen:
            importlib.import_module(module_name).add_arguments(command)
    args = parser.parse_args(argv)
    return importlib.import_module(COMMANDS[args.command][0]).run(args)


if __name__ == "__main__":
    sys.exit(main())
