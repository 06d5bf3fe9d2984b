"""A Word document (.docx) read into Markdown, which then becomes a page as any Markdown does
(`ydoc.seed_from_markdown`).

What is kept: headings (by their style — Word's `Heading 1…6` and `Title`, WPS's 标题 N —
or a paragraph's outline level), paragraphs with bold, italic, strikethrough, inline code
(a code character style or a monospace font) and links, bulleted and numbered lists with
their nesting (from the paragraph's numbering or its list style), task items written as
☐/☑, quotes, code blocks (a paragraph style named like code), tables (as Markdown tables:
one paragraph per cell, merged cells once) and line breaks. Images are not carried over: each
leaves a placeholder, `[图片：<its alt text>]`, where it stood. Everything else (fonts,
colours, footnotes, comments, headers and footers, tracked changes as they stand) is left.

A .docx is a zip: its directory is read before anything is unpacked, and a file whose
parts unpack to more than `MAX_UNPACKED_BYTES` is refused (a small file that inflates to
gigabytes). python-docx parses the XML without resolving entities.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from xietong.core.errors import Invalid, PayloadTooLarge
from xietong.documents.ydoc import escape_line_start, escape_markdown

# The most a .docx's parts may unpack to, and how many parts it may have.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_PARTS = 5000
IMAGE_PLACEHOLDER = "图片"

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$")
_LIST_STYLE = re.compile(r"^list (bullet|number)(?: (\d))?$")
_CONTINUE_STYLE = re.compile(r"^list continue(?: (\d))?$")
_CODE_STYLES = ("code", "source code", "html preformatted", "macro", "plain text", "代码")
_QUOTE_STYLES = ("quote", "intense quote", "block text", "引用", "明显引用")
_MONOSPACE = ("consolas", "courier", "courier new", "menlo", "monaco", "source code pro",
              "dejavu sans mono", "liberation mono", "sfmono-regular", "jetbrains mono",
              "fira code", "lucida console", "新宋体")
_TASK = {"☐": "[ ]", "□": "[ ]", "☑": "[x]", "☒": "[x]", "✅": "[x]"}
_BOLD_CELL = re.compile(r"\*\*[^*]+\*\*")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
# A list level's indent, in EMU: a quarter inch (0.63 cm).
LIST_STEP = 228600

# What python-docx and the XML parser raise on a broken file.
_BROKEN = (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, TypeError,
           AttributeError, IndexError, OSError, SyntaxError, EOFError, NotImplementedError)


def unreadable() -> Invalid:
    return Invalid("The file is not a readable Word (.docx) document.",
                   code="page_import_unreadable")


def check_archive(data: bytes) -> None:
    """Refuse what is not a .docx, or one that would unpack to too much, before unpacking
    anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise unreadable() from None
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or not any(
            name.startswith("word/") for name in names):
        raise unreadable()
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES or len(parts) > MAX_PARTS:
        raise PayloadTooLarge("The document unpacks to more than we read at once.",
                      code="page_import_too_large",
                      details={"max_unpacked_bytes": MAX_UNPACKED_BYTES})


def markdown_of_docx(data: bytes) -> str:
    """The document's words as Markdown (blocks separated by blank lines). `Invalid`
    `page_import_unreadable` for a file that is not a .docx or is broken,
    `page_import_too_large` for one that unpacks to too much."""
    check_archive(data)
    try:
        document = Document(io.BytesIO(data))
        return "\n".join(_Reader(document).lines()).strip() + "\n"
    except Invalid:
        raise
    except _BROKEN:
        raise unreadable() from None


# --- blocks -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Lists:
    """The lists open at the paragraph being read: each level's marker width and count."""

    widths: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    ordered: list[bool] = field(default_factory=list)

    def item(self, level: int, ordered: bool, task: str | None) -> tuple[str, str]:
        """The indent and marker of an item at `level`."""
        del self.widths[level + 1:], self.counts[level + 1:], self.ordered[level + 1:]
        while len(self.widths) <= level:
            self.widths.append(2)
            self.counts.append(0)
            self.ordered.append(ordered)
        if self.ordered[level] != ordered:  # another list begins at this level
            self.ordered[level], self.counts[level] = ordered, 0
        self.counts[level] += 1
        marker = f"{self.counts[level]}. " if ordered else "- "
        if task is not None and not ordered:
            marker += task + " "
        indent = " " * sum(self.widths[:level])
        self.widths[level] = len(marker)
        return indent, marker

    def continuation(self, level: int) -> str:
        return " " * sum(self.widths[:level + 1])

    def close(self) -> None:
        self.widths.clear()
        self.counts.clear()
        self.ordered.clear()


