"""What an upload may cost the node: bounded thumbnail memory, a per-person upload rate and
a per-person storage quota, over the real app on the real database and disk.

Memory is measured where it can be trusted: in a separate Python process decoding the
images through `inspect_image`, reading its own high-water mark (ru_maxrss) before and
after.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.conftest import Backend
from tests.files.images import banded_png, photo_jpeg
from tests.files.test_files import (
    file_rows,
    image_bytes,
    staging_leftovers,
    stored_objects,
    upload,
    uploaded,
)
from tests.helpers import Cast, Person, client_with_token, error_code
from xietong.app import create_app
from xietong.core.actor import Actor, Role
from xietong.core.errors import TooManyRequests
from xietong.core.ratelimit import MemoryCounter
from xietong.core.uow import UnitOfWork
from xietong.files import queries as files_queries
from xietong.files.actions import check_upload_rate
from xietong.redis_backend import RedisCounter, connect_redis
from xietong.runtime import Runtime

# `limited_app(**settings)`: a second app on the same database, with those settings.
LimitedApp = Callable[..., AbstractAsyncContextManager[Callable[[Person], httpx.AsyncClient]]]


# --- helpers ------------------------------------------------------------------------------

def noise_png(side: int, seed: int) -> bytes:
    """A small PNG of incompressible pixels: its size in bytes is predictable."""
    pixels = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest()
                      for i in range(side * side * 3 // 32 + 1))[:side * side * 3]
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, "PNG")
    return out.getvalue()


# Run in a fresh interpreter: decode the named files through inspect_image, all at once,
# and report the growth of the process's resident memory over its state just before
# (modules imported, files read). The kernel's high-water mark (ru_maxrss) can miss
# memory freed by some paths, so a thread also samples VmRSS every millisecond.
_MEASURE = """
import asyncio, io, json, resource, sys, threading, time
from xietong.files.thumbnails import inspect_image
from xietong.settings import Settings

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

async def main(paths, content_type):
    settings = Settings()
    sources = [io.BytesIO(open(p, "rb").read()) for p in paths]
    before = rss_kib()
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak, done = before, threading.Event()
    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kib())
            time.sleep(0.001)
    sampler = threading.Thread(target=sample)
    sampler.start()
    facts = await asyncio.gather(*(inspect_image(
        s, content_type, max_pixels=settings.max_image_pixels,
        max_decoded_pixels=settings.max_thumbnail_decoded_pixels) for s in sources))
    done.set()
    sampler.join()
    if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > high_water:
        peak = max(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps({"growth_kib": peak - before,
                      "thumbnails": [f.thumbnail is not None for f in facts],
                      "sizes": [[f.width, f.height] for f in facts]}))

asyncio.run(main(sys.argv[2:], sys.argv[1]))
"""


def decoding_cost(content_type: str, *paths: Path) -> dict[str, object]:
    """Inspect `paths` at the same time in a fresh process with the default settings;
    its memory growth in KiB and which got thumbnails."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, content_type, *map(str, paths)],
                          capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture
def limited_app(backend: Backend, runtime: Runtime, cast: Cast) -> LimitedApp:
    """`limited_app(**settings)`: the app of a second runtime (same database and data
    directory) with those settings; yields a function giving a person's client on it."""

    @asynccontextmanager
    async def open_app(**overrides: object
                       ) -> AsyncIterator[Callable[[Person], httpx.AsyncClient]]:
        limited = Runtime(backend.settings(**overrides))
        base = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(limited)),
                                 base_url="http://testserver")
        clients: list[httpx.AsyncClient] = []

        def client_of(person: Person) -> httpx.AsyncClient:
            clients.append(client_with_token(base, person.token))
            return clients[-1]

        try:
            yield client_of
        finally:
            for opened in clients:
                await opened.aclose()
            await base.aclose()
            await limited.close()

    return open_app


# --- thumbnails with bounded memory -------------------------------------------------------

async def test_a_huge_png_is_stored_and_downloadable_without_a_thumbnail(cast: Cast) -> None:
    # 60 million pixels in a quarter of a megabyte: about 240 MB once decoded.
    huge = banded_png(7700, 7700)
    assert len(huge) < 400_000
    body = await uploaded(cast.lina, "大图.png", huge)
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 7700, 7700)
    assert body["has_thumbnail"] is False
    download = await cast.lina.api.get(f"/api/v1/files/{body['id']}")
    assert download.status_code == 200
    assert download.content == huge
    missing = await cast.lina.api.get(f"/api/v1/files/{body['id']}/thumbnail")
    assert missing.status_code == 404
    assert error_code(missing) == "no_thumbnail"


