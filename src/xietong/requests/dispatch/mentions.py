"""Departments a request names, and in which role: the one asked, the one asking, or neither.

"我们销售部需要研发部协助" names two departments; its words alone pull towards both, and a
request names its own department about as often as the one it is for. The words around a
name tell them apart: after 请/找/麻烦/需要/向/让 or before 协助/处理/看一下/评估 it is
the **receiver**; after 我们/咱们/本/我司 or before 这边 it is the **requester**; otherwise it
is merely **mentioned** (研发评估了做不到, 财务那边对不上账), and a department merely
mentioned is more often not the one a request goes to than the one it does.

A name is one of a label's names (the department's name and what people call it: 研发部,
研发, IT) found on jieba word boundaries of the text's normal form (开发票 holds no 开发);
a Latin name counts only beside a cue (请 IT 看下, not "submit it").
The cue words are Chinese grammar, not any company's vocabulary; the model weighs each
role by ROLE_WEIGHTS (`classifier.DispatchModel`), chosen by cross-validation on the
training part of the labelled requests (bench/dispatch.py --choices).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Role = Literal["receiver", "requester", "mentioned"]
Span = tuple[str, int, int]  # a word and where it is in the normalised text

# Added to a named label's logit. Cross-validation on the training part (485 requests, three
# times five folds, C = 10; bench/dispatch.py --choices), department top-1: 0.835 without
# names; receiver +2 alone 0.873; and requester −2 0.890; and mentioned −0.5 0.893. A
# plateau: ±1 0.876, ±3 0.891, mentioned −1 0.893 (top-3 stays 0.983–0.986 throughout).
ROLE_WEIGHTS: Mapping[Role, float] = {"receiver": 2.0, "requester": -2.0, "mentioned": -0.5}

# The word right before a name that makes it the asking side: 我们销售部, 本部门, 我司财务.
REQUESTER_BEFORE = frozenset({"我们", "咱们", "我", "本", "我方", "我司", "我们组", "本部门",
                              "我部", "我们公司"})
# ... or right after it: 研发这边可以配合, and a department that wants something is the one
# asking: 市场部要拍宣传照片, 财务希望报销系统能…, 研发部准备采购….
REQUESTER_AFTER = frozenset({"这边", "这里", "要", "希望", "准备", "想", "想要", "打算",
                             "计划", "需要"})
# Between 我们 and the name: 我们这边的研发, 我们的销售.
REQUESTER_JOINERS = frozenset({"这边", "的", "这里"})
# The word right before a name that makes it the one asked: 请财务, 麻烦 IT, 借市场部的.
RECEIVER_BEFORE = frozenset({
    "请", "找", "需要", "向", "给", "让", "麻烦", "由", "帮", "帮忙", "希望", "要", "问",
    "问下", "问问", "交给", "转给", "转", "提交", "联系", "通知", "催", "催一下", "借",
    "借用", "借调", "请求", "拜托", "劳烦", "烦请", "提醒"})
# ... or right after it: 法务帮忙看下, 市场部牵头, 销售部出个报价.
RECEIVER_AFTER = frozenset({
    "协助", "支持", "处理", "帮忙", "帮", "看", "看下", "看看", "看一下", "评估", "确认",
    "出", "出个", "出一份", "安排", "审核", "审批", "审", "牵头", "来", "对接", "尽快",
    "配合", "跟进", "核实", "调整", "补", "补充", "提供", "开", "开个", "回复", "解决",
    "负责", "能", "能否", "可以", "会签", "把关", "给个", "统一", "先", "查", "查一下",
    "处理一下", "审一下", "核对", "排期", "评审", "确认一下", "帮忙看", "协调"})
# After a verb: the action is done, nobody is being asked (研发评估了做不到).
DONE = frozenset({"了", "过"})
# Skipped between a cue and the name: 找一下行政, 借一下总经办的投影仪.
FILLERS = frozenset({"一下", "下"})


@dataclass(frozen=True, slots=True)
class Mention:
    label: str
    name: str  # as the normalised text has it
    # The part the department plays in the request: asked, asking or merely named.
    part: Role


def _adjacent(text: str, left: Span, right: Span) -> bool:
    """Only spaces (or nothing) between two words: a comma ends a cue's reach."""
    return left[2] <= right[1] and text[left[2]:right[1]].strip() == ""


def _role(text: str, words: Sequence[Span], first: int, last: int) -> Role:
    """The role of the name spanning words[first..last]."""
    def before(i: int) -> str:
        return words[i - 1][0] if i > 0 and _adjacent(text, words[i - 1], words[i]) else ""

    def after(i: int) -> str:
        return (words[i + 1][0] if i + 1 < len(words)
                and _adjacent(text, words[i], words[i + 1]) else "")

    previous = before(first)
    if previous in REQUESTER_BEFORE or (previous in REQUESTER_JOINERS
                                        and before(first - 1) in REQUESTER_BEFORE):
        return "requester"
    cue_at = first - 1 if previous in FILLERS else first
    if before(cue_at) in RECEIVER_BEFORE:
        return "receiver"
    following = after(last)
    if following in REQUESTER_AFTER:
        return "requester"
    # 研发评估一下 asks; 研发评估了 / 评估过 tells what they did.
    if following in RECEIVER_AFTER and after(last + 1) not in DONE:
        return "receiver"
    return "mentioned"


class NameTable:
    """Every label's names (in normal form), to find in a text's words."""

    def __init__(self, names: Mapping[str, Sequence[str]]) -> None:
        self.names = {label: tuple(label_names) for label, label_names in names.items()}
        owners: dict[str, set[str]] = {}
        for label, label_names in self.names.items():
            for name in label_names:
                owners.setdefault(name, set()).add(label)
        # A name two labels share decides nothing; the longest name first (研发部 over 研发).
        self._by_first: dict[str, list[tuple[str, str]]] = {}
        for name, labels in sorted(owners.items(), key=lambda item: -len(item[0])):
            if len(labels) == 1 and name:
                self._by_first.setdefault(name[0], []).append((name, next(iter(labels))))

    def mentions(self, text: str, words: Sequence[Span]) -> list[Mention]:
        """The names in `text` (normalised) whose both ends fall on its words' boundaries,
        each with its role, in order."""
        if not self._by_first:
            return []
        ending = {end: i for i, (_, _, end) in enumerate(words)}
        found: list[Mention] = []
        i = 0
        while i < len(words):
            start = words[i][1]
            for name, label in self._by_first.get(text[start], ()):
                last = ending.get(start + len(name))
                if last is not None and last >= i and text.startswith(name, start):
                    role = _role(text, words, i, last)
                    # A Latin name with no Chinese cue beside it is likely a word of an
                    # English sentence ("submit it"), not the department.
                    if not (role == "mentioned" and name.isascii()):
                        found.append(Mention(label, name, role))
                    i = last
                    break
            i += 1
        return found


def roles_of(mentions: Sequence[Mention]) -> dict[str, Mention]:
    """One mention per label, the one that says most: a receiver over a requester over a
    mere mention (the first of each)."""
    rank = {"receiver": 0, "requester": 1, "mentioned": 2}
    chosen: dict[str, Mention] = {}
    for mention in mentions:
        held = chosen.get(mention.label)
        if held is None or rank[mention.part] < rank[held.part]:
            chosen[mention.label] = mention
    return chosen
