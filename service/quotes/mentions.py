"""The speaker mention of a cue: its subject in the parse, or the mention beside it where the parser lost
it. A subject the parser found inside the quoted words is replaced by the mention beside the cue
('“…,” said Leslie Wimes'); the resolver (service/speakers.py) turns the mention into a name."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace

from spacy.tokens import Token

from service import lexicon
from service.quotes.context import ArticleContext
from service.speakers import SUBJECT_DEPS, Speaker, agent_of, joins_name
from service.text_facts import QUOTE_MARKS

# Tokens a cue may be from a quote, or from the mention it governs, and still be "next to" it.
ADJACENT_CUE_TOKENS = 6
# '“…” a narrator in the Clinton ad asks': the longest attribution after a quote.
MAX_ATTRIBUTION_TOKENS = 12
# ", in an attempt to draw attention to Clinton’s lack of press conferences,": the longest aside between a
# subject and its cue that is skipped.
MAX_ASIDE_TOKENS = 16
# '(D-Ill.)', '(R-Wis.)', '(35)': the longest parenthetical between a name and what follows it.
MAX_PARENTHETICAL_TOKENS = 8
# How far up a subjectless cue's heads ("ended by saying") a subject is looked for.
MAX_SUBJECT_CLIMB = 4
# Links from a subjectless cue up to the verb whose subject said it.
# ("called it “shameful” and called on leaders": the parser hung the second cue on the object predicate.)
SUBJECT_CLIMB_DEPS = frozenset({"conj", "xcomp", "advcl", "pcomp", "prep", "acl", "dobj", "pobj", "oprd"})
# Verbs whose passive subject is the speaker though a "by" names someone else: the one who reported it.
REPORTED_SAYING = frozenset({"quote", "cite"})
MENTION_POS = frozenset({"PROPN", "NOUN", "PRON"})
NAME_PART_DEPS = frozenset({"compound", "poss", "appos", "flat"})
# Entities that never say anything: a subject of this type is a stray time the parser hung on the cue (numbers
# do speak: "78 percent said they …"; so do ages, which spaCy tags DATE: "says my two-year-old").
NOT_SPEAKER_ENTITIES = frozenset({"DATE", "TIME"})
AGE_HEADS = frozenset({"old", "olds"})
SPEAKER_ENTITIES = frozenset({"PERSON", "ORG", "NORP"})
NOBODY_WORDS = lexicon.word_set("nobody_words.txt")
INVERTING_VERBS_FILE = "inverting_verbs.txt"
# Clauses the parser made of an aside between a subject and its cue ("Sanders, who sits at zero, said").
ASIDE_CLAUSE_DEPS = frozenset({"ccomp", "parataxis", "advcl"})
# What may stand between a subject and its verb: 'Jones will not soon say'.
CUE_MODIFIER_DEPS = frozenset({"aux", "auxpass", "neg", "advmod"})
# How the parser hangs a cue whose subject it took for a conjunct of the object before ('… and Jones called').
MISREAD_CUE_DEPS = frozenset({"conj", "acl"})


def speaker_of(context: ArticleContext, cue: Token) -> Speaker | None:
    """Who said what a cue (or a verb standing for one) reports, resolved to a name where the article has one."""
    return speaker_with_subject(context, cue, subject_head(cue, context.cue_at))


def speaker_with_subject(context: ArticleContext, cue: Token, head: Token | None) -> Speaker | None:
    """speaker_of, given the cue's subject in the parse (subject_head) where the caller has it already."""
    if (words := context.credit_speakers.get(cue.i)) is not None:
        return Speaker(words.text, words.start_char, words.end_char, "named")
    quoted_subject = head is not None and context.quoted_chars(head.idx, head.idx + 1)
    if quoted_subject or (head is None and context.right_after_quote(cue)):
        # '“… Full panic mode,” said Leslie Wimes', '“…,” opined the Plain Dealer': the parser took
        # quoted words for the subject, or found none.
        head = _unquoted_mention_beside(context, cue)
    elif head is None and (governing := _governing_cue(context, cue)) is not None:
        # '“…,” said Skelly, explaining: “…”': a cue hung on another cue goes on with that cue's speaker.
        return speaker_of(context, governing)
    elif head is None:
        head = (
            _mention_after_quote(context, cue)
            or _mention_before_aside(context, cue)
            or _subject_opening_aside(context, cue)
            or _subject_after_opening_cue(context, cue)
            or _name_after_closing_cue(context, cue)
        )
    elif not _can_speak(head):
        head = _name_before_cue(context, cue, head)
    if head is None:
        return None
    if head.pos_ not in MENTION_POS and _reads_as_name(context, head):
        return context.resolver.named([head])  # "Will" tagged a modal verb, "DeBoer" an auxiliary: a name
    return _without_cue(context, context.resolver.resolve(_name_in_apposition(context, head)), cue)


