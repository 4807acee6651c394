"""The batch run's acceptance scenario: 1,000 records, 10 of them broken.

    python scripts/batch_scenario.py make DIR [--data FILE.jsonl]   writes DIR/records.jsonl
    python scripts/batch_scenario.py check OUT.jsonl [OTHER.jsonl]  counts rows; compares two outputs

`make` takes the first 990 articles of --data (default: ../shared/data/bbc_news_summary/articles.jsonl,
BBC articles, field `article`; --paragraphs N keeps each one's first N paragraphs) and adds 10 broken records: empty text, whitespace only, binary bytes, control characters,
a 2 MB text, a malformed JSON line, a JSON array, a record without id, one with neither text nor html,
and a page with no article in it. `check` expects 990 results and 10 error rows with distinct ids, and,
given a second output, the same lines once both are sorted by id (byte for byte).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc_news_summary" / "articles.jsonl"
GOOD = 990
BROKEN: list[bytes] = [
    json.dumps({"id": "broken-empty", "text": ""}).encode(),
    json.dumps({"id": "broken-whitespace", "text": " \n\t\n "}).encode(),
    # Raw bytes that are not UTF-8, as a line of a binary file would be.
    b'{"id": "broken-binary-bytes", "text": "\xff\xfe\x00\x89PNG\r\x1a"}',
    json.dumps({"id": "broken-binary-text", "text": "\x00\x01\x02\x03PK\x03\x04" * 100}).encode(),
    json.dumps({"id": "broken-2mb", "text": "The council met again. " * 91_000}).encode(),
    b'{"id": "broken-truncated", "text": "The line ends in the middle of',
    json.dumps(["broken-array", "a JSON array, not an object"]).encode(),
    json.dumps({"text": "A record without an id. The mayor said the bridge would open."}).encode(),
    json.dumps({"id": "broken-no-text", "url": "https://example.org/missing"}).encode(),
    json.dumps({"id": "broken-no-article", "text": "Home\nNews\nSport\nhttps://example.org/\nLog in"}).encode(),
]


def make(folder: Path, data: Path, paragraphs: int | None) -> int:
    articles = []
    with data.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            text = row["article"]
            if paragraphs:
                text = "\n\n".join([p for p in text.split("\n") if p.strip()][:paragraphs])
            articles.append({"id": row.get("id") or f"article-{len(articles)}", "text": text})
            if len(articles) == GOOD:
                break
    if len(articles) < GOOD:
        print(f"error: {data} has {len(articles)} articles; {GOOD} are needed", file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    lines_out = [json.dumps(article, ensure_ascii=False).encode() for article in articles]
    # The broken records are spread through the file, not bunched at one end.
    step = GOOD // len(BROKEN)
    for i, broken in enumerate(BROKEN):
        lines_out.insert(i * (step + 1) + step // 2, broken)
    (folder / "records.jsonl").write_bytes(b"\n".join(lines_out) + b"\n")
    print(f"{folder / 'records.jsonl'}: {GOOD} articles and {len(BROKEN)} broken records")
    return 0


def sorted_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted(lines, key=lambda line: json.loads(line)["id"])


def check(out: Path, other: Path | None) -> int:
    lines = sorted_lines(out)
    rows = [json.loads(line) for line in lines]
    ok = sum(row["ok"] for row in rows)
    errors = {row["id"]: row["error"] for row in rows if not row["ok"]}
    ids = {row["id"] for row in rows}
    print(f"{out}: {len(rows)} rows, {len(ids)} distinct ids, {ok} results, {len(errors)} error rows")
    for record_id, error in sorted(errors.items()):
        print(f"  {record_id}: {error}")
    passed = len(rows) == len(ids) == GOOD + len(BROKEN) and ok == GOOD and len(errors) == len(BROKEN)
    if other is not None:
        same = lines == sorted_lines(other)
        print(f"{out} and {other}: {'identical' if same else 'DIFFERENT'} once sorted by id")
        passed = passed and same
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make_parser = commands.add_parser("make")
    make_parser.add_argument("folder", type=Path)
    make_parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    make_parser.add_argument(
        "--paragraphs", type=int, default=None, help="keep each article's first N paragraphs (a quicker run)"
    )
    check_parser = commands.add_parser("check")
    check_parser.add_argument("out", type=Path)
    check_parser.add_argument("other", type=Path, nargs="?")
    args = parser.parse_args()
    return make(args.folder, args.data, args.paragraphs) if args.command == "make" else check(args.out, args.other)


if __name__ == "__main__":
    sys.exit(main())
