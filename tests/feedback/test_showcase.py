"""The best-practice showcase: administrators promote a documents page or a chat message
with a title and summary, and take it out again; everyone in the company sees the cases
whose page or message they may read — and nothing at all of the others."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api_inputs import Unchanged
from tests.documents.helpers import make_page as make_page_in
from tests.documents.helpers import make_space
from tests.feedback.helpers import SHOWCASE
from tests.helpers import Cast, create_channel, error_code, post


async def make_page(cast: Cast, title: str, **space: Any) -> dict[str, Any]:
    """A page in a space of its own that the administrator makes (`space`: its grants)."""
    made = await make_space(cast.linxiaoyan, f"{title}空间", **space)
    return await make_page_in(cast.linxiaoyan, made["id"], title)


async def test_cases_link_and_respect_what_their_reader_may_read(cast: Cast) -> None:
    page = await make_page(cast, "客户投诉处理五步法")
    channel_id = await create_channel(cast.linxiaoyan, "管理层", "private", cast.zhangwei)
    message = await post(cast.linxiaoyan, channel_id, "季度复盘：把问题拆到人、拆到天。")
    promoted = await cast.linxiaoyan.api.post(SHOWCASE, json={
        "kind": "page", "target_id": page["id"], "title": "投诉处理五步法",
        "summary": "客服部把投诉处理总结成五个步骤，平均处理时长缩短了 40%。"})
    assert promoted.status_code == 201, promoted.text
    case = promoted.json()
    assert case["link"] == f"/docs/pages/{page['id']}"
    assert case["promoted_by"] == {"id": cast.linxiaoyan.id, "display_name": "林晓燕"}
    secret = await cast.linxiaoyan.api.post(SHOWCASE, json={
        "kind": "message", "target_id": message["id"], "title": "复盘的方法",
        "summary": "拆到人、拆到天"})
    assert secret.status_code == 201, secret.text
    assert secret.json()["link"] == f"/chat/{channel_id}?message={message['id']}"
    # A page only 张伟 is granted.
    private = await make_page(cast, "大客户底价表", grants=[
        {"subject": "user", "user_id": cast.zhangwei.id, "level": "view"}])
    hidden = await cast.linxiaoyan.api.post(SHOWCASE, json={
        "kind": "page", "target_id": private["id"], "title": "底价管理",
        "summary": "底价按区域分三档"})
    assert hidden.status_code == 201, hidden.text
    # 张伟 is in the channel and granted the page; 李娜 is neither: those cases do not
    # exist for her, not even their titles.
    seen = (await cast.zhangwei.api.get(SHOWCASE)).json()["items"]
    assert [c["title"] for c in seen] == ["底价管理", "复盘的方法", "投诉处理五步法"]
    hers = (await cast.lina.api.get(SHOWCASE)).json()
    assert [c["title"] for c in hers["items"]] == ["投诉处理五步法"]
    assert "拆到人" not in str(hers)
    assert "底价" not in str(hers)
    async with Unchanged(cast):
        again = await cast.linxiaoyan.api.post(SHOWCASE, json={
            "kind": "page", "target_id": page["id"], "title": "再来一次"})
    assert again.status_code == 409
    assert error_code(again) == "already_showcased"
    removed = await cast.linxiaoyan.api.delete(f"{SHOWCASE}/{case['id']}")
    assert removed.status_code == 204
    assert [c["id"] for c in (await cast.zhangwei.api.get(SHOWCASE)).json()["items"]] == [
        hidden.json()["id"], secret.json()["id"]]
    assert (await cast.linxiaoyan.api.delete(f"{SHOWCASE}/{case['id']}")).status_code == 404


async def test_only_administrators_curate(cast: Cast) -> None:
    page = await make_page(cast, "新人入职指南")
    body = {"kind": "page", "target_id": page["id"], "title": "入职指南"}
    async with Unchanged(cast):
        for person in (cast.zhangwei, cast.lina):
            refused = await person.api.post(SHOWCASE, json=body)
            assert refused.status_code == 403
            assert error_code(refused) == "may_not_curate"
        guest = await cast.alex.api.post(SHOWCASE, json=body)
        assert guest.status_code == 403
        assert error_code(guest) == "voice_for_staff"
        assert (await cast.alex.api.get(SHOWCASE)).status_code == 403
        for bad in ({**body, "target_id": 99999}, {**body, "kind": "message"}):
            missing = await cast.linxiaoyan.api.post(SHOWCASE, json=bad)
            assert missing.status_code == 404, missing.text
        for bad in ({**body, "title": ""}, {**body, "title": "长" * 101},
                    {**body, "kind": "video"}, {**body, "summary": "长" * 1001}):
            assert (await cast.linxiaoyan.api.post(SHOWCASE, json=bad)).status_code == 422
    made = await cast.linxiaoyan.api.post(SHOWCASE, json=body)
    async with Unchanged(cast):
        refused = await cast.zhangwei.api.delete(f"{SHOWCASE}/{made.json()['id']}")
    assert refused.status_code == 403


async def test_promoting_one_page_twice_at_once_makes_one_case(cast: Cast) -> None:
    page = await make_page(cast, "周报模板")
    body = {"kind": "page", "target_id": page["id"], "title": "周报模板"}
    replies = await asyncio.gather(*(cast.linxiaoyan.api.post(SHOWCASE, json=body)
                                     for _ in range(3)))
    assert sorted(r.status_code for r in replies) == [201, 409, 409]
    assert len((await cast.lina.api.get(SHOWCASE)).json()["items"]) == 1
