"""Image dimensions and thumbnails, decoded with Pillow in a worker thread.

Images come from anyone who may upload, so decoding is guarded: only the four formats a
browser shows are opened (Pillow's other decoders never see the bytes), the pixel count
is read from the header and checked before any pixel is decoded (a 30000×30000 PNG of a
few kilobytes would otherwise need gigabytes), and any failure to decode means "no
thumbnail", never an error for the upload.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from typing import IO

import anyio
import anyio.to_thread
from PIL import ExifTags, Image, ImageOps

from xietong.files.sniff import THUMBNAIL_FORMATS

log = logging.getLogger("xietong.files")

THUMBNAIL_BOX = (400, 400)
THUMBNAIL_TYPE = "image/webp"

# Orientations that turn the image a quarter: the displayed width is the stored height.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
# Decoding a large image takes a lot of memory; a few at a time is as fast, and safe.
_DECODERS = anyio.CapacityLimiter(2)


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What decoding found: the displayed size (when the header could be read) and a WebP
    thumbnail (when the image could be decoded and was small enough to try)."""

    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


async def inspect_image(source: IO[bytes], content_type: str, *, max_pixels: int) -> ImageFacts:
    """Dimensions and thumbnail of the image in `source` (seekable; read from the start).
    Types other than JPEG, PNG, GIF and WebP yield empty facts."""
    pillow_format = THUMBNAIL_FORMATS.get(content_type)
    if pillow_format is None:
        return ImageFacts()
    work = functools.partial(_inspect, source, pillow_format, max_pixels)
    return await anyio.to_thread.run_sync(work, limiter=_DECODERS)


def _inspect(source: IO[bytes], pillow_format: str, max_pixels: int) -> ImageFacts:
    width = height = None
    try:
        source.seek(0)
        # Pillow refuses images past twice its own MAX_IMAGE_PIXELS here, before decoding.
        with Image.open(source, formats=[pillow_format]) as image:
            width, height = image.size
            if image.getexif().get(ExifTags.Base.Orientation) in _QUARTER_TURNS:
                width, height = height, width
            if width * height > max_pixels:
                return ImageFacts(width, height)
            return ImageFacts(width, height, _thumbnail(image))
    except Exception as error:
        # Truncated, corrupt or hostile data surfaces as any of a dozen exception types.
        log.info("no thumbnail for a %s upload: %r", pillow_format, error)
        return ImageFacts(width, height)


def _thumbnail(image: Image.Image) -> bytes:
    # JPEG can decode at 1/2, 1/4 or 1/8 scale: far less work and memory for a photo.
    image.draft("RGB", THUMBNAIL_BOX)
    oriented = ImageOps.exif_transpose(image)
    oriented.thumbnail(THUMBNAIL_BOX)
    has_alpha = oriented.mode in ("RGBA", "LA", "PA") or (
        oriented.mode == "P" and "transparency" in oriented.info)
    converted = oriented.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    converted.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()
