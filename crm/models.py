"""Imports every model module so that the metadata knows all tables (Alembic, tests)."""

from crm.audit.models import AuditEntry
from crm.auth.models import LoginSession, User
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange

__all__ = [
    "AuditEntry",
    "ContactPerson",
    "LoginSession",
    "Organisation",
    "OrganisationSearchToken",
    "StageChange",
    "User",
]
