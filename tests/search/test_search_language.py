"""What people type finds what others wrote, across the variants of Chinese and English
text: traditional/simplified, full/half width, mixed scripts, one character, word forms
and prefixes. (The labelled corpus measures the same at scale; these name each case.)"""

from __future__ import annotations

from tests.helpers import Cast, create_channel, post
from tests.search.test_search_api import ids, search


async def test_variants_of_a_word_find_each_other(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "变体", "public")
    simplified = await post(cast.zhangwei, channel_id, "明天开会议，讨论报价")
    traditional = await post(cast.zhangwei, channel_id, "會議紀要已發出")
    half_width = await post(cast.zhangwei, channel_id, "API 文档更新了")
    full_width = await post(cast.zhangwei, channel_id, "ＡＰＩ限流要调整")
    unrelated = await post(cast.zhangwei, channel_id, "会后聚餐")
    meetings = {simplified["id"], traditional["id"]}
    for q in ("会议", "會議", "会議", '"會議"'):
        assert set(ids(await search(cast.lina, q))) == meetings, q
    apis = {half_width["id"], full_width["id"]}
    for q in ("API", "api", "ＡＰＩ", "Api*", "ａｐｉ"):
        assert set(ids(await search(cast.lina, q))) == apis, q
    assert unrelated["id"] not in ids(await search(cast.lina, "会议"))


async def test_mixed_scripts_need_every_part(cast: Cast) -> None:
    channel_id = await create_channel(cast.lina, "接口", "public")
    verbatim = await post(cast.lina, channel_id, "API接口评审周五")
    spaced = await post(cast.lina, channel_id, "新的 API 接口已上线")
    reversed_ = await post(cast.lina, channel_id, "接口规范参考了 OpenAPI 和 API 网关")
    only_api = await post(cast.lina, channel_id, "API 调用量翻倍")
    only_chinese = await post(cast.lina, channel_id, "接口人换成王芳")
    found = ids(await search(cast.zhangwei, "API接口"))
    assert set(found) == {verbatim["id"], spaced["id"], reversed_["id"]}
    assert only_api["id"] not in found
    assert only_chinese["id"] not in found
    quote = await post(cast.lina, channel_id, "Q3报价单已确认")
    await post(cast.lina, channel_id, "Q4 报价待定")
    await post(cast.lina, channel_id, "Q3 目标已分解")
    assert ids(await search(cast.zhangwei, "Q3报价")) == [quote["id"]]
    assert ids(await search(cast.zhangwei, "ｑ３報價")) == [quote["id"]]


async def test_one_chinese_character_is_found_anywhere_in_a_word(cast: Cast) -> None:
    channel_id = await create_channel(cast.wangfang, "单字", "public")
    texts = {"alone": "税", "first": "税率调整", "middle": "增值税发票", "last": "交税",
             "traditional": "稅務登記", "other": "财务报表"}
    sent = {name: (await post(cast.wangfang, channel_id, text))["id"]
            for name, text in texts.items()}
    expected = {sent[n] for n in ("alone", "first", "middle", "last", "traditional")}
    assert set(ids(await search(cast.zhangwei, "税"))) == expected
    assert set(ids(await search(cast.zhangwei, "稅"))) == expected
    # A character and a longer word: both must occur.
    assert set(ids(await search(cast.zhangwei, "税 发票"))) == {sent["middle"]}
    assert ids(await search(cast.zhangwei, "赋")) == []


async def test_english_word_forms_and_prefixes(cast: Cast) -> None:
    channel_id = await create_channel(cast.lina, "english", "public")
    meeting = await post(cast.lina, channel_id, "Weekly Meeting moved to Friday")
    meetings = await post(cast.lina, channel_id, "two meetings today")
    deployed = await post(cast.lina, channel_id, "we deployed the payment service")
    deployment = await post(cast.lina, channel_id, "Deployment checklist attached")
    cafe = await post(cast.lina, channel_id, "Café downstairs at 3pm")
    assert set(ids(await search(cast.wangfang, "meeting"))) == {meeting["id"], meetings["id"]}
    assert set(ids(await search(cast.wangfang, "MEETINGS"))) == {meeting["id"], meetings["id"]}
    assert set(ids(await search(cast.wangfang, "deploy"))) == {deployed["id"], deployment["id"]}
    assert set(ids(await search(cast.wangfang, "deploym*"))) == {deployment["id"]}
    assert set(ids(await search(cast.wangfang, "dep*"))) == {deployed["id"], deployment["id"]}
    assert ids(await search(cast.wangfang, "cafe")) == [cafe["id"]]
    assert ids(await search(cast.wangfang, '"payment service"')) == [deployed["id"]]
    assert ids(await search(cast.wangfang, '"service payment"')) == []
    [hit] = (await search(cast.wangfang, "meet*"))["items"][:1]
    assert "<mark>" in hit["highlight"]
