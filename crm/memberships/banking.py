"""Bank data checks: IBAN and BIC (schwifty), creditor identifier (python-stdnum), mandate references."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError as StdnumError

# SEPA rulebook: up to 35 characters of A-Z a-z 0-9 + ? / - : ( ) . , ' and space.
MANDATE_REFERENCE = re.compile(r"^[A-Za-z0-9+?/\-:().,' ]{1,35}$")


class BankDataError(ValueError):
    """Invalid bank data; the message is German and meant for the user."""


def compact(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def clean_iban(value: str) -> str:
    """The IBAN in electronic form if its length, country and check digits are right."""
    try:
        iban = IBAN(compact(value))
    except SchwiftyException as error:
        raise BankDataError(_("Die IBAN ist ungültig (%(reason)s).", reason=_iban_reason(error))) from None
    if not iban.in_sepa_zone:
        raise BankDataError(_("Die IBAN gehört nicht zum SEPA-Raum."))
    return str(iban.compact)


def _iban_reason(error: Exception) -> str:
    name = type(error).__name__
    if "Checksum" in name:
        return _("Prüfziffer falsch")
    if "Length" in name:
        return _("falsche Länge")
    if "Country" in name:
        return _("unbekanntes Land")
    return _("falsches Format")


def clean_bic(value: str) -> str:
    """A well-formed BIC (8 or 11 characters)."""
    try:
        return str(BIC(compact(value)).compact)
    except SchwiftyException:
        raise BankDataError(_("Der BIC ist ungültig.")) from None


@lru_cache(maxsize=4096)
def _registry_bics(country: str, bank_code: str) -> tuple[str, ...]:
    """BICs the bank registry lists for a national bank code (empty when unknown)."""
    try:
        return tuple(str(b) for b in BIC.candidates_from_bank_code(country, bank_code))
    except SchwiftyException:
        return ()


def derive_bic(iban: str) -> str | None:
    """The BIC of the IBAN's bank, where schwifty's registry knows it."""
    try:
        bic = IBAN(compact(iban)).bic
    except SchwiftyException:
        return None
    return str(bic) if bic else None


def bic_matches_iban(iban: str, bic: str) -> bool:
    """False when the registry knows the IBAN's bank and lists other BICs (e.g. after a merger)."""
    try:
        parsed = IBAN(compact(iban))
    except SchwiftyException:
        return True  # the IBAN check reports this
    known = _registry_bics(parsed.country_code, parsed.bank_code)
    return not known or compact(bic)[:8] in {b[:8] for b in known}


def clean_mandate_reference(value: str) -> str:
    text = (value or "").strip()
    if not MANDATE_REFERENCE.fullmatch(text):
        raise BankDataError(
            _(
                "Die Mandatsreferenz darf höchstens 35 Zeichen lang sein und nur Buchstaben A–Z, "
                "Ziffern, Leerzeichen und + ? / - : ( ) . , ' enthalten."
            )
        )
    return text


def clean_creditor_id(value: str) -> str:
    """A creditor identifier (Gläubiger-ID) with correct check digits (ISO 7064 mod 97-10)."""
    try:
        return str(at_02.validate(compact(value)))
    except StdnumError:
        raise BankDataError(
            _("Die Gläubiger-ID ist ungültig (Aufbau DEkkZZZ0nnnnnnnnnn, Prüfziffer prüfen).")
        ) from None


# Letters count as 10..35 in the ISO 13616 check (A = 10, …, Z = 35).
_LETTER_DIGITS = str.maketrans({chr(ord("A") + i): str(10 + i) for i in range(26)})


def iban_checksum_ok(iban: str) -> bool:
    """Fast ISO 13616 mod-97 check (the full schwifty check runs on input)."""
    if len(iban) < 15 or not iban[:2].isalpha() or not iban[2:4].isdigit() or not iban.isalnum():
        return False
    rearranged = (iban[4:] + iban[:4]).upper().translate(_LETTER_DIGITS)
    return int(rearranged) % 97 == 1
