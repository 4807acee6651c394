"""Where a partial quote's content starts and ends, learned from PolNeAR train.

A partial quote ('Kim reaffirmed his commitment to “unconditionally support ...”') reports a clause larger
than its quoted words. The parse offers that clause, but which of its subtrees the annotators took
(the cue's complement, the whole rest of the sentence, the quoted phrase alone) depends on more than one
rule can see. A small bidirectional LSTM reads the window around the quote, one vector per token: parse
facts (dependency label, part of speech, function words, whether the token is quoted, the cue, in the
cue's complement, in the rule's choice) and the parse's own contextual vector (spaCy's tok2vec output,
doc.tensor), and scores each token as the content's first and last. Five networks trained from five
seeds add their log-probabilities. The content runs from a first token at or before the quote to a last
token at or after it, so it always holds the quoted words: of the likeliest pairs, the one most likely to
match the annotated content (most_likely_to_match).

Trained by `python -m service.training.quote_content` (see there); the weights ship in
service/models/quote_content as safetensors with the feature lists in config.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from spacy.tokens import Span, Token
from torch import nn

from service.nlp import ModelLoadError
from service.settings import DEFAULT_QUOTE_CONTENT_DIR

DecisionKind = Literal["governed", "predicate", "naming"]
# Decoding: the likeliest first and last tokens tried in pairs, and the shares of words two spans must share
# to count as one content, loosely and strictly (PolNeAR's two matches, eval/README.md).
MBR_CANDIDATES = 12
MATCH_OVERLAPS = (0.5, 0.8)
KIND_VALUE = {"governed": 0.0, "predicate": 0.5, "naming": 1.0}

DEPS = (
    "ccomp",
    "xcomp",
    "dobj",
    "pobj",
    "prep",
    "advcl",
    "conj",
    "relcl",
    "acl",
    "attr",
    "acomp",
    "oprd",
    "pcomp",
    "nsubj",
    "nsubjpass",
    "appos",
    "amod",
    "compound",
    "ROOT",
    "advmod",
    "npadvmod",
    "dative",
    "punct",
    "mark",
    "cc",
    "det",
    "aux",
    "neg",
    "poss",
    "prt",
)
POS = (
    "NOUN",
    "VERB",
    "PROPN",
    "ADP",
    "PUNCT",
    "DET",
    "ADJ",
    "PRON",
    "AUX",
    "ADV",
    "CCONJ",
    "SCONJ",
    "PART",
    "NUM",
    "SPACE",
    "X",
    "SYM",
    "INTJ",
)
WORDS = (
    ",",
    ".",
    "—",
    "–",
    "-",
    ":",
    ";",
    "(",
    ")",
    "that",
    "which",
    "who",
    "and",
    "but",
    "because",
    "as",
    "to",
    "for",
    "when",
    "if",
    "while",
    "after",
    "saying",
    "adding",
    "according",
    "what",
    "where",
    "whom",
    "said",
    "says",
    "“",
    "”",
    '"',
    "so",
    "or",
    "with",
    "by",
    "of",
    "in",
    "on",
)
FLAGS = (
    "quoted",
    "cue",
    "in_complement",
    "in_cue_clause",
    "in_rule_choice",
    "any_cue",
    "before_cue",
    "kind",
    "capitalised",
    "line_break",
    "other_cue",
)
# The parse's own contextual vectors (doc.tensor, the tok2vec output en_core_web_sm's tagger and parser share).
TENSOR_WIDTH = 96
PARSE_FEATURES = len(FLAGS) + len(DEPS) + len(POS) + len(WORDS)
FEATURE_SIZE = PARSE_FEATURES + TENSOR_WIDTH
DEP_COLUMN = {name: len(FLAGS) + k for k, name in enumerate(DEPS)}
POS_COLUMN = {name: len(FLAGS) + len(DEPS) + k for k, name in enumerate(POS)}
WORD_COLUMN = {name: len(FLAGS) + len(DEPS) + len(POS) + k for k, name in enumerate(WORDS)}


@dataclass(frozen=True)
class ContentDecision:
    """One partial quote whose content is to be chosen: the window of tokens it may span, in body order."""

    window: Span
    quote: tuple[int, int]
    # The cue, naming verb or verb whose subject said it.
    cue: Token
    # The cue's child on the path down to the quote: its subtree is the cue's complement.
    complement: Token
    rule_choice: tuple[int, int]
    kind: DecisionKind
    cue_tokens: frozenset[int]

    def quoted_token_range(self) -> tuple[int, int]:
        """Window positions of the first and last quoted token."""
        inside = [k for k, t in enumerate(self.window) if self.quote[0] <= t.idx < self.quote[1]]
        return (inside[0], inside[-1]) if inside else (0, len(self.window) - 1)


def decision_features(decision: ContentDecision) -> torch.Tensor:
    """(tokens, FEATURE_SIZE): the parse facts and the tok2vec vector of each token in the window."""
    window, cue_i = decision.window, decision.cue.i
    complement = {t.i for t in decision.complement.subtree}
    cue_clause = {t.i for t in decision.cue.subtree}
    tokens = list(window)
    flags = [
        (
            decision.quote[0] <= token.idx < decision.quote[1],
            token.i == cue_i,
            token.i in complement,
            token.i in cue_clause,
            decision.rule_choice[0] <= token.idx < decision.rule_choice[1],
            token.i in decision.cue_tokens,
            token.i < cue_i,
            KIND_VALUE[decision.kind],
            token.text[:1].isupper(),
            "\n" in token.whitespace_ or "\n" in token.text,
            token.i in decision.cue_tokens and token.i != cue_i,
        )
        for token in tokens
    ]
    # Filled in numpy: torch.tensor over nested lists cost more than the rest of this function.
    parse = np.zeros((len(tokens), PARSE_FEATURES), dtype=np.float32)
    parse[:, : len(FLAGS)] = np.array(flags, dtype=np.float32).reshape(len(tokens), len(FLAGS))
    ones = [
        (k, column)
        for k, token in enumerate(tokens)
        for column in (DEP_COLUMN.get(token.dep_), POS_COLUMN.get(token.pos_), WORD_COLUMN.get(token.lower_))
        if column is not None
    ]
    parse[[k for k, _ in ones], [column for _, column in ones]] = 1.0
    tensor = window.doc.tensor
    if tensor is None or tensor.ndim != 2 or tensor.shape[1] != TENSOR_WIDTH:
        raise ValueError(
            f"the quote content model needs the parse's tok2vec vectors (doc.tensor, width {TENSOR_WIDTH}); "
            f"this spaCy pipeline gave shape {getattr(tensor, 'shape', None)}"
        )
    vectors = torch.as_tensor(tensor[window.start : window.end], dtype=torch.float32)
    return torch.cat([torch.from_numpy(parse), vectors], -1)


class ContentBoundaryNet(nn.Module):
    """Token features -> (first, last) scores per token."""

    def __init__(self, feature_size: int = FEATURE_SIZE, hidden: int = 128, lstm_hidden: int = 64) -> None:
        super().__init__()
        self.project = nn.Linear(feature_size, hidden)
        self.lstm = nn.LSTM(hidden, lstm_hidden, batch_first=True, bidirectional=True)
        self.score = nn.Linear(2 * lstm_hidden, 2)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """(tokens, features) -> (tokens, 2); a batch of equal-length decisions (decisions, tokens, features)
        -> (decisions, tokens, 2)."""
        batch = features if features.dim() == 3 else features.unsqueeze(0)
        encoded, _ = self.lstm(torch.relu(self.project(batch)))
        scores = self.score(encoded)
        return scores if features.dim() == 3 else scores[0]


def boundary_log_probs(scores: torch.Tensor, quoted: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probabilities of each token being the first (at or before the quote) and the last (at or after),
    from (tokens, 2) scores, or from (networks, tokens, 2) for each network at once."""
    n = scores.shape[-2]
    first_mask = torch.full((n,), -1e4)
    first_mask[: quoted[0] + 1] = 0.0
    last_mask = torch.full((n,), -1e4)
    last_mask[quoted[1] :] = 0.0
    return torch.log_softmax(scores[..., 0] + first_mask, -1), torch.log_softmax(scores[..., 1] + last_mask, -1)


