"""The marketing-block list: hashes only, bulk look-up, and contacts with a block land on it."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from crm.extensions import db
from crm.organisations import contacts
from crm.privacy.suppression import SuppressionEntry, is_suppressed, suppress, suppress_many, suppressed_among
from tests.factories import ContactPersonFactory, OrganisationFactory


def test_only_a_hash_of_the_normalised_address_is_stored(app):
    assert suppress("  Anna.Heide@Example.ORG ", "Widerspruch") is True
    entry = db.session.scalar(sa.select(SuppressionEntry))
    assert entry.email_hash == hashlib.sha256(b"anna.heide@example.org").hexdigest()
    assert "anna" not in (entry.reason or "").lower()
    assert is_suppressed("anna.heide@example.org") and not is_suppressed("anna@example.org")
    assert not is_suppressed(None) and not is_suppressed("")


def test_suppressing_twice_keeps_one_entry(app):
    assert suppress("a@b.de", "x") is True
    assert suppress("A@B.de", "y") is False
    assert suppress_many(["a@b.de", "c@d.de", None, " "], "z") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SuppressionEntry)) == 2


def test_bulk_lookup_returns_the_addresses_as_given(app, count_queries):
    suppress_many([f"p{n}@x.de" for n in range(0, 3000, 2)], "Liste")
    count_queries.statements.clear()
    found = suppressed_among([f"P{n}@x.de" for n in range(3000)] + [None])
    assert found == {f"P{n}@x.de" for n in range(0, 3000, 2)}
    assert count_queries.count == 3  # one query per 1,000 addresses


def test_marketing_block_on_a_contact_puts_the_address_on_the_list(app, manager):
    org = OrganisationFactory()
    contact = contacts.create_contact(
        org, {"last_name": "Heide", "email": "anna@firma.de", "marketing_blocked": True}, actor=manager
    )
    assert contact.marketing_blocked and is_suppressed("anna@firma.de")
    other = ContactPersonFactory(organisation=org, last_name="Funke", email="max@firma.de")
    assert not is_suppressed("max@firma.de")
    contacts.update_contact(other, {"marketing_blocked": True}, expected_version=other.version, actor=manager)
    assert is_suppressed("max@firma.de")
