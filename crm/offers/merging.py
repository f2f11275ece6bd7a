"""Merging two companies: group memberships, key-account marks and yearly plans move without clashes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crm.extensions import db
from crm.offers.models import AccountPlan, CompanyGroupMember, KeyAccount
from crm.organisations.models import Organisation
from crm.organisations.registries import MergeHandler


def _move_unique(model: Any, key: Any, survivor: Organisation, duplicate: Organisation) -> int:
    """Repoint the duplicate's rows whose ``key`` the survivor lacks; drop the others."""
    taken = sa.select(key).where(model.organisation_id == survivor.id)
    moved = db.session.execute(
        sa.update(model)
        .where(model.organisation_id == duplicate.id, key.not_in(taken))
        .values(organisation_id=survivor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        sa.delete(model)
        .where(model.organisation_id == duplicate.id)
        .execution_options(synchronize_session=False)
    )
    return int(moved or 0)


def _members(survivor: Organisation, duplicate: Organisation) -> int:
    return _move_unique(CompanyGroupMember, CompanyGroupMember.group_id, survivor, duplicate)


def _plans(survivor: Organisation, duplicate: Organisation) -> int:
    return _move_unique(AccountPlan, AccountPlan.year, survivor, duplicate)


def _key_account(survivor: Organisation, duplicate: Organisation) -> int:
    if db.session.get(KeyAccount, survivor.id) is not None:
        db.session.execute(
            sa.delete(KeyAccount)
            .where(KeyAccount.organisation_id == duplicate.id)
            .execution_options(synchronize_session=False)
        )
        return 0
    moved = db.session.execute(
        sa.update(KeyAccount)
        .where(KeyAccount.organisation_id == duplicate.id)
        .values(organisation_id=survivor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    return int(moved or 0)


# Table name -> how its rows move.
HANDLERS = {
    "company_group_members": MergeHandler(_members),
    "account_plans": MergeHandler(_plans),
    "key_accounts": MergeHandler(_key_account),
}
