"""Action items proposed from minutes: the labelled sentences, the issue's examples, due dates
resolved against the meeting date, and input that should not break or slow the extractor."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from bench.extraction import evaluate, load_labelled

from xietong.meetings.extraction import Candidate, ProposedItem, extract_action_items

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)  # meetings below are on this Monday
ZHANG = Candidate("user", 1, ("张伟", "zhangwei"))
LI = Candidate("user", 2, ("李娜", "lina"))
KEVIN = Candidate("user", 3, ("李凯文", "Kevin"))
RND = Candidate("department", 10, ("研发部",))
SALES = Candidate("department", 11, ("销售部",))
PEOPLE = (ZHANG, LI, KEVIN, RND, SALES)


def extract(text: str, *, at: datetime = MONDAY,
            candidates: tuple[Candidate, ...] = PEOPLE) -> list[ProposedItem]:
    return extract_action_items(text, meeting_at=at, zone=SHANGHAI, candidates=candidates)


def test_the_labelled_set_is_as_described() -> None:
    labelled = load_labelled()
    held_out = [r for r in labelled.rows if r.split == "held_out"]
    assert len(labelled.rows) >= 150
    assert len(held_out) >= 50
    assert {r.split for r in labelled.rows} == {"dev", "held_out"}
    assert sum(not r.items for r in held_out) >= 15  # sentences that are no action item
    assert sum(len(r.items) > 1 for r in held_out) >= 3  # several owners in one sentence


def test_owners_and_due_dates_on_the_held_out_sentences() -> None:
    result = evaluate(load_labelled(), "held_out")
    misses = "\n".join(str(m) for m in result["misses"])
    assert result["owner_accuracy"] >= 0.9, misses
    assert result["due_accuracy"] >= 0.9, misses
    silent, negatives = map(int, result["negatives_silent"].split("/"))
    assert silent / negatives >= 0.85, misses


def test_the_issues_examples() -> None:
    items = extract("- [ ] @张伟 把报价单发给客户 12月10日\n"
                    "- [ ] @研发部 评估可行性 2026-12-31\n"
                    "张伟负责下周三前把报价单发给客户。请研发部在月底前评估可行性。\n"
                    "上周已完成报价。")
    assert items == [
        ProposedItem("- [ ] @张伟 把报价单发给客户 12月10日", "把报价单发给客户", ZHANG, "张伟",
                     date(2026, 12, 10), "12月10日", explicit=True),
        ProposedItem("- [ ] @研发部 评估可行性 2026-12-31", "评估可行性", RND, "研发部",
                     date(2026, 12, 31), "2026-12-31", explicit=True),
        ProposedItem("张伟负责下周三前把报价单发给客户。", "把报价单发给客户", ZHANG, "张伟",
                     date(2026, 12, 16), "下周三前", explicit=False),
        ProposedItem("请研发部在月底前评估可行性。", "评估可行性", RND, "研发部",
                     date(2026, 12, 31), "月底前", explicit=False),
    ]


@pytest.mark.parametrize(("said", "due"), [
    ("今天", date(2026, 12, 7)), ("明天", date(2026, 12, 8)), ("后天", date(2026, 12, 9)),
    ("周三前", date(2026, 12, 9)), ("本周五", date(2026, 12, 11)), ("本周内", date(2026, 12, 11)),
    ("周一前", date(2026, 12, 14)),  # Monday's meeting: the next Monday
    ("下周五", date(2026, 12, 18)), ("下周内", date(2026, 12, 18)),
    ("下下周一", date(2026, 12, 21)),
    ("周末前", date(2026, 12, 13)), ("月底前", date(2026, 12, 31)), ("月中", date(2026, 12, 15)),
    ("下月初", date(2027, 1, 5)), ("下个月底", date(2027, 1, 31)), ("3天内", date(2026, 12, 10)),
    ("三天内", date(2026, 12, 10)), ("两周内", date(2026, 12, 21)),
    ("一个月内", date(2027, 1, 7)), ("5个工作日内", date(2026, 12, 14)),
    ("本季度末", date(2026, 12, 31)), ("下季度末", date(2027, 3, 31)),
    ("年底前", date(2026, 12, 31)), ("12月15日前", date(2026, 12, 15)),
    ("十二月二十日", date(2026, 12, 20)), ("1月10号前", date(2027, 1, 10)),  # next year's
    ("20号前", date(2026, 12, 20)), ("5号前", date(2027, 1, 5)), ("12/20前", date(2026, 12, 20)),
    ("2027-03-01", date(2027, 3, 1)), ("2027年3月1日", date(2027, 3, 1)),
    ("元旦前", date(2026, 12, 31)), ("国庆节后", date(2027, 10, 8)),
    ("明天下午3点前", date(2026, 12, 8)),
])
def test_due_dates_are_resolved_against_the_meeting_date(said: str, due: date) -> None:
    [item] = extract(f"张伟负责{said}把报价单发给客户。")
    assert item.due_on == due
    assert item.due_text is not None
    assert item.due_text.startswith(said[:2])
    assert item.title == "把报价单发给客户"


def test_holidays_follow_the_announced_calendar() -> None:
    september = datetime(2026, 9, 24, 10, tzinfo=SHANGHAI)
    [after] = extract("行政部国庆节后更换门禁卡。",
                      at=september, candidates=(Candidate("department", 5, ("行政部",)),))
    assert after.due_on == date(2026, 10, 8)  # 2026's National Day holiday ends on the 7th
    [working_days] = extract("张伟3个工作日内提交报告。", at=september)
    # Friday the 25th is the Mid-autumn Festival: Monday 28th, Tuesday 29th, Wednesday 30th.
    assert working_days.due_on == date(2026, 9, 30)


def test_the_date_is_the_meetings_date_in_the_company_zone() -> None:
    # 18:00 UTC on the 6th is 02:00 on Monday the 7th in Shanghai.
    [item] = extract("张伟明天提交周报。", at=datetime(2026, 12, 6, 18, 0, tzinfo=UTC))
    assert item.due_on == date(2026, 12, 8)
    [naive] = extract("张伟明天提交周报。", at=datetime(2026, 12, 7, 10, 0))  # taken as local
    assert naive.due_on == date(2026, 12, 8)


@pytest.mark.parametrize("sentence", [
    "上周已完成报价。", "张伟认为方案可行。", "会议决定采用方案A。",
    "张伟上周已经把合同发给客户了。",
    "李娜汇报了本月招聘进展。", "研发部表示技术上没有问题。", "本次会议由张伟主持。",
    "张伟负责的项目已经上线。", "谁来跟进这件事？", "无需张伟跟进此事。",
    "李娜不再负责华南区客户。",
    "参会：张伟、李娜、研发部", "客户希望我们下周五前给出报价。", "王五负责明天联系客户。",
    "张伟昨天完成了培训。",
])
def test_sentences_that_assign_nothing_give_nothing(sentence: str) -> None:
    assert extract(sentence) == []


def test_owners_come_only_from_the_candidates() -> None:
    [nobody] = extract("大家周五前提交周报。")
    assert (nobody.owner, nobody.owner_text, nobody.title) == (None, None, "提交周报")
    [me] = extract("我负责明天把纪要发给大家。")
    assert me.owner is None
    [unknown] = extract("- [ ] @王五 联系供应商 下周五")
    assert (unknown.owner, unknown.owner_text, unknown.due_on) == (None, "王五",
                                                                   date(2026, 12, 18))
    twins = (ZHANG, Candidate("user", 9, ("张伟", "zhangwei2")))
    [ambiguous] = extract("张伟负责明天联系客户。", candidates=twins)
    assert (ambiguous.owner, ambiguous.owner_text) == (None, "张伟")
    [by_username] = extract("- [ ] @ZhangWei 更新文档")
    assert by_username.owner == ZHANG
    assert extract("Carolina负责明天联系客户。") == []  # "lina" is only part of a word


def test_colleagues_named_by_surname_and_title() -> None:
    people = (ZHANG, LI, KEVIN, Candidate("user", 4, ("欧阳晓",)))
    items = extract("张总负责下周三前把合同发给客户。请欧阳老师明天讲一下安全规范。"
                    "李总负责月底前完成年会筹备。", candidates=people)
    assert [(i.owner, i.owner_text) for i in items] == [
        (ZHANG, "张总"), (people[3], "欧阳老师"),
        (None, "李总"),  # 李娜 or 李凯文: the writer chooses
    ]
    # Someone whose name is the form of address is that person.
    boss = Candidate("user", 5, ("张总",))
    [item] = extract("张总负责明天联系客户。", candidates=(ZHANG, boss))
    assert item.owner == boss


def test_several_owners_and_several_items_in_one_sentence() -> None:
    items = extract("张伟和李娜负责整理需求，下周三前发给大家；销售部跟进客户回款。")
    assert [(i.owner, i.title, i.due_on) for i in items] == [
        (ZHANG, "整理需求，发给大家", date(2026, 12, 16)),
        (LI, "整理需求，发给大家", date(2026, 12, 16)),
        (SALES, "跟进客户回款", None),
    ]
    assert [i.owner for i in extract("- [ ] @张伟 @李娜 联调接口 周五")] == [ZHANG, LI]


def test_a_minutes_page_in_markdown() -> None:
    page = """# 第四季度经营分析会
