"""Page templates (会议纪要, 需求文档, 项目周报, 操作手册, 空白页) and the plain text of Markdown.

A template is a title and a Markdown body, in Chinese. A page made from one starts with the
template's title (unless it is given one) and the body as its derived `markdown` and `text`;
the co-editing socket seeds the page's CRDT document from that Markdown when the page is
first opened (its `content_version` still 0), and from then on the document is the truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_TASK_BOX = re.compile(r"^\[[ xX]\]\s+")


def plain_text(markdown: str) -> str:
    """The words of a Markdown text, a line per block (headings, paragraphs, list items,
    table cells, code), without its markup: what search indexes and snippets show."""
    lines: list[str] = []
    for token in _MARKDOWN.parse(markdown):
        if token.type == "inline":
            parts: list[str] = []
            for child in token.children or ():
                if child.type in ("text", "text_special", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
                elif child.type == "image":
                    parts.append(child.content)
            line = _TASK_BOX.sub("", "".join(parts)).strip()
            if line:
                lines.append(line)
        elif token.type in ("fence", "code_block") and token.content.strip():
            lines.append(token.content.rstrip("\n"))
    return "\n".join(lines)


class TemplateKey(StrEnum):
    MEETING_NOTES = "meeting_notes"
    REQUIREMENTS = "requirements"
    WEEKLY_REPORT = "weekly_report"
    MANUAL = "manual"
    BLANK = "blank"


@dataclass(frozen=True, slots=True)
class PageTemplate:
    key: TemplateKey
    name: str  # zh-CN, as people pick it
    name_en: str
    description: str
    # The new page's title when none is given.
    title: str
    markdown: str


MEETING_NOTES = PageTemplate(
    TemplateKey.MEETING_NOTES, "会议纪要", "Meeting notes",
    "记录会议的议题、讨论、决议和待办事项。", "会议纪要",
    """# 会议纪要

**会议主题：**
**时间：**
**地点 / 线上会议：**
**主持人：**
**记录人：**
**参会人：**

## 议题

1.
2.

## 讨论要点

-

## 决议

-

## 待办事项

| 事项 | 负责人 | 截止日期 | 状态 |
|---|---|---|---|
|  |  |  | 未开始 |

## 下次会议

**时间：**
**议题：**
""")

REQUIREMENTS = PageTemplate(
    TemplateKey.REQUIREMENTS, "需求文档", "Requirements document",
    "说明背景、目标、用户场景、功能需求与验收标准。", "需求文档",
    """# 需求文档

| 项目 | 内容 |
|---|---|
| 需求名称 |  |
| 提出部门 |  |
| 产品负责人 |  |
| 版本 | v0.1 |
| 状态 | 草稿 |

## 背景

为什么要做这件事，现在的问题是什么。

## 目标

- 业务目标：
- 衡量指标：

## 用户与场景

| 角色 | 场景 | 期望 |
|---|---|---|
|  |  |  |

## 功能需求

### 必须有

1.

### 最好有

1.

## 非功能需求

- 性能：
- 安全与权限：
- 兼容性：

## 验收标准

- [ ]
- [ ]

## 不在范围内

-

## 待确认问题

-
""")

WEEKLY_REPORT = PageTemplate(
    TemplateKey.WEEKLY_REPORT, "项目周报", "Weekly project report",
    "本周进展、下周计划、风险与需要的支持。", "项目周报",
    """# 项目周报

**项目：**
**周期：**
**负责人：**
**整体状态：** 🟢 正常 / 🟡 有风险 / 🔴 受阻

## 本周完成

-

## 下周计划

-

## 关键指标

| 指标 | 目标 | 本周 | 趋势 |
|---|---|---|---|
|  |  |  |  |

## 风险与问题

| 风险 / 问题 | 影响 | 应对措施 | 负责人 |
|---|---|---|---|
|  |  |  |  |

## 需要的支持

- 需要哪个部门、在什么时间之前提供什么帮助。
""")

MANUAL = PageTemplate(
    TemplateKey.MANUAL, "操作手册", "Operations manual",
    "一步一步说明如何完成一项工作，以及出错时怎么办。", "操作手册",
    """# 操作手册

**适用范围：**
**负责人：**
**最近核对：**

## 概述

这份手册说明如何完成什么工作、由谁来做。

## 准备工作

- 需要的权限：
- 需要的工具或资料：

## 操作步骤

1. 第一步：
2. 第二步：
3. 第三步：

## 检查结果

- [ ] 结果符合预期

## 常见问题

**问：**
**答：**

## 出错时怎么办

- 联系人：
- 回退步骤：
""")

BLANK = PageTemplate(TemplateKey.BLANK, "空白页", "Blank page", "从一张白纸开始。",
                     "无标题文档", "")

TEMPLATES: tuple[PageTemplate, ...] = (MEETING_NOTES, REQUIREMENTS, WEEKLY_REPORT, MANUAL,
                                       BLANK)
BY_KEY = {template.key: template for template in TEMPLATES}
UNTITLED = BLANK.title
