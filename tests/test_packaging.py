"""The wheel carries everything the service needs: installed outside the repository, it gives the seed
page the same document as the editable install (prompts, rules and models travel as package data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_PAGE = REPO / "examples" / "arab-news-page.txt"


def _document(python: str, cwd: Path) -> dict:
    completed = subprocess.run(
        [python, "-m", "service", "summarize", str(SEED_PAGE), "--json"],
        cwd=cwd,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    document = json.loads(completed.stdout)
    document.pop("timings_ms")
    return document


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("newsattrib-*.whl")
    return built


def test_wheel_carries_prompts_rules_and_models(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "service/prompts/t5.txt" in names
    assert "service/rules/cue_verbs.txt" in names
    assert "service/models/compressor/model.safetensors" in names
    assert "service/models/quote_content/model.safetensors" in names
    assert "service/models/selector/selector.json" in names
    assert "service/rules/publisher_lengths.tsv" in names


def test_wheel_installed_outside_the_repo_gives_the_editable_output(wheel, tmp_path):
    # A fresh venv that sees this environment's dependencies (a plain path line: the .pth files there,
    # the editable install's among them, are not run) and holds the project only as the wheel.
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = str(target / "bin" / "python")
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, str(wheel)],
        check=True,
        timeout=300,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = subprocess.run(
        [python, "-c", "import service; print(service.__file__)"], cwd=outside, capture_output=True, text=True
    )
    assert where.stdout.startswith(site), where.stdout + where.stderr
    assert _document(python, outside) == _document(sys.executable, REPO)