时间：2026年12月7日 10:00 · 参会：张伟、李娜、研发部

## 讨论
1. **报价**：上周已完成报价，客户反馈良好 👍
2. 张伟认为方案B成本更低。

```
- [ ] @张伟 这是代码块里的示例，不是待办 明天
```

> 会议决定采用方案B。

## 待办
- [x] @李娜 发送会议通知
- [ ] @张伟 把报价单发给客户 12月10日
* 请研发部在**月底前**评估可行性；Kevin 负责 review 前端 PR，明天完成。
"""
    items = extract(page)
    assert [(i.owner, i.title, i.due_on, i.explicit) for i in items] == [
        (ZHANG, "把报价单发给客户", date(2026, 12, 10), True),
        (RND, "评估可行性", date(2026, 12, 31), False),
        (KEVIN, "review 前端 PR，完成", date(2026, 12, 8), False),
    ]


def test_speakers_words_and_lists_under_an_items_heading() -> None:
    page = """## 讨论
- 张伟：我觉得这个方案成本太高。
- 李娜：目前客户那边还没有回复。
- 研发部：整理需求文档的进度偏慢
- 张伟：整理需求文档，周三前发出。
- 张伟：李娜负责下周三前把合同发给客户。
- 张伟：各部门的年终总结要在月底前交上来。

