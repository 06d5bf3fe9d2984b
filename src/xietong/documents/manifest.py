"""What documents contribute to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.core.signals import (
    DepartmentNamed,
    DepartmentRemoving,
    FileReadable,
    FoundItems,
    IndexRebuilding,
)
from xietong.documents import library_models, models
from xietong.documents.api import router
from xietong.documents.collab import router as collab_router
from xietong.documents.comment_notices import CommentNotices
from xietong.documents.demo import demo_documents
from xietong.documents.events import COMMENT_EVENTS, DOCUMENT_EVENTS, CompanyDocs, SpaceScopes
from xietong.documents.freshness import (
    REVIEW_JOB,
    REVIEW_SCHEDULE,
    ReviewNotices,
    review_handler,
)
from xietong.documents.library import file_readable
from xietong.documents.library_api import router as library_router
from xietong.documents.library_schemas import LIBRARY_EVENTS
from xietong.documents.searching import PageReaders, found_pages, reindex_pages
from xietong.documents.spaces import department_named, department_removing
from xietong.documents.transfer_api import import_body_limit
from xietong.documents.transfer_api import router as transfer_router
from xietong.manifest import ConsumerNeeds, DomainManifest, JobKind, Mount, Reaction


def _notices(needs: ConsumerNeeds) -> ReviewNotices:
    return ReviewNotices(zone=needs.zone)


def _comment_notices(needs: ConsumerNeeds) -> CommentNotices:
    return CommentNotices(zone=needs.zone)


MANIFEST = DomainManifest(
    name="documents",
    # Imports take a file: their router's body limit is its own.
    routers=(Mount(router), Mount(collab_router), Mount(library_router),
             Mount(transfer_router, body_limit=import_body_limit)),
    models=(models, library_models),
    event_types=(*DOCUMENT_EVENTS, *LIBRARY_EVENTS, *COMMENT_EVENTS),
    scope_resolvers=(SpaceScopes(), CompanyDocs()),
    scope_readers=(PageReaders(),),
    signal_handlers=(Reaction(DepartmentNamed, department_named),
                     Reaction(DepartmentRemoving, department_removing),
                     Reaction(FoundItems, found_pages),
                     Reaction(IndexRebuilding, reindex_pages),
                     Reaction(FileReadable, file_readable)),
    event_consumers=(_notices, _comment_notices),
    job_kinds=(JobKind(REVIEW_JOB, review_handler, every=REVIEW_SCHEDULE),),
    demo=(demo_documents,),
    error_texts={
        CHINESE: {
            "page_level_too_low": "你在这个文档上的权限不够。",
            "space_archived": "空间已归档，请先取消归档。",
            "unknown_space": "空间不存在。",
            "unknown_parent_page": "上级页面不存在。",
            "unknown_sibling": "目标位置的页面不在这一级。",
            "space_mismatch": "上级页面在另一个空间里。",
            "page_cycle": "不能把页面移到它自己或它的子页面下面。",
            "tree_changed": "页面树刚刚被别人改动了，请重试。",
            "restore_the_top": "这个页面是随上级页面一起删除的，请恢复上级页面。",
            "inherit_takes_no_grants": "继承上级权限的页面不能再单独设置权限。",
            "keep_your_access": "这样设置后你将失去这个页面的管理权限，请保留自己的管理权限。",
            "duplicate_grant": "同一个人、部门或“所有人”只能设置一种权限。",
            "owner_cannot_read": "文档负责人必须能查看这个页面。",
            "name_follows_department": "部门空间的名称跟随部门名称。",
            "owner_follows_department": "部门空间的负责人是部门负责人。",
            "may_not_create_space": "访客不能创建空间。",
            "guest_cannot_own": "访客不能做空间负责人。",
            "library_level_too_low": "你在这个空间的权限不够，不能这样管理文件。",
            "not_your_upload": "只能添加你自己上传的文件。",
            "version_is_newest": "这已经是最新版本。",
            "library_versions_full": "一个文件最多保留 500 个版本。",
            "page_export_confidential": "机密文档不能导出。",
            "page_import_file_required": "请选择要导入的文件。",
            "page_import_type": "只能导入 Markdown（.md）、文本（.txt）或 Word（.docx）文件。",
            "page_import_empty": "文件是空的，没有可导入的内容。",
            "page_import_too_large": "文件太大，无法导入。",
            "page_import_unreadable":
                "无法读取这个文件：它不是有效的 Word 文档，或不是 UTF-8/GBK 编码的文本。",
            "page_import_doc": "这是旧版 Word（.doc）文件，请先另存为 .docx 再导入。",
            "doc_comment_empty": "评论内容不能为空。",
            "not_your_comment":
                "只有评论者本人可以修改评论；评论者本人或页面管理者可以删除评论。",
        },
    },
)
