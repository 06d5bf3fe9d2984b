"""What analytics contributes to the server."""

from __future__ import annotations

from xietong.analytics import models
from xietong.analytics.api import router
from xietong.core.i18n import CHINESE
from xietong.manifest import DomainManifest, Mount

MANIFEST = DomainManifest(
    name="analytics",
    routers=(Mount(router),),
    models=(models,),
    error_texts={
        CHINESE: {
            "analytics_hidden": "你没有查看协作分析的权限。",
            "analytics_overview_only": "你只能查看公司协作概览。",
            "analytics_department_hidden": "你不能查看这个部门的数据。",
            "analytics_unknown_department": "没有这个部门。",
            "analytics_range_backwards": "结束日期不能早于开始日期。",
            "analytics_range_too_long": "时间范围最长 400 天。",
        },
    },
)
