"""Who may do what: every permission is a predicate here, used by views and templates alike."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from crm.auth.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])


def has_role(user: Any, role: Role) -> bool:
    """True if ``user`` is logged in, active and holds ``role`` or a higher one."""
    return bool(user and user.is_authenticated and isinstance(user, User) and user.has_role(role))


def is_manager(user: Any) -> bool:
    return has_role(user, Role.MANAGER)


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def can_manage_users(user: Any) -> bool:
    return is_admin(user)


def role_required(role: Role) -> Callable[[F], F]:
    """View decorator: login required, then 403 unless the user holds ``role``."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_role(current_user, role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def require(allowed: bool) -> None:
    """Abort with 403 unless ``allowed`` (for checks that need the loaded record)."""
    if not allowed:
        abort(403)


ROLE_LABELS = {
    Role.STAFF: _l("Mitarbeiter/in"),
    Role.MANAGER: _l("Leitung"),
    Role.ADMIN: _l("Administration"),
}


def role_label(role: Role) -> str:
    return str(ROLE_LABELS[Role(role)])


TEMPLATE_PREDICATES = {
    "role_label": role_label,
    "is_manager": is_manager,
    "is_admin": is_admin,
    "can_manage_users": can_manage_users,
}


# --- organisations -------------------------------------------------------------------------


def can_edit_organisation(user: Any, organisation: Any) -> bool:
    """Managers edit every company; staff the ones they own or that have no owner."""
    if organisation.is_archived or not has_role(user, Role.STAFF):
        return False
    return is_manager(user) or organisation.owner_id in (None, user.id)


def can_archive_organisation(user: Any, organisation: Any) -> bool:
    """Managers archive every company; staff only their own."""
    if organisation.is_archived or not has_role(user, Role.STAFF):
        return False
    return is_manager(user) or organisation.owner_id == user.id


def can_restore_organisation(user: Any, organisation: Any) -> bool:
    return organisation.is_archived and organisation.merged_into_id is None and is_manager(user)


def can_reassign_owner(user: Any) -> bool:
    return is_manager(user)


def can_override_size_class(user: Any) -> bool:
    return is_manager(user)


def can_merge_organisations(user: Any) -> bool:
    return is_manager(user)


def can_export(user: Any) -> bool:
    return is_manager(user)


TEMPLATE_PREDICATES.update(
    {
        "can_edit_organisation": can_edit_organisation,
        "can_archive_organisation": can_archive_organisation,
        "can_restore_organisation": can_restore_organisation,
        "can_reassign_owner": can_reassign_owner,
        "can_override_size_class": can_override_size_class,
        "can_merge_organisations": can_merge_organisations,
        "can_export": can_export,
    }
)


# --- door-openers ---------------------------------------------------------------------------


def can_edit_door_opener(user: Any, door_opener: Any) -> bool:
    """Managers edit every door-opener; staff the ones they own or that have no owner."""
    if door_opener.is_archived or not has_role(user, Role.STAFF):
        return False
    return is_manager(user) or door_opener.owner_id in (None, user.id)


def can_manage_door_openers(user: Any) -> bool:
    """Archive, merge, delete introductions and send reports: managers."""
    return is_manager(user)


TEMPLATE_PREDICATES.update(
    {"can_edit_door_opener": can_edit_door_opener, "can_manage_door_openers": can_manage_door_openers}
)


# --- memberships, fees, SEPA, sponsorships ----------------------------------------------------


def can_manage_memberships(user: Any) -> bool:
    """Memberships, fee lists, fee runs and SEPA files are the managers' (treasurer's) job."""
    return is_manager(user)


def can_view_membership_status(user: Any) -> bool:
    """Everybody logged in sees whether a company is a member (never its bank data)."""
    return has_role(user, Role.STAFF)


def can_view_bank_data(user: Any) -> bool:
    return is_manager(user)


def can_manage_fee_settings(user: Any) -> bool:
    """Fee schedules and the creditor's SEPA data: admins only."""
    return is_admin(user)


def can_manage_sponsorships(user: Any) -> bool:
    return is_manager(user)


def can_view_sponsorships(user: Any) -> bool:
    """Staff see a company's sponsorships read-only on its page."""
    return has_role(user, Role.STAFF)


TEMPLATE_PREDICATES.update(
    {
        "can_manage_memberships": can_manage_memberships,
        "can_view_membership_status": can_view_membership_status,
        "can_view_bank_data": can_view_bank_data,
        "can_manage_fee_settings": can_manage_fee_settings,
        "can_manage_sponsorships": can_manage_sponsorships,
        "can_view_sponsorships": can_view_sponsorships,
    }
)
# --- imports ---------------------------------------------------------------------------------


