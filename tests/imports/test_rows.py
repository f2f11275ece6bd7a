"""Each row is checked with the rules of the company and contact forms; one message per problem."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crm.imports.rows import RowChecker, split_name

HEADERS = [
    "Firma",
    "Rechtsform",
    "PLZ",
    "Ort",
    "Website",
    "Telefon",
    "E-Mail Firma",
    "Mitarbeiter",
    "Umsatz",
    "Gegründet",
    "Kammer",
    "WZ",
    "Weiterbildungsaktiv",
    "Anrede",
    "Ansprechpartner",
    "E-Mail",
    "Werbesperre",
]
MAPPING = [
    "org.name",
    "org.legal_form",
    "org.postcode",
    "org.city",
    "org.website",
    "org.phone",
    "org.email",
    "org.employees",
    "org.turnover_eur",
    "org.founded_on",
    "org.chamber",
    "org.wz_section",
    "org.is_training_active",
    "contact.salutation",
    "contact.full_name",
    "contact.email",
    "contact.marketing_blocked",
]


def _row(**cells):
    values = dict.fromkeys(HEADERS, "")
    values.update({"Firma": "Bäckerei Müller", "PLZ": "30159", "Ort": "Hannover"})
    values.update({k.replace("_", " "): v for k, v in cells.items()})
    return [values[h] for h in HEADERS]


@pytest.fixture
def checker(app):
    with app.test_request_context():
        yield RowChecker(HEADERS, MAPPING)


def test_a_good_row_with_spreadsheet_spellings(checker):
    result = checker.check(
        _row(
            Rechtsform="gmbh",
            PLZ="1067",  # Excel dropped the leading zero
            Website="www.baeckerei-mueller.de",
            Telefon="0511 123456",
            Mitarbeiter="12,5",
            Umsatz="1.200.000 €",
            Gegründet="03.02.2001",
            Kammer="HWK",
            WZ="C – Verarbeitendes Gewerbe",
            Weiterbildungsaktiv="x",
            Anrede="Frau",
            Ansprechpartner="Dr. Anna Maria von der Heide",
            **{"E-Mail": "Anna.Heide@Baeckerei-Mueller.de"},
        )
    )
    assert result.ok, result.messages
    assert result.org["legal_form"] == "GmbH"
    assert result.org["postcode"] == "01067"
    assert result.org["employees"] == 12.5 and result.org["turnover_eur"] == 1_200_000
    assert result.org["founded_on"] == "2001-02-03"
    assert result.org["chamber"] == "hwk" and result.org["wz_section"] == "C"
    assert result.org["is_training_active"] is True
    assert result.contact["salutation"] == "frau" and result.contact["title"] == "Dr."
    assert (result.contact["first_name"], result.contact["last_name"]) == ("Anna Maria", "von der Heide")
    assert result.contact["email"] == "anna.heide@baeckerei-mueller.de"  # lower case, as the service keeps it
    assert result.keys()["name_key"] == "baeckerei mueller"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"Firma": ""}, "Firma: Bitte den Namen angeben."),
        ({"Firma": "x" * 201}, "Firma: "),
        ({"PLZ": "301"}, "PLZ: Bitte eine fünfstellige Postleitzahl eingeben."),
        ({"PLZ": "D-30159"}, "PLZ: Bitte eine fünfstellige Postleitzahl eingeben."),
        ({"Website": "keine Seite"}, "Website: Bitte eine Webadresse wie www.beispiel.de eingeben."),
        ({"Telefon": "ruf an"}, "Telefon: Bitte nur Ziffern"),
        ({"E-Mail Firma": "info(at)firma.de"}, "E-Mail Firma: Bitte eine gültige E-Mail-Adresse eingeben."),
        ({"Mitarbeiter": "viele"}, "Mitarbeiter: Bitte eine Zahl eingeben"),
        ({"Mitarbeiter": "-3"}, "Mitarbeiter: Der Wert darf nicht kleiner als 0 sein."),
        ({"Umsatz": "1,5"}, "Umsatz: Bitte einen Betrag in ganzen Euro eingeben"),
        ({"Gegründet": "31.02.2001"}, "Gegründet: "),
        (
            {"Gegründet": (date.today() + timedelta(days=2)).strftime("%d.%m.%Y")},
            "Gegründet: Das Datum liegt in der Zukunft.",
        ),
        ({"Kammer": "Handelskammer"}, "Kammer: "),
        ({"Rechtsform": "Genossenschaft mbH"}, "Rechtsform: "),
        ({"WZ": "Bäckerei"}, "WZ: "),
        ({"Weiterbildungsaktiv": "vielleicht"}, "Weiterbildungsaktiv: Bitte „ja“ oder „nein“ angeben."),
        ({"Anrede": "Hallo", "Ansprechpartner": "Anna Heide"}, "Anrede: "),
        ({"E-Mail": "anna@"}, "E-Mail: Bitte eine gültige E-Mail-Adresse eingeben."),
        (
            {"E-Mail": "anna@firma.de"},
            "Ansprechpartner: Bitte den Nachnamen angeben.",
        ),  # a person needs a name
        (
            {"Werbesperre": "jein", "Ansprechpartner": "Anna Heide"},
            "Werbesperre: Bitte „ja“ oder „nein“ angeben.",
        ),
    ],
)
def test_each_error_class_gives_a_german_message_naming_the_column(checker, cells, message):
    result = checker.check(_row(**cells))
    assert not result.ok
    assert any(m.startswith(message) for m in result.messages), result.messages
    assert result.org is None and result.contact is None


def test_several_errors_in_one_row_are_all_listed(checker):
    result = checker.check(_row(PLZ="12", Website="nix", **{"E-Mail": "kaputt"}, Ansprechpartner="Heide"))
    assert len(result.messages) == 3


def test_marketing_block_from_the_file(checker):
    result = checker.check(_row(Ansprechpartner="Anna Heide", Werbesperre="ja", **{"E-Mail": "a@b.de"}))
    assert result.ok and result.contact["marketing_blocked"] is True
    assert result.contact["marketing_blocked_on"] == date.today().isoformat()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna Heide", {"first_name": "Anna", "last_name": "Heide"}),
        ("Heide", {"last_name": "Heide"}),
        ("Heide, Anna", {"first_name": "Anna", "last_name": "Heide"}),
        (
            "Herr Prof. Dr. Max Mustermann",
            {"salutation": "herr", "title": "Prof. Dr.", "first_name": "Max", "last_name": "Mustermann"},
        ),
        ("Ludwig van Beethoven", {"first_name": "Ludwig", "last_name": "van Beethoven"}),
        ("  Jörg   Äbelé ", {"first_name": "Jörg", "last_name": "Äbelé"}),
    ],
)
def test_full_name_is_split(text, expected):
    assert split_name(text) == expected
