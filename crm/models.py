"""Imports every model module so that the metadata knows all tables (Alembic, tests)."""

from crm.audit.models import AuditEntry
from crm.auth.models import LoginSession, User
from crm.dooropeners.models import DoorOpener, DoorOpenerResult, Event, EventAttendance, Introduction
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange

__all__ = [
    "AuditEntry",
    "ContactPerson",
    "DoorOpener",
    "DoorOpenerResult",
    "Event",
    "EventAttendance",
    "Introduction",
    "LoginSession",
    "Organisation",
    "OrganisationSearchToken",
    "StageChange",
    "User",
]
