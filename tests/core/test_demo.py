"""``flask crm seed-demo`` leaves a database the app can keep working in."""

from __future__ import annotations

from crm.organisations import services


def test_records_created_after_the_demo_data_get_fresh_ids(app, staff):
    """Seeders insert explicit ids; on PostgreSQL the id sequences must move past them."""
    result = app.test_cli_runner().invoke(args=["crm", "seed-demo", "--scale", "XS"])
    assert result.exit_code == 0, result.output
    org = services.create_organisation({"name": "Nach den Demo-Daten GmbH"}, actor=staff)
    assert org.id > 300
