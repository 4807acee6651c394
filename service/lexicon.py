"""Word lists kept in service/rules/ as data, one entry per line, # for comments."""

from __future__ import annotations

from service.settings import RULES_DIR


def rule_lines(name: str) -> list[str]:
    lines = (RULES_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
