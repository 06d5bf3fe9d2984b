"""User-facing text for error codes in the languages the UI speaks."""

from __future__ import annotations

ZH_CN: dict[str, str] = {
    "bad_request": "请求无法解析。",
    "bad_json": "请求体不是合法的 JSON。",
    "bad_cursor": "分页游标无效。",
    "invalid": "请求内容不符合要求。",
    "control_characters": "文本中不能含有控制字符（制表符和换行除外）或残缺的 Unicode 字符。",
    "unauthorized": "请先登录。",
    "bad_credentials": "用户名或密码错误。",
    "csrf_failed": "缺少或无效的 CSRF 令牌，请刷新页面后重试。",
    "forbidden": "你没有权限执行此操作。",
    "not_found": "未找到。",
    "route_not_found": "没有这个接口。",
    "method_not_allowed": "该接口不支持此请求方法。",
    "conflict": "与已有数据冲突。",
    "name_taken": "同级下已有同名部门。",
    "username_taken": "用户名已被使用。",
    "email_taken": "邮箱已被使用。",
    "display_name_taken": "已有同事使用这个名字，请加上能区分的信息（如部门）。",
    "remind_too_soon": "刚刚已经提醒过，请稍后再提醒。",
    "bad_emoji": "表情无效：请使用表情符号或已知的短代码（如 :thumbsup:）。",
    "department_cycle": "不能把部门移动到它自己或它的下级部门之下。",
    "department_not_empty": "部门下还有子部门或成员，不能删除。",
    "guest_in_group": "访客不能获得公司的这项权限。",
    "guest_needs_admin": "只有管理员可以把访客加入部门或公告频道（会向其开放历史消息和成员）。",
    "last_owner": "系统至少需要保留一位启用的所有者。",
    "wrong_password": "当前密码不正确。",
    "payload_too_large": "请求体过大。",
    "too_many_requests": "尝试次数过多，请稍后再试。",
    "account_inactive": "账号已停用。",
    "file_required": "请选择要上传的文件。",
    "no_thumbnail": "该文件没有缩略图。",
    "file_missing": "文件内容已丢失。",
    "too_many_uploads": "上传过于频繁，请稍后再试。",
    "storage_quota_exceeded": "你的文件存储空间不足，无法上传这个文件。",
    "bad_file_ids": "只能附加你自己上传的文件。",
    "empty_message": "消息不能为空。",
    "not_a_member": "请先加入该频道。",
    "channel_archived": "频道已归档，只读。",
    "announcement_only": "你不能在这个公告频道发言：由管理员决定谁可以发言。",
    "mention_all_forbidden": "超过 50 人的频道中，只有频道管理员可以 @所有人。",
    "bad_thread_root": "只能回复本频道的顶层消息。",
    "unavailable": "服务暂时不可用，请稍后重试。",
}


def localise(code: str, english: str, accept_language: str | None) -> str:
    """The message for `code` in the client's preferred language (zh-* or English)."""
    if accept_language and prefers_chinese(accept_language):
        return ZH_CN.get(code, english)
    return english


def prefers_chinese(accept_language: str) -> bool:
    first = accept_language.split(",")[0].strip().lower()
    return first.startswith("zh")
