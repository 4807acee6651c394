"""Quote extraction and attribution (service/quotes.py), case by case from the issue."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from spacy.tokens import Doc

from service.nlp import load_spacy
from service.quotes import extract_quotes, find_quoted_spans
from service.quotes.agencies import load_agency_table, parse_agency_table
from service.schema import Article, Quote, TextSpan
from service.settings import DEFAULT_SPACY_MODEL

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def nlp():
    return load_spacy(DEFAULT_SPACY_MODEL)


def article_of(paragraphs: list[str], gap: str = "\n") -> tuple[str, Article]:
    """A page made of paragraphs (separated by ``gap``) and its Article, page offsets kept."""
    spans = []
    cursor = 0
    for text in paragraphs:
        spans.append(TextSpan(text, cursor, cursor + len(text)))
        cursor += len(text) + len(gap)
    return gap.join(paragraphs), Article(headline=None, dateline=None, bullets=(), paragraphs=tuple(spans))


def quotes_of(nlp, paragraphs: list[str]) -> tuple[str, list[Quote]]:
    page, article = article_of(paragraphs)
    quotes = extract_quotes(article, nlp(article.body.text))
    for quote in quotes:
        assert page[quote.start : quote.end] == quote.text
        assert 0.0 <= quote.confidence <= 1.0
    return page, quotes


def only(quotes: list[Quote], fragment: str) -> Quote:
    found = [q for q in quotes if fragment in q.text]
    assert len(found) == 1, [q.text for q in quotes]
    return found[0]


POSITIVE_CASES = {
    "curly marks": (
        ["Sergey Lavrov arrived on Monday.", "“We are ready to talk,” Lavrov said."],
        "We are ready to talk,",
        "Sergey Lavrov",
        "direct",
    ),
    "straight marks": (
        ['"We are ready to talk," Sergey Lavrov said.'],
        "We are ready to talk,",
        "Sergey Lavrov",
        "direct",
    ),
    "angle marks": (
        ["«We are ready to talk,» Sergey Lavrov said."],
        "We are ready to talk,",
        "Sergey Lavrov",
        "direct",
    ),
    "multi-sentence": (
        ["“We are ready. We will come next week,” Sergey Lavrov said."],
        "We are ready. We will come next week,",
        "Sergey Lavrov",
        "direct",
    ),
    "partial": (
        [
            "Kim Jong Un met him. Kim reaffirmed his commitment to “unconditionally support all measures” taken by Russia."
        ],
        "unconditionally support all measures",
        "Kim Jong Un",
        "partial",
    ),
    "colon-introduced": (
        ["Sergey Lavrov said: “We are ready to talk to anyone.”"],
        "We are ready to talk to anyone.",
        "Sergey Lavrov",
        "direct",
    ),
    "trailing dash name": (
        ["“Stay hungry, stay foolish, and never stop learning.” — Steve Jobs"],
        "Stay hungry, stay foolish, and never stop learning.",
        "Steve Jobs",
        "direct",
    ),
    "previous-sentence speaker": (
        [
            "Hugh Hill, a doctor, said the clinic was full on Monday night.",
            "“We had no beds left for anyone who came in.”",
        ],
        "We had no beds left",
        "Hugh Hill",
        "direct",
    ),
    "pronoun resolution": (
        ["Angela Merkel visited Paris on Friday.", "“It was a very good day for Europe,” she said."],
        "It was a very good day for Europe,",
        "Angela Merkel",
        "direct",
    ),
    "apposition dropped": (
        ["Hugh Hill, a doctor, said: “The wards are full and we are exhausted.”"],
        "The wards are full",
        "Hugh Hill",
        "direct",
    ),
    "it voiced its regret": (
        ["Mali said it was leaving the group.", "It voiced its “regret” over the decision."],
        "regret",
        "Mali",
        "partial",
    ),
    "naming verb": (["Jeb Bush called Trump “unhinged” on Tuesday."], "unhinged", "Jeb Bush", "partial"),
    "colon ending the previous paragraph": (
        [
            "Ted Cruz called them on it:",
            "“The questions asked in this debate illustrate why people distrust the media.”",
        ],
        "The questions asked",
        "Ted Cruz",
        "direct",
    ),
    "dash name before a colon": (
        ["Pollsters agree - Carl Bialik: “Keep on contacting voters as late as possible.”"],
        "Keep on contacting",
        "Carl Bialik",
        "direct",
    ),
    "verb outside the lexicon after the quote": (
        ["“This is fantastic!” beamed Donald Hartley of Madison."],
        "This is fantastic!",
        "Donald Hartley",
        "direct",
    ),
    "organisation speaker": (
        ["The White House said it was banning foreigners who “intend to threaten” Americans."],
        "intend to threaten",
        "White House",
        "partial",
    ),
    "cue clause hung on the quote": (
        ["As Michael Dell said last week in Tel Aviv, “Israel is the center of the digital future.”"],
        "Israel is the center",
        "Michael Dell",
        "direct",
    ),
    "long quote under a verb outside the lexicon": (
        [
            "Senator Maria Cantwell offered “my thoughts and prayers for all of the victims and their families” on Monday."
        ],
        "my thoughts and prayers",
        "Maria Cantwell",
        "partial",
    ),
    "horizontal bar name, closer typed as opener": (
        ["”Fear. I am truly afraid that he will win the election.” ― Edwin G. Monroy"],
        "I am truly afraid",
        "Edwin G. Monroy",
        "direct",
    ),
    "longer attribution after a question": (
        ["“So why didn’t Donald Trump pay his taxes?” a narrator in the Clinton ad asks."],
        "So why didn’t",
        "a narrator in the Clinton ad",
        "direct",
    ),
    "inverted speaker the parser missed": (
        ["“Gun owners should leave their weapons at home,” opined the Plain Dealer."],
        "Gun owners should",
        "Plain Dealer",
        "direct",
    ),
    "inverted speaker after quoted words": (
        ["“Hillary Clinton’s campaign is in panic mode. Full panic mode,” said Leslie Wimes."],
        "panic mode",
        "Leslie Wimes",
        "direct",
    ),
    "horizontal bar right after the closing mark": (
        ["“He is ignorant of our culture and our lives.”― Pamela Padilla"],
        "ignorant of our culture",
        "Pamela Padilla",
        "direct",
    ),
    "credit in the paragraph below": (
        ['"I went to Wall Street before the crash and warned them."', "- Hillary Clinton."],
        "went to Wall Street",
        "Hillary Clinton",
        "direct",
    ),
    "inner quote closing before the verb": (
        ["“Leaders honored Donald J. Trump for what they called ‘the comeback of the decade,’” the article read."],
        "Leaders honored",
        "the article",
        "direct",
    ),
    "cue clause before the comma hung deeper on the quote": (
        [
            "Governor Rick Snyder did not seem impressed by the remarks, telling reporters, “A lot of people said the governor "
            "should step down.”"
        ],
        "A lot of people",
        "Rick Snyder",
        "direct",
    ),
    "as X put it": (
        ["As Senator Jane Doe put it, “We cannot wait for another winter.”"],
        "We cannot wait",
        "Jane Doe",
        "direct",
    ),
    "interjected": (
        ["Sarah Silverman interjected, “Ladies and gentlemen, Mr. Paul Simon.”"],
        "Ladies and gentlemen",
        "Sarah Silverman",
        "direct",
    ),
    "according to X before the quote": (
        ["According to the Daily Caller, “Labott also coordinated with Reines on the quote.”"],
        "Labott also coordinated",
        "Daily Caller",
        "direct",
    ),
    "quote inside a reported clause": (
        ["Hillary Clinton said anybody who complains about a microphone “is not having a good night.”"],
        "not having a good night",
        "Hillary Clinton",
        "partial",
    ),
    "closer typed as an opener": (
        ["The mayor asked for an “expedited review“ of the water system on Monday."],
        "expedited review",
        "The mayor",
        "partial",
    ),
    "credit verb tagged as a noun": (
        ["“If she wants to be the next president, she should act like one,” the editorial read."],
        "act like one",
        "the editorial",
        "direct",
    ),
    "name the parser hung on the quote": (
        [
            "“It is not the position that everything is hunky-dory,” Gene Sperling, a top outside "
            "Clinton adviser, said at a recent event in Iowa."
        ],
        "hunky-dory",
        "Gene Sperling",
        "direct",
    ),
    "barked": (["“Go back to Univision,” Trump barked."], "Go back to Univision", "Trump", "direct"),
    "thundered": (
        ["Senator Bob Smith thundered, “This is a disgrace to the office.”"],
        "a disgrace",
        "Bob Smith",
        "direct",
    ),
    "no space between the cue's comma and the mark": (
        ["Paul Ryan said,“Look, those images have no place in a campaign.”"],
        "those images",
        "Paul Ryan",
        "direct",
    ),
    "parenthetical cue inside the reported clause": (
        ["South Carolina, he said, was “where we have a chance to go mano a mano with Trump.”"],
        "mano a mano",
        "he",
        "partial",
    ),
    "a reported clause before ', said X' the parser made a subject": (
        [
            'Voters rejected the treaty. The rejection of the treaty signals "the beginning of the end" for the EU, '
            "said Geert Wilders, founder of the Dutch Party for Freedom."
        ],
        "beginning of the end",
        "Geert Wilders",
        "partial",
    ),
    "what a speaker blames something on": (
        ["Ted Cruz spoke in Denver. Cruz blamed the anti-fracking law on “knuckleheaded Democratic politicians.”"],
        "knuckleheaded",
        "Ted Cruz",
        "partial",
    ),
    "parenthetical cue on the root the quote holds": (
        ["Josh Earnest spoke on Tuesday. Cost estimates, he added, were “based on a prototype detention facility.”"],
        "prototype detention",
        "Josh Earnest",
        "partial",
    ),
    "pronoun in a parenthetical cue is not the clause's subject": (
        [
            "Senator Jim Sexton spoke on Monday.",
            "Loyalty, he noted, has long been a core tenet of the party, and likely what keeps its “old guard” engaged.",
        ],
        "old guard",
        "Jim Sexton",
        "partial",
    ),
    "parenthetical cue before the reported clause": (
        ["Instead, Donald Trump told CNN, his policy would merely be “to go after them” if he wins the White House."],
        "go after them",
        "Donald Trump",
        "partial",
    ),
    "sentence-initial word before the name": (
        ["Rival Hillary Clinton said the debate was “a hell of a night.”"],
        "a hell of a night",
        "Hillary Clinton",
        "partial",
    ),
    "full name only in quoted words": (
        [
            "Trump wrote: “Crooked Hillary Clinton is spending a fortune on ads against me.”",
            "Clinton replied: “He will lose in November.”",
        ],
        "He will lose",
        "Clinton",
        "direct",
    ),
    "full name only in a headline": (
        [
            "Trump Stands Tall On Proposal For Border Wall With Mexico.",
            "“We will build the wall,” Trump said on Monday.",
        ],
        "build the wall",
        "Trump",
        "direct",
    ),
    "long lower-case attribution after an exclamation": (
        [
            '"Will the governor ever answer the question? If he does not, he should step down!" the leader of the '
            "state senate, Maria Lopez, wrote on Sunday after the hearing in the capital."
        ],
        "ever answer the question",
        "Maria Lopez",
        "direct",
    ),
    "party and state between a name and an aside": (
        [
            "But Sen. John Smith (D-Ohio), noting the size of the rally, said, “Let me tell you, he has got a heck "
            "of a crowd.”"
        ],
        "heck of a crowd",
        "John Smith",
        "direct",
    ),
    "nearest of two cues the parser hung on the quote": (
        [
            "When the governor said the city would sue the state over the deal, Tom Reed fired back forcefully: "
            "“If they sue us in a court in Miami, they are going to lose.”"
        ],
        "sue us in a court",
        "Tom Reed",
        "direct",
    ),
    "participle cue the parser made the quoted verb's subject": (
        [
            "Band member Flea shared the news on social media last week, writing “Feels great to support someone "
            "I believe in. The band offered to give him the money.”"
        ],
        "Feels great",
        "Flea",
        "direct",
    ),
    "second cue hung on the first one's object predicate": (
        [
            "Barack Obama spoke in Washington on Monday.",
            'He called it "shameful" and called on leaders "not to feed that dark impulse inside of us."',
        ],
        "dark impulse",
        "Barack Obama",
        "partial",
    ),
    "a country word ending a name is a surname": (
        [
            "Hillary Clinton met House Democrats.",
            "Rep. Steve Israel said Clinton called on members to be “closely coordinated.”",
        ],
        "closely coordinated",
        "Steve Israel",
        "partial",
    ),
    "a surname that is a country does not make a man of a she": (
        [
            "Hillary Clinton met House Democrats.",
            "Rep. Steve Israel said Clinton called on members to be “closely coordinated.” She added that 2016 “is "
            "going to be a national security election.”",
        ],
        "national security election",
        "Hillary Clinton",
        "partial",
    ),
    "one prompted to speak is the speaker": (
        [
            "Marco Rubio and Ted Cruz sparred with Donald Trump on Thursday.",
            "At one point Cruz coached Trump to breathe. That prompted Rubio to make a joke about yoga and call "
            'Trump "very flexible," a nod to his changes of position.',
        ],
        "very flexible",
        "Marco Rubio",
        "partial",
    ),
    "the one urging speaks, not the ones urged": (
        ['Bernie Sanders released an ad that urges voters in New York to "send a message" to Wall Street banks.'],
        "send a message",
        "Bernie Sanders",
        "partial",
    ),
}


@pytest.mark.parametrize("paragraphs, fragment, speaker, kind", POSITIVE_CASES.values(), ids=POSITIVE_CASES.keys())
def test_quote_found_with_speaker(nlp, paragraphs, fragment, speaker, kind):
    _page, quotes = quotes_of(nlp, paragraphs)
    quote = only(quotes, fragment)
    assert quote.speaker == speaker
    assert quote.kind == kind
    assert quote.speaker_span is not None and quote.speaker_mention_span is not None


MENTION_CASES = {
    # The parser hung the name after the quote on a quoted word ("military"): the mention stops at the mark.
    "a name after the quote, not the quoted words it hangs on": (
        [
            "Michael Flynn backed Trump.",
            "“There is a severe disconnect between this White House and our military,” Flynn, a top Trump "
            "surrogate, said Thursday morning on Fox News’s “Fox and Friends.”",
        ],
        "severe disconnect",
        "Flynn",
        "Michael Flynn",
    ),
    "a cue opening its sentence, its speaker after it": (
        [
            "Tax experts doubt her plans. Ryan Ellis runs a group.",
            "Said Ellis: “I don’t get the sense she’s the least bit interested in tax reform.”",
        ],
        "tax reform",
        "Ellis",
        "Ryan Ellis",
    ),
    "a time after the cue, the name before it": (
        [
            "The shooting is under investigation.",
            "“I will just make this promise to you: We will achieve justice in this case,” Tulsa police Chief "
            "Chuck Jordan said Monday. “I want to assure our community.”",
        ],
        "achieve justice",
        "Chuck Jordan",
        "Chuck Jordan",
    ),
}


def test_a_message_that_said_is_a_cue(nlp):
    _, quotes = quotes_of(nlp, ["The page showed a message that said, “Sorry, the item you requested is gone.”"])
    assert [q.text for q in quotes] == ["Sorry, the item you requested is gone."]


@pytest.mark.parametrize(
    "paragraphs",
    [
        # The one who is told speaks only in reply: "Ask" is an imperative, not "Said Ellis".
        ["Ask Trump: “Is this the America we want?”"],
        # Clinton is the subject of what "Says" reports, not its speaker.
        ["Gun groups are angry. Says Clinton would stack the Supreme Court: “We will fight it.”"],
    ],
)
def test_opening_cue_does_not_take_any_name_after_it(nlp, paragraphs):
    _page, quotes = quotes_of(nlp, paragraphs)
    assert [q.speaker for q in quotes] == [None]


@pytest.mark.parametrize("paragraphs, fragment, mention, speaker", MENTION_CASES.values(), ids=MENTION_CASES.keys())
def test_speaker_mention_is_outside_quotes_and_cue(nlp, paragraphs, fragment, mention, speaker):
    _page, quotes = quotes_of(nlp, paragraphs)
    quote = only(quotes, fragment)
    assert (quote.speaker_mention, quote.speaker) == (mention, speaker)


def test_pronoun_speaker_span_is_the_pronoun(nlp):
    page, quotes = quotes_of(
        nlp, ["Angela Merkel visited Paris on Friday.", "“It was a very good day for Europe,” she said."]
    )
    quote = only(quotes, "good day")
    assert page[quote.speaker_mention_span[0] : quote.speaker_mention_span[1]] == "she"
    assert page[quote.speaker_span[0] : quote.speaker_span[1]] == quote.speaker == "Angela Merkel"
    assert page[quote.cue_span[0] : quote.cue_span[1]] == "said"


def test_split_quote_is_two_parts_of_one_statement(nlp):
    page, quotes = quotes_of(
        nlp, ["Sergey Lavrov spoke on Monday.", "“We are ready,” he said, “and we will come next week.”"]
    )
    first, second = only(quotes, "We are ready"), only(quotes, "and we will come")
    assert first.content_span == second.content_span
    assert first.speaker == second.speaker == "Sergey Lavrov"
    assert page[first.content_span[0] : first.content_span[1]].startswith("We are ready")


def test_quote_across_paragraphs(nlp):
    _page, quotes = quotes_of(
        nlp,
        [
            "Sergey Lavrov said: “We are ready to talk to every country in the region.",
            "“We will come back next week with a proposal,” he added.",
        ],
    )
    first, second = only(quotes, "ready to talk"), only(quotes, "come back next week")
    assert first.content_span == second.content_span
    assert first.speaker == second.speaker == "Sergey Lavrov"


def test_naming_verb_content_is_object_and_name(nlp):
    page, quotes = quotes_of(nlp, ["Sen. Marco Rubio called the statement “offensive and outlandish.”"])
    quote = only(quotes, "offensive")
    assert page[quote.content_span[0] : quote.content_span[1]] == "the statement “offensive and outlandish."


@pytest.mark.parametrize(
    "sentence, fragment, holds, ends",
    [
        (
            "Former President Bill Clinton lambasted the Affordable Care Act as a “crazy system” in Flint.",
            "crazy system",
            "the Affordable Care Act as a “crazy system",
            None,
        ),
        (
            "Donald Trump often refers to Marco Rubio as “Little Marco” at his rallies.",
            "Little Marco",
            "Marco Rubio as “Little Marco",
            None,
        ),
        (
            "Governor Jeb Bush said he was “a big advocate” of common standards, which he argued help students.",
            "a big advocate",
            "he was",
            "of common standards",
        ),
        (
            "Senator Bernie Sanders said Americans are “right to be angry,” but also hungry for real solutions.",
            "right to be angry",
            "Americans are",
            "but also hungry for real solutions",
        ),
    ],
    ids=[
        "verb outside the lexicon, object and as-phrase",
        "refer to X as",
        "writer's clause after a comma is cut",
        "conjunction goes on with the speaker's words",
    ],
)
def test_partial_content_is_the_speakers_clause(nlp, sentence, fragment, holds, ends):
    page, quotes = quotes_of(nlp, [sentence])
    quote = only(quotes, fragment)
    content = page[quote.content_span[0] : quote.content_span[1]]
    assert quote.kind == "partial"
    assert holds in content
    assert ends is None or content.rstrip("”,").endswith(ends)


def test_naming_verb_without_quote_is_no_statement(nlp):
    _, quotes = quotes_of(nlp, ["The mayor called a meeting and labelled the boxes on Monday."])
    assert quotes == []


@pytest.mark.parametrize(
    "paragraph, first_words, second_words",
    [
        (
            "“Some people feel he will bring revolution,” she said. “If he gets in, things will explode,” she said.",
            "revolution",
            "explode",
        ),
    ],
    ids=["each with its own cue"],
)
def test_quotes_stay_two_statements(nlp, paragraph, first_words, second_words):
    _, quotes = quotes_of(nlp, [paragraph])
    assert only(quotes, first_words).content_span != only(quotes, second_words).content_span


def test_cue_after_a_finished_quote_introduces_the_next(nlp):
    _, quotes = quotes_of(
        nlp,
        [
            "“Of course I believe in the devil. I was just kidding.” To which she said, “Thank God at "
            "least you still do.”"
        ],
    )
    reply = only(quotes, "Thank God")
    assert reply.cue == "said"
    assert all(q.cue_span != reply.cue_span for q in quotes if "believe in the devil" in q.text)


def test_quotes_one_cue_governs_are_one_statement(nlp):
    page, quotes = quotes_of(
        nlp,
        ["Netanyahu warned that “the rule of the right is in danger” because “Arab voters are coming out in droves.”"],
    )
    first, second = only(quotes, "rule of the right"), only(quotes, "Arab voters")
    assert first.content_span == second.content_span
    assert page[first.content_span[0] : first.content_span[1]].startswith("that “the rule")


def test_relative_pronoun_speaker_span_is_the_pronoun(nlp):
    page, quotes = quotes_of(
        nlp, ["The crowd cheered Glenn Beck, who said there were “too many disturbing things to dismiss.”"]
    )
    quote = only(quotes, "too many disturbing")
    assert page[quote.speaker_mention_span[0] : quote.speaker_mention_span[1]] == quote.speaker_mention == "who"
    assert page[quote.speaker_span[0] : quote.speaker_span[1]] == quote.speaker == "Glenn Beck"


RUN_ON_CASES = {
    "long frame inside the paragraph": (
        [
            '"He is going to be a major influence on Trump," said Scott Reed, senior political strategist for the U.S. '
            'Chamber of Commerce and a longtime friend. "They are close in age, so Trump does not look to him like he is '
            'some kid. He brings a level of professionalism to the operation at an important time."'
        ],
        "major influence",
        "They are close in age",
        "Scott Reed",
    ),
    "a later cue in the frame names someone else": (
        [
            '"We wanted to ensure that no president could waive sanctions without congressional approval," Corker said, '
            'pointing out that 98 senators voted last year to insist on a review. "Most Democrats agree that a president '
            'should not be able to do that."'
        ],
        "waive sanctions",
        "Most Democrats agree",
        "Corker",
    ),
    "after a partial quote": (
        [
            'Though campaigns cannot check every donation, "getting many maxed-out contributions on one day is a yellow '
            'light," said election lawyer Joe Birkenstock. "It does not mean there is anything wrong, but a compliance '
            'team should follow up on it."'
        ],
        "yellow light",
        "It does not mean",
        "Joe Birkenstock",
    ),
    "narration longer than the quotes, same paragraph": (
        [
            '"That is the question," Clark said, noting that he would support any of the other candidates if one of them '
            'secured the nomination before the convention in July. "We have a deep bench."'
        ],
        "the question",
        "deep bench",
        "Clark",
    ),
    "the second quote's sentence goes on without a cue": (
        [
            '"Our members are frustrated with Secretary Perez," said Jack Mozloom, a spokesman for the federation. "He has '
            'been very aggressive with the overtime rule," which Mozloom thinks will lead employers to cut hours.'
        ],
        "frustrated",
        "very aggressive",
        "Jack Mozloom",
    ),
    "the second quote runs on into narration": (
        [
            '"I do not think this is something that voters in Iowa are going to care about," Palmieri told reporters. '
            '"They care that she is focused on raising incomes for the middle class" and other pocketbook issues.'
        ],
        "voters in Iowa",
        "raising incomes",
        "Palmieri",
    ),
    "the next sentence reports something else after a full stop": (
        [
            '"I just think what Rubio has done on immigration is one of the worst machinations in politics," the Senate '
            'minority leader said. "It shows a lack of character." Reid said both Rubio and Cruz were "non-entities in the '
            'Senate."'
        ],
        "worst machinations",
        "lack of character",
        "the Senate minority leader",
    ),
    "the second quote lost its closing mark at the paragraph's end": (
        [
            "“Donald Trump is a presidential candidate unlike any we have ever seen before,” said Martin Baron. “His "
            "candidacy has defied all conventions and upended the political landscape.",
            "The paper hired twenty reporters.",
        ],
        "presidential candidate",
        "His candidacy",
        "Martin Baron",
    ),
}


@pytest.mark.parametrize(
    "paragraphs, first_words, second_words, speaker", RUN_ON_CASES.values(), ids=RUN_ON_CASES.keys()
)
def test_quote_run_after_its_frame_is_one_statement(nlp, paragraphs, first_words, second_words, speaker):
    _, quotes = quotes_of(nlp, paragraphs)
    first, second = only(quotes, first_words), only(quotes, second_words)
    assert first.content_span == second.content_span
    assert first.speaker == second.speaker == speaker


RUN_APART_CASES = {
    "next paragraph after a long frame": (
        [
            '"That is the question," Clark said, noting that he would support any of the other candidates if one of them '
            "secured the nomination before the convention in July and the delegates agreed.",
            '"We have developed a deep bench of candidates here in the state, and all of them can win," he added later.',
        ],
        "the question",
        "deep bench",
    ),
}


@pytest.mark.parametrize("paragraphs, first_words, second_words", RUN_APART_CASES.values(), ids=RUN_APART_CASES.keys())
def test_quote_run_stays_apart(nlp, paragraphs, first_words, second_words):
    _, quotes = quotes_of(nlp, paragraphs)
    assert only(quotes, first_words).content_span != only(quotes, second_words).content_span


SENTENCE_OPENING_CASES = {
    "clause goes on after the quote": (
        '"Many would consider that an embarrassment for Hillary Clinton" if she did not win by a wider margin, '
        "said David Wasserman, an analyst.",
        "Many would consider",
        "partial",
        "margin",
    ),
    "name and cue after the quote": ('"We are ready to talk" Lavrov said on Monday.', "We are ready", "direct", "talk"),
    "continuation of the quote before runs to the sentence's end": (
        '"We are ready to talk," Lavrov said. "We will send a delegation" to the summit in Geneva next week.',
        "send a delegation",
        "direct",
        "next week",
    ),
    "comma before the cue": ('"We are ready to talk," said Sergey Lavrov.', "We are ready", "direct", "talk,"),
}


@pytest.mark.parametrize(
    "paragraph, words, kind, content_end", SENTENCE_OPENING_CASES.values(), ids=SENTENCE_OPENING_CASES.keys()
)
def test_quote_opening_a_sentence_that_goes_on_is_partial(nlp, paragraph, words, kind, content_end):
    page, quotes = quotes_of(nlp, [paragraph])
    quote = only(quotes, words)
    assert quote.kind == kind
    assert page[quote.content_span[0] : quote.content_span[1]].endswith(content_end)


SECOND_CUE_CASES = {
    "adding with a comma": (
        "“It has been a total disaster for him,” Trump said, adding, “Nobody cares. I built a company.”",
        "total disaster",
        "Nobody cares",
        "adding",
    ),
    "adding with a colon": (
        "“I have tremendous respect for Governor Mike Pence,” Cruz said, adding: “I would welcome his support.”",
        "tremendous respect",
        "welcome his support",
        "adding",
    ),
}


@pytest.mark.parametrize(
    "paragraph, first_words, second_words, second_cue", SECOND_CUE_CASES.values(), ids=SECOND_CUE_CASES.keys()
)
def test_second_cue_between_quotes_starts_a_statement(nlp, paragraph, first_words, second_words, second_cue):
    _, quotes = quotes_of(nlp, [paragraph])
    first, second = only(quotes, first_words), only(quotes, second_words)
    assert first.content_span != second.content_span
    assert first.speaker == second.speaker
    assert second.cue == second_cue


def test_line_break_inside_a_quote(nlp):
    page, quotes = quotes_of(
        nlp,
        [
            "“Supporters of other candidates have focused on advertising that gets them to participate",
            "in caucuses and primaries,” Blackwell added.",
        ],
    )
    quote = only(quotes, "Supporters")
    assert page[quote.content_span[0] : quote.content_span[1]].endswith("primaries,")
    assert quote.speaker == "Blackwell"


def test_pull_quote_credit_line_is_the_speaker_not_the_statement(nlp):
    # Straight marks: the closer on the credit line still closes the quote the line break interrupted.
    page, quotes = quotes_of(
        nlp,
        [
            '"I worry that we may see a resurgence of Democrats singing the virtues of balanced budgets.',
            'Dean Baker, Center for Economic and Policy Research."',
            "Clinton has not answered.",
            "“Our current efforts to date have been insufficient.",
            "Amy Pope, deputy homeland security advisor.”",
        ],
    )
    quote = only(quotes, "I worry")
    assert quote.speaker == "Dean Baker" and quote.rule == "credit_line"
    assert quote.text.endswith("balanced budgets.") and "Baker" not in page[slice(*quote.content_span)]
    # A surname that spells a title ("Pope") is still the name's.
    assert only(quotes, "insufficient").speaker == "Amy Pope"
    assert len(quotes) == 2


def test_indirect_speech(nlp):
    page, quotes = quotes_of(
        nlp,
        [
            "Sergey Lavrov visited Pyongyang.",
            "Russia understands North Korea’s decision to seek nuclear weapons, Lavrov said.",
        ],
    )
    quote = only(quotes, "Russia understands")
    assert quote.kind == "indirect"
    assert quote.speaker == "Sergey Lavrov"
    assert (
        page[quote.content_span[0] : quote.content_span[1]]
        == "Russia understands North Korea’s decision to seek nuclear weapons"
    )


def test_indirect_clause_ends_where_a_quote_of_its_own_begins(nlp):
    page, quotes = quotes_of(
        nlp,
        [
            'Aung San Suu Kyi said it was too early to congratulate the winners but added, "I think you all '
            'have an idea of the results."'
        ],
    )
    indirect = only(quotes, "too early")
    assert indirect.kind == "indirect"
    assert page[indirect.content_span[0] : indirect.content_span[1]] == "it was too early to congratulate the winners"
    assert only(quotes, "an idea of the results").cue == "added"


AGENCY_CASES = {
    "according to KCNA (full name)": (
        "He said they share views on “all strategic issues,” according to North Korea’s official Korean Central News Agency.",
        "KCNA",
    ),
    "KCNA reported": (
        "Lavrov called for stronger “strategic and tactical cooperation” in international affairs, KCNA reported.",
        "KCNA",
    ),
    "according to Tass": (
        "“We warn against exploiting these ties,” he said, according to Russia’s state Tass news agency.",
        "Tass",
    ),
    "seen by AFP": (
        "In statements seen Wednesday by AFP, they said they were imposing “equivalent measures” on US citizens.",
        "AFP",
    ),
    "according to a ministry": (
        "Lavrov said, “I am sure that tourists will come here,” according to the Russian Foreign Ministry.",
        "Russian Foreign Ministry",
    ),
    "no agency stated": (
        "Kim reaffirmed his commitment to “unconditionally support all measures” taken by Russia.",
        None,
    ),
}


@pytest.mark.parametrize("sentence, agency", AGENCY_CASES.values(), ids=AGENCY_CASES.keys())
def test_source_agency(nlp, sentence, agency):
    _, quotes = quotes_of(nlp, ["Sergey Lavrov met Kim Jong Un and Mali officials.", sentence])
    assert quotes and all(q.source_agency == agency for q in quotes if q.kind != "indirect")


def test_agency_table_normalises_aliases():
    table = load_agency_table()
    assert table.normalise("TASS") == table.normalise("Tass") == "Tass"
    assert table.normalise("Associated Press") == "AP"
    assert table.normalise("Korean Central News Agency") == "KCNA"
    assert table.normalise("Agence France-Presse") == "AFP"
    assert table.normalise("The Daily Planet") is None
    assert [name for _, _, name in table.find("Xinhua News Agency and Reuters said")] == ["Xinhua", "Reuters"]


def test_agency_table_rejects_malformed_line():
    with pytest.raises(ValueError, match=r"agencies\.tsv entry 2"):
        parse_agency_table(["AFP\tAFP", "broken line without tab"], "agencies.tsv")


NEGATIVE_CASES = {
    "scare quote": ["The so-called “experts” were absent from the meeting on Tuesday."],
    "film title": ["He watched the film “Star Wars” with his children on Sunday."],
    "capitalised title opening a sentence": ["“Star Wars” was shown in the cinema on Sunday."],
    "no quotes": ["The weather was mild across the region, and markets were calm."],
    "so-called term and its gloss under a cue verb": [
        "He did this mainly by agreeing so-called “Schutzverträge,” or “protection contracts,” which gave the "
        "locals military protection."
    ],
    "short quoted phrase under a verb outside the lexicon": [
        "Senator Maria Cantwell wore a “Vote” badge to the hearing."
    ],
    "'That said,' opening a sentence (even so)": [
        "The ransomware encrypts many file types. That said, the malware leaves files unencrypted if the file is "
        "larger than 50 MB."
    ],
    "long sentence after a quote that ended on a full stop": [
        '"Will the governor ever answer? He should resign." the tired reporters in the crowded hall quietly said, '
        "and then they walked out of the hearing for the rest of the day."
    ],
}


@pytest.mark.parametrize("paragraphs", NEGATIVE_CASES.values(), ids=NEGATIVE_CASES.keys())
def test_no_statement(nlp, paragraphs):
    _, quotes = quotes_of(nlp, paragraphs)
    assert quotes == []


@pytest.mark.parametrize("subject", ["no-one", "no one", "nobody"])
def test_nobody_reports_no_statement(nlp, subject):
    _, quotes = quotes_of(nlp, [f"The director said on Sunday that {subject} could predict what might happen."])
    assert [(q.speaker, q.text) for q in quotes] == [
        ("The director", f"that {subject} could predict what might happen")
    ]


@pytest.mark.parametrize(
    "paragraphs",
    [
        [
            "Lavrov said “this is never closed.",
            "The next paragraph is ordinary news text. Markets were calm on Monday.",
        ],
        ['He measured a 12" pipe and said "fine', 'Another paragraph "with an odd count of marks.'],
        ["Stray closing mark” here, then “a real quote,” Lavrov said.", "Calm paragraph."],
    ],
    ids=["unclosed curly", "odd straight count", "stray closer"],
)
def test_unbalanced_marks_do_not_swallow(nlp, paragraphs):
    _page, quotes = quotes_of(nlp, paragraphs)
    first_paragraph_end = len(paragraphs[0])
    assert all(q.end <= first_paragraph_end for q in quotes)


def test_quote_mark_pairing_is_per_paragraph():
    text = "He said “open.\n\nPlain text here.\n\n“Closed,” she said."
    bounds = [(0, 14), (16, 32), (34, len(text))]
    spans = find_quoted_spans(text, bounds)
    assert [(text[s.open : s.close]) for s in spans] == ["“Closed,”"]


def test_quote_inside_a_reported_clause_is_one_statement(nlp):
    page, quotes = quotes_of(
        nlp, ["Hillary Clinton said anybody who complains about a microphone “is not having a good night.”"]
    )
    [quote] = quotes  # not also an indirect statement of the same clause, nor one by "anybody"
    assert quote.cue == "said"
    assert page[quote.content_span[0] : quote.content_span[1]].startswith("anybody who complains")


def test_closer_typed_as_opener_pairs_without_swallowing():
    text = "He asked for an “expedited review“ of the pipes. Then “a second quote” followed."
    spans = find_quoted_spans(text, [(0, len(text))])
    assert [text[s.open : s.close] for s in spans] == ["“expedited review“", "“a second quote”"]


def test_paragraph_opening_quote_that_lost_its_closer_is_that_paragraph():
    first = '"What we have seen is that our efforts have been insufficient.'
    text = first + '\n\nAmy Pope, a homeland security adviser, spoke on Monday.\n\nThen "a stray opener here.'
    second_start = len(first) + 2
    third_start = text.index("Then")
    bounds = [(0, len(first)), (second_start, third_start - 2), (third_start, len(text))]
    spans = find_quoted_spans(text, bounds)
    assert [text[s.open : s.close] for s in spans] == [first]


def test_closer_after_an_invisible_format_character_opens_the_quote():
    text = "\u202a”Isis will burn for it, thanks Sarah!!!” wrote Pete Hidalgo."
    spans = find_quoted_spans(text, [(0, len(text))])
    assert [text[s.open + 1 : s.close - 1] for s in spans] == ["Isis will burn for it, thanks Sarah!!!"]


def test_same_words_quoted_in_two_clauses_are_two_statements(nlp):
    _, quotes = quotes_of(
        nlp,
        [
            "Donald Trump called her “disgusting” on Friday.",
            "On Saturday he tweeted that the former beauty queen was “disgusting” again.",
        ],
    )
    assert len({q.content_span for q in quotes if q.text == "disgusting"}) == 2


def test_repeated_paragraph_reported_once(nlp):
    paragraph = "“We are ready to talk,” Sergey Lavrov said."
    _, quotes = quotes_of(nlp, [paragraph, "Markets were calm.", paragraph])
    assert len([q for q in quotes if "ready to talk" in q.text]) == 1


def test_same_report_retold_in_another_paragraph_is_reported_again(nlp):
    # A live blog's later update retells an earlier one in other words: two printed reports, two quotes
    # (PolNeAR annotates both); only a paragraph repeated word for word is reported once.
    first = "Speaking earlier in Florida, Trump insisted that he has “expanded the Republican party.”"
    retold = "Donald Trump is insisting that he has “expanded the Republican party.”"
    _, quotes = quotes_of(nlp, [first, "Markets were calm.", retold])
    found = [q for q in quotes if q.text.startswith("expanded the Republican party")]
    assert len(found) == 2 and found[0].start < found[1].start


def test_non_english_text_does_not_crash(nlp):
    _, quotes = quotes_of(nlp, ["Президент сказал: «Мы готовы к переговорам».", "他说：“我们准备好了。”"])
    assert isinstance(quotes, list)


def test_large_article_bounded_time(nlp):
    paragraph = (
        "“We are ready to talk,” Sergey Lavrov said, according to Tass. The ministry said “the talks” "
        'would go on, while Mali said it was “leaving. Markets were calm ” and " stray marks " abound.'
    )
    repeats = 200_000 // (len(paragraph) + 2) + 1
    first, middle, last = nlp(paragraph + "\n\n"), nlp(paragraph + " More.\n\n"), nlp(paragraph)
    # Paragraphs differ slightly so de-duplication does not hide the work.
    docs = [first] + [middle] * (repeats - 2) + [last]
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    texts = [paragraph] + [paragraph + " More."] * (repeats - 2) + [paragraph]
    page, article = article_of(texts, gap="\n\n")
    assert doc.text == article.body.text and len(page) > 200_000
    started = time.perf_counter()
    quotes = extract_quotes(article, doc)
    assert time.perf_counter() - started < 10
    assert quotes and all(page[q.start : q.end] == q.text for q in quotes)


# ---- the seed page ------------------------------------------------------------------------------

SEED_EXPECTED = [
    # (words in the quote, speaker, agency, kind)
    ("unconditionally support and encourage all measures", "Kim Jong Un", None, "partial"),
    ("all strategic issues in conformity with the level of alliance,", "Kim Jong Un", "KCNA", "partial"),
    ("strategic and tactical cooperation and intensify concerted action", "Sergey Lavrov", "KCNA", "partial"),
    ("We warn against exploiting these ties", "Sergey Lavrov", "Tass", "direct"),
    ("The technologies used by North Korea", "Sergey Lavrov", "Tass", "direct"),
    ("I am sure that Russian tourists", "Sergey Lavrov", "Russian Foreign Ministry", "direct"),
    ("equivalent measures", "Mali and Burkina Faso", "AFP", "partial"),
    ("intend to threaten", "White House", None, "partial"),
    ("equivalent visa measures", "Burkina Faso’s foreign ministry", None, "partial"),
    ("with immediate effect,", "Mali", None, "partial"),
    ("the same conditions and requirements", "Mali", None, "partial"),
    ("regret", "Mali", None, "partial"),
    ("such an important decision without the slightest prior consultation.", "Mali", None, "partial"),
]


@pytest.fixture(scope="module")
def seed_quotes(nlp) -> tuple[str, list[Quote]]:
    page = (FIXTURES / "arab-news-page.txt").read_text(encoding="utf-8")
    lines, cursor = [], 0
    for line in page.split("\n"):
        if line.strip():
            lines.append(TextSpan(line, cursor, cursor + len(line)))
        cursor += len(line) + 1
    starts = [i for i, s in enumerate(lines) if s.text.startswith(("SEOUL:", "ABIDJAN:"))]
    ends = [i for i, s in enumerate(lines) if s.text.startswith(("The Wonsan-Kalma", "In his December 17"))]
    quotes: list[Quote] = []
    for start, end in zip(starts, [e for e in ends if e > starts[0]][:1] + [e for e in ends if e > starts[1]][:1]):
        article = Article(None, None, (), tuple(lines[start : end + 1]))
        quotes.extend(extract_quotes(article, nlp(article.body.text)))
    return page, quotes


@pytest.mark.parametrize("words, speaker, agency, kind", SEED_EXPECTED, ids=[w[:30] for w, *_ in SEED_EXPECTED])
def test_seed_page_quote(seed_quotes, words, speaker, agency, kind):
    page, quotes = seed_quotes
    found = [q for q in quotes if q.text.startswith(words)]
    assert len(found) == 1, [q.text for q in quotes]
    quote = found[0]
    assert (quote.speaker, quote.source_agency, quote.kind) == (speaker, agency, kind)
    assert page[quote.start : quote.end] == quote.text


def test_seed_page_partial_unconditionally_by_choe(seed_quotes):
    _, quotes = seed_quotes
    found = [q for q in quotes if q.text == "unconditionally"]
    assert [(q.speaker, q.cue, q.kind) for q in found] == [("Choe Son Hui", "reiterated", "partial")]


def test_seed_page_counts_and_indirect(seed_quotes):
    _, quotes = seed_quotes
    quoted = [q for q in quotes if q.kind != "indirect"]
    assert len(quoted) == 14
    indirect = [q for q in quotes if q.kind == "indirect"]
    assert any(q.text.startswith("Russia understands") and q.speaker == "Sergey Lavrov" for q in indirect)
    # "Niger has not officially announced ..., but the country’s news agency, citing a diplomatic source, said
    # last week that such measures had been decided."
    [decided] = [q for q in indirect if "decided" in q.text]
    assert decided.text == "that such measures had been decided"
    assert decided.speaker == "the country’s news agency" and decided.source_agency is None
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)


# ---- titles of works, a cue before a semicolon, names as written (issue 17) ---------------------

TITLE_CASES = {
    "a list of titles after a work noun": (
        [
            "Despite an unknown cast, it beat homegrown Hollywood movies “The Irishman” and “Once Upon A Time in "
            "Hollywood” which both have A-list stars."
        ],
        ["The Irishman", "Once Upon A Time in Hollywood"],
    ),
    "a title after 'such as'": (
        ["She has sung classic songs such as “Somewhere Over the Rainbow and Far Away” for decades."],
        ["Somewhere Over the Rainbow"],
    ),
    "a title in apposition": (
        ["Her memoir, “Becoming Someone Else Entirely in the City of Light”, sold ten million copies."],
        ["Becoming Someone Else"],
    ),
    "a programme after its network's possessive": (
        ["Senator Bernie Sanders told CNN’s “State of the Union” on Sunday that the race was not over."],
        ["State of the Union"],
    ),
    "a title and its author": (
        [
            "One Sunday, according to “Perfect Enough: Carly Fiorina and the Reinvention of Hewlett-Packard” by "
            "George Anders, Fiorina sat in her study."
        ],
        ["Perfect Enough"],
    ),
    "a project's name after 'named'": (
        [
            "In January, the German capital is launching a new five-year project named “Postcolonial Remembrance "
            "in the City” to reframe its past."
        ],
        ["Postcolonial Remembrance"],
    ),
    "a slogan": (
        ["Donald Trump mocked Hillary Clinton’s slogan “Stronger Together” at a rally in Ohio on Monday."],
        ["Stronger Together"],
    ),
    "a title modifying a work noun": (
        ["The senator praised the “Lord of the Rings and Other Tales” series at the hearing on Monday."],
        ["Lord of the Rings"],
    ),
    "a thing's name after a noun and 'called'": (
        [
            "Members traded the files on a message board for amateur astronomers called “Deep Sky Watchers” "
            "during the storm."
        ],
        ["Deep Sky Watchers"],
    ),
    "a name after 'named', the article before it": (
        ["The campaign built a volunteer network named the “Stand Strong Alliance” in Iowa this year."],
        ["Stand Strong"],
    ),
}


@pytest.mark.parametrize("paragraphs, titles", TITLE_CASES.values(), ids=TITLE_CASES.keys())
def test_title_of_a_work_is_no_statement(nlp, paragraphs, titles):
    _, quotes = quotes_of(nlp, paragraphs)
    assert not [q for q in quotes if any(title in q.text for title in titles)]


@pytest.mark.parametrize(
    "paragraphs, fragment",
    [
        (["Critics said the show was “a complete disaster for everyone who worked on it.”"], "complete disaster"),
        (["The director said of the film: “It is the best work we have ever done together.”"], "best work"),
        (
            ["Laura Dern won for the drama “Marriage Story.”", "“It was a difficult part,” quipped Brad Pitt."],
            "difficult part",
        ),
        (["Sanders said the comment by Dr. Paul Song “was inappropriate and insensitive.”"], "inappropriate"),
        (["At the rally the governor called the budget “Reckless And Dangerous” to loud cheers."], "Reckless"),
    ],
    ids=[
        "work noun not right before the quote",
        "a sentence after a work noun and a colon",
        "a title ending the paragraph before",
        "a name, not a work noun",
        "someone calling a thing by words in capitals",
    ],
)
def test_quote_near_a_work_noun_is_still_a_statement(nlp, paragraphs, fragment):
    _, quotes = quotes_of(nlp, paragraphs)
    assert only(quotes, fragment).speaker is not None


def test_cue_before_a_semicolon_introduces_the_quote(nlp):
    _, quotes = quotes_of(
        nlp,
        [
            "The SAG awards are watched closely because actors form the largest voting group in the Academy of "
            "Motion Picture Arts and Sciences.",
            "“Parasite” director Bong Joon Ho said backstage that no-one could predict what might happen at the "
            "Oscars on Feb. 9",
            "Speaking through an interpreter he added; “It is true that the momentum is building and we are a part "
            "of the awards race and campaign.”",
        ],
    )
    quote = only(quotes, "momentum is building")
    assert (quote.speaker, quote.kind, quote.cue) == ("Bong Joon Ho", "direct", "added")


@pytest.mark.parametrize(
    "paragraphs, fragment, name",
    [
        (
            ["President Charles de Gaulle spoke in Algiers.", "“I have understood you,” de Gaulle said."],
            "understood you",
            "Charles de Gaulle",
        ),
        (
            [
                "“Fleabag” creator Phoebe Waller-Bridge accepted the award on Sunday.",
                "“This whole thing has been a dream,” Waller-Bridge said.",
            ],
            "a dream",
            "Phoebe Waller-Bridge",
        ),
    ],
    ids=["a lower-case particle inside a person's name", "a hyphen inside a person's name"],
)
def test_speaker_name_is_the_articles_own_characters(nlp, paragraphs, fragment, name):
    page, quotes = quotes_of(nlp, paragraphs)
    quote = only(quotes, fragment)
    assert quote.speaker == name and name in page


def test_quotes_whose_contents_cover_the_same_words_are_one_statement(nlp):
    _, quotes = quotes_of(
        nlp,
        [
            "Senator Bernie Sanders said Americans are “right to be angry,” but also hungry for what he calls “real "
            "solutions.”"
        ],
    )
    first, second = only(quotes, "right to be angry"), only(quotes, "real solutions")
    assert first.content_span == second.content_span


def test_quote_in_a_relative_clause_of_its_own_speaker_is_its_own_statement(nlp):
    page, quotes = quotes_of(
        nlp,
        [
            "He declared that as long as the field remained divided, Trump would have a path to the nomination, which "
            "he declared “a total disaster” for his party."
        ],
    )
    quote = only(quotes, "total disaster")
    indirect = only(quotes, "as long as the field")
    assert quote.content_span != indirect.content_span
    assert page[quote.cue_span[0] : quote.cue_span[1]] == "declared" and quote.cue_span[0] > indirect.start


@pytest.mark.parametrize(
    "text, quoted",
    [
        ("''This isn't tax reform,'' said Douglas Holtz-Eakin.", ["''This isn't tax reform,''"]),
        ("In his book, ''Make Your Kid a Millionaire,'' he wrote.", ["''Make Your Kid a Millionaire,''"]),
        # Negative cases: an opener never closed pairs with nothing; apostrophes stay apostrophes.
        ("He said ''we will see and left the room.", []),
        ("The players' coach said the teams' plans were final.", []),
    ],
)
def test_two_apostrophes_typed_for_a_double_quote_mark_pair(text, quoted):
    spans = find_quoted_spans(text, [(0, len(text))])
    assert [text[s.open : s.close] for s in spans] == quoted


def test_archive_copy_with_doubled_apostrophes_gives_its_quotes_and_speakers(nlp):
    _page, quotes = quotes_of(
        nlp,
        [
            "''This isn't tax reform,'' said Douglas Holtz-Eakin, an economist in Washington.",
            "''It is a mess,'' he added. ''Nobody will understand it.''",
        ],
    )
    assert [(q.text, q.speaker) for q in quotes] == [
        ("This isn't tax reform,", "Douglas Holtz-Eakin"),
        ("It is a mess,", "Douglas Holtz-Eakin"),
        ("Nobody will understand it.", "Douglas Holtz-Eakin"),
    ]


def test_a_doubled_apostrophe_opening_a_sentence_starts_it(nlp):
    doc = nlp("''It is a mess,'' he added. ''Nobody will understand it.'' Then he left.")
    assert [s.text for s in doc.sents] == [
        "''It is a mess,'' he added.",
        "''Nobody will understand it.''",
        "Then he left.",
    ]
