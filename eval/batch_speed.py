"""Batch throughput of each engine (one-process loop, local process pool, Ray Data) on the same articles,
in one run, and whether their outputs are identical.

python -m eval batch-speed --out OUT.json [--limit 200] [--workers 2] [--engines loop,pool,ray]

The articles: FRANK CNN/DM (frank/cnndm.jsonl, 125) first, then PolNeAR dev texts (polnear/dev/text, by
file name) up to --limit. Each engine's time is wall-clock from the call to the last row written, model
loading and worker start-up included, as a user running `python -m service batch` would see it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from eval.data import fail
from service.batch import ENGINES, run_batch
from service.settings import get_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FRANK = DATA / "frank" / "cnndm.jsonl"
POLNEAR_DEV = DATA / "polnear" / "dev" / "text"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="report path (.json)")
    parser.add_argument("--limit", type=int, default=200, help="articles (default 200)")
    parser.add_argument(
        "--workers", type=int, default=2, help="pool processes / Ray actors (the loop is one process, one torch thread)"
    )
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, from {', '.join(ENGINES)}")


def dev_articles(limit: int) -> list[dict[str, str]]:
    """FRANK CNN/DM articles, then PolNeAR dev texts, `limit` in all."""
    records = []
    with FRANK.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            records.append({"id": f"frank/{row['id']}", "text": row["article"]})
    for path in sorted(POLNEAR_DEV.glob("*.txt")):
        records.append({"id": f"polnear-dev/{path.name}", "text": path.read_text(encoding="utf-8")})
    return records[:limit]


def run(args: argparse.Namespace) -> int:
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    if unknown := set(engines) - set(ENGINES):
        return fail(f"unknown engines {sorted(unknown)}")
    if not FRANK.exists() or not POLNEAR_DEV.is_dir():
        return fail(f"{FRANK} or {POLNEAR_DEV} is missing")
    records = dev_articles(args.limit)
    settings = get_settings()
    report: dict = {
        "n": len(records),
        "data": {"frank_cnndm": sum(r["id"].startswith("frank/") for r in records), "polnear_dev": 0},
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "generator": settings.generator,
        "python": platform.python_version(),
        "engines": {},
    }
    report["data"]["polnear_dev"] = len(records) - report["data"]["frank_cnndm"]
    with tempfile.TemporaryDirectory(prefix="batch-speed-") as folder:
        source = Path(folder) / "records.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        outputs = {}
        for engine in engines:
            out = Path(folder) / f"{engine}.jsonl"
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            result = run_batch(source, out, settings, engine, args.workers, progress=sys.stderr.isatty())
            seconds = time.perf_counter() - started
            report["engines"][engine] = {
                "seconds": round(seconds, 1),
                "articles_per_s": round(len(records) / seconds, 3),
                "errors": result.failed_now,
                "load_avg_1m_before": round(load_before, 2),
            }
            print(f"{engine}: {len(records)} articles in {seconds:.1f} s", file=sys.stderr)
            outputs[engine] = sorted(out.read_text(encoding="utf-8").splitlines())
        first = next(iter(outputs.values()), [])
        report["identical_outputs"] = all(lines == first for lines in outputs.values())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("| engine | seconds | articles/s |\n|---|---|---|", file=sys.stderr)
    for engine, figures in report["engines"].items():
        print(f"| {engine} | {figures['seconds']} | {figures['articles_per_s']} |", file=sys.stderr)
    print(f"identical outputs: {report['identical_outputs']}; wrote {args.out}", file=sys.stderr)
    return 0 if report["identical_outputs"] else 1
