"""Checking one file row with the same rules as the company and contact forms and services.

Spreadsheet spellings are translated into what the forms expect first ("Herr" → herr, "IHK" →
ihk, "x" → yes, 1067 → 01067); then the row runs through ``OrganisationForm`` and
``ContactPersonForm`` (only their mapped fields; one form instance is reused for all rows, which
is four times faster than building a form per row) and the services' own checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from crm.core.errors import ValidationFailed
from crm.imports.mapping import FULL_NAME, compact
from crm.organisations import contacts as contact_services
from crm.organisations import services as org_services
from crm.organisations.dataprotection import apply_marketing_block
from crm.organisations.forms import ContactPersonForm, OrganisationForm
from crm.organisations.normalise import fold, name_key, register_key, website_domain
from crm.organisations.vocab import LEGAL_FORMS

_LEGAL_FORMS = {compact(f): f for f in LEGAL_FORMS} | {
    "ug": "UG (haftungsbeschränkt)",
    "ughaftungsbeschraenkt": "UG (haftungsbeschränkt)",
    "gmbhcokg": "GmbH & Co. KG",
    "ek": "e.K.",
    "ekfm": "e.K.",
    "ekfr": "e.K.",
    "ev": "e.V.",
    "eg": "eG",
    "einzelunternehmer": "Einzelunternehmen",
    "einzelfirma": "Einzelunternehmen",
    "freiberufler": "Freie Berufe",
}
_CHAMBERS = {
    "ihk": "ihk",
    "hwk": "hwk",
    "ihkundhwk": "both",
    "ihkhwk": "both",
    "hwkihk": "both",
    "beide": "both",
    "both": "both",
    "keine": "none",
    "none": "none",
}
_SALUTATIONS = {
    "herr": "herr",
    "herrn": "herr",
    "hr": "herr",
    "mr": "herr",
    "frau": "frau",
    "fr": "frau",
    "ms": "frau",
    "mrs": "frau",
    "divers": "divers",
}
_TRUE = {"ja", "j", "x", "1", "true", "wahr", "yes", "y"}
_FALSE = {"nein", "n", "0", "false", "falsch", "no", "-"}
_BOOLEAN_FIELDS = {"is_training_active", "is_decision_maker", "marketing_blocked"}
_TITLES = {"dr", "prof", "dipl", "ing", "med", "rer", "nat", "phil", "jur", "dres", "mag", "h", "c"}
_PARTICLES = {
    "von",
    "van",
    "de",
    "der",
    "den",
    "zu",
    "zum",
    "zur",
    "vom",
    "di",
    "da",
    "del",
    "le",
    "la",
    "ten",
    "ter",
}
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
_WZ = re.compile(r"^([A-Ua-u])(?:$|[\s\-–:.,)])")


@dataclass
class RowResult:
    messages: list[str] = field(default_factory=list)
    org: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.messages

    @property
    def values(self) -> dict[str, Any]:
        return {"org": self.org, "contact": self.contact}

    def keys(self) -> dict[str, Any]:
        """The folded keys the duplicate rules compare (see ``crm.organisations.duplicates``)."""
        org = self.org or {}
        return {
            "name_key": name_key(org.get("name") or "") or None,
            "postcode": (org.get("postcode") or "").strip() or None,
            "city_key": fold(org.get("city")) or None,
            "domain": website_domain(org.get("website")),
            "register_key": register_key(org.get("register_number")),
        }


def split_name(text: str) -> dict[str, str]:
    """ "Dr. Anna Maria von der Heide" → title, first and last name; "Müller, Anna" too."""
    result: dict[str, str] = {}
    value = " ".join(text.split())
    if "," in value:
        last, _sep, first = value.partition(",")
        words = first.split()
        tail = last.split()
    else:
        words = value.split()
        tail = []
    if words and compact(words[0]) in _SALUTATIONS:
        result["salutation"] = _SALUTATIONS[compact(words[0])]
        words = words[1:]
    titles = []
    while words and words[0].endswith(".") and compact(words[0]) in _TITLES:
        titles.append(words.pop(0))
    if titles:
        result["title"] = " ".join(titles)
    if not tail:
        if len(words) > 1:
            cut = len(words) - 1
            while cut > 1 and words[cut - 1].lower() in _PARTICLES:
                cut -= 1
            words, tail = words[:cut], words[cut:]
        else:
            words, tail = [], words
    if words:
        result["first_name"] = " ".join(words)
    if tail:
        result["last_name"] = " ".join(tail)
    return result


def _as_iso_date(value: str) -> str:
    match = _GERMAN_DATE.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000 if year <= date.today().year % 100 else 1900
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return value
    match = _ISO_DATE.match(value)
    return "-".join(match.groups()) if match else value


def _sub_form(base: type[FlaskForm], names: Sequence[str]) -> type[FlaskForm]:
    """A form class with only ``names`` of ``base``'s fields (same fields, same validators)."""
    return type(f"Import{base.__name__}", (FlaskForm,), {n: getattr(base, n) for n in names})


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        out[key] = value
    return out


