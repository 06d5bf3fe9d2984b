"""What file storage contributes to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.files import models
from xietong.files.api import router, upload_body_limit
from xietong.files.events import FILE_EVENTS
from xietong.manifest import DomainManifest, Mount

MANIFEST = DomainManifest(
    name="files",
    # Uploads carry files: this router's own body limit replaces the app's JSON limit.
    routers=(Mount(router, body_limit=upload_body_limit),),
    models=(models,),
    event_types=FILE_EVENTS,
    error_texts={
        CHINESE: {
            "file_required": "请选择要上传的文件。",
            "no_thumbnail": "该文件没有缩略图。",
            "file_missing": "文件内容已丢失。",
            "too_many_uploads": "上传过于频繁，请稍后再试。",
            "storage_quota_exceeded": "你的文件存储空间不足，无法上传这个文件。",
        },
    },
)
