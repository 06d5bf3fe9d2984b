"""A survey's results as an Excel workbook: one sheet of totals per question, one of text
answers (only where the results show them)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from xietong.core.spreadsheets import as_cell
from xietong.surveys.models import QuestionKind
from xietong.surveys.schemas import SurveyResults


def results_workbook(title: str, results: SurveyResults) -> bytes:
    book = Workbook(write_only=True)
    totals = book.create_sheet("结果")
    totals.append([as_cell(title)])
    totals.append(["回复数", results.responses, "受邀人数", results.audience_size])
    if results.below_minimum:
        totals.append([f"匿名问卷回复少于 {results.min_group_size} 份，暂不显示结果。"])
    for question in results.questions:
        totals.append([])
        totals.append([as_cell(question.title), "作答人数", question.answered])
        if question.options:
            for option in question.options:
                totals.append([as_cell(option.label), option.count])
        if question.distribution:
            low = 0 if question.kind == QuestionKind.NPS else 1
            for step, count in enumerate(question.distribution):
                totals.append([f"{low + step} 分", count])
            totals.append(["平均分", question.average])
        if question.nps is not None:
            totals.append(["NPS", question.nps])
    texts = book.create_sheet("文字回答")
    texts.append(["问题", "回答"])
    for question in results.questions:
        for text in question.texts or ():
            texts.append([as_cell(question.title), as_cell(text)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
