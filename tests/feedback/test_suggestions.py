"""The suggestion box over HTTP: everyone in the company writes and reads (guests do
neither), the managers of the department addressed (and of those above it) and the
administrators answer in public, the author follows their suggestion only by its receipt,
a department is named as the source only when it has at least five people, the counts by
source follow the same rule, a person writes at most five an hour, and every refusal
writes nothing."""

from __future__ import annotations

from sqlalchemy import update

from tests.api_inputs import Unchanged
from tests.feedback.helpers import SUGGESTIONS, suggest
from tests.helpers import Cast, anonymous_client, error_code
from xietong.org.models import User
from xietong.policy.feedback import MIN_GROUP_SIZE


async def test_a_suggestion_is_public_and_carries_no_author(cast: Cast) -> None:
    made = await suggest(cast, cast.liuyang, "研发部", "希望代码评审能在一天内给出反馈",
                         category="process")
    assert set(made) == {"id", "receipt"}
    assert len(made["receipt"]) == 19
    assert made["receipt"].count("-") == 3
    for reader in (cast.zhangwei, cast.wangfang, cast.linxiaoyan):
        shown = (await reader.api.get(f"{SUGGESTIONS}/{made['id']}")).json()
        assert shown["body"] == "希望代码评审能在一天内给出反馈"
        assert shown["department"] == {"id": cast.departments["研发部"], "path": ["研发部"]}
        assert shown["category"] == "process"
        assert shown["from_department"] is None
        assert shown["status"] == "open"
        assert shown["answer"] is None
        assert set(shown) == {"id", "department", "category", "body", "from_department",
                              "submitted_on", "status", "answer", "answered_by",
                              "answered_at", "can_answer"}
        # The day only.
        assert len(shown["submitted_on"]) == 10
    listed = (await cast.wangfang.api.get(SUGGESTIONS)).json()
    assert [s["id"] for s in listed["items"]] == [made["id"]]
    # The author's own view of the list is no different from anyone's.
    own = (await cast.liuyang.api.get(SUGGESTIONS)).json()
    assert own == {**listed, "items": [{**listed["items"][0], "can_answer": False}]}


async def test_the_department_answers_in_public(cast: Cast) -> None:
    made = await suggest(cast, cast.wangfang, "销售部", "报价单模板能否统一？")
    # 刘洋 manages nothing; 李娜 manages another department.
    for outsider in (cast.liuyang, cast.lina):
        shown = (await outsider.api.get(f"{SUGGESTIONS}/{made['id']}")).json()
        assert shown["can_answer"] is False
        async with Unchanged(cast):
            refused = await outsider.api.post(f"{SUGGESTIONS}/{made['id']}/answer",
                                              json={"answer": "好的"})
        assert refused.status_code == 403
        assert error_code(refused) == "may_not_answer"
    assert (await cast.zhangwei.api.get(f"{SUGGESTIONS}/{made['id']}")).json()["can_answer"]
    answered = await cast.zhangwei.api.post(f"{SUGGESTIONS}/{made['id']}/answer",
                                            json={"answer": "  下周起统一使用新版模板。  "})
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["status"], body["answer"]) == ("answered", "下周起统一使用新版模板。")
    assert body["answered_by"] == {"id": cast.zhangwei.id, "display_name": "张伟"}
    public = (await cast.lina.api.get(f"{SUGGESTIONS}/{made['id']}")).json()
    assert public["answer"] == "下周起统一使用新版模板。"
    # An administrator may answer too (and a new answer replaces the old).
    again = await cast.linxiaoyan.api.post(f"{SUGGESTIONS}/{made['id']}/answer",
                                           json={"answer": "已在全公司推行。"})
    assert again.json()["answered_by"]["id"] == cast.linxiaoyan.id
    # The manager of a department above answers for the one below.
    below = await suggest(cast, cast.lina, "华东区", "华东区的样品间能否开放预约？")
    assert (await cast.zhangwei.api.post(f"{SUGGESTIONS}/{below['id']}/answer",
                                         json={"answer": "可以"})).status_code == 200
    answered_list = (await cast.lina.api.get(SUGGESTIONS, params={"status": "answered"})).json()
    assert {s["id"] for s in answered_list["items"]} == {made["id"], below["id"]}
    in_sales = (await cast.lina.api.get(
        SUGGESTIONS, params={"department_id": cast.departments["销售部"]})).json()
    assert {s["id"] for s in in_sales["items"]} == {made["id"], below["id"]}
    missing = await cast.zhangwei.api.post(f"{SUGGESTIONS}/99999/answer", json={"answer": "x"})
    assert missing.status_code == 404


