"""Unit tests of the evaluation metrics on hand-made cases (ROUGE, bootstrap, Lead-3, faithfulness)."""

from __future__ import annotations

import numpy as np
import pytest

from eval.data import split_sentences
from eval.metrics import (
    FaithfulnessChecker,
    RougeEvaluator,
    aggregate_rouge,
    bootstrap_ci,
    lead_sentences,
    mean_length,
    normalise_for_rouge,
    word_count,
)
from service.settings import DEFAULT_SPACY_MODEL


@pytest.fixture(scope="module")
def rouge() -> RougeEvaluator:
    return RougeEvaluator()


@pytest.fixture(scope="module")
def checker() -> FaithfulnessChecker:
    from service.nlp import load_spacy

    return FaithfulnessChecker(load_spacy(DEFAULT_SPACY_MODEL))


# --- ROUGE wrapper -------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["rouge1", "rouge2", "rougeLsum"])
def test_identical_texts_score_one(rouge, metric):
    sentences = ["The bridge reopens on Monday.", "Repairs cost 2.5 million pounds."]
    score = rouge.score(sentences, sentences)[metric]
    assert (score.p, score.r, score.f) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("metric", ["rouge1", "rouge2", "rougeLsum"])
def test_disjoint_texts_score_zero(rouge, metric):
    score = rouge.score(["Alpha beta gamma."], ["Delta epsilon zeta."])[metric]
    assert score.f == 0.0


@pytest.mark.parametrize("metric", ["rouge1", "rouge2", "rougeLsum"])
def test_empty_output_scores_zero(rouge, metric):
    assert rouge.score(["The bridge reopens."], [])[metric].f == 0.0


def test_known_small_case(rouge):
    # Reference has 6 unigrams / 5 bigrams; the output's 3 unigrams and 2 bigrams all occur in it.
    scores = rouge.score(["the cat sat on the mat"], ["the cat sat"])
    assert scores["rouge1"].p == pytest.approx(1.0)
    assert scores["rouge1"].r == pytest.approx(3 / 6)
    assert scores["rouge1"].f == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert scores["rouge2"].r == pytest.approx(2 / 5)
    assert scores["rouge2"].f == pytest.approx(2 * 1.0 * 0.4 / 1.4)


def test_stemming_matches_inflections(rouge):
    assert rouge.score(["officials warned"], ["official warns"])["rouge1"].f == pytest.approx(1.0)


def test_lsum_reads_one_sentence_per_line(rouge):
    reference = ["e f g h", "a b c d"]
    swapped = ["a b c d", "e f g h"]
    # Sentence by sentence, the swapped order is a perfect match; as one long line it is not.
    assert rouge.score(reference, swapped)["rougeLsum"].f == pytest.approx(1.0)
    assert rouge.score([" ".join(reference)], [" ".join(swapped)])["rougeLsum"].f < 1.0


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("He isn't here", "He is n't here"),
        ("They can't and won't", "They ca n't and wo n't"),
        ("She doesn’t", "She does n't"),
        ("PTB already: is n't", "PTB already: is n't"),
        ("No contraction at all", "No contraction at all"),
    ],
)
def test_normalise_for_rouge_splits_negation_like_ptb(raw, normalised):
    assert normalise_for_rouge(raw) == normalised


def test_raw_and_ptb_tokenised_text_score_alike(rouge):
    reference = split_sentences("He is n't sure `` it 's over , '' she said .")
    assert rouge.score(reference, ["He isn't sure \"it's over,\" she said."])["rouge1"].f == pytest.approx(1.0)


# --- Sentence splitting (references and outputs) -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("First bullet\nSecond bullet\n", ("First bullet", "Second bullet")),
        ("NASA says so . Water is key .", ("NASA says so .", "Water is key .")),
        ("`` 20 to 30 years , '' she said . It ends .", ("`` 20 to 30 years , '' she said .", "It ends .")),
        ('He left. "It is over." Then rain!', ("He left.", '"It is over."', "Then rain!")),
        (
            "Sales rose to $10.9bn.For 2005, it expects growth.",
            ("Sales rose to $10.9bn.", "For 2005, it expects growth."),
        ),
        ("One sentence without a stop", ("One sentence without a stop",)),
        ("   ", ()),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