def _without_cue(context: ArticleContext, speaker: Speaker | None, cue: Token) -> Speaker | None:
    """'Said Ellis:': the parser may take an opening cue for part of the name after it; the mention starts
    after the cue."""
    if speaker is None or speaker.start != cue.idx:
        return speaker
    start = context.doc[cue.i + 1].idx
    if speaker.name_span is None or speaker.name_span[0] == cue.idx:
        mention = context.doc.char_span(start, speaker.end, alignment_mode="expand")
        return context.resolver.named(list(mention)) if mention else None
    return replace(speaker, start=start)


def _governing_cue(context: ArticleContext, cue: Token) -> Token | None:
    """The cue above a subjectless cue in the parse ('said Skelly, explaining'), climbing as subject_head
    does (_climbs)."""
    verb = cue
    for _ in range(MAX_SUBJECT_CLIMB):
        if not _climbs(verb):
            return None
        verb = verb.head
        if verb.i in context.cue_at:
            return verb
    return None


def is_nobody(head: Token | None) -> bool:
    """'no-one could predict what …', 'nobody asked …': a cue's subject (subject_head) that says no one spoke."""
    if head is None:
        return False
    return head.lower_ in NOBODY_WORDS or (head.lower_ == "one" and any(c.lower_ == "no" for c in head.children))


def _can_speak(head: Token) -> bool:
    """A subject that may name a speaker: not a time or date ('6:50 p.m.', 'Saturday')."""
    return head.ent_type_ not in NOT_SPEAKER_ENTITIES or head.lower_ in AGE_HEADS


def _name_before_cue(context: ArticleContext, cue: Token, subject: Token) -> Token | None:
    """'Saturday at the convention Sen. Elizabeth Warren said': the parser took a time for the subject and hung
    the speaker's name inside it; the speaker is the person or organisation named nearest before the cue."""
    doc = context.doc
    for token in reversed(doc[subject.i + 1 : cue.i]):
        if token.ent_type_ in SPEAKER_ENTITIES and not context.quoted_chars(token.idx, token.idx + 1):
            return token
    return None


def _subject_opening_aside(context: ArticleContext, cue: Token) -> Token | None:
    """'Sanders, meanwhile, who sits at zero endorsements, said', 'Clinton, exasperated, responded': the parser
    made the speaker the subject of the aside between commas; the cue's subject is the noun that opens it."""
    for clause in cue.lefts:
        if clause.dep_ not in ASIDE_CLAUSE_DEPS:
            continue
        subject = next((c for c in clause.lefts if c.dep_ in SUBJECT_DEPS), None)
        if (
            subject is not None
            and subject.pos_ in ("PROPN", "NOUN")
            and subject.left_edge.i == clause.left_edge.i
            and subject.i + 1 < cue.i
            and subject.doc[subject.i + 1].text == ","
            and not context.quoted_chars(subject.idx, subject.idx + 1)
        ):
            return subject
    return None


def _subject_after_opening_cue(context: ArticleContext, cue: Token) -> Token | None:
    """'Said Ellis: “…”', 'Continued Stone, “…”': a past or present cue that opens its sentence puts its
    speaker after it. Not a participle or an imperative ('Noting that …', 'Ask yourself'), nor the subject
    of what it reports ('Says Clinton would stack …')."""
    sentence = context.sentence(cue)
    if cue.i != sentence.start or cue.tag_ not in ("VBD", "VBZ") or cue.i + 1 >= len(context.doc):
        return None
    after = context.doc[cue.i + 1 : min(cue.i + 1 + ADJACENT_CUE_TOKENS, sentence.end)]
    for token in after:
        if context.quoted_chars(token.idx, token.idx + 1) or token.is_punct or not _can_speak(token):
            return None
        if token.pos_ in ("PROPN", "NOUN") or _reads_as_name(context, token):
            head = name_head(context, token)
            reports_it = head.dep_ in SUBJECT_DEPS and head.head.i != cue.i
            return None if reports_it else head
    return None


