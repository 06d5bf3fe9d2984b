"""Image dimensions and thumbnails, decoded with Pillow in a worker thread.

Images come from anyone who may upload, so decoding is guarded: only the four formats a
browser shows are opened (Pillow's other decoders never see the bytes), the pixel count
is read from the header and checked before any pixel is decoded (a 30000×30000 PNG of a
few kilobytes would otherwise need gigabytes), and any failure to decode means "no
thumbnail", never an error for the upload.

Memory is bounded by what is decoded, not by the file's size (a 250 KB PNG can hold 60
million pixels, about 240 MB once decoded, as Pillow keeps RGB at four bytes a pixel):

- JPEG is decoded at 1/2, 1/4 or 1/8 scale (`draft`), the smallest that still covers the
  thumbnail, so a 48-megapixel photo costs about 3 megapixels;
- PNG, GIF and WebP cannot be reduced while decoding, so they are thumbnailed only when
  the pixels actually decoded stay within `max_decoded_pixels`; larger ones are stored and
  downloadable, with their size recorded, but get no thumbnail (the default,
  XIETONG_MAX_THUMBNAIL_DECODED_PIXELS, 24 million pixels or about 96 MB, fits every
  screenshot up to a 6K display and long phone screenshots);
- the decoded image is shrunk in place and only the small result is rotated and converted,
  so no second full-size copy is ever made;
- one image is decoded at a time in this process (a node), so parallel uploads queue
  for the decoder instead of multiplying its memory.
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
# Decoding takes up to four bytes per decoded pixel: one image at a time per node keeps the
# peak at one image's worth, however many uploads arrive together. (Queued uploads wait a
# fraction of a second each: a bounded decode takes at most a few hundred milliseconds.)
_DECODERS = anyio.CapacityLimiter(1)


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What decoding found: the displayed size (when the header could be read) and a WebP
    thumbnail (when the image could be decoded and was small enough to try)."""

    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


async def inspect_image(source: IO[bytes], content_type: str, *, max_pixels: int,
                        max_decoded_pixels: int) -> ImageFacts:
    """Dimensions and thumbnail of the image in `source` (seekable; read from the start).
    Types other than JPEG, PNG, GIF and WebP yield empty facts. Images declaring more than
    `max_pixels`, or needing more than `max_decoded_pixels` decoded (after JPEG's reduced
    decoding), get their size but no thumbnail. Waits its turn for this node's decoder."""
    pillow_format = THUMBNAIL_FORMATS.get(content_type)
    if pillow_format is None:
        return ImageFacts()
    work = functools.partial(_inspect, source, pillow_format, max_pixels, max_decoded_pixels)
    return await anyio.to_thread.run_sync(work, limiter=_DECODERS)


def _inspect(source: IO[bytes], pillow_format: str, max_pixels: int,
             max_decoded_pixels: int) -> ImageFacts:
    width = height = None
    try:
        source.seek(0)
        # Pillow refuses images past twice its own MAX_IMAGE_PIXELS here, before decoding.
        with Image.open(source, formats=[pillow_format]) as image:
            width, height = image.size
            # The EXIF that came with the header (Pillow's own PNG getexif decodes every
            # pixel to look for an eXIf chunk after them, which the PNG spec puts before).
            # It is cached on the image, so exif_transpose later sees the same orientation.
            if Image.Image.getexif(image).get(ExifTags.Base.Orientation) in _QUARTER_TURNS:
                width, height = height, width
            if width * height > max_pixels:
                return ImageFacts(width, height)
            # JPEG only (a no-op elsewhere): decode at the smallest of 1/1, 1/2, 1/4, 1/8
            # that still covers the box; `image.size` becomes the size to be decoded.
            image.draft("RGB", THUMBNAIL_BOX)
            decoded_pixels = image.size[0] * image.size[1]
            if decoded_pixels > max_decoded_pixels:
                log.info("no thumbnail for a %s upload of %d×%d: decoding it would take %d "
                         "pixels, over the limit of %d", pillow_format, width, height,
                         decoded_pixels, max_decoded_pixels)
                return ImageFacts(width, height)
            return ImageFacts(width, height, _thumbnail(image))
    except Exception as error:
        # Truncated, corrupt or hostile data surfaces as any of a dozen exception types.
        log.info("no thumbnail for a %s upload: %r", pillow_format, error)
        return ImageFacts(width, height)


def _thumbnail(image: Image.Image) -> bytes:
    # Decode (at the drafted scale) and shrink in place: the full-size pixels are freed as
    # soon as the small image exists. Rotating first would copy them at full size.
    # (The box is square, so turning the small image afterwards keeps it inside the box.)
    image.thumbnail(THUMBNAIL_BOX)
    oriented = ImageOps.exif_transpose(image)
    has_alpha = oriented.mode in ("RGBA", "LA", "PA") or (
        oriented.mode == "P" and "transparency" in oriented.info)
    converted = oriented.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    converted.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()