class ContentChooser(Protocol):
    def choose_all(self, decisions: list[ContentDecision]) -> list[tuple[int, int]]:
        """Each decision's content (body offsets), in order: one call per article."""
        ...


class RuleChoice:
    """The parse rule's content (the model's input feature), unchanged: for training and comparison."""

    def choose_all(self, decisions: list[ContentDecision]) -> list[tuple[int, int]]:
        return [decision.rule_choice for decision in decisions]


class LearnedContent:
    """An ensemble of networks trained from different seeds: their log-probabilities are summed (one
    network's choice moves with its seed; the sum is steadier)."""

    def __init__(self, nets: list[ContentBoundaryNet]) -> None:
        self.nets = [net.eval() for net in nets]

    def choose_all(self, decisions: list[ContentDecision]) -> list[tuple[int, int]]:
        if not decisions:
            return []
        # Decisions of equal length run as one batch, so nothing is padded: a padded batch must be packed
        # for the backward direction, and packing cost more than it saved at an article's few decisions
        # (the content model was most of the quote stage's time). A long article's many decisions still
        # share a few batches.
        features = [decision_features(decision) for decision in decisions]
        by_length: dict[int, list[int]] = {}
        for k, f in enumerate(features):
            by_length.setdefault(len(f), []).append(k)
        scores: dict[int, torch.Tensor] = {}
        with torch.inference_mode():
            for members in by_length.values():
                batch = torch.stack([features[k] for k in members])
                every_net = torch.stack([net(batch) for net in self.nets], 1)  # (decisions, networks, tokens, 2)
                scores.update(zip(members, every_net))
            # The decoding too: its many small tensor operations then keep no autograd records.
            return [self._span(decision, scores[k]) for k, decision in enumerate(decisions)]

    @staticmethod
    def _span(decision: ContentDecision, scores: torch.Tensor) -> tuple[int, int]:
        """The content from every network's scores, (networks, tokens, 2)."""
        quoted = decision.quoted_token_range()
        first_each, last_each = boundary_log_probs(scores, quoted)
        first = torch.log_softmax(first_each.sum(0), 0)
        last = torch.log_softmax(last_each.sum(0), 0)
        first_k, last_k = most_likely_to_match(first, last, quoted, _word_mask(decision.window))
        start, end = decision.window[first_k], decision.window[last_k]
        return min(start.idx, decision.quote[0]), max(end.idx + len(end.text), decision.quote[1])


