"""Imports every model module so that the metadata knows all tables (Alembic, tests)."""

from crm.activities.models import Activity, CalendarFeedToken, FollowUp, NeedsAnalysis, NeedsTopic
from crm.audit.models import AuditEntry
from crm.auth.models import LoginSession, User
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange

__all__ = [
    "Activity",
    "AuditEntry",
    "CalendarFeedToken",
    "ContactPerson",
    "FollowUp",
    "LoginSession",
    "NeedsAnalysis",
    "NeedsTopic",
    "Organisation",
    "OrganisationSearchToken",
    "StageChange",
    "User",
]
