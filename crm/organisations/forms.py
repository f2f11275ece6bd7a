"""Forms for companies, contact persons, merging and the conflict page."""

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
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from crm.core.fields import DecimalCommaField, EuroField, validate_not_future
from crm.core.forms import VersionField, choices
from crm.organisations.vocab import (
    CHAMBER_LABELS,
    CONSENT_METHOD_LABELS,
    LEGAL_BASIS_LABELS,
    LEGAL_FORMS,
    SALUTATION_LABELS,
    SIZE_CLASS_LABELS,
    STAGE_LABELS,
    WZ_SECTIONS,
    LegalBasis,
)

_POSTCODE = Regexp(r"^\d{5}$", message=_l("Bitte eine fünfstellige Postleitzahl eingeben."))
_PHONE = Regexp(
    r"^[0-9 +()/\-.]{3,50}$", message=_l("Bitte nur Ziffern, Leerzeichen und + ( ) / - verwenden.")
)
_WEBSITE = Regexp(
    r"^(https?://)?[\w\-]+(\.[\w\-]+)+(/\S*)?$",
    message=_l("Bitte eine Webadresse wie www.beispiel.de eingeben."),
)
_EMAIL = Email(message=_l("Bitte eine gültige E-Mail-Adresse eingeben."))


class OrganisationForm(FlaskForm):
    """Company master data. Owner and size-class override are removed for staff."""

    name = StringField(
        _l("Name des Unternehmens"),
        validators=[DataRequired(_l("Bitte den Namen angeben.")), Length(max=200)],
    )
    legal_form = SelectField(
        _l("Rechtsform"), choices=choices(((f, f) for f in LEGAL_FORMS), blank="–"), validators=[Optional()]
    )
    street = StringField(_l("Straße und Hausnummer"), validators=[Optional(), Length(max=200)])
    postcode = StringField(
        _l("PLZ"),
        validators=[Optional(), _POSTCODE],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    city = StringField(_l("Ort"), validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region / Landkreis"), validators=[Optional(), Length(max=100)])
    website = StringField(
        _l("Website"), validators=[Optional(), Length(max=300), _WEBSITE], render_kw={"inputmode": "url"}
    )
    phone = StringField(_l("Telefon"), validators=[Optional(), _PHONE], render_kw={"inputmode": "tel"})
    email = StringField(
        _l("E-Mail"), validators=[Optional(), Length(max=254), _EMAIL], render_kw={"inputmode": "email"}
    )
    register_number = StringField(_l("Registernummer (HRB/HRA)"), validators=[Optional(), Length(max=60)])
    founded_on = DateField(_l("Gegründet am"), validators=[Optional(), validate_not_future])
    wz_section = SelectField(
        _l("Branche (WZ 2008)"), choices=choices(WZ_SECTIONS.items(), blank="–"), validators=[Optional()]
    )
    chamber = SelectField(
        _l("Kammer"),
        choices=choices(((c.value, text) for c, text in CHAMBER_LABELS.items()), blank="–"),
        validators=[Optional()],
    )
    employees = DecimalCommaField(_l("Beschäftigte (Vollzeitäquivalente)"), maximum=10_000_000)
    turnover_eur = EuroField(_l("Jahresumsatz (€)"), maximum=10**15)
    balance_sheet_eur = EuroField(_l("Bilanzsumme (€)"), maximum=10**15)
    figures_year = IntegerField(
        _l("Bezugsjahr der Kennzahlen"), validators=[Optional(), NumberRange(1990, date.today().year + 1)]
    )
    is_training_active = BooleanField(_l("Weiterbildungsaktiver Betrieb"))
    stage = SelectField(
        _l("Akquisephase"), choices=choices((s.value, text) for s, text in STAGE_LABELS.items())
    )
    stage_reason = StringField(
        _l("Grund (bei „verloren“ oder „ruhend“)"), validators=[Optional(), Length(max=500)]
    )
    owner_id = SelectField(
        _l("Betreuer/in"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        validators=[Optional()],
    )
    size_class_override = SelectField(
        _l("Größenklasse abweichend festlegen"),
        choices=choices(
            ((s.value, text) for s, text in SIZE_CLASS_LABELS.items()),
            blank=_l("– nach EU-Regel berechnen –"),
        ),
        validators=[Optional()],
    )
    size_class_override_reason = StringField(
        _l("Begründung der Abweichung"), validators=[Optional(), Length(max=500)]
    )
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 4})
    version = VersionField()
    # The values as loaded, so that a conflict can keep the other person's changes (JSON).
    original = HiddenField()
    confirm_duplicates = HiddenField()

    def for_user(self, *, may_assign_owner: bool, may_override_size: bool, owners: list) -> OrganisationForm:  # type: ignore[type-arg]
        """Drop the fields the user may not set, fill the owner choices."""
        if may_assign_owner:
            self.owner_id.choices = choices(((u.id, u.name) for u in owners), blank=_l("– niemand –"))
        else:
            del self.owner_id
        if not may_override_size:
            del self.size_class_override
            del self.size_class_override_reason
        return self


class ContactPersonForm(FlaskForm):
    salutation = SelectField(
        _l("Anrede"),
        choices=choices(((s.value, text) for s, text in SALUTATION_LABELS.items()), blank="–"),
        validators=[Optional()],
    )
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=40)])
    first_name = StringField(
        _l("Vorname"), validators=[Optional(), Length(max=100)], render_kw={"autocomplete": "off"}
    )
    last_name = StringField(
        _l("Nachname"),
        validators=[DataRequired(_l("Bitte den Nachnamen angeben.")), Length(max=100)],
        render_kw={"autocomplete": "off"},
    )
    function = StringField(_l("Funktion"), validators=[Optional(), Length(max=120)])
    is_decision_maker = BooleanField(_l("Entscheider/in"))
    email = StringField(
        _l("E-Mail"),
        validators=[Optional(), Length(max=254), _EMAIL],
        render_kw={"inputmode": "email", "autocomplete": "off"},
    )
    phone = StringField(_l("Telefon"), validators=[Optional(), _PHONE], render_kw={"inputmode": "tel"})
    mobile = StringField(_l("Mobil"), validators=[Optional(), _PHONE], render_kw={"inputmode": "tel"})
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    legal_basis = SelectField(
        _l("Rechtsgrundlage"),
        choices=choices((b.value, text) for b, text in LEGAL_BASIS_LABELS.items()),
        default=LegalBasis.LEGITIMATE_INTEREST.value,
    )
    data_source = StringField(_l("Herkunft der Daten"), validators=[Optional(), Length(max=300)])
    informed_on = DateField(
        _l("Informiert nach Art. 14 DSGVO am"), validators=[Optional(), validate_not_future]
    )
    email_consent = BooleanField(_l("Einwilligung in E-Mail-Werbung"))
    email_consent_on = DateField(_l("Einwilligung erteilt am"), validators=[Optional(), validate_not_future])
    email_consent_method = SelectField(
        _l("Art der Einwilligung"),
        choices=choices(((m.value, text) for m, text in CONSENT_METHOD_LABELS.items()), blank="–"),
        validators=[Optional()],
    )
    email_consent_wording = StringField(
        _l("Version des Einwilligungstextes"), validators=[Optional(), Length(max=60)]
    )
    marketing_blocked = BooleanField(_l("Werbesperre (Widerspruch nach Art. 21 DSGVO)"))
    version = VersionField()


class MergeForm(FlaskForm):
    other_id = IntegerField(
        _l("Nummer des doppelten Unternehmens"), validators=[DataRequired(), NumberRange(min=1)]
    )
    confirmed = HiddenField()
