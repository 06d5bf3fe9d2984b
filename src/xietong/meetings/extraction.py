"""Action items in meeting minutes: checklist lines and Chinese sentences that hand out work.

Minutes are Markdown. A checklist line (`- [ ] @张伟 把报价单发给客户 12月10日`) is an explicit
item: its `@name` is the owner and any date in it the due date (a ticked `[x]` one is done and
gives nothing); so is a row of a table with a task and an owner column (| 事项 | 负责人 | 截止 |).
Elsewhere a sentence is an item only when it names whom the work is for and says it is still to
be done: "张伟负责下周三前把报价单发给客户", "请研发部在月底前评估可行性", "合同由法务部审核",
or names someone with a date ("张伟周五前提交报告"); under a heading of items (行动项, 待办,
后续工作) a name at the start of a list line is enough. Decisions, discussion, a speaker's
opinion ("张伟：我觉得…") and past facts ("上周已完成报价", "张伟认为方案可行") give nothing: a
proposal the writer has to delete costs more than one they add by hand.

Owners come only from the candidates given (people and departments by any of their names, and
people by surname and title — 张总, 王经理, 小李 — when only one has that surname; matched with an
Aho–Corasick automaton, so thousands of names cost one pass over the text). "我", "大家" and the
like are nobody: their items have no owner, as do names two candidates share (owner_text says
who was written). Rules rather than a segmenter: the words that assign work
(负责, 请, 由…来) are a closed set, and the names are known, so jieba would add a second of
dictionary loading and little else.

Due dates are resolved against the meeting's date in the company's zone by our own rules.
JioNLP's `parse_time` was tried (1.5.31): it pulls in 150 MB (jiojio), takes 3 s to import,
prints a banner, and on minutes' phrasings it failed 月底前, read 两周内 as three days and
元旦前 / 国庆节后 as spans in the past. The conventions (a deadline is the day itself):

- 前/之前/以前/内 do not move the date: 12月15日前 → 12-15, 3天内 → meeting + 3 days.
- 周五 without 本/下 is the next Friday after the meeting day; 本周内 is this week's Friday,
  下周 (内) next week's Friday, 周末 that week's Sunday, 下周初 next Monday.
- 月底 / 季度末 / 年底 are the last day of the period; 初 is its 5th day (下月初 → the 5th;
  年初 → 31 January), 月中 the 15th, 上旬 the 10th, 中旬 the 20th, 下旬 the last day.
- A date without a year (or without a month) that has passed is the next one.
- 国庆节前 is the day before the holiday, 国庆节后 the day after it ends (China's statutory
  holiday periods from `chinese_calendar` where it knows the year, else the usual dates).
- N个工作日内 counts working days (调休 included where `chinese_calendar` knows the year).
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import ahocorasick
import chinese_calendar


@dataclass(frozen=True)
class Candidate:
    """Someone an item may be assigned to."""

    kind: Literal["user", "department"]
    id: int
    names: tuple[str, ...]  # display name first, then other names (username etc.)


@dataclass(frozen=True)
class ProposedItem:
    sentence: str  # the source sentence/line as written
    title: str  # the task text, e.g. "把报价单发给客户"
    owner: Candidate | None
    owner_text: str | None  # the words that named the owner, e.g. "张伟" / "研发部"
    due_on: date | None  # resolved against the meeting date in the company zone
    due_text: str | None  # e.g. "下周三前"
    explicit: bool  # True for a checklist line, False if found in free text


# A sentence longer than this is prose, not an assignment: skipped (keeps huge input linear).
MAX_SENTENCE_CHARS = 400
# A title is cut to this many characters (task titles have a limit; the sentence is kept).
MAX_TITLE_CHARS = 200
# Of a checklist line only this much is read, and it names at most this many owners.
MAX_CHECKLIST_CHARS = 2000
MAX_OWNERS = 20

# ---------------------------------------------------------------------------------------------
# Numbers and dates

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_NUM = r"(?:[0-9０-９]{1,4}|[零〇一二两三四五六七八九十]{1,3})"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}


def _number(text: str) -> int | None:
    """0–9999 from Arabic (also full-width) or Chinese numerals up to 99 (十五, 二十, 三十一)."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(ones) > 1 or len(tens) > 1:
            return None
        ten_count = _CN_DIGITS.get(tens, -1) if tens else 1
        one_count = _CN_DIGITS.get(ones, -1) if ones else 0
        if ten_count < 0 or one_count < 0:
            return None
        return ten_count * 10 + one_count
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


@functools.lru_cache(maxsize=1024)
def _after_workdays(start: date, count: int) -> date:
    day = start
    while count > 0:
        day += timedelta(days=1)
        if _is_workday(day):
            count -= 1
    return day


# Festivals whose date moves (lunar calendar) for years `chinese_calendar` does not know yet.
_LUNAR_FALLBACK: dict[str, dict[int, date]] = {
    "Spring Festival": {2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
                        2029: date(2029, 2, 13), 2030: date(2030, 2, 3)},
    "Dragon Boat Festival": {2027: date(2027, 6, 9), 2028: date(2028, 5, 28),
                             2029: date(2029, 6, 16), 2030: date(2030, 6, 5)},
    "Mid-autumn Festival": {2027: date(2027, 9, 15), 2028: date(2028, 10, 3),
                            2029: date(2029, 9, 22), 2030: date(2030, 9, 12)},
}
_HOLIDAY_NAMES = {"国庆": "National Day", "十一": "National Day", "春节": "Spring Festival",
                  "过年": "Spring Festival", "元旦": "New Year's Day", "五一": "Labour Day",
                  "劳动节": "Labour Day", "清明": "Tomb-sweeping Day",
                  "端午": "Dragon Boat Festival",
                  "中秋": "Mid-autumn Festival"}