def most_likely_to_match(
    first: torch.Tensor, last: torch.Tensor, quoted: tuple[int, int], words: torch.Tensor
) -> tuple[int, int]:
    """Of the pairs of the likeliest first and last tokens, the span expected to match the content most
    often at the two overlaps PolNeAR is scored at (minimum Bayes risk). The two argmaxes taken apart can
    pair a clause's start with the quote's own end and match neither reading. Decoding for the loose match
    alone drifts to spans half-matching every reading and loses strict matches: 5-fold cross-validation on
    PolNeAR train in docs/speakers.md."""
    first_top = torch.topk(first, min(MBR_CANDIDATES, quoted[0] + 1)).indices
    last_top = torch.topk(last, min(MBR_CANDIDATES, len(last) - quoted[1])).indices
    spans = torch.cartesian_prod(first_top, last_top)
    probability = (first[first_top].exp()[:, None] * last[last_top].exp()[None]).reshape(-1)
    overlap = _overlap(first_top, last_top, torch.cat([torch.zeros(1), words.cumsum(0)]))
    matches = torch.stack([(overlap >= threshold).float() for threshold in MATCH_OVERLAPS]).sum(0)
    best = int((matches @ probability).argmax())
    return int(spans[best, 0]), int(spans[best, 1])


def _overlap(firsts: torch.Tensor, lasts: torch.Tensor, words_before: torch.Tensor) -> torch.Tensor:
    """Shared words of every two spans of cartesian_prod(firsts, lasts) (inclusive token ranges) over the
    longer one's words. Two spans share the words from the later first token to the earlier last one, so
    both ends are looked up per pair of firsts and per pair of lasts, then broadcast to every pair of spans
    (looking them up per pair of spans, 144 x 144, was most of the decoding's time)."""
    later_start = words_before[torch.maximum(firsts[:, None], firsts[None])]  # (firsts, firsts)
    earlier_end = words_before[torch.minimum(lasts[:, None], lasts[None]) + 1]  # (lasts, lasts)
    # [first a, last b, first c, last d]: spans (a, b) and (c, d). Disjoint spans come out <= 0, clamped to 0.
    shared = torch.clamp(earlier_end[None, :, None, :] - later_start[:, None, :, None], min=0)
    length = (words_before[lasts + 1][None] - words_before[firsts][:, None]).reshape(-1)
    spans = len(length)
    return shared.reshape(spans, spans) / torch.clamp(torch.maximum(length[:, None], length[None]), min=1)


def _word_mask(window: Span) -> torch.Tensor:
    """1 for a word, 0 for punctuation and space: span overlap counts words."""
    return torch.tensor([0.0 if (t.is_punct or t.is_space) else 1.0 for t in window])


CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


def save_model(nets: list[ContentBoundaryNet], directory: Path, training: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {
        f"member{k}.{name}": value.contiguous()
        for k, net in enumerate(nets)
        for name, value in net.state_dict().items()
    }
    save_file(tensors, str(directory / WEIGHTS_NAME))
    config = {
        "members": len(nets),
        "flags": FLAGS,
        "deps": DEPS,
        "pos": POS,
        "words": WORDS,
        "tensor_width": TENSOR_WIDTH,
        "training": training,
    }
    (directory / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def load_model(directory: Path) -> LearnedContent:
    """The trained chooser; ModelLoadError when it is missing or was trained on other features."""
    try:
        config = json.loads((directory / CONFIG_NAME).read_text(encoding="utf-8"))
        state = load_file(str(directory / WEIGHTS_NAME))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"quote content model in {directory} could not be loaded ({exc}); "
            "train it with: python -m service.training.quote_content"
        ) from exc
    expected = {"flags": FLAGS, "deps": DEPS, "pos": POS, "words": WORDS}
    if (
        any(tuple(config.get(key, ())) != value for key, value in expected.items())
        or config.get("tensor_width") != TENSOR_WIDTH
    ):
        raise ModelLoadError(f"quote content model in {directory} was trained on other features; retrain it")
    nets = []
    for k in range(int(config.get("members", 0))):
        prefix = f"member{k}."
        net = ContentBoundaryNet()
        try:
            net.load_state_dict(
                {name[len(prefix) :]: value for name, value in state.items() if name.startswith(prefix)}
            )
        except RuntimeError as exc:
            raise ModelLoadError(f"quote content model in {directory} does not fit the network ({exc})") from exc
        nets.append(net)
    if not nets:
        raise ModelLoadError(f"quote content model in {directory} has no networks")
    return LearnedContent(nets)


@lru_cache(maxsize=4)
def default_chooser(directory: Path = DEFAULT_QUOTE_CONTENT_DIR) -> LearnedContent:
    return load_model(directory)
