"""Command line: `python -m service summarize FILE|- [--json]`, `python -m service serve`, and
`python -m service batch INPUT --out OUT.jsonl` (service.batch).

Exit codes (summarize): 0 ok, 1 unexpected error, 2 unreadable input, 3 no article found, 4 a model failed to load.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.console import Console

from service import batch

if TYPE_CHECKING:
    from service.response import ArticleOut, QuoteOut, SummarizeResponse

EXIT_UNREADABLE = 2
EXIT_NO_ARTICLE = 3
EXIT_MODEL = 4


def _read_input(source: str) -> tuple[str, str]:
    """The page text and its content type (HTML by file suffix; otherwise the pipeline sniffs it)."""
    if source == "-":
        return sys.stdin.read(), "text/plain"
    path = Path(source)
    content_type = "text/html" if path.suffix.lower() in {".html", ".htm"} else "text/plain"
    return path.read_text(encoding="utf-8"), content_type


def format_quote(quote: QuoteOut) -> str:
    """'“…” — Sergey Lavrov (he said; via Tass) [direct, 0.85]': the mention next to the quote is shown
    with its cue when the speaker's name resolves it."""
    mention = quote.speaker_mention if quote.speaker_mention not in (None, quote.speaker) else None
    cue = " ".join(w for w in (mention, quote.cue) if w)
    details = [cue] if cue else []
    if quote.source_agency:
        details.append(f"via {quote.source_agency}")
    attribution = f" ({'; '.join(details)})" if details else ""
    return f"“{quote.text}” — {quote.speaker or 'unattributed'}{attribution} [{quote.kind}, {quote.confidence:.2f}]"


def format_article(article: ArticleOut, number: int) -> list[str]:
    lines = [f"# {number}. {article.headline or '(no headline)'}"]
    if article.dateline:
        lines.append(f"Dateline: {article.dateline}")
    length = article.summary_length
    sections = [
        ("Publisher bullets", article.bullets),
        (f"Summary ({length.publisher}'s length)" if length and length.publisher else "Summary", article.summary),
        ("Quotes", [format_quote(q) for q in article.quotes]),
    ]
    for title, items in sections:
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  - {item}" for item in items)
    if article.truncated:
        lines.append(f"(long article: only the first {article.paragraphs_analysed} paragraphs were analysed)")
    return lines


def format_document(document: SummarizeResponse) -> str:
    lines: list[str] = []
    for number, article in enumerate(document.articles, 1):
        lines.extend(format_article(article, number))
        lines.append("")
    model = document.model
    lines.append(f"[{model.generator}: {model.name} {model.version}; {document.timings_ms.get('total', 0):.0f} ms]")
    return "\n".join(lines)


def summarize_command(args: argparse.Namespace, out: TextIO) -> int:
    try:
        text, content_type = _read_input(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    # Imported only now, so that `--help` and input errors answer without loading torch and spaCy.
    from service.nlp import ModelLoadError
    from service.pipeline import NoArticleError, Pipeline
    from service.response import to_response
    from service.settings import get_settings

    # Progress on stderr (a spinner on a terminal), so stdout stays the document alone.
    stderr = Console(stderr=True)
    try:
        with stderr.status("loading models…"):
            pipeline = Pipeline.from_settings(get_settings())
        with stderr.status(f"analysing {len(text):,} characters…"):
            result = pipeline.run(text, content_type)
    except ModelLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_MODEL
    except NoArticleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_ARTICLE
    document = to_response(result)
    out.write(document.model_dump_json(indent=2) if args.json else format_document(document))
    out.write("\n")
    return 0


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from service.settings import get_settings

    settings = get_settings()
    workers = args.workers or settings.workers
    # log_config=None: the app configures JSON logging itself, in every worker process.
    uvicorn.run(
        "service.api:app",
        host=args.host,
        port=settings.port if args.port is None else args.port,
        workers=workers,
        log_config=None,
        timeout_graceful_shutdown=30,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    summarize = commands.add_parser("summarize", help="analyse one page (a file, or - for stdin)")
    summarize.add_argument("file", help="page file (.html/.htm read as HTML), or - for stdin")
    summarize.add_argument("--json", action="store_true", help="print the API's JSON document")
    serve = commands.add_parser("serve", help="run the HTTP API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: NEWSATTRIB_PORT or 8000")
    serve.add_argument("--workers", type=int, default=None, help="default: NEWSATTRIB_WORKERS or 1")
    batch.add_arguments(commands.add_parser("batch", help="analyse a corpus: JSON lines or a folder -> JSON lines"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "summarize":
        return summarize_command(args, sys.stdout)
    if args.command == "batch":
        return batch.batch_command(args)
    return serve_command(args)
