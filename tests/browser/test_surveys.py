"""Surveys in the browser. A quick poll started from a channel's composer (发起投票) posts
a card that the channel's members vote on right there, the counts moving live for everyone
who sees them; a survey built on its page (four kinds of questions, reordered, anonymous,
for the company), filled in on its page, listed under 待填写, and its results drawn as
charts with the NPS score and the written answers; at 1280×800 and 390×844, with axe."""

from __future__ import annotations

from playwright.async_api import Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_projects import open_live
from tests.helpers import Cast, create_channel

PHONE: ViewportSize = {"width": 390, "height": 844}


async def test_a_poll_from_the_composer_is_voted_on_in_its_card(
        cast: Cast, open_page: OpenPage) -> None:
    channel = await create_channel(cast.zhangwei, "销售部午餐", "private", cast.liuyang,
                                   cast.lina)
    zhang = await open_live(open_page, "zhangwei", f"/chat/{channel}")
    liu = await open_live(open_page, "liuyang", f"/chat/{channel}")
    await zhang.get_by_test_id("start-poll").click()
    form = zhang.get_by_test_id("poll-form")
    await form.get_by_test_id("poll-submit").click()
    await expect(form.get_by_text("请填写投票主题")).to_be_visible()
    await form.get_by_test_id("poll-question").fill("今天中午吃什么？")
    options = form.get_by_test_id("option-input")
    await options.nth(0).fill("兰州拉面")
    await options.nth(1).fill("黄焖鸡米饭")
    await form.get_by_test_id("option-add").click()
    await options.nth(2).fill("麻辣香锅")
    await assert_no_serious_violations(zhang)
    await form.get_by_test_id("poll-submit").click()
    await expect(form).to_have_count(0)

    # Every member sees the question to vote on; its creator sees the counts beside it.
    mine = zhang.get_by_test_id("survey-ref")
    await expect(mine.get_by_test_id("poll-option-count")).to_have_text(["0 票"] * 3)
    card = liu.get_by_test_id("survey-ref")
    await expect(card).to_contain_text("今天中午吃什么？")
    await expect(card).to_contain_text("0/3 人已参与")
    # The message reads as a sentence: the poll's path it ends with is the card, not a line.
    body = liu.locator(".message .body").filter(has_text="发起了投票")
    await expect(body).to_have_text("发起了投票：今天中午吃什么？")
    vote = card.get_by_test_id("poll-vote")
    await expect(vote).to_be_disabled()
    await card.get_by_label("黄焖鸡米饭").check()
    await assert_no_serious_violations(liu)
    await screenshot(liu, "surveys-poll-vote-desktop")
    await vote.click()
    # Voted: the bars, with the voter's own choice ticked, and live on the creator's screen.
    await expect(card.get_by_test_id("poll-counts")).to_contain_text("黄焖鸡米饭 ✓")
    await expect(card).to_contain_text("1/3 人已参与")
    await expect(mine.get_by_test_id("poll-option-count")).to_have_text(["0 票", "1 票", "0 票"])
    await assert_no_serious_violations(liu)
    await screenshot(liu, "surveys-poll-counts-desktop")

    li = await open_page("lina", f"/chat/{channel}", viewport=PHONE)
    phone_card = li.get_by_test_id("survey-ref")
    await expect(phone_card.get_by_test_id("poll-vote")).to_be_visible()
    await assert_no_serious_violations(li)
    await screenshot(li, "surveys-poll-phone")


async def fill_question(page: Page, index: int, kind: str, title: str,
                        options: list[str] | None = None) -> None:
    question = page.get_by_test_id("builder-question").nth(index)
    await question.get_by_test_id("question-kind").select_option(kind)
    await question.get_by_test_id("question-title").fill(title)
    for n, label in enumerate(options or []):
        if n >= 2:
            await question.get_by_test_id("option-add").click()
        await question.get_by_test_id("option-input").nth(n).fill(label)


