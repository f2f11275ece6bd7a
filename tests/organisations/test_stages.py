"""Automatic stage moves: forward inside the funnel only; dormant and lost stay set aside."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.organisations.models import StageChange
from crm.organisations.services import advance_stage
from crm.organisations.vocab import Stage
from tests.factories import OrganisationFactory


def _changes(org):
    return db.session.scalars(sa.select(StageChange).where(StageChange.organisation_id == org.id)).all()


@pytest.mark.parametrize(
    ("stage", "target", "expected"),
    [
        (Stage.LEAD, Stage.CONTACTED, Stage.CONTACTED),
        (Stage.CONTACTED, Stage.NEEDS_ANALYSIS, Stage.NEEDS_ANALYSIS),
        (Stage.OFFER, Stage.NEEDS_ANALYSIS, Stage.OFFER),  # never backwards
        (Stage.PARTNER, Stage.PARTNER, Stage.PARTNER),
        (Stage.DORMANT, Stage.CONTACTED, Stage.DORMANT),  # set aside by a person: stays
        (Stage.LOST, Stage.NEEDS_ANALYSIS, Stage.LOST),
        (Stage.LOST, Stage.PARTNER, Stage.LOST),
    ],
)
def test_automatic_moves_go_forward_inside_the_funnel(staff, stage, target, expected):
    org = OrganisationFactory(stage=stage, stage_reason="Kein Budget" if stage == Stage.LOST else None)
    moved = advance_stage(org, target, actor=staff, reason="automatisch")
    assert org.stage == expected
    assert moved == (expected != stage)
    assert len(_changes(org)) == (1 if moved else 0)
    if stage == Stage.LOST:
        assert org.stage_reason == "Kein Budget", "the reason a person gave is kept"


@pytest.mark.parametrize("stage", [Stage.DORMANT, Stage.LOST])
def test_reopen_brings_a_set_aside_company_back(staff, stage):
    org = OrganisationFactory(stage=stage)
    assert advance_stage(org, Stage.PARTNER, actor=staff, reason="Mitgliedschaft begonnen", reopen=True)
    assert org.stage == Stage.PARTNER
    (change,) = _changes(org)
    assert (change.from_stage, change.to_stage, change.is_automatic) == (stage, Stage.PARTNER, True)
