"""Pages in and out: a page exported as Markdown and as Word, a space as a zip of Markdown
files, files imported as new pages; confidential pages kept in; who may do which; and the
files that are refused (empty, too large, broken, not text) with a 4xx, never a 500."""

from __future__ import annotations

import asyncio
import io
import zipfile
from typing import Any
from urllib.parse import quote, unquote

import docx
import httpx
import pytest
from docx.shared import Pt
from PIL import Image

from tests.documents.helpers import (
    PAGES,
    SPACES,
    make_page,
    make_space,
    person_grant,
    set_page_grants,
    space_id_of,
)
from tests.documents.yclient import Editor
from tests.helpers import Cast, Person, error_code
from xietong.documents import imports, word_in
from xietong.documents.exports import safe_name
from xietong.documents.ydoc import document_from, markdown_of, seed_from_markdown

IMPORT = f"{PAGES}/import"

BODY = """## 背景

这是**加粗**、*斜体*、~~删除~~、`代码` 和 [链接](https://example.com/文档) 的段落。

- 第一项
  - 嵌套的一项
- 第二项

1. 步骤一
2. 步骤二

- [ ] 待办
- [x] 已完成

> 一段引用

```python
print("你好")
```

| 名称 | 数量 |
| --- | --- |
| 苹果 | 3 |

---
"""


async def import_file(person: Person, space_id: int, name: str, data: bytes,
                      parent_id: int | None = None) -> httpx.Response:
    fields = {"space_id": str(space_id)}
    if parent_id is not None:
        fields["parent_id"] = str(parent_id)
    return await person.api.post(IMPORT, data=fields, files={"file": (name, data)})


async def imported(person: Person, space_id: int, name: str, data: bytes,
                   parent_id: int | None = None) -> dict[str, Any]:
    response = await import_file(person, space_id, name, data, parent_id)
    assert response.status_code == 201, response.text
    page: dict[str, Any] = response.json()
    return page


async def export(person: Person, page_id: int, export_format: str = "md") -> httpx.Response:
    return await person.api.get(f"{PAGES}/{page_id}/export", params={"format": export_format})


async def audit_entries(cast: Cast, action: str) -> list[dict[str, Any]]:
    answer = (await cast.linxiaoyan.api.get("/api/v1/audit", params={"limit": 100})).json()
    entries: list[dict[str, Any]] = answer["items"] if isinstance(answer, dict) else answer
    return [entry for entry in entries if entry["action"] == action]


def canonical(markdown: str) -> str:
    """Markdown as a page holds it: what the same content reads as once it is a document."""
    return markdown_of(document_from(seed_from_markdown(markdown)))


def word_file(build: Any) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def filename_of(response: httpx.Response) -> str:
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    return disposition.split("filename*=UTF-8''", 1)[1]


# --- Markdown ------------------------------------------------------------------------------


