"""Shared steps of the surveys tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers import Person

SURVEYS = "/api/v1/surveys"


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


SATISFACTION = [
    {"kind": "nps", "title": "你有多大可能向朋友推荐我们公司？"},
    {"kind": "scale", "title": "你对工作环境满意吗？"},
    {"kind": "single", "title": "每周加班几天？", "options": ["不加班", "1–2 天", "3 天以上"]},
    {"kind": "multiple", "title": "你希望改进哪些方面？", "options": ["食堂", "会议", "培训"],
     "required": False},
    {"kind": "text", "title": "还有什么建议？", "required": False},
]


async def make_survey(person: Person, title: str = "员工满意度调查", **body: Any) -> dict[str, Any]:
    payload = {"title": title, "questions": SATISFACTION, "deadline": in_days(7),
               "audience": {"kind": "company"}, **body}
    response = await person.api.post(SURVEYS, json=payload)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def answers_for(survey: dict[str, Any], *, nps: int = 9, scale: int = 4, single: int = 1,
                multiple: list[int] | None = None, text: str | None = None
                ) -> list[dict[str, Any]]:
    """An answer to each of `SATISFACTION`'s questions."""
    q = {question["kind"]: question["id"] for question in survey["questions"]}
    chosen = [{"question_id": q["nps"], "value": nps},
              {"question_id": q["scale"], "value": scale},
              {"question_id": q["single"], "option_ids": [single]},
              {"question_id": q["multiple"], "option_ids": multiple or []}]
    if text is not None:
        chosen.append({"question_id": q["text"], "text": text})
    return chosen


async def answer(person: Person, survey: dict[str, Any], **choices: Any) -> Any:
    return await person.api.post(f"{SURVEYS}/{survey['id']}/responses",
                                 json={"answers": answers_for(survey, **choices)})
