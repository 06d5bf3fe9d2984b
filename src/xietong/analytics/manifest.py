"""What analytics contributes to the server."""

from __future__ import annotations

from xietong.analytics import models
from xietong.analytics.api import router
from xietong.analytics.commands import analytics_rebuild
from xietong.analytics.demo import count_the_demo
from xietong.analytics.report_jobs import REPORT_JOB_KINDS
from xietong.analytics.reports_api import router as reports_router
from xietong.analytics.rollups import RollupConsumer
from xietong.core.i18n import CHINESE
from xietong.manifest import ConsumerNeeds, DomainManifest, Mount


def _rollups(needs: ConsumerNeeds) -> RollupConsumer:
    return RollupConsumer(zone=needs.zone)


# Maturity reports (analytics.report, report_jobs, report_render, reports_api).
_REPORT_ERRORS = {
    "invalid_period": "季度的写法不对，请写成 2026-Q4 这样的形式。",
    "period_in_future": "这个季度还没有开始，无法生成报告。",
    "report_group_too_small": "该部门人数少于最小分组人数，不单独生成报告。",
    "report_not_found": "报告不存在，或你无权查看。",
    "report_not_ready": "报告尚未生成完成（或生成失败，请重新生成）。",
}

MANIFEST = DomainManifest(
    name="analytics",
    routers=(Mount(router), Mount(reports_router)),
    models=(models,),
    event_consumers=(_rollups,),
    job_kinds=(*REPORT_JOB_KINDS,),
    commands={"analytics-rebuild": analytics_rebuild},
    demo=(count_the_demo,),
    error_texts={
        CHINESE: {
            "analytics_hidden": "你没有查看协作分析的权限。",
            "analytics_overview_only": "你只能查看公司协作概览。",
            "analytics_department_hidden": "你不能查看这个部门的数据。",
            "analytics_unknown_department": "没有这个部门。",
            "analytics_not_started": "协作分析尚未开始统计，无需重算。",
            "analytics_log_pruned": "事件日志已不再完整保存这一天，请从更晚的日期开始重算。",
            "analytics_range_backwards": "结束日期不能早于开始日期。",
            "analytics_range_too_long": "时间范围最长 400 天。",
            "analytics_range_out_of_bounds": "日期超出范围。",
            **_REPORT_ERRORS,
        },
    },
)
