"""Stage 3: article -> quotes. Finds direct, partial and indirect reported statements and attributes them.

The package, in the order the stage runs:
- marks.py: quote-mark pairing, per paragraph (a stray mark never swallows the article).
- context.py: the article's read-only facts every rule consults (paragraphs, sentences, quoted spans,
  cues from service/rules/cue_verbs.txt, naming verbs, the speaker resolver); cues.py finds the cues.
- site.py: one quoted span with its frame (its sentences plus a split-off "he said."), its kind (direct
  when it stands alone, partial inside a larger clause) and the cue that governs it in the parse.
- rules.py: the attribution rules for quotes, an ordered list (QUOTE_RULES); the first one that finds a
  cue or a speaker attributes the quote. mentions.py finds a cue's speaker mention; content.py the clause
  a partial quote reports (then placed by the content model, service/quote_content.py).
- indirect.py: indirect speech, cues that report a clause without quote marks (INDIRECT_RULES).
- runs.py: merging and splitting statements (quotes of one cue, split quotes, runs of quotes, a quote
  inside an indirect statement, an indirect clause ending where a quote begins).
- agencies.py: the news agency that carried a statement.
- confidence.py: the one table of confidences, keyed by rule.
Every statement records the rule that found it (Quote.rule).
"""

from service.quotes.cues import CueLexicon, load_cue_lexicon
from service.quotes.extract import extract_quotes
from service.quotes.marks import QuotedSpan, find_quoted_spans

__all__ = ["CueLexicon", "QuotedSpan", "extract_quotes", "find_quoted_spans", "load_cue_lexicon"]
