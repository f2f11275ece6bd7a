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
