"""A space's files in the browser: an editor uploads by the button and by dropping files on
the list, a reader sees them arrive live; an image previews in the drawer and a PDF opens in
the browser's own viewer framed there; a new version is uploaded and an older one brought
back; a reader gets no buttons to change anything; empty, error and phone layouts."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from playwright.async_api import FilePayload, Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.documents.helpers import make_space, person_grant
from tests.files.images import solid_png
from tests.helpers import Cast

PHONE: ViewportSize = {"width": 390, "height": 844}


def one_page_pdf(text: str) -> bytes:
    """A real one-page PDF saying `text` (the browser's viewer renders it)."""
    stream = f"BT /F1 24 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, table)
    return out


@pytest.fixture
async def space(cast: Cast) -> dict[str, Any]:
    """李娜's shared space 产品资料: 刘洋 edits it, 张伟 reads it."""
    return await make_space(cast.lina, "产品资料", grants=[
        person_grant(cast.liuyang, "edit"), person_grant(cast.zhangwei, "view")])


async def open_files(open_page: OpenPage, username: str, space_id: int,
                     viewport: ViewportSize | None = None) -> Page:
    page = await open_page(username, f"/docs/spaces/{space_id}?tab=files", viewport=viewport)
    await expect(page.get_by_test_id("library")).to_be_visible()
    return page


async def drop_file(page: Page, name: str, data: bytes, mime: str) -> None:
    """Drop a file on the list as a desktop's file manager would."""
    await page.evaluate(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
            const transfer = new DataTransfer()
            transfer.items.add(new File([bytes], name, { type: mime }))
            const target = document.querySelector('[data-testid="library"]')
            for (const type of ['dragenter', 'dragover', 'drop']) {
                target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true,
                                                           dataTransfer: transfer }))
            }
        }""", [name, base64.b64encode(data).decode(), mime])


async def test_upload_preview_versions_and_restore(cast: Cast, space: dict[str, Any],
                                                   open_page: OpenPage, live_server: str) -> None:
    editor = await open_files(open_page, "liuyang", space["id"])
    reader = await open_files(open_page, "zhangwei", space["id"])
    await expect(editor.get_by_test_id("library-empty")).to_contain_text("还没有文件")
    await expect(reader.get_by_test_id("library-empty")).to_contain_text("编辑者上传的文件")
    await expect(reader.get_by_text("上传文件")).to_have_count(0)
    await assert_no_serious_violations(editor)
    await screenshot(editor, "doc-library-empty")

    # Two files by the button, one by dropping it on the list.
    files: list[FilePayload] = [
        {"name": "产品截图.png", "mimeType": "image/png", "buffer": solid_png(640, 400)},
        {"name": "用户手册.pdf", "mimeType": "application/pdf",
         "buffer": one_page_pdf("Xietong manual")}]
    await editor.get_by_test_id("library-input").set_input_files(files)
    await drop_file(editor, "报价单 2025.xlsx", b"price list v1", "application/vnd.ms-excel")
    rows = editor.get_by_test_id("library-list").locator("li")
    await expect(rows).to_have_count(3)
    # A–Z by pinyin: 报 (bao), 产 (chan), 用 (yong).
    names = [await row.locator(".row-title").inner_text() for row in await rows.all()]
    assert names == ["报价单 2025.xlsx", "产品截图.png", "用户手册.pdf"]
    # The reader sees them arrive without reloading.
    await expect(reader.get_by_test_id("library-list").locator("li")).to_have_count(3)
    await assert_no_serious_violations(editor)
    await screenshot(editor, "doc-library-list")

    # The image previews in the drawer.
    await editor.get_by_role("button", name="产品截图.png").click()
    drawer = editor.get_by_test_id("library-drawer")
    image = drawer.get_by_test_id("library-preview-image")
    await expect(image).to_be_visible()
    assert await image.evaluate("(img) => img.complete && img.naturalWidth") == 640
    await assert_no_serious_violations(editor)
    await screenshot(editor, "doc-library-image")

    # A new version, then the first brought back as the newest.
    await drawer.get_by_test_id("library-version-input").set_input_files(
        {"name": "产品截图-v2.png", "mimeType": "image/png",
         "buffer": solid_png(320, 200, "#e5484d")})
    versions = drawer.get_by_test_id("library-version")
    await expect(versions).to_have_count(2)
    await expect(versions.first).to_contain_text("版本 2")
    await expect(versions.first).to_contain_text("当前")
    await expect(image).to_have_js_property("naturalWidth", 320)
    await versions.nth(1).get_by_test_id("library-version-restore").click()
    await editor.get_by_test_id("library-restore-confirm").click()
    await expect(versions).to_have_count(3)
    await expect(versions.first).to_contain_text("由版本 1 恢复")
    await expect(image).to_have_js_property("naturalWidth", 640)
    # The list says so: three versions.
    await drawer.get_by_test_id("library-close").click()
    await expect(editor.get_by_role("button", name="产品截图.png")).to_contain_text("3 个版本")
    await expect(reader.get_by_role("button", name="产品截图.png")).to_contain_text("3 个版本")

    # The PDF opens in the browser's own viewer, framed from our origin.
    await reader.get_by_role("button", name="用户手册.pdf").click()
    frame = reader.get_by_test_id("library-preview-pdf")
    await expect(frame).to_be_visible()
    src = await frame.get_attribute("src")
    assert src is not None
    response = await reader.request.get(live_server + src)
    assert response.headers["content-disposition"].startswith("inline;")
    await reader.wait_for_timeout(1000)  # the viewer draws the page
    assert any(f.url.endswith(src) for f in reader.frames), [f.url for f in reader.frames]
    # The reader may download but change nothing.
    reader_drawer = reader.get_by_test_id("library-drawer")
    await expect(reader_drawer.get_by_test_id("library-download")).to_be_visible()
    for control in ("library-version-input", "library-rename", "library-delete"):
        await expect(reader_drawer.get_by_test_id(control)).to_have_count(0)
    await assert_no_serious_violations(reader, "[data-testid=library-drawer]")
    await screenshot(reader, "doc-library-pdf")


async def test_phone_layout_and_a_failed_list(cast: Cast, space: dict[str, Any],
                                              open_page: OpenPage) -> None:
    for name, data in (("季度复盘.pptx", b"deck"), ("合同（盖章版）.pdf", one_page_pdf("Contract")),
                       ("团建照片.png", solid_png(800, 600, "#30a46c"))):
        stored = await cast.liuyang.api.post("/api/v1/files", files={"file": (name, data)})
        added = await cast.liuyang.api.post(f"/api/v1/spaces/{space['id']}/files",
                                            json={"file_id": stored.json()["id"]})
        assert added.status_code == 201, added.text
    page = await open_files(open_page, "liuyang", space["id"], viewport=PHONE)
    await expect(page.get_by_test_id("library-list").locator("li")).to_have_count(3)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
    await assert_no_serious_violations(page)
    await screenshot(page, "doc-library-phone")
    await page.get_by_role("button", name="团建照片.png").click()
    drawer = page.get_by_test_id("library-drawer")
    await expect(drawer.get_by_test_id("library-preview-image")).to_be_visible()
    box = await drawer.bounding_box()
    assert box is not None
    assert box["width"] == PHONE["width"]
    await assert_no_serious_violations(page)
    await screenshot(page, "doc-library-phone-drawer")

    # The list failing to load says so and offers to try again.
    other = await open_page("zhangwei", f"/docs/spaces/{space['id']}", viewport=PHONE)
    await other.route("**/api/v1/spaces/*/files*", unavailable())
    await other.get_by_test_id("space-tab-files").click()
    await expect(other.get_by_text("服务暂时不可用")).to_be_visible()
    await other.unroute("**/api/v1/spaces/*/files*")
    await other.get_by_role("button", name="重试").click()
    await expect(other.get_by_test_id("library-list").locator("li")).to_have_count(3)