async def test_the_receipt_is_the_authors_only_way_back(cast: Cast) -> None:
    made = await suggest(cast, cast.lina, "客服部", "工单模板加上复现步骤")
    typed = made["receipt"].lower().replace("-", " ").replace("o", "0").replace("i", "1")
    found = await cast.lina.api.post(f"{SUGGESTIONS}/receipt", json={"receipt": typed})
    assert found.status_code == 200
    assert found.json()["id"] == made["id"]
    # Anyone holding the receipt may look (it is the only link to the suggestion).
    assert (await cast.zhangwei.api.post(f"{SUGGESTIONS}/receipt",
                                         json={"receipt": made["receipt"]})).status_code == 200
    for wrong in ("AAAA-BBBB-CCCC-DDDD", "不是回执", " "):
        refused = await cast.lina.api.post(f"{SUGGESTIONS}/receipt", json={"receipt": wrong})
        assert refused.status_code == 404
        assert error_code(refused) == "unknown_receipt"
    assert (await cast.lina.api.post(f"{SUGGESTIONS}/receipt",
                                     json={"receipt": "x" * 41})).status_code == 422


async def test_guests_and_strangers_see_nothing_of_the_box(cast: Cast) -> None:
    made = await suggest(cast, cast.lina, "客服部")
    guest = cast.alex.api
    async with Unchanged(cast):
        for response in (
                await guest.get(SUGGESTIONS), await guest.get(f"{SUGGESTIONS}/{made['id']}"),
                await guest.get(f"{SUGGESTIONS}/stats"),
                await guest.post(SUGGESTIONS, json={
                    "department_id": cast.departments["客服部"], "body": "访客的建议"}),
                await guest.post(f"{SUGGESTIONS}/receipt", json={"receipt": made["receipt"]}),
                await guest.post(f"{SUGGESTIONS}/{made['id']}/answer", json={"answer": "x"})):
            assert response.status_code == 403, response.text
            assert error_code(response) == "voice_for_staff"
        async with anonymous_client(cast.client) as nobody:
            assert (await nobody.get(SUGGESTIONS)).status_code == 401
            assert (await nobody.post(SUGGESTIONS, json={
                "department_id": cast.departments["客服部"], "body": "x"})).status_code == 401


async def test_bad_suggestions_are_refused_and_write_nothing(cast: Cast) -> None:
    department = cast.departments["客服部"]
    existing = await suggest(cast, cast.lina, "客服部")
    async with Unchanged(cast):
        for body, status in (
                ({"department_id": department, "body": ""}, 422),
                ({"department_id": department, "body": " \n\t "}, 422),
                ({"department_id": department, "body": "长" * 2001}, 422),
                ({"department_id": department, "body": "x", "category": "gossip"}, 422),
                ({"department_id": department, "body": "x", "author": "me"}, 422),
                ({"department_id": 99999, "body": "x"}, 422),
                ({"department_id": "客服部", "body": "x"}, 422),
                ({"body": "x"}, 422)):
            refused = await cast.lina.api.post(SUGGESTIONS, json=body)
            assert refused.status_code == status, (body, refused.text)
        unknown = await cast.lina.api.post(SUGGESTIONS, json={"department_id": 99999, "body": "x"})
        assert error_code(unknown) == "unknown_department"
        for answer in ("", "  ", "长" * 2001):
            assert (await cast.wangfang.api.post(f"{SUGGESTIONS}/{existing['id']}/answer",
                                                 json={"answer": answer})).status_code == 422
    # Any Unicode is kept as written (up to the limit).
    text = "建议：🌱 绿植 ×3、Ｗｉ-Ｆｉ 覆盖会议室，عربي，" + "好" * 1950
    made = await suggest(cast, cast.lina, "客服部", text)
    assert (await cast.lina.api.get(f"{SUGGESTIONS}/{made['id']}")).json()["body"] == text


