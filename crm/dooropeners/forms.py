"""Forms for door-openers and introductions."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.activities.forms import ActivityForm, CheckboxListField
from crm.core.fields import validate_not_future
from crm.core.forms import VersionField, choices
from crm.dooropeners.vocab import CHANNEL_LABELS, KIND_LABELS
from crm.organisations.forms import _EMAIL, _PHONE, ContactPersonForm, OrganisationForm
from crm.organisations.vocab import SALUTATION_LABELS

_int_or_none = lambda v: int(v) if v not in (None, "", "None") else None  # noqa: E731


class DoorOpenerForm(FlaskForm):
    kind = SelectField(
        _l("Art"),
        choices=choices(((k.value, t) for k, t in KIND_LABELS.items()), blank="–"),
        validators=[DataRequired(_l("Bitte die Art wählen."))],
    )
    institution = StringField(
        _l("Institution"), validators=[DataRequired(_l("Bitte die Institution angeben.")), Length(max=200)]
    )
    salutation = SelectField(
        _l("Anrede"),
        choices=choices(((s.value, t) for s, t in SALUTATION_LABELS.items()), blank="–"),
        validators=[Optional()],
    )
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=40)])
    first_name = StringField(_l("Vorname"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Nachname"), validators=[Optional(), Length(max=100)])
    role = StringField(_l("Funktion"), validators=[Optional(), Length(max=120)])
    email = StringField(
        _l("E-Mail"), validators=[Optional(), Length(max=254), _EMAIL], render_kw={"inputmode": "email"}
    )
    phone = StringField(_l("Telefon"), validators=[Optional(), _PHONE], render_kw={"inputmode": "tel"})
    mobile = StringField(_l("Mobil"), validators=[Optional(), _PHONE], render_kw={"inputmode": "tel"})
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    owner_id = SelectField(_l("Betreuer/in der Beziehung"), coerce=_int_or_none, validators=[Optional()])
    cooperation_agreed_on = DateField(
        _l("Kooperationsvereinbarung vom"), validators=[Optional(), validate_not_future]
    )
    cooperation_notes = TextAreaField(
        _l("Inhalt der Vereinbarung"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 3})
    # Data-protection fields: the same fields and rules as for contact persons.
    legal_basis = ContactPersonForm.legal_basis
    data_source = ContactPersonForm.data_source
    informed_on = ContactPersonForm.informed_on
    email_consent = ContactPersonForm.email_consent
    email_consent_on = ContactPersonForm.email_consent_on
    email_consent_method = ContactPersonForm.email_consent_method
    email_consent_wording = ContactPersonForm.email_consent_wording
    marketing_blocked = ContactPersonForm.marketing_blocked
    version = VersionField()


def _channel_choices():  # type: ignore[no-untyped-def]
    return choices((c.value, t) for c, t in CHANNEL_LABELS.items())


class IntroductionFields:
    """The facts of an introduction, shared by both introduction forms."""

    introduced_on = DateField(
        _l("Vermittelt am"),
        default=date.today,
        validators=[DataRequired(_l("Bitte ein Datum angeben.")), validate_not_future],
    )
    channel = SelectField(_l("Weg"), choices=_channel_choices())
    introduction_notes = TextAreaField(
        _l("Notizen zur Vermittlung"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}
    )
    may_be_named = BooleanField(
        _l("Das Unternehmen ist einverstanden, im Bericht an den Türöffner genannt zu werden")
    )


class IntroductionForm(IntroductionFields, FlaskForm):
    """ "Vermittelt durch …" on a company page."""

    door_opener_id = SelectField(
        _l("Türöffner"), coerce=_int_or_none, validators=[DataRequired(_l("Bitte einen Türöffner wählen."))]
    )


class IntroduceCompanyForm(IntroductionFields, OrganisationForm):
    """A new company introduced by a door-opener, created together with the introduction."""


class DoorOpenerMergeForm(FlaskForm):
    other_id = IntegerField(
        _l("Nummer des doppelten Türöffners"), validators=[DataRequired(), NumberRange(min=1)]
    )
    confirmed = HiddenField()


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only selects what to show

    since = DateField(_l("von"), validators=[Optional()])
    until = DateField(_l("bis"), validators=[Optional()])


# --- events and contacts with door-openers ---------------------------------------------------


class EventForm(FlaskForm):
    title = StringField(
        _l("Titel"),
        validators=[DataRequired(_l("Bitte einen Titel angeben.")), Length(max=200)],
        render_kw={"placeholder": _l("z. B. Unternehmerfrühstück der IHK")},
    )
    held_on = DateField(
        _l("Datum"),
        default=date.today,
        validators=[DataRequired(_l("Bitte das Datum der Veranstaltung angeben."))],
    )
    place = StringField(_l("Ort"), validators=[Optional(), Length(max=200)])
    topic = StringField(_l("Thema"), validators=[Optional(), Length(max=300)])
    host_ids = SelectMultipleField(
        _l("Gastgeber (Türöffner)"),
        coerce=int,
        choices=[],
        description=_l("Mehrere mit Strg (Mac: Cmd) auswählen."),
        render_kw={"size": 6},
    )
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=20_000)], render_kw={"rows": 3})
    version = VersionField()


class AttendanceForm(FlaskForm):
    """An existing company attended: who of its people came, and whether a host introduced it."""

    organisation_id = HiddenField()
    contact_person_ids = CheckboxListField(_l("Wer war da?"), coerce=int, choices=[])
    introduced_by = SelectField(_l("Als Vermittlung zählen von"), coerce=_int_or_none, choices=[])


class EventCompanyForm(OrganisationForm):
    """A company captured on the spot at an event (with the duplicate check)."""

    introduced_by = SelectField(_l("Als Vermittlung zählen von"), coerce=_int_or_none, choices=[])


class DoorOpenerContactForm(FlaskForm):
    """A contact with the door-opener itself: the same fields as a contact with a company."""

    kind = ActivityForm.kind
    subject = ActivityForm.subject
    occurred_at = ActivityForm.occurred_at
    notes = ActivityForm.notes
    outcome = ActivityForm.outcome
    next_step = ActivityForm.next_step
