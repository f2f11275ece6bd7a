"""German names of audit actions and entity types (features add theirs)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, Any] = {
    "login": _l("Anmeldung"),
    "login_failed": _l("Fehlgeschlagene Anmeldung"),
    "permission_denied": _l("Zugriff verweigert"),
    "password_changed": _l("Passwort geändert"),
    "password_reset": _l("Passwort zurückgesetzt"),
    "user_created": _l("Benutzerkonto angelegt"),
    "user_updated": _l("Benutzerkonto geändert"),
    "user_deactivated": _l("Benutzerkonto deaktiviert"),
    "user_reactivated": _l("Benutzerkonto reaktiviert"),
    "export": _l("Export"),
    "organisation_created": _l("Unternehmen angelegt"),
    "organisation_updated": _l("Unternehmen geändert"),
    "organisation_archived": _l("Unternehmen archiviert"),
    "organisation_restored": _l("Unternehmen wiederhergestellt"),
    "organisation_merged": _l("Unternehmen zusammengeführt"),
    "organisation_merged_into": _l("Unternehmen in anderes überführt"),
    "contact_created": _l("Ansprechperson angelegt"),
    "contact_updated": _l("Ansprechperson geändert"),
    "contact_removed": _l("Ansprechperson entfernt"),
    "door_opener_created": _l("Türöffner angelegt"),
    "door_opener_updated": _l("Türöffner geändert"),
    "door_opener_archived": _l("Türöffner archiviert"),
    "door_opener_restored": _l("Türöffner wiederhergestellt"),
    "door_opener_merged": _l("Türöffner zusammengeführt"),
    "introduction_created": _l("Vermittlung erfasst"),
    "introduction_deleted": _l("Vermittlung gelöscht"),
}

ENTITY_LABELS: dict[str, Any] = {
    "users": _l("Benutzerkonto"),
    "organisations": _l("Unternehmen"),
    "contact_persons": _l("Ansprechperson"),
    "door_openers": _l("Türöffner"),
    "introductions": _l("Vermittlung"),
}
