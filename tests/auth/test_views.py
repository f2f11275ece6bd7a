"""Login, logout, sessions, throttling, CSRF and the own-account pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.auth.models import LoginSession, User
from crm.auth.passwords import hash_password, verify_password
from crm.extensions import db
from tests.conftest import csrf_token, login, post
from tests.factories import DEFAULT_PASSWORD, UserFactory

NEW_PASSWORD = "Ein-ganz-neues-Passwort-77"


def test_login_page_is_german(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="de"' in page
    assert "Anmelden" in page and "Passwort" in page


def test_login_and_logout(client, staff):
    response = login(client, staff)
    assert response.status_code == 302 and response.location.endswith("/")
    assert client.get("/").status_code == 200
    response = post(client, "/logout", form_page="/")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/").status_code == 302


def test_logout_by_get_is_not_allowed(staff_client):
    assert staff_client.get("/logout").status_code == 405
    assert staff_client.get("/").status_code == 200


@pytest.mark.parametrize("email", ["unknown@example.org", "WRONG"])
def test_wrong_password_and_unknown_email_look_the_same(client, staff, email):
    token = csrf_token(client, "/login")
    wrong = client.post(
        "/login", data={"email": staff.email, "password": "falsch-falsch", "csrf_token": token}
    )
    unknown = client.post("/login", data={"email": email, "password": "falsch-falsch", "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 200
    message = "E-Mail-Adresse oder Passwort ist falsch."

    def strip(r):  # the form echoes the e-mail and a fresh CSRF token; all else must match
        text = r.get_data(as_text=True).replace(staff.email, "").replace(email, "")
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", text)

    assert message in strip(wrong) and message in strip(unknown)
    assert strip(wrong) == strip(unknown)
    assert client.get("/").status_code == 302


def test_failed_login_is_audited(client, staff):
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": staff.email, "password": "falsch-falsch", "csrf_token": token})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "login_failed"))
    assert entry is not None and entry.details["email"] == staff.email


def test_inactive_user_cannot_log_in(client):
    user = UserFactory(is_active=False)
    response = login(client, user)
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_rejected(client, staff):
    response = client.post("/login", data={"email": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "Formular ist abgelaufen" in response.get_data(as_text=True)


def test_wrong_csrf_token_is_rejected(staff_client):
    response = staff_client.post("/logout", data={"csrf_token": "nonsense"})
    assert response.status_code == 400
    assert staff_client.get("/").status_code == 200


def test_throttling_per_account(client, staff, app):
    token = csrf_token(client, "/login")
    limit = int(app.config["LOGIN_LIMIT_ACCOUNT"].split()[0])
    for _ in range(limit):
        r = client.post(
            "/login", data={"email": staff.email, "password": "falsch-falsch", "csrf_token": token}
        )
        assert r.status_code == 200
    blocked = client.post(
        "/login", data={"email": staff.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "Zu viele Versuche" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked by this one.
    other = UserFactory()
    assert login(client, other).status_code == 302


def test_throttling_per_address(client, app):
    token = csrf_token(client, "/login")
    limit = int(app.config["LOGIN_LIMIT_ADDRESS"].split()[0])
    for n in range(limit):
        r = client.post(
            "/login", data={"email": f"guess{n}@example.org", "password": "x", "csrf_token": token}
        )
        assert r.status_code == 200
    user = UserFactory()
    assert login(client, user).status_code == 429
    # A different client address is not affected.
    token = csrf_token(client, "/login")
    ok = client.post(
        "/login",
        data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert ok.status_code == 302


def test_successful_logins_do_not_count_against_the_limit(client, staff, app):
    limit = int(app.config["LOGIN_LIMIT_ACCOUNT"].split()[0])
    for _ in range(limit + 2):
        assert login(client, staff).status_code == 302
        post(client, "/logout", form_page="/")


def test_session_cookie_flags(client, staff):
    response = login(client, staff)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # bounded lifetime


def test_session_is_renewed_at_login(client, staff):
    client.get("/login")
    client.set_cookie("crm_session", "planted-by-attacker", domain="crm.test")
    login(client, staff)
    assert client.get_cookie("crm_session", domain="crm.test").value != "planted-by-attacker"
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(LoginSession).where(LoginSession.user_id == staff.id)
        )
        == 1
    )


def _replay(client, cookie_value):
    client.set_cookie("crm_session", cookie_value, domain="crm.test")
    return client.get("/")


def test_old_cookie_is_dead_after_logout(client, staff):
    login(client, staff)
    old = client.get_cookie("crm_session", domain="crm.test").value
    post(client, "/logout", form_page="/")
    assert _replay(client, old).status_code == 302


def test_password_change_ends_other_sessions(app, staff):
    first, second = app.test_client(), app.test_client()
    login(first, staff)
    login(second, staff)
    old_first = first.get_cookie("crm_session", domain="crm.test").value
    response = post(
        first,
        "/account/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200  # this browser got a fresh session
    assert second.get("/").status_code == 302  # the other one is logged out
    assert _replay(first, old_first).status_code == 302  # the pre-change cookie is dead
    db.session.expire_all()
    assert verify_password(db.session.get(User, staff.id).password_hash, NEW_PASSWORD)


def test_password_change_needs_current_password_and_a_strong_new_one(staff_client):
    r = post(
        staff_client,
        "/account/password",
        {
            "current_password": "nicht-richtig",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert r.status_code == 200 and "aktuelle Passwort ist falsch" in r.get_data(as_text=True)
    r = post(
        staff_client,
        "/account/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "password": "kurz",
            "password_confirm": "kurz",
        },
    )
    assert "mindestens 10 Zeichen" in r.get_data(as_text=True)


def test_deactivation_ends_sessions(app, staff, admin):
    victim = app.test_client()
    login(victim, staff)
    admin_browser = app.test_client()
    login(admin_browser, admin)
    response = post(
        admin_browser, f"/admin/users/{staff.id}/deactivate", form_page=f"/admin/users/{staff.id}/edit"
    )
    assert response.status_code == 302
    assert victim.get("/").status_code == 302


def test_rehash_on_login_when_parameters_change(client):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(DEFAULT_PASSWORD)
    user = UserFactory(password_hash=weak)
    assert login(client, user).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash != weak
    assert verify_password(db.session.get(User, user.id).password_hash, DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
        "/%2F/evil.example",
        "%2F%5Cevil.example",
        "/%5Cevil.example",
        "%252F%252Fevil.example",
        "/\tevil",
        "evil.example",
    ],
)
def test_next_only_to_same_origin_paths(client, staff, target):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={
            "email": staff.email,
            "password": DEFAULT_PASSWORD,
            "csrf_token": token,
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response.location in ("/", "https://crm.test/")


def test_next_to_own_path_is_followed(client, staff):
    token = csrf_token(client, "/login?next=/account/")
    response = client.post(
        "/login",
        data={
            "email": staff.email,
            "password": DEFAULT_PASSWORD,
            "csrf_token": token,
            "next": "/account/?tab=1",
        },
    )
    assert response.location.endswith("/account/?tab=1")


def test_login_required_redirects_with_next(client):
    response = client.get("/account/")
    assert response.status_code == 302 and "/login?next=" in response.location


def test_must_change_password_after_admin_reset(client):
    user = UserFactory(must_change_password=True)
    response = login(client, user)
    assert response.location.endswith("/account/password")
    assert client.get("/").status_code == 302
    post(
        client,
        "/account/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert client.get("/").status_code == 200


def test_profile_cannot_raise_own_role(staff_client, staff):
    response = post(
        staff_client, "/account/", {"name": "Neuer Name", "locale": "de", "role": "admin", "is_active": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, staff.id)
    assert user.name == "Neuer Name" and user.role.value == "staff"


def test_english_interface_by_preference(staff_client, staff):
    post(staff_client, "/account/", {"name": staff.name, "locale": "en"})
    page = staff_client.get("/account/").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "My account" in page


def test_login_page_loads_no_external_resources(client):
    page = client.get("/login").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_start_page_navigation_has_no_dead_links(admin_client):
    page = admin_client.get("/").get_data(as_text=True)
    for href in set(re.findall(r'href="(/[^"#]*)"', page)):
        if href.startswith("/static/"):
            continue
        assert admin_client.get(href).status_code == 200, href


def test_hash_helper_roundtrip():
    assert verify_password(hash_password("abcdefghijk1"), "abcdefghijk1")
    assert not verify_password(None, "abcdefghijk1")
