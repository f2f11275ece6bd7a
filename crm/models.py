"""Imports every model module so that the metadata knows all tables (Alembic, tests)."""

from crm.audit.models import AuditEntry
from crm.auth.models import LoginSession, User

__all__ = ["AuditEntry", "LoginSession", "User"]
