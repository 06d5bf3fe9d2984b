"""User-facing text for error codes in the languages the UI speaks besides English.

English is the message given where the error is raised (`core.errors`), which may say more
than the code does ("No such person."); a table here or in a domain's manifest gives the
text of a code in another language. The core's codes are below, each domain's next to the
domain (`DomainManifest.error_texts`); `ErrorCatalogue` gathers them for the app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# By language tag, then by error code.
ErrorTexts = Mapping[str, Mapping[str, str]]

CHINESE = "zh-CN"
# The languages besides English that a table may give texts in.
LANGUAGES = (CHINESE,)

# The codes of the core, the edge and the app, which belong to no domain.
CORE_TEXTS: ErrorTexts = {
    CHINESE: {
        "bad_request": "请求无法解析。",
        "bad_json": "请求体不是合法的 JSON。",
        "bad_cursor": "分页游标无效。",
        "invalid": "请求内容不符合要求。",
        "control_characters": "文本中不能含有控制字符（制表符和换行除外）或残缺的 Unicode 字符。",
        "unauthorized": "请先登录。",
        "csrf_failed": "缺少或无效的 CSRF 令牌，请刷新页面后重试。",
        "forbidden": "你没有权限执行此操作。",
        "not_found": "未找到。",
        "route_not_found": "没有这个接口。",
        "method_not_allowed": "该接口不支持此请求方法。",
        "conflict": "与已有数据冲突。",
        "payload_too_large": "请求体过大。",
        "too_many_requests": "尝试次数过多，请稍后再试。",
        "unavailable": "服务暂时不可用，请稍后重试。",
    },
}


class ErrorCatalogue:
    """The texts of the core and of the given domains' tables. A code has one text per
    language: two tables giving the same code are a mistake, refused at start."""

    def __init__(self, tables: Iterable[ErrorTexts]) -> None:
        self._texts: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
        for table in (CORE_TEXTS, *tables):
            for language, texts in table.items():
                if language not in self._texts:
                    raise ValueError(f"error texts in {language!r}, which is not one of "
                                     f"{LANGUAGES}")
                known = self._texts[language]
                for code, text in texts.items():
                    if code in known:
                        raise ValueError(f"error code {code!r} has two {language} texts")
                    known[code] = text

    def localise(self, code: str, english: str, accept_language: str | None) -> str:
        """The message for `code` in the client's preferred language (zh-* or English)."""
        if accept_language and prefers_chinese(accept_language):
            return self._texts[CHINESE].get(code, english)
        return english

    def codes(self, language: str) -> set[str]:
        return set(self._texts[language])


def prefers_chinese(accept_language: str) -> bool:
    first = accept_language.split(",")[0].strip().lower()
    return first.startswith("zh")
