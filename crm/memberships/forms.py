"""Forms of memberships, fee schedules, the fee list, SEPA files and creditor settings."""

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
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.core.fields import CentsField
from crm.core.forms import VersionField, choices
from crm.memberships.vocab import (
    DUNNING_LABELS,
    KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    PRO_RATA_LABELS,
    SCHEME_LABELS,
)

_REQUIRED_DATE = DataRequired(_l("Bitte ein Datum angeben."))


class MembershipForm(FlaskForm):
    kind = SelectField(_l("Art"), choices=choices((k.value, t) for k, t in KIND_LABELS.items()))
    starts_on = DateField(_l("Beginn"), validators=[_REQUIRED_DATE])
    ends_on = DateField(_l("Ende (leer = unbefristet)"), validators=[Optional()])
    payment_method = SelectField(
        _l("Zahlungsart"), choices=choices((m.value, t) for m, t in PAYMENT_METHOD_LABELS.items())
    )
    mandate_reference = StringField(
        _l("Mandatsreferenz"), validators=[Optional(), Length(max=35)], render_kw={"autocomplete": "off"}
    )
    mandate_signed_on = DateField(_l("Mandat unterschrieben am"), validators=[Optional()])
    account_holder = StringField(_l("Kontoinhaber"), validators=[Optional(), Length(max=70)])
    iban = StringField(
        _l("IBAN"),
        validators=[Optional(), Length(max=42)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    bic = StringField(
        _l("BIC (leer = aus der IBAN ermitteln)"),
        validators=[Optional(), Length(max=14)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    sepa_scheme = SelectField(
        _l("Lastschriftverfahren"),
        choices=choices(((s.value, t) for s, t in SCHEME_LABELS.items()), blank="–"),
        validators=[Optional()],
    )
    last_debit_on = DateField(_l("Letzter Einzug am"), validators=[Optional()])
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    version = VersionField()


class CancelForm(FlaskForm):
    received_on = DateField(_l("Kündigung eingegangen am"), validators=[_REQUIRED_DATE], default=date.today)
    effective_on = DateField(_l("Mitgliedschaft endet am"), validators=[_REQUIRED_DATE])
    reason = StringField(_l("Grund"), validators=[Optional(), Length(max=500)])


class ScheduleForm(FlaskForm):
    year = IntegerField(_l("Beitragsjahr"), validators=[DataRequired(), NumberRange(2000, 2100)])
    micro_cents = CentsField(_l("Kleinstunternehmen (€)"), maximum=1_000_000)
    small_cents = CentsField(_l("Kleines Unternehmen (€)"), maximum=1_000_000)
    medium_cents = CentsField(_l("Mittleres Unternehmen (€)"), maximum=1_000_000)
    large_cents = CentsField(_l("Großunternehmen (€)"), maximum=1_000_000)
    supporting_cents = CentsField(_l("Fördermitgliedschaft (€)"), maximum=1_000_000)
    pro_rata = SelectField(
        _l("Anteiliger Beitrag im Eintrittsjahr"),
        choices=choices((r.value, t) for r, t in PRO_RATA_LABELS.items()),
    )
    regular_vat = BooleanField(_l("Mitgliedsbeitrag umsatzsteuerpflichtig"))
    supporting_vat = BooleanField(_l("Förderbeitrag umsatzsteuerpflichtig"))
    due_on = DateField(_l("Fällig am"), validators=[_REQUIRED_DATE])
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class MarkPaidForm(FlaskForm):
    paid_on = DateField(_l("Bezahlt am"), validators=[_REQUIRED_DATE], default=date.today)


class WaiveForm(FlaskForm):
    reason = StringField(
        _l("Grund des Erlasses"), validators=[DataRequired(_l("Bitte einen Grund angeben.")), Length(max=500)]
    )


class DunningForm(FlaskForm):
    level = SelectField(
        _l("Mahnstufe"), choices=choices((str(k), t) for k, t in DUNNING_LABELS.items()), coerce=int
    )


class ReturnedForm(FlaskForm):
    returned_on = DateField(_l("Zurückgegeben am"), validators=[_REQUIRED_DATE], default=date.today)


class FeeRunForm(FlaskForm):
    """Hidden progress fields: ``batch`` is set by JavaScript for a run in chunks."""

    after = HiddenField(default="0")
    batch = HiddenField(default="")
    created = HiddenField(default="0")
    total = HiddenField(default="0")


class SepaForm(FlaskForm):
    scheme = SelectField(_l("Verfahren"), choices=choices((s.value, t) for s, t in SCHEME_LABELS.items()))
    collection_date = DateField(_l("Einzugsdatum"), validators=[_REQUIRED_DATE])
    # What the user saw in the preview: the file is only made if it still matches.
    expected_count = HiddenField()
    expected_total = HiddenField()


class CreditorSettingsForm(FlaskForm):
    name = StringField(_l("Name des Zahlungsempfängers"), validators=[DataRequired(), Length(max=70)])
    iban = StringField(
        _l("IBAN"), validators=[DataRequired(), Length(max=42)], render_kw={"autocomplete": "off"}
    )
    bic = StringField(
        _l("BIC (leer = aus der IBAN ermitteln)"),
        validators=[Optional(), Length(max=14)],
        render_kw={"autocomplete": "off"},
    )
    creditor_id = StringField(
        _l("Gläubiger-Identifikationsnummer"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "off"},
    )
    prenotification_days = IntegerField(
        _l("Vorabankündigung (Tage vor dem Einzug)"),
        validators=[DataRequired(), NumberRange(1, 60)],
        default=14,
    )
