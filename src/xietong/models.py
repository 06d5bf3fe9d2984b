"""Every table of every domain, imported so `Base.metadata` is complete (migrations, tests)."""

from xietong.audit.models import AuditEntry
from xietong.auth.models import AuthToken
from xietong.chat.models import (
    Acknowledgement,
    Channel,
    ChannelMember,
    Message,
    MessageEdit,
    MessageMention,
    Pin,
    Reaction,
    ThreadFollower,
)
from xietong.core.db import Base
from xietong.files.models import StoredFile
from xietong.jobs.models import Job
from xietong.org.company_settings.models import CompanySettingsRecord
from xietong.org.models import Department, DepartmentManager, DepartmentMember, User
from xietong.realtime.models import EventLogHorizon, EventRecipient, EventRecord
from xietong.search.models import SearchItem

__all__ = ["Acknowledgement", "AuditEntry", "AuthToken", "Base", "Channel", "ChannelMember",
           "CompanySettingsRecord", "Department", "DepartmentManager", "DepartmentMember",
           "EventLogHorizon", "EventRecipient", "EventRecord", "Job", "Message", "MessageEdit",
           "MessageMention", "Pin", "Reaction", "SearchItem", "StoredFile", "ThreadFollower",
           "User"]
