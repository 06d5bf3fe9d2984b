"""The demo company's surveys (`xietong seed-demo`): 人力资源部's anonymous 员工满意度调查
for the whole company (NPS, scales and suggestions), answered by most of the company; and a
lunch poll in 随便聊聊 with a few votes."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from xietong.chat.models import Channel
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import User
from xietong.surveys import actions, queries
from xietong.surveys.access import access_survey
from xietong.surveys.models import AudienceKind, QuestionKind, Survey, SurveyKind
from xietong.surveys.schemas import AnswerIn, AudienceIn, QuestionIn, SurveyCreate

SUGGESTIONS = [
    "希望食堂能多一些清淡的菜，晚上加班也能有热饭。",
    "跨部门协作的流程可以再简化一些，审批环节太多了。",
    "建议每季度组织一次团建，大家平时交流不多。",
    "新人培训资料比较零散，希望能整理成一份手册。",
    "会议太多了，希望能少开一些没有结论的会。",
    "办公室空调冬天太干，能不能放几台加湿器。",
    "希望绩效考核的标准更透明一些。",
    "技术分享会很有收获，希望能继续办下去。",
    "希望可以试行弹性上班时间。",
    "整体挺满意的，团队氛围很好。",
]
LUNCH = ["兰州拉面", "黄焖鸡米饭", "麻辣香锅", "轻食沙拉"]


def _answer_for(survey_questions: list[tuple[int, QuestionKind, int]],
                dice: random.Random) -> list[AnswerIn]:
    answers = []
    mood = dice.random()  # one person's answers hang together
    for question_id, kind, options in survey_questions:
        if kind == QuestionKind.NPS:
            answers.append(AnswerIn(question_id=question_id,
                                    value=min(10, max(3, round(5 + mood * 5 + dice.gauss(0, 1))))))
        elif kind == QuestionKind.SCALE:
            answers.append(AnswerIn(question_id=question_id,
                                    value=min(5, max(1, round(2 + mood * 3 + dice.gauss(0, .6))))))
        elif kind == QuestionKind.SINGLE:
            answers.append(AnswerIn(question_id=question_id,
                                    option_ids=[dice.choice(range(1, options + 1))]))
        elif dice.random() < 0.6:
            answers.append(AnswerIn(question_id=question_id, text=dice.choice(SUGGESTIONS)))
    return answers


async def demo_surveys(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    people = {u.display_name: u for u in (await uow.session.scalars(select(User))).all()}
    lounge = await uow.session.scalar(select(Channel).where(Channel.name == "随便聊聊"))
    if "潘婷" not in people or lounge is None:
        return DemoOutcome()  # not the demo company
    if await uow.session.scalar(select(Survey.id).limit(1)):
        return DemoOutcome()
    now = utcnow()
    dice = random.Random(16)  # noqa: S311 (believable answers, the same every time)
    # 人力资源部 asks the whole company, as an administrator would let it.
    hr = Actor(user_id=people["潘婷"].id, role=Role.ADMIN)
    survey = await actions.do_create_survey(uow, hr, SurveyCreate(
        title="2026 年度员工满意度调查",
        description="匿名填写，约 3 分钟。结果只按部门汇总（不足 5 人的部门不单列），"
                    "人力资源部会在月底前公布改进计划。",
        anonymous=True, deadline=now + timedelta(days=7),
        audience=AudienceIn(kind=AudienceKind.COMPANY),
        questions=[
            QuestionIn(kind=QuestionKind.NPS, title="你有多大可能向朋友推荐来我们公司工作？"),
            QuestionIn(kind=QuestionKind.SCALE, title="你对目前的工作内容满意吗？"),
            QuestionIn(kind=QuestionKind.SCALE, title="你对团队协作和沟通的满意度如何？"),
            QuestionIn(kind=QuestionKind.SINGLE, title="最近一个月，你每周加班的情况是？",
                       options=["基本不加班", "1–2 天", "3–4 天", "几乎每天"]),
            QuestionIn(kind=QuestionKind.TEXT, title="你对公司还有哪些建议？", required=False),
        ]), now=now)
    shape = [(q.id, QuestionKind(q.kind), len(q.options))
             for q in (await queries.questions_of(uow, [survey.id]))[survey.id]]
    asked = sorted(await queries.audience_ids(uow, survey.id))
    answered = 0
    for user_id in asked:
        if dice.random() < 0.85:
            member = Actor(user_id=user_id, role=Role.MEMBER)
            found = await access_survey(uow, member, survey.id)
            await actions.do_respond(uow, member, found, _answer_for(shape, dice), now=now)
            answered += 1
    sunyue = Actor(user_id=people["孙悦"].id, role=Role(people["孙悦"].role))
    poll = await actions.do_create_survey(uow, sunyue, SurveyCreate(
        kind=SurveyKind.POLL, title="今天中午吃什么？", channel_id=lounge.id,
        deadline=now + timedelta(hours=3),
        questions=[QuestionIn(kind=QuestionKind.SINGLE, title="今天中午吃什么？",
                              options=LUNCH)]), now=now)
    poll_question = (await queries.questions_of(uow, [poll.id]))[poll.id][0]
    voters = sorted(await queries.audience_ids(uow, poll.id))
    for user_id in dice.sample(voters, min(9, len(voters))):
        voter = Actor(user_id=user_id, role=Role.MEMBER)
        found = await access_survey(uow, voter, poll.id)
        await actions.do_respond(uow, voter, found, [AnswerIn(
            question_id=poll_question.id, option_ids=[dice.choice([1, 1, 2, 3, 3, 4])])], now=now)
    return DemoOutcome(created=(f"2 surveys ({answered} + 9 responses)",))
