"""A task's details in the browser: a comment with an @mention picked as one types (arriving
live in another member's open dialog), a checklist item ticked (its progress on the card),
a label chosen from the project's coloured set and the labels manager — at 1280×800 and on a
phone, in Chinese, with no serious accessibility violation."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_projects import PHONE, card, make_project, make_task, open_live
from tests.helpers import Cast, Person


async def labelled_project(owner: Person, *members: Person) -> dict[str, Any]:
    project = await make_project(owner, "Q4 新品发布", *members)
    labelled = await owner.api.put(f"/api/v1/projects/{project['id']}/labels", json={
        "labels": [{"name": "研发", "color": "purple"}, {"name": "市场", "color": "orange"}]})
    assert labelled.status_code == 200, labelled.text
    made: dict[str, Any] = labelled.json()
    return made


async def checklist(person: Person, task_id: int, *texts: str) -> None:
    for text in texts:
        response = await person.api.post(f"/api/v1/tasks/{task_id}/checklist",
                                         json={"text": text})
        assert response.status_code == 201, response.text


async def test_a_comment_with_a_mention_a_ticked_item_and_a_label(
        cast: Cast, open_page: OpenPage) -> None:
    project = await labelled_project(cast.zhangwei, cast.lina, cast.liuyang)
    task = await make_task(cast.zhangwei, project, "确认发布会场地", labels=["研发"],
                           assignee_id=cast.liuyang.id)
    await checklist(cast.zhangwei, task["id"], "联系三家场地", "比较报价")
    path = f"/projects/{project['id']}?task={task['id']}"
    lina = await open_live(open_page, "lina", path)
    zhang = await open_page("zhangwei", path)
    dialog = zhang.get_by_test_id("task-dialog")
    await expect(dialog.get_by_test_id("checklist-item")).to_have_count(2)

    # @ then a few letters: the members to mention; one picked goes into the text.
    box = dialog.get_by_test_id("comment-input")
    await box.click()
    await box.press_sequentially("@李")
    suggestions = dialog.get_by_test_id("mention-suggestions")
    await expect(suggestions).to_contain_text("李娜")
    await suggestions.get_by_role("option", name="李娜").click()
    await expect(box).to_have_value("@李娜 ")
    await box.press_sequentially("请确认一下场地预算")
    await dialog.get_by_test_id("comment-send").click()
    await expect(box).to_have_value("")
    said = dialog.get_by_test_id("comment").first
    await expect(said).to_contain_text("@李娜 请确认一下场地预算")
    await expect(said.locator(".mention")).to_have_text("@李娜")
    # 李娜's open dialog has it at once.
    await expect(lina.get_by_test_id("task-dialog").get_by_test_id("comment").first
                 ).to_contain_text("请确认一下场地预算")

    # A ticked item: its progress on the dialog and on the card behind it.
    await dialog.get_by_test_id("checklist-item").first.get_by_role("checkbox").check()
    await expect(dialog.get_by_test_id("checklist-progress")).to_have_text("1/2 已完成")
    stored = (await cast.zhangwei.api.get(f"/api/v1/tasks/{task['id']}")).json()
    assert [i["done"] for i in stored["checklist"]] == [True, False]
    await expect(card(lina, "确认发布会场地").get_by_test_id("task-checklist")
                 ).to_contain_text("1/2")

    # A label from the project's set, in its colour.
    picker = dialog.get_by_test_id("label-picker")
    await picker.locator("summary").click()
    await picker.get_by_role("checkbox", name="市场").check()
    await expect(dialog.get_by_test_id("task-labels")).to_contain_text("市场")
    stored = (await cast.zhangwei.api.get(f"/api/v1/tasks/{task['id']}")).json()
    assert stored["labels"] == ["研发", "市场"]
    await dialog.get_by_test_id("task-watch").click()
    await expect(dialog.get_by_test_id("task-watchers")).to_contain_text("张伟")
    await screenshot(zhang, "task-details-desktop")
    await assert_no_serious_violations(zhang)


async def test_the_details_on_a_phone(cast: Cast, open_page: OpenPage) -> None:
    project = await labelled_project(cast.zhangwei, cast.lina)
    task = await make_task(cast.zhangwei, project, "准备演示样机", labels=["市场"])
    await checklist(cast.zhangwei, task["id"], "组装样机", "录制演示视频")
    said = await cast.lina.api.post(f"/api/v1/tasks/{task['id']}/comments",
                                    json={"text": "样机**周五**前到位"})
    assert said.status_code == 201, said.text
    zhang = await open_page("zhangwei", f"/projects/{project['id']}", viewport=PHONE)
    await expect(card(zhang, "准备演示样机")).to_contain_text("0/2")
    await screenshot(zhang, "task-details-board-phone")
    await card(zhang, "准备演示样机").click()
    dialog = zhang.get_by_test_id("task-dialog")
    await dialog.get_by_test_id("checklist-item").nth(1).get_by_role("checkbox").check()
    await expect(dialog.get_by_test_id("checklist-progress")).to_have_text("1/2 已完成")
    await expect(dialog.get_by_test_id("comment-html").first.locator("strong")).to_have_text("周五")
    box = dialog.get_by_test_id("comment-input")
    await box.fill("收到，@李娜 我来录视频")
    await dialog.get_by_test_id("comment-send").click()
    await expect(dialog.get_by_test_id("comment")).to_have_count(2)
    width = await zhang.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    await screenshot(zhang, "task-details-phone")
    await assert_no_serious_violations(zhang)
    await zhang.keyboard.press("Escape")

    # The labels manager: a new label, in a colour, saved for the whole project.
    await zhang.get_by_test_id("manage-labels").click()
    form = zhang.get_by_test_id("labels-form")
    await expect(form.get_by_test_id("label-row")).to_have_count(2)
    await form.get_by_test_id("label-add").click()
    await form.get_by_test_id("label-name").nth(2).fill("设计")
    await form.get_by_test_id("label-color").nth(2).select_option(label="绿色")
    await screenshot(zhang, "task-details-labels-phone")
    await assert_no_serious_violations(zhang)
    await form.get_by_test_id("labels-save").click()
    await expect(form).to_have_count(0)
    labels = (await cast.zhangwei.api.get(f"/api/v1/projects/{project['id']}/labels")).json()
    assert [(label["name"], label["color"]) for label in labels["items"]] == [
        ("研发", "purple"), ("市场", "orange"), ("设计", "green")]
