"""Batch runs: `python -m service batch INPUT --out OUT.jsonl [--engine loop|pool|ray] [--workers N]`.

INPUT is a JSON-lines file of records ``{"id": ..., "text" | "html": ..., "url": ...}`` or a folder of
.txt/.html/.htm files (each file one record; its id is its path under the folder). OUT gets one JSON line
per record, in the order records finish:

    {"id": ..., "url": ..., "ok": true, "document": {...}}        the API's response, less its timings
    {"id": ..., "url": ..., "ok": false, "error": CODE, "message": ...}

A record that cannot be read or analysed (a malformed line, empty, binary or oversized text, no article, a
run over the time limit) becomes an error row; the run goes on. Ids already in OUT are skipped, so a run
that was stopped resumes where it was. The exit status is 1 when OUT holds any error row.

Engines give byte-identical rows (only their order differs): `loop` runs the pipeline in this process,
`pool` in a local process pool, `ray` on Ray Data (locally with `ray.init(num_cpus=N)`, or on the cluster
that RAY_ADDRESS names). Every engine parses with the named-entity recogniser in-process (ner_worker off):
parallelism comes from records, and the recogniser worker's entities differ slightly at sentence ends.
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import json
import math
import os
import signal
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.pipeline import Pipeline
    from service.settings import Settings

ENGINES = ("loop", "pool", "ray")
FILE_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
# More than this share of control characters (tabs and line breaks aside) is binary data, not a page.
BINARY_CONTROL_SHARE = 0.01
DEFAULT_TIME_LIMIT_S = 120.0
# Records per Ray Data input file: each file is a block, so this bounds the work one actor call gets.
RAY_RECORDS_PER_FILE = 8
# The Ray object store only carries pages and rows: a small store leaves the memory to the models.
RAY_OBJECT_STORE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    content_type: str
    url: str | None = None


@dataclass(frozen=True)
class Rejected:
    """An input that is not a record the pipeline can take: it becomes an error row without running."""

    id: str
    error: str
    message: str
    url: str | None = None


class RecordTimeout(Exception):
    pass


class EngineUnavailable(RuntimeError):
    """The chosen engine cannot run here (Ray not installed, its cluster not reachable)."""


# --- rows -----------------------------------------------------------------------------------------------


def error_row(record_id: str, url: str | None, error: str, message: str) -> str:
    return json.dumps(
        {"id": record_id, "url": url, "ok": False, "error": error, "message": message}, ensure_ascii=False
    )


def result_row(record: Record, document: dict[str, Any]) -> str:
    return json.dumps({"id": record.id, "url": record.url, "ok": True, "document": document}, ensure_ascii=False)


def analyse(pipeline: Pipeline, record: Record, time_limit_s: float) -> str:
    """One record's row. Never raises for a record's sake: every failure is an error row."""
    from service.pipeline import NoArticleError
    from service.response import to_response

    try:
        with time_limit(time_limit_s):
            result = pipeline.run(record.text, record.content_type)
    except RecordTimeout:
        return error_row(record.id, record.url, "timeout", f"not analysed within {time_limit_s:g} s")
    except NoArticleError as exc:
        return error_row(record.id, record.url, "no_article", str(exc))
    except Exception as exc:  # one bad record must not stop a corpus run; the row says what happened
        return error_row(record.id, record.url, "internal_error", f"{type(exc).__name__}: {exc}")
    # Timings differ run to run; without them every engine writes the same bytes for the same record.
    return result_row(record, to_response(result).model_dump(mode="json", exclude={"timings_ms"}))


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise RecordTimeout in this thread once `seconds` have passed inside the block.

    A timer thread raises it asynchronously (PyThreadState_SetAsyncExc), which works in any thread; Ray
    actors call their batches outside the main thread, where SIGALRM cannot be used. Like a signal
    handler, it takes effect between Python bytecodes, so the pipeline's Python code is interrupted
    promptly and a single long C call finishes first.
    """
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"inside": True, "fired": False}

    def expire() -> None:
        with lock:
            if state["inside"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(RecordTimeout))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["inside"] = False
            timer.cancel()


# --- input ----------------------------------------------------------------------------------------------


def read_input(source: Path, max_bytes: int) -> Iterator[Record | Rejected]:
    """Records from a JSON-lines file or a folder, each checked (checked() says for what)."""
    items = _read_folder(source) if source.is_dir() else _read_jsonl(source)
    for item in items:
        yield item if isinstance(item, Rejected) else checked(item, max_bytes)


def count_input(source: Path) -> int:
    if source.is_dir():
        return sum(1 for _ in _folder_files(source))
    with source.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def _folder_files(folder: Path) -> Iterator[Path]:
    return (path for path in sorted(folder.rglob("*")) if path.is_file() and path.suffix.lower() in FILE_TYPES)


