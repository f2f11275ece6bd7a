"""EU size classes, name folding and duplicate detection."""

from __future__ import annotations

import pytest

from crm.organisations.duplicates import Probe, find_duplicates
from crm.organisations.normalise import fold, name_key, register_key, website_domain
from crm.organisations.sizeclass import derive_size_class
from crm.organisations.vocab import SizeClass
from tests.factories import OrganisationFactory

M = 1_000_000


@pytest.mark.parametrize(
    ("employees", "turnover", "balance", "expected"),
    [
        # micro: < 10 staff and (turnover ≤ 2 m or balance ≤ 2 m)
        (9.9, 2 * M, 5 * M, SizeClass.MICRO),
        (9.9, 5 * M, 2 * M, SizeClass.MICRO),
        (9.9, 2 * M + 1, 2 * M + 1, SizeClass.SMALL),
        (10, 1 * M, 1 * M, SizeClass.SMALL),
        (0, 0, 0, SizeClass.MICRO),
        # small: < 50 and ≤ 10 m / ≤ 10 m
        (49.5, 10 * M, 99 * M, SizeClass.SMALL),
        (49.5, 10 * M + 1, 10 * M, SizeClass.SMALL),
        (49.5, 10 * M + 1, 10 * M + 1, SizeClass.MEDIUM),
        (50, 1 * M, 1 * M, SizeClass.MEDIUM),
        # medium: < 250 and ≤ 50 m turnover / ≤ 43 m balance
        (249, 50 * M, 99 * M, SizeClass.MEDIUM),
        (249, 99 * M, 43 * M, SizeClass.MEDIUM),
        (249, 50 * M + 1, 43 * M + 1, SizeClass.LARGE),
        (250, 1 * M, 1 * M, SizeClass.LARGE),
        (5000, None, None, SizeClass.LARGE),
    ],
)
def test_size_class_at_thresholds(employees, turnover, balance, expected):
    assert derive_size_class(employees, turnover, balance) == (expected, False)


@pytest.mark.parametrize(
    ("employees", "turnover", "balance", "expected"),
    [
        (9, None, None, SizeClass.MICRO),
        (10, None, None, SizeClass.SMALL),
        (49, None, None, SizeClass.SMALL),
        (50, None, None, SizeClass.MEDIUM),
        (249.9, None, None, SizeClass.MEDIUM),
        # one figure known and too high: the unknown one might still pass
        (5, 3 * M, None, SizeClass.MICRO),
        (5, None, 3 * M, SizeClass.MICRO),
    ],
)
def test_size_class_provisional_without_figures(employees, turnover, balance, expected):
    assert derive_size_class(employees, turnover, balance) == (expected, True)


def test_one_known_figure_that_passes_is_definite():
    assert derive_size_class(5, 1 * M, None) == (SizeClass.MICRO, False)


def test_no_headcount_no_class():
    assert derive_size_class(None, 1 * M, 1 * M) == (None, False)


@pytest.mark.parametrize(
    "name",
    [
        "Müller GmbH",
        "Müller Gmbh",
        "MÜLLER G.m.b.H.",
        "Mueller UG (haftungsbeschränkt)",
        "Müller GmbH & Co. KG",
        "Müller e.K.",
        "Müller AG",
        "Müller KG",
        "Müller OHG",
        "Müller GbR",
        "Müller e.V.",
        "müller",
        "  Müller,  GmbH ",
    ],
)
def test_name_key_ignores_legal_forms_case_and_punctuation(name):
    assert name_key(name) == "mueller"


def test_fold_handles_umlauts_and_sharp_s():
    assert fold("Straßenbau Größe & Söhne") == "strassenbau groesse soehne"
    assert name_key("Bäckerei Weiß GmbH") == name_key("Baeckerei Weiss")


def test_domain_and_register_keys():
    assert website_domain("https://www.Beispiel-Firma.de/kontakt") == "beispiel-firma.de"
    assert website_domain("beispiel-firma.de") == "beispiel-firma.de"
    assert website_domain("") is None
    assert register_key("HRB 12 345") == register_key("hrb12345") == "hrb12345"


@pytest.fixture
def existing():
    return OrganisationFactory(
        name="Bäckerei Müller GmbH",
        postcode="30159",
        city="Hannover",
        website="https://www.baeckerei-mueller.de",
        register_number="HRB 4711",
    )


@pytest.mark.parametrize(
    ("probe", "reason"),
    [
        (Probe("Bäckerei Mueller UG (haftungsbeschränkt)", postcode="30159"), "name_postcode"),
        (Probe("BAECKEREI MÜLLER", city="hannover"), "name_city"),
        (Probe("Ganz anders", website="baeckerei-mueller.de/impressum"), "domain"),
        (Probe("Ganz anders", register_number="HRB 4711"), "register"),
        (Probe("Bäckerei Müler GmbH", postcode="30161", city="Hannover"), "fuzzy"),
    ],
)
def test_duplicate_found(existing, staff, probe, reason):
    found = find_duplicates(probe, user=staff)
    assert [c.organisation.id for c in found] == [existing.id]
    assert reason in found[0].reasons


@pytest.mark.parametrize(
    "probe",
    [
        Probe("Bäckerei Müller GmbH", postcode="80331", city="München"),  # same name, other town
        Probe("Bäckerei Schmidt GmbH", postcode="30159", city="Hannover"),  # other name, same place
        Probe("Metallbau Müller GmbH", postcode="30159", city="Hannover"),
        Probe("Ganz anders", website="www.mueller-baeckerei.de", register_number="HRB 4712"),
    ],
)
def test_not_a_duplicate(existing, staff, probe):
    assert find_duplicates(probe, user=staff) == []


def test_archived_companies_are_not_duplicates(existing, staff):
    existing.is_archived = True
    assert find_duplicates(Probe("Bäckerei Müller", postcode="30159"), user=staff) == []


def test_duplicate_check_excludes_the_record_itself(existing, staff):
    assert find_duplicates(Probe(existing.name, postcode="30159"), user=staff, exclude_id=existing.id) == []