async def test_a_photo_still_gets_its_thumbnail(cast: Cast) -> None:
    # A 12-megapixel phone photo, and a 60-megapixel JPEG (decoded at 1/8 scale).
    for (width, height), expected in (((4000, 3000), (400, 300)), ((7700, 7700), (400, 400))):
        body = await uploaded(cast.lina, "IMG_2048.JPG", photo_jpeg(width, height))
        assert (body["width"], body["height"], body["has_thumbnail"]) == (width, height, True)
        thumbnail = await cast.lina.api.get(f"/api/v1/files/{body['id']}/thumbnail")
        assert thumbnail.status_code == 200
        with Image.open(io.BytesIO(thumbnail.content)) as image:
            assert (image.format, image.size) == ("WEBP", expected)


async def test_a_png_turned_by_its_exif_is_measured_and_thumbnailed_turned(cast: Cast) -> None:
    # The orientation is read from the eXIf chunk before the pixels, without decoding them.
    body = await uploaded(cast.lina, "截图.png", image_bytes((800, 400), "PNG", orientation=6))
    assert (body["width"], body["height"], body["has_thumbnail"]) == (400, 800, True)
    thumbnail = await cast.lina.api.get(f"/api/v1/files/{body['id']}/thumbnail")
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert image.size == (200, 400)


def test_decoding_a_huge_png_or_jpeg_takes_little_memory(tmp_path: Path) -> None:
    png, jpeg = tmp_path / "huge.png", tmp_path / "huge.jpg"
    png.write_bytes(banded_png(7700, 7700))
    jpeg.write_bytes(photo_jpeg(7700, 7700))
    # The PNG is not decoded at all (it would take 240 MB); its size is still known.
    cost = decoding_cost("image/png", png)
    assert cost["thumbnails"] == [False]
    assert cost["sizes"] == [[7700, 7700]]
    assert int(str(cost["growth_kib"])) < 40 * 1024, cost
    # The JPEG is decoded at 1/8 scale: 963×963 pixels, not 7700×7700.
    cost = decoding_cost("image/jpeg", jpeg)
    assert cost["thumbnails"] == [True]
    assert int(str(cost["growth_kib"])) < 60 * 1024, cost


def test_parallel_uploads_decode_one_at_a_time(tmp_path: Path) -> None:
    """Four large screenshots (4800×4800, just under the default decode bound, about 90 MB
    each once decoded) inspected at the same moment cost about one decode, not four."""
    data = banded_png(4800, 4800)
    paths = []
    for index in range(4):
        paths.append(tmp_path / f"screen-{index}.png")
        paths[-1].write_bytes(data)
    cost = decoding_cost("image/png", *paths)
    assert cost["thumbnails"] == [True] * 4
    one_decode_kib = 4800 * 4800 * 4 // 1024
    assert int(str(cost["growth_kib"])) < one_decode_kib * 1.6, cost


# --- rate ---------------------------------------------------------------------------------

async def test_uploads_past_the_rate_limit_get_429_with_retry_after(
        cast: Cast, runtime: Runtime, limited_app: LimitedApp) -> None:
    async with limited_app(upload_rate_limit=3, upload_rate_window_seconds=120) as client_of:
        zhangwei = client_of(cast.zhangwei)
        for index in range(3):
            assert (await upload(zhangwei, f"周报-{index}.txt", b"ok")).status_code == 201
        rows, before = await file_rows(runtime), stored_objects(runtime)

        refused = await upload(zhangwei, "周报-3.txt", b"one too many")
        assert refused.status_code == 429
        assert error_code(refused) == "too_many_uploads"
        wait = int(refused.headers["retry-after"])
        assert 1 <= wait <= 120
        assert refused.json()["error"]["details"] == {
            "limit": 3, "window_seconds": 120, "retry_after": wait}
        assert await file_rows(runtime) == rows
        assert stored_objects(runtime) == before

        # Chinese for a Chinese client; and the limit is per person.
        chinese = await zhangwei.post("/api/v1/files", headers={"Accept-Language": "zh-CN"},
                                      files={"file": ("a.txt", b"x", "text/plain")})
        assert chinese.status_code == 429
        assert chinese.json()["error"]["message"] == "上传过于频繁，请稍后再试。"
        assert (await upload(client_of(cast.lina), "设计.txt", b"ok")).status_code == 201



