"""A page's content as a Yjs document.

The browser edits with Tiptap, whose Collaboration extension keeps ProseMirror's tree in the
document's XmlFragment `default`: block nodes as XmlElements named after the node
(`paragraph`, `heading` with a `level`, `bulletList`, `listItem`, `codeBlock`, …) and text as
XmlText whose formatting attributes are the marks (`{"bold": {}}`, `{"link": {"href": …}}`).
Here that tree is read out as plain text (search) and Markdown (export, the API), and made
from Markdown once, when a page starts from a template. The CRDT document is the truth:
nothing here ever writes Markdown back over a document that has content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

FIELD = "default"
# An update that changes nothing (no structs, no deletions): what a peer in sync sends.
EMPTY_UPDATE = b"\x00\x00"

_BLOCK_GAP = {"listItem", "taskItem", "tableRow", "tableCell", "tableHeader"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
# What starts a block at the beginning of a paragraph's line (once `escape_markdown` has
# escaped the rest): a list item's marker, a rule, a setext heading's underline, a fence.
_BLOCK_START = re.compile(r"[-+](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|[-=~]{2,}")


@dataclass(frozen=True, slots=True)
class Content:
    """A document at a moment: its whole state, and the text and Markdown it reads as —
    worked out once, for the page's derived columns and for a version alike."""

    state: bytes
    text: str
    markdown: str


def content_of(doc: Doc[Any]) -> Content:
    return Content(doc.get_update(), text_of(doc), markdown_of(doc))


def document_from(*updates: bytes) -> Doc[Any]:
    """A document made of updates (a stored page's, a version's state, a room's copy)."""
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc


def fragment_of(doc: Doc[Any]) -> XmlFragment:
    fragment: XmlFragment = doc.get(FIELD, type=XmlFragment)
    return fragment


# --- reading --------------------------------------------------------------------------


def _children(node: XmlFragment | XmlElement) -> Iterator[XmlElement | XmlText]:
    for child in node.children:
        if isinstance(child, XmlElement | XmlText):
            yield child


def _attrs(node: XmlElement) -> dict[str, Any]:
    # pycrdt's attribute view iterates (name, value) pairs; its stub says Iterable.
    view: Any = node.attributes
    return {name: value for name, value in view}


