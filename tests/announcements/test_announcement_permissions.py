"""Who may do what with announcements, endpoint by endpoint, and hostile input: every
refusal is a clear 4xx in the JSON error shape and writes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from tests.announcements.helpers import API, company, decide, draft, refused, submit
from tests.api_inputs import Unchanged
from tests.helpers import Cast, create_channel, upload
from xietong.announcements.schemas import MAX_BODY
from xietong.core.clock import utcnow


async def test_who_may_address_whom(cast: Cast) -> None:
    co = await company(cast)
    departments = co.cast.departments
    # The company: administrators and the reviewing department's people.
    refused(await co.liuyang.api.post(API, json={
        "title": "全员通知", "body": "内容", "audience": {"company": True}}),
        403, "announcement_may_not_address")
    await draft(co.dujuan)
    await draft(co.linxiaoyan)
    # A department: its people (and those of the departments below it), the managers above.
    refused(await co.liuyang.api.post(API, json={
        "title": "研发部通知", "body": "内容",
        "audience": {"department_ids": [departments["研发部"]]}}),
        403, "announcement_may_not_address")
    await draft(co.liuyang, audience={"department_ids": [departments["华东区"]]})
    await draft(co.liuyang, audience={"department_ids": [departments["销售部"]]})
    await draft(co.zhangwei, audience={"department_ids": [departments["华东区"]]})
    # An announcement channel: its admins; someone outside it does not even learn of it.
    refused(await co.liuyang.api.post(API, json={
        "title": "频道通知", "body": "内容", "audience": {"channel_ids": [co.channel_id]}}),
        403, "announcement_may_not_address")
    await draft(co.linxiaoyan, audience={"channel_ids": [co.channel_id]})
    hidden = await create_channel(co.linxiaoyan, "管理层公告", "announcement", co.zhangwei)
    refused(await co.lina.api.post(API, json={
        "title": "频道通知", "body": "内容", "audience": {"channel_ids": [hidden]}}),
        422, "announcement_unknown_audience")
    # Guests write none.
    refused(await co.alex.api.post(API, json={
        "title": "通知", "body": "内容", "audience": {"channel_ids": [co.channel_id]}}),
        403, "forbidden")


async def test_drafts_and_reviews_are_their_authors_and_reviewers(cast: Cast) -> None:
    co = await company(cast)
    made = await draft(co.dujuan)
    url = f"{API}/{made['id']}"
    for stranger in (co.liuyang, co.panting, co.linxiaoyan, co.alex):
        assert (await stranger.api.get(url)).status_code == 404
        assert (await stranger.api.patch(url, json={"title": "改"})).status_code == 404
        assert (await stranger.api.delete(url)).status_code == 404
        assert (await stranger.api.post(f"{url}/submit")).status_code == 404
        assert (await stranger.api.get(f"{url}/receipts")).status_code == 404
    assert made["id"] not in [a["id"] for a in (await co.liuyang.api.get(
        API, params={"box": "drafts"})).json()["items"]]
    await submit(co.dujuan, made["id"])
    # Its reviewer reads it, but neither changes nor submits nor deletes it.
    assert (await co.panting.api.get(url)).status_code == 200
    refused(await co.panting.api.patch(url, json={"title": "改"}), 403,
            "announcement_not_author")
    refused(await co.panting.api.post(f"{url}/withdraw"), 403, "announcement_not_author")
    refused(await co.panting.api.delete(url), 403, "announcement_not_author")
    # Not published: nobody reads or acknowledges it, nor follows its receipts.
    refused(await co.panting.api.post(f"{url}/read"), 409, "announcement_not_published")
    refused(await co.dujuan.api.get(f"{url}/receipts"), 403, "announcement_not_publisher")
    # Its author takes it back and deletes it.
    withdrawn = await co.dujuan.api.post(f"{url}/withdraw")
    assert withdrawn.json()["status"] == "draft"
    assert (await co.dujuan.api.delete(url)).status_code == 204
    assert (await co.dujuan.api.get(url)).status_code == 404


async def test_only_the_audience_reads_and_only_the_publisher_tracks(cast: Cast) -> None:
    co = await company(cast)
    made = await draft(co.gaoyuan, title="代码冻结", requires_ack=True,
                       audience={"department_ids": [co.cast.departments["研发部"]]})
    await submit(co.gaoyuan, made["id"])
    await decide(co.lina, made["id"])
    url = f"{API}/{made['id']}"
    # Outside its audience: not found, whatever the endpoint.
    for outsider in (co.liuyang, co.zhangwei, co.alex, co.dujuan):
        assert (await outsider.api.get(url)).status_code == 404
        assert (await outsider.api.post(f"{url}/read")).status_code == 404
        assert (await outsider.api.post(f"{url}/acknowledge")).status_code == 404
        assert (await outsider.api.post(f"{url}/remind")).status_code == 404
    # Its audience reads and acknowledges, but follows no one's receipts.
    assert (await co.lina.api.post(f"{url}/acknowledge")).status_code == 200
    refused(await co.lina.api.get(f"{url}/receipts"), 403, "announcement_not_publisher")
    refused(await co.lina.api.post(f"{url}/remind"), 403, "announcement_not_publisher")
    # Its publisher and the administrators do.
    for tracker in (co.gaoyuan, co.linxiaoyan):
        assert (await tracker.api.get(f"{url}/receipts")).status_code == 200
    # An administrator outside its audience sees it but does not acknowledge it.
    refused(await co.linxiaoyan.api.post(f"{url}/acknowledge"), 403,
            "announcement_not_audience")
    # Its author changes it no more, an administrator takes it down.
    refused(await co.gaoyuan.api.patch(url, json={"title": "改"}), 409, "announcement_not_draft")
    refused(await co.gaoyuan.api.delete(url), 409, "announcement_not_draft")
    assert (await co.linxiaoyan.api.delete(url)).status_code == 204
    assert (await co.lina.api.get(url)).status_code == 404


async def test_acknowledging_what_asks_for_none(cast: Cast) -> None:
    co = await company(cast)
    made = await draft(co.gaoyuan, audience={"department_ids": [co.cast.departments["研发部"]]})
    await submit(co.gaoyuan, made["id"])
    await decide(co.lina, made["id"])
    refused(await co.lina.api.post(f"{API}/{made['id']}/acknowledge"), 422,
            "announcement_no_ack")
    refused(await co.gaoyuan.api.post(f"{API}/{made['id']}/remind"), 422,
            "announcement_no_ack")


async def test_settings_are_the_administrators(cast: Cast) -> None:
    co = await company(cast)
    refused(await co.panting.api.put(f"{API}/settings", json={"review_department_id": None}),
            403, "forbidden")
    refused(await co.linxiaoyan.api.put(f"{API}/settings",
                                        json={"review_department_id": 999999}),
            422, "announcement_unknown_audience")
    refused(await co.alex.api.get(f"{API}/settings"), 403, "forbidden")


async def test_bad_input_is_refused_clearly(cast: Cast, unchanged: Unchanged) -> None:
    co = await company(cast)
    now = utcnow()
    base = {"title": "春节放假通知", "body": "内容", "audience": {"company": True}}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"publish_at": (now - timedelta(hours=1)).isoformat()}, 422,
         "announcement_publish_in_past"),
        ({"expires_at": (now - timedelta(minutes=1)).isoformat()}, 422,
         "announcement_expiry_in_past"),
        ({"publish_at": (now + timedelta(days=2)).isoformat(),
          "expires_at": (now + timedelta(days=1)).isoformat()}, 422,
         "announcement_expiry_before_publish"),
        ({"publish_at": (now + timedelta(days=400)).isoformat()}, 422,
         "announcement_too_far_ahead"),
        ({"publish_at": "2027-01-01T09:00:00"}, 422, "invalid"),  # no time zone
        ({"body": "字" * (MAX_BODY + 1)}, 422, "invalid"),
        ({"body": "   "}, 422, "invalid"),
        ({"title": ""}, 422, "invalid"),
        ({"title": "\u202e反转"}, 422, "invalid"),
        ({"audience": {}}, 422, "announcement_no_audience"),
        ({"audience": {"department_ids": [999999]}}, 422, "announcement_unknown_audience"),
        ({"audience": {"channel_ids": [999999]}}, 422, "announcement_unknown_audience"),
        ({"audience": {"department_ids": ["1"]}}, 422, "invalid"),
        ({"importance": "highest"}, 422, "invalid"),
        ({"cover_file_id": 999999}, 422, "announcement_bad_files"),
        ({"file_ids": [999999]}, 422, "announcement_bad_files"),
        ({"surprise": True}, 422, "invalid"),
    ]
    others = await upload(co.liuyang, "报价单.txt", b"price list")
    cases.append(({"file_ids": [others["id"]]}, 422, "announcement_bad_files"))
    text = await upload(co.linxiaoyan, "说明.txt", b"notes")
    cases.append(({"cover_file_id": text["id"]}, 422, "announcement_cover_not_image"))
    async with unchanged:
        for change, status, code in cases:
            refused(await co.linxiaoyan.api.post(API, json={**base, **change}), status, code)
    made = await draft(co.linxiaoyan)
    async with unchanged:
        refused(await co.linxiaoyan.api.patch(f"{API}/{made['id']}", json={"title": None}),
                422, "announcement_null_field")
        refused(await co.linxiaoyan.api.patch(f"{API}/{made['id']}", json={
            "expires_at": (now - timedelta(days=1)).isoformat()}),
            422, "announcement_expiry_in_past")
        refused(await co.linxiaoyan.api.get(API, params={"box": "trash"}), 422, "invalid")
        refused(await co.linxiaoyan.api.get(API, params={"cursor": "nonsense"}), 400,
                "bad_cursor")
        refused(await co.linxiaoyan.api.get(f"{API}/0"), 422, "invalid")


async def test_its_files_are_its_readers(cast: Cast) -> None:
    """A cover and an attachment are downloadable by whoever may see the announcement:
    its author while it is a draft, its audience once published, nobody else."""
    co = await company(cast)
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
           b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
           b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    cover = await upload(co.gaoyuan, "封面.png", png, "image/png")
    sheet = await upload(co.gaoyuan, "值班表.txt", "值班表：2 月 5 日 高远".encode())
    made = await draft(co.gaoyuan, title="春节值班安排", cover_file_id=cover["id"],
                       file_ids=[sheet["id"]],
                       audience={"department_ids": [co.cast.departments["研发部"]]})
    assert made["cover"]["id"] == cover["id"]
    assert [f["name"] for f in made["files"]] == ["值班表.txt"]
    for file_id in (cover["id"], sheet["id"]):
        assert (await co.lina.api.get(f"/api/v1/files/{file_id}")).status_code == 404
    await submit(co.gaoyuan, made["id"])
    await decide(co.lina, made["id"])
    for file_id in (cover["id"], sheet["id"]):
        assert (await co.lina.api.get(f"/api/v1/files/{file_id}")).status_code == 200
        assert (await co.liuyang.api.get(f"/api/v1/files/{file_id}")).status_code == 404


async def test_at_once(cast: Cast) -> None:
    """Two submissions at once start one review; acknowledgements at once count once."""
    co = await company(cast)
    made = await draft(co.gaoyuan, title="代码冻结", requires_ack=True,
                       audience={"department_ids": [co.cast.departments["研发部"]]})
    url = f"{API}/{made['id']}"
    sent = await asyncio.gather(*(co.gaoyuan.api.post(f"{url}/submit") for _ in range(3)))
    assert sorted(r.status_code for r in sent) == [200, 409, 409]
    await decide(co.lina, made["id"])
    acked = await asyncio.gather(*(co.lina.api.post(f"{url}/acknowledge") for _ in range(4)))
    assert {r.status_code for r in acked} == {200}
    receipts = (await co.gaoyuan.api.get(f"{url}/receipts")).json()
    assert (receipts["read"], receipts["acknowledged"]) == (1, 1)
