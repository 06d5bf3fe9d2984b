"""Uploads, downloads and thumbnails over the real app, on the real database and disk.

Who may download: the uploader, and whoever may read a live message carrying the file.
Everyone else gets the same 404 as for a file that does not exist.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import Backend
from tests.files.images import png_chunk
from tests.helpers import Cast, Person, anonymous_client, client_with_token, error_code, statements
from xietong.app import create_app
from xietong.chat.models import MessageFile
from xietong.core.errors import PayloadTooLarge
from xietong.files.actions import Upload, clean_file_name, discard_upload, store_upload
from xietong.files.api import MULTIPART_ALLOWANCE, content_disposition
from xietong.files.models import StoredFile
from xietong.files.queries import attachable_file_ids, files_by_ids
from xietong.files.sniff import sniff_content_type
from xietong.files.storage import LocalStorage
from xietong.files.thumbnails import inspect_image
from xietong.runtime import Runtime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STORED_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}")


# --- helpers ------------------------------------------------------------------------------

async def upload(person: Person | httpx.AsyncClient, name: str, data: bytes,
                 claimed_type: str = "application/octet-stream") -> httpx.Response:
    api = person if isinstance(person, httpx.AsyncClient) else person.api
    return await api.post("/api/v1/files", files={"file": (name, data, claimed_type)})


async def uploaded(person: Person, name: str, data: bytes,
                   claimed_type: str = "application/octet-stream") -> dict[str, object]:
    response = await upload(person, name, data, claimed_type)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def files_root(runtime: Runtime) -> Path:
    return runtime.settings.data_dir / "files"


def stored_objects(runtime: Runtime) -> set[Path]:
    """Every object in local storage (not the staging directory), relative to its root."""
    root = files_root(runtime)
    return {p.relative_to(root) for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] != "tmp"}


def staging_leftovers(runtime: Runtime) -> list[Path]:
    staging = files_root(runtime) / "tmp"
    return list(staging.iterdir()) if staging.is_dir() else []


async def file_rows(runtime: Runtime) -> int:
    async with runtime.reader() as uow:
        return await uow.session.scalar(select(func.count()).select_from(StoredFile)) or 0


def xlsx_bytes() -> bytes:
    """A minimal Office Open XML workbook (what Excel's files look like to a sniffer)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", "<Types/>"),
                           ("_rels/.rels", "<Relationships/>"),
                           ("xl/workbook.xml", "<workbook/>"),
                           ("xl/worksheets/sheet1.xml", "<worksheet>报价 ¥12,800</worksheet>")):
            # A fixed timestamp: the same workbook must be the same bytes on every call.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 1, 9, 0, 0)), text,
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def image_bytes(size: tuple[int, int], fmt: str, *, mode: str = "RGB",
                orientation: int | None = None) -> bytes:
    image = Image.new(mode, size, "#c0392b" if mode == "RGB" else None)
    # Content a real encoder must work on: a gradient across the image.
    for x in range(0, size[0], max(1, size[0] // 50)):
        image.putpixel((x, size[1] // 2), (x % 256, 80, 160) if mode == "RGB" else 0)
    out = io.BytesIO()
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def png_declaring(width: int, height: int, pixel_data: bytes) -> bytes:
    """A PNG whose header declares `width`×`height` (1-bit grey) over whatever data we give:
    a decompression bomb is exactly this, a small file promising an enormous image."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", pixel_data) + png_chunk(b"IEND", b""))


async def private_channel(owner: Person, *members: Person) -> int:
    response = await owner.api.post("/api/v1/channels", json={
        "name": "报价讨论", "kind": "private", "member_ids": [m.id for m in members]})
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    return channel_id


async def public_channel(owner: Person) -> int:
    response = await owner.api.post("/api/v1/channels", json={"name": "公告栏", "kind": "public"})
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    return channel_id


async def send_with_file(runtime: Runtime, sender: Person, channel_id: int, file_id: int) -> int:
    """Post a message carrying the file through the real send path; returns its id."""
    response = await sender.api.post(f"/api/v1/channels/{channel_id}/messages",
                                     json={"text": "见附件", "file_ids": [file_id]})
    assert response.status_code == 201, response.text
    message_id: int = response.json()["id"]
    async with runtime.reader() as uow:
        attached = await uow.session.get(MessageFile, (message_id, file_id))
    assert attached is not None
    assert attached.channel_id == channel_id
    return message_id


@pytest.fixture
async def anonymous(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with anonymous_client(client) as c:
        yield c


@pytest.fixture
async def small_limit_app(backend: Backend, runtime: Runtime,
                          cast: Cast) -> AsyncIterator[httpx.AsyncClient]:
    """The app of a second runtime (same database and data directory) that accepts files of
    at most 1 KiB, with 张伟 signed in."""
    limited = Runtime(backend.settings(max_upload_bytes=1024))
    transport = httpx.ASGITransport(app=create_app(limited))
    base = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    api = client_with_token(base, cast.zhangwei.token)
    try:
        yield api
    finally:
        await api.aclose()
        await base.aclose()
        await limited.close()


# --- upload and download ------------------------------------------------------------------

async def test_round_trip_keeps_a_chinese_name_and_stores_under_a_random_one(
        cast: Cast, runtime: Runtime) -> None:
    data = xlsx_bytes()
    before = stored_objects(runtime)
    body = await uploaded(cast.zhangwei, "报价单 Q3.xlsx", data, "application/vnd.ms-excel")
    assert set(body) == {"id", "name", "size", "content_type", "width", "height",
                         "has_thumbnail", "created_at"}
    assert body["name"] == "报价单 Q3.xlsx"
    assert body["size"] == len(data)
    assert body["content_type"] == XLSX
    assert (body["width"], body["height"], body["has_thumbnail"]) == (None, None, False)

    (new,) = stored_objects(runtime) - before
    assert STORED_NAME.fullmatch(new.as_posix())
    assert (files_root(runtime) / new).read_bytes() == data
    assert staging_leftovers(runtime) == []
    async with runtime.reader() as uow:
        row = await uow.session.get(StoredFile, body["id"])
        assert row is not None
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert row.uploader_id == cast.zhangwei.id

    download = await cast.zhangwei.api.get(f"/api/v1/files/{body['id']}")
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == XLSX
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('报价单 Q3.xlsx', safe='')}" in disposition
    assert 'filename="Q3.xlsx"' in disposition
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["cache-control"] == "private"
    # The download's own policy alone (not the app's for pages): sandboxed, loading
    # nothing, framed by our own pages only.
    [policy] = download.headers.get_list("content-security-policy")
    assert policy.startswith("sandbox;")
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert download.headers.get_list("x-frame-options") == ["SAMEORIGIN"]


@pytest.mark.parametrize(("client_name", "shown"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\x", "x"),
    ("/srv/xietong/data/files/ab/cd/evil", "evil"),
    ("..", "file"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),
])
async def test_a_client_name_never_chooses_the_path(cast: Cast, runtime: Runtime,
                                                    client_name: str, shown: str) -> None:
    before = stored_objects(runtime)
    body = await uploaded(cast.lina, client_name, b"root:x:0:0:root:/root:/bin/bash\n")
    assert body["name"] == shown
    (new,) = stored_objects(runtime) - before
    assert STORED_NAME.fullmatch(new.as_posix())
    assert (files_root(runtime) / new).resolve().is_relative_to(files_root(runtime).resolve())
    assert not (runtime.settings.data_dir / "etc").exists()
    assert not (runtime.settings.data_dir.parent / "x").exists()
    download = await cast.lina.api.get(f"/api/v1/files/{body['id']}")
    assert "/" not in download.headers["content-disposition"].split("filename*=")[0]


@pytest.mark.parametrize(("raw", "clean"), [
    ("报价单 Q3.xlsx", "报价单 Q3.xlsx"),
    ("C:\\Users\\张伟\\Desktop\\合同.docx", "合同.docx"),
    ("a/b/c.txt", "c.txt"),
    ("  空格.txt  ", "空格.txt"),
    ("tab\there\nnew\x00line.txt", "tabherenewline.txt"),
    ("\u202eexe.txt\u2066", "exe.txt"),
    ("e\u0301clair.txt", "\u00e9clair.txt"),  # NFC
    ("", "file"),
    (None, "file"),
    (".", "file"),
    ("dir/", "file"),
    ("\x01\x02", "file"),
    (".bashrc", ".bashrc"),
    ("王芳 🌸 照片.jpeg", "王芳 🌸 照片.jpeg"),
])
def test_clean_file_name(raw: str | None, clean: str) -> None:
    assert clean_file_name(raw) == clean


def test_long_names_are_cut_keeping_the_extension() -> None:
    cut = clean_file_name("很" * 300 + ".pdf")
    assert len(cut) == 255
    assert cut.endswith("很.pdf")
    assert len(clean_file_name("x" * 400)) == 255


def test_content_disposition_cannot_be_broken_out_of() -> None:
    header = content_disposition('a"; filename="evil.html\r\n.txt', inline=False)
    assert "\r" not in header
    assert "\n" not in header
    assert header.count('"') == 2
    assert header.startswith('attachment; filename="a__ filename__evil.html__.txt"; ')
    assert content_disposition("图片.png", inline=True).startswith('inline; filename="file.png"')


async def test_empty_file(cast: Cast) -> None:
    body = await uploaded(cast.wangfang, "empty.txt", b"")
    assert body["size"] == 0
    assert body["content_type"] == "application/octet-stream"
    download = await cast.wangfang.api.get(f"/api/v1/files/{body['id']}")
    assert download.status_code == 200
    assert download.content == b""


async def test_utf8_text_is_plain_text(cast: Cast) -> None:
    body = await uploaded(cast.wangfang, "纪要.md", "# 会议纪要\n\n- 报价 ¥12,800\n".encode())
    assert body["content_type"] == "text/plain"
    download = await cast.wangfang.api.get(f"/api/v1/files/{body['id']}")
    assert download.headers["content-type"] == "text/plain; charset=utf-8"


# --- sniffing -----------------------------------------------------------------------------

async def test_a_png_claiming_html_is_a_png(cast: Cast) -> None:
    png = image_bytes((64, 32), "PNG")
    body = await uploaded(cast.zhangwei, "page.html", png, "text/html")
    assert body["content_type"] == "image/png"
    download = await cast.zhangwei.api.get(f"/api/v1/files/{body['id']}")
    assert download.headers["content-type"] == "image/png"
    # Images are shown, not downloaded; still with a safe name.
    assert download.headers["content-disposition"].startswith('inline; filename="page.html"')


@pytest.mark.parametrize("claimed", ["image/png", "text/html", "image/svg+xml"])
async def test_html_claiming_anything_is_never_served_as_html(cast: Cast, claimed: str) -> None:
    page = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
    body = await uploaded(cast.zhangwei, "photo.png", page, claimed)
    assert body["content_type"] == "text/plain"
    download = await cast.zhangwei.api.get(f"/api/v1/files/{body['id']}")
    assert download.headers["content-type"].startswith("text/plain")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_svg_is_text_not_an_image(cast: Cast) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    body = await uploaded(cast.zhangwei, "logo.svg", svg, "image/svg+xml")
    assert body["content_type"] == "text/plain"
    assert body["has_thumbnail"] is False


async def test_binary_claiming_an_image_is_octet_stream(cast: Cast) -> None:
    junk = bytes(range(256)) * 8
    body = await uploaded(cast.zhangwei, "scan.jpg", junk, "image/jpeg")
    assert body["content_type"] == "application/octet-stream"
    assert body["has_thumbnail"] is False


@pytest.mark.parametrize(("head", "is_text", "expected"), [
    (b"%PDF-1.7\n", True, "application/pdf"),
    (b"BM is a bitmap signature, but this is a note", True, "text/plain"),
    (b"MZ looks like a program", True, "text/plain"),
    (b"GIF89a<script>alert(1)</script>", True, "text/plain"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", False, "application/x-msdownload"),
    (b"", True, "application/octet-stream"),
])
def test_sniff_content_type(head: bytes, is_text: bool, expected: str) -> None:
    assert sniff_content_type(head, is_text=is_text) == expected


# --- size limit ---------------------------------------------------------------------------

async def test_a_file_over_the_limit_is_refused_and_leaves_nothing(
        small_limit_app: httpx.AsyncClient, runtime: Runtime) -> None:
    api = small_limit_app
    before = stored_objects(runtime)
    rows = await file_rows(runtime)

    over = await upload(api, "big.bin", b"\x00" * 1025)
    assert over.status_code == 413
    assert error_code(over) == "payload_too_large"
    assert over.json()["error"]["details"] == {"max_bytes": 1024}

    # Far past the body limit too: refused by the server before the app reads it all.
    huge = await upload(api, "huge.bin", b"\x01" * (1024 + MULTIPART_ALLOWANCE + 50_000))
    assert huge.status_code == 413
    assert error_code(huge) == "payload_too_large"

    assert stored_objects(runtime) == before
    assert staging_leftovers(runtime) == []
    assert await file_rows(runtime) == rows

    fits = await upload(api, "fits.bin", b"\x00" * 1024)
    assert fits.status_code == 201, fits.text
    assert fits.json()["size"] == 1024


async def test_the_limit_is_enforced_while_copying(tmp_path: Path) -> None:
    """Even a source whose size nobody declared stops at the limit, and leaves no file."""
    storage = LocalStorage(tmp_path / "files")
    with pytest.raises(PayloadTooLarge):
        await store_upload(storage, io.BytesIO(b"x" * 5000), max_bytes=4096,
                           max_image_pixels=1000, max_decoded_pixels=1000)
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


async def test_a_large_file_is_copied_in_chunks(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")
    reads: list[int] = []

    class CountingSource(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            chunk = super().read(size)
            reads.append(len(chunk))
            return chunk

    data = bytes(range(256)) * 8192  # 2 MiB
    stored = await store_upload(storage, CountingSource(data), max_bytes=10 * 2**20,
                                max_image_pixels=1000, max_decoded_pixels=1000)
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert max(reads) <= 256 * 1024
    assert storage.path_of(stored.key).read_bytes() == data

    await discard_upload(storage, stored)
    assert not storage.path_of(stored.key).exists()


async def test_discard_removes_the_file_and_its_thumbnail(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")
    stored: Upload = await store_upload(storage, io.BytesIO(image_bytes((50, 50), "PNG")),
                                        max_bytes=2**20, max_image_pixels=10**6,
                                        max_decoded_pixels=10**6)
    assert stored.thumbnail_key is not None
    await discard_upload(storage, stored)
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


# --- images -------------------------------------------------------------------------------

async def test_png_gets_a_thumbnail_and_its_size(cast: Cast) -> None:
    body = await uploaded(cast.lina, "架构图.png", image_bytes((1200, 600), "PNG", mode="RGBA"))
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 1200, 600)
    assert body["has_thumbnail"] is True
    thumbnail = await cast.lina.api.get(f"/api/v1/files/{body['id']}/thumbnail")
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/webp"
    assert thumbnail.headers["cache-control"] == "private"
    assert thumbnail.headers["content-disposition"].startswith("inline;")
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert image.format == "WEBP"
        assert image.size == (400, 200)
        assert image.mode == "RGBA"


async def test_jpeg_thumbnail_follows_exif_orientation(cast: Cast) -> None:
    # Stored 800×400 with "rotate 90°" in EXIF, as phones write portrait photos.
    photo = image_bytes((800, 400), "JPEG", orientation=6)
    body = await uploaded(cast.lina, "IMG_0001.JPG", photo)
    assert (body["content_type"], body["width"], body["height"]) == ("image/jpeg", 400, 800)
    thumbnail = await cast.lina.api.get(f"/api/v1/files/{body['id']}/thumbnail")
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert image.size == (200, 400)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
async def test_small_gif_and_webp_thumbnails_are_not_enlarged(cast: Cast, fmt: str) -> None:
    body = await uploaded(cast.lina, f"icon.{fmt.lower()}", image_bytes((120, 90), fmt))
    assert (body["width"], body["height"], body["has_thumbnail"]) == (120, 90, True)
    thumbnail = await cast.lina.api.get(f"/api/v1/files/{body['id']}/thumbnail")
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert image.size == (120, 90)


async def test_decompression_bomb_is_stored_without_thumbnail(cast: Cast) -> None:
    # 30000×30000 pixels promised by a file of a few hundred bytes.
    bomb = png_declaring(30000, 30000, zlib.compress(b"\x00" * 100_000, 9))
    assert len(bomb) < 1000
    response = await upload(cast.lina, "bomb.png", bomb)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == "image/png"
    assert body["has_thumbnail"] is False
    missing = await cast.lina.api.get(f"/api/v1/files/{body['id']}/thumbnail")
    assert missing.status_code == 404
    assert error_code(missing) == "no_thumbnail"
    assert (await cast.lina.api.get(f"/api/v1/files/{body['id']}")).content == bomb


async def test_images_past_the_pixel_limit_keep_their_size_but_get_no_thumbnail() -> None:
    facts = await inspect_image(io.BytesIO(image_bytes((200, 100), "PNG")), "image/png",
                                max_pixels=19_999, max_decoded_pixels=10**6)
    assert (facts.width, facts.height, facts.thumbnail) == (200, 100, None)
    facts = await inspect_image(io.BytesIO(image_bytes((200, 100), "PNG")), "image/png",
                                max_pixels=20_000, max_decoded_pixels=10**6)
    assert facts.thumbnail is not None


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
async def test_a_corrupt_image_is_stored_without_thumbnail(cast: Cast, damage: str) -> None:
    photo = image_bytes((640, 480), "JPEG")
    broken = (photo[: len(photo) // 3] if damage == "truncated"
              else png_declaring(100, 100, b"not zlib data at all" * 10))
    response = await upload(cast.lina, "broken.jpg", broken)
    assert response.status_code == 201, response.text
    assert response.json()["has_thumbnail"] is False


# --- who may download ---------------------------------------------------------------------

async def test_only_the_uploader_sees_an_unshared_file(cast: Cast,
                                                       anonymous: httpx.AsyncClient) -> None:
    body = await uploaded(cast.zhangwei, "合同.png", image_bytes((100, 100), "PNG"))
    file_id = body["id"]
    for path in (f"/api/v1/files/{file_id}", f"/api/v1/files/{file_id}/thumbnail"):
        assert (await cast.zhangwei.api.get(path)).status_code == 200
        for outsider in (cast.lina, cast.alex, cast.zhoujianguo):
            refused = await outsider.api.get(path)
            assert refused.status_code == 404, (outsider.username, path)
            assert error_code(refused) == "not_found"
        unauthenticated = await anonymous.get(path)
        assert unauthenticated.status_code == 401
        assert error_code(unauthenticated) == "unauthorized"
    # A file that does not exist looks the same as one you may not see.
    missing = await cast.lina.api.get("/api/v1/files/999999")
    assert missing.status_code == 404
    assert missing.json() == (await cast.lina.api.get(f"/api/v1/files/{file_id}")).json()


async def test_a_message_shares_its_file_with_the_channel(cast: Cast, runtime: Runtime) -> None:
    body = await uploaded(cast.zhangwei, "报价单 Q3.xlsx", xlsx_bytes())
    photo = await uploaded(cast.zhangwei, "样品.png", image_bytes((300, 300), "PNG"))
    channel_id = await private_channel(cast.zhangwei, cast.liuyang)
    message_id = await send_with_file(runtime, cast.zhangwei, channel_id, int(str(body["id"])))
    await send_with_file(runtime, cast.zhangwei, channel_id, int(str(photo["id"])))

    shared = await cast.liuyang.api.get(f"/api/v1/files/{body['id']}")
    assert shared.status_code == 200
    assert shared.content == xlsx_bytes()
    assert (await cast.liuyang.api.get(f"/api/v1/files/{photo['id']}/thumbnail")).status_code \
        == 200
    # Outside the private channel nothing changes.
    assert (await cast.lina.api.get(f"/api/v1/files/{body['id']}")).status_code == 404
    assert (await cast.lina.api.get(f"/api/v1/files/{photo['id']}/thumbnail")).status_code \
        == 404

    # Deleting the message takes the file away from the channel, not from its uploader.
    deleted = await cast.zhangwei.api.delete(f"/api/v1/messages/{message_id}")
    assert deleted.status_code in (200, 204), deleted.text
    assert (await cast.liuyang.api.get(f"/api/v1/files/{body['id']}")).status_code == 404
    assert (await cast.zhangwei.api.get(f"/api/v1/files/{body['id']}")).status_code == 200


async def test_queries_per_upload_and_download(cast: Cast, runtime: Runtime) -> None:
    """An upload sums the uploader's files (the quota) and inserts its row; a download
    reads the row and, for anyone but the uploader, asks each domain that attaches files
    once whether something of it they may see carries it (a message; a request's form; a
    task; a space's file library; an announcement's cover or attachments); a download that
    is answered is logged (for the collaboration figures: one event, to nobody)."""
    for person in (cast.zhangwei, cast.liuyang, cast.lina):  # their tokens now remembered
        assert (await person.api.get("/api/v1/users/me")).status_code == 200
    with statements(runtime) as upload_statements:
        body = await uploaded(cast.zhangwei, "报价单.txt", "报价".encode())
    assert [s.split()[0] for s in upload_statements] == ["SELECT", "INSERT"], upload_statements
    channel_id = await private_channel(cast.zhangwei, cast.liuyang)
    await send_with_file(runtime, cast.zhangwei, channel_id, int(str(body["id"])))
    for person, status, expected in ((cast.zhangwei, 200, 2), (cast.liuyang, 200, 7),
                                     (cast.lina, 404, 6)):
        with statements(runtime) as download_statements:
            response = await person.api.get(f"/api/v1/files/{body['id']}")
        assert response.status_code == status
        assert len(download_statements) == expected, (person.username, download_statements)
    # An image a page shows by itself (an announcement's cover) is not counted as a download.
    with statements(runtime) as shown_statements:
        response = await cast.liuyang.api.get(f"/api/v1/files/{body['id']}",
                                              headers={"Sec-Fetch-Dest": "image"})
    assert response.status_code == 200
    assert len(shown_statements) == 6, shown_statements


async def test_only_ones_own_uploads_can_be_attached(cast: Cast) -> None:
    body = await uploaded(cast.zhangwei, "底价.txt", "底价 9 折".encode())
    channel_id = await private_channel(cast.liuyang, cast.lina)
    # 刘洋 guessed an id: attaching it would hand 张伟's file to 李娜.
    sent = await cast.liuyang.api.post(f"/api/v1/channels/{channel_id}/messages",
                                       json={"text": "看看", "file_ids": [body["id"]]})
    assert sent.status_code == 422
    assert error_code(sent) == "bad_file_ids"
    for person in (cast.liuyang, cast.lina):
        assert (await person.api.get(f"/api/v1/files/{body['id']}")).status_code == 404


async def test_public_channel_files_are_visible_to_members_but_not_guests(
        cast: Cast, runtime: Runtime) -> None:
    body = await uploaded(cast.zhangwei, "通知.txt", "周五团建".encode())
    channel_id = await public_channel(cast.zhangwei)
    await send_with_file(runtime, cast.zhangwei, channel_id, int(str(body["id"])))
    # 李娜 has not joined, but members may read public channels; the guest may not.
    assert (await cast.lina.api.get(f"/api/v1/files/{body['id']}")).status_code == 200
    assert (await cast.alex.api.get(f"/api/v1/files/{body['id']}")).status_code == 404


# --- the upload request -------------------------------------------------------------------

async def test_upload_needs_sign_in_but_guests_may_upload(cast: Cast, runtime: Runtime,
                                                          anonymous: httpx.AsyncClient) -> None:
    before = stored_objects(runtime)
    refused = await upload(anonymous, "a.txt", b"hello")
    assert refused.status_code == 401
    assert error_code(refused) == "unauthorized"
    assert stored_objects(runtime) == before
    guest = await uploaded(cast.alex, "proposal.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    assert guest["content_type"] == "application/pdf"


async def test_upload_with_cookie_needs_the_csrf_header(cast: Cast,
                                                        anonymous: httpx.AsyncClient) -> None:
    anonymous.cookies.set("xietong_session", cast.wangfang.token)
    refused = await upload(anonymous, "a.txt", b"hello")
    assert refused.status_code == 403
    assert error_code(refused) == "csrf_failed"


@pytest.mark.parametrize("request_kwargs", [
    {"files": {"attachment": ("a.txt", b"hello", "text/plain")}},
    {"data": {"file": "not a file, a text field"}},
    {"json": {"file": "aGVsbG8="}},
    {"content": b"", "headers": {"Content-Type": "multipart/form-data; boundary=x"}},
])
async def test_a_request_without_the_file_field_is_422(cast: Cast,
                                                       request_kwargs: dict[str, object]) -> None:
    response = await cast.zhangwei.api.post("/api/v1/files", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    assert error_code(response) == "file_required"


async def test_only_one_file_per_upload(cast: Cast) -> None:
    response = await cast.zhangwei.api.post("/api/v1/files", files=[
        ("file", ("a.txt", b"a", "text/plain")), ("file", ("b.txt", b"b", "text/plain"))])
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


async def test_upload_is_described_in_openapi(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    upload_op = spec["paths"]["/api/v1/files"]["post"]
    assert upload_op["operationId"] == "upload_file"
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert "/api/v1/files/{file_id}/thumbnail" in spec["paths"]


# --- what the chat domain calls -----------------------------------------------------------

async def test_attachable_file_ids_are_the_callers_own(cast: Cast, runtime: Runtime) -> None:
    mine = await uploaded(cast.zhangwei, "a.txt", b"a")
    also_mine = await uploaded(cast.zhangwei, "b.txt", b"b")
    theirs = await uploaded(cast.lina, "c.txt", b"c")
    ids = [int(str(f["id"])) for f in (mine, also_mine, theirs)]
    async with runtime.reader() as uow:
        assert await attachable_file_ids(uow, cast.zhangwei.id, [*ids, 999999]) == set(ids[:2])
        assert await attachable_file_ids(uow, cast.zhangwei.id, []) == set()
        found = await files_by_ids(uow, [ids[0], ids[2], 999999])
        assert set(found) == {ids[0], ids[2]}
        assert found[ids[2]].name == "c.txt"
        assert await files_by_ids(uow, []) == {}
