"""What the business calendar contributes to the server."""

from __future__ import annotations

from xietong.business_calendar import models
from xietong.business_calendar.api import router
from xietong.business_calendar.demo import demo_calendar
from xietong.core.i18n import CHINESE
from xietong.manifest import DomainManifest, Mount

MANIFEST = DomainManifest(
    name="business_calendar",
    routers=(Mount(router),),
    models=(models,),
    demo=(demo_calendar,),
    error_texts={
        CHINESE: {
            "calendar_date_out_of_range": "工作日历只支持 2000 年至 2100 年的日期。",
            "calendar_range_reversed": "结束日期早于开始日期。",
            "calendar_range_too_long": "一次最多查询 366 天。",
            "calendar_no_working_time": "十年内没有足够的工作时间，无法计算截止时间。",
        },
    },
)
