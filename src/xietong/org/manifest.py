"""What the organisation (people, departments) contributes to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.manifest import DomainManifest, Mount
from xietong.org import events, models
from xietong.org.api import router
from xietong.org.commands import create_admin, ensure_owner
from xietong.org.company_settings import models as company_settings_models
from xietong.org.demo import demo_company
from xietong.org.scopes import DepartmentScopes, PeopleScopes

MANIFEST = DomainManifest(
    name="org",
    routers=(Mount(router),),
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
        },
    },
)
