"""Word-prefix search over company names, cities and contact names via a token table."""

from __future__ import annotations

import sqlalchemy as sa

from crm.core.query import escape_like
from crm.extensions import db
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken
from crm.organisations.normalise import search_words, token_words

MAX_QUERY_WORDS = 6


def tokens_for(organisation: Organisation, contacts: list[ContactPerson]) -> set[str]:
    """Every folded word a user might type to find ``organisation``."""
    names = [
        c for contact in contacts if not contact.is_archived for c in (contact.first_name, contact.last_name)
    ]
    return token_words(organisation.name, organisation.city, *names)


def refresh_search_tokens(organisation: Organisation) -> None:
    """Rewrite the tokens of ``organisation`` from its current name, city and contacts."""
    contacts = list(
        db.session.scalars(sa.select(ContactPerson).where(ContactPerson.organisation_id == organisation.id))
    )
    db.session.execute(
        sa.delete(OrganisationSearchToken).where(OrganisationSearchToken.organisation_id == organisation.id)
    )
    tokens = tokens_for(organisation, contacts)
    if tokens:
        db.session.execute(
            sa.insert(OrganisationSearchToken),
            [{"organisation_id": organisation.id, "token": t} for t in sorted(tokens)],
        )


def matches_query(q: str) -> sa.ColumnElement[bool] | None:
    """Condition: every word of ``q`` starts a word of the company's name, city or contacts.

    ``%`` and ``_`` typed by the user match literally. ``None`` when ``q`` has no words.
    """
    words = search_words(q)[:MAX_QUERY_WORDS]
    if not words:
        raw = q.strip().lower()
        if not raw:
            return None
        # Only punctuation typed (e.g. "%"): match it literally inside the name.
        return Organisation.name.like("%" + escape_like(raw) + "%", escape="\\")
    conditions = [
        Organisation.id.in_(
            sa.select(OrganisationSearchToken.organisation_id).where(
                OrganisationSearchToken.token.like(escape_like(word) + "%", escape="\\")
            )
        )
        for word in words
    ]
    literal = [ch for ch in q if ch in "%_"]
    if literal:  # words plus wildcards: the wildcard characters must appear as typed
        conditions.append(
            sa.func.lower(Organisation.name).like("%" + escape_like(q.strip().lower()) + "%", escape="\\")
        )
    return sa.and_(*conditions)


def refresh_search_tokens_bulk(organisation_ids: set[int] | list[int], *, chunk: int = 1000) -> None:
    """``refresh_search_tokens`` for many companies: four statements per 1,000 companies."""
    ids = sorted(set(organisation_ids))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        names: dict[int, list[str | None]] = {}
        for org_id, name, city in db.session.execute(
            sa.select(Organisation.id, Organisation.name, Organisation.city).where(Organisation.id.in_(part))
        ):
            names[org_id] = [name, city]
        for org_id, first, last in db.session.execute(
            sa.select(ContactPerson.organisation_id, ContactPerson.first_name, ContactPerson.last_name).where(
                ContactPerson.organisation_id.in_(part), ContactPerson.is_archived.is_(False)
            )
        ):
            names.setdefault(org_id, []).extend((first, last))
        db.session.execute(
            sa.delete(OrganisationSearchToken).where(OrganisationSearchToken.organisation_id.in_(part)),
            execution_options={"synchronize_session": False},
        )
        rows = [
            {"organisation_id": org_id, "token": token}
            for org_id, texts in names.items()
            for token in sorted(token_words(*texts))
        ]
        if rows:
            db.session.execute(sa.insert(OrganisationSearchToken.__table__), rows)
