"""Forms of the contact history: log a contact, follow-ups, needs analyses, topic checklist."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.activities.vocab import ACTIVITY_KIND_LABELS, TRAINING_FORMAT_LABELS, ActivityKind
from crm.core.fields import EuroField
from crm.core.forms import VersionField, choices

_DATE_MESSAGE = _l("Bitte ein gültiges Datum eingeben.")


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class CheckboxListField(SelectMultipleField):
    """Several checkboxes; values the server does not offer are checked by the service, not here."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        pass  # the service checks the ids (with a German message) — WTForms' own check is English

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            self.data = [self.coerce(v) for v in valuelist]
        except ValueError:
            self.data = []
            raise ValueError(str(_l("Ungültige Auswahl."))) from None


class ActivityForm(FlaskForm):
    """Log or edit a contact; phone first: the few required fields come first."""

    organisation_id = HiddenField()
    kind = RadioField(
        _l("Art"),
        choices=choices((k.value, text) for k, text in ACTIVITY_KIND_LABELS.items()),
        default=ActivityKind.CALL.value,
    )
    subject = StringField(
        _l("Betreff"),
        validators=[DataRequired(_l("Bitte einen Betreff angeben.")), Length(max=200)],
        render_kw={"autocomplete": "off", "enterkeyhint": "done"},
    )
    occurred_at = DateTimeLocalField(
        _l("Wann"), format="%Y-%m-%dT%H:%M", validators=[Optional()], render_kw={"step": 60}
    )
    contact_person_ids = CheckboxListField(_l("Gesprächspartner/innen"), coerce=int, choices=[])
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=20_000)], render_kw={"rows": 3})
    outcome = TextAreaField(_l("Ergebnis"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})
    next_step = StringField(_l("Nächster Schritt"), validators=[Optional(), Length(max=500)])
    report_participants = TextAreaField(
        _l("Teilnehmende"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}
    )
    report_topics = TextAreaField(
        _l("Besprochene Themen"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 3}
    )
    report_impressions = TextAreaField(
        _l("Eindrücke"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 3}
    )
    follow_up_what = StringField(
        _l("Wiedervorlage: was ist zu tun?"),
        validators=[Optional(), Length(max=300)],
        render_kw={"autocomplete": "off"},
    )
    follow_up_due_on = DateField(_l("Fällig am"), validators=[Optional()])
    follow_up_assignee_id = SelectField(
        _l("Zuständig"), coerce=_optional_int, validators=[Optional()], validate_choice=False
    )
    follow_up_id = HiddenField()
    version = VersionField()

    def setup(self, *, contacts: list[Any], users: list[Any], with_follow_up: bool = True) -> ActivityForm:
        """Fill the choices: the company's contact persons and the possible assignees."""
        self.contact_person_ids.choices = choices((c.id, c.full_name) for c in contacts)
        if with_follow_up:
            self.follow_up_assignee_id.choices = choices((u.id, u.name) for u in users)
        else:
            for name in ("follow_up_what", "follow_up_due_on", "follow_up_assignee_id", "follow_up_id"):
                delattr(self, name)
        return self


class FollowUpForm(FlaskForm):
    what = StringField(
        _l("Was ist zu tun?"),
        validators=[DataRequired(_l("Bitte angeben, was zu tun ist.")), Length(max=300)],
    )
    due_on = DateField(_l("Fällig am"), validators=[DataRequired(_l("Bitte ein Fälligkeitsdatum angeben."))])
    assignee_id = SelectField(
        _l("Zuständig"), coerce=_optional_int, validators=[Optional()], validate_choice=False
    )
    version = VersionField()


class PostponeForm(FlaskForm):
    """Postpone by a number of days (quick buttons) or to a date."""

    days = IntegerField(validators=[Optional(), NumberRange(1, 366)])
    due_on = DateField(_l("Neues Fälligkeitsdatum"), validators=[Optional()])


class NeedsAnalysisForm(FlaskForm):
    conducted_on = DateField(_l("Durchgeführt am"), validators=[Optional()])
    conducted_by_id = SelectField(
        _l("Durchgeführt von"), coerce=_optional_int, validators=[Optional()], validate_choice=False
    )
    topic_ids = CheckboxListField(_l("Themen"), coerce=int, choices=[])
    other_topics = StringField(_l("Weitere Themen"), validators=[Optional(), Length(max=300)])
    employees_to_train = IntegerField(
        _l("Zu schulende Beschäftigte"),
        validators=[Optional(), NumberRange(0, 1_000_000, _l("Bitte eine Zahl ab 0 eingeben."))],
        render_kw={"inputmode": "numeric"},
    )
    formats = CheckboxListField(
        _l("Bevorzugte Formate"),
        choices=choices((f.value, text) for f, text in TRAINING_FORMAT_LABELS.items()),
    )
    budget_from = EuroField(_l("Budget von (€)"), maximum=10**9)
    budget_to = EuroField(_l("Budget bis (€)"), maximum=10**9)
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=20_000)], render_kw={"rows": 4})


class NeedsTopicForm(FlaskForm):
    name = StringField(
        _l("Thema"), validators=[DataRequired(_l("Bitte einen Namen angeben.")), Length(max=100)]
    )
    position = IntegerField(_l("Reihenfolge"), validators=[Optional(), NumberRange(0, 100_000)])
