"""A survey's results: counts per option, scale averages, the NPS score, text answers and
a breakdown by department.

The breakdown is by top-level department (a team's answers count with its 一级部门's).
An anonymous survey keeps small groups unseen: below `MIN_GROUP_SIZE` responses it shows
nothing but their number (a count of 2 with one "very unhappy" names someone to anyone who
knows who answered), and its breakdown leaves out every department with fewer responses.
The minimum is a constant of the server, not a company setting."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.surveys import queries
from xietong.surveys.models import QuestionKind, Survey, SurveyQuestion
from xietong.surveys.queries import AnswerRow
from xietong.surveys.schemas import (
    DepartmentResult,
    OptionCount,
    QuestionResult,
    SurveyResults,
)

MIN_GROUP_SIZE = 5
# NPS: 9–10 recommend, 0–6 would not.
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6
_SPANS = {QuestionKind.SCALE: range(1, 6), QuestionKind.NPS: range(0, 11)}


def option_counts(question: SurveyQuestion, rows: Sequence[AnswerRow]) -> list[OptionCount]:
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        for option_id in row.option_ids:
            counts[option_id] += 1
    return [OptionCount(option_id=o["id"], label=o["label"], count=counts[o["id"]])
            for o in question.options]


def _tally(question: SurveyQuestion, rows: Sequence[AnswerRow], *,
           with_texts: bool) -> QuestionResult:
    kind = QuestionKind(question.kind)
    result = QuestionResult(question_id=question.id, kind=kind, title=question.title,
                            answered=len(rows), options=[], distribution=[], average=None,
                            nps=None, texts=None)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        result.options = option_counts(question, rows)
    elif kind in _SPANS:
        values = [row.value for row in rows if row.value is not None]
        result.distribution = [values.count(v) for v in _SPANS[kind]]
        if values:
            result.average = round(sum(values) / len(values), 2)
            if kind == QuestionKind.NPS:
                promoters = sum(v >= PROMOTER_FROM for v in values)
                detractors = sum(v <= DETRACTOR_UP_TO for v in values)
                result.nps = round((promoters - detractors) * 100 / len(values), 1)
    elif with_texts:
        result.texts = [row.text for row in rows if row.text]
    return result


def tally(questions: Sequence[SurveyQuestion], rows: Sequence[AnswerRow], *,
          with_texts: bool) -> list[QuestionResult]:
    by_question: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    return [_tally(q, by_question[q.id], with_texts=with_texts) for q in questions]


def _top_departments(parents: dict[int, int | None]) -> dict[int, int]:
    """Each department's top-level department (一级部门): the breakdown's groups, large
    enough to reach the minimum more often than a team of four would."""
    return {d: org_queries.ancestors_and_self(parents, d)[-1] for d in parents}


def hides_counts(survey: Survey) -> bool:
    return survey.anonymous and survey.response_count < MIN_GROUP_SIZE


async def survey_results(uow: UnitOfWork, survey: Survey,
                         questions: Sequence[SurveyQuestion]) -> SurveyResults:
    below = hides_counts(survey)
    results = SurveyResults(
        survey_id=survey.id, anonymous=survey.anonymous, responses=survey.response_count,
        audience_size=survey.audience_size, min_group_size=MIN_GROUP_SIZE,
        below_minimum=below, questions=[], departments=[], departments_withheld=0)
    if below:
        return results
    rows = await queries.answers_of(uow, survey.id)
    results.questions = tally(questions, rows, with_texts=True)
    departments = await org_queries.all_departments(uow)
    names = {d.id: d.name for d in departments}
    top = _top_departments(org_queries.parent_map(departments))
    sizes: dict[int | None, int] = defaultdict(int)
    for department_id, count in (await queries.responses_by_department(uow, survey.id)).items():
        sizes[top.get(department_id) if department_id is not None else None] += count
    shown = {d for d, n in sizes.items() if not survey.anonymous or n >= MIN_GROUP_SIZE}
    results.departments_withheld = len(sizes) - len(shown)
    by_department: dict[int | None, list[AnswerRow]] = defaultdict(list)
    for row in rows:
        group = top.get(row.department_id) if row.department_id is not None else None
        if group in shown:
            by_department[group].append(row)
    results.departments = sorted(
        (DepartmentResult(department_id=d, name=names.get(d, "") if d is not None else "",
                          responses=sizes[d],
                          questions=tally(questions, by_department[d], with_texts=False))
         for d in shown),
        key=lambda one: (-one.responses, one.department_id or 0))
    return results
