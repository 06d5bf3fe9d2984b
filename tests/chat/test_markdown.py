"""render_markdown: what a chat message's Markdown turns into, and what it never turns into.

The XSS corpus is tests/chat/xss_payloads.txt (OWASP filter-evasion categories and
Markdown tricks) plus the variants built here: every obfuscation of a javascript:,
vbscript: or data: URL in every place a URL can go.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from xietong.chat import markdown
from xietong.chat.markdown import render_markdown

REL = 'target="_blank" rel="noopener noreferrer nofollow"'

# What may appear in output: tag -> attributes.
ALLOWED: dict[str, set[str]] = {
    **{tag: set() for tag in (
        "p", "br", "hr", "strong", "em", "del", "s", "pre", "blockquote", "ul", "li",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr")},
    "a": {"href", "title", "target", "rel"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    # Only mentions the server resolved; the sanitiser keeps nothing else on a span.
    "span": {"class", "data-mention"},
}
FORBIDDEN_TAGS = ("<script", "<iframe", "<object", "<embed", "<style", "<form", "<svg",
                  "<img", "<meta", "<link", "<base", "<math", "<input", "<button", "<frame",
                  "<video", "<audio", "<source", "<textarea", "<select", "<details", "<body",
                  "<xml", "<applet", "<portal", "<template", "<noscript", "<div")
# An on* attribute name in a tag (quoted values, which may say anything, are skipped).
EVENT_HANDLER = re.compile(
    r"""<[a-z][a-z0-9]*(?:[\s/]+[^\s=>"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"'][^\s>]*))?)*?"""
    r"[\s/]+on\w+\s*=", re.IGNORECASE)
# Inside a tag: escaped text ("&lt;img src=x onerror=…") is harmless and may say anything.
BAD_URL_ATTRIBUTE = re.compile(
    r"<[a-z][^>]*\s(?:href|src|action|formaction|data|background|poster|xlink:href)"
    r"""\s*=\s*["'`]?\s*(?:javascript|vbscript|data|file):""", re.IGNORECASE)
STYLE_OR_SRC = re.compile(r"<[a-z][^>]*\s(?:style|src|srcdoc)\s*=", re.IGNORECASE)
# What a browser ignores inside a URL's scheme: C0 controls and space.
URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(rendered: str) -> _Tags:
    parser = _Tags()
    parser.feed(rendered)
    parser.close()
    return parser


def assert_safe(source: str, render: Callable[[str], str] = render_markdown) -> str:
    rendered = render(source)
    lowered = rendered.lower()
    where = f"\nsource:   {source!r}\nrendered: {rendered!r}"
    for tag in FORBIDDEN_TAGS:
        assert tag not in lowered, f"{tag} in output{where}"
    assert not EVENT_HANDLER.search(rendered), f"event handler{where}"
    assert not BAD_URL_ATTRIBUTE.search(rendered), f"dangerous URL{where}"
    assert not STYLE_OR_SRC.search(rendered), f"style/src attribute{where}"
    # The same, as a browser would read it: entities decoded, every tag and attribute.
    for tag, attrs in parse(rendered).found:
        assert tag in ALLOWED, f"<{tag}> not allowed{where}"
        for name, value in attrs:
            assert name in ALLOWED[tag], f"<{tag} {name}=> not allowed{where}"
            if name == "href":
                scheme = URL_NOISE.sub("", value or "").lower()
                assert scheme.startswith(("http://", "https://", "mailto:")), \
                    f"href {value!r}{where}"
            if name == "class":
                wanted = r"mention" if tag == "span" else r"language-[a-z0-9+#-]{1,20}"
                assert re.fullmatch(wanted, value or ""), where
            if name == "data-mention":
                assert re.fullmatch(r"(?:user|department):\d+(?: \d+)*|all", value or ""), where
            if name == "target":
                assert value == "_blank", where
            if name == "rel":
                assert value == "noopener noreferrer nofollow", where
    return rendered


# --- the corpus

def _file_payloads() -> list[str]:
    lines = (Path(__file__).parent / "xss_payloads.txt").read_text("utf-8").splitlines()
    return [line.replace("⏎", "\n") for line in lines if line and not line.startswith("#")]


def _entities(text: str, form: Callable[[int], str]) -> str:
    return "".join(form(ord(c)) for c in text)


def _scheme_variants(scheme: str) -> list[str]:
    """`scheme` as filter-evasion writes it: case, entities, percent-escapes, and
    whitespace or control characters inside it (which browsers strip)."""
    half = len(scheme) // 2
    variants = [
        scheme, scheme.upper(), "".join(c.upper() if i % 2 else c for i, c in
                                        enumerate(scheme)),
        _entities(scheme, lambda n: f"&#{n};"),
        _entities(scheme, lambda n: f"&#{n}"),
        _entities(scheme, lambda n: f"&#{n:07d}"),
        _entities(scheme, lambda n: f"&#x{n:x};"),
        _entities(scheme, lambda n: f"&#X{n:X}"),
        _entities(scheme, lambda n: f"&#x{n:08x};"),
        scheme.replace(":", "&colon;"),
        scheme.replace(":", "&#58;"),
        scheme.replace(":", "%3A"),
        "".join(f"%{ord(c):02X}" for c in scheme),
        scheme[:half] + "&Tab;" + scheme[half:],
        scheme[:half] + "&NewLine;" + scheme[half:],
        scheme[:half] + "\\" + scheme[half:],
        " " + scheme,
        "&#14;  " + scheme,
        "".join(chr(0xFEE0 + ord(c)) if "!" <= c <= "~" else c for c in scheme),
    ]
    for code in [*range(0x00, 0x21), 0x7F]:
        variants.append(scheme[:half] + chr(code) + scheme[half:])
        variants.append(scheme[:half] + f"&#x{code:02x};" + scheme[half:])
        variants.append(chr(code) + scheme)
    return variants


_URL_BODIES = {
    "javascript:": "alert(1)",
    "vbscript:": "msgbox(1)",
    "data:": "text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
}
_CARRIERS = (
    "[x]({u})", "[x](<{u}>)", '[x]({u} "t")', "[x][r]\n\n[r]: {u}", "<{u}>", "![x]({u})",
    "[![x](https://example.com/a.png)]({u})", '<a href="{u}">x</a>', '<img src="{u}">',
    '<iframe src="{u}"></iframe>', "{u}", "> [x]({u})", "| [x]({u}) |\n|---|",
)


def _generated_payloads() -> list[str]:
    return [carrier.format(u=variant + body)
            for scheme, body in _URL_BODIES.items()
            for variant in _scheme_variants(scheme)
            for carrier in _CARRIERS]


CORPUS = _file_payloads()
GENERATED = _generated_payloads()


def test_corpus_is_broad() -> None:
    assert len(CORPUS) >= 250
    assert len(GENERATED) >= 1000


@pytest.mark.parametrize("payload", CORPUS)
def test_corpus_payload_renders_safely(payload: str) -> None:
    assert_safe(payload)


def test_every_url_obfuscation_in_every_carrier_renders_safely() -> None:
    for payload in GENERATED:
        assert_safe(payload)


def test_raw_html_is_shown_as_text() -> None:
    assert render_markdown('<b onclick="x()">hi</b>') == \
        "<p>&lt;b onclick=\"x()\"&gt;hi&lt;/b&gt;</p>\n"
    assert render_markdown("<!-- hidden -->") == "<p>&lt;!-- hidden --&gt;</p>\n"


def test_rejected_links_stay_as_text() -> None:
    assert render_markdown("[x](javascript:alert(1))") == \
        "<p>[x](javascript:alert(1))</p>\n"
    assert render_markdown("<javascript:alert(1)>") == \
        "<p>&lt;javascript:alert(1)&gt;</p>\n"


def test_sanitiser_alone_stops_what_markdown_might_let_through() -> None:
    """Defence in depth: the nh3 layer, given hostile HTML directly (as if markdown-it
    ever emitted some), keeps only the allow-list."""
    hostile = (
        '<p onclick="x">a</p><script>alert(1)</script><style>p{}</style>'
        '<a href="javascript:alert(1)">j</a><a href="jav&#x09;ascript:alert(1)">t</a>'
        '<a href="/relative">r</a><a href="https://ok.example" onmouseover="x" '
        'style="x" target="_self" rel="opener">ok</a><img src=x onerror=alert(1)>'
        '<iframe src="https://evil.example"></iframe><svg onload=alert(1)></svg>'
        '<code class="language-py evil">c</code><code class="language-x&quot;y">d</code>'
        '<table><tr><th align="justify">h</th></tr></table>'
        '<ol start="1 onclick=x"><li>i</li></ol>'
        '<form action="javascript:x"><button formaction="javascript:x">b</button></form>'
        '<meta http-equiv="refresh" content="0;url=javascript:x"><!-- c -->'
    )
    cleaned = markdown._sanitiser.clean(hostile)
    assert "alert" not in cleaned
    for tag in FORBIDDEN_TAGS:
        assert tag not in cleaned.lower()
    assert f'<a href="https://ok.example" {REL}>ok</a>' in cleaned
    for kept in (f"<a {REL}>j</a>", f"<a {REL}>r</a>", "<code>c</code>", "<code>d</code>",
                 "<ol><li>", "<th>h</th>"):
        assert kept in cleaned
    for dropped in ("<!--", "onclick", "style", "_self", "opener\""):
        assert dropped not in cleaned


def test_sanitiser_alone_stops_the_whole_corpus() -> None:
    """Were raw HTML ever let through markdown-it, nh3 alone would still hold."""
    raw_html = MarkdownIt("commonmark", {"html": True}).enable(["strikethrough", "table"])
    for payload in CORPUS + GENERATED:
        assert_safe(payload, render=lambda text: markdown._sanitiser.clean(raw_html.render(text)))


# --- what ordinary Markdown becomes

def test_chinese_emoji_and_full_width_punctuation_pass_through_unchanged() -> None:
    text = "你好，世界！请看“方案”（第二版）：一、二；完成了吗？😀👍🏽👨‍👩‍👧 ｱｲｳ ＡＢＣ　全角空格"
    assert render_markdown(text) == f"<p>{text}</p>\n"


def test_inline_formatting() -> None:
    assert render_markdown("**粗体** *斜体* ~~删除~~ `a < b`") == (
        "<p><strong>粗体</strong> <em>斜体</em> <s>删除</s> <code>a &lt; b</code></p>\n")


def test_a_single_newline_is_a_line_break() -> None:
    assert render_markdown("第一行\n第二行") == "<p>第一行<br>\n第二行</p>\n"


FENCED_CONTENT = (
    "def f(x):\n"
    "\tif x < 1 and y > 2 && z:  \n"
    '        return "<b>&amp;</b>" + \'\\n\'  # @all @张伟\n'
    "\n"
    "**not bold** [not](a link) <script>alert(1)</script>\n"
    "中文 😀 ＜全角＞\n"
)


@pytest.mark.parametrize("fence", ["```", "~~~", "````"])
def test_fenced_code_keeps_its_text_exactly(fence: str) -> None:
    rendered = render_markdown(f"{fence}python\n{FENCED_CONTENT}{fence}")
    code = re.fullmatch(r'<pre><code class="language-python">(.*)</code></pre>\n', rendered,
                        re.DOTALL)
    assert code is not None
    assert html.unescape(code.group(1)) == FENCED_CONTENT
    assert "<script" not in rendered


def test_indented_code_keeps_its_text() -> None:
    rendered = render_markdown("说明：\n\n    <b>x</b> & y\n    *z*")
    assert rendered.endswith("<pre><code>&lt;b&gt;x&lt;/b&gt; &amp; y\n*z*\n</code></pre>\n")


@pytest.mark.parametrize(("info", "css_class"), [
    ("python", "language-python"),
    ("Python", "language-python"),
    ("c++", "language-c++"),
    ("C#", "language-c#"),
    ("objective-c", "language-objective-c"),
    ("ts {linenos}", "language-ts"),
    ("a" * 20, "language-" + "a" * 20),
    ("a" * 21, None),
    ('"><script>', None),
    ("py.th", None),
    ("语言", None),
    ("java onclick=alert(1)", "language-java"),
    ("", None),
])
def test_code_language_class(info: str, css_class: str | None) -> None:
    rendered = render_markdown(f"```{info}\nx\n```")
    expected = f'<code class="{css_class}">' if css_class else "<code>"
    assert rendered == f"<pre>{expected}x\n</code></pre>\n"


def test_lists() -> None:
    assert render_markdown("- 一\n- 二\n  - 二点一") == (
        "<ul>\n<li>一</li>\n<li>二\n<ul>\n<li>二点一</li>\n</ul>\n</li>\n</ul>\n")
    assert render_markdown("3. 三\n4. 四") == '<ol start="3">\n<li>三</li>\n<li>四</li>\n</ol>\n'


def test_blockquote() -> None:
    assert render_markdown("> 引用\n> 第二行") == (
        "<blockquote>\n<p>引用<br>\n第二行</p>\n</blockquote>\n")


def test_links_open_in_a_new_tab_without_referrer() -> None:
    assert render_markdown('[文档](https://example.com/a?b=1&c=2 "标题")') == (
        f'<p><a href="https://example.com/a?b=1&amp;c=2" title="标题" {REL}>文档</a></p>\n')
    assert render_markdown("<https://example.com>") == (
        f'<p><a href="https://example.com" {REL}>https://example.com</a></p>\n')
    assert render_markdown("<li.na@example.com>") == (
        f'<p><a href="mailto:li.na@example.com" {REL}>li.na@example.com</a></p>\n')


def test_reference_links() -> None:
    assert render_markdown("见[规范][spec]。\n\n[spec]: https://spec.commonmark.org/") == (
        f'<p>见<a href="https://spec.commonmark.org/" {REL}>规范</a>。</p>\n')


@pytest.mark.parametrize(("text", "expected"), [
    ("看https://example.com/a，谢谢", "看{a:https://example.com/a}，谢谢"),
    ("see https://example.com/x_(y).", "see {a:https://example.com/x_(y)}."),
    ("(https://example.com/x)", "({a:https://example.com/x})"),
    ("https://example.com/path_with_underscores_", "{a:https://example.com/path_with_underscores}_"),
    ("HTTPS://EXAMPLE.COM", "{a:HTTPS://EXAMPLE.COM}"),
    ("访问www.example.com。", "访问{a:www.example.com|http://www.example.com}。"),
    ("http://", "http://"),
    ("xhttps://example.com", "xhttps://example.com"),
    ("[内](https://a.example) https://b.example",
     "{a:内|https://a.example} {a:https://b.example}"),
])
def test_bare_urls_become_links(text: str, expected: str) -> None:
    def link(match: re.Match[str]) -> str:
        label, _, href = match.group(1).partition("|")
        return f'<a href="{html.escape(href or label)}" {REL}>{html.escape(label)}</a>'
    assert render_markdown(text) == "<p>" + re.sub(r"\{a:([^}]*)\}", link, expected) + "</p>\n"


def test_relative_and_other_scheme_links_are_not_links() -> None:
    assert render_markdown("[设置](/settings) [f](ftp://x.example)") == \
        "<p>[设置](/settings) [f](ftp://x.example)</p>\n"


def test_images_become_links_to_the_image() -> None:
    assert render_markdown('![架构图 *v2*](https://example.com/a.png "图")') == (
        f'<p><a href="https://example.com/a.png" title="图" {REL}>架构图 v2</a></p>\n')
    assert render_markdown("![](https://example.com/a.png)") == (
        f'<p><a href="https://example.com/a.png" {REL}>https://example.com/a.png</a></p>\n')
    # Inside a link only the label remains: no nested <a>.
    assert render_markdown("[![图](https://example.com/a.png)](https://example.com)") == (
        f'<p><a href="https://example.com" {REL}>图</a></p>\n')


def test_headings_stay_headings() -> None:
    assert render_markdown("# 标题\n## 小标题") == "<h1>标题</h1>\n<h2>小标题</h2>\n"


def test_table_keeps_alignment_without_styles() -> None:
    assert render_markdown("| 名字 | 数量 |\n|:--|--:|\n| 苹果 | 3 |") == (
        '<table>\n<thead>\n<tr>\n<th align="left">名字</th>\n<th align="right">数量</th>\n'
        '</tr>\n</thead>\n<tbody>\n<tr>\n<td align="left">苹果</td>\n'
        '<td align="right">3</td>\n</tr>\n</tbody>\n</table>\n')


def test_horizontal_rule_and_entities() -> None:
    assert render_markdown("a\n\n---\n\n&copy; &lt;b&gt;") == (
        "<p>a</p>\n<hr>\n<p>© &lt;b&gt;</p>\n")


# --- speed

def _best_ms(text: str, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        render_markdown(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def test_a_long_message_renders_in_time_linear_in_its_length() -> None:
    """Twenty times the text costs about twenty times as much (a backtracking pattern would
    cost four hundred): compared on the same machine in the same moment, with room for a
    busy machine's interruptions of the longer run (one CI run under load measured 45×
    where 20× was due); `bench/` has the absolute figures."""
    line = ("张伟，请看一下 **这个** 问题 https://example.com/issues/42?tab=1 和 `code` 以及"
            " ~~旧的~~ 方案 @李娜 [链接](https://example.org/a_b) 😀\n")
    text = (line * 400)[:32000]
    twentieth = text[:1600]
    assert _best_ms(text, runs=7) < 120 * _best_ms(twentieth, runs=7)


@pytest.mark.parametrize("pattern", ["[", "![", "*a", "**_~~", "<a ", "`a``", "- x\n> y\n"])
def test_hostile_long_messages_stay_bounded(pattern: str) -> None:
    # markdown-it-py's own cost on these is 50-200 ms on an idle machine (1.5 s seen on a
    # busy one); a backtracking blow-up costs minutes. The bound is a guard, not a figure.
    assert _best_ms((pattern * 16000)[:16000], runs=1) < 6000
