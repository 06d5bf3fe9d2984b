"""Objectives and key results over HTTP: who sets them at which level, who sees them, who
changes them and checks in; the roll-up from check-ins and from linked tasks; every
refusal writing nothing."""

from __future__ import annotations

import pytest

from tests.api_inputs import Unchanged
from tests.goals.helpers import (
    KEY_RESULTS,
    OBJECTIVES,
    PERIOD,
    add_key_result,
    check_in,
    make_objective,
    progress_of,
)
from tests.helpers import Cast, Follow, error_code
from tests.projects.helpers import make_project, make_task, move, status_id


async def test_who_sets_objectives_at_which_level(cast: Cast, unchanged: Unchanged) -> None:
    sales, east, rnd = (cast.departments[d] for d in ("销售部", "华东区", "研发部"))
    # The company's: administrators only.
    company = await make_objective(cast.linxiaoyan, "新品成功上市")
    assert (company["level"], company["department_id"], company["can"]) == (
        "company", None, ["edit", "check_in"])
    # A department's: its managers and those above (张伟 manages 销售部, above 华东区).
    await make_objective(cast.zhangwei, "销售额增长 30%", "department", department_id=sales,
                         parent_id=company["id"])
    await make_objective(cast.zhangwei, "华东区签约 30 家", "department", department_id=east)
    # A person's: themselves, or their managers for them; it belongs to their department.
    own = await make_objective(cast.liuyang, "拿下三个大客户", "person")
    assert (own["owner_id"], own["department_id"]) == (cast.liuyang.id, east)
    given = await make_objective(cast.zhangwei, "带好新人", "person", owner_id=cast.liuyang.id)
    assert given["owner_id"] == cast.liuyang.id
    async with unchanged:
        for person, body in (
                (cast.liuyang, {"level": "company"}),
                (cast.liuyang, {"level": "department", "department_id": east}),
                (cast.zhangwei, {"level": "department", "department_id": rnd}),
                (cast.liuyang, {"level": "person", "owner_id": cast.zhangwei.id}),
                (cast.lina, {"level": "person", "owner_id": cast.liuyang.id}),
                (cast.alex, {"level": "person"})):
            response = await person.api.post(OBJECTIVES, json={
                "title": "越权", "period": PERIOD, **body})
            assert (response.status_code, error_code(response)) == (
                403, "may_not_set_objective"), (person.username, body)


async def test_who_sees_an_objective(cast: Cast) -> None:
    sales = cast.departments["销售部"]
    public = await make_objective(cast.zhoujianguo, "提升客户满意度")
    team = await make_objective(cast.zhangwei, "销售部内部目标", "department",
                                department_id=sales, visibility="department")
    private = await make_objective(cast.liuyang, "个人成长", "person", visibility="private")
    seen = {
        # 刘洋 works in 华东区, below 销售部: the department's is his too.
        "liuyang": {public["id"], team["id"], private["id"]},
        # 张伟 manages 销售部: he sees what is below it, private or not.
        "zhangwei": {public["id"], team["id"], private["id"]},
        "lina": {public["id"]},
        "linxiaoyan": {public["id"], team["id"], private["id"]},
        "alex": set(),
    }
    for name, expected in seen.items():
        person = cast.people[name]
        listed = (await person.api.get(OBJECTIVES, params={"period": PERIOD})).json()
        assert {o["id"] for o in listed["items"]} == expected, name
        for objective in (public, team, private):
            response = await person.api.get(f"{OBJECTIVES}/{objective['id']}")
            assert response.status_code == (200 if objective["id"] in expected else 404), name
    # Seeing is not changing: 李娜 reads the public one and may not touch it.
    response = await cast.lina.api.get(f"{OBJECTIVES}/{public['id']}")
    assert response.json()["can"] == []
    response = await cast.lina.api.patch(f"{OBJECTIVES}/{public['id']}", json={"title": "改"})
    assert response.status_code == 403
    response = await cast.lina.api.patch(f"{OBJECTIVES}/{team['id']}", json={"title": "改"})
    assert response.status_code == 404


