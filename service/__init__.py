"""News page parsing, quote attribution and constrained seq2seq bullet summaries."""

__version__ = "0.1.0"