## 行动项
- 张伟：整理需求文档
- 研发部 评估排期
- 李娜：已完成
"""
    assert [(i.owner, i.title, i.due_on) for i in extract(page)] == [
        (ZHANG, "整理需求文档，发出", date(2026, 12, 9)),
        (LI, "把合同发给客户", date(2026, 12, 16)),  # the speaker gives it to 李娜
        (ZHANG, "整理需求文档", None),
        (RND, "评估排期", None),
    ]


@pytest.mark.parametrize("marker", ["- ", "* ", "1. ", "12) ", "一、", "（二）", "(3)", "③ ", "• ",
                                    "> ", "> - "])
def test_list_and_quote_markers_are_not_part_of_the_sentence(marker: str) -> None:
    [item] = extract(f"{marker}**张伟**负责明天提交报告")
    assert (item.owner, item.title, item.sentence) == (ZHANG, "提交报告", "张伟负责明天提交报告")


def test_a_table_of_items() -> None:
    page = """| 序号 | 事项 | 负责人 | 截止时间 |
|---|---|---|---|
| 1 | 把报价单发给客户 | 张伟 | 12月10日 |
| 2 | **评估可行性** | 研发部、李娜 | 月底前 |
| 3 | 联系供应商 | 王五 | |
| 4 | | 张伟 | 明天 |

