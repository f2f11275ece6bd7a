"""Imports every model module so that the metadata knows all tables (Alembic, tests)."""

from crm.activities.models import Activity, CalendarFeedToken, FollowUp, NeedsAnalysis, NeedsTopic
from crm.audit.models import AuditEntry
from crm.auth.models import LoginSession, User
from crm.dooropeners.models import DoorOpener, DoorOpenerResult, Event, EventAttendance, Introduction
from crm.imports.models import ImportBatch, ImportLink, ImportMapping, ImportRow
from crm.memberships.models import Collection, CollectionItem, CreditorSettings, Fee, FeeSchedule, Membership
from crm.offers.models import (
    AccountPlan,
    CompanyGroup,
    CompanyGroupMember,
    DecisionMapEntry,
    KeyAccount,
    Offer,
)
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange
from crm.privacy.suppression import SuppressionEntry
from crm.sponsorships.models import Sponsorship

__all__ = [
    "AccountPlan",
    "Activity",
    "AuditEntry",
    "CalendarFeedToken",
    "Collection",
    "CollectionItem",
    "CompanyGroup",
    "CompanyGroupMember",
    "ContactPerson",
    "CreditorSettings",
    "DecisionMapEntry",
    "DoorOpener",
    "DoorOpenerResult",
    "Event",
    "EventAttendance",
    "Fee",
    "FeeSchedule",
    "FollowUp",
    "ImportBatch",
    "ImportLink",
    "ImportMapping",
    "ImportRow",
    "Introduction",
    "KeyAccount",
    "LoginSession",
    "Membership",
    "NeedsAnalysis",
    "NeedsTopic",
    "Offer",
    "Organisation",
    "OrganisationSearchToken",
    "Sponsorship",
    "StageChange",
    "SuppressionEntry",
    "User",
]
