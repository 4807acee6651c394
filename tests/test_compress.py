"""Any seq2seq checkpoint loads through the Auto classes and can only delete words."""

from __future__ import annotations

import threading

import pytest
import torch

from service.compress import SourcePiecesHead, load_compressor, prompt_for
from service.copy_constraint import CopyAutomaton, CopyConstraintProcessor
from service.nlp import ModelLoadError
from service.schema import Quote, TextSpan
from service.select import SelectedSentence, Word
from service.settings import Settings
from tests.tiny_model import build_tiny_checkpoint


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return build_tiny_checkpoint(tmp_path_factory.mktemp("tiny"))


def words_of(text: str, offset: int = 100) -> list[Word]:
    words, cursor = [], 0
    for token in text.split(" "):
        start = text.index(token, cursor)
        words.append(Word(token, offset + start, offset + start + len(token)))
        cursor = start + len(token)
    return words


def as_sentence(words: list[Word], entities=()) -> SelectedSentence:
    span = TextSpan(" ".join(w.text for w in words), words[0].start, words[-1].end)
    return SelectedSentence(span, tuple(words), position=0, score=0.0, too_long=False, entities=tuple(entities))


SENTENCES = [
    "Officials said on Monday that the bridge would reopen next week after repairs.",
    "\u201cWe warn against exploiting these ties,\u201d he said, according to Tass.",
]


@pytest.mark.parametrize("beams", [1, 2])
def test_output_is_a_subsequence_of_source_words(tiny_dir, beams):
    compressor = load_compressor(Settings(summary_model=str(tiny_dir), num_beams=beams))
    sentences = [words_of(s, offset=1000 * i) for i, s in enumerate(SENTENCES)]
    results = compressor.compress([as_sentence(w) for w in sentences], quotes=[])
    assert len(results) == 2
    for words, kept in zip(sentences, results):
        spans = [(w.start, w.end) for w in words]
        assert kept, "a bullet keeps at least one word"
        assert all(span in spans for span in kept)
        assert list(kept) == sorted(kept)


def test_kept_quote_forces_its_speaker_and_cue(tiny_dir):
    compressor = load_compressor(Settings(summary_model=str(tiny_dir), num_beams=1))
    words = words_of(SENTENCES[1], offset=0)
    by_text = {w.text: w for w in words}
    quote_words = [w for w in words if w.text in {"\u201cWe", "warn", "against", "exploiting", "these", "ties,\u201d"}]
    quote = Quote(
        text=SENTENCES[1][: quote_words[-1].end],
        start=quote_words[0].start,
        end=quote_words[-1].end,
        speaker="Sergey Lavrov",
        speaker_span=None,  # the name stands in another sentence
        speaker_mention="he",
        speaker_mention_span=(by_text["he"].start, by_text["he"].end),
        cue="said",
        cue_span=(by_text["said,"].start, by_text["said,"].end),
        source_agency="Tass",
        kind="direct",
        confidence=0.9,
    )
    (kept,) = compressor.compress([as_sentence(words)], quotes=[quote])
    kept_set = set(kept)
    if any((w.start, w.end) in kept_set for w in quote_words):
        assert (by_text["he"].start, by_text["he"].end) in kept_set
        assert (by_text["said,"].start, by_text["said,"].end) in kept_set


def test_drafted_greedy_decoding_equals_step_by_step_greedy(tiny_dir):
    compressor = load_compressor(Settings(summary_model=str(tiny_dir), num_beams=1, keep_bias=0.0))
    eos = compressor.tokenizer.eos_token_id
    sentences = SENTENCES + ["Ministers met in Brussels on Tuesday and agreed a new budget for the coming year."]
    deleted_somewhere = False
    for text in sentences:
        words = words_of(text)
        job = compressor._job(as_sentence(words), [], frozenset(), set())
        drafted = compressor._decode(job, 0.0)
        automaton = CopyAutomaton(job.encoded.units, eos)
        step_by_step = compressor.model.generate(
            input_ids=torch.tensor([job.encoded.input_ids]),
            max_new_tokens=200,
            logits_processor=[CopyConstraintProcessor([automaton], 1, 0.0)],
            do_sample=False,
            num_beams=1,
        )[0].tolist()
        units = automaton.kept_units(step_by_step[1:])
        assert drafted == sorted(w for u in units for w in job.encoded.units[u].words)
        deleted_somewhere |= len(drafted) < len(words)
    assert deleted_somewhere, "the test needs a sentence where a draft was rejected"


def test_output_layer_restricted_to_source_pieces_per_thread():
    torch.manual_seed(0)
    full = torch.nn.Linear(8, 20)
    head = SourcePiecesHead(full)
    hidden = torch.randn(2, 3, 8)
    seen_elsewhere = []
    with head.restricted_to([1, 5, 7]):
        restricted = head(hidden)
        other = threading.Thread(target=lambda: seen_elsewhere.append(head(hidden)))
        other.start()
        other.join()
    expected = full(hidden)
    assert torch.allclose(restricted[..., [1, 5, 7]], expected[..., [1, 5, 7]])
    assert torch.isinf(restricted[..., [0, 2, 19]]).all()
    assert torch.equal(seen_elsewhere[0], expected)  # another thread's request is not restricted
    assert torch.equal(head(hidden), expected)  # nor is anything after the block


def test_prompt_comes_from_the_model_family_file():
    assert prompt_for("t5") == "compress: "
    assert prompt_for("bart") == ""


