"""Column mapping: which column of the file fills which field, proposed from the header names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.imports.reader import FileRejected, looks_like_data
from crm.organisations.forms import ContactPersonForm, OrganisationForm
from crm.organisations.normalise import fold

ORG_FIELDS = (
    "name",
    "legal_form",
    "street",
    "postcode",
    "city",
    "region",
    "website",
    "phone",
    "email",
    "register_number",
    "founded_on",
    "wz_section",
    "chamber",
    "employees",
    "turnover_eur",
    "balance_sheet_eur",
    "figures_year",
    "is_training_active",
    "notes",
)
CONTACT_FIELDS = (
    "salutation",
    "title",
    "first_name",
    "last_name",
    "function",
    "is_decision_maker",
    "email",
    "phone",
    "mobile",
    "notes",
    "marketing_blocked",
)
FULL_NAME = "contact.full_name"
NAME = "org.name"

# Header names (folded, without spaces) and the field they propose. "E-Mail" alone goes to the
# contact person when the file has names of people, else to the company (see ``propose``).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "org.name": (
        "firma",
        "firmenname",
        "unternehmen",
        "unternehmensname",
        "name",
        "company",
        "companyname",
        "organisation",
        "organization",
        "betrieb",
        "betriebsname",
        "firmierung",
        "name1",
    ),
    "org.legal_form": ("rechtsform", "legalform"),
    "org.street": (
        "strasse",
        "str",
        "strasseundhausnummer",
        "strassehausnummer",
        "strassenr",
        "anschrift",
        "adresse",
        "street",
        "address",
        "addressline1",
        "hausanschrift",
    ),
    "org.postcode": ("plz", "postleitzahl", "zip", "zipcode", "postalcode", "postcode"),
    "org.city": ("ort", "stadt", "city", "town", "gemeinde", "sitz"),
    "org.region": ("region", "landkreis", "kreis", "bezirk", "district", "county"),
    "org.website": ("website", "webseite", "homepage", "internet", "url", "web", "www", "internetseite"),
    "org.phone": ("telefon", "tel", "telefonnummer", "phone", "fon", "telephone", "rufnummer", "phonenumber"),
    "org.email": ("emailfirma", "firmenemail", "emailunternehmen", "companyemail", "infomail"),
    "org.register_number": (
        "registernummer",
        "handelsregister",
        "handelsregisternummer",
        "hrb",
        "hra",
        "hrbnummer",
        "registernumber",
        "hrnummer",
        "hrnr",
    ),
    "org.founded_on": ("gegruendet", "gruendungsdatum", "gruendung", "gegruendetam", "founded"),
    "org.wz_section": ("wz", "wz2008", "wzabschnitt", "wirtschaftszweig", "branchewz"),
    "org.chamber": ("kammer", "chamber", "kammerzugehoerigkeit"),
    "org.employees": (
        "beschaeftigte",
        "mitarbeiter",
        "mitarbeiterzahl",
        "anzahlmitarbeiter",
        "employees",
        "staff",
        "mitarbeitende",
        "anzahlbeschaeftigte",
    ),
    "org.turnover_eur": ("umsatz", "jahresumsatz", "turnover", "revenue"),
    "org.balance_sheet_eur": ("bilanzsumme", "balancesheettotal", "bilanz"),
    "org.figures_year": ("bezugsjahr", "jahrderkennzahlen", "kennzahlenjahr"),
    "org.is_training_active": ("weiterbildungsaktiv", "weiterbildungsaktiverbetrieb"),
    "org.notes": (
        "notizen",
        "notiz",
        "bemerkung",
        "bemerkungen",
        "notes",
        "kommentar",
        "anmerkung",
        "hinweise",
    ),
    FULL_NAME: (
        "ansprechpartner",
        "ansprechpartnerin",
        "ansprechpartnerinnen",
        "ansprechperson",
        "kontaktperson",
        "kontakt",
        "contact",
        "contactperson",
        "contactname",
        "ansprechpartnerdername",
    ),
    "contact.salutation": ("anrede", "salutation"),
    "contact.title": ("titel", "title", "akademischertitel"),
    "contact.first_name": ("vorname", "firstname", "givenname", "vornameansprechpartner"),
    "contact.last_name": ("nachname", "familienname", "lastname", "surname", "nachnameansprechpartner"),
    "contact.function": ("funktion", "position", "jobtitle", "rolle", "stellung", "funktionansprechpartner"),
    "contact.is_decision_maker": ("entscheider", "entscheiderin", "decisionmaker"),
    "contact.email": ("emailansprechpartner", "emailkontakt", "contactemail", "emailperson"),
    "contact.phone": ("telefonansprechpartner", "durchwahl", "directphone", "telefonkontakt"),
    "contact.mobile": ("mobil", "mobiltelefon", "handy", "mobile", "cell", "mobilnummer", "handynummer"),
    "contact.marketing_blocked": (
        "werbesperre",
        "werbewiderspruch",
        "widerspruch",
        "donotcontact",
        "nomarketing",
    ),
}
_BY_HEADER = {header: target for target, headers in _SYNONYMS.items() for header in headers}
_GENERIC_EMAIL = {"email", "mail", "emailadresse", "emailaddress"}
_PERSON_TARGETS = {FULL_NAME, "contact.first_name", "contact.last_name"}


def compact(header: str) -> str:
    """A header as compared with the synonyms: folded, without spaces ("E-Mail" → "email")."""
    return fold(header).replace(" ", "")


def targets() -> list[tuple[str, list[tuple[str, Any]]]]:
    """The choices for a column, grouped: (group label, [(target, label), ...])."""
    org = [(f"org.{name}", getattr(OrganisationForm, name).args[0]) for name in ORG_FIELDS]
    contact = [(FULL_NAME, _l("Ansprechpartner/in (ganzer Name, wird aufgeteilt)"))]
    contact += [(f"contact.{name}", getattr(ContactPersonForm, name).args[0]) for name in CONTACT_FIELDS]
    return [(str(_l("Unternehmen")), org), (str(_l("Ansprechpartner/in")), contact)]


def target_labels() -> dict[str, str]:
    return {key: str(text) for _group, options in targets() for key, text in options}


def propose(headers: Sequence[str]) -> list[str]:
    """A target for every column from its header name ("" where nothing fits); each target once."""
    compacts = [compact(h) for h in headers]
    company_column = any(_BY_HEADER.get(c) == NAME and c != "name" for c in compacts)
    has_person = any(_BY_HEADER.get(c) in _PERSON_TARGETS for c in compacts) or (
        company_column and "name" in compacts
    )
    mapping: list[str] = []
    used: set[str] = set()
    for name in compacts:
        target = _BY_HEADER.get(name, "")
        if name == "name" and company_column:  # "Firma; Vorname; Name": here Name is the person's
            target = "contact.last_name"
        if not target and name in _GENERIC_EMAIL:
            target = "contact.email" if has_person else "org.email"
        if target in used:
            target = ""
        used.add(target)
        mapping.append(target)
    return mapping


def recognised(headers: Sequence[str]) -> int:
    """How many headers name a known field."""
    return sum(1 for t in propose(headers) if t)


def check_header(headers: Sequence[str]) -> None:
    """Refuse a file whose first row is data rather than column names."""
    data_like = [h for h in headers if looks_like_data(h)]
    if data_like and not recognised(headers):
        raise FileRejected(
            _(
                "Die erste Zeile sieht nicht wie eine Kopfzeile aus (sie enthält z. B. „%(value)s“). "
                "Bitte fügen Sie eine erste Zeile mit Spaltenüberschriften ein, z. B. Firma, PLZ, Ort.",
                value=data_like[0][:60],
            )
        )


def from_saved(headers: Sequence[str], columns: Mapping[str, str]) -> list[str]:
    """Apply a saved mapping (header name → target) to this file's headers."""
    valid = set(target_labels())
    mapping, used = [], set()
    for header in headers:
        target = columns.get(compact(header), "")
        if target not in valid or target in used:
            target = ""
        used.add(target)
        mapping.append(target)
    return mapping


def to_saved(headers: Sequence[str], mapping: Sequence[str]) -> dict[str, str]:
    return {compact(h): t for h, t in zip(headers, mapping, strict=True) if t and compact(h)}


def mapping_errors(mapping: Sequence[str]) -> list[str]:
    """What is wrong with a mapping as a whole (German messages)."""
    errors = []
    chosen = [t for t in mapping if t]
    if NAME not in chosen:
        errors.append(_("Bitte ordnen Sie eine Spalte dem Namen des Unternehmens zu."))
    labels = target_labels()
    for target in sorted({t for t in chosen if chosen.count(t) > 1}):
        errors.append(_("„%(field)s“ ist mehreren Spalten zugeordnet.", field=labels.get(target, target)))
    contact = [t for t in chosen if t.startswith("contact.")]
    if contact and not ({FULL_NAME, "contact.last_name"} & set(contact)):
        errors.append(
            _("Für Ansprechpartner/innen bitte eine Spalte „Nachname“ oder „Ansprechpartner/in“ zuordnen.")
        )
    return errors
