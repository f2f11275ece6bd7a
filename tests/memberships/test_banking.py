"""IBAN, BIC, mandate reference and creditor identifier checks."""

from __future__ import annotations

import pytest

from crm.memberships.banking import (
    BankDataError,
    bic_matches_iban,
    clean_bic,
    clean_creditor_id,
    clean_iban,
    clean_mandate_reference,
    derive_bic,
    iban_checksum_ok,
)
from tests.factories import TEST_BIC, TEST_IBAN


def test_iban_is_normalised(app):
    with app.test_request_context():
        assert clean_iban("de89 3704 0044 0532 0130 00") == TEST_IBAN


@pytest.mark.parametrize(
    "bad", ["DE89370400440532013001", "DE8937040044053201300", "XX89370400440532013000", "", "hallo"]
)
def test_invalid_iban(app, bad):
    with app.test_request_context(), pytest.raises(BankDataError):
        clean_iban(bad)


def test_bic_is_derived_and_checked(app):
    assert derive_bic(TEST_IBAN) == TEST_BIC
    assert bic_matches_iban(TEST_IBAN, "COBADEFF")
    assert not bic_matches_iban(TEST_IBAN, "DEUTDEFFXXX")  # another bank: stale or wrong BIC
    with app.test_request_context():
        assert clean_bic("cobadeffxxx") == TEST_BIC
        with pytest.raises(BankDataError):
            clean_bic("COBADE")


def test_fast_checksum_agrees_with_schwifty():
    assert iban_checksum_ok(TEST_IBAN)
    assert not iban_checksum_ok("DE89370400440532013001")
    assert not iban_checksum_ok("DE89 3704")


@pytest.mark.parametrize("reference", ["MITGL-000001", "A" * 35, "Ref+?/-:().,' 9"])
def test_valid_mandate_references(app, reference):
    with app.test_request_context():
        assert clean_mandate_reference(reference) == reference


@pytest.mark.parametrize("reference", ["A" * 36, "Müller-1", "REF_1", "REF#1", "", "REF*"])
def test_invalid_mandate_references(app, reference):
    with app.test_request_context(), pytest.raises(BankDataError):
        clean_mandate_reference(reference)


def test_creditor_identifier_check_digits(app):
    with app.test_request_context():
        assert clean_creditor_id("de98 zzz0 9999 9999 99") == "DE98ZZZ09999999999"
        # positions 5–7 (business code) do not enter the check digits
        assert clean_creditor_id("DE98ABC09999999999") == "DE98ABC09999999999"
        with pytest.raises(BankDataError):
            clean_creditor_id("DE97ZZZ09999999999")