class _Reader:
    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.numbering: Any = None
        with contextlib.suppress(NotImplementedError, KeyError):
            self.numbering = document.part.numbering_part.element
        self.lists = _Lists()
        self.previous = ""  # the kind of the block before: "list", "code", "quote", …

    def lines(self) -> Iterator[str]:
        for block in self.document.iter_inner_content():
            if isinstance(block, Table):
                yield from self.gap("table")
                yield from _table(block)
            else:
                yield from self.paragraph(block)
        if self.previous == "code":
            yield "```"

    def gap(self, kind: str) -> Iterator[str]:
        """The blank line (or fence) between the block before and one of `kind`."""
        if self.previous == "code" and kind != "code":
            yield "```"
        if kind != "list" and kind != "continue":
            self.lists.close()
        if self.previous and not (kind == self.previous and kind in ("list", "code")):
            yield ">" if kind == self.previous == "quote" else ""
        if kind == "code" and self.previous != "code":
            yield "```"
        self.previous = kind

    def paragraph(self, paragraph: Paragraph) -> Iterator[str]:
        style = _style_name(paragraph)
        if style in _CODE_STYLES or style.endswith(" code"):
            yield from self.gap("code")
            yield paragraph.text.replace("```", "` ` `")
            return
        words = _inline(paragraph).strip()
        if not words and not _has_drawing(paragraph):
            return
        level = _heading_level(paragraph, style)
        if level is not None:
            yield from self.gap("heading")
            yield "#" * level + " " + words.replace("  \n", " ")
            return
        listed = self.list_of(paragraph, style)
        task = _TASK.get(words[:1])
        if listed is None and task is not None:
            # A task item as we write them: its box, indented a step per level.
            listed = (_indent_steps(paragraph), False)
        if listed is not None:
            level, ordered = listed
            if task is not None:
                words = words[1:].lstrip()
            yield from self.gap("list")
            indent, marker = self.lists.item(level, ordered, task)
            yield from _indented(indent + marker, " " * len(indent + marker), words)
            return
        continued = _CONTINUE_STYLE.match(style)
        if continued and self.previous in ("list", "continue") and self.lists.widths:
            level = min(int(continued.group(1) or 1) - 1, len(self.lists.widths) - 1)
            self.previous = "continue"
            yield ""
            pad = self.lists.continuation(level)
            yield from _indented(pad, pad, words)
            return
        if style in _QUOTE_STYLES:
            yield from self.gap("quote")
            yield from _indented("> ", "> ", words)
            return
        yield from self.gap("paragraph")
        yield from _indented("", "", words)

    def list_of(self, paragraph: Paragraph, style: str) -> tuple[int, bool] | None:
        """(nesting level, numbered) of a list paragraph, or None for another."""
        styled = _LIST_STYLE.match(style)
        style_level = int(styled.group(2) or 1) - 1 if styled else 0
        found = _numbering_of(paragraph)
        if found is not None:
            number_id, indent_level = found
            if number_id == 0:  # numbering switched off
                return None
            kind = self.format_of(number_id, indent_level)
            if kind is not None:
                return style_level + indent_level, kind != "bullet"
        if styled:
            return style_level, styled.group(1) == "number"
        return None

    def format_of(self, number_id: int, level: int) -> str | None:
        if self.numbering is None:
            return None
        formats = self.numbering.xpath(
            f'./w:abstractNum[@w:abstractNumId=string(../w:num[@w:numId="{number_id}"]'
            f'/w:abstractNumId/@w:val)]/w:lvl[@w:ilvl="{level}"]/w:numFmt/@w:val')
        if formats:
            return str(formats[0])
        return None


def _indented(first: str, rest: str, words: str) -> Iterator[str]:
    for index, line in enumerate(words.split("\n")):
        yield (first if index == 0 else rest) + line


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return ""
    return str(style.name or "").strip().lower() if style is not None else ""


def _heading_level(paragraph: Paragraph, style: str) -> int | None:
    if style in ("title", "标题"):
        return 1
    found = _HEADING_STYLE.match(style)
    if found:
        return min(max(int(found.group(1)), 1), 6)
    properties = paragraph._p.pPr
    outline = properties.find(qn("w:outlineLvl")) if properties is not None else None
    if outline is not None:
        value = outline.get(qn("w:val"))
        if value is not None and value.isdigit() and int(value) < 6:
            return int(value) + 1
    return None


def _numbering_of(paragraph: Paragraph) -> tuple[int, int] | None:
    """(numbering id, level) set on the paragraph or its style (and the styles it is
    based on), or None."""
    properties: Any = paragraph._p.pPr
    level = 0
    numbered = properties.numPr if properties is not None else None
    style: Any = None
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        style = None
    seen = 0
    while (numbered is None or numbered.numId is None) and style is not None and seen < 10:
        properties = style.element.pPr
        numbered = properties.numPr if properties is not None else None
        style = style.base_style
        seen += 1
    if numbered is None or numbered.numId is None:
        return None
    if numbered.ilvl is not None:
        level = int(numbered.ilvl.val)
    return int(numbered.numId.val), min(max(level, 0), 8)