def can_import(user: Any) -> bool:
    """Importing companies from files (and undoing imports) is for managers."""
    return is_manager(user)


TEMPLATE_PREDICATES.update({"can_import": can_import})
# --- activities, follow-ups, needs analyses ------------------------------------------------


def can_log_activity(user: Any, organisation: Any = None) -> bool:
    """Every staff member logs contacts with any active company."""
    if not has_role(user, Role.STAFF):
        return False
    return organisation is None or not organisation.is_archived


def can_edit_activity(user: Any, activity: Any) -> bool:
    """Managers always; staff their own contacts within ``CRM_ACTIVITY_EDIT_DAYS`` of logging them."""
    return bool(editable_activities(user, activity.organisation, [activity]))


def editable_activities(user: Any, organisation: Any, activities: Any) -> set[int]:
    """Ids of those ``activities`` (all of ``organisation``) that ``user`` may edit — one check per page."""
    from datetime import UTC, datetime, timedelta

    from flask import current_app

    if organisation.is_archived or not has_role(user, Role.STAFF):
        return set()
    if is_manager(user):
        return {a.id for a in activities}
    days = int(current_app.config.get("CRM_ACTIVITY_EDIT_DAYS", 14))
    cutoff = datetime.now(UTC) - timedelta(days=days)
    return {a.id for a in activities if a.user_id == user.id and a.created_at >= cutoff}


def can_view_follow_ups_of(user: Any, assignee_id: int) -> bool:
    """Everybody sees their own follow-ups; managers anyone's."""
    return has_role(user, Role.STAFF) and (assignee_id == user.id or is_manager(user))


def can_view_dashboard(user: Any) -> bool:
    """The manager dashboard (every figure of the network); staff see their own on the start page."""
    return is_manager(user)


def can_manage_follow_up(user: Any, follow_up: Any) -> bool:
    """Mark done, postpone or reword: the assignee and managers."""
    return can_view_follow_ups_of(user, follow_up.assignee_id)


def can_reassign_follow_up(user: Any) -> bool:
    return is_manager(user)


def can_record_needs_analysis(user: Any, organisation: Any) -> bool:
    return can_log_activity(user, organisation)


def can_manage_needs_topics(user: Any) -> bool:
    return is_admin(user)


TEMPLATE_PREDICATES.update(
    {
        "can_log_activity": can_log_activity,
        "can_edit_activity": can_edit_activity,
        "can_view_follow_ups_of": can_view_follow_ups_of,
        "can_manage_follow_up": can_manage_follow_up,
        "can_reassign_follow_up": can_reassign_follow_up,
        "can_record_needs_analysis": can_record_needs_analysis,
        "can_manage_needs_topics": can_manage_needs_topics,
    }
)


# --- data protection (GDPR) ------------------------------------------------------------------


def can_handle_data_requests(user: Any) -> bool:
    """Access requests, erasure, marketing contact lists and the retention review: managers."""
    return is_manager(user)


def can_view_processing_record(user: Any) -> bool:
    """The record of processing activities: admins."""
    return is_admin(user)


# --- offers, board, key accounts, company groups --------------------------------------------


def can_manage_offers(user: Any, organisation: Any) -> bool:
    """Everybody records offers for the active companies (acquisition is team work)."""
    return has_role(user, Role.STAFF) and not organisation.is_archived


def can_edit_offer(user: Any, offer: Any) -> bool:
    """Managers edit every offer; staff the ones they own, created, or that have no owner."""
    return bool(editable_offers(user, [offer]))


def editable_offers(user: Any, offers: Any) -> set[int]:
    """Ids of those ``offers`` that ``user`` may edit — one role check per page, not per row."""
    if not has_role(user, Role.STAFF):
        return set()
    if is_manager(user):
        return {o.id for o in offers}
    return {o.id for o in offers if o.owner_id in (None, user.id) or o.created_by_id == user.id}


def can_change_stage(user: Any, organisation: Any) -> bool:
    """Moving a company on the board is editing it."""
    return can_edit_organisation(user, organisation)


def can_mark_key_account(user: Any) -> bool:
    """Only managers decide which companies are key accounts and agree their plans."""
    return is_manager(user)


def can_manage_groups(user: Any) -> bool:
    return has_role(user, Role.STAFF)


TEMPLATE_PREDICATES.update(
    {
        "can_handle_data_requests": can_handle_data_requests,
        "can_view_processing_record": can_view_processing_record,
        "can_manage_offers": can_manage_offers,
        "can_edit_offer": can_edit_offer,
        "can_change_stage": can_change_stage,
        "can_mark_key_account": can_mark_key_account,
        "can_manage_groups": can_manage_groups,
    }
)
