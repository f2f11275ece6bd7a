"""Finding companies that probably exist already (before creating, importing or merging)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process

from crm.core.query import escape_like
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.normalise import fold, name_key, register_key, website_domain
from crm.organisations.visibility import organisation_visibility

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
FUZZY_BLOCK_LIMIT = 1000  # fuzzy candidates per probe in a bulk match (find_duplicates: 400)
_PROBE_CHUNK = 2000  # probes per name-start query (a few thousand bound parameters)


class Keys(NamedTuple):
    """The folded facts duplicate rules compare: a company in the database or a probe."""

    id: int
    name_key: str
    postcode: str
    city: str  # folded
    domain: str | None = None
    register: str | None = None
    city_text: str = ""  # the town as written, lower case (for loading candidates by place)

    @property
    def prefix(self) -> str:
        return self.name_key.split(" ", 1)[0][:5]

    @classmethod
    def of(cls, probe: Probe, id: int = 0) -> Keys:
        return cls(
            id=id,
            name_key=probe.name_key,
            postcode=(probe.postcode or "").strip(),
            city=fold(probe.city),
            domain=website_domain(probe.website),
            register=register_key(probe.register_number),
            city_text=(probe.city or "").strip().lower(),
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
    same postcode. Name starts are indexed together with the place, so a probe only ever looks at
    companies in its own place.
    """

    def __init__(self, lengths: set[int] | None = None) -> None:
        # the prefix lengths probes will ask for (a first word shorter than 5 letters is shorter)
        self.lengths = sorted(lengths or {1, 2, 3, 4, 5})
        self.by_key: dict[str, list[Keys]] = {}
        self.by_domain: dict[str, list[int]] = {}
        self.by_register: dict[str, list[int]] = {}
        self.by_postcode: dict[str, list[Keys]] = {}
        # name_key[:n] (n = 1..5; a short first word is a shorter prefix), anywhere / by place
        self.by_start: dict[str, list[Keys]] = {}
        self.by_start_postcode: dict[tuple[str, str], list[Keys]] = {}
        self.by_start_city: dict[tuple[str, str], list[Keys]] = {}
        self.by_start_nowhere: dict[str, list[Keys]] = {}
        self.seen: set[int] = set()
        self._in_postcode_block: set[int] = set()

    def add(self, keys: Keys) -> None:
        if keys.id in self.seen:
            return
        self.seen.add(keys.id)
        if keys.name_key:
            self.by_key.setdefault(keys.name_key, []).append(keys)
            for n in self.lengths:
                if n > len(keys.name_key):
                    break
                start = keys.name_key[:n]
                self.by_start.setdefault(start, []).append(keys)
                if keys.postcode:
                    self.by_start_postcode.setdefault((start, keys.postcode), []).append(keys)
                if keys.city:
                    self.by_start_city.setdefault((start, keys.city), []).append(keys)
                if not (keys.postcode or keys.city):
                    self.by_start_nowhere.setdefault(start, []).append(keys)
        if keys.domain:
            self.by_domain.setdefault(keys.domain, []).append(keys.id)
        if keys.register:
            self.by_register.setdefault(keys.register, []).append(keys.id)
        if keys.postcode:
            self.by_postcode.setdefault(keys.postcode, []).append(keys)
            self._in_postcode_block.add(keys.id)

    def add_to_postcode_block(self, org_id: int, name_key: str, postcode: str) -> None:
        """A company that is only a fuzzy candidate for its postcode (cheaper than ``add``)."""
        if org_id not in self._in_postcode_block:
            self._in_postcode_block.add(org_id)
            self.by_postcode.setdefault(postcode, []).append(Keys(org_id, name_key, postcode, ""))

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

    def _block(self, probe: Keys) -> dict[int, Keys]:
        """Candidates in the same place (unknown place on either side counts as the same).

        At most ``FUZZY_BLOCK_LIMIT`` of them, the closest kinds first, so that a file of
        thousands of companies in one postcode cannot make the work quadratic.
        """
        prefix = probe.prefix
        if not (probe.postcode or probe.city):
            parts = [self.by_start.get(prefix, ())]
        else:
            parts = [
                self.by_start_postcode.get((prefix, probe.postcode), ()) if probe.postcode else (),
                self.by_start_city.get((prefix, probe.city), ()) if probe.city else (),
                self.by_start_nowhere.get(prefix, ()),
                self.by_postcode.get(probe.postcode, ()) if probe.postcode else (),
            ]
        block: dict[int, Keys] = {}
        for part in parts:
            for other in part:
                block[other.id] = other
                if len(block) >= FUZZY_BLOCK_LIMIT:
                    return block
        return block

    def _fuzzy(self, probe: Keys) -> list[tuple[int, float]]:
        """Close but not identical names within the probe's blocks (rapidfuzz, score cut-off)."""
        candidates = [
            other
            for other in self._block(probe).values()
            if other.id != probe.id and other.name_key != probe.name_key
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


def load_pool(probes: list[Keys], *, user: Any) -> MatchPool:
    """The visible companies that could match any of ``probes``, loaded by key, not one by one.

    One query per kind of exact key (name key, domain, register number) and per 1,000 distinct
    keys, one for the name-start blocks and one for the postcode blocks per 2,000 probes —
    whatever the number of probes, never one per probe.
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
    pool = MatchPool(lengths={len(p.prefix) for p in probes if p.name_key})

    def load(condition: Any) -> None:
        for row in db.session.execute(sa.select(*columns).where(visible, condition)):
            if row[0] not in pool.seen:  # blocks overlap: build each company's keys once
                pool.add(Keys(row[0], row[1] or "", row[2] or "", fold(row[3]), row[4], row[5]))

    for column, values in (
        (Organisation.name_key, {p.name_key for p in probes if p.name_key}),
        (Organisation.website_domain, {p.domain for p in probes if p.domain}),
        (Organisation.register_key, {p.register for p in probes if p.register}),
    ):
        ordered = sorted(values)
        for start in range(0, len(ordered), _IN_CHUNK):
            load(column.in_(ordered[start : start + _IN_CHUNK]))
    for start in range(0, len(probes), _PROBE_CHUNK):
        condition = _name_start_blocks([p for p in probes[start : start + _PROBE_CHUNK] if p.name_key])
        if condition is not None:
            load(condition)
    # Same postcode: fuzzy candidates whatever their name, so only id and name are needed.
    postcodes = sorted({p.postcode for p in probes if p.postcode and p.name_key})
    for start in range(0, len(postcodes), _IN_CHUNK):
        stmt = sa.select(Organisation.id, Organisation.name_key, Organisation.postcode).where(
            visible, Organisation.postcode.in_(postcodes[start : start + _IN_CHUNK])
        )
        for org_id, key, postcode in db.session.execute(stmt):
            pool.add_to_postcode_block(org_id, key or "", postcode)
    return pool


def _name_start_blocks(probes: list[Keys]) -> sa.ColumnElement[bool] | None:
    """Companies sharing the first letters and the place with a probe, in one table scan.

    Place: same postcode, same town as written, or none known on the company; anywhere for a
    probe without a place.
    """
    lengths = sorted({len(p.prefix) for p in probes})
    if not lengths:
        return None
    starts = {n: sa.func.substr(Organisation.name_key, 1, n) for n in lengths}
    nowhere = sa.and_(
        sa.func.coalesce(Organisation.postcode, "") == "", sa.func.coalesce(Organisation.city, "") == ""
    )
    conditions = []
    for n, start in starts.items():
        mine = [p for p in probes if len(p.prefix) == n]
        with_postcode = {(p.prefix, p.postcode) for p in mine if p.postcode}
        with_town = {(p.prefix, p.city_text) for p in mine if p.city_text}
        placed = {p.prefix for p in mine if p.postcode or p.city}
        anywhere = {p.prefix for p in mine if not (p.postcode or p.city)}
        if with_postcode:
            conditions.append(sa.tuple_(start, Organisation.postcode).in_(sorted(with_postcode)))
        if with_town:
            conditions.append(sa.tuple_(start, sa.func.lower(Organisation.city)).in_(sorted(with_town)))
        if placed:
            conditions.append(sa.and_(start.in_(sorted(placed)), nowhere))
        if anywhere:
            conditions.append(start.in_(sorted(anywhere)))
    return sa.or_(*conditions)


def find_duplicates_bulk(probes: list[Probe], *, user: Any) -> list[list[Match]]:
    """``find_duplicates`` for many probes at once: the matches of each probe, in order.

    Candidates are loaded for all probes together and compared block by block, so the work grows
    with the probes and their blocks, never with probes × companies.
    """
    keys = [Keys.of(p, id=-(i + 1)) for i, p in enumerate(probes)]
    pool = load_pool(keys, user=user)
    return [pool.match(k) for k in keys]
