"""Every domain of the server, in one list (see `xietong.manifest`).

The order is the order of everything done per domain: routes are mounted, signal
handlers connected and demo data seeded in it, so a domain comes after those it builds
on (chat after org: its demo conversations need the demo people).
"""

from __future__ import annotations

from xietong.analytics.manifest import MANIFEST as ANALYTICS
from xietong.announcements.manifest import MANIFEST as ANNOUNCEMENTS
from xietong.approvals.manifest import MANIFEST as APPROVALS
from xietong.audit.manifest import MANIFEST as AUDIT
from xietong.auth.manifest import MANIFEST as AUTH
from xietong.business_calendar.manifest import MANIFEST as BUSINESS_CALENDAR
from xietong.chat.manifest import MANIFEST as CHAT
from xietong.documents.manifest import MANIFEST as DOCUMENTS
from xietong.feedback.manifest import MANIFEST as FEEDBACK
from xietong.files.manifest import MANIFEST as FILES
from xietong.glossary.manifest import MANIFEST as GLOSSARY
from xietong.goals.manifest import MANIFEST as GOALS
from xietong.jobs.manifest import MANIFEST as JOBS
from xietong.manifest import DomainManifest
from xietong.meetings.manifest import MANIFEST as MEETINGS
from xietong.notifications.manifest import MANIFEST as NOTIFICATIONS
from xietong.ops.manifest import MANIFEST as OPS
from xietong.org.manifest import MANIFEST as ORG
from xietong.projects.manifest import MANIFEST as PROJECTS
from xietong.realtime.manifest import MANIFEST as REALTIME
from xietong.requests.manifest import MANIFEST as REQUESTS
from xietong.search.manifest import MANIFEST as SEARCH
from xietong.surveys.manifest import MANIFEST as SURVEYS

DOMAINS: tuple[DomainManifest, ...] = (
    OPS,
    AUTH,
    ORG,
    AUDIT,
    BUSINESS_CALENDAR,
    CHAT,
    REALTIME,
    SEARCH,
    JOBS,
    FILES,
    NOTIFICATIONS,
    APPROVALS,
    REQUESTS,
    PROJECTS,
    GOALS,
    DOCUMENTS,
    GLOSSARY,
    MEETINGS,
    SURVEYS,
    FEEDBACK,
    ANNOUNCEMENTS,
    ANALYTICS,
)