# (first day, length in days) when the year's announcement is not known.
_FIXED_HOLIDAYS = {"National Day": ((10, 1), 7), "New Year's Day": ((1, 1), 1),
                   "Labour Day": ((5, 1), 5), "Tomb-sweeping Day": ((4, 4), 3)}


@functools.cache
def _holiday_period(name: str, year: int) -> tuple[date, date] | None:
    known = sorted(day for day, holiday in chinese_calendar.holidays.items()
                   if day.year == year and holiday == name)
    if known:
        return known[0], known[-1]
    if name in _FIXED_HOLIDAYS:
        (month, day), length = _FIXED_HOLIDAYS[name]
        first = date(year, month, day)
        return first, first + timedelta(days=length - 1)
    festival = _LUNAR_FALLBACK.get(name, {}).get(year)
    if festival is None:
        return None
    if name == "Spring Festival":
        return festival - timedelta(days=1), festival + timedelta(days=6)  # 除夕 to 初七
    return festival, festival + timedelta(days=2)


def _holiday_date(name: str, when: str, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        period = _holiday_period(name, year)
        if period is None:
            return None
        first, last = period
        if last >= today:
            return first - timedelta(days=1) if when == "前" else last + timedelta(days=1)
    return None


_DEADLINE_SUFFIX = r"(?:之前|以前|前|为止|之内|以内|内|之后|以后|后)?"
_PART_OF_DAY = r"(?:上午|下午|中午|晚上|早上|傍晚|下班|午饭|晚饭)"
_TIME_OF_DAY = (rf"(?:(?:的(?={_PART_OF_DAY}))?{_PART_OF_DAY}?"
                rf"(?:{_NUM}[点:：](?:半|{_NUM}分?)?)?)")
_TIME_EXPRESSION = re.compile(
    # Every expression starts with one of these: most positions fail here at once.
    r"(?=[0-9０-９零〇一二两三四五六七八九十半月下本这上周星礼今明后大当次昨前季年国春过元五劳清端中])"
    "(?:"
    rf"(?P<iso>(?P<iy>\d{{4}})\s*[-/.年]\s*(?P<im>\d{{1,2}})\s*[-/.月]\s*(?P<id>\d{{1,2}})[日号]?)"
    rf"|(?P<md>(?P<mm>{_NUM})月(?:份)?(?P<mdd>{_NUM})[日号])"
    r"|(?P<slash>(?<![\d/.])(?P<sm>1[0-2]|0?[1-9])/(?P<sdd>3[01]|[12]\d|0?[1-9])"
    r"(?=前|之前|以前|截止|完成|\s|$|[，。,;；）)]))"
    rf"|(?P<mpart>(?P<pm>{_NUM})月(?:份)?(?:的)?(?P<mpp>底|末|初|中旬|上旬|下旬|中))"
    r"|(?P<rel>大后天|后天|明天|明日|明早|明晚|今天|今日|今晚|当天|次日|昨天|前天)"
    r"|(?P<week>(?P<wp>下下个?|下个?|本|这个?|上上个?|上个?)?(?:周|星期|礼拜)"
    r"(?P<wd>[一二三四五六日天1-7](?![0-9])|末|内|之内|初))"
    r"|(?P<bareweek>(?P<bwp>下下个?|下个?|本|这个?)(?:周|星期|礼拜)(?!报|会议|例会|年|[一二三四五六日天1-7]))"
    r"|(?P<month>(?P<mp>下下个?|下个?|本|这个?|上个?)?月(?P<mpart2>底|末|初|中旬|上旬|下旬|中|内|之内)"
    r"|(?P<mp2>下下个|下个)月(?![底末初中内0-9零〇一二两三四五六七八九十])"
    rf"|(?P<mp3>下下个?|下个?|本|这个?)月(?P<mday>{_NUM})[日号])"
    r"|(?P<quarter>(?P<qp>下个?|本|这个?|上个?)?季度?(?P<qpart>末|底|初|内|之内))"
    r"|(?P<year>(?P<yp>今年|本年度?|明年|年)(?P<ypart>底|末|初|中|内|之内))"
    rf"|(?P<span>(?P<sn>{_NUM}|半)(?P<su>个工作日|个?星期|个?礼拜|个月|周|天|日|工作日|小时|年)"
    r"(?P<sd>之内|以内|内|后|之后|以后))"
    r"|(?P<holiday>(?P<hn>国庆|春节|过年|元旦|五一|劳动节|清明|端午|中秋|十一)(?:节|假期|长假|假)?"
    r"(?P<hw>前|之前|以前|后|之后|以后))"
    rf"|(?P<day>(?<![0-9月])(?P<dd>{_NUM})[日号](?![楼线院门室栋层]))"
    ")"
    + _TIME_OF_DAY + _DEADLINE_SUFFIX
)
# What a deadline is introduced with in a sentence; removed from titles with the expression.
_TIME_PREFIX = re.compile(
    r"(?:(?:截止|截至|完成|到期|计划)(?:日期|时间)?|期限|deadline|due)\s*[:：]?\s*$"
    r"|(?:务必|争取|最晚|最迟|最好)?(?:在|于|截至|截止到?|到|赶在)?$", re.IGNORECASE)



class _Group:
    """A match's named groups as strings ("" for a group that did not take part)."""

    def __init__(self, match: re.Match[str]) -> None:
        self._match = match

    def __call__(self, name: str) -> str:
        return self._match.group(name) or ""


@dataclass(frozen=True)
class _When:
    start: int
    end: int
    text: str
    on: date | None
    past: bool


def _times(text: str, today: date) -> list[_When]:
    """The time expressions in a text, each with the date it names (None if it names none)."""
    found = []
    for match in _TIME_EXPRESSION.finditer(text):
        try:
            on, past = _resolve(_Group(match), today)
        except (ValueError, OverflowError):  # past year 9999
            continue
        if on is None and not past:
            continue
        found.append(_When(match.start(), match.end(), match.group(), on, past or (
            on is not None and on < today)))
    return found


def _resolve(g: _Group, today: date) -> tuple[date | None, bool]:
    """The date an expression names, and whether it points into the past."""
    if g("iso"):
        return _valid(int(g("iy")), int(g("im")), int(g("id"))), False
    if g("md") or g("slash"):
        month, day = _number(g("mm") or g("sm")), _number(g("mdd") or g("sdd"))
        if month is None or day is None:
            return None, False
        on = _valid(today.year, month, day)
        if on is not None and on < today:
            on = _valid(today.year + 1, month, day)
        return on, False
    if g("mpart"):
        month = _number(g("pm"))
        if month is None or not 1 <= month <= 12:
            return None, False
        on = _month_part(today.year, month, g("mpp"))
        return (_month_part(today.year + 1, month, g("mpp")) if on < today else on), False
    if g("rel"):
        offset = _RELATIVE_DAYS[g("rel")]
        return today + timedelta(days=offset), offset < 0
    if g("week"):
        return _week(g("wp"), g("wd"), today)
    if g("bareweek"):
        return _week(g("bwp"), "内", today)
    if g("month"):
        return _month(g, today)
    if g("quarter"):
        return _quarter(g("qp"), g("qpart"), today)
    if g("year"):
        return _year(g("yp"), g("ypart"), today), False
    if g("span"):
        return _span(g("sn"), g("su"), g("sd"), today), False
    if g("holiday"):
        name = _HOLIDAY_NAMES[g("hn")]
        return _holiday_date(name, "前" if "前" in g("hw") else "后", today), False
    if g("day"):
        day = _number(g("dd"))
        if day is None:
            return None, False
        on = _valid(today.year, today.month, day)
        if on is None or on < today:
            following = _add_months(today.replace(day=1), 1)
            on = _valid(following.year, following.month, day)
        return on, False
    return None, False


_RELATIVE_DAYS = {"大后天": 3, "后天": 2, "明天": 1, "明日": 1, "明早": 1, "明晚": 1, "次日": 1,
                  "今天": 0, "今日": 0, "今晚": 0, "当天": 0, "昨天": -1, "前天": -2}


def _month_part(year: int, month: int, part: str) -> date:
    days = {"初": 5, "上旬": 10, "中": 15, "中旬": 20}
    if part in days:
        return date(year, month, days[part])
    return _month_end(year, month)


def _week(prefix: str, part: str, today: date) -> tuple[date | None, bool]:
    if prefix.startswith("上"):
        return None, True
    monday = today - timedelta(days=today.weekday())
    monday += timedelta(weeks=2 if prefix.startswith("下下") else 1 if prefix.startswith("下")
                        else 0)
    if part in ("内", "之内"):
        friday = monday + timedelta(days=4)
        return (friday if friday >= today else monday + timedelta(days=6)), False
    if part == "末":
        return monday + timedelta(days=6), False
    if part == "初":
        return monday, False
    on = monday + timedelta(days=_WEEKDAYS[part])
    if not prefix and on <= today:
        on += timedelta(weeks=1)
    return on, False


def _month(g: _Group, today: date) -> tuple[date | None, bool]:
    prefix = g("mp") or g("mp2") or g("mp3")
    if prefix.startswith("上"):
        return None, True
    months_ahead = 2 if prefix.startswith("下下") else 1 if prefix.startswith("下") else 0
    first = _add_months(today.replace(day=1), months_ahead)
    if g("mday"):
        day = _number(g("mday"))
        return (None if day is None else _valid(first.year, first.month, day)), False
    part = g("mpart2")
    if part in ("内", "之内", ""):
        part = "底"
    on = _month_part(first.year, first.month, part)
    if on < today and not prefix:
        following = _add_months(first, 1)
        on = _month_part(following.year, following.month, part)
    return on, False


def _quarter(prefix: str, part: str, today: date) -> tuple[date | None, bool]:
    if prefix.startswith("上"):
        return None, True
    first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    if prefix.startswith("下"):
        first = _add_months(first, 3)
    if part == "初":
        on = first + timedelta(days=4)
        return (_add_months(first, 3) + timedelta(days=4) if on < today and not prefix
                else on), False
    return _add_months(first, 3) - timedelta(days=1), False


def _year(prefix: str, part: str, today: date) -> date:
    year = today.year + 1 if prefix == "明年" else today.year
    if part == "初":
        on = date(year, 1, 31)
        return date(year + 1, 1, 31) if on < today and prefix == "年" else on
    if part == "中":
        return date(year, 6, 30)
    return date(year, 12, 31)


def _span(amount: str, unit: str, direction: str, today: date) -> date | None:
    count = 0.5 if amount == "半" else _number(amount)
    if count is None or count > 3650:
        return None
    if "工作日" in unit:  # a year of working days at most: each is looked up
        return _after_workdays(today, int(count)) if count <= 260 else None
    if unit in ("天", "日"):
        return today + timedelta(days=int(count))
    if unit == "小时":
        return today + timedelta(days=int(count) // 24)
    if unit == "年":
        return _add_months(today, int(count * 12))
    if unit == "个月":
        return today + timedelta(days=15) if count == 0.5 else _add_months(today, int(count))
    return today + timedelta(days=round(7 * count))  # 周, 星期, 礼拜


# ---------------------------------------------------------------------------------------------
# Owners

# Words that stand where an owner would but name nobody.
_NOBODY = ("我们", "我方", "我", "大家", "各位", "全体", "所有人", "各部门", "你们", "咱们",
           "相关同事", "相关人员", "相关部门")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    text: str
    owner: Candidate | None  # None: nobody ("大家") or a name two candidates share
    nobody: bool


class _Names:
    """Every candidate's names (and the words that name nobody) in one automaton."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        owners: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            for name in dict.fromkeys(n.strip().translate(_ASCII_LOWER) for n in candidate.names):
                # One character would match everywhere (and 我/大家 are nobody's name).
                if len(name) >= 2 and name not in _NOBODY:
                    owners.setdefault(name, []).append(candidate)
        for form, named in _forms_of_address(candidates).items():
            if form not in owners:  # someone's real name wins over 张总 meaning another
                owners[form] = named
        self._automaton = ahocorasick.Automaton()
        for name, named in owners.items():
            unique = {(c.kind, c.id): c for c in named}
            self._automaton.add_word(name, (name, next(iter(unique.values()))
                                            if len(unique) == 1 else None, False))
        for word in _NOBODY:
            if word not in owners:
                self._automaton.add_word(word, (word, None, True))
        self._automaton.make_automaton()

    def find(self, text: str) -> list[_Mention]:
        folded = text.translate(_ASCII_LOWER)
        found = []
        for end, (name, owner, nobody) in self._automaton.iter_long(folded):
            start = end - len(name) + 1
            if name.isascii() and (_is_word(text, start - 1) or _is_word(text, end + 1)):
                continue  # "li" inside "client"
            found.append(_Mention(start, end + 1, text[start:end + 1], owner, nobody))
        return found


_COMPOUND_SURNAMES = frozenset(("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙",
                                "慕容", "令狐", "夏侯", "长孙", "宇文", "司徒", "西门", "南宫"))
_TITLES = ("总", "经理", "总监", "主管", "老师")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def _forms_of_address(candidates: Sequence[Candidate]) -> dict[str, list[Candidate]]:
    """张总, 王经理, 小李, 老刘: how colleagues are named in minutes, by surname."""
    forms: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.kind != "user" or not candidate.names:
            continue
        name = candidate.names[0].strip()
        if not _CJK_NAME.fullmatch(name):
            continue
        surname = name[:2] if name[:2] in _COMPOUND_SURNAMES else name[0]
        for form in (*(surname + title for title in _TITLES), "小" + surname, "老" + surname):
            forms.setdefault(form, []).append(candidate)
    return forms


@functools.lru_cache(maxsize=8)
def _names_of(candidates: tuple[Candidate, ...]) -> _Names:
    """The automaton of a company's names, kept for the next page (30 ms for 5,000 people)."""
    return _Names(candidates)


def _is_word(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isascii() and text[index].isalnum()


# ---------------------------------------------------------------------------------------------
# Sentences

_CHECKBOX = re.compile(
    r"^\s*(?:[-*+]|\d{1,3}[.)、])?\s*\[\s*(?P<mark>[xX✓✔√]?)\s*\]\s*(?P<body>.*)$")
_TODO_LINE = re.compile(
    r"^\s*(?:[-*+]\s*)?(?:TODO|待办|行动项|Action(?: Item)?)\s*[:：]\s*(?P<body>.+)$",
    re.IGNORECASE)
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_LINE_MARKUP = re.compile(
    r"^\s*(?:#{1,6}\s+|>\s*)*(?:[-*+]\s+|[•·]\s*|\d{1,3}[.)、）]\s*|[一二三四五六七八九十]{1,3}[、.]\s*"
    r"|[（(][一二三四五六七八九十\d]{1,3}[)）]\s*|[①-⑳]\s*)?")
_INLINE_MARKUP = re.compile(r"\*\*|__|~~|`|!?\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)(?=\s)")

# Joins two owners into one group: 张伟和李娜负责…
_OWNER_JOINER = re.compile(r"\s*(?:、|和|与|及|以及|/|，|,|跟|同)?\s*[@＠]?\s*")
# What may stand between an owner and the rest: 张伟（销售部）负责…
_ASIDE = re.compile(r"\s*(?:（[^）]{0,30}）|\([^)]{0,30}\))")
# A field that names the owner: 客户回访 负责人：赵磊 截止：12月18日
_OWNER_LABEL = re.compile(r"(?:负责人|责任人|跟进人|执行人|承办人|对接人|owner)\s*[:：]\s*$",
                          re.IGNORECASE)
# A clause that only says someone helps: 陈静负责，周杰配合，… (the item is 陈静's)
_HELPS = re.compile(r"\s*(?:配合|协助|支持|辅助)\s*[，,。；;]?\s*$")
# Said before an owner: the owner is being asked (请张伟…, 由研发部…, 安排李娜…).
_ASKING = re.compile(
    r"(?:请|麻烦|拜托|辛苦|让|由|交由|交给|安排|指派|委托|要求|需要|需|建议由|@)\s*$")
# Said right after an owner: the owner will do something (张伟负责…, 研发部将…).
_WILL = re.compile(
    r"^\s*(?:[:：]|负责|牵头|主导|主责|跟进|落实|推进|对接|协调|督促|来(?!自)|去(?!年)|会(?!议|上|后)|将(?!会议)"
    r"|要(?!求)|需要|需(?!求)|得(?!到)|务必|必须|应(?:该|当)|尽快|抓紧|马上|立即|立刻|继续|再|先(?!生)|另行"
    r"|安排|把|争取|统一|重新|及时|会后|请(?!假|客)|本周|下周|明天|后天|月底|在.{0,12}?(?:前|之前|以前|内|之内))")
# A short label before a clause's subject: 会议要求：…, 结论：…, 待跟进：…
_LABEL = re.compile(r"[^，,：:。；;]{1,8}[：:]\s*")
# What was done before the meeting: 去年的审计由财务部牵头, 上次的培训…
_BEFORE_NOW = re.compile(r"去年|前年|上次|上回|此前|以往|往年")
# A clause that says the work is already done: 周报由李娜汇总，已发到群里。
_DONE = re.compile(r"\s*(?:已经?|均已|都已|也已)")
# After an owner, a word that passes the work on: 李娜要求研发部…
_ASKS_SOMEONE = re.compile(r"\s*(?:要求|请|让|安排|叫|督促|提醒|委托|交给|交由)")
# After a speaker's colon, words of an opinion: 张伟：我觉得…
_OPINION = re.compile(
    r"\s*(?:我|个人|觉得|认为|感觉|嗯|对的|是的|好的|可以|同意|赞同|这个|那个|目前|现在)")
# Headings over lists of items: lines under them need no 负责/请 to be one.
_ITEMS_HEADING = re.compile(
    r"待办|行动项|行动计划|后续工作|后续安排|下一步|跟进事项|任务分工|分工|工作安排|会议决议事项"
    r"|action|todo|next step", re.IGNORECASE)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+(?P<title>.+)|\*\*(?P<bold>[^*]{1,30})\*\*\s*[:：]?\s*$"
                      r"|(?P<plain>[^，,。；;|]{1,20})[:：]\s*$)")
# After an owner, words that report rather than assign: 张伟认为…, 张伟的方案…
_REPORTS = re.compile(
    r"^\s*(?:的|说|认为|表示|提到|指出|汇报|介绍|觉得|反馈|提出|建议|问|询问|同意|赞同|反对|称|强调|补充|回应"
    r"|解释|分享|演示|展示|讲|谈|发言|总结|回顾|讨论|参加|参会|出席|缺席|请假|也认为|不在|在会上|在会议"
    r"|主持|召集|主讲|记录(?=[。，,]|$)|(?:负责|牵头|主导|跟进|对接|管理|带领|做)(?:的|过)"
    r"|无异议|没有异议|无意见|没有意见|收到|好的|OK\b|出差|(?:开始)?休|年假|调休|到岗|入职|离职|生日"
    r"|离会|外出|一致|都认为|都同意|决定|商定|约定)")
_NOT_YET_OR_NEVER = re.compile(
    r"^\s*(?:已|曾|刚|都已|均已|也已|还没|没|未|不|别|无需|不用|不必|暂不|暂时不)")
_NEGATED_ASK = re.compile(r"(?:不需要|无需|不用|不必|不要|不再|暂不)\s*$")
_PAST_PARTICLE = re.compile(r"了(?!解|结)|过(?=[的了，。]|$)")
# Leading words of a clause that are not its subject.
_LEAD = re.compile(r"(?:\s|另外|此外|同时|然后|并且|并|最后|会后|接下来|后续|下一步[:：]?|目前"
                   r"|待办[:：]?|TODO[:：]?|【[^】]{0,10}】|\[[^\]]{0,10}\]"
                   r"|由于.{0,20}?，|关于|对于|针对|还有)+", re.IGNORECASE)
# Words that open an item with no one named: 需要在月底前完成迁移.
_UNOWNED_ASK = re.compile(r"^\s*(?:请|需要|需|务必|要求|必须|待办|TODO)", re.IGNORECASE)
# Auxiliaries a title does not keep: 张伟负责把… → 把…
_TITLE_LEAD = re.compile(
    r"^(?:[\s:：,，、@＠]|会后|请(?!假)|负责|牵头负责|牵头|主导|主责|来(?!自)|去(?!年)|会(?!议|后)|将|要(?!求)|需要|需(?!求)|得(?!到)|务必"
    r"|必须|应该|应当|一起|共同|分别)+")
_TITLE_TRIM = " \t:：,，、。.!！?？;；…-—~@＠"
_TOPIC_TAIL = re.compile(r"(?:的事情?|这件事|此事|这项工作|相关工作|的工作|事宜)$")


@dataclass(frozen=True)
class _Assignment:
    mentions: tuple[_Mention, ...]
    task_before: str  # the task named before the owner (报价单由张伟负责…)
    rest_start: int  # where the task text after the owner (and its cue) starts
    strong: bool  # asked explicitly (请/由/安排/@/a colon/负责…), not just "张伟 …"


def _owner_group(mentions: Sequence[_Mention], first: int, text: str) -> tuple[_Mention, ...]:
    """The owners starting at mentions[first], joined by 、/和/与 (张伟、李娜和研发部)."""
    group = [mentions[first]]
    for mention in mentions[first + 1:]:
        between = text[group[-1].end:mention.start]
        if not _OWNER_JOINER.fullmatch(between):
            break
        group.append(mention)
    return tuple(group)


def _assignment(clause: str, mentions: Sequence[_Mention], times: Sequence[_When],
                head: int | None = None) -> _Assignment | None:
    """Who a clause asks to do something, if it asks anyone."""
    if head is None:
        head = _clause_head(clause, times)
        label = _LABEL.match(clause, head)
        if label is not None and not _OWNER_LABEL.search(label.group()) and not any(
                m.start == head for m in mentions):
            head = label.end()  # 会议要求：销售部…
    for index, mention in enumerate(mentions):
        if mention.start < head:
            continue
        before = clause[head:mention.start]
        group = _owner_group(mentions, index, clause)
        after_start = group[-1].end
        aside = _ASIDE.match(clause, after_start)
        if aside is not None:
            after_start = aside.end()
        after = clause[after_start:]
        if _NEGATED_ASK.search(clause[:mention.start]):
            return None
        labelled = _OWNER_LABEL.search(before)
        if labelled is not None:
            return _Assignment(group, before[:labelled.start()], after_start, strong=True)
        asked = _ASKING.search(before)
        asker = before[:asked.start()].strip() if asked is not None else ""
        if asked is not None and (not asker or asker.endswith("，") or "由" in asked.group()
                                  or any(m.text == asker for m in mentions[:index])):
            task_before = before[:asked.start()] if "由" in asked.group() else ""
            if _REPORTS.match(after) or _NOT_YET_OR_NEVER.match(_skip_times(after, after_start,
                                                                          times)):
                return None
            return _Assignment(group, task_before, after_start, strong=True)
        if before.strip():
            continue  # the owner is not the clause's subject: 和张伟确认…
        rest = _skip_times(after, after_start, times)
        said = rest.lstrip(" ：:")  # 张伟：同意。
        if _REPORTS.match(said) or _NOT_YET_OR_NEVER.match(said):
            return None
        if _ASKS_SOMEONE.match(said) and any(m.start > after_start for m in mentions):
            continue  # 李娜要求研发部…: the item is 研发部's
        if said != rest.lstrip(" "):
            # A speaker's words (张伟：我觉得…) unless they say what the speaker will do.
            if _OPINION.match(said):
                return None
            said_start = after_start + len(after) - len(said)
            if any(m.start == said_start for m in mentions):  # 张伟：李娜负责… is 李娜's
                return _assignment(clause, mentions[index + 1:], times, said_start)
            rest = _skip_times(said, said_start, times)
        will = _WILL.match(rest)
        strong = will is not None and not _PAST_PARTICLE.search(rest)
        if clause[mention.start - 1:mention.start] == "@":
            strong = True
        return _Assignment(group, "", after_start, strong=strong)
    return None


def _only_helps(clause: str, mentions: Sequence[_Mention], times: Sequence[_When]) -> bool:
    head = _clause_head(clause, times)
    first = next((m for m in mentions if m.start == head), None)
    return first is not None and _HELPS.match(clause, first.end) is not None


def _clause_head(clause: str, times: Sequence[_When]) -> int:
    """Where a clause's subject would start: after leading connectives and time expressions."""
    position = 0
    while True:
        while position < len(clause) and not clause[position].isalnum() and (
                clause[position] not in "@＠"):
            position += 1  # emoji, brackets, quotes
        lead = _LEAD.match(clause, position)
        if lead is not None and lead.end() > position:
            position = lead.end()
            continue
        moved = False
        for when in times:
            if when.start == position or (when.start > position
                                          and not clause[position:when.start].strip(" 在于，,")):
                position = when.end
                moved = True
        if not moved:
            return position


def _skip_times(text: str, offset: int, times: Sequence[_When]) -> str:
    """`text` (which starts at `offset` in its clause) from after a leading time expression."""
    stripped = text.lstrip(" 在于")
    start = offset + len(text) - len(stripped)
    for when in times:
        if when.start == start:
            return text[when.end - offset:]
    return text


def _clean_title(text: str, drop: Sequence[_When], offset: int) -> str:
    """The task text: the time expression taken for the due date and auxiliaries removed."""
    pieces = []
    position = 0
    for when in sorted(drop, key=lambda w: w.start):
        start, end = when.start - offset, when.end - offset
        if start < position or start > len(text):
            continue
        before = text[position:start]
        prefix = _TIME_PREFIX.search(before)
        pieces.append(before[:prefix.start()] if prefix is not None else before)
        position = max(position, end)
    pieces.append(text[position:])
    title = "".join(pieces)
    title = _TITLE_LEAD.sub("", title.strip(_TITLE_TRIM))
    title = re.sub(r"[，,]\s*[，,]", "，", title).strip(_TITLE_TRIM)
    return title[:MAX_TITLE_CHARS]


def _items_in_sentence(sentence: str, names: _Names, today: date, *,
                       under_items_heading: bool = False) -> list[ProposedItem]:
    if len(sentence) > MAX_SENTENCE_CHARS or sentence.rstrip().endswith(("？", "?", "吗", "吗。")):
        return []
    mentions = names.find(sentence)
    if not mentions and not _UNOWNED_ASK.match(sentence):
        return []
    times = _times(sentence, today)
    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，,]+[，,]?", sentence)]
    groups: list[tuple[_Assignment, int, list[tuple[int, int]]]] = []
    context: list[tuple[int, int]] = []  # clauses before the first owner
    done: set[int] = set()  # groups a later clause says are done (…，已发到群里)
    for start, end in clauses:
        clause = sentence[start:end]
        local_mentions = [_shift(m, -start) for m in mentions if start <= m.start < end]
        local_times = [_shift_when(w, -start) for w in times if start <= w.start < end]
        if _only_helps(clause, local_mentions, local_times):
            continue
        found = _assignment(clause, local_mentions, local_times)
        if found is not None:
            groups.append((found, start, [(start, end)]))
        elif groups:
            head = _clause_head(clause, local_times)
            if _DONE.match(clause, head) and (-1, -1) not in groups[-1][2]:
                done.add(len(groups) - 1)
            if any(m.start == head for m in local_mentions) or _NOT_YET_OR_NEVER.match(
                    clause[head:]):
                groups[-1][2].append((-1, -1))  # stop attaching to the last owner
            elif (-1, -1) not in groups[-1][2]:
                groups[-1][2].append((start, end))
        else:
            context.append((start, end))
    if not groups:
        return _unowned(sentence, times) if _UNOWNED_ASK.match(sentence) else []
    items = []
    for index, (assignment, start, spans) in enumerate(groups):
        spans = [span for span in spans if span != (-1, -1)]
        end = spans[-1][1]
        own_times = [w for w in times if start <= w.start < end]
        due = _due(own_times) or _due([w for w in times if any(
            s <= w.start < e for s, e in context)])
        if index in done or (_BEFORE_NOW.search(sentence[start:spans[0][1]])
                             and (due is None or due.on is None)):
            continue
        if not (assignment.strong or under_items_heading) and (due is None or due.on is None):
            continue
        if any(w.past for w in own_times) and (due is None or due.on is None):
            continue
        drop = [due] if due else []
        pieces = [(start + assignment.rest_start, spans[0][1]), *spans[1:]]
        title = "，".join(piece for piece in (
            _clean_title(sentence[s:e], drop, s) for s, e in pieces) if piece)
        if assignment.task_before.strip():
            before = _TOPIC_TAIL.sub("", assignment.task_before.strip(_TITLE_TRIM))
            title = before + title
        if len(title) <= 2 and context:
            topic_start = context[-1][0]
            topic = sentence[topic_start:context[-1][1]]
            lead = _LEAD.match(topic)
            skipped = lead.end() if lead is not None else 0
            topic = _clean_title(topic[skipped:], [due] if due else [], topic_start + skipped)
            title = _TOPIC_TAIL.sub("", topic) + title
        if len(title) < 2:
            continue
        for mention in assignment.mentions:
            items.append(ProposedItem(
                sentence=sentence.strip(), title=title, owner=mention.owner,
                owner_text=None if mention.nobody else mention.text,
                due_on=due.on if due else None, due_text=due.text if due else None,
                explicit=False))
    return items


def _unowned(sentence: str, times: Sequence[_When]) -> list[ProposedItem]:
    """请/需要… with a deadline and no one named: an item for the writer to assign."""
    due = _due(times)
    if due is None or due.on is None or _PAST_PARTICLE.search(sentence):
        return []
    title = _clean_title(_UNOWNED_ASK.sub("", sentence), [due],
                         len(sentence) - len(_UNOWNED_ASK.sub("", sentence)))
    if len(title) < 2:
        return []
    return [ProposedItem(sentence=sentence.strip(), title=title, owner=None, owner_text=None,
                         due_on=due.on, due_text=due.text, explicit=False)]


def _due(times: Sequence[_When]) -> _When | None:
    """The deadline among a clause's time expressions: the first one that is not in the past."""
    for when in times:
        if not when.past and when.on is not None:
            return when
    return None


def _shift(mention: _Mention, by: int) -> _Mention:
    return _Mention(mention.start + by, mention.end + by, mention.text, mention.owner,
                    mention.nobody)


def _shift_when(when: _When, by: int) -> _When:
    return _When(when.start + by, when.end + by, when.text, when.on, when.past)


def _checklist_items(line: str, body: str, names: _Names, today: date) -> list[ProposedItem]:
    """A checklist line: its @owners (or an owner named in its text) and its date."""
    body = _INLINE_MARKUP.sub(lambda m: m.group(1) or "", body[:MAX_CHECKLIST_CHARS]).strip()
    mentions = names.find(body)
    times = _times(body, today)
    due = _due(times)
    owners: list[tuple[Candidate | None, str | None]] = []
    drop: list[tuple[int, int]] = []
    mention_at = {m.start: m for m in mentions}
    for at in re.finditer(r"[@＠]", body):
        named = mention_at.get(at.end())
        if named is not None:
            owners.append((named.owner, None if named.nobody else named.text))
            drop.append((at.start(), named.end))
        else:
            token = re.match(r"[^\s@＠,，:：;；。]{1,20}", body[at.end():])
            if token is not None:
                owners.append((None, token.group()))
                drop.append((at.start(), at.end() + token.end()))
    if not owners:
        assignment = _assignment(body, mentions, times)
        if assignment is not None:
            owners = [(m.owner, None if m.nobody else m.text) for m in assignment.mentions]
            drop.append((0, assignment.rest_start))
    blanked = list(body)  # the owners' words become spaces, so offsets stay as they were
    for start, end in drop:
        blanked[start:end] = " " * (end - start)
    title = _clean_title("".join(blanked), [due] if due else [], 0)
    title = re.sub(r"\s+", " ", title).strip(_TITLE_TRIM)
    if not re.search(r"\w", title):
        return []
    return [ProposedItem(sentence=line.strip(), title=title, owner=owner, owner_text=owner_text,
                         due_on=due.on if due else None, due_text=due.text if due else None,
                         explicit=True)
            for owner, owner_text in list(dict.fromkeys(owners))[:MAX_OWNERS] or [(None, None)]]


def _lines(text: str) -> Iterator[str]:
    """The text's lines outside fenced code blocks."""
    in_code = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
        elif not in_code:
            yield line


_TABLE_ROW = re.compile(r"^\s*\|(?P<cells>.*)\|?\s*$")
_TABLE_RULE = re.compile(r"^[\s|:\-]+$")
_OWNER_COLUMN = re.compile(r"负责|责任人|跟进人|执行人|承办|对接人|owner|assignee", re.IGNORECASE)
_TASK_COLUMN = re.compile(r"事项|任务|内容|待办|行动|工作|措施|action|task|item", re.IGNORECASE)
_DUE_COLUMN = re.compile(r"截止|完成时间|时间|日期|期限|时限|deadline|due", re.IGNORECASE)


@dataclass(frozen=True)
class _Columns:
    task: int
    owner: int
    due: int | None


def _cells(line: str) -> list[str]:
    row = _TABLE_ROW.match(line)
    if row is None:
        return []
    return [_INLINE_MARKUP.sub(lambda m: m.group(1) or "", cell).strip()
            for cell in row.group("cells").rstrip("|").split("|")]


def _columns(header: list[str]) -> _Columns | None:
    """Which columns of a table say the task, its owner and its date, if it lists items."""
    def first(pattern: re.Pattern[str], skip: tuple[int, ...] = ()) -> int | None:
        return next((i for i, cell in enumerate(header)
                     if i not in skip and pattern.search(cell)), None)
    owner = first(_OWNER_COLUMN)
    task = None if owner is None else first(_TASK_COLUMN, (owner,))
    if owner is None or task is None:
        return None
    return _Columns(task, owner, first(_DUE_COLUMN, (owner, task)))


def _table_items(line: str, cells: list[str], columns: _Columns, names: _Names,
                 today: date) -> list[ProposedItem]:
    """A row of a table of items: | 事项 | 负责人 | 截止时间 |."""
    def cell(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""
    title = cell(columns.task)[:MAX_TITLE_CHARS].strip(_TITLE_TRIM)
    if not re.search(r"\w", title):
        return []
    when = cell(columns.due) if columns.due is not None else title
    due = _due(_times(when[:MAX_SENTENCE_CHARS], today))
    if columns.due is None and due is not None:
        title = _clean_title(title, [due], 0) or title
    owner_cell = cell(columns.owner)[:MAX_SENTENCE_CHARS]
    mentions = [m for m in names.find(owner_cell) if not m.nobody]
    owners: list[tuple[Candidate | None, str | None]] = [
        (m.owner, m.text) for m in mentions] or [(None, owner_cell.strip("@＠ ") or None)]
    return [ProposedItem(sentence=line.strip(), title=title, owner=owner, owner_text=owner_text,
                         due_on=due.on if due else None, due_text=due.text if due else None,
                         explicit=True)
            for owner, owner_text in list(dict.fromkeys(owners))[:MAX_OWNERS]]


def extract_action_items(text: str, *, meeting_at: datetime, zone: ZoneInfo,
                         candidates: Sequence[Candidate]) -> list[ProposedItem]:
    """The action items a minutes page proposes, in the order they appear."""
    if not text.strip():
        return []
    try:
        today = (meeting_at.astimezone(zone) if meeting_at.tzinfo else meeting_at).date()
    except OverflowError:  # within hours of year 1 or 9999
        today = meeting_at.date()
    names = _names_of(tuple(candidates))
    items: list[ProposedItem] = []
    header: list[str] | None = None  # the table being read, if any
    columns: _Columns | None = None
    under_items_heading = False
    for line in _lines(text):
        if not line.strip():
            header = None
            continue
        heading = _HEADING.match(line)
        if heading is not None and (heading.group("title") or heading.group("bold")):
            under_items_heading = _ITEMS_HEADING.search(line) is not None
            continue
        if heading is not None and _ITEMS_HEADING.search(heading.group("plain")):
            under_items_heading = True  # 待办事项：
            continue
        cells = _cells(line)
        if cells:
            if header is None:
                header, columns = cells, _columns(cells)
                continue
            if _TABLE_RULE.match(line):
                continue
            if columns is not None:
                items.extend(_table_items(line, cells, columns, names, today))
                continue
            sentences = cells  # a table of something else: each cell is text
        else:
            header = None
            box = _CHECKBOX.match(line) or _TODO_LINE.match(line)
            if box is not None:
                if "mark" in box.groupdict() and box.group("mark"):
                    continue  # ticked: already done, nothing to follow up
                items.extend(_checklist_items(line, box.group("body"), names, today))
                continue
            plain = _INLINE_MARKUP.sub(lambda m: m.group(1) or "",
                                       _LINE_MARKUP.sub("", line, count=1))
            sentences = _SENTENCE_END.split(plain)
        for sentence in sentences:
            if sentence.strip():
                items.extend(_items_in_sentence(sentence.strip(), names, today,
                                                under_items_heading=under_items_heading))
    return items


def warm_up() -> None:
    """Compile what the first extraction would (the automaton library, the calendar's years)."""
    extract_action_items("- [ ] @样例 下周三前发出报价单。张伟负责月底前评估。",
                         meeting_at=datetime(2026, 1, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
                         zone=ZoneInfo("Asia/Shanghai"),
                         candidates=[Candidate("user", 0, ("张伟",))])
