"""Demo data: staff, contacts over five years, follow-ups (some overdue), needs analyses; merge."""

from __future__ import annotations

import sqlalchemy as sa

from crm.activities import dates
from crm.activities.models import Activity, FollowUp, NeedsAnalysis
from crm.auth.models import Role, User
from crm.extensions import db
from crm.organisations.merge import merge_organisations
from crm.organisations.models import Organisation
from crm.organisations.vocab import Stage
from tests.factories import ActivityFactory, FollowUpFactory, OrganisationFactory


def _scalar(stmt):
    return db.session.scalar(stmt)


def test_seed_demo_xs(app):
    result = app.test_cli_runner().invoke(args=["crm", "seed-demo", "--scale", "XS"])
    assert result.exit_code == 0, result.output
    staff = _scalar(sa.select(sa.func.count()).select_from(User).where(User.role == Role.STAFF))
    assert staff >= 4
    organisations = _scalar(sa.select(sa.func.count()).select_from(Organisation))
    activities = _scalar(sa.select(sa.func.count()).select_from(Activity))
    assert 10 * organisations <= activities <= 30 * organisations  # ~20 per company
    oldest = _scalar(sa.select(sa.func.min(Activity.occurred_at)))
    assert (dates.now() - oldest).days > 3 * 365 and _scalar(
        sa.select(sa.func.max(Activity.occurred_at))
    ) <= dates.now()
    today = dates.local_today()
    open_ = FollowUp.done_at.is_(None)
    assert _scalar(sa.select(sa.func.count()).select_from(FollowUp).where(open_, FollowUp.due_on < today)) > 0
    assert (
        _scalar(sa.select(sa.func.count()).select_from(FollowUp).where(open_, FollowUp.due_on >= today)) > 0
    )
    assert _scalar(sa.select(sa.func.count()).select_from(NeedsAnalysis)) > 0
    # The stored last-contact date equals the newest contact; leads have none.
    newest = (
        sa.select(sa.func.max(Activity.occurred_at))
        .where(Activity.organisation_id == Organisation.id)
        .scalar_subquery()
    )
    mismatched = _scalar(
        sa.select(sa.func.count())
        .select_from(Organisation)
        .where(
            sa.or_(
                sa.and_(Organisation.last_contact_at.is_(None), newest.is_not(None)),
                Organisation.last_contact_at != newest,
            )
        )
    )
    assert mismatched == 0
    # And the first-contact date the oldest one (written with the last one, without a scan per company).
    oldest_of = (
        sa.select(sa.func.min(Activity.occurred_at))
        .where(Activity.organisation_id == Organisation.id)
        .scalar_subquery()
    )
    assert (
        _scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.first_contact_at.is_not(None))
        )
        > 0
    )
    assert (
        _scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(
                sa.or_(
                    sa.and_(Organisation.first_contact_at.is_(None), oldest_of.is_not(None)),
                    Organisation.first_contact_at != oldest_of,
                )
            )
        )
        == 0
    )
    leads_with_contacts = _scalar(
        sa.select(sa.func.count())
        .select_from(Organisation)
        .where(Organisation.stage == Stage.LEAD, Organisation.last_contact_at.is_not(None))
    )
    assert leads_with_contacts == 0


def test_merge_moves_contacts_and_follow_ups(manager):
    survivor, duplicate = OrganisationFactory(), OrganisationFactory()
    activity = ActivityFactory(organisation=duplicate)
    follow_up = FollowUpFactory(organisation=duplicate)
    moved = merge_organisations(survivor, duplicate, actor=manager)
    assert moved["activities"] == 1 and moved["follow_ups"] == 1
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).organisation_id == survivor.id
    assert db.session.get(FollowUp, follow_up.id).organisation_id == survivor.id


def test_seed_with_dropped_indexes_sets_first_contacts_and_rebuilds_the_indexes(app, monkeypatch):
    """The path of scales M and L (indexes dropped for the load) at XS size: same figures, indexes back."""
    from crm.activities import demo

    monkeypatch.setattr(demo, "DROP_INDEXES_FROM", 1)
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", remember)
    try:
        result = app.test_cli_runner().invoke(args=["crm", "seed-demo", "--scale", "XS"])
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", remember)
    assert result.exit_code == 0, result.output
    assert "Indizes werden aufgebaut" in result.output
    # The first contact is written from the generated times (a correlated min() per company before
    # the indexes were back read every contact once per company: at scale M/L the seed never ended).
    assert not any(
        s.startswith("UPDATE organisations SET first_contact_at = (SELECT min") for s in statements
    )
    first = (
        sa.select(sa.func.min(Activity.occurred_at))
        .where(Activity.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    with_contacts = sa.select(sa.func.count()).select_from(Organisation).where(first.is_not(None))
    assert _scalar(with_contacts) > 0
    assert _scalar(with_contacts.where(Organisation.first_contact_at == first)) == _scalar(with_contacts)
    indexes = {index["name"] for index in sa.inspect(db.session.connection()).get_indexes("activities")}
    assert "ix_activities_org_occurred" in indexes
