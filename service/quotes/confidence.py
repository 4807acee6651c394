"""How sure a statement is: the evidence of the rule that found it times the evidence for its speaker.

The one table of confidences. Each rule's figure says how directly its cue ties the quoted words to a
speaker: the parse hangs them on a cue (1.0), the cue is attached to the quote or is a naming verb or an
indirect clause (0.9), "according to" (0.8), a cue next to the quote (0.75), a colon lead (0.7), a
verb right after the quote, a credit line, a parenthetical cue or the previous sentence's speaker (0.6),
a verb outside the cue lexicon (0.5).
"""

from __future__ import annotations

from service.speakers import Speaker

RULE_CONFIDENCE: dict[str, float] = {
    # quotes in marks, in the order the rules are tried (service/quotes/rules.py)
    "dash_name_colon": 0.7,
    "naming_verb": 0.9,
    "governing_cue": 1.0,
    "parenthetical_cue": 0.6,
    "characterising_phrase": 0.5,
    "verb_complement": 0.5,
    "run_on_continuation": 0.6,
    "attached_cue": 0.9,
    "according_to_before": 0.8,
    "adjacent_cue": 0.75,
    "verb_after_quote": 0.6,
    "colon_lead": 0.7,
    "dash_credit": 0.6,
    "credit_line": 0.6,
    "previous_speaker": 0.6,
    # indirect speech (service/quotes/indirect.py)
    "reported_clause": 0.9,
    "according_to_clause": 0.8,
    "parenthetical_clause": 0.9,
    # a partial quote inside what an indirect statement reports takes that statement's attribution
    "quote_in_reported_clause": 0.9,
    "quote_in_according_to_clause": 0.8,
    "quote_in_parenthetical_clause": 0.9,
}

# How the speaker was found: a name or noun phrase, a pronoun or an epithet ("the rookie defenceman")
# resolved to a name, a pronoun left as it is.
SPEAKER_EVIDENCE = {"named": 1.0, "pronoun": 0.85, "epithet": 0.85, "unresolved": 0.5}
NO_SPEAKER_EVIDENCE = 0.4


def confidence(rule: str, speaker: Speaker | None) -> float:
    speaker_score = NO_SPEAKER_EVIDENCE if speaker is None else SPEAKER_EVIDENCE[speaker.resolved_by]
    return round(RULE_CONFIDENCE[rule] * speaker_score, 3)