def _indent_steps(paragraph: Paragraph) -> int:
    """A paragraph's left indent in list levels (0.63 cm, a quarter inch, each)."""
    indent = paragraph.paragraph_format.left_indent
    return min(max(round((indent or 0) / LIST_STEP) - 1, 0), 8)


def _has_drawing(paragraph: Paragraph) -> bool:
    return bool(paragraph._p.xpath(".//w:drawing | .//w:pict"))


# --- inline -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    href: str = ""

    def same_marks(self, other: _Piece) -> bool:
        return (self.bold, self.italic, self.strike, self.code, self.href) == (
            other.bold, other.italic, other.strike, other.code, other.href)


def _inline(paragraph: Paragraph | _Cell, *, in_table: bool = False) -> str:
    pieces: list[_Piece] = []
    paragraphs = paragraph.paragraphs if isinstance(paragraph, _Cell) else [paragraph]
    for number, each in enumerate(paragraphs):
        if number:
            pieces.append(_Piece("\n"))
        for item in each.iter_inner_content():
            if isinstance(item, Hyperlink):
                address = item.address if item.address.startswith(_LINK_SCHEMES) else ""
                for run in item.runs:
                    pieces.extend(_run_pieces(run, address))
            else:
                pieces.extend(_run_pieces(item, ""))
    merged: list[_Piece] = []
    for piece in pieces:
        if merged and merged[-1].same_marks(piece):
            merged[-1] = _Piece(merged[-1].text + piece.text, piece.bold, piece.italic,
                                piece.strike, piece.code, piece.href)
        elif piece.text:
            merged.append(piece)
    text = "".join(_markdown_piece(piece, in_table) for piece in merged)
    if in_table:
        return " ".join(text.replace("  \n", "\n").split("\n")).strip()
    return "  \n".join(escape_line_start(line.strip()) for line in text.split("  \n"))


def _run_pieces(run: Run, href: str) -> list[_Piece]:
    pieces = []
    if run._r.xpath(".//w:drawing | .//w:pict"):
        described = run._r.xpath(".//wp:docPr/@descr")
        alt = str(described[0]).strip() if described else ""
        label = f"{IMAGE_PLACEHOLDER}：{alt}" if alt else IMAGE_PLACEHOLDER
        pieces.append(_Piece(f"[{label}]"))
    text = run.text
    if text:
        style: Any = None
        try:
            style = run.style
        except (KeyError, ValueError):
            style = None
        style_name = str(style.name or "").lower() if style is not None else ""
        style_font: Any = style.font if style is not None else None
        bold = run.bold if run.bold is not None else bool(style_font and style_font.bold)
        italic = (run.italic if run.italic is not None
                  else bool(style_font and style_font.italic))
        font = str(run.font.name or "").lower()
        code = "code" in style_name or font in _MONOSPACE
        pieces.append(_Piece(text, bold=bool(bold), italic=bool(italic),
                             strike=bool(run.font.strike), code=code, href=href))
    return pieces


def _markdown_piece(piece: _Piece, in_table: bool) -> str:
    text = piece.text
    if piece.code:
        body = " ".join(text.split("\n"))
        if in_table:
            body = body.replace("|", "\\|")
        fence = "``" if "`" in body else "`"
        pad = " " if body.startswith("`") or body.endswith("`") else ""
        core = f"{fence}{pad}{body}{pad}{fence}" if body.strip() else body
        lead, trail = "", ""
    else:
        stripped = text.strip(" \t\u3000")
        lead = text[:len(text) - len(text.lstrip(" \t\u3000"))]
        trail = text[len(text.rstrip(" \t\u3000")):]
        core = "  \n".join(escape_markdown(line) for line in stripped.split("\n"))
        if core and "\n" not in stripped:
            if piece.bold:
                core = f"**{core}**"
            if piece.italic:
                core = f"*{core}*"
            if piece.strike:
                core = f"~~{core}~~"
    if piece.href and core:
        core = f"[{core}]({piece.href.replace(' ', '%20').replace(')', '%29')})"
    return lead + core + trail


# --- tables -----------------------------------------------------------------------------


def _table(table: Table) -> Iterator[str]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            # A cell merged across columns comes once per column it spans: its words once.
            cells.append("" if cell._tc is last else _inline(cell, in_table=True))
            last = cell._tc
        rows.append(cells)
    if not rows:
        return
    width = max(len(row) for row in rows)
    if not width:
        return
    rows = [row + [""] * (width - len(row)) for row in rows]
    # A header row set in bold (as most are) is bold in Markdown anyway.
    header = [cell[2:-2] if _BOLD_CELL.fullmatch(cell) else cell for cell in rows[0]]
    yield "| " + " | ".join(header) + " |"
    yield "|" + " --- |" * width
    for row in rows[1:]:
        yield "| " + " | ".join(row) + " |"
