"""Smart dispatch: which department a request is for, and what kind of request it is.

Pure functions over text, no database: the requests domain trains a model from its closed
requests (`train`), stores it (`dumps`/`loads`), and asks it (`suggest`) as someone types a
request; without a model, or for a department with little history, the keyword lists of
`keywords.py` answer. Departments named in the text count by their role (`mentions.py`):
the one asked, the one asking. Each suggestion says why (the words that weighed most) and where it
came from (model or keywords); `DispatchModel.scores` gives every label's probability to
combine with other signals (workload).

The labelled requests in `data/` (written by hand for the demo company) measure it:
`bench/dispatch.py`.
"""

from xietong.requests.dispatch.classifier import (
    MIN_HISTORY,
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
from xietong.requests.dispatch.keywords import DEPARTMENT_KEYWORDS, DEPARTMENT_NAMES, TYPE_KEYWORDS
from xietong.requests.dispatch.mentions import NameTable

__all__ = [
    "DEPARTMENT_KEYWORDS",
    "DEPARTMENT_NAMES",
    "MIN_HISTORY",
    "TYPE_KEYWORDS",
    "DispatchModel",
    "LabelledText",
    "NameTable",
    "Suggestion",
    "Target",
    "dumps",
    "keyword_suggest",
    "loads",
    "name_table",
    "suggest",
    "train",
]
