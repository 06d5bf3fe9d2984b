"""The demo company's surveys (`xietong seed-demo`): an anonymous 员工满意度调查 for the whole
company answered by most of it, with Chinese suggestions and a breakdown of the departments
large enough; a lunch poll in 随便聊聊 with its card message; not made twice."""

from __future__ import annotations

from sqlalchemy import select

from xietong.chat.demo import demo_conversations
from xietong.chat.models import Message
from xietong.manifest import DemoOptions
from xietong.org.demo import seed_demo_company
from xietong.runtime import Runtime
from xietong.surveys import queries
from xietong.surveys.demo import demo_surveys
from xietong.surveys.models import Survey
from xietong.surveys.results import survey_results


async def test_the_demo_surveys(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        await demo_conversations(uow, options)
    async with runtime.unit_of_work() as uow:
        made = await demo_surveys(uow, options)
        assert made.created
    async with runtime.unit_of_work() as uow:
        assert (await demo_surveys(uow, options)).created == ()  # already there
    async with runtime.reader() as uow:
        survey, poll = (await uow.session.scalars(select(Survey).order_by(Survey.id))).all()
        questions = (await queries.questions_of(uow, [survey.id]))[survey.id]
        results = await survey_results(uow, survey, questions)
        message = await uow.session.get(Message, poll.message_id)
    assert (survey.title, survey.anonymous, survey.kind) == ("2026 年度员工满意度调查", True,
                                                             "survey")
    assert survey.response_count > survey.audience_size / 2
    assert not results.below_minimum
    nps = results.questions[0]
    assert nps.nps is not None
    assert nps.answered == survey.response_count
    assert any("食堂" in text for text in results.questions[4].texts or [])
    assert results.departments
    assert all(d.responses >= 5 for d in results.departments)
    assert (poll.kind, poll.response_count) == ("poll", 9)
    assert message is not None
    assert message.text.endswith(f"/surveys/{poll.id}")
