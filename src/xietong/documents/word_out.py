"""A page as a Word document (.docx), made with python-docx from its ProseMirror tree.

The tree is read as `ydoc` reads it for Markdown (block elements named after Tiptap's nodes,
text whose attributes are its marks) and written with Word's own built-in styles, so the
file looks native in Word and WPS and its structure survives an edit there: the page's
title in `Title`, headings in `Heading 1…6`, lists in `List Bullet`/`List Number` (a level
of nesting per style, `… 2`, `… 3`; each numbered list counts from its own start), a list
item's further paragraphs in `List Continue`, quotes in `Quote`, tables in `Table Grid`.
Word has no styles for code and task lists: code blocks get a `Code` paragraph style of
our own (a monospace font on a grey ground), inline code a `Inline Code` character style,
task items a ☐/☑ before their words. An image is written as its alt text (linked to its
address when that is a web address): pages hold images only as addresses, not as files of
ours.

Chinese needs a font for East Asian text: every style's runs name 等线 (DengXian, Office's
default since 2016) for it, and the font table tells Word and WPS to use 宋体 (SimSun,
on every Chinese Windows) where 等线 is missing — the theme's font, which the default
template leaves to the reader's locale, would give tofu or a Latin fallback on some.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from xietong.documents.ydoc import fragment_of

# East Asian text: the font named in every style, and the one the font table offers in
# its place where that is not installed.
EAST_ASIAN_FONT = "等线"
EAST_ASIAN_FALLBACK = "宋体"
MONOSPACE_FONT = "Consolas"
# The boxes of task items: a font that has them on every Windows.
SYMBOL_FONT = "Segoe UI Symbol"
CODE_STYLE = "Code"
INLINE_CODE_STYLE = "Inline Code"
HYPERLINK_STYLE = "Hyperlink"
# Word's list styles go three levels deep; deeper items take the third's style, indented.
_LIST_STYLE_LEVELS = 3
_LIST_INDENT = Cm(0.63)
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_TASK_BOXES = ("☐ ", "☑ ")


@dataclass(frozen=True, slots=True)
class _Context:
    list_depth: int = 0  # lists around the block
    quote: bool = False  # inside a blockquote
    header: bool = False  # inside a table's header cell (its words bold)


def docx_of(doc: Doc[Any], title: str) -> bytes:
    """The page with this title and content, as the bytes of a .docx file."""
    document = Document()
    _prepare_styles(document)
    properties = document.core_properties
    properties.title = title
    properties.author = properties.last_modified_by = ""
    properties.comments = ""
    properties.created = properties.modified = datetime.now(UTC).replace(tzinfo=None)
    _Writer(document).page(title, fragment_of(doc))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- styles -----------------------------------------------------------------------------


def _prepare_styles(document: DocxDocument) -> None:
    styles = document.styles
    # Every run's East Asian font, in the defaults and in each style that names a theme's
    # font instead (headings, the title), and the language Word checks the spelling in.
    for fonts in styles.element.iter(qn("w:rFonts")):
        if fonts.get(qn("w:eastAsiaTheme")) is not None:
            del fonts.attrib[qn("w:eastAsiaTheme")]
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    for language in styles.element.iter(qn("w:lang")):
        language.set(qn("w:eastAsia"), "zh-CN")
    _offer_fallback(document)

    code = styles.add_style(CODE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    code.base_style = styles["Normal"]
    code.font.name = MONOSPACE_FONT
    code.font.size = Pt(10)
    _east_asian(code.element, EAST_ASIAN_FONT)
    code.paragraph_format.space_after = Pt(8)
    code.paragraph_format.line_spacing = 1.0
    code.element.get_or_add_pPr().append(parse_xml(
        f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="F3F4F6"/>'))

    inline_code = styles.add_style(INLINE_CODE_STYLE, WD_STYLE_TYPE.CHARACTER)
    inline_code.font.name = MONOSPACE_FONT
    _east_asian(inline_code.element, EAST_ASIAN_FONT)
    inline_code.element.get_or_add_rPr().append(parse_xml(
        f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="F3F4F6"/>'))

    # Items of a list close together (Word's defaults leave a gap between levels).
    for style in styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH and str(style.name).startswith("List"):
            style.paragraph_format.space_after = Pt(3)

    link = styles.add_style(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    link.font.underline = True


def _east_asian(style_element: Any, font: str) -> None:
    fonts = style_element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)


def _offer_fallback(document: DocxDocument) -> None:
    """The font table's entry for 等线, with 宋体 as its other name: what Word and WPS use
    when the first is not installed; and its character set, GB2312, for a reader that has
    neither to pick a Chinese font."""
    for part in document.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        table = parse_xml(part.blob)
        table.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{EAST_ASIAN_FONT}">'
            f'<w:altName w:val="{EAST_ASIAN_FALLBACK}"/><w:charset w:val="86"/>'
            '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'))
        part._blob = serialize_part_xml(table)


# --- the tree ---------------------------------------------------------------------------


def _children(node: XmlFragment | XmlElement) -> list[XmlElement | XmlText]:
    return [child for child in node.children if isinstance(child, XmlElement | XmlText)]


def _attrs(node: XmlElement) -> dict[str, Any]:
    view: Any = node.attributes
    return {name: value for name, value in view}


def _number(value: Any, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _plain(node: XmlElement | XmlText) -> str:
    if isinstance(node, XmlText):
        return "".join(str(text) for text, _ in node.diff() if isinstance(text, str))
    if node.tag == "hardBreak":
        return "\n"
    return "".join(_plain(child) for child in _children(node))


def _has_blocks(node: XmlElement) -> bool:
    return any(isinstance(child, XmlElement) and child.tag not in ("hardBreak", "image")
               for child in node.children)


Container = DocxDocument | _Cell


class _Writer:
    def __init__(self, document: DocxDocument) -> None:
        self.document = document

    def page(self, title: str, fragment: XmlFragment) -> None:
        self.document.add_paragraph(title, style="Title")
        self.blocks(self.document, fragment, _Context())

    def blocks(self, container: Container, node: XmlFragment | XmlElement,
               context: _Context) -> None:
        for child in _children(node):
            if isinstance(child, XmlText):
                self.paragraph(container, context).add_run(_plain(child))
            else:
                self.block(container, child, context)

    def paragraph(self, container: Container, context: _Context,
                  style: str | None = None) -> Paragraph:
        if style is None and context.quote:
            style = "Quote"
        paragraph = container.add_paragraph(style=style)
        if context.list_depth and style is None:
            paragraph.paragraph_format.left_indent = _LIST_INDENT * context.list_depth
        return paragraph

    def block(self, container: Container, node: XmlElement, context: _Context) -> None:
        tag = node.tag
        attrs = _attrs(node)
        if tag == "heading":
            level = min(max(_number(attrs.get("level"), 1), 1), 6)
            self.inline(self.paragraph(container, context, f"Heading {level}"), node, context)
        elif tag == "codeBlock":
            self.paragraph(container, context, CODE_STYLE).add_run(_plain(node))
        elif tag == "horizontalRule":
            _rule(self.paragraph(container, context))
        elif tag == "blockquote":
            self.blocks(container, node, replace(context, quote=True))
        elif tag in ("bulletList", "orderedList", "taskList"):
            self.list(container, node, context)
        elif tag == "table":
            self.table(container, node, context)
        elif tag == "image":
            self.image(self.paragraph(container, context), attrs)
        elif _has_blocks(node):
            self.blocks(container, node, context)
        else:
            self.inline(self.paragraph(container, context), node, context)

    def list(self, container: Container, node: XmlElement, context: _Context) -> None:
        depth = context.list_depth
        level = min(depth, _LIST_STYLE_LEVELS - 1)
        suffix = f" {level + 1}" if level else ""
        kind = {"bulletList": "Bullet", "orderedList": "Number"}.get(str(node.tag))
        number_id = None
        if kind == "Number":
            number_id = self._restarted_numbering(f"List Number{suffix}",
                                                  _number(_attrs(node).get("start"), 1))
        inner = replace(context, list_depth=depth + 1)
        for item in _children(node):
            if not isinstance(item, XmlElement):
                continue
            first = True
            for child in _children(item):
                if (first and isinstance(child, XmlElement)
                        and child.tag in ("paragraph", "heading")):
                    if kind is None:  # a task item: its box, indented as a list would be
                        paragraph = self.paragraph(container, inner)
                        checked = str(_attrs(item).get("checked")).lower() in ("true", "1.0")
                        paragraph.paragraph_format.space_after = Pt(3)
                        box = paragraph.add_run(_TASK_BOXES[checked])
                        box.font.name = SYMBOL_FONT
                        _east_asian(box._r, SYMBOL_FONT)
                    else:
                        paragraph = self.paragraph(container, context, f"List {kind}{suffix}")
                        if number_id is not None:
                            _number_with(paragraph, number_id)
                    if depth >= _LIST_STYLE_LEVELS and kind is not None:
                        paragraph.paragraph_format.left_indent = _LIST_INDENT * (depth + 1)
                    self.inline(paragraph, child, context)
                elif isinstance(child, XmlElement) and child.tag in (
                        "bulletList", "orderedList", "taskList"):
                    self.list(container, child, inner)
                elif isinstance(child, XmlElement) and child.tag == "paragraph":
                    style = "List Continue" + suffix
                    self.inline(self.paragraph(container, context, style), child, context)
                elif isinstance(child, XmlElement):
                    self.block(container, child, inner)
                first = False

    def _restarted_numbering(self, style_name: str, start: int) -> int | None:
        """A numbering of its own for one numbered list (Word would otherwise carry on
        counting from the list before it): the style's list definition, restarted at
        `start`. Its id, or None when the style has no numbering."""
        style = self.document.styles[style_name]
        properties = style.element.pPr
        if properties is None or properties.numPr is None or properties.numPr.numId is None:
            return None
        numbering = self.document.part.numbering_part.element
        definition = numbering.num_having_numId(properties.numPr.numId.val)
        restarted = numbering.add_num(definition.abstractNumId.val)
        override = restarted.add_lvlOverride(ilvl=0)
        override.add_startOverride(max(start, 0))
        number_id: int = restarted.numId
        return number_id

    def table(self, container: Container, node: XmlElement, context: _Context) -> None:
        rows = [row for row in _children(node) if isinstance(row, XmlElement)]
        width = max((len([c for c in _children(row) if isinstance(c, XmlElement)])
                     for row in rows), default=0)
        if not rows or not width:
            return
        table = container.add_table(rows=len(rows), cols=width)
        table.style = self.document.styles["Table Grid"]
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, source in zip(row.cells, [c for c in _children(cells)
                                                if isinstance(c, XmlElement)], strict=False):
                first = cell.paragraphs[0]
                self.blocks(cell, source, _Context(header=source.tag == "tableHeader"))
                if len(cell.paragraphs) > 1 and not first.runs:
                    first._p.getparent().remove(first._p)
        # Word runs two tables one after the other into one: a paragraph between.
        if isinstance(container, DocxDocument):
            self.paragraph(container, context).paragraph_format.space_after = Pt(0)

    def image(self, paragraph: Paragraph, attrs: dict[str, Any]) -> None:
        source = str(attrs.get("src") or "")
        words = str(attrs.get("alt") or "") or source.rsplit("/", 1)[-1] or "image"
        if source.startswith(_LINK_SCHEMES):
            _link_run(paragraph, source).text = words
        else:
            paragraph.add_run(words).italic = True

    def inline(self, paragraph: Paragraph, node: XmlElement, context: _Context) -> None:
        for child in _children(node):
            if isinstance(child, XmlElement):
                if child.tag == "hardBreak":
                    paragraph.add_run().add_break()
                elif child.tag == "image":
                    self.image(paragraph, _attrs(child))
                else:
                    self.inline(paragraph, child, context)
                continue
            for text, marks in child.diff():
                if isinstance(text, str) and text:
                    _run(paragraph, text, marks or {}, bold=context.header)


def _run(paragraph: Paragraph, text: str, marks: dict[str, Any], *, bold: bool) -> Run:
    link = marks.get("link")
    href = str(link.get("href") or "") if isinstance(link, dict) else ""
    if href.startswith(_LINK_SCHEMES):
        run = _link_run(paragraph, href)
        run.text = text
    else:
        run = paragraph.add_run(text)
    if "bold" in marks or bold:
        run.bold = True
    if "italic" in marks:
        run.italic = True
    if "strike" in marks:
        run.font.strike = True
    if "underline" in marks:
        run.underline = True
    if "code" in marks:
        run.style = INLINE_CODE_STYLE
    return run


def _link_run(paragraph: Paragraph, href: str) -> Run:
    """An empty run inside a hyperlink to `href` at the end of the paragraph."""
    relation = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    paragraph._p.append(link)
    run = paragraph.add_run()
    link.append(run._r)
    run.style = HYPERLINK_STYLE
    return run


def _number_with(paragraph: Paragraph, number_id: int) -> None:
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = 0
    numbering.get_or_add_numId().val = number_id


def _rule(paragraph: Paragraph) -> None:
    """A horizontal rule: the paragraph's bottom border."""
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" '
        'w:color="BFBFBF"/></w:pBdr>'))
