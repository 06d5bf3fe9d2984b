"""Which department, or which kind of request, a request is for: a linear model over its words.

Tokens: the text in search's normal form (NFKC, simplified characters, case-folded), its
Chinese runs cut into words by jieba (search's set-up and dictionary) plus every pair of
adjacent Chinese characters (bigrams carry what jieba splits oddly or a typo breaks), and its
Latin words and numbers (VPN, Outlook, 400). TF-IDF with sublinear term frequency over them,
and a multinomial logistic regression (scikit-learn) whose probabilities are the scores.

Every keyword of `keywords.py` is one more training example of its label (weight
KEYWORD_WEIGHT): the model knows a department's vocabulary before its requests teach it, and
real requests outweigh the lists as they accumulate. C is chosen by cross-validation on the
examples given to `train`, nothing else.

Departments named in the text count by their role (`mentions.py`): the one asked (请研发部,
法务帮忙看下) gains ROLE_WEIGHTS["receiver"] on its logit, the one asking (我们销售部) loses
on it, one merely mentioned loses a little. Without this a request naming its own department
leans towards it: "我们销售部需要研发部…" has 销售部's words as much as 研发部's.

(All of it was chosen by cross-validation on the training part of the labelled requests,
`bench.dispatch --choices`, 485 requests, three times five folds, C = 10. Department top-1
and top-3: 0.893 and 0.985 as here; 0.835 and 0.986 without the roles; 0.887 and 0.989 with
every Chinese character a token too; 0.882 and 0.988 with a block of character 1–3-grams
beside the words (TfidfVectorizer char_wb in a FeatureUnion); 0.872 without bigrams; 0.762
without the keyword examples, 0.874 with weight 1, 0.890 with 10. Type top-1: 0.875 with
class-balanced weights, 0.823 without; 0.858 with keyword weight 10.)

Why: the words that add most to the suggested label's logit, coefficient × TF-IDF value, a
bigram's part shared among the words it overlaps, a department's name its role's weight.

A trained model is arrays (features, idf, coefficients, intercepts) applied with numpy;
scikit-learn is needed only to train. `dumps` writes them as JSON: data, nothing a load
could execute (pickle or joblib would run whatever the stored bytes name).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import KFold  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from xietong.requests.dispatch.keywords import (
    DEPARTMENT_KEYWORDS,
    DEPARTMENT_NAMES,
    TYPE_KEYWORDS,
)
from xietong.requests.dispatch.mentions import (
    ROLE_WEIGHTS,
    Mention,
    NameTable,
    Role,
    Span,
    roles_of,
)
from xietong.search.text import MAX_TOKEN_CHARS, bigrams, normalise, runs, segment

Target = Literal["department", "type"]
Floats = npt.NDArray[np.float64]

KEYWORD_WEIGHT = 3.0
# Each label weighs as much as the others in training, however many requests it has: most
# requests are of no particular type (其他), and unweighted the type model leaned to it.
CLASS_WEIGHT: Literal["balanced"] | None = "balanced"
C_GRID = (3.0, 10.0, 30.0)
FOLDS = 5
DEFAULT_C = 10.0  # when there are too few examples to cross-validate
# A label with fewer closed requests than this is suggested by its keywords when they point
# at it (`suggest`). Measured with one department thinned out of the training part
# (bench/dispatch.py --thin): its requests found first by the model alone and with its
# keywords first, 0.70 → 0.85 with no request of it, 0.80 → 0.87 with 10, 0.84 → 0.88
# with 20; all requests together gain 1.1 points with none of it, lose 0.2 with 20.
# Suggestions steer requests, so a department the model underrates would stay thin: its
# keywords lead until it has 10.
MIN_HISTORY = 10
# A request's first 20,000 characters decide; jieba over 100 KB would take seconds.
MAX_TEXT_CHARS = 20_000
WHY_WORDS = 5
# A word shows in `why` when it adds at least this much to the label's logit: 的, 了, 一下
# add 0.01-0.08, the words that decide 0.15 and more.
WHY_FLOOR = 0.1
DECIMALS = 6
FORMAT = "xietong.requests.dispatch/2"
# A model stored before department names counted by their role: read as one without names.
FORMAT_WITHOUT_NAMES = "xietong.requests.dispatch/1"


@dataclass(frozen=True, slots=True)
class LabelledText:
    """A closed request: what it said and where it went (and, when known, its kind)."""

    text: str
    department: str
    type: str | None = None

    def label(self, target: Target) -> str | None:
        return self.department if target == "department" else self.type


@dataclass(frozen=True, slots=True)
class Suggestion:
    """`score`: the model's probability (the scores of all labels sum to 1), or, from the
    keywords, the share of the matched keywords that are this label's. `why`: words of
    the text in its normal form (case-folded, simplified), the strongest first."""

    label: str
    score: float
    why: tuple[str, ...]
    source: Literal["model", "keywords"]


# --- tokens ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Analysed:
    """A text's normal form, its words and its Chinese bigrams, each with its place."""

    normal: str
    words: list[Span]
    pairs: list[Span]

    @property
    def tokens(self) -> list[str]:
        """The tokens the model counts."""
        return [token for token, _, _ in self.words + self.pairs]


