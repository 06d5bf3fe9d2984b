"""Image files made for upload tests and the thumbnail benchmark, byte by byte where the
point is a file Pillow would not write (a bomb, a huge image that compresses to nothing)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def banded_png(width: int, height: int) -> bytes:
    """An 8-bit RGB PNG of width×height that compresses about 1000:1 (bands of colour with
    a detailed row now and then), written row by row so that making it never holds the
    pixels: a 7700×7700 one, 60 million pixels, is about 0.2 MB."""
    compressor = zlib.compressobj(9)
    bands = [b"\x00" + bytes(((b * 37) % 256, (b * 91) % 256, 200)) * width for b in range(8)]
    body = bytearray()
    for y in range(height):
        row = bands[(y * 8) // height]
        if y % 97 == 0:
            row = b"\x00" + bytes((y * 7 + x) % 256 for x in range(width * 3))
        body += compressor.compress(row)
    body += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", bytes(body))
            + png_chunk(b"IEND", b""))


def photo_jpeg(width: int, height: int) -> bytes:
    """A JPEG 'photo' of width×height: a gradient scaled up eightfold, as a camera would save
    it (quality 85); 7700×7700 is about 1.1 MB."""
    small = Image.linear_gradient("L").convert("RGB").resize((max(1, width // 8),
                                                              max(1, height // 8)))
    out = io.BytesIO()
    small.resize((width, height)).save(out, "JPEG", quality=85)
    return out.getvalue()


def solid_png(width: int, height: int, colour: str = "#3370ff") -> bytes:
    """A PNG of width×height in one colour: a picture to attach, measured on upload."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()
