"""Dispatch suggestions measured on the labelled requests (xietong.requests.dispatch).

Default: trains the department and the type model on the training part of the labelled
requests (`data/labelled_requests*.jsonl`, C chosen by cross-validation inside it) and reads,
on the held-out part (25 % of each batch, stratified by department, seed 13), and on the
first batch's held-out part alone (the 103 requests the figures before the second batch were
read on): top-1 and top-3 of the model, of the keyword fallback alone and of `suggest` (the
two together); how well the model's score says how sure it is (accuracy per score band);
training time, stored size, and latency per call (also for a 100 KB text). `reference`: the
department model without department names counted by role, and trained on the first batch
only, read on the same parts (what each change brought; nothing was chosen on these); and
the keyword lists without names.

`--choices`: the cross-validation on the training part only (three times five folds, C = 10
throughout) that chose the features, the keyword examples' weight and the roles' weights;
`--thin`: the measurement behind MIN_HISTORY, on the training part only (one department
thinned to n requests: how often are its requests found by the model alone, and with its
keywords put first).

Run: .venv/bin/python -m bench.dispatch [--choices] [--thin]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold, train_test_split  # type: ignore[import-untyped]
from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from xietong.requests.dispatch import classifier, mentions
from xietong.requests.dispatch.classifier import (
    DispatchModel,
    LabelledText,
    Suggestion,
    Target,
    dumps,
    keyword_suggest,
    loads,
    name_table,
    suggest,
    train,
)
from xietong.requests.dispatch.evaluation import (
    BATCHES,
    Accuracy,
    accuracy,
    held_out_split,
)
from xietong.requests.dispatch.keywords import (
    DEPARTMENT_KEYWORDS,
    DEPARTMENT_NAMES,
    TYPE_KEYWORDS,
)
from xietong.search.text import is_cjk, normalise, warm_up

KEYWORDS = {"department": DEPARTMENT_KEYWORDS, "type": TYPE_KEYWORDS}
TARGETS: tuple[Target, ...] = ("department", "type")


def figures(result: Accuracy) -> dict[str, float]:
    return {"top1": round(result.top1, 3), "top3": round(result.top3, 3),
            "answered": round(result.answered, 3)}


def per_call_ms(call: Callable[[str], object], texts: Sequence[str],
                rounds: int = 5) -> dict[str, float]:
    times = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            call(text)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50": round(statistics.median(times), 3),
            "p95": round(times[int(len(times) * 0.95)], 3), "max": round(times[-1], 3)}


def calibration(model: DispatchModel, examples: Sequence[LabelledText],
                target: Target) -> list[dict[str, Any]]:
    """Per band of the first suggestion's score: how many, and how many of those right."""
    bands = [(0.0, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)]
    counts = {band: [0, 0] for band in bands}
    for example in examples:
        first = model.suggest(example.text, 1)
        if not first:
            continue
        band = next(b for b in bands if b[0] <= first[0].score < b[1])
        counts[band][0] += 1
        counts[band][1] += first[0].label == example.label(target)
    return [{"score": f"{low:.1f}-{min(high, 1.0):.1f}", "n": n,
             "right": round(right / n, 3) if n else None}
            for (low, high), (n, right) in counts.items()]


