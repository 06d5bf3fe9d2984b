"""The inbox: 待我审批 (todo), 我已审批 (done), 我发起的 (mine), cursor-paged, in a fixed
number of statements however long the page; and what a subject's domain reads of its
approvals (`instance_for`, `summary_for`, `approver_subjects`)."""

from __future__ import annotations

from typing import Any

from tests.api_inputs import refused
from tests.approvals.helpers import (
    APPROVALS,
    KIND,
    approve,
    box,
    decide,
    make_flow,
    start,
    step,
    todo_task,
    user,
)
from tests.helpers import Cast, Person, anonymous_client, statements
from xietong.approvals import views
from xietong.approvals.queries import approver_subjects, instance_for
from xietong.core.events import Scope


async def every_page(person: Person, name: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await box(person, name, limit=limit, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_the_three_boxes(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)),
                              step("one", user(cast.lina)))
    for subject in range(1, 6):
        await start(cast, flow_id, cast.liuyang, subject, department="华东区",
                    title=f"报销单 {subject}")
    await start(cast, flow_id, cast.wangfang, 6, department="客服部", title="王芳的报销单")
    for subject in (2, 4):
        await approve(cast.zhangwei, subject)
    task = await todo_task(cast.zhangwei, 5)
    assert (await decide(cast.zhangwei, task["id"], "reject", "票据不全")).status_code == 200

    todo = await every_page(cast.zhangwei, "todo", 2)
    assert [i["approval"]["subject_id"] for i in todo] == [6, 3, 1]
    assert all(i["task"]["state"] == "pending" and i["task"]["user_id"] == cast.zhangwei.id
               for i in todo)
    first = todo[-1]["approval"]
    assert first["subject"] == f"{KIND}:1"
    assert (first["subject_kind"], first["title"], first["requester_id"]) == (
        KIND, "报销单 1", cast.liuyang.id)
    assert (first["flow_id"], first["flow_name"]) == (flow_id, "报销审批")
    assert first["requester_department_id"] == cast.departments["华东区"]
    # No domain owns this kind of subject: nobody says how it is quoted.
    assert first["reference"] is None

    done = await every_page(cast.zhangwei, "done", 2)
    assert [(i["approval"]["subject_id"], i["task"]["state"]) for i in done] == [
        (5, "rejected"), (4, "approved"), (2, "approved")]
    assert [i["approval"]["status"] for i in done] == ["rejected", "pending", "pending"]

    mine = await every_page(cast.liuyang, "mine", 2)
    assert [i["approval"]["subject_id"] for i in mine] == [5, 4, 3, 2, 1]
    assert all(i["task"] is None for i in mine)
    assert [i["approval"]["subject_id"] for i in await every_page(cast.wangfang, "mine", 10)
            ] == [6]

    # 李娜's step is reached for 2 and 4 only.
    assert [i["approval"]["subject_id"] for i in await every_page(cast.lina, "todo", 1)
            ] == [4, 2]
    # Someone with nothing to do, and the default box (todo).
    assert await box(cast.linxiaoyan, "done") == {"items": [], "next_cursor": None}
    default = await cast.lina.api.get(APPROVALS)
    assert [i["approval"]["subject_id"] for i in default.json()["items"]] == [4, 2]


async def test_bad_box_requests_are_refused(cast: Cast) -> None:
    api = cast.zhangwei.api
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    for subject in (1, 2):
        await start(cast, flow_id, cast.liuyang, subject, department="华东区")
    todo_cursor = (await box(cast.zhangwei, "todo", limit=1))["next_cursor"]
    assert todo_cursor is not None
    refused(await api.get(APPROVALS, params={"box": "all"}), 422, "invalid")
    refused(await api.get(APPROVALS, params={"limit": 101}), 422, "invalid")
    for cursor in ("nonsense", "W10", todo_cursor[:-2]):
        refused(await api.get(APPROVALS, params={"cursor": cursor}), 400, "bad_cursor")
    # A cursor of one box is no cursor of another.
    refused(await api.get(APPROVALS, params={"box": "mine", "cursor": todo_cursor}), 400,
            "bad_cursor")
    refused(await api.get(APPROVALS, params={"cursor": "x" * 201}), 422, "invalid")


