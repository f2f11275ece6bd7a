"""Marks on model columns that hold personal data (read by the record of processing).

A column is marked where it is declared: ``mapped_column(..., info=personal("contact"))``. Every
feature marks its own columns with these functions; the privacy feature generates the record of
processing from the marks, so it cannot drift from the schema, and a test fails when a column that
looks personal carries no mark. The marks live in the core because every feature's models use them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# Purposes (Zwecke) and legal bases (Rechtsgrundlagen), keyed so that the marks stay short.
PURPOSES: dict[str, Any] = {
    "acquisition": _l("Kontaktpflege, Akquise und Beratung von Unternehmen"),
    "network": _l("Zusammenarbeit mit Türöffnern und Vermittlungen"),
    "membership": _l("Mitgliedschaft, Beitragsabrechnung und SEPA-Lastschrift"),
    "sponsoring": _l("Sponsoring und Spenden"),
    "accountability": _l("Nachweis der Verarbeitung (Protokoll, Rechenschaftspflicht)"),
    "objection": _l("Beachtung von Werbewidersprüchen"),
    "users": _l("Benutzerkonten, Anmeldung und Sicherheit"),
    "import": _l("Datenübernahme aus Dateien (Import, rückgängig machen)"),
}
LEGAL_BASES: dict[str, Any] = {
    "f": _l("Art. 6 Abs. 1 lit. f DSGVO (berechtigtes Interesse)"),
    "a": _l("Art. 6 Abs. 1 lit. a DSGVO (Einwilligung)"),
    "b": _l("Art. 6 Abs. 1 lit. b DSGVO (Vertrag)"),
    "c": _l("Art. 6 Abs. 1 lit. c DSGVO (rechtliche Pflicht)"),
}
CATEGORIES: dict[str, Any] = {
    "name": _l("Name"),
    "contact": _l("Kontaktdaten"),
    "role": _l("Funktion / Rolle"),
    "notes": _l("Freitext, kann Angaben zu Personen enthalten"),
    "consent": _l("Datenschutzangaben (Herkunft, Einwilligung, Werbesperre)"),
    "bank": _l("Bankverbindung"),
    "derived": _l("Abgeleitet (Such- und Sortierschlüssel)"),
    "log": _l("Protokoll- und Verbindungsdaten"),
    "credentials": _l("Zugangsdaten"),
    "pseudonym": _l("Pseudonym (Prüfsumme)"),
}


def personal(category: str, purpose: str = "acquisition", basis: str = "f") -> dict[str, Any]:
    """The ``info`` of a column holding personal data: what kind, for which purpose, on which basis."""
    assert category in CATEGORIES and purpose in PURPOSES and basis in LEGAL_BASES
    return {"personal": {"category": category, "purpose": purpose, "basis": basis}}


def not_personal(why: str) -> dict[str, Any]:
    """The ``info`` of a column whose name looks personal but is not (e.g. a company's topic list)."""
    return {"personal": None, "not_personal": why}