async def test_check_ins_roll_up_weighted_to_the_objectives_above(cast: Cast) -> None:
    sales = cast.departments["销售部"]
    company = await make_objective(cast.zhoujianguo, "新品成功上市，打开华东市场")
    signed = await add_key_result(cast.zhoujianguo, company["id"], "首月签约客户", target=50,
                                  unit="家")
    department = await make_objective(cast.zhangwei, "华东区新品签约", "department",
                                      department_id=sales, parent_id=company["id"], weight=3)
    trained = await add_key_result(cast.zhangwei, department["id"], "渠道培训场次", target=6,
                                   unit="场", owner_id=cast.liuyang.id)
    complaints = await add_key_result(cast.zhangwei, department["id"], "客户投诉降到 10 起",
                                      start=40, target=10, weight=2)
    # 刘洋 owns one key result: he checks in on it, not on the other.
    response = await check_in(cast.liuyang, trained["id"], current=3, confidence=7,
                              note="华东区已完成三场")
    assert response.status_code == 201, response.text
    assert (response.json()["progress"], response.json()["confidence"]) == (0.5, 7)
    response = await check_in(cast.liuyang, complaints["id"], current=25)
    assert response.status_code == 403
    assert (await check_in(cast.zhangwei, complaints["id"], current=25)).status_code == 201
    # The department's: (0.5·1 + 0.5·2) / 3 = 0.5; the company's: (0·1 + 0.5·3) / 4.
    assert await progress_of(cast.zhangwei, department["id"]) == pytest.approx(0.5)
    assert await progress_of(cast.zhoujianguo, company["id"]) == pytest.approx(0.375)
    assert (await check_in(cast.zhoujianguo, signed["id"], current=50)).status_code == 201
    assert await progress_of(cast.lina, company["id"]) == pytest.approx((1 + 1.5) / 4)
    # The tree: the department's under the company's, with its rolled-up numbers.
    tree = (await cast.lina.api.get(OBJECTIVES, params={"period": PERIOD,
                                                       "tree": "true"})).json()["items"]
    assert [(o["id"], [c["id"] for c in o["children"]]) for o in tree] == [
        (company["id"], [department["id"]])]
    [child] = tree[0]["children"]
    assert [(k["title"], k["current"], k["progress"]) for k in child["key_results"]] == [
        ("渠道培训场次", 3.0, 0.5), ("客户投诉降到 10 起", 25.0, 0.5)]
    history = (await cast.liuyang.api.get(f"{KEY_RESULTS}/{trained['id']}/check-ins")).json()
    assert [(c["value"], c["note"], c["author_id"]) for c in history["items"]] == [
        (3.0, "华东区已完成三场", cast.liuyang.id)]
    # Aligning it elsewhere, or archiving it, takes it out of the company's roll-up.
    archived = await cast.zhangwei.api.patch(f"{OBJECTIVES}/{department['id']}",
                                             json={"archived": True})
    assert archived.json()["archived"] is True
    assert await progress_of(cast.lina, company["id"]) == pytest.approx(1.0)
    response = await check_in(cast.zhangwei, complaints["id"], current=10)
    assert (response.status_code, error_code(response)) == (409, "objective_archived")


async def test_a_key_result_counted_from_tasks_follows_them(cast: Cast,
                                                           follow: Follow) -> None:
    project = await make_project(cast.lina, "新品上市", member_ids=[cast.zhangwei.id])
    other = await make_project(cast.zhangwei, "销售内部")
    tasks = [await make_task(cast.lina, project["id"], title)
             for title in ("功能冻结", "联调测试", "发布会", "培训")]
    loose = await make_task(cast.zhangwei, other["id"], "渠道名单")
    objective = await make_objective(cast.zhoujianguo, "新品按期上市")
    # 周建国 owns the company: an administrator sees every project.
    counted = await add_key_result(cast.zhoujianguo, objective["id"], "上市项目完成",
                                   kind="tasks", project_ids=[project["id"]],
                                   task_ids=[loose["id"]])
    assert counted["kind"] == "tasks"
    assert (counted["project_ids"], counted["task_ids"]) == ([project["id"]], [loose["id"]])
    await follow.held()
    await move(cast.lina, tasks[0]["id"], status_id(project, "已完成"))
    await move(cast.lina, tasks[1]["id"], status_id(project, "已取消"))
    await follow.catch_up()
    # 1 done of 4 counted (5 linked, 1 cancelled).
    assert await progress_of(cast.lina, objective["id"]) == pytest.approx(0.25)
    await move(cast.zhangwei, loose["id"], status_id(other, "已完成"))
    await make_task(cast.lina, project["id"], "复盘")
    await follow.catch_up()
    assert await progress_of(cast.lina, objective["id"]) == pytest.approx(2 / 5)
    # Its progress is its tasks': a check-in gives a confidence, not a value.
    response = await check_in(cast.zhoujianguo, counted["id"], current=3)
    assert (response.status_code, error_code(response)) == (422, "progress_from_tasks")
    assert (await check_in(cast.zhoujianguo, counted["id"], confidence=4)).status_code == 201