# --- Bootstrap -----------------------------------------------------------------------------------


def test_bootstrap_is_deterministic_and_brackets_the_mean():
    values = np.random.default_rng(7).uniform(0, 1, 50)
    first = bootstrap_ci(values)
    assert first == bootstrap_ci(values)
    low, high = first
    assert low <= float(np.mean(values)) <= high
    assert high - low > 0


def test_bootstrap_seed_changes_resamples_not_the_scale():
    values = np.random.default_rng(7).uniform(0, 1, 50)
    assert bootstrap_ci(values, seed=1) != bootstrap_ci(values, seed=2)
    assert bootstrap_ci(values, seed=1) == pytest.approx(bootstrap_ci(values, seed=2), abs=0.05)


def test_bootstrap_of_constant_values_is_a_point():
    assert bootstrap_ci([0.4] * 10) == pytest.approx((0.4, 0.4))


def test_bootstrap_needs_values():
    with pytest.raises(ValueError):
        bootstrap_ci([])


def test_aggregate_reports_percentages_and_intervals(rouge):
    per_item = [rouge.score(["a b c d"], ["a b c d"]), rouge.score(["a b c d"], ["e f g h"])]
    block = aggregate_rouge(per_item)
    assert block["rouge1"] == {"p": 50.0, "r": 50.0, "f": 50.0}
    assert set(block["ci"]) == {"rouge1", "rouge2", "rougeLsum"}
    low, high = block["ci"]["rouge1"]
    assert 0.0 <= low <= 50.0 <= high <= 100.0


def test_aggregate_needs_items():
    with pytest.raises(ValueError):
        aggregate_rouge([])


# --- Lead-3 and length ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("article", "lead"),
    [
        ("One. Two! Three? Four.", ("One.", "Two!", "Three?")),
        ("Only one sentence here.", ("Only one sentence here.",)),
        ("First line\nSecond. Third.\nFourth.", ("First line", "Second.", "Third.")),
        ("Glued by the scrape.Dr Venter spoke. Then left.", ("Glued by the scrape.", "Dr Venter spoke.", "Then left.")),
        ("It cost $1.5bn. Shares rose 2.5%.", ("It cost $1.5bn.", "Shares rose 2.5%.")),
        ('He said "stop." Then he left. It rained. Late.', ('He said "stop." Then he left.', "It rained.", "Late.")),
        ("", ()),
    ],
)
def test_lead_sentences(article, lead):
    assert lead_sentences(article) == lead


def test_lead_n_is_configurable():
    assert lead_sentences("A. B. C.", n=1) == ("A.",)


@pytest.mark.parametrize(("text", "words"), [("we 're here .", 3), ("We're here.", 3), ("", 0), ("$25,000 raised", 3)])
def test_word_count_ignores_tokenisation(text, words):
    assert word_count(text) == words


def test_mean_length_sums_sentences_per_summary():
    assert mean_length([("a b", "c"), ("d e f g h",)]) == 4.0
    assert mean_length([]) == 0.0


# --- Faithfulness --------------------------------------------------------------------------------

ARTICLE = (
    "Barack Obama visited Paris on Monday with 40 aides. The trip cost $25,000, officials said. "
    "NASA's chief scientist joined them at 9pm."
)


@pytest.mark.parametrize(
    ("sentence", "faithful"),
    [
        ("Barack Obama visited Paris.", True),
        ("barack obama visited paris .", True),
        ("NASA 's chief scientist joined them.", True),
        ("The trip cost 25000 dollars.", True),
        ("The scientist arrived at 9.", True),
        ("Obama went with 45 aides.", False),
        ("Angela Merkel visited Paris.", False),
        ("Barack Obama visited Berlin.", False),
        ("Nothing named here.", True),
    ],
)
def test_sentence_faithfulness(checker, sentence, faithful):
    assert checker.sentence_flags([sentence], ARTICLE) == [faithful]


def test_faithfulness_share_pools_all_sentences(checker):
    pairs = [
        (["Barack Obama visited Paris.", "Obama went with 45 aides."], ARTICLE),
        (["The trip cost $25,000."], ARTICLE),
    ]
    assert checker.share(pairs) == pytest.approx(2 / 3, abs=1e-4)
    assert checker.share([((), ARTICLE)]) == 1.0