def _name_after_closing_cue(context: ArticleContext, cue: Token) -> Token | None:
    """'…, reported Euro News.': a cue that may stand before its subject (rules/inverting_verbs.txt), after a
    comma, with a name after it that ends the sentence; the parser took the name for the cue's object."""
    doc = context.doc
    if cue.i == 0 or doc[cue.i - 1].text != "," or cue.lemma_.lower() not in lexicon.word_set(INVERTING_VERBS_FILE):
        return None
    name = next((c for c in cue.children if c.dep_ in ("dobj", "npadvmod", "attr") and c.i > cue.i), None)
    if name is None or name.pos_ != "PROPN":
        return None
    rest = doc[max(t.i for t in name.subtree) + 1 : context.sentence(cue).end]
    return name if all(t.is_punct or t.is_space for t in rest) else None


def _name_in_apposition(context: ArticleContext, head: Token) -> Token:
    """'“Parasite” director Bong Joon Ho said': the parser made the name an apposition of the role noun before
    it, with no comma between; the person is the name. 'JACKSON, Miss. - U.S. District Judge Carlton W. Reeves
    issued': a dateline's place took the subject, and the person is its apposition."""
    if head.ent_type_ == "GPE":
        for child in head.rights:
            if child.dep_ == "appos" and context.resolver.is_person(child):
                return child
    if head.pos_ != "NOUN" and (head.pos_ != "PROPN" or head.ent_type_):
        return head  # a role the tagger took for a name ('police Chief Chuck Jordan') is a role still
    for child in head.rights:
        if child.dep_ == "appos" and child.left_edge.i == head.i + 1 and context.resolver.is_person(child):
            return child
    return head


def named_speaker(context: ArticleContext, tokens: list[Token]) -> Speaker:
    """The speaker a run of name tokens outside the parse's subjects names ('— Steve Jobs', 'Carl Bialik:')."""
    return context.resolver.named(tokens)


def subject_head(cue: Token, cues: Container[int] = ()) -> Token | None:
    """The speaker mention a cue governs: its subject, the agent, "according to X", or its head's subject
    (`cues`: the article's cue positions, for a cue the parser joined to another's reported clause)."""
    if cue.lower_ == "according":
        to = cue.doc[cue.i + 1]
        return next((c for c in to.children if c.dep_ == "pobj"), None)
    verb = cue
    if cue.dep_ in SUBJECT_DEPS and cue.tag_ == "VBG" and cue.head.i > cue.i:
        # "Flea shared the news, writing “Feels great …”": the parser made the participle the subject of the
        # quoted verb after it; the quoted clause hangs on the verb whose subject wrote it.
        verb = cue.head
    for _ in range(MAX_SUBJECT_CLIMB):
        subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i != cue.i]
        # The parser may make each half of "Wilson-Raybould" a subject: the name is where the first half is.
        agent = agent_of(verb)
        if subjects := [c for c in subjects if not _second_half_of_name(c, subjects)]:
            # "Rubio was asked by moderator Gerard Baker whether …": the one asking speaks, not the one asked
            # ("he was quoted by the Times as saying" is his; in "Trump was attacked by Clinton for suggesting"
            # the cue is another verb, and he suggested it).
            if (
                agent is not None
                and verb.i == cue.i
                and verb.lemma_.lower() not in REPORTED_SAYING
                and all(c.dep_ == "nsubjpass" for c in subjects)
            ):
                return agent
            return min(subjects, key=lambda c: _subject_rank(c, verb))
        if any(child.dep_ == "agent" for child in verb.children):
            return agent
        if verb.i == cue.i and (misread := _subject_read_as_object(cue)) is not None:
            return misread
        if verb.i == cue.i and (earlier := _earlier_cue_continued(cue, cues)) is not None:
            verb = earlier
            continue
        if not _climbs(verb):
            return None
        if (controller := _object_controller(verb)) is not None:
            return controller
        # "Lavrov arrived and said", "ended by saying", "emailed supporters saying": the subject is
        # the verb's above it.
        verb = verb.head
    return None