async def test_markdown_goes_in_and_comes_out_the_same(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await imported(cast.lina, space, "季度计划.md",
                          f"# 2026 年 Q3 计划\n\n{BODY}".encode())
    assert page["title"] == "2026 年 Q3 计划"
    assert "季度计划" not in page["markdown"]
    assert page["markdown"] == canonical(BODY)
    assert "嵌套的一项" in page["text"]
    assert "苹果" in page["text"]
    assert page["content_version"] == 0

    out = await export(cast.lina, page["id"])
    assert out.status_code == 200, out.text
    assert out.headers["content-type"] == "text/markdown; charset=utf-8"
    assert filename_of(out) == quote("2026 年 Q3 计划.md", safe="")
    assert out.text == "# 2026 年 Q3 计划\n\n" + canonical(BODY)
    # And in again: the same page.
    again = await imported(cast.lina, space, "x.md", out.content)
    assert (again["title"], again["markdown"]) == (page["title"], page["markdown"])


async def test_export_reads_the_page_as_people_are_editing_it(cast: Cast,
                                                              live_server: str) -> None:
    space = await space_id_of(cast, "研发部")
    page = await imported(cast.lina, space, "草稿.md", b"# Draft\n\nfirst words\n")
    editor = await Editor.open(live_server, page["id"], cast.lina.token)
    try:
        await editor.wait_synced()
        assert "first words" in editor.text
        editor.type_paragraph("刚刚写下的一句")
        deadline = asyncio.get_running_loop().time() + 10
        while "刚刚写下的一句" not in (await export(cast.lina, page["id"])).text:
            assert asyncio.get_running_loop().time() < deadline, "never exported"
            await asyncio.sleep(0.05)
        word = docx.Document(io.BytesIO((await export(cast.lina, page["id"], "docx")).content))
        assert [p.text for p in word.paragraphs] == ["Draft", "first words", "刚刚写下的一句"]
    finally:
        await editor.close()


async def test_a_template_page_nobody_opened_exports_its_template(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "周会", template="meeting_notes")
    out = await export(cast.lina, page["id"])
    assert out.text == "# 周会\n\n" + canonical(page["markdown"])
    word = docx.Document(io.BytesIO((await export(cast.lina, page["id"], "docx")).content))
    assert "会议纪要" in [p.text for p in word.paragraphs]


async def test_gb18030_utf16_and_bom_text_and_plain_text_files(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    chinese = "# 会议记录\n\n今天讨论了**预算**。\n"
    for encoded in (chinese.encode("gb18030"), chinese.encode("utf-16"),
                    b"\xef\xbb\xbf" + chinese.encode()):
        page = await imported(cast.lina, space, "记录.md", encoded)
        assert (page["title"], page["markdown"]) == ("会议记录", "今天讨论了**预算**。\n")
    # Plain text is words, not markup: nothing in it becomes a heading or a list, every
    # line is kept; its title is the file's name.
    text = "# 不是标题\n- 不是列表\n1. 也不是\n\n第二段 *星号*".encode("gb18030")
    page = await imported(cast.lina, space, "C:\\Users\\李娜\\备忘录.txt", text)
    assert page["title"] == "备忘录"
    assert page["text"] == "# 不是标题\n- 不是列表\n1. 也不是\n第二段 *星号*"
    assert page["markdown"] == "\\# 不是标题  \n\\- 不是列表  \n1\\. 也不是\n\n第二段 \\*星号\\*\n"
    out = await export(cast.lina, page["id"])
    assert out.text.startswith("# 备忘录\n\n\\# 不是标题")


async def test_the_title_comes_from_the_file_name_without_a_first_heading(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await imported(cast.lina, space, "接口说明.markdown",
                          b"Intro first.\n\n# Later heading\n")
    assert page["title"] == "接口说明"
    assert page["markdown"].startswith("Intro first.")
    nameless = await imported(cast.lina, space, ".md", b"words")
    assert nameless["title"] == "无标题文档"


# --- Word ----------------------------------------------------------------------------------


async def test_a_page_as_a_word_document(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await imported(cast.lina, space, "x.md", f"# 季度计划\n\n{BODY}".encode())
    out = await export(cast.lina, page["id"], "docx")
    assert out.status_code == 200, out.text
    assert out.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert filename_of(out) == quote("季度计划.docx", safe="")
    word = docx.Document(io.BytesIO(out.content))
    styled = [(p.style.name if p.style else "", p.text) for p in word.paragraphs if p.text]
    assert styled[:2] == [("Title", "季度计划"), ("Heading 2", "背景")]
    assert ("List Bullet", "第一项") in styled
    assert ("List Bullet 2", "嵌套的一项") in styled
    assert ("List Number", "步骤一") in styled
    assert ("List Number", "步骤二") in styled
    assert ("Quote", "一段引用") in styled
    assert ("Code", 'print("你好")') in styled
    assert any(text.endswith("待办") and text.startswith("☐") for _, text in styled)
    assert any(text.endswith("已完成") and text.startswith("☑") for _, text in styled)
    paragraph = next(p for p in word.paragraphs if p.text.startswith("这是"))
    runs = {run.text: run for run in paragraph.runs}
    assert runs["加粗"].bold
    assert runs["斜体"].italic
    assert runs["删除"].font.strike
    assert runs["代码"].style is not None
    assert runs["代码"].style.name == "Inline Code"
    [link] = paragraph.hyperlinks
    assert (link.text, unquote(link.address)) == ("链接", "https://example.com/文档")
    [table] = word.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["名称", "数量"], ["苹果", "3"]]
    # Chinese has a font: every style's East Asian font is 等线, none left to the theme.
    styles = word.styles.element
    fonts = styles.xpath("//w:rFonts")
    assert fonts
    assert all(f.get(docx.oxml.ns.qn("w:eastAsia")) == "等线" for f in fonts)
    assert not styles.xpath("//w:rFonts[@w:eastAsiaTheme]")
    # And read back, it is the same page.
    back = await imported(cast.lina, space, "back.docx", out.content)
    assert back["title"] == "季度计划"
    for words in ("背景", "嵌套的一项", "步骤二", "待办", "一段引用", "苹果"):
        assert words in back["text"]
    assert "**加粗**" in back["markdown"]
    assert "[链接](https://example.com/%E6%96%87%E6%A1%A3)" in back["markdown"]


async def test_word_documents_made_in_word_are_imported(cast: Cast) -> None:
    def build(document: Any) -> None:
        document.add_heading("产品需求", level=1)
        intro = document.add_paragraph("本文说明")
        intro.add_run("核心功能").bold = True
        intro.add_run("与")
        intro.add_run("范围").italic = True
        document.add_heading("功能列表", level=2)
        document.add_paragraph("登录", style="List Bullet")
        document.add_paragraph("扫码登录", style="List Bullet 2")
        document.add_paragraph("消息", style="List Bullet")
        document.add_paragraph("准备环境", style="List Number")
        document.add_paragraph("部署", style="List Number")
        document.add_paragraph("1. 不是列表的段落")
        code = document.add_paragraph().add_run("pip install xietong")
        code.font.name = "Consolas"
        code.font.size = Pt(10)
        table = document.add_table(rows=2, cols=2)
        for cell, words in zip(table._cells, ["模块", "负责人", "消息|通知", "李娜"],
                               strict=True):
            cell.text = words
        document.add_picture(io.BytesIO(png()))

    space = await space_id_of(cast, "研发部")
    page = await imported(cast.lina, space, "需求.docx", word_file(build))
    assert page["title"] == "产品需求"
    assert page["markdown"] == canonical(
        "本文说明**核心功能**与*范围*\n\n## 功能列表\n\n- 登录\n  - 扫码登录\n- 消息\n\n"
        "1. 准备环境\n2. 部署\n\n1\\. 不是列表的段落\n\n`pip install xietong`\n\n"
        "| 模块 | 负责人 |\n| --- | --- |\n| 消息\\|通知 | 李娜 |\n\n\\[图片\\]\n")


async def test_refused_files_are_4xx_never_500(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (word_in.MAX_UNPACKED_BYTES + 1))
    corrupt = word_file(lambda d: d.add_paragraph("好的文档"))
    corrupt = corrupt[:len(corrupt) // 2]
    cases = [
        ("empty.md", b"", 422, "page_import_empty"),
        ("blank.md", b" \n\t\n", 422, "page_import_empty"),
        ("blank.docx", word_file(lambda d: d.add_paragraph("   ")), 422, "page_import_empty"),
        ("notes.pdf", b"%PDF-1.7", 422, "page_import_type"),
        ("noextension", b"# hi", 422, "page_import_type"),
        ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, 422,
         "page_import_doc"),
        ("random.docx", bytes(range(256)) * 10, 422, "page_import_unreadable"),
        ("zip.docx", zipped.getvalue(), 422, "page_import_unreadable"),
        ("half.docx", corrupt, 422, "page_import_unreadable"),
        ("bomb.docx", bomb.getvalue(), 413, "page_import_too_large"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 422, "page_import_unreadable"),
        ("huge.md", b"a" * (imports.MAX_IMPORT_BYTES + 1), 413, "page_import_too_large"),
        ("huger.md", b"a" * (imports.MAX_IMPORT_BYTES + 100_000), 413, "payload_too_large"),
    ]
    for name, data, status, code in cases:
        response = await import_file(cast.lina, space, name, data)
        assert response.status_code == status, (name, response.text)
        if code is not None:
            assert error_code(response) == code, name
    # Malformed fields, and no file at all.
    for fields in ({"space_id": "abc"}, {"space_id": "0"}, {}, {"space_id": str(space),
                                                                "parent_id": "-1"}):
        response = await cast.lina.api.post(IMPORT, data=fields,
                                            files={"file": ("a.md", b"# a")})
        assert response.status_code == 422, (fields, response.text)
    no_file = await cast.lina.api.post(IMPORT, data={"space_id": str(space)},
                                       files={"other": ("a.md", b"# a")})
    assert (no_file.status_code, error_code(no_file)) == (422, "page_import_file_required")
    assert [item["title"] for item in (await cast.lina.api.get(
        f"{SPACES}/{space}/tree")).json()["items"]] == []


# --- a space -------------------------------------------------------------------------------


async def test_a_space_as_a_zip_mirrors_its_tree(cast: Cast) -> None:
    space = (await make_space(cast.lina, "产品文档"))["id"]
    guide = await make_page(cast.lina, space, "使用指南")
    await make_page(cast.lina, space, "安装/部署", parent_id=guide["id"])
    await make_page(cast.lina, space, "FAQ", parent_id=guide["id"])
    await make_page(cast.lina, space, "faq", parent_id=guide["id"])
    deep = await make_page(cast.lina, space, "进阶", parent_id=guide["id"])
    await imported(cast.lina, space, "x.md", b"# \xe5\x8f\x82\xe6\x95\xb0\n\nport: 8080\n",
                   parent_id=deep["id"])
    await make_page(cast.lina, space, "使用指南")
    await make_page(cast.lina, space, "CON")
    await make_page(cast.lina, space, "  .隐藏. ")
    gone = await make_page(cast.lina, space, "已删除")
    assert (await cast.lina.api.delete(f"{PAGES}/{gone['id']}")).status_code == 204

    out = await cast.lina.api.get(f"{SPACES}/{space}/export")
    assert out.status_code == 200, out.text
    assert out.headers["content-type"] == "application/zip"
    assert filename_of(out) == quote("产品文档.zip", safe="")
    assert out.headers["x-export-pages"] == "9"
    assert out.headers["x-export-confidential-excluded"] == "0"
    archive = zipfile.ZipFile(io.BytesIO(out.content))
    assert sorted(archive.namelist()) == sorted([
        "产品文档/README.md",
        "产品文档/使用指南/index.md",
        "产品文档/使用指南/安装_部署.md",
        "产品文档/使用指南/FAQ.md",
        "产品文档/使用指南/faq (2).md",
        "产品文档/使用指南/进阶/index.md",
        "产品文档/使用指南/进阶/参数.md",
        "产品文档/使用指南.md",
        "产品文档/_CON.md",
        "产品文档/隐藏.md",
    ])
    assert all(info.flag_bits & 0x800 for info in archive.infolist())  # UTF-8 names
    assert archive.read("产品文档/使用指南/进阶/参数.md").decode() == "# 参数\n\nport: 8080\n"
    assert archive.read("产品文档/使用指南/index.md").decode() == "# 使用指南\n"
    assert "9 pages" in archive.read("产品文档/README.md").decode()
    [entry] = await audit_entries(cast, "space.exported")
    assert entry["details"]["pages"] == 9
    assert entry["target"] == f"space:{space}"


def test_safe_names() -> None:
    assert safe_name("季度/计划: v2*?") == "季度_计划_ v2__"
    assert safe_name("a\x00b\tc\u202ed") == "a_b_cd"
    assert safe_name("nul.txt") == "_nul.txt"
    assert safe_name("...") == "无标题文档"
    assert safe_name("长" * 300) == "长" * 80


# --- confidential pages, and who may do what -------------------------------------------------


async def test_confidential_pages_are_never_exported(cast: Cast) -> None:
    space = (await make_space(cast.lina, "人事"))["id"]
    secret = await make_page(cast.lina, space, "薪酬方案", classification="confidential")
    under = await make_page(cast.lina, space, "公开说明", parent_id=secret["id"])
    lone = await make_page(cast.lina, space, "绩效名单", classification="confidential")
    await make_page(cast.lina, space, "入职流程")
    for export_format in ("md", "docx"):
        refused = await export(cast.lina, secret["id"], export_format)
        assert (refused.status_code, error_code(refused)) == (403, "page_export_confidential")
    refusals = await audit_entries(cast, "page.export_refused")
    assert [(e["actor_id"], e["target"], e["details"]["format"]) for e in refusals] == [
        (cast.lina.id, f"page:{secret['id']}", "docx"),
        (cast.lina.id, f"page:{secret['id']}", "md")]
    assert (await export(cast.lina, under["id"])).status_code == 200

    out = await cast.lina.api.get(f"{SPACES}/{space}/export")
    assert out.headers["x-export-confidential-excluded"] == "2"
    archive = zipfile.ZipFile(io.BytesIO(out.content))
    assert sorted(archive.namelist()) == [
        "人事/README.md", "人事/入职流程.md", "人事/薪酬方案/公开说明.md"]
    readme = archive.read("人事/README.md").decode()
    assert "薪酬方案" in readme
    assert "绩效名单" in readme
    assert "机密" in readme
    assert all("薪酬" not in archive.read(name).decode()
               for name in archive.namelist() if name != "人事/README.md")
    [entry] = await audit_entries(cast, "space.exported")
    assert sorted(entry["details"]["confidential_left_out"]) == sorted([secret["id"],
                                                                        lone["id"]])


async def test_readers_export_editors_import_outsiders_see_nothing(cast: Cast) -> None:
    space = (await make_space(cast.lina, "方案库", grants=[
        person_grant(cast.zhangwei, "view")]))["id"]
    page = await imported(cast.lina, space, "方案.md", b"# \xe6\x96\xb9\xe6\xa1\x88\n\nwords\n")
    hidden = await make_page(cast.lina, space, "内部讨论")
    await set_page_grants(cast.lina, hidden["id"], [person_grant(cast.lina, "manage")])
    # A reader exports the page and the space — only what they may read of it.
    assert (await export(cast.zhangwei, page["id"])).status_code == 200
    assert (await export(cast.zhangwei, page["id"], "docx")).status_code == 200
    zipped = await cast.zhangwei.api.get(f"{SPACES}/{space}/export")
    assert zipped.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    assert sorted(archive.namelist()) == ["方案库/README.md", "方案库/方案.md"]
    assert all("内部讨论" not in archive.read(name).decode() for name in archive.namelist())
    assert (await export(cast.zhangwei, hidden["id"])).status_code == 404
    exported = await audit_entries(cast, "page.exported")
    assert sorted(e["details"]["format"] for e in exported
                  if e["actor_id"] == cast.zhangwei.id) == ["docx", "md"]
    # … but may not import into it, at its top or under a page.
    for parent in (None, page["id"]):
        refused = await import_file(cast.zhangwei, space, "a.md", b"# a", parent)
        assert refused.status_code in (403, 422), refused.text
        assert error_code(refused) in ("page_level_too_low", "unknown_parent_page")
    # Someone without access finds nothing to export or import into.
    for path in (f"{PAGES}/{page['id']}/export", f"{SPACES}/{space}/export"):
        missing = await cast.wangfang.api.get(path)
        assert (missing.status_code, error_code(missing)) == (404, "not_found")
    outsider = await import_file(cast.wangfang, space, "a.md", b"# a")
    assert (outsider.status_code, error_code(outsider)) == (422, "unknown_space")
    # A page in the trash is not exported.
    assert (await cast.lina.api.delete(f"{PAGES}/{page['id']}")).status_code == 204
    assert (await export(cast.lina, page["id"])).status_code == 404
    # The space's editors import under a page, last among its children.
    parent = await make_page(cast.lina, space, "上级")
    child = await imported(cast.lina, space, "子页面.md", b"text", parent["id"])
    assert child["parent_id"] == parent["id"]
    assert [b["title"] for b in child["breadcrumbs"]] == ["上级"]


@pytest.mark.parametrize("export_format", ["pdf", "", "MD"])
async def test_unknown_formats_are_refused(cast: Cast, export_format: str) -> None:
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "页")
    assert (await export(cast.lina, page["id"], export_format)).status_code == 422


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()
