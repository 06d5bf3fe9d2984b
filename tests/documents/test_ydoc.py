"""The documents the server makes from Markdown (a template's first words) are ones Tiptap's
schema takes as they are: a node it could not hold would be dropped by the browser's
y-prosemirror, or "repaired" by it — an edit a reader's replica is not allowed to send."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, XmlElement, XmlFragment

from xietong.documents.templates import TEMPLATES
from xietong.documents.ydoc import fragment_of, markdown_of, seed_from_markdown

# Tiptap's node names and what each must start with (its schema's content expression).
FIRST_CHILD = {"listItem": "paragraph", "taskItem": "paragraph",
               "tableCell": "paragraph", "tableHeader": "paragraph"}
NODES = {"paragraph", "heading", "bulletList", "orderedList", "listItem", "taskList",
         "taskItem", "blockquote", "codeBlock", "horizontalRule", "hardBreak", "image",
         "table", "tableRow", "tableHeader", "tableCell"}


def elements(node: XmlFragment | XmlElement) -> list[XmlElement]:
    found: list[XmlElement] = []
    for child in node.children:
        if isinstance(child, XmlElement):
            found.append(child)
            found.extend(elements(child))
    return found


def seeded(markdown: str) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    doc.apply_update(seed_from_markdown(markdown))
    return doc


@pytest.mark.parametrize("template", [t for t in TEMPLATES if t.markdown],
                         ids=lambda t: t.key)
def test_a_template_seeds_nodes_tiptap_holds(template: Any) -> None:
    for element in elements(fragment_of(seeded(template.markdown))):
        assert element.tag in NODES
        if element.tag in FIRST_CHILD:
            first = next(iter(element.children), None)
            assert isinstance(first, XmlElement), f"{template.key}: an empty {element.tag}"
            assert first.tag == FIRST_CHILD[element.tag], template.key


def test_empty_list_items_hold_an_empty_paragraph_and_read_back_the_same() -> None:
    doc = seeded("1.\n2.\n\n- [ ] 待办\n-\n")
    items = [e for e in elements(fragment_of(doc)) if e.tag in ("listItem", "taskItem")]
    assert [e.tag for e in items] == ["listItem", "listItem", "taskItem", "taskItem"]
    assert all([c.tag for c in e.children if isinstance(c, XmlElement)] == ["paragraph"]
               for e in items)
    assert markdown_of(doc) == "1. \n2. \n\n- [ ] 待办\n- [ ]\n"


def test_a_templates_lines_stay_lines() -> None:
    """`**会议主题：**` and `**时间：**` on lines of their own stay on lines of their own."""
    doc = seeded("**会议主题：**\n**时间：**\n")
    [paragraph] = [e for e in elements(fragment_of(doc)) if e.tag == "paragraph"]
    assert [c.tag for c in paragraph.children if isinstance(c, XmlElement)] == ["hardBreak"]
    assert markdown_of(doc) == "**会议主题：**  \n**时间：**\n"
