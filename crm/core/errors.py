"""Domain errors raised by services; views turn them into form errors, flashes or HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule was violated; ``message`` is shown to the user (German, translated)."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """Input broke a rule that a form validator cannot check (several fields, the database)."""

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"": [errors]}
        self.errors = errors
        first = next(iter(errors.values()))[0]
        super().__init__(first, field=next(iter(errors)) or None)


class PermissionDenied(DomainError):
    """The acting user may not do this."""

    status_code = 403


class NotFound(DomainError):
    """The record does not exist or is not visible to the acting user."""

    status_code = 404


class Conflict(DomainError):
    """Someone else changed the record since it was loaded (optimistic locking)."""

    status_code = 409

    def __init__(self, message: str, *, current: Any = None, submitted: Any = None) -> None:
        super().__init__(message)
        self.current = current
        self.submitted = submitted