def _analyse(text: str) -> Analysed:
    normal = normalise(text[:MAX_TEXT_CHARS])
    words: list[Span] = []
    pairs: list[Span] = []
    for run in runs(normal):
        if run.kind == "word":
            words.append((run.text[:MAX_TOKEN_CHARS], run.start, run.start + len(run.text)))
            continue
        at = run.start  # jieba keeps every character of a run: its words are contiguous
        for word in segment(run.text):
            words.append((word, at, at + len(word)))
            at += len(word)
        if len(run.text) > 1:
            pairs.extend((pair, run.start + i, run.start + i + 2)
                         for i, pair in enumerate(bigrams(run.text)))
    return Analysed(normal, words, pairs)


def features(text: str) -> list[str]:
    """The tokens the model counts in `text`."""
    return _analyse(text).tokens


# --- the model -------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class DispatchModel:
    """A trained model: its labels, the TF-IDF of its features, the regression over them,
    and the labels' names with the weight of each role a named label plays.

    `scores` is the hook for combining with other signals (an assignee's workload, say): the
    probability of every label, to weigh as the caller likes.
    """

    classes: tuple[str, ...]
    columns: Mapping[str, int]  # feature → its column
    idf: Floats
    coef: Floats  # classes × features
    intercept: Floats
    history: Mapping[str, int]  # the requests per label it learned from (keywords apart)
    c: float
    names: NameTable = field(default_factory=lambda: NameTable({}))
    roles: Mapping[Role, float] = field(default_factory=lambda: dict(ROLE_WEIGHTS))

    def _vector(self, tokens: Sequence[str]) -> tuple[Counter[str], dict[str, float]]:
        """The counts of the known tokens, and their TF-IDF values (L2-normalised, as
        scikit-learn's TfidfVectorizer computes them)."""
        counts = Counter(token for token in tokens if token in self.columns)
        if not counts:
            return counts, {}
        raw = {t: (1 + math.log(n)) * float(self.idf[self.columns[t]]) for t, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in raw.values()))
        return counts, {t: v / norm for t, v in raw.items()}

    def _named(self, analysed: Analysed) -> dict[str, Mention]:
        """The labels the text names, each with the role it plays."""
        return roles_of(self.names.mentions(analysed.normal, analysed.words))

    def _probabilities(self, values: Mapping[str, float],
                       named: Mapping[str, Mention]) -> Floats:
        cols = np.fromiter((self.columns[t] for t in values), dtype=np.intp, count=len(values))
        x = np.fromiter(values.values(), dtype=np.float64, count=len(values))
        logits = self.coef[:, cols] @ x + self.intercept
        logits += offsets(named, self.classes, self.roles)
        exp = np.exp(logits - logits.max())
        probabilities: Floats = exp / exp.sum()
        return probabilities

    def scores(self, text: str) -> dict[str, float]:
        """Every label's probability for `text`; empty when the model knows none of its words."""
        analysed = _analyse(text)
        _, values = self._vector(analysed.tokens)
        if not values:
            return {}
        probabilities = self._probabilities(values, self._named(analysed))
        return dict(zip(self.classes, probabilities.tolist(), strict=True))

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The `k` likeliest labels for `text`, with why; empty when the text is empty or
        the model knows none of its words (no guess from nothing)."""
        analysed = _analyse(text)
        counts, values = self._vector(analysed.tokens)
        if not values:
            return []
        named = self._named(analysed)
        probabilities = self._probabilities(values, named)
        best = sorted(range(len(self.classes)), key=lambda i: -probabilities[i])[:k]
        return [Suggestion(self.classes[i], float(probabilities[i]),
                           self._why(i, analysed, counts, values, named.get(self.classes[i])),
                           "model")
                for i in best]

    def _why(self, label: int, analysed: Analysed, counts: Mapping[str, int],
             values: Mapping[str, float], named: Mention | None) -> tuple[str, ...]:
        """The words adding most to `label`'s logit. A feature's contribution (coefficient ×
        value) is shared among its occurrences; a bigram's among the words it overlaps; the
        label's name adds its role's weight."""
        words = analysed.words
        owner: dict[int, int] = {}  # character position → the word covering it
        for index, (_, start, end) in enumerate(words):
            owner.update(dict.fromkeys(range(start, end), index))
        by_word: defaultdict[str, float] = defaultdict(float)
        for token, start, end in words + analysed.pairs:
            if token not in values:
                continue
            share = self.coef[label, self.columns[token]] * values[token] / counts[token]
            overlapped = {owner[p] for p in range(start, end)}
            for index in overlapped:
                by_word[words[index][0]] += share / len(overlapped)
        if named is not None:
            by_word[named.name] += self.roles[named.part]
        ranked = sorted(by_word.items(), key=lambda item: -item[1])
        return tuple(word for word, weight in ranked[:WHY_WORDS] if weight >= WHY_FLOOR)


def offsets(named: Mapping[str, Mention], classes: Sequence[str],
            roles: Mapping[Role, float]) -> Floats:
    """What the named labels add to the logits of `classes`."""
    added = np.zeros(len(classes))
    for index, label in enumerate(classes):
        if (mention := named.get(label)) is not None:
            added[index] = roles[mention.part]
    return added


# --- training --------------------------------------------------------------------------------

def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _fit(docs: Sequence[list[str]], labels: Sequence[str], weights: Sequence[float],
         c: float) -> tuple[TfidfVectorizer, LogisticRegression]:
    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
    matrix = vectorizer.fit_transform(docs)
    regression = LogisticRegression(C=c, max_iter=2000, class_weight=CLASS_WEIGHT)
    regression.fit(matrix, labels, sample_weight=weights)
    return vectorizer, regression


def _logits(regression: LogisticRegression, matrix: Any) -> Floats:
    """The regression's logits of every class (a binary one keeps one column, z: its
    classes' logits are -z/2 and z/2, as `train` stores them)."""
    logits = np.asarray(regression.decision_function(matrix), dtype=np.float64)
    if logits.ndim == 1:
        logits = np.column_stack([-logits / 2, logits / 2])
    return logits