def held_out() -> dict[str, Any]:
    training, held = held_out_split()
    first_training, first_held = held_out_split(BATCHES[:1])
    texts = [example.text for example in held]
    long_text = "\n".join(texts) * (100_000 // len("\n".join(texts)) + 1)
    out: dict[str, Any] = {"requests": len(training) + len(held), "training": len(training),
                           "held_out": len(held), "first_batch_held_out": len(first_held),
                           "targets": {}}
    names = name_table(DEPARTMENT_NAMES)
    for target in TARGETS:
        keywords = KEYWORDS[target]
        target_names = names if target == "department" else None
        start = time.perf_counter()
        model = train(training, target)
        trained_s = time.perf_counter() - start
        stored = dumps(model)
        start = time.perf_counter()
        loads(stored)
        loaded_ms = (time.perf_counter() - start) * 1000

        def by_model(text: str, model: DispatchModel = model) -> list[Suggestion]:
            return model.suggest(text)

        def by_keywords(text: str, keywords: Any = keywords,
                        names: Any = target_names) -> list[Suggestion]:
            return keyword_suggest(text, keywords, names=names)

        def together(text: str, model: DispatchModel = model,
                     keywords: Any = keywords) -> list[Suggestion]:
            return suggest(text, model, keywords)

        def read(call: Callable[[str], list[Suggestion]],
                 target: Target = target) -> dict[str, dict[str, float]]:
            return {"held_out": figures(accuracy(call, held, target)),
                    "first_batch_held_out": figures(accuracy(call, first_held, target))}

        start = time.perf_counter()
        model.suggest(long_text)
        long_ms = (time.perf_counter() - start) * 1000
        out["targets"][target] = {
            "labels": len(model.classes), "chosen_c": model.c, "features": len(model.columns),
            "training_s": round(trained_s, 2), "stored_kib": len(stored) // 1024,
            "loads_ms": round(loaded_ms, 1),
            "model": read(by_model),
            "keywords": read(by_keywords),
            "suggest": read(together),
            "model_by_score": calibration(model, held, target),
            "model_suggest_ms": per_call_ms(by_model, texts),
            "keyword_suggest_ms": per_call_ms(by_keywords, texts),
            "suggest_ms": per_call_ms(together, texts),
            "suggest_100kb_ms": round(long_ms, 1),
        }
    out["reference"] = reference(training, first_training, held, first_held)
    return out


def reference(training: list[LabelledText], first_training: list[LabelledText],
              held: list[LabelledText], first_held: list[LabelledText]) -> dict[str, Any]:
    """The department model without names and on the first batch only, and with one of the
    two each (the rest as shipped: balanced classes, today's keyword lists)."""
    rows: dict[str, Any] = {}
    for name, examples, names in (
            ("first batch, without names", first_training, {}),
            ("first batch, with names", first_training, None),
            ("both batches, without names", training, {}),
            ("both batches, with names (as shipped)", training, None)):
        model = train(examples, names=names)
        rows[name] = {"chosen_c": model.c,
                      "held_out": figures(accuracy(model.suggest, held, "department")),
                      "first_batch_held_out": figures(accuracy(model.suggest, first_held,
                                                               "department"))}
    keywords_as_before = accuracy(lambda text: keyword_suggest(text, DEPARTMENT_KEYWORDS),
                                  first_held, "department")
    rows["keywords without names, first batch held-out"] = figures(keywords_as_before)
    return rows


# --- the choices, by cross-validation on the training part ------------------------------------

Ranker = Callable[[str], list[str]]  # a text's labels, the likeliest first
Variant = Callable[[list[LabelledText], Target], Ranker]
CHOICE_C = 10.0


def shipped(**changes: Any) -> Variant:
    """`train` as shipped, with C = CHOICE_C and `changes` to its module's settings
    (KEYWORD_WEIGHT, ROLE_WEIGHTS, _analyse) or its arguments (names, keywords)."""
    settings = {key: value for key, value in changes.items() if key.isupper() or key[0] == "_"}
    arguments = {key: value for key, value in changes.items() if key not in settings}

    def build(examples: list[LabelledText], target: Target) -> Ranker:
        with patched(settings):
            model = train(examples, target, c=CHOICE_C, **arguments)

        def rank(text: str) -> list[str]:
            with patched(settings):
                return [s.label for s in model.suggest(text, len(model.classes))]
        return rank
    return build


@contextmanager
def patched(settings: dict[str, Any]) -> Iterator[None]:
    original = {key: getattr(classifier, key) for key in settings}
    for key, value in settings.items():
        setattr(classifier, key, value)
    try:
        yield
    finally:
        for key, value in original.items():
            setattr(classifier, key, value)


def words_only(text: str) -> classifier.Analysed:
    analysed = _ANALYSE(text)
    return classifier.Analysed(analysed.normal, analysed.words, [])


def with_characters(text: str) -> classifier.Analysed:
    """Words, bigrams and every Chinese character on its own."""
    analysed = _ANALYSE(text)
    characters = [(char, at, at + 1) for word, start, _ in analysed.words
                  for at, char in enumerate(word, start) if is_cjk(char)]
    return classifier.Analysed(analysed.normal, analysed.words, analysed.pairs + characters)


_ANALYSE = classifier._analyse


def union() -> Variant:
    """scikit-learn directly: the words and bigrams, and beside them a block of character
    1–3-grams within words (TfidfVectorizer analyzer="char_wb", a FeatureUnion). Named
    departments count as shipped."""
    def build(examples: list[LabelledText], target: Target) -> Ranker:
        keywords = KEYWORDS[target]
        vectorizer = FeatureUnion([
            ("words", TfidfVectorizer(analyzer=classifier.features, sublinear_tf=True)),
            ("characters", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3),
                                           preprocessor=normalise, sublinear_tf=True))])
        texts = [e.text for e in examples] + [w for words in keywords.values() for w in words]
        labels = [e.label(target) for e in examples] + [
            label for label, words in keywords.items() for _ in words]
        weights = [1.0] * len(examples) + [classifier.KEYWORD_WEIGHT] * (len(texts)
                                                                          - len(examples))
        regression = LogisticRegression(C=CHOICE_C, max_iter=2000,
                                        class_weight=classifier.CLASS_WEIGHT)
        regression.fit(vectorizer.fit_transform(texts), labels, sample_weight=weights)
        classes = [str(label) for label in regression.classes_]
        table = name_table(DEPARTMENT_NAMES if target == "department" else {})

        def rank(text: str) -> list[str]:
            logits = regression.decision_function(vectorizer.transform([text]))[0]
            analysed = classifier._analyse(text)
            named = mentions.roles_of(table.mentions(analysed.normal, analysed.words))
            logits = logits + classifier.offsets(named, classes, mentions.ROLE_WEIGHTS)
            return [classes[i] for i in np.argsort(-logits, kind="stable")]
        return rank
    return build


