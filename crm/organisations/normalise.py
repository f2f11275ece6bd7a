"""Folding of names, domains and register numbers for search, sorting and duplicate detection."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "œ": "oe"})
_NON_WORD = re.compile(r"[^0-9a-z]+")

# Legal-form suffixes and prefixes, folded and written as word sequences. Longest first, so that
# "gmbh co kg" goes before "gmbh" and "kg".
_LEGAL_FORMS = sorted(
    [
        "gmbh co kg",
        "gmbh co kgaa",
        "gmbh co ohg",
        "ug haftungsbeschraenkt co kg",
        "ag co kg",
        "ug haftungsbeschraenkt",
        "ug",
        "gmbh",
        "mbh",
        "ggmbh",
        "ag",
        "kgaa",
        "kg",
        "ohg",
        "gbr",
        "e k",
        "ek",
        "e kfr",
        "e kfm",
        "ev",
        "e v",
        "eg",
        "e g",
        "se",
        "partg",
        "partg mbb",
        "partgmbb",
        "inh",
        "inhaber",
        "ltd",
        "limited",
        "co",
        "und co",
        "gesellschaft mit beschraenkter haftung",
    ],
    key=len,
    reverse=True,
)
_SPLIT_LETTERS = re.compile(r"\b(?:[a-z] )+[a-z]\b")
_LEGAL_FORM_PATTERN = re.compile(r"(?:^| )(?:" + "|".join(re.escape(f) for f in _LEGAL_FORMS) + r")(?= |$)")


def fold(text: str | None) -> str:
    """Lower case, umlauts spelled out, accents dropped, punctuation turned into single spaces."""
    if not text:
        return ""
    return _fold(text)


@lru_cache(maxsize=65_536)
def _fold(text: str) -> str:
    text = text.casefold().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("&", " ")
    return _NON_WORD.sub(" ", text).strip()


def sort_key(name: str) -> str:
    """The key a list is sorted and prefix-searched by (folded, at most 200 characters)."""
    return fold(name)[:200]


def name_key(name: str) -> str:
    """The name without legal forms, for duplicate detection ("Müller GmbH" → "mueller")."""
    # "g m b h", "e k", "e v": letters split by dots become one word before matching legal forms
    folded = _SPLIT_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), fold(name))
    previous = None
    while previous != folded:  # "Müller GmbH & Co. KG" needs more than one pass
        previous = folded
        folded = _LEGAL_FORM_PATTERN.sub(" ", folded).strip()
        folded = re.sub(r" +", " ", folded)
    return (folded or fold(name))[:200]


def website_domain(website: str | None) -> str | None:
    """The registrable host of a website without ``www.``, or ``None``."""
    if not website or not website.strip():
        return None
    value = website.strip().lower()
    if "://" not in value:
        value = "http://" + value
    host = (urlsplit(value).hostname or "").strip(".")
    host = host.removeprefix("www.")
    return host or None


def register_key(register_number: str | None) -> str | None:
    """ "HRB 12 345 B" → "hrb12345b": the register number without spaces and punctuation."""
    if not register_number:
        return None
    key = fold(register_number).replace(" ", "")
    return key or None


def search_words(text: str | None) -> list[str]:
    """The folded words of ``text`` (for tokens and for queries)."""
    return [w for w in fold(text).split(" ") if w]


def _plain(text: str) -> str:
    """Like ``fold`` but umlauts lose their dots instead of becoming two letters (ä → a)."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("&", " ")
    return _NON_WORD.sub(" ", text).strip()


def token_words(*texts: str | None) -> set[str]:
    """Search tokens of ``texts``: each word spelled with "ae" and with plain "a" for "ä".

    Queries are folded with ``fold``, so "Müller", "Mueller" and "Muller" all find "Müller".
    """
    words: set[str] = set()
    for text in texts:
        if text:
            words.update(w for w in fold(text).split(" ") if w)
            words.update(w for w in _plain(text).split(" ") if w)
    return {w[:200] for w in words}
