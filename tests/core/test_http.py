"""Security headers, health check and error pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from crm.extensions import db


def test_security_headers_on_pages(staff_client):
    response = staff_client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_are_cacheable_and_local(client):
    response = client.get("/static/vendor/bootstrap/bootstrap.min.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_no_inline_script_or_style_in_pages(admin_client):
    for path in ("/", "/admin/users/", "/admin/users/new", "/account/", "/account/password"):
        page = admin_client.get(path).get_data(as_text=True)
        assert "<script>" not in page and " style=" not in page and "onclick=" not in page, path


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_failure(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_404_page_is_german_without_traceback(staff_client):
    response = staff_client.get("/gibt-es-nicht")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Nicht gefunden" in text and "Traceback" not in text


def test_500_page_hides_the_error(app, staff_client, monkeypatch):
    import crm.core.views as views

    def boom():
        raise RuntimeError("geheimes Detail")

    monkeypatch.setattr(views, "render_template", lambda *a, **k: boom())
    response = staff_client.get("/")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Interner Fehler" in text and "geheimes Detail" not in text and "Traceback" not in text


@pytest.mark.parametrize("env", ["production", "development"])
def test_no_debugger_outside_explicit_debug(env, tmp_path):
    from crm import create_app

    application = create_app(
        {"CRM_ENV": env, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}
    )
    assert application.debug is False
    assert application.config["SESSION_COOKIE_SECURE"] is (env == "production")


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.from_environment({}, environ={"CRM_INSTANCE_PATH": str(tmp_path)})


def test_sqlite_connection_settings(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() == 15000
