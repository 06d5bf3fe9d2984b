"""A task's details: comments with @mentions, collaborators and watchers, its checklist, its
attachments and its project's labels — who may do what (a private project's outsiders find
nothing, a company-visible one's readers read but do not write), what each tells whom, and
every refusal writing nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api_inputs import Unchanged
from tests.helpers import Cast, Follow, Person, error_code, upload
from tests.projects.helpers import (
    PROJECTS,
    TASKS,
    board,
    make_project,
    make_task,
    set_labels,
)
from tests.projects.test_project_events import frames
from tests.realtime.wsclient import Socket


@pytest.fixture
async def private(cast: Cast) -> dict[str, Any]:
    """李娜's private project with 张伟 and the guest Alex in it."""
    return await make_project(cast.lina, "新品上市",
                              member_ids=[cast.zhangwei.id, cast.alex.id])


@pytest.fixture
async def public(cast: Cast) -> dict[str, Any]:
    """李娜's company-visible project with 张伟 in it: 王芳 reads it, as everyone does."""
    return await make_project(cast.lina, "官网改版", visibility="company",
                              member_ids=[cast.zhangwei.id])


async def comment(person: Person, task_id: int, text: str) -> httpx.Response:
    return await person.api.post(f"{TASKS}/{task_id}/comments", json={"text": text})


async def notes(person: Person) -> list[tuple[str, str]]:
    items = (await person.api.get("/api/v1/notifications")).json()["items"]
    return [(n["kind"], n["title"]) for n in items if n["kind"].startswith("task_")]


async def history(person: Person, task_id: int) -> list[tuple[str, dict[str, Any]]]:
    items = (await person.api.get(f"{TASKS}/{task_id}/history")).json()["items"]
    return [(e["kind"], e["data"]) for e in items]


def writes(task_id: int, project_id: int, file_id: int) -> list[tuple[str, str, Any]]:
    """Every new write a member of the project may make on a task's details."""
    return [
        ("post", f"{TASKS}/{task_id}/comments", {"text": "收到"}),
        ("post", f"{TASKS}/{task_id}/checklist", {"text": "订场地"}),
        ("put", f"{TASKS}/{task_id}/checklist", {"items": [{"text": "订场地"}]}),
        ("post", f"{TASKS}/{task_id}/attachments", {"file_id": file_id}),
        ("patch", f"{TASKS}/{task_id}", {"collaborator_ids": []}),
        ("put", f"{PROJECTS}/{project_id}/labels",
         {"labels": [{"name": "市场", "color": "red"}]}),
    ]


async def send(person: Person, method: str, path: str, body: Any) -> httpx.Response:
    return await person.api.request(method.upper(), path, json=body)


async def test_who_may_read_and_write_a_tasks_details(
        cast: Cast, private: dict[str, Any], public: dict[str, Any],
        unchanged: Unchanged) -> None:
    hidden = await make_task(cast.lina, private["id"], "发布会")
    shown = await make_task(cast.lina, public["id"], "首页")
    said = await comment(cast.lina, hidden["id"], "大家看看")
    assert said.status_code == 201, said.text
    reads = [f"{TASKS}/{hidden['id']}/comments", f"{PROJECTS}/{private['id']}/labels"]
    # Outsiders of a private project find nothing, and change nothing.
    files = {p.username: (await upload(p, "a.txt", b"x"))["id"]
             for p in (cast.liuyang, cast.wangfang)}
    async with unchanged:
        for person in (cast.liuyang, cast.wangfang):
            file_id = files[person.username]
            for path in reads:
                assert (await person.api.get(path)).status_code == 404, (person, path)
            for method, path, body in writes(hidden["id"], private["id"], file_id):
                response = await send(person, method, path, body)
                assert (response.status_code, error_code(response)) == (404, "not_found"), \
                    (person.username, path)
            for method in ("post", "delete"):
                response = await send(person, method, f"{TASKS}/{hidden['id']}/watch", None)
                assert response.status_code == 404
    # A company-visible project's readers read it and follow its tasks; they do not write.
    viewer_file = (await upload(cast.wangfang, "b.txt", b"y"))["id"]
    async with unchanged:
        for method, path, body in writes(shown["id"], public["id"], viewer_file):
            response = await send(cast.wangfang, method, path, body)
            assert (response.status_code, error_code(response)) == (
                403, "not_a_project_member"), path
    listed = await cast.wangfang.api.get(f"{TASKS}/{shown['id']}/comments")
    assert listed.json() == {"items": [], "next_cursor": None}
    watched = await cast.wangfang.api.post(f"{TASKS}/{shown['id']}/watch")
    assert watched.json()["watcher_ids"] == [cast.wangfang.id]
    # A guest from outside: not a company project's reader, but a member where added.
    assert (await cast.alex.api.get(f"{TASKS}/{shown['id']}/comments")).status_code == 404
    guest_file = (await upload(cast.alex, "c.txt", b"z"))["id"]
    for method, path, body in writes(hidden["id"], private["id"], guest_file):
        response = await send(cast.alex, method, path, body)
        assert response.status_code in (200, 201), (path, response.text)
    # An administrator reads everything and removes any comment, but works only as a member.
    admin = cast.linxiaoyan
    listed = await admin.api.get(f"{TASKS}/{hidden['id']}/comments")
    assert [c["text"] for c in listed.json()["items"]] == ["收到", "大家看看"]
    async with unchanged:
        response = await comment(admin, hidden["id"], "管理员路过")
        assert (response.status_code, error_code(response)) == (403, "not_a_project_member")
    gone = await admin.api.delete(f"{TASKS}/{hidden['id']}/comments/{said.json()['id']}")
    assert gone.status_code == 204


