"""Word lists and tables kept in service/rules/ as data, one entry per line, # for comments.

The one loader of rules files: each file is read once per process, and each table built from it once,
whichever module asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

from service.settings import RULES_DIR

T = TypeVar("T")


@cache
def rule_lines(name: str) -> tuple[str, ...]:
    """The entries of rules/<name>: stripped, without blank lines and comments."""
    lines = (RULES_DIR / name).read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


@cache
def word_set(name: str, *, lowercase: bool = True) -> frozenset[str]:
    """The entries of rules/<name> as a set, lower-cased unless the file's case is what is matched."""
    return frozenset(line.lower() if lowercase else line for line in rule_lines(name))


@cache
def table(name: str, build: Callable[[tuple[str, ...]], T]) -> T:
    """`build` applied to the entries of rules/<name>, once per process. `build` is part of the cache key:
    pass a module-level function, never a lambda made anew at each call."""
    return build(rule_lines(name))
