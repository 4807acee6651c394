"""python -m eval {summarization,attribution,speed} ...  (each writes a JSON report)."""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "summarization": "eval.summarization",
    "attribution": "eval.attribution",
    "speed": "eval.speed",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        module.add_arguments(sub.add_parser(name, help=module.__doc__.splitlines()[0]))
        modules[name] = module
    args = parser.parse_args(argv)
    return modules[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
