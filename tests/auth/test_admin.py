"""User administration: admin only, last-admin protection, no role escalation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.auth.models import Role, User
from crm.extensions import db
from tests.conftest import login, post
from tests.factories import UserFactory

PASSWORD = "Sicheres-Start-Passwort-1"


@pytest.mark.parametrize("path", ["/admin/users/", "/admin/users/new", "/admin/users/1/edit"])
def test_admin_pages_forbidden_for_staff_and_managers(staff_client, manager, path, app):
    assert staff_client.get(path).status_code == 403
    other = app.test_client()
    login(other, manager)
    assert other.get(path).status_code == 403


def test_admin_pages_need_login(client):
    response = client.get("/admin/users/")
    assert response.status_code == 302 and "/login" in response.location


def test_staff_cannot_post_to_admin_actions(staff_client, staff):
    target = UserFactory(role="staff")
    response = post(
        staff_client, f"/admin/users/{target.id}/edit", {"name": "x", "role": "admin"}, form_page="/"
    )
    assert response.status_code == 403
    response = post(
        staff_client, f"/admin/users/{staff.id}/edit", {"name": "x", "role": "admin"}, form_page="/"
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, staff.id).role == Role.STAFF


def test_admin_creates_user_who_must_change_password(admin_client, app):
    response = post(
        admin_client,
        "/admin/users/new",
        {
            "email": "Neu@Example.org",
            "name": "Nina Neu",
            "role": "manager",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "neu@example.org"))
    assert user.role == Role.MANAGER and user.must_change_password
    browser = app.test_client()
    assert login(browser, user, PASSWORD).location.endswith("/account/password")
    assert db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "user_created", AuditEntry.entity_id == user.id)
    )


def test_create_user_validation(admin_client, staff):
    page = post(
        admin_client,
        "/admin/users/new",
        {
            "email": staff.email.upper(),
            "name": "Doppelt",
            "role": "staff",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    ).get_data(as_text=True)
    assert "bereits vergeben" in page
    page = post(
        admin_client,
        "/admin/users/new",
        {
            "email": "kein-at-zeichen",
            "name": "X",
            "role": "staff",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    ).get_data(as_text=True)
    assert "is-invalid" in page
    page = post(
        admin_client,
        "/admin/users/new",
        {
            "email": "ok@example.org",
            "name": "X",
            "role": "superuser",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    ).get_data(as_text=True)
    assert "is-invalid" in page
    assert db.session.scalar(sa.select(User).where(User.email == "ok@example.org")) is None


def test_change_role_is_audited(admin_client, staff):
    response = post(admin_client, f"/admin/users/{staff.id}/edit", {"name": staff.name, "role": "manager"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, staff.id).role == Role.MANAGER
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user_updated"))
    assert entry.changes == {"role": ["staff", "manager"]}


def test_last_admin_cannot_be_demoted_or_deactivated(admin_client, admin):
    page = post(
        admin_client, f"/admin/users/{admin.id}/edit", {"name": admin.name, "role": "staff"}
    ).get_data(as_text=True)
    assert "letzte aktive" in page
    post(admin_client, f"/admin/users/{admin.id}/deactivate", form_page=f"/admin/users/{admin.id}/edit")
    db.session.expire_all()
    fresh = db.session.get(User, admin.id)
    assert fresh.role == Role.ADMIN and fresh.is_active


def test_second_admin_can_be_demoted(admin_client):
    other = UserFactory(role="admin")
    post(admin_client, f"/admin/users/{other.id}/edit", {"name": other.name, "role": "staff"})
    db.session.expire_all()
    assert db.session.get(User, other.id).role == Role.STAFF


def test_inactive_admin_does_not_count(admin_client, admin):
    UserFactory(role="admin", is_active=False)
    post(admin_client, f"/admin/users/{admin.id}/edit", {"name": admin.name, "role": "staff"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_deactivate_and_reactivate(admin_client, app):
    user = UserFactory()
    post(admin_client, f"/admin/users/{user.id}/deactivate", form_page=f"/admin/users/{user.id}/edit")
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_active
    assert login(app.test_client(), user).status_code == 200  # refused
    post(admin_client, f"/admin/users/{user.id}/reactivate", form_page=f"/admin/users/{user.id}/edit")
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active
    assert login(app.test_client(), user).status_code == 302


def test_reset_password(admin_client, app):
    user = UserFactory()
    victim = app.test_client()
    login(victim, user)
    response = post(
        admin_client,
        f"/admin/users/{user.id}/reset-password",
        {"password": PASSWORD, "password_confirm": PASSWORD},
        form_page=f"/admin/users/{user.id}/edit",
    )
    assert response.status_code == 302
    assert victim.get("/").status_code == 302  # logged out
    assert login(app.test_client(), user, PASSWORD).location.endswith("/account/password")


def test_reset_password_refuses_weak(admin_client):
    user = UserFactory()
    response = post(
        admin_client,
        f"/admin/users/{user.id}/reset-password",
        {"password": "12345", "password_confirm": "12345"},
        form_page=f"/admin/users/{user.id}/edit",
    )
    assert response.status_code == 400
    assert "mindestens 10 Zeichen" in response.get_data(as_text=True)


def test_user_list_search_and_filter(admin_client):
    UserFactory(name="Zora Zufall", email="zora@example.org")
    UserFactory(name="Inge Inaktiv", is_active=False)
    page = admin_client.get("/admin/users/?q=zor").get_data(as_text=True)
    assert "Zora Zufall" in page
    assert "Inge Inaktiv" not in admin_client.get("/admin/users/").get_data(as_text=True)
    assert "Inge Inaktiv" in admin_client.get("/admin/users/?status=inactive").get_data(as_text=True)
    assert admin_client.get("/admin/users/?status=bogus").status_code == 400
    assert admin_client.get("/admin/users/?page=abc").status_code == 400
    assert "Keine Benutzerkonten" in admin_client.get("/admin/users/?q=100%25_nobody").get_data(as_text=True)
