"""Imports every model module so that the metadata knows all tables (Alembic, tests)."""

from crm.audit.models import AuditEntry
from crm.auth.models import LoginSession, User
from crm.imports.models import ImportBatch, ImportLink, ImportMapping, ImportRow
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange
from crm.privacy.suppression import SuppressionEntry

__all__ = [
    "AuditEntry",
    "ContactPerson",
    "ImportBatch",
    "ImportLink",
    "ImportMapping",
    "ImportRow",
    "LoginSession",
    "Organisation",
    "OrganisationSearchToken",
    "StageChange",
    "SuppressionEntry",
    "User",
]