def _choose_c(docs: list[list[str]], labels: list[str], named: list[dict[str, Mention]],
              prior_docs: list[list[str]], prior_labels: list[str],
              roles: Mapping[Role, float]) -> float:
    """The C of C_GRID with the best top-1 accuracy over FOLDS folds of the requests (the
    keyword examples stay in every fold's training part; named departments count as they
    will); the smaller C on a tie."""
    if len(docs) < 2 * FOLDS:
        return DEFAULT_C
    right = dict.fromkeys(C_GRID, 0)
    for fit, held in KFold(FOLDS, shuffle=True, random_state=0).split(docs):
        fit_docs = [docs[i] for i in fit] + prior_docs
        fit_labels = [labels[i] for i in fit] + prior_labels
        weights = [1.0] * len(fit) + [KEYWORD_WEIGHT] * len(prior_docs)
        if len(set(fit_labels)) < 2:
            continue
        for c in C_GRID:
            vectorizer, regression = _fit(fit_docs, fit_labels, weights, c)
            classes = [str(label) for label in regression.classes_]
            logits = _logits(regression, vectorizer.transform([docs[i] for i in held]))
            for row, i in zip(logits, held, strict=True):
                row += offsets(named[i], classes, roles)
                right[c] += classes[int(np.argmax(row))] == labels[i]
    return max(C_GRID, key=lambda c: (right[c], -c))


