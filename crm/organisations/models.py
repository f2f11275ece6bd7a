"""Organisations (KMU), their contact persons, stage history and search tokens."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from crm.auth.models import User
from crm.core.db import enum_column, utcnow
from crm.core.marks import not_personal, personal
from crm.extensions import db
from crm.organisations.vocab import (
    Chamber,
    ConsentMethod,
    LegalBasis,
    Salutation,
    SizeClass,
    Stage,
)

# Lower-cased search keys compared with LIKE 'prefix%': on SQLite the index only serves LIKE when the
# column collates NOCASE; on PostgreSQL the index needs text_pattern_ops.
SearchKey = sa.String(200).with_variant(sa.String(200, collation="NOCASE"), "sqlite")


class Organisation(db.Model):
    """A company the provider wants to win, serve or keep."""

    __tablename__ = "organisations"
    __table_args__ = (
        # List sorting and filtering always go with "is_archived = false": composite indexes.
        sa.Index("ix_organisations_active_name", "is_archived", "name_sort", "id"),
        sa.Index("ix_organisations_active_stage", "is_archived", "stage"),
        sa.Index("ix_organisations_active_city", "is_archived", "city"),
        sa.Index("ix_organisations_active_last_contact", "is_archived", "last_contact_at"),
        sa.Index("ix_organisations_active_created", "is_archived", "created_at"),
        # Dashboard: companies first reached in a period (training-active, size class) from the index alone.
        sa.Index(
            "ix_organisations_active_first_contact",
            "is_archived",
            "first_contact_at",
            "is_training_active",
            "size_class",
        ),
        sa.Index("ix_organisations_active_training", "is_archived", "is_training_active"),
        sa.Index("ix_organisations_name_key", "name_key", postgresql_ops={"name_key": "text_pattern_ops"}),
        sa.Index("ix_organisations_postcode", "postcode"),
        sa.Index("ix_organisations_website_domain", "website_domain"),
        sa.Index("ix_organisations_register_key", "register_key"),
        sa.Index("ix_organisations_owner_id", "owner_id"),
        sa.Index("ix_organisations_region", "region"),
        sa.CheckConstraint("employees IS NULL OR employees >= 0", name="employees_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), info=personal("name"))
    legal_form: Mapped[str | None] = mapped_column(sa.String(40))
    street: Mapped[str | None] = mapped_column(sa.String(200), info=personal("contact"))
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    website: Mapped[str | None] = mapped_column(sa.String(300), info=personal("contact"))
    phone: Mapped[str | None] = mapped_column(sa.String(50), info=personal("contact"))
    email: Mapped[str | None] = mapped_column(sa.String(254), info=personal("contact"))
    register_number: Mapped[str | None] = mapped_column(sa.String(60))
    founded_on: Mapped[date | None]
    wz_section: Mapped[str | None] = mapped_column(sa.String(1))
    wz_version: Mapped[str | None] = mapped_column(sa.String(10))
    chamber: Mapped[Chamber | None] = mapped_column(enum_column(Chamber, "chamber"))

    # Key figures for the EU size class: staff in annual work units (FTE), whole euros.
    employees: Mapped[float | None]
    turnover_eur: Mapped[int | None] = mapped_column(sa.BigInteger)
    balance_sheet_eur: Mapped[int | None] = mapped_column(sa.BigInteger)
    figures_year: Mapped[int | None]
    # The effective class (override if set, else derived), stored for filtering and fees.
    size_class: Mapped[SizeClass | None] = mapped_column(enum_column(SizeClass, "size_class"), index=True)
    size_class_provisional: Mapped[bool] = mapped_column(default=False)
    size_class_override: Mapped[SizeClass | None] = mapped_column(
        enum_column(SizeClass, "size_class_override")
    )
    size_class_override_reason: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))

    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"), default=Stage.LEAD)
    stage_changed_at: Mapped[datetime | None]
    stage_reason: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    is_training_active: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))

    # Maintained by the contact history: the first and the newest logged contact.
    first_contact_at: Mapped[datetime | None]
    last_contact_at: Mapped[datetime | None]
    # Maintained by stage changes: when the company first became customer or partner.
    won_at: Mapped[datetime | None]

    is_archived: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # Set when a sole trader's data was anonymised (Art. 17 GDPR), see crm/privacy/erasure.py.
    erased_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    # The import that created the company (for undo), see crm/imports.
    import_batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    # Derived keys for sorting, prefix search and duplicate detection (see normalise.py).
    name_sort: Mapped[str] = mapped_column(SearchKey, info=personal("derived"))
    name_key: Mapped[str] = mapped_column(SearchKey, info=personal("derived"))
    website_domain: Mapped[str | None] = mapped_column(
        sa.String(200), info=not_personal("Domain der Website, für die Dublettenprüfung")
    )
    register_key: Mapped[str | None] = mapped_column(sa.String(60))

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    contacts: Mapped[list[ContactPerson]] = relationship(
        back_populates="organisation",
        order_by="(ContactPerson.last_name, ContactPerson.first_name, ContactPerson.id)",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def address_line(self) -> str:
        place = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.street, place) if p)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class PersonalDataMixin:
    """The data-protection facts about a person's data (GDPR Art. 6, 14, 21; UWG §7).

    Shared by contact persons and door-openers: both are people whose data the provider holds.
    """

    @declared_attr
    def legal_basis(cls) -> Mapped[LegalBasis]:
        return mapped_column(
            enum_column(LegalBasis, "legal_basis", length=30),
            default=LegalBasis.LEGITIMATE_INTEREST,
            info=personal("consent", "accountability", "c"),
        )

    data_source: Mapped[str | None] = mapped_column(
        sa.String(300), info=personal("consent", "accountability", "c")
    )
    informed_on: Mapped[date | None] = mapped_column(info=personal("consent", "accountability", "c"))
    email_consent: Mapped[bool] = mapped_column(
        default=False, info=personal("consent", "accountability", "c")
    )
    email_consent_on: Mapped[date | None] = mapped_column(info=personal("consent", "accountability", "c"))

    @declared_attr
    def email_consent_method(cls) -> Mapped[ConsentMethod | None]:
        return mapped_column(
            enum_column(ConsentMethod, "email_consent_method"),
            info=personal("consent", "accountability", "c"),
        )

    email_consent_wording: Mapped[str | None] = mapped_column(
        sa.String(60), info=personal("consent", "accountability", "c")
    )
    marketing_blocked: Mapped[bool] = mapped_column(default=False, info=personal("consent", "objection", "c"))
    marketing_blocked_on: Mapped[date | None] = mapped_column(info=personal("consent", "objection", "c"))
    # Set by an erasure (Art. 17 GDPR): the person's data was anonymised; the row only keeps links.
    erased_at: Mapped[datetime | None]


class ContactPerson(PersonalDataMixin, db.Model):
    """A person at an organisation, with the data-protection facts about their data."""

    __tablename__ = "contact_persons"
    __table_args__ = (sa.Index("ix_contact_persons_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    salutation: Mapped[Salutation | None] = mapped_column(
        enum_column(Salutation, "salutation"), info=personal("name")
    )
    title: Mapped[str | None] = mapped_column(sa.String(40), info=personal("name"))
    first_name: Mapped[str | None] = mapped_column(sa.String(100), info=personal("name"))
    last_name: Mapped[str] = mapped_column(sa.String(100), info=personal("name"))
    function: Mapped[str | None] = mapped_column(sa.String(120), info=personal("role"))
    is_decision_maker: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(sa.String(254), info=personal("contact"))
    phone: Mapped[str | None] = mapped_column(sa.String(50), info=personal("contact"))
    mobile: Mapped[str | None] = mapped_column(sa.String(50), info=personal("contact"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))

    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    import_batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    def __repr__(self) -> str:
        return f"<ContactPerson {self.id} {self.full_name!r}>"


class StageChange(db.Model):
    """One move of an organisation between acquisition stages (manual or automatic)."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        sa.Index("ix_stage_changes_org_at", "organisation_id", "changed_at"),
        sa.Index("ix_stage_changes_at", "changed_at"),
        # The dashboard's funnel reads a period's moves from this index alone.
        sa.Index("ix_stage_changes_at_org_stage", "changed_at", "organisation_id", "to_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "to_stage"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    is_automatic: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))

    changed_by: Mapped[User | None] = relationship()


class OrganisationSearchToken(db.Model):
    """A folded word of an organisation's name, city or a contact's name, for prefix search."""

    __tablename__ = "organisation_search_tokens"
    __table_args__ = (
        sa.Index(
            "ix_organisation_search_tokens_token", "token", postgresql_ops={"token": "text_pattern_ops"}
        ),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(SearchKey, primary_key=True, info=personal("derived"))
