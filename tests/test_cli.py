"""`python -m service summarize|serve`: output formats, exit codes, start-up failure messages."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service import cli
from service.response import QuoteOut, SummarizeResponse
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def use_settings(monkeypatch):
    """Point the CLI at given settings (it reads them through service.settings.get_settings)."""

    def apply(settings: Settings) -> None:
        monkeypatch.setattr("service.settings.get_settings", lambda: settings)

    return apply


def run_summarize(argv: list[str], capsys) -> tuple[int, str, str]:
    out = io.StringIO()
    code = cli.summarize_command(cli.build_parser().parse_args(["summarize", *argv]), out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture()
def seed_file(tmp_path, seed_page_text) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(seed_page_text, encoding="utf-8")
    return path


def test_json_output_is_the_api_document(use_settings, extractive_settings, seed_file, seed_page_text, capsys):
    use_settings(extractive_settings)
    code, out, _ = run_summarize([str(seed_file), "--json"], capsys)
    assert code == 0
    document = SummarizeResponse.model_validate(json.loads(out))
    quotes = document.articles[0].quotes
    assert quotes and all(seed_page_text[q.start : q.end] == q.text for q in quotes)


def test_human_output_lists_summary_and_quotes(use_settings, extractive_settings, seed_file, capsys):
    use_settings(extractive_settings)
    code, out, _ = run_summarize([str(seed_file)], capsys)
    assert code == 0
    assert out.startswith("# 1. ")
    assert "Summary:\n  - " in out and "Quotes:\n  - “" in out
    assert "[extractive: sentence-selector" in out


def test_a_credited_article_says_whose_length_its_summary_has(use_settings, extractive_settings, tmp_path, capsys):
    use_settings(extractive_settings)
    path = tmp_path / "cnn.txt"
    path.write_text(
        "(CNN)The council voted on Monday to close the old bridge after engineers found cracks in it. "
        "Drivers will use a ferry while the bridge is repaired, which could take two years, officials said.",
        encoding="utf-8",
    )
    code, out, _ = run_summarize([str(path)], capsys)
    assert code == 0
    assert "Summary (CNN's length):\n  - " in out


def test_stdin_is_read_with_dash(use_settings, extractive_settings, seed_page_text, monkeypatch, capsys):
    use_settings(extractive_settings)
    monkeypatch.setattr(sys, "stdin", io.StringIO(seed_page_text))
    code, out, _ = run_summarize(["-", "--json"], capsys)
    assert code == 0 and json.loads(out)["articles"]


@pytest.mark.parametrize(
    "quote, expected",
    [
        (
            dict(speaker="Sergey Lavrov", cue="said", source_agency="Tass", kind="direct", confidence=0.91),
            "“We warn” — Sergey Lavrov (said; via Tass) [direct, 0.91]",
        ),
        (
            dict(
                speaker="Sergey Lavrov",
                speaker_mention="he",
                cue="said",
                source_agency=None,
                kind="direct",
                confidence=0.85,
            ),
            "“We warn” — Sergey Lavrov (he said) [direct, 0.85]",
        ),
        (
            dict(
                speaker="Lavrov",
                speaker_mention="Lavrov",
                cue="said",
                source_agency=None,
                kind="direct",
                confidence=1.0,
            ),
            "“We warn” — Lavrov (said) [direct, 1.00]",
        ),
        (
            dict(speaker=None, cue=None, source_agency=None, kind="partial", confidence=0.3),
            "“We warn” — unattributed [partial, 0.30]",
        ),
    ],
    ids=["named", "pronoun resolved", "mention is the name", "unattributed"],
)
def test_quote_line_format(quote, expected):
    full = QuoteOut(text="We warn", start=0, end=7, speaker_span=None, cue_span=None, **quote)
    assert cli.format_quote(full) == expected


def test_missing_file_exits_2(tmp_path, capsys):
    code, out, err = run_summarize([str(tmp_path / "absent.txt")], capsys)
    assert (code, out) == (2, "")
    assert "absent.txt" in err


def test_undecodable_file_exits_2(tmp_path, capsys):
    path = tmp_path / "page.txt"
    path.write_bytes(b"caf\xe9 latin-1 bytes")
    code, _, err = run_summarize([str(path)], capsys)
    assert code == 2 and "page.txt" in err


@pytest.mark.parametrize("content", ["   \n\n  \t", "\n".join(["Home", "Menu", "Login"])])
def test_no_article_exits_3(use_settings, extractive_settings, tmp_path, capsys, content):
    use_settings(extractive_settings)
    path = tmp_path / "page.txt"
    path.write_text(content, encoding="utf-8")
    code, out, err = run_summarize([str(path)], capsys)
    assert (code, out) == (3, "")
    assert "no article" in err


def test_missing_model_exits_4_naming_it(use_settings, seed_file, capsys):
    use_settings(Settings(generator="seq2seq", summary_model="/nonexistent/compressor"))
    code, _, err = run_summarize([str(seed_file)], capsys)
    assert code == 4 and "/nonexistent/compressor" in err


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSATTRIB_") and k != "SUMMARY_MODEL"}
    return {**env, "HF_HUB_OFFLINE": "1", **extra}


def test_entrypoint_missing_file_exit_code():
    done = subprocess.run(
        [sys.executable, "-m", "service", "summarize", "/nonexistent/page.txt"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "/nonexistent/page.txt" in done.stderr


def test_serve_with_missing_model_exits_nonzero_naming_it():
    done = subprocess.run(
        [sys.executable, "-m", "service", "serve", "--port", "0"],
        cwd=REPO,
        env=_env(NEWSATTRIB_SUMMARY_MODEL="/nonexistent/compressor"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "/nonexistent/compressor" in done.stderr
    assert "start-up failed: a model could not be loaded" in done.stderr


@pytest.mark.parametrize("variable", ["NEWSATTRIB_SUMMARY_MODEL", "SUMMARY_MODEL"])
def test_summary_model_variable_is_read(monkeypatch, variable):
    for name in ("NEWSATTRIB_SUMMARY_MODEL", "SUMMARY_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "/nonexistent/compressor")
    assert Settings().summary_model == "/nonexistent/compressor"


@pytest.mark.parametrize("argv, port", [([], 8123), (["--port", "9000"], 9000)], ids=["from-setting", "flag-wins"])
def test_serve_port_is_the_setting_unless_given(monkeypatch, argv, port):
    # The container sets NEWSATTRIB_PORT; an explicit --port still wins.
    started = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.update(options))
    monkeypatch.setattr("service.settings.get_settings", lambda: Settings(port=8123))
    assert cli.main(["serve", *argv]) == 0
    assert started["port"] == port
