"""`python -m service batch`: input reading and checks, error rows, resuming, the time limit, exit codes,
and the same bytes from every engine (loop, process pool, Ray Data) on a tiny record set."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from service import batch, cli
from service.batch import Record, Rejected, analyse, checked, prepare_output, read_input, run_batch, time_limit
from service.pipeline import NoArticleError
from service.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
SHORT_ARTICLE = "Officials said on Monday that the bridge would reopen next week after repairs to its deck."


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(generator="extractive")


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_bytes(b"".join((row if isinstance(row, bytes) else json.dumps(row).encode()) + b"\n" for row in rows))
    return path


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- reading and checking input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        (b'{"id": "a", "text": "Hello."}', Record("a", "Hello.", "text/plain")),
        (b'{"id": 7, "html": "<p>Hi</p>", "url": "u"}', Record("7", "<p>Hi</p>", "text/html", "u")),
        (b'{"id": "a", "text": "unterminated', Rejected("line:1", "malformed_json", "")),
        (b'{"id": "a", "text": "\xff\xfe"}', Rejected("line:1", "undecodable", "")),
        (b'["a", "b"]', Rejected("line:1", "invalid_record", "")),
        (b'{"text": "no id"}', Rejected("line:1", "invalid_record", "")),
        (b'{"id": true, "text": "boolean id"}', Rejected("line:1", "invalid_record", "")),
        (b'{"id": "a"}', Rejected("a", "invalid_record", "")),
        (b'{"id": "a", "text": "t", "html": "h"}', Rejected("a", "invalid_record", "")),
        (b'{"id": "a", "text": 5}', Rejected("a", "invalid_record", "")),
    ],
)
def test_jsonl_lines(tmp_path, line, expected):
    [item] = read_input(write_jsonl(tmp_path / "in.jsonl", [line]), max_bytes=10_000)
    if isinstance(expected, Rejected):
        assert isinstance(item, Rejected) and (item.id, item.error) == (expected.id, expected.error)
        assert item.message
    else:
        assert item == expected


@pytest.mark.parametrize(
    "text, error",
    [
        ("", "empty_text"),
        (" \n\t ", "empty_text"),
        ("x" * 10_001, "too_large"),
        ("é" * 5_001, "too_large"),  # the limit counts UTF-8 bytes, as the API's does
        ("PK\x03\x04\x00\x00 binary", "binary_content"),
        ("text\x07" * 10, "binary_content"),
        ("bad \ud800 surrogate", "invalid_text"),
        (SHORT_ARTICLE, None),
        ("Tabs\tand\r\nline breaks are text.", None),
    ],
)
def test_checked(text, error):
    result = checked(Record("r", text, "text/plain"), max_bytes=10_000)
    assert (result.error if isinstance(result, Rejected) else None) == error


def test_folder_input_ids_are_relative_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<p>B</p>", encoding="utf-8")
    (tmp_path / "a.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    (tmp_path / "c.TXT").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    items = list(read_input(tmp_path, max_bytes=10_000))
    assert [(item.id, type(item).__name__) for item in items] == [
        ("a.txt", "Record"),
        ("c.TXT", "Rejected"),
        ("sub/b.html", "Record"),
    ]
    assert items[2].content_type == "text/html" and items[1].error == "undecodable"


def test_output_cut_at_a_half_written_line(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(
        batch.error_row("a", None, "empty_text", "m") + "\n" + '{"id": "b", "url": null, "ok": tr', encoding="utf-8"
    )
    state = prepare_output(out)
    assert state.done_ids == {"a"} and state.failed == 1
    assert out.read_text(encoding="utf-8").endswith('"m"}\n')


# --- the time limit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("in_thread", [False, True], ids=["main-thread", "other-thread"])
def test_time_limit_interrupts_python_code(in_thread):
    outcome: list[float] = []

    def spin() -> None:
        started = time.perf_counter()
        with pytest.raises(batch.RecordTimeout), time_limit(0.2):
            while True:
                sum(range(100))
        outcome.append(time.perf_counter() - started)

    if in_thread:
        thread = threading.Thread(target=spin)
        thread.start()
        thread.join(5)
    else:
        spin()
    assert outcome and 0.2 <= outcome[0] < 2


def test_time_limit_does_not_fire_after_its_block():
    with time_limit(0.05):
        pass
    time.sleep(0.2)  # a late RecordTimeout would be raised here


class SlowPipeline:
    def run(self, text: str, content_type: str):
        if "no article" in text:
            raise NoArticleError("no article text found")
        if "explode" in text:
            raise ValueError("boom")
        while True:
            sum(range(100))


@pytest.mark.parametrize(
    "text, error", [("spin", "timeout"), ("no article", "no_article"), ("explode", "internal_error")]
)
def test_a_failing_record_becomes_an_error_row(text, error):
    row = json.loads(analyse(SlowPipeline(), Record("r", text, "text/plain", "u"), time_limit_s=0.2))
    assert row == {"id": "r", "url": "u", "ok": False, "error": error, "message": row["message"]}
    assert row["message"]


# --- whole runs -------------------------------------------------------------------------------------------


@pytest.fixture()
def mixed_input(tmp_path, seed_page_text) -> Path:
    return write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "seed", "text": seed_page_text, "url": "https://example.org/seed"},
            {"id": "short", "text": SHORT_ARTICLE},
            {"id": "html", "html": (FIXTURES / "page_article.html").read_text(encoding="utf-8")},
            {"id": "empty", "text": ""},
            b'{"id": "cut", "text": "The line',
            {"id": "menu", "text": "Home\nNews\nSport"},
            {"id": "short", "text": "A repeated id is analysed once."},
            {"id": "no-url", "text": SHORT_ARTICLE.replace("Monday", "Tuesday")},
        ],
    )


def test_loop_run_rows_and_resume(tmp_path, mixed_input, settings, seed_page_text):
    out = tmp_path / "out.jsonl"
    report = run_batch(mixed_input, out, settings, "loop", workers=1, progress=False)
    rows = {row["id"]: row for row in rows_of(out)}
    assert set(rows) == {"seed", "short", "html", "empty", "line:5", "menu", "no-url"}
    assert (report.written, report.failed_now) == (7, 3)
    assert {rid for rid, row in rows.items() if not row["ok"]} == {"empty", "line:5", "menu"}
    assert rows["menu"]["error"] == "no_article" and rows["line:5"]["error"] == "malformed_json"
    seed = rows["seed"]["document"]
    assert len(seed["articles"]) == 2 and "timings_ms" not in seed
    assert (
        seed["articles"][0]["quotes"][0]["text"]
        == seed_page_text[seed["articles"][0]["quotes"][0]["start"] : seed["articles"][0]["quotes"][0]["end"]]
    )
    assert rows["html"]["document"]["input_format"] == "html"

    # A second run adds what is new and redoes nothing.
    with mixed_input.open("a", encoding="utf-8") as more:
        more.write(json.dumps({"id": "later", "text": SHORT_ARTICLE}) + "\n")
    again = run_batch(mixed_input, out, settings, "loop", workers=1, progress=False)
    assert (again.written, again.skipped, again.failed_total) == (1, 8, 3)
    assert [row["id"] for row in rows_of(out)].count("short") == 1


@pytest.mark.parametrize("rows, status", [([{"id": "a", "text": SHORT_ARTICLE}], 0), ([{"id": "a", "text": ""}], 1)])
def test_exit_status_says_whether_any_record_failed(tmp_path, rows, status, monkeypatch):
    monkeypatch.setattr("service.settings.get_settings", lambda: Settings(generator="extractive"))
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    argv = ["batch", str(source), "--out", str(out), "--no-progress"]
    assert cli.main(argv) == status
    # A rerun with nothing left to do loads no model, and still says whether a record failed.
    monkeypatch.setattr(batch, "load_pipeline", lambda settings: pytest.fail("a model was loaded"))
    assert cli.main(argv) == status
    assert len(rows_of(out)) == 1


@pytest.mark.parametrize(
    "argv_tail, message",
    [
        (["missing.jsonl"], "does not exist"),
        (["in.jsonl", "--time-limit", "0"], "--time-limit"),
    ],
)
def test_bad_arguments_exit_2(tmp_path, monkeypatch, capsys, argv_tail, message):
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": SHORT_ARTICLE}])
    assert cli.main(["batch", *argv_tail, "--out", "out.jsonl"]) == 2
    assert message in capsys.readouterr().err


@pytest.fixture()
def local_ray():
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install '.[batch]')")
    yield
    ray.shutdown()


def test_every_engine_writes_the_same_bytes(tmp_path, mixed_input, settings, local_ray, monkeypatch):
    """Loop, process pool and Ray Data on the same records: identical lines once sorted by id."""
    # Several Ray input files, some whose records all lack a url (a column of nulls).
    monkeypatch.setattr(batch, "RAY_RECORDS_PER_FILE", 2)
    outputs = {}
    for engine in ("loop", "pool", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        run_batch(mixed_input, out, settings, engine, workers=2 if engine == "pool" else 1, progress=False)
        outputs[engine] = sorted(out.read_text(encoding="utf-8").splitlines())
    assert len(outputs["loop"]) == 7
    assert outputs["pool"] == outputs["loop"]
    assert outputs["ray"] == outputs["loop"]
