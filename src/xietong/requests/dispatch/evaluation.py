"""The labelled requests shipped with the package, and how suggestions are measured on them.

`data/labelled_requests*.jsonl`: requests the demo company's people might file, written by
hand (one JSON object a line: text, department, type), each with the department it goes to
and its kind, in two batches: 410 first, then 238 more (more requests naming the asking
department or a third one beside the one asked, as people write them; none written after
a held-out request, and three that came out close to one anyway were left out). Each batch
has its fixed held-out part (25 %, stratified by department, seed 13), so the first
batch's held-out part is exactly what it was before the second was written. Models are
chosen on the training parts; the figures of bench/dispatch.py and the quality tests are
read on the held-out parts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

from xietong.requests.dispatch.classifier import LabelledText, Suggestion, Target

DATA = Path(__file__).parent / "data"
BATCHES = (DATA / "labelled_requests.jsonl", DATA / "labelled_requests_2.jsonl")
HELD_OUT = 0.25
SEED = 13

Split = tuple[list[LabelledText], list[LabelledText]]


def labelled_requests(path: Path | None = None) -> list[LabelledText]:
    """The requests of one file, or of every batch."""
    examples = []
    for batch in BATCHES if path is None else (path,):
        with batch.open(encoding="utf-8") as lines:
            examples += [LabelledText(row["text"], row["department"], row["type"])
                         for row in map(json.loads, lines)]
    return examples


def split(examples: Sequence[LabelledText]) -> Split:
    """(training part, held-out part) of one batch, the same every time."""
    training, held_out = train_test_split(
        list(examples), test_size=HELD_OUT, random_state=SEED,
        stratify=[example.department for example in examples])
    return list(training), list(held_out)


def held_out_split(batches: Sequence[Path] = BATCHES) -> Split:
    """(training part, held-out part) of the batches, each split on its own."""
    training: list[LabelledText] = []
    held_out: list[LabelledText] = []
    for batch in batches:
        batch_training, batch_held_out = split(labelled_requests(batch))
        training += batch_training
        held_out += batch_held_out
    return training, held_out


@dataclass(frozen=True, slots=True)
class Accuracy:
    top1: float  # the right label first
    top3: float  # the right label among the first three
    answered: float  # a suggestion at all


def accuracy(suggest: Callable[[str], list[Suggestion]], examples: Sequence[LabelledText],
             target: Target) -> Accuracy:
    """How often `suggest` (returning the three best) names each example's label."""
    firsts = threes = answered = 0
    scored = [example for example in examples if example.label(target) is not None]
    for example in scored:
        labels = [s.label for s in suggest(example.text)[:3]]
        firsts += labels[:1] == [example.label(target)]
        threes += example.label(target) in labels
        answered += bool(labels)
    n = len(scored)
    return Accuracy(firsts / n, threes / n, answered / n)
