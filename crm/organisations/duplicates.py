"""Finding companies that probably exist already (before creating, importing or merging)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz

from crm.core.query import escape_like
from crm.core.scoping import organisation_visibility
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.normalise import fold, name_key, register_key, website_domain

FUZZY_THRESHOLD = 88
FUZZY_CANDIDATE_LIMIT = 400
MAX_CANDIDATES = 10

REASON_LABELS = {
    "name_postcode": _l("gleicher Name und gleiche PLZ"),
    "name_city": _l("gleicher Name und gleicher Ort"),
    "domain": _l("gleiche Website-Domain"),
    "register": _l("gleiche Registernummer"),
    "fuzzy": _l("sehr ähnlicher Name"),
}


@dataclass
class Candidate:
    organisation: Organisation
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[r]) for r in self.reasons]


@dataclass(frozen=True)
class Probe:
    """The facts of a company that may be a duplicate (from a form or an import row)."""

    name: str
    postcode: str | None = None
    city: str | None = None
    website: str | None = None
    register_number: str | None = None

    @property
    def name_key(self) -> str:
        return name_key(self.name)


def find_duplicates(probe: Probe, *, user: Any, exclude_id: int | None = None) -> list[Candidate]:
    """Visible, active companies that match ``probe`` by name+place, domain, register or fuzzily."""
    found: dict[int, Candidate] = {}

    def add(org: Organisation, reason: str, score: float = 100.0) -> None:
        if org.id == exclude_id:
            return
        candidate = found.setdefault(org.id, Candidate(org))
        if reason not in candidate.reasons:
            candidate.reasons.append(reason)
        candidate.score = max(candidate.score, score)

    visible = organisation_visibility(user)
    key = probe.name_key
    postcode = (probe.postcode or "").strip()
    city = fold(probe.city)

    if key:
        for org in db.session.scalars(sa.select(Organisation).where(visible, Organisation.name_key == key)):
            if postcode and org.postcode == postcode:
                add(org, "name_postcode")
            elif city and fold(org.city) == city:
                add(org, "name_city")

    domain = website_domain(probe.website)
    if domain:
        for org in db.session.scalars(
            sa.select(Organisation)
            .where(visible, Organisation.website_domain == domain)
            .limit(MAX_CANDIDATES)
        ):
            add(org, "domain")

    register = register_key(probe.register_number)
    if register:
        for org in db.session.scalars(
            sa.select(Organisation)
            .where(visible, Organisation.register_key == register)
            .limit(MAX_CANDIDATES)
        ):
            add(org, "register")

    if key:
        for org, score in _fuzzy(key, postcode, city, visible):
            add(org, "fuzzy", score)

    return sorted(found.values(), key=lambda c: (-len(c.reasons), -c.score, c.organisation.id))[
        :MAX_CANDIDATES
    ]


def _same_place(postcode: str, city: str, other_postcode: str | None, other_city: str | None) -> bool:
    """Same postcode or town; unknown on either side counts as possibly the same."""
    if not (postcode or city) or not (other_postcode or other_city):
        return True
    return bool(postcode and postcode == other_postcode) or bool(city and city == fold(other_city))


def _fuzzy(
    key: str, postcode: str, city: str, visible: sa.ColumnElement[bool]
) -> list[tuple[Organisation, float]]:
    """Close but not identical names in the same place.

    Only companies in a block are compared — same first letters of the name, or same postcode —
    so the work grows with the block, not with the number of companies.
    """
    first_word = key.split(" ")[0]
    block = Organisation.name_key.like(escape_like(first_word[:5]) + "%", escape="\\")
    if postcode:
        block = sa.or_(block, Organisation.postcode == postcode)
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name_key, Organisation.postcode, Organisation.city)
        .where(visible, block)
        .limit(FUZZY_CANDIDATE_LIMIT)
    ).all()
    hits: dict[int, float] = {}
    for row in rows:
        if row.name_key == key or not _same_place(postcode, city, row.postcode, row.city):
            continue
        score = fuzz.token_sort_ratio(key, row.name_key)
        if score >= FUZZY_THRESHOLD:
            hits[row.id] = score
    if not hits:
        return []
    orgs = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(hits))).all()
    return [(org, float(hits[org.id])) for org in orgs]
