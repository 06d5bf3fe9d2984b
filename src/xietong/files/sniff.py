"""What a file is, judged from its bytes alone.

The type a client claims is never used: a browser that trusted it would render an HTML
file "claiming" image/png as a page on our origin. Known binary formats are recognised by
their magic numbers (the `filetype` package); anything else is text/plain when it is UTF-8
text and application/octet-stream otherwise. No rule here can yield text/html, SVG or any
other type a browser would run script in.
"""

from __future__ import annotations

import codecs
import re

import filetype  # type: ignore[import-untyped]

# How much of the start of a file the magic-number matchers look at.
SNIFF_BYTES = 8192

OCTET_STREAM = "application/octet-stream"
PLAIN_TEXT = "text/plain"

# Shown in the page rather than downloaded: raster formats that browsers decode as images
# and never as documents.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# What the thumbnailer decodes, by Pillow format name.
THUMBNAIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF",
                     "image/webp": "WEBP"}

# Control characters that plain text does not contain (tab, newlines, form feed and
# escape are allowed). A NUL in particular marks binary data.
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
# Formats that are text themselves. Other signatures found at the start of a file that is
# all UTF-8 text are coincidence: "BM…" is not a bitmap, "MZ…" not a program, "FWS" not Flash.
_TEXT_FORMATS = frozenset({"application/pdf", "application/postscript", "application/rtf"})
# Types a browser would run script in. filetype names none of them today; kept as a guard.
_NEVER = frozenset({"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml",
                    "application/xml", "text/javascript", "application/javascript"})


class TextDetector:
    """Fed a file chunk by chunk, says whether the whole of it is UTF-8 text."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self.is_text = True

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        if not self.is_text:
            return
        try:
            decoded = self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            self.is_text = False
            return
        if _BINARY_CONTROLS.search(decoded):
            self.is_text = False


def sniff_content_type(head: bytes, *, is_text: bool) -> str:
    """The media type of a file that starts with `head` (its first `SNIFF_BYTES`).
    `is_text` says whether the whole file is UTF-8 text (see `TextDetector`)."""
    if not head:
        return OCTET_STREAM
    kind = filetype.guess(head)
    mime = str(kind.mime) if kind is not None else None
    if mime is not None and mime not in _NEVER and (not is_text or mime in _TEXT_FORMATS):
        return mime
    return PLAIN_TEXT if is_text else OCTET_STREAM
