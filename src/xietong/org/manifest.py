"""What the organisation (people, departments) contributes to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.manifest import DomainManifest, Mount
from xietong.org import events, models
from xietong.org.api import import_body_limit, import_router, router
from xietong.org.commands import create_admin, ensure_owner
from xietong.org.company_settings import models as company_settings_models
from xietong.org.demo import demo_company
from xietong.org.first_steps import router as first_steps_router
from xietong.org.scopes import DepartmentScopes, PeopleScopes

MANIFEST = DomainManifest(
    name="org",
    # The import of people takes a spreadsheet: its router's body limit is its own.
    routers=(Mount(router), Mount(first_steps_router),
             Mount(import_router, body_limit=import_body_limit)),
    models=(models, company_settings_models),
    event_types=events.ORG_EVENTS,
    scope_resolvers=(DepartmentScopes(), PeopleScopes()),
    commands={"create-admin": create_admin, "ensure-owner": ensure_owner},
    demo=(demo_company,),
    error_texts={
        CHINESE: {
            "name_taken": "同级下已有同名部门。",
            "username_taken": "用户名已被使用。",
            "email_taken": "邮箱已被使用。",
            "display_name_taken": "已有同事使用这个名字，请加上能区分的信息（如部门）。",
            "department_cycle": "不能把部门移动到它自己或它的下级部门之下。",
            "department_not_empty": "部门下还有子部门或成员，不能删除。",
            # Raised by chat too (a guest into an announcement channel).
            "guest_needs_admin": ("只有管理员可以把访客加入部门或公告频道"
                                  "（会向其开放历史消息和成员）。"),
            "last_owner": "系统至少需要保留一位启用的所有者。",
            "guest_in_group": "访客不能获得公司的这项权限。",
            "import_file_required": "请选择要导入的文件。",
            "import_too_large": "文件太大，请拆分后分批导入。",
            "import_too_many_rows": "文件超过 1000 行，请拆分后分批导入。",
            "import_empty": "文件中表头下面没有数据行。",
            "import_xls": "这是旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入。",
            "import_unreadable": "无法读取这个文件：请使用 .xlsx 或 CSV（UTF-8 或 GBK 编码）。",
            "import_missing_column": "第一行缺少“姓名”列。",
            "import_duplicate_column": "有两列表示同一项内容，请删除其中一列。",
            "import_has_problems": "有些行无法导入，整个文件都没有导入。",
        },
    },
)