def _subject_read_as_object(cue: Token) -> Token | None:
    """'Smith praised the plan and Jones called it “…”': the parser made "Jones" a conjunct of the object
    "plan" and the cue a subjectless conjunct of "praised" (or a clause on "plan"); the conjunct right before
    the cue (its auxiliaries and adverbs aside) is the cue's subject."""
    if cue.dep_ not in MISREAD_CUE_DEPS:
        return None
    i = cue.i - 1
    while i > 0 and cue.doc[i].dep_ in CUE_MODIFIER_DEPS:
        i -= 1
    before = cue.doc[i]
    misread = (
        before.dep_ == "conj"
        and before.pos_ in MENTION_POS
        and before.head.pos_ in MENTION_POS
        and cue.head.i in (before.head.i, before.head.head.i)
    )
    return before if misread else None


def _earlier_cue_continued(cue: Token, cues: Container[int]) -> Token | None:
    """The cue before a subjectless cue that the parser hung inside what that cue reports: "Suu Kyi said it
    was too early but added, “…”" (a conjunct of the reported clause, or of a clause within it: "Park said that
    she thinks the report should be published but said “…”"), "Hale said that she thinks … but said “…”" (a
    reported clause of its own, with no subject). The later cue continues that saying."""
    if cue.dep_ in ("conj", "advcl"):
        clause = cue.head
    elif cue.dep_ == "ccomp" and cue.i > 0 and cue.doc[cue.i - 1].pos_ == "CCONJ":
        clause = cue  # 'but said': a second predicate, not a clause whose subject the parser lost
    else:
        return None
    for _ in range(MAX_SUBJECT_CLIMB):
        if clause.dep_ != "ccomp":
            return None
        clause = clause.head
        if clause.i in cues and clause.i < cue.i:
            return clause
    return None


def _object_controller(verb: Token) -> Token | None:
    """'That prompted Rubio to call Trump “very flexible”': the one told, asked or prompted to do something
    does it; the object of the verb above an infinitive is its subject."""
    if (
        verb.dep_ != "xcomp"
        or verb.head.pos_ != "VERB"
        or not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    ):
        return None
    return next(
        (
            c
            for c in verb.head.children
            if c.dep_ == "dobj" and c.i < verb.i and (c.ent_type_ in SPEAKER_ENTITIES or c.tag_ == "PRP")
        ),
        None,
    )


def _climbs(verb: Token) -> bool:
    """The verb hangs on another whose subject is its own ("arrived and said", "ended by saying")."""
    return verb.dep_ in SUBJECT_CLIMB_DEPS and verb.head.i != verb.i


def _second_half_of_name(subject: Token, subjects: list[Token]) -> bool:
    return subject.i > 1 and joins_name(subject.doc[subject.i - 1]) and subject.doc[subject.i - 2] in subjects


def _subject_rank(subject: Token, verb: Token) -> tuple[bool, int]:
    """Of two subjects the parser gave a verb ("No wonder Trump said", "6:50 p.m. ⏎ Pacheco said"), the one that
    names someone, then the one nearest the verb."""
    names_someone = subject.pos_ == "PRON" or subject.ent_type_ in SPEAKER_ENTITIES
    return (not names_someone, abs(subject.i - verb.i))


def _mention_before_aside(context: ArticleContext, cue: Token) -> Token | None:
    """'the country’s news agency, citing a diplomatic source, said': the parser lost the subject;
    it is the noun right before the cue, or before an aside between commas: a participle ('citing …'), a
    prepositional phrase ('Margaret Sullivan, in an attempt to …, wrote'), or the speaker's own name
    ('her senior policy adviser, Jake Sullivan, said')."""
    doc = context.doc
    sentence_start = context.sentence(cue).start
    i = cue.i - 1
    if i > sentence_start and doc[i].text == ",":
        opening = next(
            (j for j in range(i - 1, max(i - MAX_ASIDE_TOKENS, sentence_start), -1) if doc[j].text == ","),
            None,
        )
        if opening is None:
            return None
        aside = doc[opening + 1 : i]
        if not aside:
            return None
        if all(t.ent_type_ == "PERSON" for t in aside):
            return aside[-1]
        if aside[0].tag_ not in ("VBG", "VBN", "IN", "NN"):
            return None  # a participle, a preposition, or a role ('Brent Bozell III, founder of …, tells')
        i = opening - 1
    i = _before_parenthetical(context, i, sentence_start)
    if (
        i < sentence_start
        or doc[i].pos_ not in ("NOUN", "PROPN")
        or not _can_speak(doc[i])
        or context.quoted_chars(doc[i].idx, doc[i].idx + 1)
    ):
        return None
    # '“Yes, I support Ted Cruz,” Brent Bozell III, …': the parser may hang the name on a word of the quote.
    return name_head(context, doc[i])


