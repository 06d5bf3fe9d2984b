"""A new page from a file: Markdown (.md, .markdown), plain text (.txt) or Word (.docx).

- Markdown becomes the page's document as a template's does (`ydoc.seed_from_markdown`).
- Plain text is taken as text, not as Markdown: each line as written (a blank line between
  paragraphs), nothing in it read as markup.
- Word is read into Markdown first (`word_in`), then as Markdown.

Text files may be UTF-8 (with or without a byte-order mark), UTF-16 with its mark, or
GB18030/GBK as Chinese Windows saves them (`core.text.decode_text_file`).

The title: when the content starts with a heading, its words (and the heading is taken out
of the page, as the page's title stands above its content); else the file's name without
its extension. Exports write the title as a first heading, so an exported page comes back
as it left.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from markdown_it import MarkdownIt

from xietong.core.actor import Actor
from xietong.core.errors import Invalid, PayloadTooLarge
from xietong.core.text import clean_name, decode_text_file
from xietong.core.uow import UnitOfWork
from xietong.documents import actions
from xietong.documents.collab import MAX_DOCUMENT_BYTES
from xietong.documents.models import Page
from xietong.documents.schemas import TITLE_LENGTH, PageCreate
from xietong.documents.templates import UNTITLED
from xietong.documents.word_in import markdown_of_docx
from xietong.documents.ydoc import (
    Content,
    content_of,
    document_from,
    escape_line_start,
    escape_markdown,
)
from xietong.documents.ydoc import seed_from_markdown as seed

# The largest file imported, and the most Markdown a page is made of.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_MARKDOWN_CHARS = 2_000_000

MARKDOWN, TEXT, WORD = "markdown", "text", "docx"
KINDS = {".md": MARKDOWN, ".markdown": MARKDOWN, ".txt": TEXT, ".docx": WORD}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .doc
# What no page's text may hold (`core.text`'s rule for input): C0 and C1 controls but tab
# and line breaks.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True, slots=True)
class Imported:
    title: str
    content: Content


def split_name(file_name: str) -> tuple[str, str]:
    """(the name without its extension, the extension in lower case) of the file's last
    path component, whichever separator the sender's system uses."""
    base = PurePosixPath(file_name.replace("\\", "/")).name
    stem, dot, extension = base.rpartition(".")
    return (stem, "." + extension.lower()) if dot else (base, "")


def kind_of(file_name: str) -> str:
    """The kind of file by its extension, or `Invalid` `page_import_type`."""
    kind = KINDS.get(split_name(file_name)[1])
    if kind is None:
        raise Invalid("Import a Markdown (.md), text (.txt) or Word (.docx) file.",
                      code="page_import_type", details={"accepted": sorted(KINDS)})
    return kind


def read_import(file_name: str, data: bytes) -> Imported:
    """The page a file makes: its title and content. CPU work (a large Word document takes
    a second): call it off the event loop. Refusals are `Invalid` with a code of their own:
    `page_import_type`, `page_import_empty`, `page_import_unreadable` (a broken .docx, a
    .txt that is no text), `page_import_doc` (an old binary .doc); `PayloadTooLarge`
    `page_import_too_large` (a file, its unpacked parts or its content too large)."""
    kind = kind_of(file_name)
    if not data.strip():
        raise Invalid("The file is empty.", code="page_import_empty")
    if len(data) > MAX_IMPORT_BYTES:
        raise too_large()
    if data.startswith(_OLE):
        raise Invalid("This is an old Word (.doc) file: save it as .docx first.",
                      code="page_import_doc")
    if kind == WORD:
        markdown = markdown_of_docx(data)
    else:
        text = decode_text_file(data)
        if text is None:
            raise Invalid("The file is not text in UTF-8, UTF-16 or GBK.",
                          code="page_import_unreadable")
        text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        markdown = text if kind == MARKDOWN else _plain_markdown(text)
    if len(markdown) > MAX_MARKDOWN_CHARS:
        raise too_large()
    heading, markdown = split_title(markdown) if kind != TEXT else (None, markdown)
    title = page_title(heading) or page_title(split_name(file_name)[0]) or UNTITLED
    state = seed(markdown)
    if len(state) > MAX_DOCUMENT_BYTES:
        raise too_large()
    content = content_of(document_from(state))
    if not content.text.strip() and heading is None:
        raise Invalid("The file has no words to import.", code="page_import_empty")
    return Imported(title, content)


def too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"The file is larger than a page may be ({MAX_IMPORT_BYTES} bytes).",
                   code="page_import_too_large", details={"max_bytes": MAX_IMPORT_BYTES})


def _plain_markdown(text: str) -> str:
    """Plain text as Markdown that reads as exactly that text: paragraphs at blank lines,
    each line kept (a hard break), every markup character escaped."""
    paragraphs = re.split(r"\n[ \t]*\n", text.strip("\n"))
    return "\n\n".join(
        "\\\n".join(escape_line_start(escape_markdown(line.strip()))
                    for line in paragraph.split("\n"))
        for paragraph in paragraphs if paragraph.strip()) + "\n"


def split_title(markdown: str) -> tuple[str | None, str]:
    """(the words of the heading the Markdown starts with, the rest), or (None, all)."""
    tokens = _PARSER.parse(markdown)
    if len(tokens) < 3 or tokens[0].type != "heading_open" or tokens[0].map is None:
        return None, markdown
    words = "".join(child.content for child in tokens[1].children or ()
                    if child.type in ("text", "code_inline", "text_special")
                    or child.type == "softbreak")
    end = tokens[0].map[1]
    rest = "\n".join(markdown.split("\n")[end:]).lstrip("\n")
    return words, rest


def page_title(raw: str | None) -> str | None:
    """A page's title made of `raw` (a heading's words, a file name): what a title may not
    hold taken out, cut to a title's length; None if nothing visible is left."""
    if not raw:
        return None
    value = unicodedata.normalize("NFC", raw)
    value = "".join(char for char in value if unicodedata.category(char) not in
                    ("Cc", "Cs", "Co", "Cf", "Zl", "Zp"))
    value = " ".join(value.split())[:TITLE_LENGTH]
    try:
        return clean_name(value)
    except ValueError:
        return None


async def do_import_page(uow: UnitOfWork, actor: Actor, imported: Imported, *,
                         space_id: int, parent_id: int | None) -> Page:
    """The imported page, last under `parent_id` (or at the top of the space)."""
    return await actions.do_create_page(
        uow, actor, PageCreate(space_id=space_id, parent_id=parent_id, title=imported.title),
        content=imported.content)
