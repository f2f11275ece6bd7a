"""Forms of the import pages. The mapping and decision forms get one field per column or row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from crm.core.forms import choices
from crm.imports.models import Decision
from crm.imports.reader import ENCODINGS

ENCODING_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252 (ANSI)", "iso-8859-1": "ISO-8859-1 (Latin-1)"}
DELIMITER_CHOICES = [(";", _l("Semikolon ( ; )")), (",", _l("Komma ( , )")), ("tab", _l("Tabulator"))]
MODE_LABELS = {
    "all": _l("Alles oder nichts: nur importieren, wenn keine Zeile fehlerhaft ist"),
    "valid": _l("Nur fehlerfreie Zeilen importieren (fehlerhafte Zeilen als Fehlerbericht)"),
}
DECISION_LABELS = {Decision.LINK: _l("verknüpfen"), Decision.CREATE: _l("neu anlegen")}


class UploadForm(FlaskForm):
    file = FileField(
        _l("Datei (.csv oder .xlsx, höchstens 10 MB und 50.000 Zeilen)"),
        validators=[FileRequired(_l("Bitte eine Datei auswählen."))],
        render_kw={
            "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )


class ReadOptionsForm(FlaskForm):
    encoding = SelectField(
        _l("Zeichenkodierung"), choices=choices((e, ENCODING_LABELS[e]) for e in ENCODINGS)
    )
    delimiter = SelectField(_l("Trennzeichen"), choices=choices(DELIMITER_CHOICES))


class MappingBase(FlaskForm):
    owner_id = SelectField(
        _l("Betreuer/in der neuen Unternehmen"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        validators=[Optional()],
    )
    save_as = StringField(
        _l("Zuordnung speichern unter (optional)"), validators=[Optional(), Length(max=100)]
    )


def mapping_form(
    headers: Sequence[str], target_groups: list[tuple[str, list[tuple[str, Any]]]], **kwargs: Any
) -> MappingBase:
    """A form with one select per column (``col_0``, ``col_1``, …) listing every target field.

    The template renders the options in groups (company / contact person).
    """
    pairs = [(key, str(text)) for _group, items in target_groups for key, text in items]
    options = choices(pairs, blank=_l("– nicht importieren –"))
    fields = {
        f"col_{i}": SelectField(header or _l("Spalte %(n)s", n=i + 1), choices=options)
        for i, header in enumerate(headers)
    }
    form_class = type("MappingForm", (MappingBase,), fields)
    return form_class(**kwargs)  # type: ignore[no-any-return]


class CommitForm(FlaskForm):
    mode = RadioField(_l("Art des Imports"), choices=choices(MODE_LABELS.items()), default="all")


class DecisionsBase(FlaskForm):
    rows = HiddenField()
    back = HiddenField()
    apply_all = HiddenField()  # set by the "all matches" buttons


def decisions_form(row_ids: Sequence[int], **kwargs: Any) -> DecisionsBase:
    """Radio buttons link / create for each listed row (``d_<row id>``)."""
    fields = {
        f"d_{row_id}": RadioField(
            choices=choices((d.value, label) for d, label in DECISION_LABELS.items()), validators=[Optional()]
        )
        for row_id in row_ids
    }
    return type("DecisionsForm", (DecisionsBase,), fields)(**kwargs)  # type: ignore[no-any-return]