class RowChecker:
    """Checks rows of one file against one mapping; build once per request, call per row."""

    def __init__(self, headers: Sequence[str], mapping: Sequence[str]) -> None:
        self.columns: dict[str, int] = {t: i for i, t in enumerate(mapping) if t}
        self.headers = list(headers)
        org_fields = [t.split(".", 1)[1] for t in self.columns if t.startswith("org.")]
        if "name" not in org_fields:
            org_fields.insert(0, "name")
        contact_fields = [
            t.split(".", 1)[1] for t in self.columns if t.startswith("contact.") and t != FULL_NAME
        ]
        if FULL_NAME in self.columns:
            contact_fields += ["salutation", "title", "first_name", "last_name"]
        contact_fields = list(dict.fromkeys(contact_fields))
        if contact_fields and "last_name" not in contact_fields:
            contact_fields.append("last_name")
        self.org_fields, self.contact_fields = org_fields, contact_fields
        empty: MultiDict[str, str] = MultiDict()
        self.org_form = _sub_form(OrganisationForm, org_fields)(formdata=empty, meta={"csrf": False})
        self.contact_form = (
            _sub_form(ContactPersonForm, contact_fields)(formdata=empty, meta={"csrf": False})
            if contact_fields
            else None
        )

    def _label(self, prefix: str, name: str, form: FlaskForm) -> str:
        column = self.columns.get(f"{prefix}.{name}")
        if (
            column is None
            and prefix == "contact"
            and name in ("salutation", "title", "first_name", "last_name")
        ):
            column = self.columns.get(FULL_NAME)
        if column is not None and self.headers[column]:
            return self.headers[column]
        return str(form[name].label.text) if name in form else name

    def _cell(self, cells: Sequence[str], target: str) -> str:
        index = self.columns.get(target)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def check(self, cells: Sequence[str]) -> RowResult:
        """Values and German error messages of one row."""
        result = RowResult()
        raw_org = {name: self._cell(cells, f"org.{name}") for name in self.org_fields}
        raw_contact = {name: self._cell(cells, f"contact.{name}") for name in self.contact_fields}
        if FULL_NAME in self.columns:
            for key, value in split_name(self._cell(cells, FULL_NAME)).items():
                if not raw_contact.get(key):
                    raw_contact[key] = value
        result.org = self._run("org", self.org_form, raw_org, result.messages)
        if self.contact_form is not None and any(raw_contact.values()):
            result.contact = self._run("contact", self.contact_form, raw_contact, result.messages)
        if result.messages:
            result.org = result.contact = None
        return result

    def _run(
        self, prefix: str, form: FlaskForm, raw: dict[str, str], messages: list[str]
    ) -> dict[str, Any] | None:
        formdata: MultiDict[str, str] = MultiDict()
        for name, value in raw.items():
            converted = self._convert(name, value, prefix, form, messages)
            if converted:
                formdata[name] = converted
        form.process(formdata=formdata)
        before = len(messages)
        if not form.validate():
            for name, errors in form.errors.items():
                label = self._label(prefix, name, form)
                messages.extend(f"{label}: {error}" for error in errors)
        if len(messages) > before:
            return None
        data = {name: form[name].data for name in raw}
        try:
            if prefix == "org":
                values = org_services._clean(data)
                org_services._validate(values)
            else:
                values = contact_services._clean(data)
                apply_marketing_block(values)
                contact_services._validate(values)
        except ValidationFailed as failed:
            for name, errors in failed.errors.items():
                label = self._label(prefix, name, form) if name else ""
                messages.extend(f"{label}: {e}" if label else str(e) for e in errors)
            return None
        return _jsonable(values)

    def _convert(self, name: str, value: str, prefix: str, form: FlaskForm, messages: list[str]) -> str:
        """The spreadsheet spelling of ``value`` in the form's terms."""
        if not value:
            return ""
        key = compact(value)
        if name in _BOOLEAN_FIELDS:
            if key in _TRUE:
                return "y"
            if key in _FALSE:
                return ""
            messages.append(f"{self._label(prefix, name, form)}: " + _("Bitte „ja“ oder „nein“ angeben."))
            return ""
        if prefix == "org":
            if name == "legal_form":
                return _LEGAL_FORMS.get(key, value)
            if name == "chamber":
                return _CHAMBERS.get(key, value)
            if name == "wz_section":
                match = _WZ.match(value)
                return match.group(1).upper() if match else value
            if name == "postcode" and re.fullmatch(r"\d{4}", value):
                return "0" + value  # a spreadsheet dropped the leading zero
            if name == "founded_on":
                return _as_iso_date(value)
        elif name == "salutation":
            return _SALUTATIONS.get(key, value)
        return value