def _read_folder(folder: Path) -> Iterator[Record | Rejected]:
    for path in _folder_files(folder):
        record_id = path.relative_to(folder).as_posix()
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Rejected(record_id, "undecodable", f"not UTF-8: byte {exc.start} cannot be decoded")
            continue
        except OSError as exc:
            yield Rejected(record_id, "unreadable", str(exc))
            continue
        yield Record(record_id, text, FILE_TYPES[path.suffix.lower()])


def _read_jsonl(path: Path) -> Iterator[Record | Rejected]:
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            if raw.strip():
                yield _record_from_line(raw, f"line:{number}")


def _record_from_line(raw: bytes, where: str) -> Record | Rejected:
    """A record from one JSON line; a line without a usable id is known by its line number."""
    try:
        row = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Rejected(where, "undecodable", f"not UTF-8: byte {exc.start} cannot be decoded")
    except json.JSONDecodeError as exc:
        return Rejected(where, "malformed_json", f"malformed JSON: {exc.msg} at character {exc.pos}")
    if not isinstance(row, dict):
        return Rejected(where, "invalid_record", f"a record is a JSON object, not {type(row).__name__}")
    record_id, url = row.get("id"), row.get("url")
    if isinstance(record_id, bool) or not isinstance(record_id, str | int) or str(record_id) == "":
        return Rejected(where, "invalid_record", "the record has no id (a string or an integer)")
    record_id = str(record_id)
    url = url if isinstance(url, str) else None
    texts = {field: row[field] for field in ("text", "html") if field in row}
    if len(texts) != 1 or not all(isinstance(value, str) for value in texts.values()):
        return Rejected(record_id, "invalid_record", "a record has one of 'text' or 'html', a string", url)
    [(field, text)] = texts.items()
    return Record(record_id, text, "text/html" if field == "html" else "text/plain", url)