async def test_naming_the_source_needs_a_group_of_five(cast: Cast) -> None:
    # 研发部 has one person: naming it would name 李娜.
    async with Unchanged(cast):
        refused = await cast.lina.api.post(SUGGESTIONS, json={
            "department_id": cast.departments["客服部"], "body": "x", "share_department": True})
    assert refused.status_code == 422
    assert error_code(refused) == "group_too_small"
    assert refused.json()["error"]["details"] == {"min_group_size": MIN_GROUP_SIZE}
    # Nor may the owner, who is in no department.
    none = await cast.zhoujianguo.api.post(SUGGESTIONS, json={
        "department_id": cast.departments["客服部"], "body": "x", "share_department": True})
    assert error_code(none) == "no_department_to_share"
    for n in range(MIN_GROUP_SIZE - 1):
        await cast.add_person(f"dev{n}", f"研发{n}", departments=("研发部",))
    named = await suggest(cast, cast.lina, "客服部", "测试环境经常被占用", share_department=True)
    shown = (await cast.wangfang.api.get(f"{SUGGESTIONS}/{named['id']}")).json()
    assert shown["from_department"] == {"id": cast.departments["研发部"], "path": ["研发部"]}
    await suggest(cast, cast.wangfang, "研发部", "接口文档请及时更新")
    stats = (await cast.zhangwei.api.get(f"{SUGGESTIONS}/stats")).json()
    assert stats["min_group_size"] == MIN_GROUP_SIZE
    assert (stats["total"], stats["answered"]) == (2, 0)
    assert stats["from_departments"] == [
        {"department": {"id": cast.departments["研发部"], "path": ["研发部"]}, "count": 1}]
    assert stats["from_unnamed"] == 1
    assert {c["department"]["path"][0]: (c["total"], c["answered"])
            for c in stats["by_department"]} == {"客服部": (1, 0), "研发部": (1, 0)}
    # When the department shrinks below five, its count is no longer shown by name.
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(update(User).where(User.username == "dev0")
                                  .values(active=False))
    stats = (await cast.zhangwei.api.get(f"{SUGGESTIONS}/stats")).json()
    assert stats["from_departments"] == []
    assert stats["from_unnamed"] == 2
    # But the suggestion already written keeps its source.
    assert (await cast.wangfang.api.get(f"{SUGGESTIONS}/{named['id']}")).json()[
        "from_department"] is not None


async def test_five_suggestions_an_hour(cast: Cast) -> None:
    for n in range(5):
        await suggest(cast, cast.lina, "客服部", f"第 {n + 1} 条建议")
    async with Unchanged(cast):
        refused = await cast.lina.api.post(SUGGESTIONS, json={
            "department_id": cast.departments["客服部"], "body": "第 6 条"})
    assert refused.status_code == 429
    assert error_code(refused) == "too_many_suggestions"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    # Someone else is not held back.
    await suggest(cast, cast.wangfang, "研发部", "别人的建议")


async def test_the_list_pages_newest_first(cast: Cast) -> None:
    ids = [(await suggest(cast, person, "客服部", f"建议 {n}"))["id"]
           for n, person in enumerate([cast.lina, cast.zhangwei, cast.liuyang,
                                       cast.linxiaoyan, cast.zhoujianguo])]
    first = (await cast.lina.api.get(SUGGESTIONS, params={"limit": 3})).json()
    assert [s["id"] for s in first["items"]] == ids[::-1][:3]
    rest = (await cast.lina.api.get(SUGGESTIONS, params={
        "limit": 3, "cursor": first["next_cursor"]})).json()
    assert [s["id"] for s in rest["items"]] == ids[::-1][3:]
    assert rest["next_cursor"] is None
    bad = await cast.lina.api.get(SUGGESTIONS, params={"cursor": "garbage"})
    assert bad.status_code == 400
