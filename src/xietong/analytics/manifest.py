"""What analytics contributes to the server."""

from __future__ import annotations

from xietong.analytics import models
from xietong.analytics.report_jobs import REPORT_JOB_KINDS
from xietong.analytics.reports_api import router as reports_router
from xietong.core.i18n import CHINESE
from xietong.manifest import DomainManifest, Mount

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
    routers=(Mount(reports_router),),
    models=(models,),
    job_kinds=(*REPORT_JOB_KINDS,),
    error_texts={CHINESE: {**_REPORT_ERRORS}},
)
