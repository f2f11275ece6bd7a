"""factory_boy factories; they add to the session and flush, never commit."""

from __future__ import annotations

from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from crm.auth.models import Role, User
from crm.auth.passwords import _hasher_for

DEFAULT_PASSWORD = "Lernen-ist-Zukunft-2026"
_DEFAULT_HASH = _hasher_for("fast")[0].hash(DEFAULT_PASSWORD)

_ALL: list[type[SQLAlchemyModelFactory]] = []


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session = None
        sqlalchemy_session_persistence = "flush"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _ALL.append(cls)


def bind(session: Any) -> None:
    """Point every factory at the test's session."""
    for factory_class in _ALL:
        factory_class._meta.sqlalchemy_session = session


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="de_DE")
    role = Role.STAFF

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["role"] = Role(kwargs["role"])
        return kwargs

    password_hash = _DEFAULT_HASH
    is_active = True
    must_change_password = False
    locale = "de"
