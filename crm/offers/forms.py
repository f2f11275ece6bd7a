"""Forms of offers, the board, key accounts and company groups."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from crm.core.fields import CentsField
from crm.core.forms import VersionField, choices
from crm.offers.vocab import DECISION_ROLE_LABELS, GROUP_KIND_LABELS, LOST_REASON_LABELS, STATUS_LABELS
from crm.organisations.vocab import STAGE_LABELS


class OfferForm(FlaskForm):
    title = StringField(
        _l("Titel"), validators=[DataRequired(_l("Bitte einen Titel angeben.")), Length(max=200)]
    )
    product = StringField(_l("Kurs / Produkt"), validators=[Optional(), Length(max=200)])
    value_cents = CentsField(_l("Wert (€)"), maximum=100_000_000)
    probability = IntegerField(
        _l("Wahrscheinlichkeit (%)"),
        validators=[Optional(), NumberRange(0, 100, _l("Bitte eine Zahl zwischen 0 und 100 eingeben."))],
        render_kw={"inputmode": "numeric"},
        description=_l("Leer lassen: Standardwert des Status."),
    )
    expected_close_on = DateField(
        _l("Erwarteter Abschluss"), validators=[DataRequired(_l("Bitte ein Datum angeben."))]
    )
    status = SelectField(_l("Status"), choices=choices((s.value, t) for s, t in STATUS_LABELS.items()))
    lost_reason = SelectField(
        _l("Absagegrund"),
        choices=choices(((r.value, t) for r, t in LOST_REASON_LABELS.items()), blank=_l("– bitte wählen –")),
        validators=[Optional()],
    )
    lost_note = TextAreaField(
        _l("Begründung (Freitext)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    owner_id = SelectField(_l("Betreuer/in"), choices=[], validators=[Optional()])
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    version = VersionField()
    original = HiddenField()


class StatusForm(FlaskForm):
    """The quick status buttons (sent, won) on lists and the company page."""

    status = SelectField(choices=choices((s.value, t) for s, t in STATUS_LABELS.items()))
    version = VersionField()
    next = HiddenField()


class MoveForm(FlaskForm):
    """One card's stage change on the board."""

    organisation_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])
    stage = SelectField(_l("Phase"), choices=choices((s.value, t) for s, t in STAGE_LABELS.items()))
    reason = StringField(_l("Grund"), validators=[Optional(), Length(max=500)])
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,12}$")])
    next = HiddenField()


class DecisionEntryForm(Form):
    """One contact person's line in the decision-maker map (a sub-form, CSRF is on the parent)."""

    contact_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])
    role = SelectField(
        _l("Rolle"),
        choices=choices(((r.value, t) for r, t in DECISION_ROLE_LABELS.items()), blank=_l("– keine –")),
        validators=[Optional()],
    )
    note = StringField(_l("Notiz"), validators=[Optional(), Length(max=300)])


class KeyAccountForm(FlaskForm):
    year = IntegerField(
        _l("Planjahr"),
        validators=[DataRequired(_l("Bitte das Jahr angeben.")), NumberRange(2000, 2100)],
        render_kw={"inputmode": "numeric"},
    )
    goals = TextAreaField(
        _l("Ziele für das Jahr"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 4}
    )
    revenue_potential_cents = CentsField(_l("Umsatzpotenzial (€)"), maximum=100_000_000)
    next_review_on = DateField(_l("Nächster vereinbarter Review"), validators=[Optional()])
    decision_map = FieldList(FormField(DecisionEntryForm), min_entries=0, max_entries=500)
    version = VersionField()


class GroupForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Bitte einen Namen angeben.")), Length(max=200)]
    )
    kind = SelectField(_l("Art"), choices=choices((k.value, t) for k, t in GROUP_KIND_LABELS.items()))
    coordinator_id = SelectField(_l("Koordinierendes Unternehmen"), choices=[], validators=[Optional()])
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    version = VersionField()


class MemberForm(FlaskForm):
    """Add a company to a group by its number (Unternehmens-Nr.)."""

    organisation_id = IntegerField(
        _l("Unternehmens-Nr."),
        validators=[DataRequired(_l("Bitte die Nummer des Unternehmens angeben.")), NumberRange(1)],
        render_kw={"inputmode": "numeric"},
    )


class JoinGroupForm(FlaskForm):
    """Put the current company into an existing group (from the company page)."""

    group_id = SelectField(_l("Firmenverbund"), choices=[], validators=[DataRequired()])
