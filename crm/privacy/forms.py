"""Forms of the data-protection pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length


class ErasureForm(FlaskForm):
    """Reason, awareness and the user's own password: an erasure cannot be undone."""

    reason = TextAreaField(
        _l("Grund der Löschung"),
        validators=[DataRequired(_l("Bitte den Grund der Löschung angeben.")), Length(max=500)],
    )
    understood = BooleanField(
        _l("Mir ist bewusst, dass die Löschung endgültig ist und nicht rückgängig gemacht werden kann."),
        validators=[DataRequired(_l("Bitte bestätigen Sie, dass die Löschung endgültig ist."))],
    )
    password = PasswordField(
        _l("Ihr Passwort zur Bestätigung"),
        validators=[DataRequired(_l("Bitte Ihr Passwort eingeben.")), Length(max=256)],
    )


class ReviewSelectionForm(FlaskForm):
    """Records chosen on the retention review, and what to do with them."""

    ids = SelectMultipleField(coerce=int, validate_choice=False)
    action = HiddenField()


class ReviewApplyForm(ReviewSelectionForm):
    """The preview's confirmation; erasing also asks for a reason and the password."""

    reason = TextAreaField(_l("Grund"), validators=[Length(max=500)])
    password = PasswordField(_l("Ihr Passwort zur Bestätigung"), validators=[Length(max=256)])