async def test_a_page_costs_the_same_however_many_items(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei), user(cast.lina)),
                              step("one", user(cast.wangfang)))
    await box(cast.zhangwei, "todo")  # the first request of a token also looks it up
    counts = []
    for subjects in (range(1, 3), range(3, 13)):
        for subject in subjects:
            await start(cast, flow_id, cast.liuyang, subject, department="华东区")
        with statements(cast.runtime) as ran:
            page = await box(cast.zhangwei, "todo", limit=50)
        assert len(page["items"]) == subjects.stop - 1
        counts.append(len(ran))
    # The tasks, their instances, the instances' tasks, their flows' names.
    assert counts == [4, 4], counts


async def test_what_a_subjects_domain_reads(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("any", user(cast.zhangwei), user(cast.lina)),
                              step("one", user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 7, department="华东区")
    await start(cast, flow_id, cast.liuyang, 8, department="华东区")
    await approve(cast.zhangwei, 7)
    async with cast.runtime.reader() as uow:
        instance = await instance_for(uow, Scope(KIND, 7))
        assert instance is not None
        assert await instance_for(uow, Scope(KIND, 9)) is None
        assert await instance_for(uow, Scope("announcement", 7)) is None
        summary = await views.summary_for(uow, Scope(KIND, 7))
        assert await views.summary_for(uow, Scope(KIND, 9)) is None
        many = await views.summaries_for(uow, KIND, [7, 8, 9])
        # Approvers of any step see the subject, decided or not; nobody else does.
        assert await approver_subjects(uow, cast.zhangwei.id, KIND) == {7, 8}
        assert await approver_subjects(uow, cast.wangfang.id, KIND) == {7, 8}
        assert await approver_subjects(uow, cast.lina.id, "announcement") == set()
        assert await approver_subjects(uow, cast.linxiaoyan.id, KIND) == set()
    assert summary is not None
    assert set(many) == {7, 8}
    assert many[7] == summary
    shown = summary.model_dump(mode="json")
    assert (shown["id"], shown["status"], shown["round"], shown["current_step"]) == (
        instance.id, "pending", 1, 2)
    assert [(s["number"], s["mode"], s["state"]) for s in shown["steps"]] == [
        (1, "any", "approved"), (2, "one", "pending")]
    assert {a["user_id"]: a["state"] for a in shown["steps"][0]["approvers"]} == {
        cast.zhangwei.id: "approved", cast.lina.id: "not_needed"}


async def test_the_count_of_what_waits_for_me(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei), user(cast.lina)),
                              step("one", user(cast.wangfang)))
    for subject in (1, 2, 3):
        await start(cast, flow_id, cast.liuyang, subject, department="华东区")

    async def todo_of(person: Person) -> int:
        response = await person.api.get(f"{APPROVALS}/counts")
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"todo"}
        count: int = response.json()["todo"]
        return count

    assert [await todo_of(p) for p in (cast.zhangwei, cast.lina, cast.wangfang)] == [3, 3, 0]
    await approve(cast.zhangwei, 1)
    await approve(cast.lina, 1)
    task = await todo_task(cast.lina, 2)
    assert (await decide(cast.lina, task["id"], "reject", "重复报销")).status_code == 200
    # 张伟's task on 2 closed with the rejection; 王芳's step of 1 is reached.
    assert [await todo_of(p) for p in (cast.zhangwei, cast.lina, cast.wangfang)] == [1, 1, 1]
    # The requester, an administrator and a guest have nothing waiting; nobody signed out
    # learns anything.
    assert [await todo_of(p) for p in (cast.liuyang, cast.linxiaoyan, cast.alex)] == [0, 0, 0]
    assert (await anonymous_client(cast.client).get(f"{APPROVALS}/counts")).status_code == 401
