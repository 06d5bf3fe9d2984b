"""Every table of every domain, imported so `Base.metadata` is complete (migrations, tests)."""

from xietong.audit.models import AuditEntry
from xietong.auth.models import AuthToken
from xietong.core.db import Base
from xietong.org.models import Department, DepartmentManager, DepartmentMember, User

__all__ = ["AuditEntry", "AuthToken", "Base", "Department", "DepartmentManager",
           "DepartmentMember", "User"]
