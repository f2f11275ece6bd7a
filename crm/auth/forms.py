"""Forms of login, own account and user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from crm.auth.models import Role
from crm.auth.permissions import ROLE_LABELS
from crm.core.forms import choices

ROLE_CHOICES = choices((role.value, label) for role, label in ROLE_LABELS.items())
LOCALE_CHOICES = choices([("de", "Deutsch"), ("en", "English")])


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Sprache der Oberfläche"), choices=LOCALE_CHOICES)


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Aktuelles Passwort"), validators=[DataRequired()])
    password = PasswordField(_l("Neues Passwort"), validators=[DataRequired(), Length(max=256)])
    password_confirm = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[DataRequired(), EqualTo("password", _l("Die Passwörter stimmen nicht überein."))],
    )


class UserCreateForm(FlaskForm):
    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Rolle"), choices=ROLE_CHOICES, default=Role.STAFF.value)
    password = PasswordField(_l("Erstes Passwort"), validators=[DataRequired(), Length(max=256)])
    password_confirm = PasswordField(
        _l("Passwort wiederholen"),
        validators=[DataRequired(), EqualTo("password", _l("Die Passwörter stimmen nicht überein."))],
    )


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Rolle"), choices=ROLE_CHOICES)


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Neues Passwort"), validators=[DataRequired(), Length(max=256)])
    password_confirm = PasswordField(
        _l("Passwort wiederholen"),
        validators=[DataRequired(), EqualTo("password", _l("Die Passwörter stimmen nicht überein."))],
    )