def roles(receiver: float, requester: float, mentioned: float) -> dict[str, float]:
    return {"receiver": receiver, "requester": requester, "mentioned": mentioned}


VARIANTS: list[tuple[str, Variant]] = [
    ("as shipped", shipped()),
    ("no department names (roles off)", shipped(names={})),
    ("receiver only (+2)", shipped(ROLE_WEIGHTS=roles(2.0, 0.0, 0.0))),
    ("receiver +2, requester -2", shipped(ROLE_WEIGHTS=roles(2.0, -2.0, 0.0))),
    ("receiver +1, requester -1, mentioned -0.5", shipped(ROLE_WEIGHTS=roles(1.0, -1.0, -0.5))),
    ("receiver +3, requester -3, mentioned -0.5", shipped(ROLE_WEIGHTS=roles(3.0, -3.0, -0.5))),
    ("mentioned -1", shipped(ROLE_WEIGHTS=roles(2.0, -2.0, -1.0))),
    ("no bigrams", shipped(_analyse=words_only)),
    ("character unigrams added", shipped(_analyse=with_characters)),
    ("char_wb 1-3 block beside (FeatureUnion)", union()),
    ("classes weighted by their examples (not balanced)", shipped(CLASS_WEIGHT=None)),
    ("keyword examples: none", shipped(keywords={})),
    ("keyword examples: weight 1", shipped(KEYWORD_WEIGHT=1.0)),
    ("keyword examples: weight 10", shipped(KEYWORD_WEIGHT=10.0)),
]


def choices() -> list[dict[str, Any]]:
    """Three times five-fold cross-validation on the training part (the held-out part is not
    read): top-1 and top-3 per variant and target."""
    training, _ = held_out_split()
    folds = [fold for seed in range(3) for fold in StratifiedKFold(
        5, shuffle=True, random_state=seed).split(
            training, [example.department for example in training])]
    rows = []
    with threadpool_limits(limits=1):
        for name, variant in VARIANTS:
            row: dict[str, Any] = {"variant": name}
            for target in TARGETS:
                firsts = threes = n = 0
                for fit, check in folds:
                    rank = variant([training[i] for i in fit], target)
                    for i in check:
                        labels = rank(training[i].text)
                        firsts += labels[:1] == [training[i].label(target)]
                        threes += training[i].label(target) in labels[:3]
                        n += 1
                row[target] = {"top1": round(firsts / n, 3), "top3": round(threes / n, 3)}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return rows


def thin() -> list[dict[str, Any]]:
    """The training part halved (stratified): one half trains, one department cut to n
    requests in it, the other half is read. Averaged over the eight departments."""
    training, _ = held_out_split()
    fit, check = train_test_split(training, test_size=0.5, random_state=1,
                                  stratify=[example.department for example in training])
    rows = []
    for n in (0, 3, 5, 10, 15, 20):
        alone_all, alone_thin, with_all, with_thin = [], [], [], []
        for department in DEPARTMENT_KEYWORDS:
            kept = [e for e in fit if e.department != department]
            kept += [e for e in fit if e.department == department][:n]
            model = train(kept, c=classifier.DEFAULT_C)
            alone = with_keywords = alone_d = with_d = n_d = 0
            for example in check:
                by_model = model.suggest(example.text, 1)
                first = by_model[0].label if by_model else None
                by_keywords = keyword_suggest(example.text, DEPARTMENT_KEYWORDS, 1,
                                              model.names)
                overridden = (department if by_keywords and by_keywords[0].label == department
                              else first)
                alone += first == example.department
                with_keywords += overridden == example.department
                if example.department == department:
                    n_d += 1
                    alone_d += first == department
                    with_d += overridden == department
            alone_all.append(alone / len(check))
            with_all.append(with_keywords / len(check))
            alone_thin.append(alone_d / n_d)
            with_thin.append(with_d / n_d)
        rows.append({"thin_department_requests": n,
                     "model_alone": {"all": round(statistics.mean(alone_all), 3),
                                     "thin_department": round(statistics.mean(alone_thin), 3)},
                     "keywords_first": {"all": round(statistics.mean(with_all), 3),
                                        "thin_department": round(statistics.mean(with_thin),
                                                                 3)}})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--choices", action="store_true")
    parser.add_argument("--thin", action="store_true")
    args = parser.parse_args()
    warm_up()
    result: dict[str, Any] = {"benchmark": "dispatch"}
    if args.choices:
        result["cross_validation_on_training_part"] = choices()
    elif args.thin:
        result["thin_department_on_training_part"] = thin()
    else:
        result["held_out"] = held_out()
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