async def test_a_survey_is_built_filled_in_and_its_results_charted(
        cast: Cast, open_page: OpenPage) -> None:
    lin = await open_page("linxiaoyan", "/surveys")
    await expect(lin.get_by_test_id("surveys-empty")).to_contain_text("没有待填写的问卷")
    await lin.get_by_test_id("survey-new").click()
    builder = lin.get_by_test_id("survey-builder")
    await builder.get_by_test_id("survey-submit").click()
    await expect(builder.get_by_text("请填写问卷标题")).to_be_visible()
    await builder.get_by_test_id("survey-title").fill("2026 年度员工满意度调查")
    await fill_question(lin, 0, "single", "最近一个月，你每周加班的情况是？",
                        ["基本不加班", "1–2 天", "3 天以上"])
    await builder.get_by_test_id("add-nps").click()
    await fill_question(lin, 1, "nps", "你有多大可能向朋友推荐来我们公司工作？")
    await builder.get_by_test_id("add-text").click()
    await fill_question(lin, 2, "text", "你对公司还有哪些建议？")
    # The NPS question first.
    await lin.get_by_test_id("builder-question").nth(1).get_by_role(
        "button", name="上移这道题").click()
    await builder.get_by_test_id("survey-anonymous").check()
    await assert_no_serious_violations(lin)
    await screenshot(lin, "surveys-builder-desktop")
    await builder.get_by_test_id("survey-submit").click()
    await expect(lin.get_by_role("heading", name="2026 年度员工满意度调查")).to_be_visible()
    # Nobody has answered an anonymous survey yet: no results to show.
    await expect(lin.get_by_test_id("results-below-minimum")).to_be_visible()
    survey_id = int(lin.url.rsplit("/", 1)[1])

    li = await open_page("lina", "/surveys", viewport=PHONE)
    listed = li.get_by_test_id("survey-list")
    await expect(listed).to_contain_text("2026 年度员工满意度调查")
    await listed.get_by_role("link", name="2026 年度员工满意度调查").click()
    form = li.get_by_test_id("survey-form")
    await expect(form.get_by_test_id("fill-question").first).to_contain_text("推荐")
    await form.get_by_test_id("survey-send").click()
    await expect(form.get_by_text("这道题必须回答").first).to_be_visible()
    questions = form.get_by_test_id("fill-question")
    await questions.nth(0).get_by_text("9", exact=True).click()
    await questions.nth(1).get_by_label("1–2 天").check()
    await questions.nth(2).get_by_role("textbox").fill("希望食堂能多一些清淡的菜")
    await assert_no_serious_violations(li)
    await screenshot(li, "surveys-fill-phone")
    await form.get_by_test_id("survey-send").click()
    await expect(li.get_by_test_id("survey-answered")).to_contain_text("感谢填写")

    # Four more answers (through the API) make five: the results show.
    survey = (await cast.linxiaoyan.api.get(f"/api/v1/surveys/{survey_id}")).json()
    q = {question["kind"]: question["id"] for question in survey["questions"]}
    for person, score, said in ((cast.zhangwei, 10, "团队氛围很好"), (cast.liuyang, 6, None),
                                (cast.wangfang, 8, "会议太多了"), (cast.zhoujianguo, 9, None)):
        answers = [{"question_id": q["nps"], "value": score},
                   {"question_id": q["single"], "option_ids": [1]}]
        if said:
            answers.append({"question_id": q["text"], "text": said})
        response = await person.api.post(f"/api/v1/surveys/{survey_id}/responses",
                                         json={"answers": answers})
        assert response.status_code == 201, response.text
    results = lin.get_by_test_id("survey-results")
    await expect(results.get_by_test_id("nps-score")).to_have_text("40")
    await expect(results).to_contain_text("希望食堂能多一些清淡的菜")
    await expect(results).to_contain_text("共 5 份回复")
    await expect(results.locator("canvas").first).to_be_visible()
    await assert_no_serious_violations(lin)
    await results.get_by_test_id("question-result").first.scroll_into_view_if_needed()
    await screenshot(lin, "surveys-results-desktop")
    phone = await open_page("linxiaoyan", f"/surveys/{survey_id}", viewport=PHONE)
    await expect(phone.get_by_test_id("nps-score")).to_have_text("40")
    await phone.get_by_test_id("question-result").first.scroll_into_view_if_needed()
    await screenshot(phone, "surveys-results-phone")
