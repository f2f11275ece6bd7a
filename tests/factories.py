"""factory_boy factories; they add to the session and flush, never commit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from crm.activities.dates import local_today
from crm.activities.models import Activity, FollowUp, NeedsAnalysis
from crm.activities.vocab import ActivityKind
from crm.auth.models import Role, User
from crm.auth.passwords import _hasher_for
from crm.core.db import utcnow
from crm.dooropeners.models import DoorOpener, Introduction
from crm.dooropeners.vocab import Channel, DoorOpenerKind
from crm.offers.models import CompanyGroup, Offer
from crm.offers.vocab import GroupKind, LostReason, OfferStatus
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.vocab import LegalBasis, Stage

DEFAULT_PASSWORD = "Lernen-ist-Zukunft-2026"
_DEFAULT_HASH = _hasher_for("fast")[0].hash(DEFAULT_PASSWORD)

_ALL: list[type[SQLAlchemyModelFactory]] = []


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session = None
        sqlalchemy_session_persistence = "flush"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _ALL.append(cls)


def bind(session: Any) -> None:
    """Point every factory at the test's session."""
    for factory_class in _ALL:
        factory_class._meta.sqlalchemy_session = session


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="de_DE")
    role = Role.STAFF

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["role"] = Role(kwargs["role"])
        return kwargs

    password_hash = _DEFAULT_HASH
    is_active = True
    must_change_password = False
    locale = "de"