async def test_uploads_go_ahead_when_the_shared_counter_does_not_answer(
        caplog: pytest.LogCaptureFixture) -> None:
    """Redis down: the upload rate limit is skipped (and logged), not a refusal; the same
    limit on a counter that answers refuses the second upload."""
    zhangwei = Actor(user_id=1, role=Role.MEMBER)
    answering = MemoryCounter()
    await check_upload_rate(answering, zhangwei, limit=1, window_seconds=60)
    with pytest.raises(TooManyRequests):
        await check_upload_rate(answering, zhangwei, limit=1, window_seconds=60)

    redis = connect_redis("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        for _ in range(3):
            await check_upload_rate(RedisCounter(redis, "xietong_test:"), zhangwei, limit=1,
                                    window_seconds=60)
    finally:
        await redis.aclose()
    assert caplog.text.count("upload rate limit not applied") == 3

# --- quota --------------------------------------------------------------------------------

async def test_an_upload_past_the_quota_is_refused_and_leaves_nothing(
        cast: Cast, runtime: Runtime, limited_app: LimitedApp) -> None:
    async with limited_app(storage_quota_bytes=1000) as client_of:
        zhangwei = client_of(cast.zhangwei)
        assert (await upload(zhangwei, "合同.pdf", b"\x01" * 600)).status_code == 201
        rows, before = await file_rows(runtime), stored_objects(runtime)

        refused = await upload(zhangwei, "报价.xlsx", b"\x02" * 401)
        assert refused.status_code == 413
        assert error_code(refused) == "storage_quota_exceeded"
        assert refused.json()["error"]["details"] == {
            "quota_bytes": 1000, "used_bytes": 600, "file_bytes": 401}
        assert await file_rows(runtime) == rows
        assert stored_objects(runtime) == before
        assert staging_leftovers(runtime) == []

        # What fits still goes in, exactly up to the quota; and the quota is per person.
        assert (await upload(zhangwei, "报价.xlsx", b"\x02" * 400)).status_code == 201
        assert (await upload(zhangwei, "空.txt", b"")).status_code == 201
        assert (await upload(zhangwei, "1.txt", b"x")).status_code == 413
        assert (await upload(client_of(cast.lina), "设计.bin", b"\x03" * 1000)).status_code == 201


async def test_racing_uploads_cannot_both_take_the_last_free_bytes(
        cast: Cast, runtime: Runtime, limited_app: LimitedApp,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two uploads of 张伟 that fit one at a time but not together reach the quota check at
    the same moment. Whoever sums first waits there for the other: were the check not made
    under the uploader's lock, the other would sum the same total and both would be let in.
    With it, the other waits for the first's commit, sees its file and is refused, and the
    refused upload's stored bytes are removed again."""
    summing = files_queries.storage_used_by
    summed = 0
    both_summed = asyncio.Event()

    async def racing_sum(uow: UnitOfWork, user_id: int) -> int:
        nonlocal summed
        used = await summing(uow, user_id)
        summed += 1
        if summed == 2:
            both_summed.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both_summed.wait(), 1.0)
        return used

    monkeypatch.setattr(files_queries, "storage_used_by", racing_sum)
    async with limited_app(storage_quota_bytes=1000) as client_of:
        rows, before = await file_rows(runtime), stored_objects(runtime)
        images = [noise_png(14, seed) for seed in range(2)]
        assert all(len(image) <= 1000 < len(images[0]) + len(images[1]) for image in images)
        answers = await asyncio.gather(*(upload(client_of(cast.zhangwei), f"{index}.png", image)
                                         for index, image in enumerate(images)))
        assert sorted(a.status_code for a in answers) == [201, 413], [a.text for a in answers]
        assert summed == 2
        assert await file_rows(runtime) == rows + 1
        # The accepted file and its thumbnail; nothing of the refused one.
        assert len(stored_objects(runtime) - before) == 2
        assert staging_leftovers(runtime) == []
