"""The sponsorship form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.core.fields import CentsField
from crm.core.forms import VersionField, choices
from crm.sponsorships.vocab import KIND_LABELS, STATUS_LABELS, VAT_LABELS


class SponsorshipForm(FlaskForm):
    kind = SelectField(_l("Art"), choices=choices((k.value, t) for k, t in KIND_LABELS.items()))
    purpose = StringField(
        _l("Zweck / Veranstaltung"), validators=[DataRequired(_l("Bitte Zweck angeben.")), Length(max=200)]
    )
    starts_on = DateField(_l("Beginn"), validators=[DataRequired(_l("Bitte ein Datum angeben."))])
    ends_on = DateField(_l("Ende"), validators=[Optional()])
    cash_cents = CentsField(_l("Geldbetrag (€)"), maximum=10_000_000)
    in_kind_description = StringField(_l("Sachleistung"), validators=[Optional(), Length(max=500)])
    in_kind_value_cents = CentsField(_l("Wert der Sachleistung (€)"), maximum=10_000_000)
    counter_performances = TextAreaField(
        _l("Gegenleistungen (eine pro Zeile)"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 3},
    )
    vat_treatment = SelectField(
        _l("Umsatzsteuer"), choices=choices((v.value, t) for v, t in VAT_LABELS.items())
    )
    status = SelectField(_l("Status"), choices=choices((s.value, t) for s, t in STATUS_LABELS.items()))
    document_number = StringField(_l("Rechnungs- bzw. Belegnummer"), validators=[Optional(), Length(max=60)])
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    version = VersionField()
