"""Fixtures shared by every test module: the seed page and one extractive Pipeline per session.

The extractive generator needs no trained checkpoint, so these fixtures work before the summariser
model exists and load spaCy only once for the whole run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import service  # noqa: F401  (first: it sets torch's OpenMP wait policy before any test module imports torch)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_page_text() -> str:
    """The real Arab News page (plain text) the service was specified against."""
    return (FIXTURES / "arab-news-page.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def extractive_settings():
    from service.settings import Settings

    return Settings(generator="extractive")


@pytest.fixture(scope="session")
def pipeline(extractive_settings):
    """A Pipeline with the extractive generator, shared across the session (spaCy loads once)."""
    from service.pipeline import Pipeline

    return Pipeline.from_settings(extractive_settings)