class OrganisationFactory(BaseFactory):
    """A company with derived keys and search tokens filled in, as the services would."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testfirma {n} GmbH")
    postcode = "30159"
    city = "Hannover"
    stage = Stage.LEAD
    owner = None
    is_archived = False
    is_training_active = False
    size_class_provisional = False
    name_sort = ""
    name_key = ""

    @factory.post_generation
    def derived(obj, create, extracted, **kwargs):
        from crm.organisations.search import refresh_search_tokens
        from crm.organisations.services import _apply_derived

        _apply_derived(obj)
        if create:
            session = OrganisationFactory._meta.sqlalchemy_session
            session.flush()
            refresh_search_tokens(obj)


class ContactPersonFactory(BaseFactory):
    class Meta:
        model = ContactPerson

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    legal_basis = LegalBasis.LEGITIMATE_INTEREST
    is_archived = False

    @factory.post_generation
    def tokens(obj, create, extracted, **kwargs):
        from crm.organisations.search import refresh_search_tokens

        if create:
            ContactPersonFactory._meta.sqlalchemy_session.flush()
            refresh_search_tokens(obj.organisation)


class DoorOpenerFactory(BaseFactory):
    class Meta:
        model = DoorOpener

    kind = DoorOpenerKind.IHK
    institution = factory.Sequence(lambda n: f"IHK Bezirk {n}")
    first_name = "Maria"
    last_name = factory.Sequence(lambda n: f"Weber{n}")
    legal_basis = LegalBasis.LEGITIMATE_INTEREST
    is_archived = False


class IntroductionFactory(BaseFactory):
    class Meta:
        model = Introduction

    door_opener = factory.SubFactory(DoorOpenerFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    introduced_on = factory.LazyFunction(lambda: date(2026, 1, 10))
    channel = Channel.PERSONAL
    may_be_named = False


# --- memberships, fees, sponsorships ---------------------------------------------------------


from crm.memberships.models import FeeSchedule, Membership  # noqa: E402
from crm.memberships.vocab import MembershipKind, PaymentMethod, SepaScheme  # noqa: E402
from crm.sponsorships.models import Sponsorship  # noqa: E402
from crm.sponsorships.vocab import SponsorshipKind, SponsorshipStatus, VatTreatment  # noqa: E402


class FeeScheduleFactory(BaseFactory):
    """A complete schedule: 100 / 200 / 400 / 800 € by size class, 150 € supporting."""

    class Meta:
        model = FeeSchedule

    year = 2026
    micro_cents = 10000
    small_cents = 20000
    medium_cents = 40000
    large_cents = 80000
    supporting_cents = 15000
    pro_rata = "none"
    regular_vat = False
    supporting_vat = False
    due_on = factory.LazyAttribute(lambda o: date(o.year, 3, 31))


# A German test IBAN with correct check digits (Commerzbank Köln's bank code) and its BIC.
TEST_IBAN = "DE89370400440532013000"
TEST_BIC = "COBADEFFXXX"


class MembershipFactory(BaseFactory):
    """A regular membership paid by invoice; ``sepa=True`` adds a valid CORE mandate."""

    class Meta:
        model = Membership

    class Params:
        sepa = factory.Trait(
            payment_method="sepa",
            mandate_reference=factory.Sequence(lambda n: f"MANDAT-{n:05d}"),
            mandate_signed_on=factory.LazyFunction(lambda: date.today()),
            account_holder="Testfirma GmbH",
            iban=TEST_IBAN,
            bic=TEST_BIC,
            sepa_scheme="CORE",
        )

    organisation = factory.SubFactory(OrganisationFactory, employees=5, turnover_eur=500_000)
    kind = "regular"
    starts_on = factory.LazyFunction(lambda: date(2020, 1, 1))
    ends_on = None
    payment_method = "invoice"

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["kind"] = MembershipKind(kwargs["kind"])
        kwargs["payment_method"] = PaymentMethod(kwargs["payment_method"])
        if kwargs.get("sepa_scheme"):
            kwargs["sepa_scheme"] = SepaScheme(kwargs["sepa_scheme"])
        return kwargs


class SponsorshipFactory(BaseFactory):
    class Meta:
        model = Sponsorship

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "sponsoring"
    purpose = factory.Sequence(lambda n: f"Fachkräftetag {n}")
    starts_on = factory.LazyFunction(lambda: date(2026, 5, 1))
    year = factory.LazyAttribute(lambda o: o.starts_on.year)
    cash_cents = 100000
    in_kind_value_cents = 0
    counter_performances = factory.LazyFunction(lambda: ["Logo auf Website"])
    vat_treatment = "taxable"
    status = "promised"

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["kind"] = SponsorshipKind(kwargs["kind"])
        kwargs["status"] = SponsorshipStatus(kwargs["status"])
        kwargs["vat_treatment"] = VatTreatment(kwargs["vat_treatment"])
        return kwargs


# --- activities, follow-ups, needs analyses --------------------------------------------------


class ActivityFactory(BaseFactory):
    class Meta:
        model = Activity

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "call"
    occurred_at = factory.LazyFunction(utcnow)
    user = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Gespräch {n}")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["kind"] = ActivityKind(kwargs["kind"])
        return kwargs


class FollowUpFactory(BaseFactory):
    class Meta:
        model = FollowUp

    organisation = factory.SubFactory(OrganisationFactory)
    assignee = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(local_today)
    what = factory.Sequence(lambda n: f"Nachfassen {n}")
    postponed_count = 0


class NeedsAnalysisFactory(BaseFactory):
    class Meta:
        model = NeedsAnalysis

    organisation = factory.SubFactory(OrganisationFactory)
    conducted_on = factory.LazyFunction(local_today)
    conducted_by = factory.SubFactory(UserFactory)


# --- offers, company groups -------------------------------------------------------------------


class OfferFactory(BaseFactory):
    class Meta:
        model = Offer

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Inhouse-Schulung {n}")
    product = "Excel für Fortgeschrittene"
    value_cents = 500000
    probability = 20
    expected_close_on = factory.LazyFunction(lambda: local_today() + timedelta(days=30))
    status = "open"

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["status"] = OfferStatus(kwargs["status"])
        if kwargs.get("lost_reason"):
            kwargs["lost_reason"] = LostReason(kwargs["lost_reason"])
        return kwargs


class CompanyGroupFactory(BaseFactory):
    class Meta:
        model = CompanyGroup

    name = factory.Sequence(lambda n: f"Weiterbildungsverbund {n}")
    kind = GroupKind.TRAINING_CLUSTER
