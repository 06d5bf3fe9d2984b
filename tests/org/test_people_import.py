"""Importing people from a spreadsheet: CSV in every encoding Excel writes and XLSX, a dry
run that writes nothing and names each row's problems, a real run that adds every row or
none, and the files people (and attackers) really send."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import httpx
from openpyxl import Workbook
from sqlalchemy import select

from tests.api_inputs import Unchanged, refused
from tests.helpers import Cast, client_with_token, error_code, sign_in
from xietong.audit.models import AuditEntry
from xietong.auth.models import AuthToken
from xietong.chat.models import Channel, ChannelMember
from xietong.org.models import User
from xietong.org.spreadsheets import MAX_FILE_BYTES, MAX_ROWS

IMPORT = "/api/v1/users/import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER = ["姓名", "用户名", "邮箱", "手机", "部门", "职位", "角色"]
GOOD_ROWS = [
    ["赵敏", "zhaomin", "zhaomin@example.com", "13800000001", "研发部", "前端工程师", ""],
    ["钱多多", "", "", "+86 138 0000 0002", "销售部/华东区", "销售代表", "成员"],
    ["孙悟空", "sunwukong", "", "", "客服部;研发部", "", "管理员"],
]


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", bom: bool = False,
              delimiter: str = ",") -> bytes:
    text = "\r\n".join(delimiter.join(f'"{cell}"' if delimiter in cell else cell
                                      for cell in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list[Any]], *, title_rows: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for _ in range(title_rows):
        sheet.append(["员工花名册"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def send(api: httpx.AsyncClient, data: bytes, *, name: str = "people.csv",
               dry_run: bool = True, content_type: str = "text/csv") -> httpx.Response:
    return await api.post(IMPORT, params={"dry_run": str(dry_run).lower()},
                          files={"file": (name, data, content_type)})


def report(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def problems(body: dict[str, Any]) -> dict[int, list[tuple[str, str]]]:
    """Row number: its (field, code) problems, for the rows that have some."""
    return {row["row"]: [(p["field"], p["code"]) for p in row["problems"]]
            for row in body["rows"] if row["problems"]}


async def usernames(cast: Cast) -> set[str]:
    async with cast.runtime.reader() as uow:
        return set(await uow.session.scalars(select(User.username)))


# --- the dry run -------------------------------------------------------------------------

async def test_a_dry_run_shows_what_would_be_added_and_writes_nothing(
        cast: Cast, unchanged: Unchanged) -> None:
    async with unchanged:
        body = report(await send(cast.linxiaoyan.api, csv_bytes([HEADER, *GOOD_ROWS])))
    assert body["dry_run"] is True
    assert body["file_kind"] == "csv"
    assert (body["ready"], body["with_problems"], body["created"]) == (3, 0, [])
    assert body["columns"] == {"name": "姓名", "username": "用户名", "email": "邮箱",
                               "phone": "手机", "department": "部门", "title": "职位",
                               "role": "角色"}
    zhao, qian, sun = body["rows"]
    assert [r["row"] for r in body["rows"]] == [2, 3, 4]
    assert zhao["departments"] == [{"id": cast.departments["研发部"], "path": ["研发部"]}]
    # No username: the name's pinyin; a path reaches a sub-department.
    assert (qian["username"], qian["username_generated"]) == ("qianduoduo", True)
    assert qian["departments"] == [{"id": cast.departments["华东区"],
                                    "path": ["销售部", "华东区"]}]
    assert qian["phone"] == "+86 138 0000 0002"
    assert sun["role"] == "admin"
    assert [d["path"] for d in sun["departments"]] == [["客服部"], ["研发部"]]


async def test_each_rows_problems_are_named(cast: Cast, unchanged: Unchanged) -> None:
    rows = [HEADER,
            ["", "nobody", "", "", "", "", ""],                                  # 2
            ["李娜", "lina2", "", "", "", "", ""],                                # 3 name taken
            ["周芷若", "zhangwei", "", "", "", "", ""],                           # 4 username taken
            ["周芷若", "zhouzhiruo", "", "", "", "", ""],                         # 5 dup of row 4
            ["殷离", "yinli", "not-an-email", "", "", "", ""],                    # 6
            ["小昭", "xiaozhao", "lin@example.com", "", "", "", ""],              # 7 email taken
            ["黛绮丝", "daiqisi", "", "call me", "", "", ""],                     # 8
            ["杨逍", "yangxiao", "", "", "市场部", "", ""],                       # 9
            ["范遥", "fanyao", "", "", "研发部/后端组", "", ""],                  # 10
            ["韦一笑", "weiyixiao", "", "", "", "", "老板"],                      # 11
            ["张无忌", "zhangwuji", "", "", "", "", "所有者"],                    # 12 admin can't
            ["宋青书", "Bad Name!", "", "", "", "", ""],                          # 13
            ["谢逊", "xiexun", "", "", "", "", ""],                               # 14 fine
            ["谢逊", "xiexun", "", "", "", "", ""]]                               # 15 dup of 14
    async with unchanged:
        body = report(await send(cast.linxiaoyan.api, csv_bytes(rows)))
    assert (body["ready"], body["with_problems"]) == (1, 13)
    assert problems(body) == {
        2: [("name", "name_missing")],
        3: [("name", "name_taken")],
        4: [("username", "username_taken")],
        5: [("name", "name_duplicate")],
        6: [("email", "email_invalid")],
        7: [("email", "email_taken")],
        8: [("phone", "phone_invalid")],
        9: [("department", "department_unknown")],
        10: [("department", "department_unknown")],
        11: [("role", "role_unknown")],
        12: [("role", "role_forbidden")],
        13: [("username", "username_invalid")],
        15: [("name", "name_duplicate"), ("username", "username_duplicate")],
    }
    duplicate = next(r for r in body["rows"] if r["row"] == 15)["problems"][0]
    assert duplicate["params"] == {"row": 14}
    unknown = next(r for r in body["rows"] if r["row"] == 9)["problems"][0]
    assert unknown["params"] == {"value": "市场部"}
    assert unknown["message"]
    # The owner may make an owner.
    owner = report(await send(cast.zhoujianguo.api, csv_bytes([HEADER, rows[11]])))
    assert owner["with_problems"] == 0


async def test_formulas_are_refused_in_every_column(cast: Cast) -> None:
    rows = [HEADER,
            ["=cmd|' /C calc'!A0", "a1", "", "", "", "", ""],
            ["赵敏", "zhaomin", "", "", "", "+SUM(1,2)", ""],
            ["钱多多", "qianduoduo", "@evil.com", "", "", "", ""],
            ["孙悟空", "sunwukong", "", "=1+1", "", "", ""],
            ["猪八戒", "zhubajie", "", "", "-研发部", "", ""],
            ["沙和尚", "shaheshang", "", "+86 138 0000 0000", "", "", ""]]
    body = report(await send(cast.linxiaoyan.api, csv_bytes(rows)))
    assert problems(body) == {2: [("name", "formula")], 3: [("title", "formula")],
                              4: [("email", "formula")], 5: [("phone", "formula")],
                              6: [("department", "formula")]}
    # A real formula cell in an XLSX is read as its formula, and refused the same way.
    book = xlsx_bytes([HEADER, ["=HYPERLINK(\"http://x\",\"点我\")", "", "", "", "", "", ""],
                       ["赵敏", "", "", "", "", "=A1", ""]])
    body = report(await send(cast.linxiaoyan.api, book, name="p.xlsx", content_type=XLSX))
    assert problems(body) == {2: [("name", "formula")], 3: [("title", "formula")]}


async def test_every_encoding_excel_writes_is_read(cast: Cast) -> None:
    rows = [HEADER, GOOD_ROWS[0]]
    admin = cast.linxiaoyan.api
    for data in (csv_bytes(rows), csv_bytes(rows, bom=True), csv_bytes(rows, encoding="gbk"),
                 csv_bytes(rows, encoding="gb18030"),
                 "\ufeff".encode("utf-16-le") + csv_bytes(rows, encoding="utf-16-le",
                                                          delimiter="\t"),
                 csv_bytes(rows, delimiter=";")):
        body = report(await send(admin, data))
        assert body["columns"]["name"] == "姓名", data[:20]
        assert body["rows"][0]["display_name"] == "赵敏"
        assert body["rows"][0]["departments"][0]["path"] == ["研发部"]
    # English headers, any case, with notes; an XLSX with title rows above its header and a
    # phone number typed into a number cell.
    english = ["Name *", "User_Name", "E-mail", "Mobile", "Department (path)", "Job Title",
               "Role", "Notes"]
    book = xlsx_bytes([english, ["赵敏", "zhaomin", "", 13800000001, "研发部", "", "member",
                                 "新人"]], title_rows=2)
    body = report(await send(admin, book, name="p.xlsx", content_type=XLSX))
    assert body["file_kind"] == "xlsx"
    assert body["ignored_columns"] == ["Notes"]
    assert body["rows"][0]["row"] == 4  # as the spreadsheet numbers it
    assert body["rows"][0]["phone"] == "13800000001"


async def test_names_in_any_script_are_kept(cast: Cast) -> None:
    rows = [HEADER, ["أحمد", "ahmad", "", "", "", "", ""],
            ["王芳 🌸", "", "", "", "", "", ""], ["Zoë Ångström", "", "", "", "", "", ""],
            ["👨‍👩‍👧", "", "", "", "", "", ""]]
    body = report(await send(cast.linxiaoyan.api, csv_bytes(rows)))
    names = [(r["display_name"], r["username"]) for r in body["rows"]]
    assert names[:3] == [("أحمد", "ahmad"), ("王芳 🌸", "wangfang2"), ("Zoë Ångström",
                                                                     "zoeangstrom")]
    # 王芳 (wangfang) works here: the generated name steps around her.
    assert problems(body) == {5: [("username", "username_missing")]}


async def test_bad_files_are_refused_whole(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    # A zip whose one part unpacks to 100 MB of zeros.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"\x00" * 100_000_000)
    cases = [
        (b"", "import_empty"), (b"\r\n\r\n", "import_empty"),
        (csv_bytes([HEADER]), "import_empty"),
        (csv_bytes([["用户名", "邮箱"], ["zhaomin", ""]]), "import_missing_column"),
        (csv_bytes([["姓名", "name"], ["赵敏", "赵敏"]]), "import_duplicate_column"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "import_unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "import_xls"),
        (docx.getvalue(), "import_unreadable"),
        (b"PK\x03\x04 not really a zip", "import_unreadable"),
        (bomb.getvalue(), "import_too_large"),
        ("姓名\n赵敏\n".encode("utf-32"), "import_unreadable"),
    ]
    async with unchanged:
        for data, code in cases:
            for dry_run in (True, False):
                refused(await send(admin, data, dry_run=dry_run), 422, code)
        # Too many rows, and a file over the limit (refused before it is read).
        many = csv_bytes([["姓名"], *([f"员工{n}"] for n in range(MAX_ROWS + 1))])
        refused(await send(admin, many), 422, "import_too_many_rows")
        huge = await send(admin, b"a" * (MAX_FILE_BYTES + 100_000))
        assert huge.status_code == 413, huge.text
        assert error_code(huge) == "payload_too_large"
        # No file, or not as the field `file`.
        refused(await admin.post(IMPORT, files={"upload": ("p.csv", b"x")}), 422,
                "import_file_required")
        refused(await admin.post(IMPORT, json={"file": "姓名\n赵敏"}), 422,
                "import_file_required")


async def test_only_administrators_import(cast: Cast, unchanged: Unchanged) -> None:
    data = csv_bytes([HEADER, *GOOD_ROWS])
    async with unchanged:
        for person in (cast.zhangwei, cast.lina, cast.alex):
            for dry_run in (True, False):
                refused(await send(person.api, data, dry_run=dry_run), 403, "forbidden")
        anonymous = httpx.AsyncClient(transport=cast.client._transport,
                                      base_url=cast.client.base_url)
        async with anonymous:
            refused(await send(anonymous, data, dry_run=False), 401)


# --- the real run ------------------------------------------------------------------------

async def test_the_real_run_adds_everyone_with_a_password_shown_once(cast: Cast) -> None:
    admin = cast.linxiaoyan
    response = await send(admin.api, csv_bytes([HEADER, *GOOD_ROWS]), dry_run=False)
    body = report(response)
    assert response.headers["cache-control"] == "no-store"
    assert body["dry_run"] is False
    created = {person["username"]: person for person in body["created"]}
    assert set(created) == {"zhaomin", "qianduoduo", "sunwukong"}
    # Each can sign in with the password shown, which is stored only as a hash; the first
    # sign-in re-hashes it at the full cost.
    async with cast.runtime.reader() as uow:
        stored = {u.username: u for u in (await uow.session.scalars(
            select(User).where(User.username.in_(created)))).all()}
    for username, person in created.items():
        assert len(person["password"]) >= 20
        assert person["password"] not in (stored[username].password_hash or "")
        assert person["id"] == stored[username].id
        cheap_hash = stored[username].password_hash
        await sign_in(cast.client, username, person["password"])
        async with cast.runtime.reader() as uow:
            rehashed = await uow.session.get(User, person["id"])
            assert rehashed is not None
            assert rehashed.password_hash != cheap_hash
    assert len({p["password"] for p in created.values()}) == 3

    # Departments (the first is primary), title, role, as the file said.
    qian = (await admin.api.get(f"/api/v1/users/{created['qianduoduo']['id']}")).json()
    assert qian["department_ids"] == [cast.departments["华东区"]]
    assert qian["title"] == "销售代表"
    sun = (await admin.api.get(f"/api/v1/users/{created['sunwukong']['id']}")).json()
    assert sun["role"] == "admin"
    assert sun["department_ids"] == [cast.departments["客服部"], cast.departments["研发部"]]
    assert sun["primary_department_id"] == cast.departments["客服部"]

    # Audited: one entry per person and one for the file.
    async with cast.runtime.reader() as uow:
        entries = (await uow.session.scalars(select(AuditEntry).where(
            AuditEntry.actor_id == admin.id).order_by(AuditEntry.id))).all()
    created_entries = [e for e in entries if e.action == "user.created"]
    assert {e.target for e in created_entries} == {f"user:{p['id']}" for p in created.values()}
    assert all(e.details and e.details["via"] == "import" for e in created_entries)
    [imported] = [e for e in entries if e.action == "users.imported"]
    assert imported.details == {"file": "people.csv", "kind": "csv", "created": 3,
                                "user_ids": [created[u]["id"] for u in
                                             ("zhaomin", "qianduoduo", "sunwukong")]}

    # The same file again: every row is now taken, and nothing is added.
    again = await send(admin.api, csv_bytes([HEADER, *GOOD_ROWS]), dry_run=False)
    refused(again, 422, "import_has_problems")
    details = again.json()["error"]["details"]
    assert details["with_problems"] == 3
    assert details["created"] == []


async def test_department_channels_take_in_the_imported(cast: Cast) -> None:
    rd = cast.departments["研发部"]
    channel = await cast.zhoujianguo.api.post("/api/v1/channels", json={
        "name": "研发部", "kind": "department", "department_id": rd})
    assert channel.status_code == 201, channel.text
    body = report(await send(cast.linxiaoyan.api, csv_bytes([HEADER, *GOOD_ROWS]),
                             dry_run=False))
    ids = {p["username"]: p["id"] for p in body["created"]}
    async with cast.runtime.reader() as uow:
        members = set(await uow.session.scalars(select(ChannelMember.user_id).where(
            ChannelMember.channel_id == channel.json()["id"])))
        assert await uow.session.get(Channel, channel.json()["id"]) is not None
    assert {ids["zhaomin"], ids["sunwukong"]} <= members
    assert ids["qianduoduo"] not in members


async def test_one_bad_row_stops_the_whole_file(cast: Cast, unchanged: Unchanged) -> None:
    rows = [HEADER, *GOOD_ROWS, ["周芷若", "", "", "", "市场部", "", ""]]
    async with unchanged:
        response = await send(cast.linxiaoyan.api, csv_bytes(rows), dry_run=False)
        refused(response, 422, "import_has_problems")
    details = response.json()["error"]["details"]
    assert problems(details) == {5: [("department", "department_unknown")]}
    assert "zhaomin" not in await usernames(cast)


async def test_someone_added_between_the_dry_run_and_the_real_run(cast: Cast) -> None:
    """The real run checks again in its own transaction: the dry run's "ready" is not
    trusted."""
    admin = cast.linxiaoyan.api
    data = csv_bytes([HEADER, *GOOD_ROWS])
    assert report(await send(admin, data))["with_problems"] == 0
    await cast.add_person("zhaomin", "赵敏老师")
    response = await send(admin, data, dry_run=False)
    refused(response, 422, "import_has_problems")
    assert problems(response.json()["error"]["details"]) == {
        2: [("username", "username_taken")]}
    assert "qianduoduo" not in await usernames(cast)


async def test_a_guest_imported_into_a_department_is_admitted_on_record(cast: Cast) -> None:
    rows = [HEADER, ["外部顾问 Bob", "bob", "", "", "研发部", "顾问", "访客"]]
    body = report(await send(cast.linxiaoyan.api, csv_bytes(rows), dry_run=False))
    [bob] = body["created"]
    async with cast.runtime.reader() as uow:
        admitted = (await uow.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "guest.admitted"))).all()
    assert [(e.target, e.details) for e in admitted] == [
        (f"user:{bob['id']}", {"department_ids": [cast.departments["研发部"]],
                               "via": "users_imported"})]
    token = await sign_in(cast.client, "bob", bob["password"])
    async with client_with_token(cast.client, token) as guest:
        me = (await guest.get("/api/v1/users/me")).json()
    assert me["role"] == "guest"
    async with cast.runtime.reader() as uow:
        assert await uow.session.scalar(select(AuthToken.id).where(
            AuthToken.user_id == bob["id"])) is not None


async def test_a_full_file_of_a_thousand_people_is_imported(cast: Cast) -> None:
    """The limit is a file the server really takes: MAX_ROWS people in one request, every
    one in a department (so department channels follow once, not a thousand times)."""
    rows = [["姓名", "部门", "职位"]] + [[f"新同事{n:04d}", "研发部/" if n % 2 else "华东区",
                                          "工程师"] for n in range(MAX_ROWS)]
    book = xlsx_bytes(rows)
    started = time.perf_counter()
    body = report(await send(cast.linxiaoyan.api, book, name="p.xlsx", content_type=XLSX,
                             dry_run=False))
    elapsed = time.perf_counter() - started
    assert len(body["created"]) == MAX_ROWS
    assert body["created"][0]["username"] == "xintongshi0000"
    print(f"imported {MAX_ROWS} people from XLSX in {elapsed:.1f} s")
    accounts = await cast.linxiaoyan.api.get(
        "/api/v1/admin/users", params={"department_id": cast.departments["研发部"],
                                       "limit": 1})
    assert accounts.status_code == 200
