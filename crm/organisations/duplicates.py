"""Finding companies that probably exist already (before creating, importing or merging)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process

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


# --- many probes at once (imports) -----------------------------------------------------------

_IN_CHUNK = 1000


@dataclass(frozen=True)
class Keys:
    """The folded facts duplicate rules compare: a company in the database or a probe."""

    id: int
    name_key: str
    postcode: str
    city: str  # folded
    domain: str | None = None
    register: str | None = None

    @property
    def prefix(self) -> str:
        return self.name_key.split(" ")[0][:5]

    @classmethod
    def of(cls, probe: Probe, id: int = 0) -> Keys:
        return cls(
            id=id,
            name_key=probe.name_key,
            postcode=(probe.postcode or "").strip(),
            city=fold(probe.city),
            domain=website_domain(probe.website),
            register=register_key(probe.register_number),
        )


@dataclass
class Match:
    """A company (or earlier file row) that a probe probably duplicates."""

    id: int
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[r]) for r in self.reasons]


class MatchPool:
    """Companies indexed by the duplicate rules' keys, so a probe is compared with its blocks only.

    The same rules as ``find_duplicates``: same name key and postcode (or town), same website
    domain, same register number, or a fuzzy name (token sort ratio ≥ 88) in the same place, where
    fuzzy candidates come from two blocks — names starting with the probe's first letters, or the
    same postcode.
    """

    def __init__(self) -> None:
        self.by_key: dict[str, list[Keys]] = {}
        self.by_domain: dict[str, list[int]] = {}
        self.by_register: dict[str, list[int]] = {}
        self.by_postcode: dict[str, list[Keys]] = {}
        # name_key[:n] -> companies, for n = 1..5 (a short first word is a shorter prefix)
        self.by_start: dict[str, list[Keys]] = {}
        self._seen: set[int] = set()

    def add(self, keys: Keys) -> None:
        if keys.id in self._seen:
            return
        self._seen.add(keys.id)
        if keys.name_key:
            self.by_key.setdefault(keys.name_key, []).append(keys)
            for n in range(1, min(5, len(keys.name_key)) + 1):
                self.by_start.setdefault(keys.name_key[:n], []).append(keys)
        if keys.domain:
            self.by_domain.setdefault(keys.domain, []).append(keys.id)
        if keys.register:
            self.by_register.setdefault(keys.register, []).append(keys.id)
        if keys.postcode:
            self.by_postcode.setdefault(keys.postcode, []).append(keys)

    def match(self, probe: Keys) -> list[Match]:
        """Matches of ``probe``, best first (most reasons, highest score, lowest id)."""
        found: dict[int, Match] = {}

        def add(other: int, reason: str, score: float = 100.0) -> None:
            if other == probe.id:
                return
            match = found.setdefault(other, Match(other))
            if reason not in match.reasons:
                match.reasons.append(reason)
            match.score = max(match.score, score)

        if probe.name_key:
            for other in self.by_key.get(probe.name_key, ()):
                if probe.postcode and other.postcode == probe.postcode:
                    add(other.id, "name_postcode")
                elif probe.city and other.city == probe.city:
                    add(other.id, "name_city")
        if probe.domain:
            for other_id in self.by_domain.get(probe.domain, ()):
                add(other_id, "domain")
        if probe.register:
            for other_id in self.by_register.get(probe.register, ()):
                add(other_id, "register")
        if probe.name_key:
            for other_id, score in self._fuzzy(probe):
                add(other_id, "fuzzy", score)
        ordered = sorted(found.values(), key=lambda m: (-len(m.reasons), -m.score, m.id))
        return ordered[:MAX_CANDIDATES]

    def _fuzzy(self, probe: Keys) -> list[tuple[int, float]]:
        """Close but not identical names in the same place, compared within the probe's blocks."""
        block: dict[int, Keys] = {}
        for other in self.by_start.get(probe.prefix, ()):
            block[other.id] = other
        if probe.postcode:
            for other in self.by_postcode.get(probe.postcode, ()):
                block[other.id] = other
        candidates = [
            other
            for other in block.values()
            if other.id != probe.id
            and other.name_key != probe.name_key
            and _same_place(probe.postcode, probe.city, other.postcode, other.city)
        ]
        if not candidates:
            return []
        hits = process.extract(
            probe.name_key,
            [c.name_key for c in candidates],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=FUZZY_THRESHOLD,
            limit=None,
        )
        return [(candidates[index].id, float(score)) for _choice, score, index in hits]


def _keys_of_rows(rows: Any) -> list[Keys]:
    return [
        Keys(
            id=row.id,
            name_key=row.name_key or "",
            postcode=row.postcode or "",
            city=fold(row.city),
            domain=row.website_domain,
            register=row.register_key,
        )
        for row in rows
    ]


def load_pool(probes: list[Keys], *, user: Any) -> MatchPool:
    """The visible companies that could match any of ``probes``, loaded by key, not one by one.

    A handful of queries per 1,000 distinct keys (name key, domain, register number, postcode,
    name prefix), whatever the number of probes.
    """
    visible = organisation_visibility(user)
    columns = (
        Organisation.id,
        Organisation.name_key,
        Organisation.postcode,
        Organisation.city,
        Organisation.website_domain,
        Organisation.register_key,
    )
    pool = MatchPool()

    def load(condition_for: Any, values: set[str]) -> None:
        ordered = sorted(values)
        for start in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[start : start + _IN_CHUNK]
            for keys in _keys_of_rows(
                db.session.execute(sa.select(*columns).where(visible, condition_for(chunk)))
            ):
                pool.add(keys)

    load(Organisation.name_key.in_, {p.name_key for p in probes if p.name_key})
    load(Organisation.website_domain.in_, {p.domain for p in probes if p.domain})
    load(Organisation.register_key.in_, {p.register for p in probes if p.register})
    load(Organisation.postcode.in_, {p.postcode for p in probes if p.postcode and p.name_key})
    prefixes: dict[int, set[str]] = {}
    for p in probes:
        if p.name_key:
            prefixes.setdefault(len(p.prefix), set()).add(p.prefix)
    for length, values in prefixes.items():
        load(lambda chunk, n=length: sa.func.substr(Organisation.name_key, 1, n).in_(chunk), values)
    return pool


def find_duplicates_bulk(probes: list[Probe], *, user: Any) -> list[list[Match]]:
    """``find_duplicates`` for many probes at once: the matches of each probe, in order.

    Candidates are loaded for all probes together and compared block by block, so the work grows
    with the probes and their blocks, never with probes × companies.
    """
    keys = [Keys.of(p, id=-(i + 1)) for i, p in enumerate(probes)]
    pool = load_pool(keys, user=user)
    return [pool.match(k) for k in keys]
