"""Training examples for the deletion-only compressor (service/training): format, targets, safety."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from service.nlp import load_spacy
from service.settings import DEFAULT_SPACY_MODEL
from service.training.alignment import align, grammatical_closure
from service.training.data import (
    SentenceUnit,
    build_examples,
    filter_problem,
    kept_text,
    main,
    prepare_doc,
    refuse_frank,
    sentence_units,
    to_example,
)
from service.training.deletions import candidate_deletions, choose, load_cue_lemmas
from service.training.tokens import finalize, is_mark, quotes_balanced, structure

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "training_data"
ORIGINS = {"bbc_headline", "polnear_title", "xsum_intro", "cnn_highlight", "google_compression", "syntactic"}


@pytest.fixture(scope="module")
def nlp():
    return load_spacy(DEFAULT_SPACY_MODEL)


@pytest.fixture(scope="module")
def fixture_examples() -> list[dict]:
    return list(build_examples(FIXTURE_DATA, limit=None, seed=13))


def unit_of(nlp, text: str) -> SentenceUnit:
    doc = next(nlp.pipe([prepare_doc(nlp, text, len(text) + 1)]))
    return sentence_units(doc, max_units=1)[0]


def render(unit: SentenceUnit, keep: list[int]) -> str:
    return kept_text(to_example(unit, keep, "syntactic", None))


def delete_kind(nlp, sentence: str, kind: str) -> str | None:
    """The sentence after the deletions of one kind, or None when no rule of that kind applies."""
    unit = unit_of(nlp, sentence)
    info = structure(unit.words)
    assert info is not None
    deletions = [d for d in candidate_deletions(unit.words, unit.dateline, info, load_cue_lemmas()) if d.kind == kind]
    if not deletions:
        return None
    deleted = frozenset().union(*(d.indices for d in deletions))
    return render(unit, finalize(unit.words, set(range(len(unit.words))) - deleted, info))


# --- format -------------------------------------------------------------------------------------------


def test_fixture_build_makes_both_kinds(fixture_examples):
    origins = Counter(e["origin"] for e in fixture_examples)
    assert origins["bbc_headline"] >= 1
    assert origins["syntactic"] >= 1
    assert set(origins) <= ORIGINS


def test_examples_have_the_fixed_format(fixture_examples):
    for example in fixture_examples:
        assert set(example) == {"text", "words", "keep", "origin", "reference"}
        text, words, keep = example["text"], example["words"], example["keep"]
        assert text == text.strip() and text
        previous_end = 0
        for start, end in words:
            assert previous_end <= start < end <= len(text)
            assert text[start:end].strip() == text[start:end]  # a word, never whitespace
            previous_end = end
        assert keep == sorted(set(keep)) and all(0 <= k < len(words) for k in keep)
        assert (example["reference"] is None) == (example["origin"] == "syntactic")


def test_offsets_are_spacy_tokens_of_the_source_sentence(fixture_examples, nlp):
    sources = "\n".join(p.read_text(encoding="utf-8") for p in FIXTURE_DATA.rglob("*.txt") if "train" in p.parts)
    sources += "\n".join(json.loads(line)["article"] for p in FIXTURE_DATA.glob("[bcx]*/*.jsonl") for line in p.open())
    sources += "\n".join(
        json.loads(line)["original"] for line in (FIXTURE_DATA / "sentence_compression/pairs.jsonl").open()
    )
    for example in fixture_examples:
        assert example["text"] in sources
        tokens = [(t.idx, t.idx + len(t.text)) for t in nlp.make_doc(example["text"]) if not t.is_space]
        assert [tuple(w) for w in example["words"]] == tokens


def test_a_dateline_glued_to_the_first_word_is_cut_off_it(nlp):
    unit = unit_of(nlp, "(CNN)The mayor of a small town in Ohio has resigned after an inquiry, officials said.")
    assert [t.text for t in unit.words[:4]] == ["(", "CNN", ")", "The"]
    assert unit.dateline == frozenset({0, 1, 2})


def test_each_highlight_of_a_story_is_aligned_to_its_own_sentence(fixture_examples):
    highlights = [e for e in fixture_examples if e["origin"] == "cnn_highlight"]
    assert [kept_text(e) for e in highlights] == [
        "The mayor of Riverton has resigned after an inquiry found that he misused city funds, officials said.",
        "A deputy mayor, Ellen Park, will run the city until an election is held.",
    ]
    assert highlights[0]["text"].startswith("(CNN)")  # the sentence as published, dateline and all
    assert highlights[0]["keep"][0] > 0  # ... which the target drops


def test_a_google_compression_is_a_deletion_of_its_sentence(fixture_examples):
    compressed = {kept_text(e) for e in fixture_examples if e["origin"] == "google_compression"}
    assert "The airline said it would cut 300 jobs." in compressed


def test_cnndm_tune_stories_are_never_learned_from(fixture_examples):
    assert not [e for e in fixture_examples if "tune-split" in e["text"] or "tune-split" in (e["reference"] or "")]


def test_sanity_filters_hold_on_every_example(fixture_examples):
    for example in fixture_examples:
        ratio = len(example["keep"]) / len(example["words"])
        assert 0.3 <= ratio <= 0.95
        kept = [example["text"][s:e] for s, e in (example["words"][k] for k in example["keep"])]
        assert sum(1 for w in kept if any(ch.isalnum() for ch in w)) >= 4


def test_examples_are_deterministic_for_a_seed():
    first = list(build_examples(FIXTURE_DATA, limit=None, seed=7))
    again = list(build_examples(FIXTURE_DATA, limit=None, seed=7))
    assert first == again


def test_limit_caps_articles_per_source():
    stats: Counter = Counter()
    list(build_examples(FIXTURE_DATA, limit=1, seed=13, stats=stats))
    assert stats["bbc_headline_tried"] == 1
    assert stats["polnear_title_tried"] == 1


def test_syntactic_share_follows_the_configured_ratio():
    none = list(build_examples(FIXTURE_DATA, limit=None, seed=13, syntactic_per_aligned=0.0))
    assert none and all(e["origin"] != "syntactic" for e in none)


def test_cli_writes_jsonl_and_reports_counts(tmp_path, capsys):
    out = tmp_path / "compression.jsonl"
    main(["--data", str(FIXTURE_DATA), "--out", str(out), "--seed", "13"])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    printed = capsys.readouterr().out
    assert rows and f"wrote {len(rows)} examples" in printed
    assert "mean keep ratio" in printed


# --- the development set is never read ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["../shared/data/frank", "/data/frank/xsum.jsonl", "/x/FRANK_copy"])
def test_refuses_paths_containing_frank(path):
    with pytest.raises(ValueError, match="development set"):
        refuse_frank(Path(path))


def test_builder_refuses_a_frank_data_dir():
    with pytest.raises(ValueError):
        next(build_examples(FIXTURE_DATA / "frank", limit=None, seed=13))


def test_builder_reads_neither_frank_nor_polnear_dev(monkeypatch):
    opened: list[str] = []
    original = Path.read_text

    def recording_read_text(self, *args, **kwargs):
        opened.append(str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", recording_read_text)
    examples = list(build_examples(FIXTURE_DATA, limit=None, seed=13))
    data_files = [p for p in opened if str(FIXTURE_DATA) in p]
    assert data_files, "the builder should have read the fixture sources"
    assert not [p for p in data_files if "frank" in p or "/dev/" in p]
    assert not [e for e in examples if "development" in e["text"]]


# --- aligned targets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "reference", "must_keep"),
    [
        (
            "The city council has rejected a controversial plan to build a new stadium near the river.",
            "Council rejects stadium plan",
            ["The", "council", "has", "rejected", "a", "plan"],
        ),
        (
            "Police in the northern town arrested three men after a violent robbery at a bank.",
            "Police arrest three men",
            ["Police", "arrested", "three", "men"],
        ),
        (
            "Officials said the company will pay the families of the victims after the crash.",
            "Company will pay families",
            ["said", "the", "company", "will", "pay", "families"],
        ),
    ],
)
def test_closure_keeps_root_and_function_words(nlp, sentence, reference, must_keep):
    unit = unit_of(nlp, sentence)
    info = structure(unit.words)
    alignment = align([t for t in nlp(reference) if not t.is_space], unit.words)
    assert alignment.coverage >= 0.6
    keep = finalize(unit.words, grammatical_closure(unit.words, {k for _, k in alignment.pairs}, info), info)
    kept_words = [unit.words[k].text for k in keep]
    roots = [k for k, t in enumerate(unit.words) if t.dep_ == "ROOT"]
    assert all(k in keep for k in roots)
    assert all(word in kept_words for word in must_keep)
    # Every kept noun keeps its determiner.
    for k in keep:
        for child in unit.words[k].children:
            if child.dep_ == "det":
                assert child.text in kept_words
    assert len(keep) < len(unit.words)


def test_alignment_coverage_is_low_for_an_unrelated_reference(nlp):
    unit = unit_of(nlp, "The city council has rejected a controversial plan to build a new stadium near the river.")
    alignment = align([t for t in nlp("Heavy rain floods village homes") if not t.is_space], unit.words)
    assert alignment.coverage < 0.6


def test_alignment_is_in_order(nlp):
    unit = unit_of(nlp, "Prices rose in March and then prices fell sharply in April across the country.")
    alignment = align([t for t in nlp("prices fell in April") if not t.is_space], unit.words)
    sentence_side = [k for _, k in alignment.pairs]
    assert sentence_side == sorted(sentence_side)
    assert [unit.words[k].text for k in sentence_side][:2] == ["prices", "fell"]


# --- syntactic deletions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "kind", "expected"),
    [
        (
            "WASHINGTON (Reuters) - The Senate passed the budget bill by a vote of 60 to 40.",
            "dateline",
            "The Senate passed the budget bill by a vote of 60 to 40.",
        ),
        (
            "SEOUL: North Korea fired two short-range missiles into the sea near its east coast.",
            "dateline",
            "North Korea fired two short-range missiles into the sea near its east coast.",
        ),
        (
            "The company will close three factories in the north of the country, a spokesman said.",
            "attribution",
            "The company will close three factories in the north of the country.",
        ),
        (
            "The economy grew by 2% in the first quarter of the year, according to official figures.",
            "attribution",
            "The economy grew by 2% in the first quarter of the year.",
        ),
        (
            "Hugh Hill, a doctor at the hospital, said the patient was stable.",
            "appositive",
            "Hugh Hill said the patient was stable.",
        ),
        (
            "The minister resigned on Tuesday after the report into the scandal was published.",
            "temporal",
            "The minister resigned after the report into the scandal was published.",
        ),
        (
            "Since the outbreak began last week, 83 people have needed hospital treatment.",
            "temporal",
            "Since the outbreak began, 83 people have needed hospital treatment.",
        ),
        (
            "However, the plan to close the hospital was rejected by the council.",
            "opener",
            "the plan to close the hospital was rejected by the council.",
        ),
        (
            "The bank, which was founded in 1850, reported record profits for the year.",
            "relative",
            "The bank reported record profits for the year.",
        ),
        (
            "The World Health Organization (WHO) declared a global health emergency over the virus.",
            "parenthetical",
            "The World Health Organization declared a global health emergency over the virus.",
        ),
    ],
)
def test_deletion_rules_on_hand_sentences(nlp, sentence, kind, expected):
    assert delete_kind(nlp, sentence, kind) == expected


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # A direct quote keeps its speaker.
        ('"We will fight these cuts to the very end," the union leader said.', "attribution"),
        # A restrictive relative clause is content.
        ("The man who won the national lottery last year bought a house.", "relative"),
        # Dated phrases with numbers are kept.
        ("The law was passed in 2010 after a long campaign by parents.", "temporal"),
        # Only a name's description goes; a common noun's apposition (the name) stays.
        ("The capital, Nairobi, was hit by heavy flooding after the storm.", "appositive"),
        # Not a dateline: an ordinary capitalised opening word.
        ("NATO leaders agreed to increase spending on defence at the summit.", "dateline"),
    ],
)
def test_deletion_rules_leave_content_alone(nlp, sentence, kind):
    assert delete_kind(nlp, sentence, kind) is None


def test_dateline_is_part_of_the_example_text(nlp):
    unit = unit_of(nlp, "DALLAS (AP) — The candidate is shifting staff and money to Iowa as his campaign struggles.")
    assert unit.text.startswith("DALLAS (AP) —")
    assert {unit.words[k].text for k in unit.dateline} == {"DALLAS", "(", "AP", ")", "—"}


@pytest.mark.parametrize("seed", [1, 13, 99])
def test_choice_of_deletions_is_seeded_and_never_empty(nlp, seed):
    sentence = "However, Hugh Hill, a doctor at the hospital, said on Tuesday the patient was stable, officials said."
    unit = unit_of(nlp, sentence)
    info = structure(unit.words)
    candidates = candidate_deletions(unit.words, unit.dateline, info, load_cue_lemmas())
    assert len(candidates) >= 3
    fired = choose(candidates, seed, unit.text)
    assert fired and fired == choose(candidates, seed, unit.text)
    assert choose([], seed, unit.text) == []


# --- filters and quote marks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "keep_words", "problem"),
    [
        ("The council rejected the plan to build a new stadium near the river.", "all", "ratio"),
        ("The council rejected the plan to build a new stadium near the river.", "The council", "too_few_kept"),
        ("The council rejected it.", "The council rejected", "sentence_length"),
        (
            "The council rejected the plan to build a new stadium near the river.",
            "The council rejected the plan.",
            None,
        ),
    ],
)
def test_filter_problem(nlp, sentence, keep_words, problem):
    unit = unit_of(nlp, sentence)
    texts = [t.text for t in unit.words]
    if keep_words == "all":
        keep = list(range(len(texts)))
    else:
        wanted = keep_words.replace(".", " .").split()
        keep = [texts.index(w) for w in wanted]
    assert filter_problem(unit, keep) == problem


def test_filter_rejects_a_kept_opening_quote_without_its_closing_one(nlp):
    unit = unit_of(nlp, 'The minister called the report "a disgrace to the whole service" in parliament today.')
    texts = [t.text for t in unit.words]
    keep = list(range(texts.index("a") + 2)) + [len(texts) - 1]  # up to the word after the opening quote
    assert filter_problem(unit, keep) == "broken_quotes"


@pytest.mark.parametrize(
    ("sentence", "balanced"),
    [
        ('He said "yes" today.', True),
        ("He said “yes” today.", True),
        ("He said “yes today.", False),
        ("He said yes” today.", False),
        ("The analysts’ view was clear.", True),
        ("Sanders’ appeal among young voters was 'clear' to all.", True),
        ("He called it ‘the Sanders’ effect.", True),
    ],
)
def test_quotes_balanced(nlp, sentence, balanced):
    words = [t for t in nlp(sentence) if not t.is_space]
    assert quotes_balanced(words, list(range(len(words)))) is balanced


def test_unpaired_quotes_make_no_structure(nlp):
    words = [t for t in nlp("“We will win. We always win, the coach told the crowd.") if not t.is_space]
    assert structure(words) is None


def test_quoted_words_are_kept_or_dropped_together(nlp):
    unit = unit_of(nlp, 'The minister called the report "a disgrace to the whole service" in parliament.')
    info = structure(unit.words)
    disgrace = [t.text for t in unit.words].index("disgrace")
    inside = info.group_of[disgrace]
    assert {unit.words[k].text for k in inside} >= {"a", "disgrace", "whole", "service"}
    keep = finalize(unit.words, {0, 1, 2, 3, 4, disgrace} | inside, info)
    assert not any(is_mark(unit.words[k]) and unit.words[k].text == '"' for k in keep) or quotes_balanced(
        unit.words, keep
    )


def test_closure_does_not_climb_out_of_a_coordinated_clause(nlp):
    unit = unit_of(nlp, "Shares in the bank rose sharply in early trading, and its rivals fell by a fifth.")
    info = structure(unit.words)
    alignment = align([t for t in nlp("Rivals fell by a fifth") if not t.is_space], unit.words)
    keep = finalize(unit.words, grammatical_closure(unit.words, {k for _, k in alignment.pairs}, info), info)
    kept_words = [unit.words[k].text for k in keep]
    assert "rose" not in kept_words
    assert kept_words[:3] == ["its", "rivals", "fell"]