@pytest.mark.parametrize("corrupt", ["missing", "garbage"])
def test_missing_or_corrupt_checkpoint_stops_loading_with_its_name(tmp_path, corrupt):
    model_dir = tmp_path / "model"
    if corrupt == "garbage":
        model_dir.mkdir()
        (model_dir / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="model"):
        load_compressor(Settings(summary_model=str(model_dir)))


def test_speaker_units_are_forced_only_when_a_quote_loses_its_speaker(tiny_dir):
    from service.compress import _sentence_text, _speaker_units_needed
    from service.copy_constraint import encode_sentence

    compressor = load_compressor(Settings(summary_model=str(tiny_dir)))
    words = words_of(SENTENCES[1], offset=0)
    text, spans = _sentence_text(words)
    encoded = encode_sentence(compressor.tokenizer, compressor.prompt, text, spans, 192)
    he, said = 6, 7  # word indices of "he" and "said,"
    quote = Quote(
        text=SENTENCES[1][: words[5].end],
        start=0,
        end=words[5].end,
        speaker="Sergey Lavrov",
        speaker_span=None,
        speaker_mention="he",
        speaker_mention_span=(words[he].start, words[he].end),
        cue="said",
        cue_span=(words[said].start, words[said].end),
        source_agency="Tass",
        kind="direct",
        confidence=0.9,
    )
    unit_of = {w: i for i, u in enumerate(encoded.units) for w in u.words}
    assert _speaker_units_needed(words, encoded, [1, 2], [quote]) == {unit_of[he], unit_of[said]}
    assert _speaker_units_needed(words, encoded, [1, 2, he, said], [quote]) == frozenset()
    assert _speaker_units_needed(words, encoded, [9, 10], [quote]) == frozenset()  # quote not kept


@pytest.mark.parametrize("seed", range(4))
def test_names_and_quotations_are_never_cut(tiny_dir, seed):
    import torch

    torch.manual_seed(seed)
    compressor = load_compressor(Settings(summary_model=str(tiny_dir), num_beams=1))
    for parameter in compressor.model.parameters():  # another random model each time
        parameter.data.normal_(0, 1)
    words = words_of(SENTENCES[1], offset=0)
    name = (words[8].start, words[9].end)  # "according to" stands in for a two-word name
    quote = Quote(
        text=SENTENCES[1][1 : words[5].end - 2],
        start=1,
        end=words[5].end - 2,
        speaker=None,
        speaker_span=None,
        cue=None,
        cue_span=None,
        source_agency=None,
        kind="direct",
        confidence=0.5,
    )
    (kept,) = compressor.compress([as_sentence(words, entities=[name])], quotes=[quote])
    kept_words = {i for i, w in enumerate(words) if (w.start, w.end) in set(kept)}
    for group in ({8, 9}, set(range(0, 6))):
        assert group <= kept_words or not group & kept_words


def test_a_kept_word_brings_its_head_and_whole_groups():
    from service.compress import _with_heads

    words = words_of("The brother of ex-footballer Ryan Giggs has lost his job", offset=0)
    by_text = {w.text: i for i, w in enumerate(words)}
    head = {
        "The": "brother",
        "brother": "lost",
        "of": "brother",
        "ex-footballer": "Giggs",
        "Giggs": "of",
        "Ryan": "Giggs",
        "has": "lost",
        "his": "job",
        "job": "lost",
    }
    sentence = as_sentence(words)
    sentence = SelectedSentence(
        sentence.span,
        sentence.words,
        0,
        0.0,
        False,
        heads=tuple((words[by_text[w]].start, words[by_text[h]].start) for w, h in head.items()),
    )
    name = frozenset({by_text["Ryan"], by_text["Giggs"]})
    kept = _with_heads(sentence, [by_text["The"], by_text["Giggs"], by_text["job"]], [name])
    assert [words[i].text for i in kept] == ["The", "brother", "of", "Ryan", "Giggs", "lost", "job"]


@pytest.mark.parametrize("beams", [1, 2])
def test_a_bart_checkpoint_decodes_under_the_same_constraint(tmp_path, tiny_dir, beams):
    from transformers import AutoTokenizer, BartConfig, BartForConditionalGeneration

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=None,
    )
    torch.manual_seed(0)
    BartForConditionalGeneration(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    compressor = load_compressor(Settings(summary_model=str(tmp_path), num_beams=beams))
    assert compressor.prompt == ""  # prompts/bart.txt: BART takes no task prefix
    sentences = [words_of(s, offset=1000 * i) for i, s in enumerate(SENTENCES)]
    for words, kept in zip(sentences, compressor.compress([as_sentence(w) for w in sentences], quotes=[])):
        assert kept and set(kept) <= {(w.start, w.end) for w in words}


def test_deletable_span_that_cuts_a_fused_unit_gives_no_range():
    from service.compress import _unit_ranges
    from service.copy_constraint import EncodedSentence, Unit

    words = words_of("said , don't go", offset=0)  # "don't" and "go" fused into one unit by a shared piece
    encoded = EncodedSentence([5, 6, 7, 8, 1], (Unit((5,), (0,)), Unit((6,), (1,)), Unit((7, 8), (2, 3))))
    span = lambda first, last: (words[first].start, words[last].end)  # noqa: E731
    assert _unit_ranges(words, encoded, [span(1, 3)]) == ((1, 2),)
    assert _unit_ranges(words, encoded, [span(1, 2)]) == ()  # would leave half of a unit behind