| 姓名 | 发言 |
|---|---|
| 张伟 | 认为方案可行 |
| 李娜 | 李娜负责下周三前把合同发给法务 |
"""
    assert [(i.owner, i.owner_text, i.title, i.due_on, i.explicit) for i in extract(page)] == [
        (ZHANG, "张伟", "把报价单发给客户", date(2026, 12, 10), True),
        (RND, "研发部", "评估可行性", date(2026, 12, 31), True),
        (LI, "李娜", "评估可行性", date(2026, 12, 31), True),
        (None, "王五", "联系供应商", None, True),
        # Another table's cells are read as sentences.
        (LI, "李娜", "把合同发给法务", date(2026, 12, 16), False),
    ]


@pytest.mark.parametrize("text", [
    "", "   \n\n\t", "- [ ]", "- [ ] ", "- [ ] @", "- [ ] @@@", "-[]", "[ ] [ ] [ ]", "- [x]",
    "```", "# ", "> ", "@", "，，，。。。", "😀🎉🚀", "\x00\x01", "\u200b\u200b",
])
def test_empty_and_malformed_input_gives_nothing(text: str) -> None:
    assert extract(text) == []


def test_malformed_checklist_lines_still_give_what_they_can() -> None:
    [no_space] = extract("-[ ]@张伟 修复导出乱码 明天")
    assert (no_space.owner, no_space.title, no_space.due_on) == (ZHANG, "修复导出乱码",
                                                                 date(2026, 12, 8))
    [no_date] = extract("* [ ] @研发部 评估可行性 2月30日")  # no such day: no due date
    assert (no_date.owner, no_date.due_on) == (RND, None)
    [unowned] = extract("- [] 更新官网 banner 🚀")
    assert (unowned.owner, unowned.title, unowned.explicit) == (None, "更新官网 banner 🚀", True)


def test_emoji_and_english_mixed_in() -> None:
    [item] = extract("🔥 张伟负责下周五前把 Q4 report 发给 CEO 🙏")
    assert (item.owner, item.title, item.due_on) == (ZHANG, "把 Q4 report 发给 CEO 🙏",
                                                     date(2026, 12, 18))
    assert extract("The meeting was productive, thanks Kevin!") == []


@pytest.mark.parametrize("at", [datetime(1, 1, 1, 0, 0), datetime(9999, 12, 31, 23, 59),
                                datetime(9999, 12, 31, 23, 0, tzinfo=UTC)])
def test_meeting_dates_at_the_ends_of_the_calendar(at: datetime) -> None:
    items = extract("张伟负责明天提交周报，下下周五前复盘。\n- [ ] @李娜 99月99日 整理 100000天内",
                    at=at)
    assert [(i.owner, i.explicit) for i in items] == [(ZHANG, False), (LI, True)]


def test_titles_and_sentences_are_bounded() -> None:
    long_task = "把" + "很长的任务描述" * 60 + "发给客户"
    [item] = extract(f"- [ ] @张伟 {long_task} 明天")
    assert len(item.title) == 200
    assert extract(f"张伟负责{long_task}，明天完成。") == []  # a 400+ character sentence is prose


@pytest.mark.parametrize("kind", ["minutes", "one_line", "mentions", "checklist_ats",
                                  "working_days"])
def test_a_megabyte_of_minutes_stays_fast(kind: str) -> None:
    labelled = load_labelled()
    if kind == "minutes":
        block = "\n".join(row.sentence for row in labelled.rows)
    elif kind == "one_line":
        block = "张伟负责把报价单发给客户然后"
    elif kind == "mentions":
        block = "张伟、李娜和研发部，"
    elif kind == "working_days":  # each counted day by day on the business calendar
        block = "".join(f"张伟负责{n}个工作日内完成第{n}项。\n" for n in range(1, 400))
    else:
        block = "@张伟@李娜@王五 "
    text = (block * (1_000_000 // len(block.encode()) + 1))
    if kind == "checklist_ats":
        text = f"- [ ] {text}周五"
    assert len(text.encode()) >= 1_000_000
    started = time.perf_counter()
    items = extract_action_items(text, meeting_at=MONDAY, zone=SHANGHAI,
                                 candidates=labelled.candidates)
    elapsed = time.perf_counter() - started
    # About a second on a loaded two-core machine (bench.extraction prints the figure); the
    # bound only catches a pass that grows with the square of the text (minutes, not seconds),
    # not a busy machine.
    assert elapsed < 30.0, f"{kind}: {elapsed:.2f} s"
    if kind == "minutes":
        assert len(items) > 10_000


def test_many_candidates_cost_one_pass() -> None:
    crowd = tuple(Candidate("user", i, (f"员工{i:05d}", f"user{i}")) for i in range(20_000))
    started = time.perf_counter()
    [item] = extract("员工12345负责明天联系客户。", candidates=crowd)
    assert item.owner == crowd[12345]
    # Tens of milliseconds; a matcher that tried each candidate in turn over the text would
    # take minutes. The bound is that, not a benchmark.
    assert time.perf_counter() - started < 20.0
