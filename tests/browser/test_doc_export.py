"""Import and export in the browser: a page's "…" menu downloads it as Word (and its export
items are disabled, saying why, on a confidential page), the space's 导出空间 downloads a zip,
and a Markdown file chosen in the new-page dialog becomes a page that opens."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from playwright.async_api import FilePayload, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_docs import PHONE, editor, open_doc, rooms_closed
from tests.documents.helpers import PAGES, make_page, make_space
from tests.helpers import Cast

__all__ = ["rooms_closed"]


async def test_the_page_menu_exports_word_but_not_a_confidential_page(
        cast: Cast, open_page: OpenPage) -> None:
    space = (await make_space(cast.lina, "产品文档"))["id"]
    made = await cast.lina.api.post(f"{PAGES}/import", data={"space_id": str(space)}, files={
        "file": ("x.md", "# 季度计划\n\n## 目标\n\n- 上线**协同**文档\n".encode())})
    assert made.status_code == 201, made.text
    page_id = made.json()["id"]
    browser_page = await open_doc(open_page, "lina", page_id)
    await expect(editor(browser_page)).to_contain_text("上线协同文档")
    await browser_page.get_by_test_id("page-more").click()
    menu = browser_page.get_by_role("menu")
    await expect(menu.get_by_role("menuitem", name="导出为 Markdown")).to_be_visible()
    await assert_no_serious_violations(browser_page)
    await screenshot(browser_page, "doc-export-menu")
    async with browser_page.expect_download() as downloading:
        await menu.get_by_role("menuitem", name="导出为 Word").click()
    download = await downloading.value
    assert download.suggested_filename == "季度计划.docx"
    path = await download.path()
    word = docx.Document(str(path))
    assert [p.text for p in word.paragraphs] == ["季度计划", "目标", "上线协同文档"]

    secret = await make_page(cast.lina, space, "薪酬方案", classification="confidential")
    browser_page = await open_doc(open_page, "lina", secret["id"])
    await browser_page.get_by_test_id("page-more").click()
    item = browser_page.get_by_test_id("menu-export-docx")
    await expect(item).to_have_attribute("aria-disabled", "true")
    await expect(item).to_have_attribute("title", "机密文档不能导出")
    exports: list[str] = []
    browser_page.on("request", lambda request: exports.append(request.url)
                    if "/export" in request.url else None)
    await item.click(force=True)
    await browser_page.wait_for_timeout(300)
    assert exports == []
    await assert_no_serious_violations(browser_page)
    await screenshot(browser_page, "doc-export-confidential")


async def test_a_markdown_file_becomes_a_page_and_the_space_a_zip(
        cast: Cast, open_page: OpenPage) -> None:
    space = (await make_space(cast.lina, "方案库"))["id"]
    await make_page(cast.lina, space, "已有文档")
    browser_page = await open_page("lina", f"/docs/spaces/{space}")
    await browser_page.get_by_test_id("space-new-page").click()
    dialog = browser_page.get_by_role("dialog")
    await expect(dialog.get_by_role("button", name="选择文件…")).to_be_visible()
    await assert_no_serious_violations(browser_page)
    await screenshot(browser_page, "doc-import-dialog")

    # A file that is not one we read: the reason, in the dialog.
    await dialog.get_by_test_id("import-file").set_input_files(files=FilePayload(
        name="报价.pdf", mimeType="application/pdf", buffer=b"%PDF-1.7"))
    await expect(dialog.get_by_role("alert")).to_contain_text("只能导入 Markdown")
    await screenshot(browser_page, "doc-import-error")

    await dialog.get_by_test_id("import-file").set_input_files(files=FilePayload(
        name="上线方案.md", mimeType="text/markdown",
        buffer="# 灰度发布方案\n\n1. 先开放 **5%** 用户\n2. 观察一天\n".encode()))
    await expect(browser_page).to_have_url(re.compile(r"/docs/pages/\d+$"))
    await expect(editor(browser_page)).to_contain_text("观察一天")
    await expect(browser_page.get_by_test_id("breadcrumbs")).to_contain_text("灰度发布方案")
    await expect(browser_page.get_by_role("tree")).to_contain_text("灰度发布方案")

    browser_page = await open_page("lina", f"/docs/spaces/{space}", viewport=PHONE)
    await expect(browser_page.get_by_test_id("space-export")).to_be_visible()
    await screenshot(browser_page, "doc-space-export-phone")
    async with browser_page.expect_download() as downloading:
        await browser_page.get_by_test_id("space-export").click()
    download = await downloading.value
    assert download.suggested_filename == "方案库.zip"
    archive = zipfile.ZipFile(io.BytesIO((await download.path()).read_bytes()))
    assert sorted(archive.namelist()) == ["方案库/README.md", "方案库/已有文档.md",
                                          "方案库/灰度发布方案.md"]
    await expect(browser_page.get_by_test_id("docs-notice")).to_have_text("已导出 2 篇文档。")
