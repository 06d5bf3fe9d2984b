"""People: who may add them, change their roles and accounts, and edit their profiles."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.helpers import PASSWORD, Cast, client_with_token, error_code, sign_in
from xietong.org.models import User
from xietong.runtime import Runtime

USERS = "/api/v1/users"


async def user_count(runtime: Runtime) -> int:
    async with runtime.reader() as uow:
        return await uow.session.scalar(select(func.count()).select_from(User)) or 0


async def fetch(api: httpx.AsyncClient, user_id: int) -> dict[str, Any]:
    response = await api.get(f"{USERS}/{user_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def new_person(username: str, **extra: Any) -> dict[str, Any]:
    return {"username": username, "display_name": "赵敏", "password": PASSWORD, **extra}


# --- adding people -----------------------------------------------------------------------------

async def test_admin_adds_a_person_to_departments(cast: Cast) -> None:
    sales, east = cast.departments["销售部"], cast.departments["华东区"]
    response = await cast.linxiaoyan.api.post(USERS, json=new_person(
        "ZhaoMin", email="ZhaoMin@Example.com", title="销售代表", phone="+86 138-0000-0000",
        department_ids=[east, sales]))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["username"] == "zhaomin"  # usernames are kept in lower case
    assert created["email"] == "zhaomin@example.com"
    assert created["display_name"] == "赵敏"
    assert created["role"] == "member"
    assert created["active"] is True
    assert created["department_ids"] == [east, sales]
    assert created["primary_department_id"] == east  # the first one listed
    assert "password" not in created
    assert "password_hash" not in created

    assert await fetch(cast.liuyang.api, created["id"]) == created
    # The new person can sign in with the password the administrator chose.
    token = await sign_in(cast.client, "zhaomin")
    async with client_with_token(cast.client, token) as zhao:
        me = await zhao.get(f"{USERS}/me")
        assert me.json()["id"] == created["id"]


async def test_the_primary_department_may_be_chosen(cast: Cast) -> None:
    sales, east = cast.departments["销售部"], cast.departments["华东区"]
    response = await cast.linxiaoyan.api.post(USERS, json=new_person(
        "zhaomin", department_ids=[east, sales], primary_department_id=sales))
    assert response.status_code == 201, response.text
    assert response.json()["department_ids"] == [sales, east]
    assert response.json()["primary_department_id"] == sales


async def test_members_and_guests_cannot_add_people(cast: Cast, runtime: Runtime) -> None:
    before = await user_count(runtime)
    for person in (cast.zhangwei, cast.liuyang, cast.alex):
        response = await person.api.post(USERS, json=new_person(f"made-by-{person.username}"))
        assert response.status_code == 403, (person.username, response.text)
        assert error_code(response) == "forbidden"
    assert await user_count(runtime) == before


async def test_a_taken_username_or_email_is_refused(cast: Cast, runtime: Runtime) -> None:
    admin = cast.linxiaoyan.api
    before = await user_count(runtime)
    for username in ("zhangwei", "ZhangWei", " zhangwei "):
        response = await admin.post(USERS, json=new_person(username))
        assert response.status_code == 409, (username, response.text)
        assert error_code(response) == "username_taken"
    response = await admin.post(USERS, json=new_person("zhang2", email="ZHANGWEI@example.com"))
    assert response.status_code == 409
    assert error_code(response) == "email_taken"
    assert await user_count(runtime) == before


async def test_concurrent_adds_of_one_username_make_one_person(cast: Cast,
                                                               runtime: Runtime) -> None:
    for attempt in range(3):
        username = f"racer{attempt}"
        # Each attempt's person has a name of their own (two active people may not share one).
        body = new_person(username, display_name=f"赵敏{attempt}")
        responses = await asyncio.gather(cast.linxiaoyan.api.post(USERS, json=body),
                                         cast.zhoujianguo.api.post(USERS, json=body))
        assert sorted(r.status_code for r in responses) == [201, 409], \
            [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert error_code(loser) == "username_taken"
        async with runtime.reader() as uow:
            assert await uow.session.scalar(
                select(func.count()).select_from(User).where(User.username == username)) == 1


async def test_a_person_in_an_unknown_department_is_not_half_created(cast: Cast,
                                                                     runtime: Runtime) -> None:
    before = await user_count(runtime)
    response = await cast.linxiaoyan.api.post(USERS, json=new_person(
        "zhaomin", department_ids=[cast.departments["销售部"], 999_999]))
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"department_ids": [999_999]}
    response = await cast.linxiaoyan.api.post(USERS, json=new_person(
        "zhaomin", department_ids=[cast.departments["销售部"]],
        primary_department_id=cast.departments["研发部"]))
    assert response.status_code == 422
    assert await user_count(runtime) == before
    search = await cast.linxiaoyan.api.get(USERS, params={"q": "zhaomin"})
    assert search.json()["items"] == []


# --- roles -------------------------------------------------------------------------------------

async def test_only_an_owner_makes_an_owner(cast: Cast, runtime: Runtime) -> None:
    admin, owner = cast.linxiaoyan.api, cast.zhoujianguo.api
    before = await user_count(runtime)
    response = await admin.post(USERS, json=new_person("newboss", role="owner"))
    assert response.status_code == 403
    assert await user_count(runtime) == before
    response = await admin.patch(f"{USERS}/{cast.zhangwei.id}", json={"role": "owner"})
    assert response.status_code == 403
    assert (await fetch(owner, cast.zhangwei.id))["role"] == "member"

    # Admins may hand out every other role.
    response = await admin.patch(f"{USERS}/{cast.zhangwei.id}", json={"role": "admin"})
    assert response.status_code == 200
    assert response.json()["role"] == "admin"

    response = await owner.post(USERS, json=new_person("newboss", role="owner"))
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "owner"
    response = await owner.patch(f"{USERS}/{cast.linxiaoyan.id}", json={"role": "owner"})
    assert response.status_code == 200
    assert (await fetch(admin, cast.linxiaoyan.id))["role"] == "owner"


async def test_an_admin_cannot_touch_an_owner(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    owner_id = cast.zhoujianguo.id
    before = await fetch(admin, owner_id)
    for change in ({"role": "member"}, {"active": False}, {"title": "前总经理"},
                   {"display_name": "周某"}, {"department_ids": [cast.departments["总经办"]]}):
        response = await admin.patch(f"{USERS}/{owner_id}", json=change)
        assert response.status_code == 403, (change, response.text)
        assert error_code(response) == "forbidden"
    assert await fetch(admin, owner_id) == before
    # The owner's session still works.
    assert (await cast.zhoujianguo.api.get(f"{USERS}/me")).status_code == 200


async def test_an_admin_manages_other_admins_members_and_guests(cast: Cast) -> None:
    owner, admin = cast.zhoujianguo.api, cast.linxiaoyan.api
    other_admin = await owner.post(USERS, json=new_person("admin2", role="admin"))
    assert other_admin.status_code == 201
    for user_id, change in ((other_admin.json()["id"], {"role": "member"}),
                            (cast.alex.id, {"role": "member"}),
                            (cast.liuyang.id, {"title": "高级销售经理",
                                               "department_ids": [cast.departments["研发部"]]})):
        response = await admin.patch(f"{USERS}/{user_id}", json=change)
        assert response.status_code == 200, response.text
        for field, value in change.items():
            assert response.json()[field] == value


async def test_a_new_role_holds_from_the_very_next_request(cast: Cast) -> None:
    """Nodes remember who a token belongs to, role included; a demotion must not wait for
    that memory to run out."""
    assert (await cast.linxiaoyan.api.get("/api/v1/audit")).status_code == 200  # remembered
    demoted = await cast.zhoujianguo.api.patch(f"{USERS}/{cast.linxiaoyan.id}",
                                               json={"role": "member"})
    assert demoted.status_code == 200, demoted.text
    refused = await cast.linxiaoyan.api.get("/api/v1/audit")
    assert refused.status_code == 403

    channel = await cast.zhangwei.api.post("/api/v1/channels", json={"name": "公开讨论",
                                                                     "kind": "public"})
    assert channel.status_code == 201
    history = f"/api/v1/channels/{channel.json()['id']}/messages"
    assert (await cast.lina.api.get(history)).status_code == 200  # a visitor may read
    made_guest = await cast.zhoujianguo.api.patch(f"{USERS}/{cast.lina.id}",
                                                  json={"role": "guest"})
    assert made_guest.status_code == 200, made_guest.text
    assert (await cast.lina.api.get(history)).status_code == 404  # a guest may not


async def test_the_last_active_owner_stays_an_owner(cast: Cast) -> None:
    owner = cast.zhoujianguo.api
    me = cast.zhoujianguo.id
    for role in ("admin", "member", "guest"):
        response = await owner.patch(f"{USERS}/{me}", json={"role": role})
        assert response.status_code == 422, response.text
        assert error_code(response) == "last_owner"
    response = await owner.patch(f"{USERS}/{me}", json={"active": False})
    assert response.status_code == 422
    after = await fetch(owner, me)
    assert after["role"] == "owner"
    assert after["active"] is True

    # With a second owner, the first may step down.
    second = await owner.post(USERS, json=new_person("owner2", role="owner"))
    assert second.status_code == 201
    response = await owner.patch(f"{USERS}/{me}", json={"role": "admin"})
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "admin"


async def test_a_deactivated_owner_does_not_count_as_the_remaining_owner(cast: Cast) -> None:
    owner = cast.zhoujianguo.api
    second = await owner.post(USERS, json=new_person("owner2", role="owner"))
    assert second.status_code == 201
    response = await owner.patch(f"{USERS}/{second.json()['id']}", json={"active": False})
    assert response.status_code == 200
    response = await owner.patch(f"{USERS}/{cast.zhoujianguo.id}", json={"role": "admin"})
    assert response.status_code == 422
    assert error_code(response) == "last_owner"


async def test_two_owners_deactivating_each_other_at_once_leave_one(cast: Cast,
                                                                    runtime: Runtime) -> None:
    owner = cast.zhoujianguo
    created = await owner.api.post(USERS, json=new_person("owner2", role="owner"))
    assert created.status_code == 201
    second_id = created.json()["id"]
    async with client_with_token(cast.client, await sign_in(cast.client, "owner2")) as second:
        responses = await asyncio.gather(
            owner.api.patch(f"{USERS}/{second_id}", json={"active": False}),
            second.patch(f"{USERS}/{owner.id}", json={"active": False}))
    statuses = sorted(r.status_code for r in responses)
    # One wins; the other is refused either as the last owner or because its session
    # ended with its account before its request was looked at.
    assert statuses[0] == 200, [r.text for r in responses]
    loser = responses[0] if responses[1].status_code == 200 else responses[1]
    assert (loser.status_code, error_code(loser)) in {(422, "last_owner"),
                                                      (401, "unauthorized")}, loser.text
    async with runtime.reader() as uow:
        active_owners = await uow.session.scalar(
            select(func.count()).select_from(User).where(User.role == "owner", User.active))
    assert active_owners == 1


# --- accounts ----------------------------------------------------------------------------------

async def test_deactivating_a_person_ends_their_sessions(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    response = await admin.patch(f"{USERS}/{cast.liuyang.id}", json={"active": False})
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    stale = await cast.liuyang.api.get(f"{USERS}/me")
    assert stale.status_code == 401
    refused = await cast.client.post("/api/v1/auth/login",
                                     json={"login": "liuyang", "password": PASSWORD})
    assert refused.status_code == 401

    response = await admin.patch(f"{USERS}/{cast.liuyang.id}", json={"active": True})
    assert response.status_code == 200
    assert response.json()["active"] is True
    await sign_in(cast.client, "liuyang")


async def test_nobody_deactivates_themselves(cast: Cast) -> None:
    for person in (cast.linxiaoyan, cast.zhoujianguo):
        response = await person.api.patch(f"{USERS}/{person.id}", json={"active": False})
        assert response.status_code == 422, response.text
        me = await person.api.get(f"{USERS}/me")
        assert me.status_code == 200
        assert me.json()["active"] is True
    # A member is stopped earlier: the account is not theirs to switch off.
    response = await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}", json={"active": False})
    assert response.status_code == 403
    assert (await cast.liuyang.api.get(f"{USERS}/me")).status_code == 200


# --- profiles ----------------------------------------------------------------------------------

async def test_a_member_edits_their_own_profile(cast: Cast) -> None:
    me = cast.liuyang
    change = {"display_name": "刘阳", "title": "华东区销售经理", "phone": "+86 139 0000 1111",
              "email": "liu@example.com"}
    response = await me.api.patch(f"{USERS}/{me.id}", json=change)
    assert response.status_code == 200, response.text
    for field, value in change.items():
        assert response.json()[field] == value
    assert await fetch(cast.zhangwei.api, me.id) == response.json()
    # Search follows the new name (刘阳 is liuyang in pinyin too, but not 刘洋).
    found = await cast.zhangwei.api.get(USERS, params={"q": "刘阳"})
    assert [u["id"] for u in found.json()["items"]] == [me.id]
    assert (await cast.zhangwei.api.get(USERS, params={"q": "刘洋"})).json()["items"] == []

    # A field sent as null is cleared; display_name cannot be.
    response = await me.api.patch(f"{USERS}/{me.id}", json={"title": None})
    assert response.status_code == 200
    assert response.json()["title"] is None
    response = await me.api.patch(f"{USERS}/{me.id}", json={"display_name": None})
    assert response.status_code == 422
    assert (await fetch(me.api, me.id))["display_name"] == "刘阳"


async def test_a_member_cannot_change_their_own_role_or_departments(cast: Cast) -> None:
    me = cast.liuyang
    before = await fetch(me.api, me.id)
    for change in ({"role": "admin"}, {"role": "member"},
                   {"department_ids": [cast.departments["研发部"]]},
                   {"primary_department_id": cast.departments["华东区"]},
                   {"title": "总监", "role": "admin"}):
        response = await me.api.patch(f"{USERS}/{me.id}", json=change)
        assert response.status_code == 403, (change, response.text)
        assert error_code(response) == "forbidden"
    assert await fetch(me.api, me.id) == before


async def test_nobody_edits_someone_elses_profile_without_administering_them(
        cast: Cast) -> None:
    target = cast.liuyang
    before = await fetch(cast.linxiaoyan.api, target.id)
    # 张伟 manages 刘洋's department; that still does not make 刘洋's profile his.
    for person in (cast.zhangwei, cast.lina, cast.alex):
        response = await person.api.patch(f"{USERS}/{target.id}", json={"title": "实习生"})
        assert response.status_code in (403, 404), (person.username, response.text)
        assert error_code(response) in ("forbidden", "not_found")
    response = await cast.zhangwei.api.patch(f"{USERS}/{target.id}",
                                             json={"display_name": "刘某"})
    assert response.status_code == 403
    assert await fetch(cast.linxiaoyan.api, target.id) == before

    # An administrator may.
    response = await cast.linxiaoyan.api.patch(f"{USERS}/{target.id}", json={"title": "主管"})
    assert response.status_code == 200
    assert response.json()["title"] == "主管"


async def test_an_admin_moves_a_person_between_departments(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    rd, east = cast.departments["研发部"], cast.departments["华东区"]
    response = await admin.patch(f"{USERS}/{cast.liuyang.id}",
                                 json={"department_ids": [east, rd], "primary_department_id": rd})
    assert response.status_code == 200, response.text
    assert response.json()["department_ids"] == [rd, east]
    assert response.json()["primary_department_id"] == rd
    response = await admin.patch(f"{USERS}/{cast.liuyang.id}",
                                 json={"primary_department_id": east})
    assert response.status_code == 200
    assert response.json()["department_ids"] == [east, rd]
    # A primary outside the person's departments, or an unknown department: refused, no change.
    for change in ({"primary_department_id": cast.departments["客服部"]},
                   {"department_ids": [rd, 999_999]},
                   {"title": "不会保存", "department_ids": [999_999]}):
        response = await admin.patch(f"{USERS}/{cast.liuyang.id}", json=change)
        assert response.status_code == 422, (change, response.text)
    after = await fetch(admin, cast.liuyang.id)
    assert after["department_ids"] == [east, rd]
    assert after["title"] == "销售经理"


async def test_an_email_address_belongs_to_one_person(cast: Cast) -> None:
    response = await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}",
                                            json={"email": "ZhangWei@example.com"})
    assert response.status_code == 409
    assert error_code(response) == "email_taken"
    assert (await fetch(cast.liuyang.api, cast.liuyang.id))["email"] is None
    # Re-saving one's own address is not a conflict.
    response = await cast.zhangwei.api.patch(f"{USERS}/{cast.zhangwei.id}",
                                             json={"email": "zhangwei@example.com"})
    assert response.status_code == 200


async def test_unknown_people_are_not_found(cast: Cast) -> None:
    for method, body in (("GET", None), ("PATCH", {"title": "x"})):
        response = await cast.linxiaoyan.api.request(method, f"{USERS}/999999", json=body)
        assert response.status_code == 404
        assert error_code(response) == "not_found"


# --- names that deceive ------------------------------------------------------------------------

def problem_types(response: httpx.Response) -> set[str]:
    """The rule each refused field broke (`details[].type` of an `invalid` reply)."""
    return {problem["type"] for problem in response.json()["error"]["details"]}


async def test_a_display_name_copying_an_active_colleague_is_refused(cast: Cast,
                                                                     runtime: Runtime) -> None:
    """Under NFC, case folding and trimming (blank-looking fillers count as spaces) two names
    are one: nobody may take a working colleague's, by being added, by renaming themselves,
    or by an administrator renaming them."""
    admin = cast.linxiaoyan.api
    await admin.patch(f"{USERS}/{cast.liuyang.id}", json={"display_name": "Zhang Wei"})
    before = await user_count(runtime)
    for copy in ("张伟", " 张伟 ", "张伟\u3164", "ZHANG WEI", "zhang  wei", "\u2800Zhang Wei"):
        response = await admin.post(USERS, json=new_person("zhangwei2", display_name=copy))
        assert response.status_code == 422, (copy, response.text)
        assert error_code(response) == "display_name_taken", copy
    assert await user_count(runtime) == before

    renamed = await cast.lina.api.patch(f"{USERS}/{cast.lina.id}", json={"display_name": "王芳"})
    assert renamed.status_code == 422
    assert error_code(renamed) == "display_name_taken"
    by_admin = await admin.patch(f"{USERS}/{cast.alex.id}", json={"display_name": "林晓燕"})
    assert by_admin.status_code == 422
    assert error_code(by_admin) == "display_name_taken"
    assert (await fetch(admin, cast.lina.id))["display_name"] == "李娜"
    assert (await fetch(admin, cast.alex.id))["display_name"] == "外部顾问 Alex"
    # The refusal names nobody: a guest must not learn who carries the name.
    guest = await cast.alex.api.patch(f"{USERS}/{cast.alex.id}", json={"display_name": "李娜"})
    assert error_code(guest) == "display_name_taken"
    assert guest.json()["error"]["details"] is None

    # NFC: "Cafe" + combining acute is the same name as the precomposed "Café".
    assert (await admin.post(USERS, json=new_person("cafe1", display_name="Caf\u00e9"))
            ).status_code == 201
    decomposed = await admin.post(USERS, json=new_person("cafe2", display_name="CAFE\u0301"))
    assert error_code(decomposed) == "display_name_taken"

    # One's own name in another case is still one's own; a similar name is not a copy.
    assert (await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}",
                                         json={"display_name": "ZHANG WEI"})).status_code == 200
    assert (await admin.post(USERS, json=new_person("zhangwei2", display_name="张伟 (华南)"))
            ).status_code == 201
    # A former colleague's name is free again.
    assert (await admin.patch(f"{USERS}/{cast.wangfang.id}", json={"active": False})
            ).status_code == 200
    reused = await admin.post(USERS, json=new_person("wangfang2", display_name="王芳"))
    assert reused.status_code == 201, reused.text


async def test_two_people_taking_one_name_at_once_get_it_once(cast: Cast) -> None:
    responses = await asyncio.gather(*(
        cast.linxiaoyan.api.post(USERS, json=new_person(f"twin{n}", display_name="双胞胎"))
        for n in range(2)))
    assert sorted(r.status_code for r in responses) == [201, 422]


# Invisible: zero-width and other format characters; blank: nothing a reader can see.
DECEPTIVE_NAMES = {
    "zero-width space": ("张\u200b伟", "invisible_characters"),
    "zero-width non-joiner": ("王\u200c芳", "invisible_characters"),
    "zero-width joiner between letters": ("李\u200d娜", "invisible_characters"),
    "word joiner": ("\u2060刘洋", "invisible_characters"),
    "byte order mark": ("赵敏\ufeff", "invisible_characters"),
    "soft hyphen": ("Zhao\u00adMin", "invisible_characters"),
    "Mongolian vowel separator": ("赵\u180e敏", "invisible_characters"),
    "tag characters outside a flag": ("赵敏\U000e0041", "invisible_characters"),
    "a joiner trailing an emoji": ("赵敏 👨\u200d", "invisible_characters"),
    "Hangul filler": ("\u3164", "blank"),
    "Hangul choseong and jungseong fillers": ("\u115f\u1160", "blank"),
    "halfwidth Hangul filler": ("\uffa0\uffa0", "blank"),
    "braille blank": ("\u2800\u2800\u2800", "blank"),
    "ideographic and em spaces": ("\u3000\u2003\u00a0", "blank"),
    "Arabic letter mark": ("\u061c赵敏", "bidi_control"),
}


async def test_invisible_and_blank_display_names_are_refused(cast: Cast,
                                                             runtime: Runtime) -> None:
    admin = cast.linxiaoyan.api
    before = await user_count(runtime)
    for label, (name, rule) in DECEPTIVE_NAMES.items():
        for response in (
                await admin.post(USERS, json=new_person("zhaomin", display_name=name)),
                await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}",
                                             json={"display_name": name}),
                await admin.patch(f"{USERS}/{cast.lina.id}", json={"display_name": name})):
            assert response.status_code == 422, (label, response.text)
            assert error_code(response) == "invalid", label
            assert problem_types(response) == {rule}, (label, response.text)
    assert await user_count(runtime) == before
    assert (await fetch(admin, cast.liuyang.id))["display_name"] == "刘洋"
    assert (await fetch(admin, cast.lina.id))["display_name"] == "李娜"


async def test_emoji_sequences_keep_their_joiners(cast: Cast) -> None:
    """ZWJ is refused between letters but belongs inside emoji: 👨‍👩‍👧, 👩‍💻, the flag of
    Scotland (tag characters), and a sequence Unicode does not list (shown side by side)."""
    admin = cast.linxiaoyan.api
    names = ["赵敏 👨\u200d👩\u200d👧", "👩\u200d💻 周工", "Ewan 🏴\U000e0067\U000e0062\U000e0073"
             "\U000e0063\U000e0074\U000e007f", "厨师 👨\u200d🍳\u200d🔥", "❤\ufe0f 小美"]
    for number, name in enumerate(names):
        response = await admin.post(USERS, json=new_person(f"emoji{number}", display_name=name))
        assert response.status_code == 201, (name, response.text)
        assert response.json()["display_name"] == name
    # Blank-looking characters at the ends are trimmed like spaces; a blank title clears it.
    response = await admin.patch(f"{USERS}/{cast.lina.id}",
                                 json={"display_name": "\u3164李娜 研发\u2800", "title": "\u3164"})
    assert response.status_code == 200, response.text
    assert (response.json()["display_name"], response.json()["title"]) == ("李娜 研发", None)


async def test_other_names_and_titles_follow_the_same_rules(cast: Cast) -> None:
    """Titles, department names, channel names and token names are names too."""
    admin = cast.linxiaoyan.api
    for name, rule in (("销售\u200b总监", "invisible_characters"), ("\u3164\u3164", "blank")):
        for response in (
                await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}", json={"title": name}),
                await admin.post("/api/v1/departments", json={"name": name}),
                await cast.zhangwei.api.post("/api/v1/channels", json={"name": name}),
                await cast.zhangwei.api.post("/api/v1/tokens", json={"name": name})):
            if rule == "blank" and response.request.url.path.endswith(str(cast.liuyang.id)):
                assert response.status_code == 200  # a blank title clears it
                continue
            assert response.status_code == 422, (name, response.request.url, response.text)
            assert problem_types(response) == {rule}, response.text
    refused = await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}", json={
        "avatar_url": "https://example.com/\u202egpj.exe"})
    assert refused.status_code == 422
    assert problem_types(refused) == {"invisible_characters"}