def train(examples: Sequence[LabelledText], target: Target = "department",
          keywords: Mapping[str, Sequence[str]] | None = None,
          c: float | None = None,
          names: Mapping[str, Sequence[str]] | None = None) -> DispatchModel:
    """A model of `target` (department or type) learned from closed requests and the keyword
    lists (by default this package's for the target; `{}` for none). `c`: the
    regularisation, else chosen by cross-validation. `names`: what each label is called in
    a request, to count a named department by its role (by default this package's
    department names for departments, none for types). Seconds for a few hundred requests.
    Raises ValueError when there are not two labels to tell apart."""
    if keywords is None:
        keywords = DEPARTMENT_KEYWORDS if target == "department" else TYPE_KEYWORDS
    if names is None:
        names = DEPARTMENT_NAMES if target == "department" else {}
    labelled = [(example.text, label) for example in examples
                if (label := example.label(target)) is not None]
    analysed = [_analyse(text) for text, _ in labelled]
    docs = [a.tokens for a in analysed]
    labels = [label for _, label in labelled]
    prior_docs = [features(word) for words in keywords.values() for word in words]
    prior_labels = [label for label, words in keywords.items() for _ in words]
    if len(set(labels) | set(prior_labels)) < 2:
        raise ValueError("a model needs examples of at least two labels")
    known = set(labels) | set(prior_labels)
    table = name_table({label: label_names for label, label_names in names.items()
                        if label in known})
    named = [roles_of(table.mentions(a.normal, a.words)) for a in analysed]
    roles = dict(ROLE_WEIGHTS)
    # One thread: training runs beside the server, and OpenBLAS's threads on a busy
    # two-core machine made one fit forty times slower (3 s instead of 0.08 s).
    with threadpool_limits(limits=1):
        chosen = c if c is not None else _choose_c(docs, labels, named, prior_docs,
                                                   prior_labels, roles)
        weights = [1.0] * len(docs) + [KEYWORD_WEIGHT] * len(prior_docs)
        vectorizer, regression = _fit(docs + prior_docs, labels + prior_labels, weights, chosen)
    # Six decimals: a millionth of a logit changes no suggestion, and the stored model is
    # half as long (shortest repr of a rounded float; `dumps` writes exactly these).
    coef = np.asarray(regression.coef_, dtype=np.float64).round(DECIMALS)
    intercept = np.asarray(regression.intercept_, dtype=np.float64).round(DECIMALS)
    if len(regression.classes_) == 2:
        # Binary regression keeps one row, z, and uses sigmoid(z): that is the softmax of
        # (-z/2, z/2), so two rows serve it like any other.
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.concatenate([-intercept / 2,
                                                                           intercept / 2])
    return DispatchModel(
        classes=tuple(str(label) for label in regression.classes_),
        columns={str(t): int(i) for t, i in vectorizer.vocabulary_.items()},
        idf=np.asarray(vectorizer.idf_, dtype=np.float64).round(DECIMALS),
        coef=coef, intercept=intercept,
        history=dict(Counter(labels)), c=float(chosen), names=table, roles=roles)


def _normal_names(names: Sequence[str]) -> tuple[str, ...]:
    """Names in normal form, each once, in their order (blank ones dropped)."""
    return tuple(dict.fromkeys(normal for name in names if (normal := normalise(name).strip())))


# --- keywords --------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _keyword(keyword: str) -> tuple[str, re.Pattern[str]]:
    """A keyword's normal form, and its pattern: a Latin keyword as a whole word (not "it"
    in "submit"), a Chinese one anywhere."""
    normal = normalise(keyword)
    escaped = re.escape(normal)
    if normal.isascii():
        return normal, re.compile(f"(?<![a-z0-9]){escaped}(?![a-z0-9])")
    return normal, re.compile(escaped)


# The keyword fallback's order by a named label's role: the one asked first, the one asking
# last, one merely mentioned after those not named (top-1 on the training part 0.746 → 0.827;
# a mentioned one by its keywords like the others: 0.814).
_KEYWORD_ORDER: Mapping[Role | None, int] = {"receiver": 0, None: 1, "mentioned": 2,
                                             "requester": 3}


def keyword_suggest(text: str, keywords: Mapping[str, Sequence[str]], k: int = 3,
                    names: NameTable | None = None) -> list[Suggestion]:
    """The `k` labels whose keywords `text` holds most of (the table's order on a tie);
    empty when it holds none. With `names`, a label the text names comes first when it is
    asked (its name counts as one of its keywords), last when it asks, after the others
    when merely mentioned."""
    normal = normalise(text[:MAX_TEXT_CHARS])
    matched = {label: [word for word, pattern in map(_keyword, words) if pattern.search(normal)]
               for label, words in keywords.items()}
    named: dict[str, Mention] = {}
    if names is not None:
        analysed = _analyse(text)
        named = roles_of(names.mentions(analysed.normal, analysed.words))
        for label, mention in named.items():
            if mention.part == "receiver" and mention.name not in matched.get(label, []):
                matched[label] = [mention.name, *matched.get(label, [])]
    total = sum(len(found) for found in matched.values())
    if not total:
        return []
    ranked = sorted((label for label in matched if matched[label]),
                    key=lambda label: (_KEYWORD_ORDER[named[label].part if label in named
                                                      else None], -len(matched[label])))
    return [Suggestion(label, len(matched[label]) / total, tuple(matched[label][:WHY_WORDS]),
                       "keywords")
            for label in ranked[:k]]


