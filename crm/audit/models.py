"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.audit import guard
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.marks import personal
from crm.extensions import db


class AuditEntry(db.Model):
    """One recorded action; ``changes`` maps a field to ``[old, new]`` (sensitive values masked)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        # Filters page through entries newest first by id: each filter has an (x, id) index.
        sa.Index("ix_audit_entries_entity", "entity_type", "entity_id", "id"),
        sa.Index("ix_audit_entries_actor", "actor_id", "id"),
        sa.Index("ix_audit_entries_action_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(40))
    entity_type: Mapped[str | None] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    changes: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, info=personal("log", "accountability", "c")
    )
    details: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, info=personal("log", "accountability", "c")
    )
    ip_address: Mapped[str | None] = mapped_column(sa.String(45), info=personal("log", "accountability", "c"))

    actor: Mapped[User | None] = relationship()


guard.install(AuditEntry)