def escape_markdown(text: str) -> str:
    """`text` as Markdown that reads as exactly that text (its markup characters escaped)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def escape_line_start(line: str) -> str:
    """A line of a paragraph (as `escape_markdown` left it) that Markdown would read as a
    list item, a rule, a heading's underline or a fence, with that mark escaped: it stays
    words ("1. 不是列表" → "1\\. 不是列表")."""
    found = _BLOCK_START.match(line)
    if found is None:
        return line
    at = found.end() if line[0].isdigit() else 0
    return line[:at] + "\\" + line[at:]


def _plain(node: XmlElement | XmlText) -> str:
    if isinstance(node, XmlText):
        return "".join(str(text) for text, _ in node.diff() if isinstance(text, str))
    if node.tag == "hardBreak":
        return "\n"
    return "".join(_plain(child) for child in _children(node))


def text_of(doc: Doc[Any]) -> str:
    """The page as plain text: one line per paragraph, heading, list item or table cell."""
    lines: list[str] = []

    def walk(node: XmlFragment | XmlElement) -> None:
        for child in _children(node):
            if isinstance(child, XmlText):
                lines.append(_plain(child))
            elif any(isinstance(c, XmlElement) and c.tag not in ("hardBreak", "image")
                     for c in child.children):
                walk(child)
            else:
                lines.append(_plain(child))

    walk(fragment_of(doc))
    return "\n".join(line for line in lines if line.strip())


def _inline_markdown(node: XmlElement) -> str:
    parts: list[str] = []
    for child in _children(node):
        if isinstance(child, XmlElement):
            if child.tag == "hardBreak":
                parts.append("  \n")
            elif child.tag == "image":
                attrs = _attrs(child)
                parts.append(f"![{attrs.get('alt') or ''}]({attrs.get('src') or ''})")
            else:
                parts.append(_inline_markdown(child))
            continue
        for text, marks in child.diff():
            if not isinstance(text, str):
                continue
            marks = marks or {}
            if "code" in marks:
                piece = f"`{text}`"
            else:
                piece = escape_markdown(text)
                if "bold" in marks:
                    piece = f"**{piece}**"
                if "italic" in marks:
                    piece = f"*{piece}*"
                if "strike" in marks:
                    piece = f"~~{piece}~~"
            link = marks.get("link")
            if isinstance(link, dict) and link.get("href"):
                piece = f"[{piece}]({link['href']})"
            parts.append(piece)
    return "".join(parts)


def _block_markdown(node: XmlElement, depth: int = 0) -> list[str]:
    """The Markdown lines of one block node (`depth`: list nesting)."""
    tag = node.tag
    attrs = _attrs(node)
    if tag == "heading":
        level = min(max(int(float(attrs.get("level") or 1)), 1), 6)
        return ["#" * level + " " + _inline_markdown(node)]
    if tag == "codeBlock":
        return [f"```{attrs.get('language') or ''}", _plain(node), "```"]
    if tag == "horizontalRule":
        return ["---"]
    if tag == "blockquote":
        return ["> " + line if line else ">" for line in _blocks_markdown(node, depth)]
    if tag in ("bulletList", "orderedList", "taskList"):
        lines: list[str] = []
        number = int(float(attrs.get("start") or 1))
        for item in _children(node):
            if not isinstance(item, XmlElement):
                continue
            if tag == "orderedList":
                marker = f"{number}. "
                number += 1
            elif tag == "taskList":
                checked = str(_attrs(item).get("checked")).lower() in ("true", "1.0")
                marker = "- [x] " if checked else "- [ ] "
            else:
                marker = "- "
            body = _blocks_markdown(item, depth + 1, gap=False) or [""]
            lines.append(marker + body[0])
            lines.extend(" " * len(marker) + line if line else "" for line in body[1:])
        return lines
    if tag == "table":
        rows = [[_inline_markdown(cell) if not any(
                    isinstance(c, XmlElement) for c in cell.children)
                 else " ".join(_plain(c) for c in _children(cell)) for cell in _children(row)
                 if isinstance(cell, XmlElement)]
                for row in _children(node) if isinstance(row, XmlElement)]
        if not rows:
            return []
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        return (["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
                + ["| " + " | ".join(row) + " |" for row in rows[1:]])
    if tag == "image":
        return [f"![{attrs.get('alt') or ''}]({attrs.get('src') or ''})"]
    if any(isinstance(child, XmlElement) and child.tag not in ("hardBreak", "image")
           for child in node.children):
        return _blocks_markdown(node, depth)
    return ["  \n".join(escape_line_start(line)
                        for line in _inline_markdown(node).split("  \n"))]


def _blocks_markdown(node: XmlFragment | XmlElement, depth: int = 0, *,
                     gap: bool = True) -> list[str]:
    lines: list[str] = []
    for child in _children(node):
        if isinstance(child, XmlText):
            lines.append(escape_markdown(_plain(child)))
            continue
        if lines and gap and child.tag not in _BLOCK_GAP:
            lines.append("")
        lines.extend(_block_markdown(child, depth))
    return lines


def markdown_of(doc: Doc[Any]) -> str:
    """The page as Markdown (CommonMark with GFM tables, strikethrough and task lists)."""
    text = "\n".join(_blocks_markdown(fragment_of(doc))).strip()
    return text + "\n" if text else ""


# --- writing from Markdown ------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_BLOCKS = {"paragraph_open": "paragraph", "heading_open": "heading",
           "bullet_list_open": "bulletList", "ordered_list_open": "orderedList",
           "list_item_open": "listItem", "blockquote_open": "blockquote",
           "table_open": "table", "tr_open": "tableRow", "th_open": "tableHeader",
           "td_open": "tableCell"}
_MARKS = {"strong_open": "bold", "em_open": "italic", "s_open": "strike"}
_TASK = re.compile(r"^\[([ xX])\]\s+")


def _append_inline(parent: XmlElement, token: Token) -> None:
    text = parent.children.append(XmlText())
    marks: dict[str, Any] = {}

    def put(value: str, extra: dict[str, Any] | None = None) -> None:
        if value:
            text.insert(len(text), value, {**marks, **(extra or {})} or None)

    for child in token.children or []:
        if child.type == "text":
            put(child.content)
        elif child.type == "code_inline":
            put(child.content, {"code": {}})
        elif child.type in ("softbreak", "hardbreak"):
            # A template's lines are its author's (`**时间：**` under `**会议主题：**`): kept
            # as lines, not run together (Chinese puts no space between them either).
            parent.children.append(XmlElement("hardBreak"))
            text = parent.children.append(XmlText())
        elif child.type in _MARKS:
            marks[_MARKS[child.type]] = {}
        elif child.type.endswith("_close") and child.type.replace("_close", "_open") in _MARKS:
            marks.pop(_MARKS[child.type.replace("_close", "_open")], None)
        elif child.type == "link_open":
            marks["link"] = {"href": str(child.attrGet("href") or "")}
        elif child.type == "link_close":
            marks.pop("link", None)
        elif child.type == "image":
            parent.children.append(XmlElement("image", {
                "src": str(child.attrGet("src") or ""), "alt": child.content}))
            text = parent.children.append(XmlText())


def _mark_tasks(tokens: list[Token]) -> None:
    """`- [ ] 待办` in a template: its item becomes a task item and its list a task list
    (Tiptap's taskList / taskItem), the marker taken out of the text."""
    lists: list[Token] = []
    for index, token in enumerate(tokens):
        if token.type == "bullet_list_open":
            lists.append(token)
        elif token.type == "bullet_list_close":
            lists.pop()
        elif token.type == "list_item_open" and lists and lists[-1].type == "bullet_list_open":
            inline = next((t for t in tokens[index + 1:index + 3] if t.type == "inline"), None)
            first = inline.children[0] if inline is not None and inline.children else None
            found = (_TASK.match(first.content)
                     if first is not None and first.type == "text" else None)
            if found is not None and first is not None:
                first.content = first.content[found.end():]
                token.meta["checked"] = found.group(1).lower() == "x"
                lists[-1].meta["tasks"] = True


def seed_from_markdown(markdown: str) -> bytes:
    """The update that makes a new document hold `markdown` (a template's body), as Tiptap
    would have made it. Only for a page whose document is still empty."""
    doc: Doc[Any] = Doc()
    stack: list[XmlFragment | XmlElement] = [fragment_of(doc)]
    tokens = _MARKDOWN.parse(markdown)
    _mark_tasks(tokens)
    with doc.transaction():
        for token in tokens:
            parent = stack[-1]
            if token.type in _BLOCKS:
                name = _BLOCKS[token.type]
                if token.type == "bullet_list_open" and token.meta.get("tasks"):
                    name = "taskList"
                elif token.type == "list_item_open" and (
                        "checked" in token.meta
                        or (isinstance(parent, XmlElement) and parent.tag == "taskList")):
                    # A task list holds only task items (an item without `[ ]` in one
                    # that has them is one, not done).
                    name = "taskItem"
                    token.meta.setdefault("checked", False)
                attached = parent.children.append(XmlElement(name))
                if token.type == "heading_open":
                    attached.attributes["level"] = int(token.tag[1])
                elif token.type == "ordered_list_open" and token.attrGet("start"):
                    attached.attributes["start"] = int(str(token.attrGet("start")))
                elif name == "taskItem":
                    attached.attributes["checked"] = bool(token.meta["checked"])
                stack.append(attached)
            elif token.type.endswith("_close") and token.type.replace("_close", "_open") in _BLOCKS:
                closed = stack.pop()
                if token.type == "list_item_close" and not len(closed.children):
                    # `1.` with nothing after it: Tiptap's list items hold a paragraph first.
                    closed.children.append(XmlElement("paragraph"))
            elif token.type == "inline" and isinstance(parent, XmlElement):
                if parent.tag in ("tableCell", "tableHeader"):
                    # Tiptap's table cells hold paragraphs.
                    parent = parent.children.append(XmlElement("paragraph"))
                _append_inline(parent, token)
            elif token.type in ("fence", "code_block"):
                block = parent.children.append(XmlElement("codeBlock"))
                if token.info.strip():
                    block.attributes["language"] = token.info.strip().split()[0]
                block.children.append(XmlText(token.content.rstrip("\n")))
            elif token.type == "hr":
                parent.children.append(XmlElement("horizontalRule"))
    return doc.get_update()


# --- restoring ------------------------------------------------------------------------


def _copy_into(parent: XmlFragment | XmlElement, node: XmlElement | XmlText) -> None:
    if isinstance(node, XmlText):
        text = parent.children.append(XmlText())
        for content, marks in node.diff():
            if isinstance(content, str):
                text.insert(len(text), content, marks or None)
        return
    element = parent.children.append(XmlElement(node.tag))
    for name, value in _attrs(node).items():
        element.attributes[name] = value
    for child in _children(node):
        _copy_into(element, child)


def replace_content(doc: Doc[Any], source: Doc[Any]) -> None:
    """Make `doc` hold what `source` holds, as an edit of `doc`: everything in it deleted
    and `source`'s tree written anew, in one transaction. Its history stays (an older
    version restored is a new change, nothing lost), and editors connected receive it as
    any other change."""
    fragment = fragment_of(doc)
    with doc.transaction():
        if len(fragment.children):
            del fragment.children[0:len(fragment.children)]
        for child in _children(fragment_of(source)):
            _copy_into(fragment, child)
