"""Enumerations and German labels of the organisation domain."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from crm.core.i18n import resolved


class Stage(enum.StrEnum):
    """Acquisition stage; the first six are a funnel, dormant and lost stand aside."""

    LEAD = "lead"
    CONTACTED = "contacted"
    NEEDS_ANALYSIS = "needs_analysis"
    OFFER = "offer"
    CUSTOMER = "customer"
    PARTNER = "partner"
    DORMANT = "dormant"
    LOST = "lost"

    @property
    def rank(self) -> int:
        """Position in the funnel; dormant and lost rank below every funnel stage."""
        return FUNNEL.index(self) if self in FUNNEL else -1


FUNNEL = [Stage.LEAD, Stage.CONTACTED, Stage.NEEDS_ANALYSIS, Stage.OFFER, Stage.CUSTOMER, Stage.PARTNER]

STAGE_LABELS = {
    Stage.LEAD: _l("Lead"),
    Stage.CONTACTED: _l("Kontaktiert"),
    Stage.NEEDS_ANALYSIS: _l("Bedarfsanalyse"),
    Stage.OFFER: _l("Angebot"),
    Stage.CUSTOMER: _l("Kunde"),
    Stage.PARTNER: _l("Partner"),
    Stage.DORMANT: _l("Ruhend"),
    Stage.LOST: _l("Verloren"),
}


class SizeClass(enum.StrEnum):
    """EU SME size class (Recommendation 2003/361/EC)."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


SIZE_CLASS_LABELS = {
    SizeClass.MICRO: _l("Kleinstunternehmen"),
    SizeClass.SMALL: _l("Kleines Unternehmen"),
    SizeClass.MEDIUM: _l("Mittleres Unternehmen"),
    SizeClass.LARGE: _l("Großunternehmen"),
}


class Chamber(enum.StrEnum):
    IHK = "ihk"
    HWK = "hwk"
    BOTH = "both"
    NONE = "none"


CHAMBER_LABELS = {
    Chamber.IHK: _l("IHK"),
    Chamber.HWK: _l("HWK"),
    Chamber.BOTH: _l("IHK und HWK"),
    Chamber.NONE: _l("keine"),
}

WZ_VERSION = "WZ2008"
# WZ 2008 sections (Statistisches Bundesamt), the German picklist.
WZ_SECTIONS = {
    "A": _l("A – Land- und Forstwirtschaft, Fischerei"),
    "B": _l("B – Bergbau und Gewinnung von Steinen und Erden"),
    "C": _l("C – Verarbeitendes Gewerbe"),
    "D": _l("D – Energieversorgung"),
    "E": _l("E – Wasserversorgung; Abwasser- und Abfallentsorgung, Beseitigung von Umweltverschmutzungen"),
    "F": _l("F – Baugewerbe"),
    "G": _l("G – Handel; Instandhaltung und Reparatur von Kraftfahrzeugen"),
    "H": _l("H – Verkehr und Lagerei"),
    "I": _l("I – Gastgewerbe"),
    "J": _l("J – Information und Kommunikation"),
    "K": _l("K – Erbringung von Finanz- und Versicherungsdienstleistungen"),
    "L": _l("L – Grundstücks- und Wohnungswesen"),
    "M": _l("M – Freiberufliche, wissenschaftliche und technische Dienstleistungen"),
    "N": _l("N – Sonstige wirtschaftliche Dienstleistungen"),
    "O": _l("O – Öffentliche Verwaltung, Verteidigung; Sozialversicherung"),
    "P": _l("P – Erziehung und Unterricht"),
    "Q": _l("Q – Gesundheits- und Sozialwesen"),
    "R": _l("R – Kunst, Unterhaltung und Erholung"),
    "S": _l("S – Sonstige Dienstleistungen"),
    "T": _l("T – Private Haushalte mit Hauspersonal; Herstellung für den Eigenbedarf"),
    "U": _l("U – Exterritoriale Organisationen und Körperschaften"),
}

LEGAL_FORMS = [
    "GmbH",
    "UG (haftungsbeschränkt)",
    "GmbH & Co. KG",
    "AG",
    "KG",
    "OHG",
    "GbR",
    "e.K.",
    "Einzelunternehmen",
    "Freie Berufe",
    "PartG",
    "eG",
    "e.V.",
    "Sonstige",
]


class Salutation(enum.StrEnum):
    FRAU = "frau"
    HERR = "herr"
    DIVERS = "divers"


SALUTATION_LABELS = {
    Salutation.FRAU: _l("Frau"),
    Salutation.HERR: _l("Herr"),
    Salutation.DIVERS: _l("divers"),
}


class LegalBasis(enum.StrEnum):
    """Legal basis of processing a person's data (Art. 6(1) GDPR)."""

    LEGITIMATE_INTEREST = "legitimate_interest"
    CONSENT = "consent"
    CONTRACT = "contract"


LEGAL_BASIS_LABELS = {
    LegalBasis.LEGITIMATE_INTEREST: _l("Berechtigtes Interesse (Art. 6 Abs. 1 lit. f DSGVO)"),
    LegalBasis.CONSENT: _l("Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)"),
    LegalBasis.CONTRACT: _l("Vertrag / Vertragsanbahnung (Art. 6 Abs. 1 lit. b DSGVO)"),
}


class ConsentMethod(enum.StrEnum):
    WRITTEN = "written"
    DOUBLE_OPT_IN = "double_opt_in"
    WEB_FORM = "web_form"
    VERBAL = "verbal"


CONSENT_METHOD_LABELS = {
    ConsentMethod.WRITTEN: _l("schriftlich"),
    ConsentMethod.DOUBLE_OPT_IN: _l("E-Mail (Double-Opt-in)"),
    ConsentMethod.WEB_FORM: _l("Webformular"),
    ConsentMethod.VERBAL: _l("mündlich (dokumentiert)"),
}


def label(mapping: dict, value: object) -> str:  # type: ignore[type-arg]
    """The display label of an enum value (or its raw value), or an empty string."""
    if value is None or value == "":
        return ""
    return resolved(mapping).get(value) or str(value)
