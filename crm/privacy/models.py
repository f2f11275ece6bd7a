"""Records kept after an erasure because a retention duty applies (restricted, Art. 18 GDPR)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.db import utcnow
from crm.extensions import db


class RetentionHold(db.Model):
    """A record (fee, SEPA mandate, collection …) that must be kept until ``keep_until`` and is
    restricted meanwhile: it still holds an erased person's data, and nothing else may use it.
    """

    __tablename__ = "retention_holds"
    __table_args__ = (
        sa.UniqueConstraint("entity_type", "entity_id"),
        sa.Index("ix_retention_holds_keep_until", "keep_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int]
    keep_until: Mapped[date]
    # Which erasure put the hold (the erased record, by type and id only).
    erased_type: Mapped[str] = mapped_column(sa.String(40))
    erased_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
