"""Demo data of the data-protection feature: the block list matches the demo's marketing blocks."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from crm.core.demo import DemoContext
from crm.extensions import db
from crm.organisations.models import ContactPerson
from crm.privacy.suppression import suppress_many


def seed_block_list(context: DemoContext) -> None:
    """Date every demo marketing block and put the blocked addresses on the list, as the app would."""
    rows = db.session.execute(
        sa.select(ContactPerson.id, ContactPerson.email, ContactPerson.created_at).where(
            ContactPerson.marketing_blocked.is_(True)
        )
    ).all()
    if not rows:
        return
    today = date.today()
    table = ContactPerson.__table__
    db.session.connection().execute(  # Core: an ORM bulk update would want the version column
        sa.update(table)
        .where(table.c.id == sa.bindparam("cid"))
        .values(marketing_blocked_on=sa.bindparam("on")),
        [
            {"cid": cid, "on": min(today, (created + timedelta(days=context.rng.randint(1, 300))).date())}
            for cid, _email, created in rows
        ],
    )
    suppress_many((email for _cid, email, _created in rows), "Werbesperre (Demo-Daten)")
