"""Evaluation harness: summaries vs publisher bullets, attribution vs gold spans, speed."""
