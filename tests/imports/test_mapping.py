"""Proposing a column mapping from German and English header names; saved mappings."""

from __future__ import annotations

import pytest

from crm.imports.mapping import from_saved, mapping_errors, propose, to_saved


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Firma", "org.name"),
        ("Unternehmen", "org.name"),
        ("Company", "org.name"),
        ("Name", "org.name"),
        ("PLZ", "org.postcode"),
        ("Postleitzahl", "org.postcode"),
        ("ZIP Code", "org.postcode"),
        ("Ort", "org.city"),
        ("Stadt", "org.city"),
        ("City", "org.city"),
        ("Straße", "org.street"),
        ("Strasse", "org.street"),
        ("Str.", "org.street"),
        ("Street", "org.street"),
        ("Telefon", "org.phone"),
        ("Phone", "org.phone"),
        ("Website", "org.website"),
        ("Homepage", "org.website"),
        ("Registernummer", "org.register_number"),
        ("HRB", "org.register_number"),
        ("Rechtsform", "org.legal_form"),
        ("Mitarbeiter", "org.employees"),
        ("Umsatz", "org.turnover_eur"),
        ("Kammer", "org.chamber"),
        ("Bemerkung", "org.notes"),
        ("E-Mail", "org.email"),  # no person columns: the company's address
        ("Email", "org.email"),
        ("  PLZ  ", "org.postcode"),
    ],
)
def test_company_synonyms(header, target):
    assert propose([header]) == [target]


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Ansprechpartner", "contact.full_name"),
        ("Ansprechpartner/in", "contact.full_name"),
        ("Contact person", "contact.full_name"),
        ("Vorname", "contact.first_name"),
        ("First name", "contact.first_name"),
        ("Nachname", "contact.last_name"),
        ("Last Name", "contact.last_name"),
        ("Funktion", "contact.function"),
        ("Position", "contact.function"),
        ("Anrede", "contact.salutation"),
        ("Titel", "contact.title"),
        ("Mobil", "contact.mobile"),
        ("Handy", "contact.mobile"),
        ("Werbesperre", "contact.marketing_blocked"),
    ],
)
def test_contact_synonyms(header, target):
    assert propose(["Firma", header]) == ["org.name", target]


def test_email_goes_to_the_person_when_the_file_has_people():
    assert propose(["Firma", "Ansprechpartner", "E-Mail"]) == [
        "org.name",
        "contact.full_name",
        "contact.email",
    ]
    assert propose(["Firma", "Ort", "E-Mail"]) == ["org.name", "org.city", "org.email"]


def test_name_next_to_a_company_column_is_the_persons_last_name():
    assert propose(["Firma", "Vorname", "Name"]) == ["org.name", "contact.first_name", "contact.last_name"]


def test_each_field_is_proposed_once_and_unknown_headers_are_ignored():
    assert propose(["Firma", "Unternehmen", "Lieblingsfarbe", ""]) == ["org.name", "", "", ""]


def test_mapping_errors():
    assert mapping_errors(["org.name", "org.city"]) == []
    assert "Namen des Unternehmens" in mapping_errors(["org.city"])[0]
    assert any("mehreren Spalten" in e for e in mapping_errors(["org.name", "org.city", "org.city"]))
    assert any("Nachname" in e for e in mapping_errors(["org.name", "contact.email"]))
    assert mapping_errors(["org.name", "contact.full_name", "contact.email"]) == []


def test_saved_mapping_round_trip_by_header_name():
    saved = to_saved(["Kunde", "Postleitzahl", "Egal"], ["org.name", "org.postcode", ""])
    assert saved == {"kunde": "org.name", "postleitzahl": "org.postcode"}
    # a later file with the columns in another order and spelled differently
    assert from_saved(["POSTLEITZAHL", "Neu", "kunde"], saved) == ["org.postcode", "", "org.name"]
    assert from_saved(["Kunde"], {"kunde": "org.nonsense"}) == [""]