def suggest(text: str, model: DispatchModel | None, keywords: Mapping[str, Sequence[str]],
            k: int = 3, names: NameTable | None = None) -> list[Suggestion]:
    """What to suggest for `text`: the model's suggestions; the keywords' when there is no
    model yet or it knows none of the text's words; and the keywords' first label ahead of
    the model's when that label has fewer than MIN_HISTORY requests in the model's history
    (the model has barely seen it). `source` tells which. `names`: the labels' names for the
    keywords (by default the model's)."""
    if names is None and model is not None:
        names = model.names
    by_keywords = keyword_suggest(text, keywords, k, names)
    if model is None:
        return by_keywords
    by_model = model.suggest(text, k)
    if not by_model:
        return by_keywords
    if by_keywords and model.history.get(by_keywords[0].label, 0) < MIN_HISTORY:
        first = by_keywords[0]
        return [first, *(s for s in by_model if s.label != first.label)][:k]
    return by_model


def name_table(names: Mapping[str, Sequence[str]]) -> NameTable:
    """The labels' names (as people write them) in normal form, to find in texts."""
    return NameTable({label: _normal_names(label_names) for label, label_names in names.items()})


# --- storage ---------------------------------------------------------------------------------

def dumps(model: DispatchModel) -> bytes:
    """The model as JSON (UTF-8): its labels, features, numbers, history, the labels' names
    and the roles' weights. Floats are written exactly (shortest repr), so a loaded model
    suggests exactly the same."""
    features_in_order = sorted(model.columns, key=model.columns.__getitem__)
    return json.dumps({
        "format": FORMAT, "classes": list(model.classes), "features": features_in_order,
        "idf": model.idf.tolist(), "coef": model.coef.tolist(),
        "intercept": model.intercept.tolist(), "history": dict(model.history), "c": model.c,
        "names": {label: list(names) for label, names in model.names.names.items()},
        "roles": dict(model.roles),
    }, ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes) -> DispatchModel:
    """A model written by `dumps` (or by the version before names counted, as a model
    without names); ValueError for anything else (checked: the format, the types, the
    shapes, finite numbers)."""
    try:
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("format") not in (FORMAT, FORMAT_WITHOUT_NAMES):
            raise ValueError("not a dispatch model")
        classes, features_in_order = doc["classes"], doc["features"]
        history, c = doc["history"], doc["c"]
        idf = np.asarray(doc["idf"], dtype=np.float64)
        coef = np.asarray(doc["coef"], dtype=np.float64)
        intercept = np.asarray(doc["intercept"], dtype=np.float64)
        with_names = doc["format"] == FORMAT
        names = doc["names"] if with_names else {}
        roles = doc["roles"] if with_names else dict(ROLE_WEIGHTS)
    except (KeyError, TypeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise ValueError(f"not a dispatch model: {error}") from error
    strings = (isinstance(classes, list) and isinstance(features_in_order, list)
               and all(isinstance(s, str) for s in [*classes, *features_in_order]))
    if not (strings and len(set(classes)) == len(classes) >= 2
            and len(set(features_in_order)) == len(features_in_order)
            and idf.shape == (len(features_in_order),)
            and coef.shape == (len(classes), len(features_in_order))
            and intercept.shape == (len(classes),)
            and all(np.isfinite(a).all() for a in (idf, coef, intercept))
            and isinstance(history, dict)
            and all(isinstance(n, int) and isinstance(label, str)
                    for label, n in history.items())
            and isinstance(c, int | float)
            and isinstance(names, dict)
            and all(label in classes and isinstance(label_names, list)
                    and all(isinstance(name, str) and name for name in label_names)
                    for label, label_names in names.items())
            and isinstance(roles, dict) and set(roles) == set(ROLE_WEIGHTS)
            and all(isinstance(w, int | float) and math.isfinite(w) for w in roles.values())):
        raise ValueError("not a dispatch model: inconsistent content")
    return DispatchModel(classes=tuple(classes),
                         columns={t: i for i, t in enumerate(features_in_order)},
                         idf=idf, coef=coef, intercept=intercept, history=history,
                         c=float(c), names=NameTable(names),
                         roles={role: float(weight) for role, weight in roles.items()})
