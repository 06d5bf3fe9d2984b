"""The conversation as two people see it, each in their own browser context."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import FilePayload, Locator, Page, Route, WebSocketRoute, expect

from tests.browser.conftest import OpenPage, hover_until_shown, screenshot
from tests.helpers import PASSWORD, Cast, client_with_token, create_channel, post


def message(page: Page, text: str) -> Locator:
    return page.locator("article.message", has_text=text)


async def send(page: Page, text: str) -> None:
    composer = page.get_by_test_id("composer")
    await composer.fill(text)
    await composer.press("Enter")


async def test_two_people_chat_in_real_time(cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "Q4 新品发布项目组", "private", cast.lina)
    await post(cast.zhangwei, channel_id, "大家好，**新品发布**时间定在下周三。")
    zhang = await open_page("zhangwei", f"/chat/{channel_id}")
    lina = await open_page("lina", f"/chat/{channel_id}")
    await expect(message(lina, "新品发布")).to_be_visible()
    await expect(lina.locator("strong", has_text="新品发布")).to_be_visible()  # Markdown

    await send(zhang, "李娜，研发这边能赶上吗？")
    await expect(message(lina, "研发这边能赶上吗")).to_be_visible()
    # The composer is empty again and ready for the next line.
    await expect(zhang.get_by_test_id("composer")).to_have_value("")

    # Shift+Enter is a new line, not a send.
    composer = lina.get_by_test_id("composer")
    await composer.type("可以")
    await expect(zhang.get_by_text("李娜 正在输入…")).to_be_visible()
    await composer.press("Shift+Enter")
    await composer.type("周二提测")
    await expect(message(zhang, "周二提测")).to_have_count(0)
    await composer.press("Enter")
    await expect(message(zhang, "周二提测")).to_be_visible()
    await expect(message(zhang, "可以")).to_have_count(1)
    await screenshot(zhang, "conversation")

    # Each message arrived exactly once on both screens.
    for page in (zhang, lina):
        await expect(message(page, "研发这边能赶上吗")).to_have_count(1)
        await expect(message(page, "周二提测")).to_have_count(1)


async def test_a_mention_raises_the_badge_in_the_other_sidebar(cast: Cast,
                                                               open_page: OpenPage) -> None:
    quiet = await create_channel(cast.zhangwei, "随便聊聊", "private", cast.lina)
    busy = await create_channel(cast.zhangwei, "客户投诉处理", "private", cast.lina)
    lina = await open_page("lina", f"/chat/{quiet}")
    await expect(lina.get_by_test_id("composer")).to_be_visible()
    link = lina.locator(f'a.channel[data-channel-id="{busy}"]')
    await expect(link).to_be_visible()
    await expect(link.get_by_test_id("mention-badge")).to_have_count(0)

    await post(cast.zhangwei, busy, "@李娜 这个客户的问题需要研发确认")
    await expect(link.get_by_test_id("mention-badge")).to_have_text("1")
    await post(cast.zhangwei, busy, "顺便说一下进度")
    await expect(link.get_by_test_id("mention-badge")).to_have_text("2")
    await expect(lina).to_have_title("(2) 消息 · 协同")
    await screenshot(lina, "mention-badge")

    # Opening the conversation reads it: the badge and the title count go.
    await link.click()
    await expect(message(lina, "需要研发确认")).to_be_visible()
    await expect(link.get_by_test_id("mention-badge")).to_have_count(0)
    await expect(lina).to_have_title("消息 · 协同")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
async def test_a_dm_someone_opens_appears_live_with_its_message(cast: Cast, open_page: OpenPage,
                                                                 screen: str) -> None:
    phone = screen == "phone"
    somewhere = await create_channel(cast.lina, "研发日常", "private", cast.wangfang)
    # On a phone with no conversation chosen the list (the drawer) is what shows.
    lina = await open_page("lina", "/chat" if phone else f"/chat/{somewhere}",
                           viewport={"width": 390, "height": 844} if phone else None)
    link_to_somewhere = lina.locator(f'a.channel[data-channel-id="{somewhere}"]')
    await expect(link_to_somewhere).to_be_visible()
    opened = await cast.zhangwei.api.post("/api/v1/dms", json={"user_ids": [cast.lina.id]})
    assert opened.status_code == 201, opened.text
    dm_id = opened.json()["id"]
    await post(cast.zhangwei, dm_id, "李娜，客户那个需求方便聊一下吗？")
    link = lina.locator(f'a.channel[data-channel-id="{dm_id}"]')
    await expect(link).to_be_visible()
    await expect(link).to_contain_text("张伟")
    await expect(link.get_by_test_id("mention-badge")).to_have_text("1")
    await screenshot(lina, f"dm-appears-live-{screen}")
    await link.click()
    await expect(message(lina, "客户那个需求")).to_have_count(1)
    await send(lina, "可以，下午三点")
    await expect(message(lina, "下午三点")).to_have_count(1)
    if phone:
        assert await lina.evaluate("document.documentElement.scrollWidth") <= 390


async def test_a_thread_reply_appears_in_the_thread_pane(cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.wangfang, "客服与研发对接", "private", cast.lina)
    root = await post(cast.wangfang, channel_id, "客户反馈登录页白屏，谁来跟进？")
    lina = await open_page("lina", f"/chat/{channel_id}")
    item = message(lina, "登录页白屏")
    reply = item.get_by_test_id("reply-thread")
    await hover_until_shown(lina, item, reply)
    await reply.click()
    pane = lina.get_by_test_id("thread-pane")
    await expect(pane).to_be_visible()
    await expect(pane.locator("article.message", has_text="登录页白屏")).to_be_visible()

    await post(cast.wangfang, channel_id, "截图在工单里", thread_root_id=root["id"])
    await expect(pane.locator("article.message", has_text="截图在工单里")).to_be_visible()
    # The reply stays in the thread, and the root counts it.
    in_conversation = lina.locator(".conversation article.message", has_text="截图在工单里")
    await expect(in_conversation).to_have_count(0)
    await expect(item.get_by_text("1 条回复")).to_be_visible()

    composer = pane.get_by_test_id("composer")
    await composer.fill("我来跟进，今天给结论")
    await composer.press("Enter")
    await expect(pane.locator("article.message", has_text="我来跟进")).to_be_visible()
    await expect(item.get_by_text("2 条回复")).to_be_visible()
    await screenshot(lina, "thread")


async def test_a_thread_reply_sent_before_the_live_connection_is_up_still_shows(
        cast: Cast, open_page: OpenPage) -> None:
    """The flake above, made certain: the thread loads over HTTP, the reply is sent, and only
    then does the event socket say hello (a fresh start, not a resume), so its event is
    never pushed; the client must reload the open thread and the history it shows."""
    channel_id = await create_channel(cast.wangfang, "工单升级", "private", cast.lina)
    root = await post(cast.wangfang, channel_id, "VIP 客户工单需要升级处理")
    lina = await open_page("lina", f"/chat/{channel_id}")
    release = asyncio.Event()

    async def hold(socket: WebSocketRoute) -> None:
        await release.wait()
        socket.connect_to_server()

    await lina.route_web_socket(re.compile(r"/api/v1/events/ws"), hold)
    await lina.reload()
    item = message(lina, "VIP 客户工单")
    await item.hover()
    await item.get_by_test_id("reply-thread").click()
    pane = lina.get_by_test_id("thread-pane")
    await expect(pane.get_by_text("0 条回复")).to_be_visible()

    await post(cast.wangfang, channel_id, "已转二线", thread_root_id=root["id"])
    release.set()
    await expect(pane.locator("article.message", has_text="已转二线")).to_be_visible()
    await expect(item.get_by_text("1 条回复")).to_be_visible()

    # Now live, reopen the thread with its answer late: the next reply's events land while
    # the older copy is on the way, and that copy must not undo them.
    await pane.get_by_role("button", name="关闭").click()
    answered = asyncio.Event()
    deliver = asyncio.Event()

    async def late(route: Route) -> None:
        response = await route.fetch()
        answered.set()
        await deliver.wait()
        await route.fulfill(response=response)

    await lina.route(re.compile(r"/api/v1/messages/\d+/thread"), late)
    await item.hover()
    await item.get_by_test_id("reply-thread").click()
    await answered.wait()
    await post(cast.wangfang, channel_id, "二线已受理", thread_root_id=root["id"])
    await expect(item.get_by_text("2 条回复")).to_be_visible()
    deliver.set()
    await expect(pane.locator("article.message", has_text="二线已受理")).to_be_visible()
    await expect(pane.get_by_text("2 条回复")).to_be_visible()
    await lina.wait_for_timeout(300)
    await expect(item.get_by_text("2 条回复")).to_be_visible()


async def test_an_uploaded_file_arrives_for_the_other_person(cast: Cast, open_page: OpenPage,
                                                             live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "报价讨论", "private", cast.lina)
    zhang = await open_page("zhangwei", f"/chat/{channel_id}")
    lina = await open_page("lina", f"/chat/{channel_id}")
    sheet: FilePayload = {"name": "报价单 Q4.csv", "mimeType": "text/csv",
                          "buffer": "产品,单价\n协同标准版,128\n".encode()}
    await zhang.get_by_test_id("file-input").set_input_files(files=[sheet])
    upload = zhang.get_by_test_id("upload")
    await expect(upload).to_contain_text("报价单 Q4.csv")
    await expect(upload.locator(".a-done")).to_be_visible()
    await send(zhang, "最新报价见附件")

    attachment = message(lina, "最新报价见附件").get_by_test_id("attachment")
    await expect(attachment).to_contain_text("报价单 Q4.csv")
    href = await attachment.locator("a").get_attribute("href")
    assert href is not None
    downloaded = await lina.context.request.get(live_server + href)
    assert downloaded.ok
    assert "协同标准版" in (await downloaded.body()).decode()
    await screenshot(lina, "attachment")


async def test_a_message_typed_offline_is_delivered_once_when_back(
        cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "出差沟通", "private", cast.lina)
    zhang = await open_page("zhangwei", f"/chat/{channel_id}")
    lina = await open_page("lina", f"/chat/{channel_id}")
    await expect(zhang.get_by_test_id("composer")).to_be_visible()
    await expect(lina.get_by_test_id("composer")).to_be_visible()

    await zhang.context.set_offline(True)
    await send(zhang, "高铁上信号不好，稍后回复")
    pending = zhang.get_by_test_id("pending-message")
    await expect(pending).to_have_attribute("data-status", "failed")
    await expect(pending.get_by_test_id("retry")).to_be_visible()
    await screenshot(zhang, "offline-pending")
    await lina.wait_for_timeout(1000)
    await expect(message(lina, "高铁上信号不好")).to_have_count(0)

    await zhang.context.set_offline(False)
    await expect(message(lina, "高铁上信号不好")).to_have_count(1)
    await expect(pending).to_have_count(0)
    await expect(message(zhang, "高铁上信号不好")).to_have_count(1)
    # Give any duplicate retry time to land, then count on the server.
    await zhang.wait_for_timeout(3500)
    page = (await cast.lina.api.get(f"/api/v1/channels/{channel_id}/messages")).json()
    assert [m["text"] for m in page["items"]].count("高铁上信号不好，稍后回复") == 1
    await expect(message(lina, "高铁上信号不好")).to_have_count(1)


async def test_html_and_script_in_messages_render_inert(cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "安全测试", "private", cast.lina)
    payloads = [
        '<script>window.__xss = 1</script>',
        '<img src=x onerror="window.__xss = 2">',
        '<svg onload="window.__xss = 3"></svg>',
        '[click](javascript:window.__xss=4)',
        '<iframe src="javascript:parent.__xss=5"></iframe>',
        '<a href="#" onclick="window.__xss=6">点我</a>',
        '"><img src=x onerror=alert(1)>',
        '<details open ontoggle="window.__xss=7">',
        'XSS 结束标记',
    ]
    for payload in payloads:
        await post(cast.zhangwei, channel_id, payload)
    lina = await open_page("lina", "/people")
    dialogs: list[str] = []
    lina.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await lina.goto(lina.url.replace("/people", f"/chat/{channel_id}"))
    await expect(message(lina, "XSS 结束标记")).to_be_visible()
    # The payloads are shown as text, and nothing in them ran.
    await expect(message(lina, "window.__xss = 1")).to_be_visible()
    # No message text became a javascript: link; any link it did become is clicked.
    hrefs = await lina.locator("article.message .markdown [href]").evaluate_all(
        "els => els.map(el => el.getAttribute('href'))")
    assert not [h for h in hrefs if "javascript" in h.lower()], hrefs
    for link in await lina.locator("article.message .markdown a").all():
        await link.click(modifiers=["Alt"], no_wait_after=True, timeout=2000)
    await lina.wait_for_timeout(500)
    assert await lina.evaluate("window.__xss") is None
    assert dialogs == []
    assert await lina.locator("article.message script, article.message iframe").count() == 0
    await screenshot(lina, "xss-inert")


async def test_read_receipts_and_acknowledgements(cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "销售周会", "private", cast.lina,
                                      cast.wangfang)
    zhang = await open_page("zhangwei", f"/chat/{channel_id}")
    await zhang.get_by_test_id("ack-toggle").check()
    await send(zhang, "请各部门周五前提交季度数据")
    mine = message(zhang, "季度数据")
    await expect(mine.get_by_test_id("receipts")).to_have_text("2 人未读")
    await expect(mine.get_by_test_id("ack-status")).to_have_text("0/2 人已确认")

    lina = await open_page("lina", f"/chat/{channel_id}")
    theirs = message(lina, "季度数据")
    await expect(theirs.get_by_text("需要确认")).to_be_visible()
    await expect(mine.get_by_test_id("receipts")).to_have_text("1 人未读")
    await theirs.get_by_test_id("ack-confirm").click()
    await expect(theirs.get_by_text("已确认")).to_be_visible()
    await expect(mine.get_by_test_id("ack-status")).to_have_text("1/2 人已确认")

    await mine.get_by_test_id("receipts").click()
    dialog = zhang.get_by_test_id("receipts-dialog")
    await expect(dialog).to_contain_text("未读 · 1")
    await expect(dialog).to_contain_text("王芳")
    await expect(dialog).to_contain_text("已读 · 1")
    await expect(dialog).to_contain_text("李娜")
    await screenshot(zhang, "receipts")
    await zhang.keyboard.press("Escape")
    await mine.get_by_test_id("ack-status").click()
    await expect(dialog).to_contain_text("未确认 · 1")
    await expect(dialog).to_contain_text("已确认 · 1")




async def test_a_reminder_to_acknowledge_raises_the_badge_live_and_for_the_offline(
        cast: Cast, open_page: OpenPage) -> None:
    notices = await create_channel(cast.zhangwei, "升级通知", "private", cast.wangfang,
                                   cast.liuyang)
    elsewhere = await create_channel(cast.zhangwei, "随便聊聊", "private", cast.wangfang,
                                     cast.liuyang)
    notice = await post(cast.zhangwei, notices, "周六系统升级，请确认", ack_required=True)
    for person in (cast.wangfang, cast.liuyang):  # both have read it
        read = await person.api.post(f"/api/v1/channels/{notices}/read",
                                     json={"message_id": notice["id"]})
        assert read.status_code == 204
    wang = await open_page("wangfang", f"/chat/{elsewhere}")
    link = wang.locator(f'a.channel[data-channel-id="{notices}"]')
    await expect(link).to_be_visible()
    await expect(link.get_by_test_id("mention-badge")).to_have_count(0)

    reminded = await cast.zhangwei.api.post(f"/api/v1/messages/{notice['id']}/remind")
    assert reminded.status_code == 200
    # Online: the badge rises at once.
    await expect(link.get_by_test_id("mention-badge")).to_have_text("1")
    # Seen, then reminded again about the same message (once the sender may: the throttle
    # forgotten here): the badge rises again.
    await link.click()
    await expect(link.get_by_test_id("mention-badge")).to_have_count(0)
    await wang.locator(f'a.channel[data-channel-id="{elsewhere}"]').click()
    await wang.wait_for_timeout(600)  # the read is sent after a short debounce
    await cast.runtime.failures.reset(f"remind:message:{notice['id']}")
    again = await cast.zhangwei.api.post(f"/api/v1/messages/{notice['id']}/remind")
    assert again.status_code == 200, again.text
    await expect(link.get_by_test_id("mention-badge")).to_have_text("1")
    # Offline when reminded: the badge is there when they come.
    liu = await open_page("liuyang", f"/chat/{elsewhere}")
    liu_link = liu.locator(f'a.channel[data-channel-id="{notices}"]')
    await expect(liu_link.get_by_test_id("mention-badge")).to_have_text("1")
    await screenshot(liu, "reminder-badge")
    # Opening the channel sees the reminder, for good.
    await liu_link.click()
    await expect(message(liu, "周六系统升级")).to_be_visible()
    await expect(liu_link.get_by_test_id("mention-badge")).to_have_count(0)
    await asyncio.sleep(1.5)  # the read is sent after a short debounce
    await liu.reload()
    await expect(liu.locator(f'a.channel[data-channel-id="{notices}"]')).to_be_visible()
    await expect(liu.locator(f'a.channel[data-channel-id="{notices}"]')
                 .get_by_test_id("mention-badge")).to_have_count(0)


async def test_a_message_sent_while_another_is_on_its_way_is_sent_too(
        cast: Cast, open_page: OpenPage) -> None:
    """The second message is typed while the first one's request is still out: it must go in
    the same run of the outbox, not wait (as 'sending') for something else to flush it."""
    channel_id = await create_channel(cast.zhangwei, "发布会彩排", "private", cast.lina)
    zhang = await open_page("zhangwei", f"/chat/{channel_id}")
    await expect(zhang.get_by_test_id("composer")).to_be_visible()
    first_out = asyncio.Event()
    release = asyncio.Event()

    async def slow_first(route: Route) -> None:
        if route.request.method == "POST" and not first_out.is_set():
            first_out.set()
            await release.wait()
        await route.continue_()

    await zhang.route(re.compile(rf"/api/v1/channels/{channel_id}/messages$"), slow_first)
    await send(zhang, "彩排改到下午两点")
    await asyncio.wait_for(first_out.wait(), 10)
    await send(zhang, "请大家提前十分钟到场")
    await expect(zhang.get_by_test_id("pending-message")).to_have_count(2)
    release.set()

    for text in ("彩排改到下午两点", "请大家提前十分钟到场"):
        await expect(message(zhang, text)).to_have_count(1)
    await expect(zhang.get_by_test_id("pending-message")).to_have_count(0)
    page = (await cast.lina.api.get(f"/api/v1/channels/{channel_id}/messages")).json()
    assert [m["text"] for m in page["items"]] == ["彩排改到下午两点", "请大家提前十分钟到场"]


async def test_a_sign_in_ended_elsewhere_asks_to_sign_in_and_the_chat_starts_afresh(
        cast: Cast, open_page: OpenPage) -> None:
    """Nothing on the page asks the server anything: only the event socket, closed with 4401
    when the same sign-in is logged out from another client, tells it the session is over.
    Signed in again, the conversation is live (the chat state was stopped, not left half-on)."""
    channel_id = await create_channel(cast.zhangwei, "华南区周会", "private", cast.lina)
    await post(cast.zhangwei, channel_id, "本周例会改到周四")
    lina = await open_page("lina", f"/chat/{channel_id}")
    await expect(message(lina, "本周例会改到周四")).to_be_visible()
    # Live (so the socket is up), and read: the page's last own request is answered.
    async with lina.expect_response(re.compile(rf"/api/v1/channels/{channel_id}/read$")):
        await post(cast.zhangwei, channel_id, "收到请回复")
        await expect(message(lina, "收到请回复")).to_be_visible()

    [token] = [c["value"] for c in await lina.context.cookies() if c["name"] == "xietong_session"]
    async with client_with_token(cast.client, token) as same_sign_in:
        response = await same_sign_in.post("/api/v1/auth/logout")
        assert response.status_code == 204, response.text
    await expect(lina).to_have_url(re.compile(r"/login\?next="))
    await screenshot(lina, "signed-out-elsewhere")

    await lina.locator("#login-name").fill("lina")
    await lina.locator("#login-password").fill(PASSWORD)
    await lina.locator("#login-password").press("Enter")
    await expect(lina).to_have_url(re.compile(f"/chat/{channel_id}$"))
    await expect(message(lina, "收到请回复")).to_be_visible()
    await post(cast.zhangwei, channel_id, "重新登录后也能实时收到")
    await expect(message(lina, "重新登录后也能实时收到")).to_be_visible()
