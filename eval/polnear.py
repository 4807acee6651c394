"""Reader for PolNeAR attribution annotations (brat standoff: Source/Cue/Content spans linked by E lines)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

Fragments = tuple[tuple[int, int], ...]

TEXT_BOUND = re.compile(r"^T\d+$")
EVENT = re.compile(r"^E\d+$")
# Other brat lines (attributes, relations, notes) carry nothing we score.
IGNORED_PREFIXES = ("A", "R", "#", "*", "M", "N")


class AnnotationError(ValueError):
    """A .ann file line that is not valid brat standoff."""


@dataclass(frozen=True)
class GoldAttribution:
    content: Fragments
    source: Fragments | None
    cue: Fragments | None


@dataclass(frozen=True)
class Document:
    stem: str
    text: str
    # One list of attributions per annotator (the .ann files of this text).
    annotations: dict[str, list[GoldAttribution]]


def parse_ann(lines: list[str], where: str) -> list[GoldAttribution]:
    """Attributions of one .ann file; ``where`` names the file in errors."""
    spans: dict[str, Fragments] = {}
    events: list[tuple[int, str]] = []
    pending_text = 0  # characters of a span's text still to come on continuation lines
    for number, line in enumerate(lines, start=1):
        if pending_text > 0:
            pending_text -= len(line) + 1  # the span text ran over a newline of the .txt
            continue
        if not line.strip():
            continue
        fields = line.split("\t")
        ident = fields[0]
        if TEXT_BOUND.match(ident):
            if len(fields) < 2:
                raise AnnotationError(f"{where}:{number}: text-bound line without a type and offsets: {line!r}")
            fragments = _fragments(fields[1], where, number)
            spans[ident] = fragments
            span_text = "\t".join(fields[2:]) if len(fields) > 2 else ""
            expected = sum(end - start for start, end in fragments) + len(fragments) - 1
            pending_text = expected - len(span_text)
        elif EVENT.match(ident):
            if len(fields) < 2:
                raise AnnotationError(f"{where}:{number}: event line without arguments: {line!r}")
            events.append((number, fields[1]))
        elif not ident.startswith(IGNORED_PREFIXES):
            raise AnnotationError(f"{where}:{number}: not a brat standoff line: {line!r}")
    return [_attribution(args, spans, where, number) for number, args in events if "Content:" in args]


def _fragments(type_and_offsets: str, where: str, number: int) -> Fragments:
    parts = type_and_offsets.split(" ", 1)
    if len(parts) != 2:
        raise AnnotationError(f"{where}:{number}: missing offsets in {type_and_offsets!r}")
    fragments = []
    for fragment in parts[1].split(";"):
        bounds = fragment.split()
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds) or int(bounds[0]) > int(bounds[1]):
            raise AnnotationError(f"{where}:{number}: bad offsets {fragment!r}")
        fragments.append((int(bounds[0]), int(bounds[1])))
    return tuple(fragments)


def _attribution(args: str, spans: dict[str, Fragments], where: str, number: int) -> GoldAttribution:
    roles: dict[str, Fragments] = {}
    for arg in args.split():
        role, _, ident = arg.partition(":")
        if ident not in spans:
            raise AnnotationError(f"{where}:{number}: event argument {arg!r} names no text-bound annotation")
        roles[role.rstrip("0123456789")] = spans[ident]
    return GoldAttribution(roles["Content"], roles.get("Source"), roles.get("Cue"))


def load_split(data_dir: Path, split: str) -> list[Document]:
    """Every text of a split with its annotators' attributions."""
    text_dir = data_dir / split / "text"
    ann_dir = data_dir / split / "attributions"
    for directory in (text_dir, ann_dir):
        if not directory.is_dir():
            raise FileNotFoundError(
                f"PolNeAR directory not found: {directory} (expected {data_dir}/<split>/text and /attributions)"
            )
    documents = []
    for text_path in sorted(text_dir.glob("*.txt")):
        text = text_path.read_text(encoding="utf-8")
        annotations = {}
        for ann_path in sorted(ann_dir.glob(f"{text_path.stem}_*.ann")):
            annotator = ann_path.stem[len(text_path.stem) + 1 :]
            if not annotator.isalnum():
                continue  # another text whose name starts with this one
            lines = ann_path.read_text(encoding="utf-8").split("\n")
            annotations[annotator] = parse_ann(lines, str(ann_path))
        if annotations:
            documents.append(Document(text_path.stem, text, annotations))
    return documents