async def test_links_to_what_the_caller_cannot_see_are_refused(cast: Cast,
                                                              unchanged: Unchanged) -> None:
    hidden = await make_project(cast.lina, "内部重构")
    hidden_task = await make_task(cast.lina, hidden["id"], "拆分服务")
    mine = await make_objective(cast.zhangwei, "销售部目标", "department",
                                department_id=cast.departments["销售部"])
    async with unchanged:
        for body in ({"project_ids": [hidden["id"]]}, {"task_ids": [hidden_task["id"]]}):
            response = await cast.zhangwei.api.post(
                f"{OBJECTIVES}/{mine['id']}/key-results",
                json={"title": "偷看", "kind": "tasks", **body})
            assert (response.status_code, error_code(response)) == (422, "unknown_link")
        response = await cast.zhangwei.api.post(
            f"{OBJECTIVES}/{mine['id']}/key-results",
            json={"title": "指标", "kind": "metric", "project_ids": [hidden["id"]]})
        assert (response.status_code, error_code(response)) == (422, "links_need_tasks_kind")


async def test_alignment_stays_a_tree_within_one_period(cast: Cast,
                                                        unchanged: Unchanged) -> None:
    top = await make_objective(cast.zhoujianguo, "公司目标")
    middle = await make_objective(cast.zhoujianguo, "部门目标", parent_id=top["id"])
    low = await make_objective(cast.zhoujianguo, "个人目标", "person", parent_id=middle["id"])
    later = await cast.zhoujianguo.api.post(OBJECTIVES, json={
        "title": "明年目标", "level": "company", "period": "2027-Q1"})
    hidden = await make_objective(cast.liuyang, "私人目标", "person", visibility="private")
    async with unchanged:
        for objective, parent, code in (
                (top, low["id"], "alignment_cycle"), (top, top["id"], "alignment_cycle"),
                (middle, later.json()["id"], "period_mismatch")):
            response = await cast.zhoujianguo.api.patch(f"{OBJECTIVES}/{objective['id']}",
                                                        json={"parent_id": parent})
            assert (response.status_code, error_code(response)) == (422, code)
        # An objective one cannot see is not one to align to.
        response = await cast.lina.api.post(OBJECTIVES, json={
            "title": "对齐私人目标", "level": "person", "period": PERIOD,
            "parent_id": hidden["id"]})
        assert (response.status_code, error_code(response)) == (422,
                                                                 "unknown_parent_objective")
    moved = await cast.zhoujianguo.api.patch(f"{OBJECTIVES}/{low['id']}",
                                             json={"parent_id": None})
    assert moved.status_code == 200
    assert moved.json()["parent_id"] is None


async def test_bad_input_is_refused_with_nothing_written(cast: Cast,
                                                         unchanged: Unchanged) -> None:
    objective = await make_objective(cast.zhoujianguo, "公司目标")
    for n in range(20):
        await add_key_result(cast.zhoujianguo, objective["id"], f"关键结果 {n}")
    async with unchanged:
        for body in ({"title": "", "level": "company", "period": PERIOD},
                     {"title": "x" * 201, "level": "company", "period": PERIOD},
                     {"title": "季度", "level": "company", "period": "2026-Q5"},
                     {"title": "季度", "level": "company", "period": "2026"},
                     {"title": "权重", "level": "company", "period": PERIOD, "weight": 0},
                     {"title": "部门", "level": "department", "period": PERIOD},
                     {"title": "部门", "level": "department", "period": PERIOD,
                      "department_id": cast.departments["销售部"], "visibility": "private"},
                     {"title": "\u202e反转", "level": "company", "period": PERIOD}):
            response = await cast.zhoujianguo.api.post(OBJECTIVES, json=body)
            assert response.status_code == 422, (body, response.text)
        response = await cast.zhoujianguo.api.post(
            f"{OBJECTIVES}/{objective['id']}/key-results", json={"title": "第 21 个"})
        assert (response.status_code, error_code(response)) == (422, "too_many_key_results")
        listed = (await cast.zhoujianguo.api.get(f"{OBJECTIVES}/{objective['id']}")).json()
        key_result = listed["key_results"][0]["id"]
        bad: list[dict[str, object]] = [
            {"confidence": 11}, {"confidence": 0}, {"current": "NaN"}, {"current": 1e13},
            {"current": True}, {"note": "x" * 2001}]
        for wrong in bad:
            response = await check_in(cast.zhoujianguo, key_result, **wrong)
            assert response.status_code == 422, (wrong, response.text)
        response = await check_in(cast.lina, key_result, current=1)
        assert response.status_code == 403
        response = await check_in(cast.alex, key_result, current=1)
        assert response.status_code == 404
