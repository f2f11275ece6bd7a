"""The bulk duplicate matcher (imports) agrees with ``find_duplicates`` and is not per-row."""

from __future__ import annotations

import pytest

from crm.organisations.duplicates import Probe, find_duplicates, find_duplicates_bulk
from tests.factories import OrganisationFactory

# The probes of tests/organisations/test_rules.py, matching and not matching.
PROBES = [
    Probe("Bäckerei Mueller UG (haftungsbeschränkt)", postcode="30159"),
    Probe("BAECKEREI MÜLLER", city="hannover"),
    Probe("Ganz anders", website="baeckerei-mueller.de/impressum"),
    Probe("Ganz anders", register_number="HRB 4711"),
    Probe("Bäckerei Müler GmbH", postcode="30161", city="Hannover"),
    Probe("Bäckerei Müller GmbH", postcode="80331", city="München"),
    Probe("Bäckerei Schmidt GmbH", postcode="30159", city="Hannover"),
    Probe("Metallbau Müller GmbH", postcode="30159", city="Hannover"),
    Probe("Ganz anders", website="www.mueller-baeckerei.de", register_number="HRB 4712"),
    Probe("Bäcker", postcode="30159"),  # a short first word is a short prefix block
    Probe("Müller Bäckerei", city="Hannover"),  # word order: fuzzy via token sort
]


@pytest.fixture
def companies():
    existing = OrganisationFactory(
        name="Bäckerei Müller GmbH",
        postcode="30159",
        city="Hannover",
        website="https://www.baeckerei-mueller.de",
        register_number="HRB 4711",
    )
    others = [
        OrganisationFactory(name="Bäckerei Schmitt", postcode="30159", city="Hannover"),
        OrganisationFactory(name="Bäckerei Müller", postcode="80331", city="München"),
        OrganisationFactory(name="Bäckermeister Kuhn", postcode=None, city=None),
        OrganisationFactory(name="Metallbau Müller KG", postcode="30161", city="Hannover"),
        OrganisationFactory(
            name="Archiv Bäckerei Müller", postcode="30159", city="Hannover", is_archived=True
        ),
    ]
    return [existing, *others]


def _summary(candidates):
    return sorted(
        (c.organisation.id if hasattr(c, "organisation") else c.id, tuple(c.reasons)) for c in candidates
    )


@pytest.mark.parametrize("probe", PROBES)
def test_bulk_agrees_with_find_duplicates(companies, staff, probe):
    expected = _summary(find_duplicates(probe, user=staff))
    assert _summary(find_duplicates_bulk([probe], user=staff)[0]) == expected


def test_bulk_answers_each_probe_in_order(companies, staff):
    answers = find_duplicates_bulk(PROBES, user=staff)
    assert [_summary(a) for a in answers] == [_summary(find_duplicates(p, user=staff)) for p in PROBES]
    assert answers[0][0].reasons == ["name_postcode"] and answers[0][0].reason_labels


def test_bulk_query_count_does_not_grow_with_the_probes(companies, staff, count_queries):
    # one query per kind of exact key (name, domain, register), one for the name-start blocks,
    # one for the postcode blocks (up to 1,000 keys / 2,000 probes each): never one per probe
    many = [Probe(f"Firma Nummer {n}", postcode=f"{30000 + n}", website=f"f{n}.de") for n in range(300)]
    answers = find_duplicates_bulk(many + PROBES, user=staff)
    assert len(answers) == 300 + len(PROBES)
    assert count_queries.count <= 5