def checked(record: Record, max_bytes: int) -> Record | Rejected:
    """The record, or why the pipeline should not see it: the API's limits, and binary data."""
    try:
        size = len(record.text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        return Rejected(record.id, "invalid_text", f"unpaired surrogate at character {exc.start}", record.url)
    if size > max_bytes:
        return Rejected(record.id, "too_large", f"{size} bytes; the limit is {max_bytes}", record.url)
    if not record.text.strip():
        return Rejected(record.id, "empty_text", "the text is empty or only whitespace", record.url)
    controls = sum(1 for ch in record.text if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc")
    if "\x00" in record.text or controls > BINARY_CONTROL_SHARE * len(record.text):
        return Rejected(
            record.id, "binary_content", f"{controls} control characters: binary data, not text", record.url
        )
    return record


# --- output ---------------------------------------------------------------------------------------------


@dataclass
class OutputState:
    done_ids: set[str]
    failed: int


def prepare_output(path: Path) -> OutputState:
    """Ids already in OUT, after cutting off a last line that a killed run left half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        return OutputState(set(), 0)
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with path.open("r+b") as out:
            out.truncate(len(complete))
    done: set[str] = set()
    failed = 0
    for line in complete.splitlines():
        row = json.loads(line)
        done.add(row["id"])
        failed += not row["ok"]
    return OutputState(done, failed)


# --- engines --------------------------------------------------------------------------------------------
# Each engine maps records to rows, yielding each row as its record finishes.

Engine = Callable[[Iterable[Record], "Settings", int, float], Iterator[str]]


def batch_settings(settings: Settings, torch_threads: int) -> Settings:
    return settings.model_copy(update={"ner_worker": False, "torch_threads": torch_threads})


def load_pipeline(settings: Settings) -> Pipeline:
    import torch

    from service.pipeline import Pipeline

    torch.set_num_threads(settings.torch_threads)
    return Pipeline.from_settings(settings)


def run_loop(records: Iterable[Record], settings: Settings, workers: int, time_limit_s: float) -> Iterator[str]:
    """One process, one torch thread (`workers` is not used): with two threads on a busy 2-core machine
    the loop ran 6-12 times slower (python -m eval batch-speed, load average 9-11), torch's threads waiting
    on cores that other processes hold."""
    pipeline = load_pipeline(batch_settings(settings, 1))
    for record in records:
        yield analyse(pipeline, record, time_limit_s)


_worker_pipeline: Pipeline | None = None
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_pool_worker(settings: Settings) -> None:
    global _worker_pipeline
    # A worker stopped by Ctrl-C in the parent must not print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        # And it must not outlive a parent that was killed outright (kill -9 leaves no time to stop it).
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    _worker_pipeline = load_pipeline(settings)


def _analyse_in_worker(record: Record, time_limit_s: float) -> str:
    assert _worker_pipeline is not None, "pool initializer did not run"
    return analyse(_worker_pipeline, record, time_limit_s)


def run_pool(records: Iterable[Record], settings: Settings, workers: int, time_limit_s: float) -> Iterator[str]:
    """`workers` processes, one torch thread each, at most two records in flight per process. A record in
    flight when a worker process dies is retried once in a new pool, then becomes a `worker_crashed` row."""
    import multiprocessing

    def new_pool() -> ProcessPoolExecutor:
        # spawn, not fork: a fork of a process with torch threads can deadlock.
        context = multiprocessing.get_context("spawn")
        worker_settings = batch_settings(settings, 1)
        return ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_pool_worker, initargs=(worker_settings,)
        )

    pool = new_pool()
    in_flight: dict[Future, Record] = {}
    crashes: dict[str, int] = {}
    retry: list[Record] = []
    pending = iter(records)
    try:
        while True:
            while len(in_flight) < 2 * workers:
                record = retry.pop() if retry else next(pending, None)
                if record is None:
                    break
                in_flight[pool.submit(_analyse_in_worker, record, time_limit_s)] = record
            if not in_flight:
                return
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                record = in_flight.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    crashes[record.id] = crashes.get(record.id, 0) + 1
                    if crashes[record.id] > 1:
                        yield error_row(record.id, record.url, "worker_crashed", "a worker process died on it twice")
                    else:
                        retry.append(record)
            if broken:
                pool.shutdown(wait=False, cancel_futures=True)
                retry.extend(in_flight.values())
                in_flight.clear()
                pool = new_pool()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class RayPipeline:
    """Ray Data actor: the pipeline loaded once per worker, applied to batches of records."""

    def __init__(self, settings: Settings, time_limit_s: float) -> None:
        self.pipeline = load_pipeline(settings)
        self.time_limit_s = time_limit_s

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        rows = []
        columns = (batch["id"], batch["text"], batch["content_type"], batch["url_json"])
        for record_id, text, content_type, url_json in zip(*columns):
            record = Record(str(record_id), str(text), str(content_type), json.loads(str(url_json)))
            rows.append(analyse(self.pipeline, record, self.time_limit_s))
        return {"row": rows}


def run_ray(records: Iterable[Record], settings: Settings, workers: int, time_limit_s: float) -> Iterator[str]:
    """Ray Data: pending records are written as JSON-lines files, read with ray.data.read_json, analysed by
    `workers` RayPipeline actors (one CPU, one torch thread each) and streamed back here to be written."""
    try:
        import ray
    except ImportError as exc:
        raise EngineUnavailable("the ray engine needs Ray: pip install 'newsattrib[batch]'") from exc

    cluster = os.environ.get("RAY_ADDRESS")
    with tempfile.TemporaryDirectory(prefix="newsattrib-ray-") as folder:
        if not _write_shards(records, Path(folder)):
            return
        if not ray.is_initialized():
            if cluster:
                try:
                    ray.init(address=cluster, log_to_driver=False)
                except ConnectionError as exc:
                    raise EngineUnavailable(f"cannot reach the Ray cluster at RAY_ADDRESS={cluster}: {exc}") from exc
            else:
                # One CPU more than actors, for the read tasks that feed them (logical CPUs; reading is light).
                # address="local": a new instance even where an earlier `ray start` left its address behind.
                ray.init(
                    address="local",
                    num_cpus=workers + 1,
                    include_dashboard=False,
                    log_to_driver=False,
                    object_store_memory=RAY_OBJECT_STORE_BYTES,
                )
        ray.data.DataContext.get_current().enable_progress_bars = False  # the run's own bar counts articles
        # On a cluster the files are on this (the driver's) machine: local:// reads them here.
        dataset = ray.data.read_json(f"local://{folder}" if cluster else folder, file_extensions=["jsonl"])
        analysed = dataset.map_batches(
            RayPipeline,
            fn_constructor_kwargs={"settings": batch_settings(settings, 1), "time_limit_s": time_limit_s},
            batch_size=RAY_RECORDS_PER_FILE,
            concurrency=workers,
            num_cpus=1,
            batch_format="numpy",
        )
        for batch in analysed.iter_batches(batch_size=None, batch_format="numpy"):
            yield from (str(row) for row in batch["row"])


def _write_shards(records: Iterable[Record], folder: Path) -> int:
    """The records as JSON-lines files of RAY_RECORDS_PER_FILE each; how many were written."""
    written = 0
    shard: list[str] = []
    for record in records:
        # The url travels JSON-encoded: a column of nulls would reach the actor as NaN.
        fields = {"id": record.id, "text": record.text, "content_type": record.content_type}
        shard.append(json.dumps({**fields, "url_json": json.dumps(record.url)}, ensure_ascii=False) + "\n")
        written += 1
        if len(shard) == RAY_RECORDS_PER_FILE:
            _write_shard(folder, written, shard)
    if shard:
        _write_shard(folder, written, shard)
    return written


def _write_shard(folder: Path, written: int, shard: list[str]) -> None:
    (folder / f"{written:010d}.jsonl").write_text("".join(shard), encoding="utf-8")
    shard.clear()


ENGINE_FUNCTIONS: dict[str, Engine] = {"loop": run_loop, "pool": run_pool, "ray": run_ray}


# --- the run --------------------------------------------------------------------------------------------


@dataclass
class RunReport:
    written: int = 0
    failed_now: int = 0
    skipped: int = 0
    failed_total: int = 0
    seconds: float = 0.0

    @property
    def articles_per_s(self) -> float:
        return self.written / self.seconds if self.seconds else math.nan


def run_batch(
    source: Path,
    out: Path,
    settings: Settings,
    engine: str = "loop",
    workers: int = 1,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    progress: bool = True,
) -> RunReport:
    from tqdm import tqdm

    state = prepare_output(out)
    report = RunReport(failed_total=state.failed)
    to_do: list[Rejected] = []

    def records() -> Iterator[Record]:
        """Records not in OUT yet; rejected inputs are set aside for the writer, without the engine."""
        for item in read_input(source, settings.max_body_bytes):
            if item.id in state.done_ids:
                report.skipped += 1
                bar.total -= 1
            elif isinstance(item, Rejected):
                to_do.append(item)
            else:
                state.done_ids.add(item.id)  # a repeated id in the input is analysed once
                yield item

    started = time.perf_counter()
    with (
        out.open("a", encoding="utf-8") as sink,
        tqdm(
            total=count_input(source), unit="article", desc=f"batch ({engine})", disable=not progress, smoothing=0.1
        ) as bar,
    ):

        def write(row: str) -> None:
            sink.write(row + "\n")
            sink.flush()  # a killed run loses only the records in flight
            report.written += 1
            failed = not json.loads(row)["ok"]
            report.failed_now += failed
            report.failed_total += failed
            bar.update(1)

        def drain_rejected() -> None:
            while to_do:
                rejected = to_do.pop(0)
                if rejected.id not in state.done_ids:
                    state.done_ids.add(rejected.id)
                    write(error_row(rejected.id, rejected.url, rejected.error, rejected.message))

        pending = records()
        first = next(pending, None)
        # Nothing left to analyse (a finished run, rerun): no models are loaded, no workers started.
        rows = (
            ENGINE_FUNCTIONS[engine](itertools.chain([first], pending), settings, workers, time_limit_s)
            if first
            else ()
        )
        for row in rows:
            drain_rejected()
            write(row)
            bar.set_postfix_str(f"skipped {report.skipped}, failed {report.failed_now}", refresh=False)
        drain_rejected()
    report.seconds = time.perf_counter() - started
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=Path, help="JSON lines of {id, text|html, url}, or a folder of .txt/.html files")
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines output; ids already in it are skipped")
    parser.add_argument("--engine", choices=ENGINES, default="loop", help="loop (default), pool or ray")
    parser.add_argument(
        "--workers", type=int, default=None, help="pool processes or Ray actors (default: the CPU count; loop: unused)"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT_S,
        help=f"seconds one record may take (default {DEFAULT_TIME_LIMIT_S:g})",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def batch_command(args: argparse.Namespace) -> int:
    """Exit status: 0 every row in OUT is a result, 1 some are errors, 2 unusable input, output or engine,
    4 a model failed to load."""
    from service.nlp import ModelLoadError
    from service.settings import get_settings

    if not args.input.exists():
        print(f"error: {args.input} does not exist", file=sys.stderr)
        return 2
    if args.time_limit <= 0 or (args.workers is not None and args.workers < 1):
        print("error: --time-limit must be positive and --workers at least 1", file=sys.stderr)
        return 2
    workers = args.workers or os.cpu_count() or 1
    try:
        report = run_batch(
            args.input, args.out, get_settings(), args.engine, workers, args.time_limit, progress=not args.no_progress
        )
    except ModelLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    except EngineUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        print(f"error: {exc} (reading {args.input} or {args.out})", file=sys.stderr)
        return 2
    print(
        f"{report.written} rows written ({report.failed_now} errors), {report.skipped} records already done; "
        f"{report.seconds:.1f} s, {report.articles_per_s:.2f} articles/s; "
        f"{args.out} holds {report.failed_total} error rows",
        file=sys.stderr,
    )
    return 1 if report.failed_total else 0
