"""Human-readable views of a summarization report: a Markdown table and a bar chart (PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI
import matplotlib.pyplot as plt

from eval.metrics import ROUGE_METRICS

METRIC_LABELS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeLsum": "ROUGE-Lsum"}


def report_rows(report: dict) -> list[tuple[str, dict]]:
    """(label, score block) for the system, each baseline and each ablation, in that order."""
    rows = [(f"system ({report['generator']}: {report['model']['name']})", report["system"])]
    rows += [(f"baseline: {name}", block) for name, block in report["baselines"].items()]
    rows += [(f"ablation: {name}", block) for name, block in report["ablation"].items()]
    return rows


def write_markdown(report: dict, path: Path) -> None:
    header = ["summary"]
    for metric in ROUGE_METRICS:
        label = METRIC_LABELS[metric]
        header += [f"{label} F [95% CI]", f"{label} P", f"{label} R"]
    header += ["faithful", "words"]
    lines = [
        f"# Summarization: {report['n']} articles",
        "",
        "ROUGE as percentages (rouge-score, Porter stemmer, Lsum one sentence per line); "
        f"CI: percentile bootstrap of mean F, {report['bootstrap']['resamples']} resamples, "
        f"seed {report['bootstrap']['seed']}. faithful: share of summary sentences whose entities and "
        "numbers all occur in the article. words: mean words per summary.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for label, block in report_rows(report):
        cells = [label]
        for metric in ROUGE_METRICS:
            low, high = block["ci"][metric]
            scores = block[metric]
            cells += [f"{scores['f']:.2f} [{low:.2f}, {high:.2f}]", f"{scores['p']:.2f}", f"{scores['r']:.2f}"]
        cells += [f"{block['faithfulness']:.3f}", f"{block['length']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += readability_lines(report["readability"])
    latency = report["latency_ms"]
    lines += ["", f"Summary stage latency per article: p50 {latency['p50']} ms, p95 {latency['p95']} ms.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def readability_lines(readability: dict[str, dict]) -> list[str]:
    """A table of the share of bullets breaking each readability rule, one row per summary."""
    rules = [rule for rule in next(iter(readability.values())) if rule != "bullets"]
    lines = [
        "",
        "Readability (service/readability.py): share of bullets breaking each rule.",
        "",
        "| summary | bullets | " + " | ".join(rules) + " |",
        "|" + "---|" * (len(rules) + 2),
    ]
    for name, shares in readability.items():
        lines.append(f"| {name} | {shares['bullets']} | " + " | ".join(f"{shares[r]:.3f}" for r in rules) + " |")
    return lines


def write_chart(report: dict, path: Path) -> None:
    """Grouped bars of ROUGE-1/2/Lsum F per summary, with the bootstrap CI as error bars."""
    rows = report_rows(report)
    width = 0.8 / len(rows)
    figure, axes = plt.subplots(figsize=(max(8.0, 1.2 * len(rows) + 5), 4.5))
    for index, (label, block) in enumerate(rows):
        positions = [m + (index - (len(rows) - 1) / 2) * width for m in range(len(ROUGE_METRICS))]
        values = [block[metric]["f"] for metric in ROUGE_METRICS]
        errors = [
            [value - block["ci"][metric][0] for value, metric in zip(values, ROUGE_METRICS)],
            [block["ci"][metric][1] - value for value, metric in zip(values, ROUGE_METRICS)],
        ]
        axes.bar(positions, values, width, yerr=errors, capsize=2, label=label)
    axes.set_xticks(range(len(ROUGE_METRICS)), [METRIC_LABELS[m] for m in ROUGE_METRICS])
    axes.set_ylabel("F-measure (%)")
    axes.set_title(f"ROUGE F on {report['n']} articles (95% bootstrap CI)")
    # Beside the plot, not over the bars.
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