def _before_parenthetical(context: ArticleContext, i: int, sentence_start: int) -> int:
    """'Sen. John Smith (D-Ohio), noting …, said': the token before a short parenthetical (a party and state, an
    age) that ends at token i, or i itself."""
    doc = context.doc
    if i < sentence_start or doc[i].text != ")":
        return i
    for j in range(i - 1, max(i - MAX_PARENTHETICAL_TOKENS, sentence_start) - 1, -1):
        if doc[j].text == "(":
            return j - 1
        if doc[j].text == ")":
            break
    return i


def _mention_after_quote(context: ArticleContext, cue: Token) -> Token | None:
    """'“…,” Gene Sperling, a top Clinton adviser, said': the parser hung the name on the quoted
    clause, so the cue has no subject; the speaker is the mention that opens the attribution."""
    doc = context.doc
    start = context.sentence(cue).start
    for i in range(cue.i - 1, max(cue.i - MAX_ATTRIBUTION_TOKENS, start - 1), -1):
        token = doc[i]
        if token.text in QUOTE_MARKS:
            opening = next((t for t in doc[i + 1 : cue.i] if t.pos_ in MENTION_POS or _reads_as_name(context, t)), None)
            return None if opening is None else name_head(context, opening)
        if (token.pos_ in ("VERB", "AUX") and not _reads_as_name(context, token)) or i in context.cue_at:
            return None
    return None


def _unquoted_mention_beside(context: ArticleContext, cue: Token) -> Token | None:
    """The head of the noun phrase right after the cue ("said Leslie Wimes") or right before it,
    outside quote marks. A time right after the cue ends the search on that side: '“…,” Flynn, a top Trump
    surrogate, said Thursday morning' names its speaker before the cue."""
    doc = context.doc
    sentence = context.sentence(cue)
    after = doc[cue.i + 1 : min(cue.i + 1 + ADJACENT_CUE_TOKENS, sentence.end)]
    before = reversed(doc[max(cue.i - ADJACENT_CUE_TOKENS, sentence.start) : cue.i])
    for side in (after, before):
        for token in side:
            if context.quoted_chars(token.idx, token.idx + 1) or token.text in QUOTE_MARKS or not _can_speak(token):
                break
            if token.pos_ in MENTION_POS or _names_a_person(context, token):
                return name_head(context, token)
    return None


def name_head(context: ArticleContext, token: Token) -> Token:
    """The head of the name a token is part of ("Leslie" -> "Wimes", "(D-Md.)" -> "Cummings"), short of
    quoted words: the parser may hang the name after a quote on a word of it ('“… and our military,” Flynn,
    a top Trump surrogate, said': "Flynn" an apposition of "military")."""
    while (
        token.dep_ in NAME_PART_DEPS
        and token.head.i != token.i
        and token.head.pos_ in MENTION_POS
        and not context.quoted_chars(token.head.idx, token.head.idx + 1)
    ):
        token = token.head
    return token


def _reads_as_name(context: ArticleContext, token: Token) -> bool:
    """A capitalised word inside a sentence where a mention stands (between a closing quote mark and its
    cue, or as the cue's subject) is a name whatever the tagger took it for ('“…,” DeBoer said', "DeBoer"
    tagged an auxiliary)."""
    return _names_a_person(context, token) or (token.text[:1].isupper() and token.is_alpha and not token.is_sent_start)


def _names_a_person(context: ArticleContext, token: Token) -> bool:
    """'“…,” Will wrote': a word the article spells as part of a person's name ("George Will") is a name here
    too, however the tagger read it."""
    return token.is_title and token.text in context.resolver.person_words