async def test_comments_are_sanitised_edited_and_removed_by_whom_they_may(
        cast: Cast, private: dict[str, Any], unchanged: Unchanged) -> None:
    task = await make_task(cast.lina, private["id"], "发布会")
    other = await make_task(cast.lina, private["id"], "别的任务")
    said = await comment(cast.zhangwei, task["id"],
                         "**注意**\n\n<script>alert(1)</script>\n\n"
                         '[点我](javascript:alert(1)) <img src=x onerror="alert(1)">')
    assert said.status_code == 201, said.text
    html = said.json()["html"]
    assert "<strong>注意</strong>" in html
    for bad in ("<script", 'href="javascript:', "<img"):
        assert bad not in html
    async with unchanged:
        for text in ("", "   ", "x" * 10_001, "abc\u202edef"):
            response = await comment(cast.zhangwei, task["id"], text)
            assert response.status_code == 422, text
        # Only its writer changes it; the owner of the project does not.
        response = await cast.lina.api.patch(
            f"{TASKS}/{task['id']}/comments/{said.json()['id']}", json={"text": "改了"})
        assert response.status_code == 403
        # A member who did not write it does not remove it.
        response = await cast.alex.api.delete(
            f"{TASKS}/{task['id']}/comments/{said.json()['id']}")
        assert response.status_code == 403
        # A comment of another task is not found by this one's path.
        response = await cast.zhangwei.api.patch(
            f"{TASKS}/{other['id']}/comments/{said.json()['id']}", json={"text": "x"})
        assert response.status_code == 404
    edited = await cast.zhangwei.api.patch(
        f"{TASKS}/{task['id']}/comments/{said.json()['id']}", json={"text": "改成 *这样*"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["edited_at"] is not None
    assert "<em>这样</em>" in edited.json()["html"]
    assert (await cast.lina.api.get(f"{TASKS}/{task['id']}")).json()["comment_count"] == 1
    removed = await cast.lina.api.delete(f"{TASKS}/{task['id']}/comments/{said.json()['id']}")
    assert removed.status_code == 204
    assert (await cast.lina.api.get(f"{TASKS}/{task['id']}/comments")).json()["items"] == []


async def test_comments_page_newest_first(cast: Cast, private: dict[str, Any]) -> None:
    task = await make_task(cast.lina, private["id"], "发布会")
    for n in range(5):
        assert (await comment(cast.lina, task["id"], f"第{n}条")).status_code == 201
    first = (await cast.zhangwei.api.get(f"{TASKS}/{task['id']}/comments",
                                         params={"limit": 3})).json()
    rest = (await cast.zhangwei.api.get(f"{TASKS}/{task['id']}/comments",
                                        params={"cursor": first["next_cursor"]})).json()
    assert [c["text"] for c in first["items"] + rest["items"]] == [
        "第4条", "第3条", "第2条", "第1条", "第0条"]
    assert rest["next_cursor"] is None
    bad = await cast.zhangwei.api.get(f"{TASKS}/{task['id']}/comments",
                                      params={"cursor": "nonsense"})
    assert (bad.status_code, error_code(bad)) == (400, "bad_cursor")


async def test_a_mention_reaches_who_sees_the_task_and_followers_hear_of_comments(
        cast: Cast, private: dict[str, Any], follow: Follow) -> None:
    await cast.lina.api.post(f"{PROJECTS}/{private['id']}/members",
                             json={"user_ids": [cast.wangfang.id]})
    task = await make_task(cast.lina, private["id"], "发布会", assignee_id=cast.lina.id)
    collaborating = await cast.lina.api.patch(f"{TASKS}/{task['id']}",
                                              json={"collaborator_ids": [cast.alex.id]})
    assert collaborating.json()["collaborator_ids"] == [cast.alex.id]
    await follow.held()
    # 王芳 is a member; 刘洋 is not and may not see the task: his name stays text.
    said = await comment(cast.zhangwei, task["id"], "@王芳 @liuyang 请看一下报价 @张伟")
    assert said.status_code == 201, said.text
    assert said.json()["mentioned_ids"] == sorted([cast.wangfang.id, cast.zhangwei.id])
    assert "王芳" in said.json()["html"]
    assert "mention" in said.json()["html"]
    await follow.catch_up()
    assert await notes(cast.wangfang) == [("task_mentioned", "张伟 在任务评论中提到了你：发布会")]
    assert await notes(cast.liuyang) == []
    assert await notes(cast.zhangwei) == []  # never the writer, mentioned or not
    # The assignee and the collaborator hear of the comment.
    assert await notes(cast.lina) == [("task_commented", "张伟 评论了任务：发布会")]
    assert await notes(cast.alex) == [("task_commented", "张伟 评论了任务：发布会")]
    [item] = (await cast.wangfang.api.get("/api/v1/notifications")).json()["items"]
    assert item["link"] == f"/projects/{private['id']}?task={task['id']}"
    # A watcher hears of the next one; whoever stops watching does not.
    await cast.wangfang.api.post(f"{TASKS}/{task['id']}/watch")
    await comment(cast.lina, task["id"], "已经改好了")
    await follow.catch_up()
    assert (await notes(cast.wangfang))[0] == ("task_commented", "李娜 评论了任务：发布会")
    await cast.wangfang.api.delete(f"{TASKS}/{task['id']}/watch")
    await comment(cast.lina, task["id"], "再补充一点")
    await follow.catch_up()
    assert len(await notes(cast.wangfang)) == 2


async def test_collaborators_and_watchers_are_the_tasks_and_in_its_history(
        cast: Cast, private: dict[str, Any], public: dict[str, Any],
        unchanged: Unchanged) -> None:
    task = await make_task(cast.lina, private["id"], "发布会")
    changed = await cast.zhangwei.api.patch(f"{TASKS}/{task['id']}", json={
        "collaborator_ids": [cast.alex.id, cast.zhangwei.id, cast.alex.id]})
    assert changed.json()["collaborator_ids"] == sorted([cast.alex.id, cast.zhangwei.id])
    async with unchanged:
        for ids in ([cast.liuyang.id], None, [999_999]):
            response = await cast.zhangwei.api.patch(f"{TASKS}/{task['id']}",
                                                     json={"collaborator_ids": ids})
            assert response.status_code == 422, ids
    watched = await cast.alex.api.post(f"{TASKS}/{task['id']}/watch")
    assert watched.json()["watcher_ids"] == [cast.alex.id]
    again = await cast.alex.api.post(f"{TASKS}/{task['id']}/watch")
    assert again.json()["watcher_ids"] == [cast.alex.id]
    unwatched = await cast.alex.api.delete(f"{TASKS}/{task['id']}/watch")
    assert unwatched.json()["watcher_ids"] == []
    assert (await history(cast.lina, task["id"]))[1:] == [
        ("updated", {"changes": {"collaborator_ids": [
            [], sorted([cast.alex.id, cast.zhangwei.id])]}}),
        ("watch", {"user_id": cast.alex.id, "watching": True}),
        ("watch", {"user_id": cast.alex.id, "watching": False})]
    # A reader of a company-visible project follows its tasks too.
    shown = await make_task(cast.lina, public["id"], "首页")
    followed = await cast.wangfang.api.post(f"{TASKS}/{shown['id']}/watch")
    assert followed.json()["watcher_ids"] == [cast.wangfang.id]


async def test_a_checklist_is_kept_in_order_and_capped(
        cast: Cast, private: dict[str, Any], unchanged: Unchanged) -> None:
    task = await make_task(cast.lina, private["id"], "发布会")
    path = f"{TASKS}/{task['id']}/checklist"
    for text in ("订场地", "发邀请", "  彩排 "):
        response = await cast.zhangwei.api.post(path, json={"text": text})
        assert response.status_code == 201, response.text
    items = response.json()["checklist"]
    assert [i["text"] for i in items] == ["订场地", "发邀请", "彩排"]
    ticked = await cast.zhangwei.api.patch(f"{path}/{items[1]['id']}", json={"done": True})
    assert (ticked.json()["checklist_done"], ticked.json()["checklist_total"]) == (1, 3)
    # Reordered and renamed in one, the one left out removed.
    reordered = await cast.lina.api.put(path, json={"items": [
        {"id": items[2]["id"], "text": "带妆彩排", "done": False},
        {"id": items[1]["id"], "text": "发邀请", "done": True}]})
    assert [(i["text"], i["done"]) for i in reordered.json()["checklist"]] == [
        ("带妆彩排", False), ("发邀请", True)]
    [card] = [c for column in (await board(cast.lina, private["id"]))["columns"]
              for c in column["tasks"]]
    assert (card["checklist_done"], card["checklist_total"]) == (1, 2)
    kinds = [d["action"] for k, d in await history(cast.lina, task["id"]) if k == "checklist"]
    assert kinds == ["added", "added", "added", "checked", "set"]
    async with unchanged:
        # The case: a 10,000-item checklist is refused whole.
        huge = await cast.lina.api.put(path, json={"items": [
            {"text": f"第{n}项"} for n in range(10_000)]})
        assert huge.status_code == 422
        for body in ({"text": "x" * 201}, {"text": "\u202e反"}, {"text": ""}):
            assert (await cast.lina.api.post(path, json=body)).status_code == 422
        foreign = await cast.lina.api.put(path, json={"items": [{"id": 999_999, "text": "x"}]})
        assert (foreign.status_code, error_code(foreign)) == (422, "unknown_check_item")
        assert (await cast.lina.api.patch(f"{path}/999999", json={"done": True})
                ).status_code == 404
    assert [i["text"] for i in (await cast.lina.api.get(f"{TASKS}/{task['id']}")
                                ).json()["checklist"]] == ["带妆彩排", "发邀请"]
    # One at a time, the cap holds too.
    full = await cast.lina.api.put(path, json={"items": [{"text": f"{n}"} for n in range(200)]})
    assert full.json()["checklist_total"] == 200
    async with unchanged:
        over = await cast.lina.api.post(path, json={"text": "再一项"})
        assert (over.status_code, error_code(over)) == (422, "checklist_full")
    emptied = await cast.lina.api.delete(f"{path}/{full.json()['checklist'][0]['id']}")
    assert emptied.json()["checklist_total"] == 199


async def test_an_attachment_is_downloaded_by_whoever_sees_the_task(
        cast: Cast, private: dict[str, Any], unchanged: Unchanged) -> None:
    task = await make_task(cast.lina, private["id"], "发布会")
    stored = await upload(cast.zhangwei, "报价单.txt", "价格：100 元".encode(), "text/plain")
    download = f"/api/v1/files/{stored['id']}"
    # Before it is attached, only its uploader reads it.
    assert (await cast.lina.api.get(download)).status_code == 404
    attached = await cast.zhangwei.api.post(f"{TASKS}/{task['id']}/attachments",
                                            json={"file_id": stored["id"]})
    assert attached.status_code == 201, attached.text
    [shown] = attached.json()["attachments"]
    assert (shown["file"]["name"], shown["added_by"]) == ("报价单.txt", cast.zhangwei.id)
    for person in (cast.lina, cast.alex, cast.linxiaoyan):
        response = await person.api.get(download)
        assert response.status_code == 200, person.username
        assert response.content == "价格：100 元".encode()
    for person in (cast.liuyang, cast.wangfang):
        assert (await person.api.get(download)).status_code == 404
    async with unchanged:
        # Someone else's upload is not one's own to attach.
        response = await cast.lina.api.post(f"{TASKS}/{task['id']}/attachments",
                                            json={"file_id": stored["id"]})
        assert (response.status_code, error_code(response)) == (422, "unknown_file")
    detached = await cast.lina.api.delete(f"{TASKS}/{task['id']}/attachments/{stored['id']}")
    assert detached.json()["attachments"] == []
    assert (await cast.lina.api.get(download)).status_code == 404
    assert [k for k, _ in await history(cast.lina, task["id"])] == [
        "created", "attachment_added", "attachment_removed"]


async def test_a_projects_labels_are_the_ones_its_tasks_carry(
        cast: Cast, private: dict[str, Any], unchanged: Unchanged) -> None:
    labelled = await set_labels(cast.zhangwei, private["id"], "市场", "研发")
    assert [(label["name"], label["color"]) for label in labelled["labels"]] == [
        ("市场", "blue"), ("研发", "blue")]
    task = await make_task(cast.lina, private["id"], "发布会", labels=["市场", "研发"])
    async with unchanged:
        made = await cast.lina.api.post(f"{PROJECTS}/{private['id']}/tasks",
                                        json={"title": "x", "labels": ["设计"]})
        assert (made.status_code, error_code(made)) == (422, "unknown_label")
        changed = await cast.lina.api.patch(f"{TASKS}/{task['id']}", json={"labels": ["设计"]})
        assert (changed.status_code, error_code(changed)) == (422, "unknown_label")
        for labels, code in (
                ([{"name": "a", "color": "red"}, {"name": "a", "color": "blue"}],
                 "label_name_taken"),
                ([{"name": "一二三四五六七八九十一二三四五六七八九十一", "color": "red"}],
                 "label_too_long"),
                ([{"name": "a", "color": "pink"}], "invalid"),
                ([{"name": f"l{n}", "color": "red"} for n in range(51)], "invalid"),
                ([{"id": 999_999, "name": "a", "color": "red"}], "unknown_label")):
            response = await cast.lina.api.put(f"{PROJECTS}/{private['id']}/labels",
                                               json={"labels": labels})
            assert (response.status_code, error_code(response)) == (422, code), labels
    # Renamed on its tasks; one left out taken off them.
    ids = {label["name"]: label["id"] for label in labelled["labels"]}
    relabelled = await cast.lina.api.put(f"{PROJECTS}/{private['id']}/labels", json={
        "labels": [{"id": ids["市场"], "name": "营销", "color": "orange"}]})
    assert relabelled.status_code == 200, relabelled.text
    assert (await cast.lina.api.get(f"{TASKS}/{task['id']}")).json()["labels"] == ["营销"]
    listed = await cast.zhangwei.api.get(f"{PROJECTS}/{private['id']}/labels")
    assert [(label["name"], label["color"]) for label in listed.json()["items"]] == [
        ("营销", "orange")]
    found = await board(cast.lina, private["id"])
    assert [label["name"] for label in found["project"]["labels"]] == ["营销"]
    # Two names swapped in one go: each task keeps its label under the new name.
    # (A label given by its name alone is the one the set has: kept on its tasks.)
    both = await set_labels(cast.lina, private["id"], "营销", "研发")
    first, second = (label["id"] for label in both["labels"])
    assert first == ids["市场"]
    assert (await cast.lina.api.get(f"{TASKS}/{task['id']}")).json()["labels"] == ["营销"]
    swapped = await cast.lina.api.put(f"{PROJECTS}/{private['id']}/labels", json={
        "labels": [{"id": first, "name": "研发", "color": "blue"},
                   {"id": second, "name": "营销", "color": "red"}]})
    assert swapped.status_code == 200, swapped.text
    assert (await cast.lina.api.get(f"{TASKS}/{task['id']}")).json()["labels"] == ["研发"]


async def test_a_comment_reaches_another_members_socket(
        cast: Cast, private: dict[str, Any], live_server: str) -> None:
    task = await make_task(cast.lina, private["id"], "发布会")
    sockets = {name: await Socket.open(live_server, cast.people[name].token)
               for name in ("lina", "liuyang")}
    try:
        said = await comment(cast.zhangwei, task["id"], "@李娜 场地定了")
        [frame] = await frames(sockets["lina"], "task.comment", 1)
        assert frame["data"]["change"] == "created"
        assert frame["data"]["comment"] == said.json()
        assert frame["data"]["task"]["comment_count"] == 1
        quiet = await sockets["liuyang"].quiet(0.3)
        assert not [f for f in [*sockets["liuyang"].events, *quiet]
                    if f["type"].startswith("task.")]
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_a_watcher_who_can_no_longer_see_the_task_hears_nothing_of_it(
        cast: Cast, public: dict[str, Any], follow: Follow) -> None:
    task = await make_task(cast.lina, public["id"], "首页")
    await cast.wangfang.api.post(f"{TASKS}/{task['id']}/watch")
    await follow.held()
    await comment(cast.zhangwei, task["id"], "首页初稿好了")
    await follow.catch_up()
    assert await notes(cast.wangfang) == [("task_commented", "张伟 评论了任务：首页")]
    # The project turns members-only: 王芳, a watcher but no member, no longer sees it.
    await cast.lina.api.patch(f"{PROJECTS}/{public['id']}", json={"visibility": "members"})
    await comment(cast.zhangwei, task["id"], "预算：十万元")
    await follow.catch_up()
    assert len(await notes(cast.wangfang)) == 1
