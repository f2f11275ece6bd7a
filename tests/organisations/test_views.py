"""Company list, detail, create with duplicate check, safe editing, archive, merge, permissions."""

from __future__ import annotations

import re

import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.organisations.models import ContactPerson, Organisation, StageChange
from crm.organisations.vocab import SizeClass, Stage
from tests.conftest import login, post
from tests.factories import ContactPersonFactory, OrganisationFactory, UserFactory


def _form(**overrides):
    data = {
        "name": "Neue Firma GmbH",
        "legal_form": "GmbH",
        "street": "Hauptstraße 1",
        "postcode": "30159",
        "city": "Hannover",
        "region": "Region Hannover",
        "website": "",
        "phone": "",
        "email": "",
        "register_number": "",
        "founded_on": "",
        "wz_section": "C",
        "chamber": "ihk",
        "employees": "",
        "turnover_eur": "",
        "balance_sheet_eur": "",
        "figures_year": "",
        "stage": "lead",
        "stage_reason": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def _edit_form(org, **overrides):
    data = _form(
        name=org.name,
        postcode=org.postcode or "",
        city=org.city or "",
        legal_form=org.legal_form or "",
        wz_section=org.wz_section or "",
        chamber=org.chamber.value if org.chamber else "",
        stage=org.stage.value,
        street=org.street or "",
        region=org.region or "",
        notes=org.notes or "",
    )
    data["version"] = str(org.version)
    data.update(overrides)
    return data


# --- list, search, filters ------------------------------------------------------------------


def test_list_shows_active_companies(staff_client):
    OrganisationFactory(name="Sichtbar GmbH")
    OrganisationFactory(name="Versteckt GmbH", is_archived=True)
    page = staff_client.get("/organisations/").get_data(as_text=True)
    assert "Sichtbar GmbH" in page and "Versteckt GmbH" not in page


def test_empty_list_has_a_helpful_message(staff_client):
    page = staff_client.get("/organisations/").get_data(as_text=True)
    assert "Noch keine Unternehmen erfasst" in page


def test_search_by_name_city_and_contact(staff_client):
    a = OrganisationFactory(name="Tischlerei Holzwurm", city="Celle")
    b = OrganisationFactory(name="Anders GmbH", city="Göttingen")
    ContactPersonFactory(organisation=b, first_name="Jörg", last_name="Äbelé")
    OrganisationFactory(name="Dritte AG", city="Kassel")
    assert _names(staff_client, "q=holz") == [a.name]
    assert _names(staff_client, "q=CELLE") == [a.name]
    assert _names(staff_client, "q=goett") == [b.name]  # ö typed as oe
    assert _names(staff_client, "q=göt") == [b.name]
    assert _names(staff_client, "q=jörg abe") == [b.name]
    assert _names(staff_client, "q=holz kassel") == []


def test_search_treats_percent_and_underscore_literally(staff_client):
    OrganisationFactory(name="100% Bio GmbH")
    OrganisationFactory(name="1000 Bio GmbH")
    OrganisationFactory(name="IT_Service GmbH")
    OrganisationFactory(name="ITXService GmbH")
    assert _names(staff_client, "q=100%25") == ["100% Bio GmbH"]
    assert _names(staff_client, "q=%25") == ["100% Bio GmbH"]
    assert _names(staff_client, "q=it_") == ["IT_Service GmbH"]
    assert _names(staff_client, "q=_") == ["IT_Service GmbH"]


def _names(client, query):
    from html.parser import HTMLParser

    page = client.get(f"/organisations/?{query}").get_data(as_text=True)
    names = []

    class Parser(HTMLParser):
        inside = False

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "a" and ("class", "fw-semibold") in attrs

        def handle_data(self, data):
            if self.inside:
                names.append(data.strip())
                self.inside = False

    Parser().feed(page)
    return sorted(names)


def test_filters(staff_client, staff):
    OrganisationFactory(
        name="Alpha", stage=Stage.CUSTOMER, owner=staff, is_training_active=True, wz_section="F"
    )
    OrganisationFactory(name="Beta", stage=Stage.LEAD, region="Landkreis Celle", chamber="hwk", employees=5)
    assert _names(staff_client, "stage=customer") == ["Alpha"]
    assert _names(staff_client, "stage=customer&stage=lead") == ["Alpha", "Beta"]
    assert _names(staff_client, "owner=me") == ["Alpha"]
    assert _names(staff_client, "owner=none") == ["Beta"]
    assert _names(staff_client, f"owner={staff.id}") == ["Alpha"]
    assert _names(staff_client, "training=yes") == ["Alpha"]
    assert _names(staff_client, "wz=F") == ["Alpha"]
    assert _names(staff_client, "chamber=hwk") == ["Beta"]
    assert _names(staff_client, "region=Landkreis%20Celle") == ["Beta"]
    assert _names(staff_client, "size_class=micro") == ["Beta"]
    assert _names(staff_client, "size_class=unknown") == ["Alpha"]


def test_unknown_filter_and_sort_values_are_400(staff_client):
    for query in (
        "sort=password",
        "sort=-nope",
        "stage=boss",
        "size_class=xl",
        "wz=Z",
        "owner=abc",
        "training=maybe",
        "status=deleted",
        "page=0",
        "page=x",
        "per_page=-1",
    ):
        response = staff_client.get(f"/organisations/?{query}")
        assert response.status_code == 400, query
        assert "Traceback" not in response.get_data(as_text=True)


def test_archived_filter_is_for_managers(staff_client, manager, app):
    OrganisationFactory(name="Im Archiv", is_archived=True)
    assert staff_client.get("/organisations/?status=archived").status_code == 400
    from tests.conftest import login

    browser = app.test_client()
    login(browser, manager)
    assert _names(browser, "status=archived") == ["Im Archiv"]


def test_sorting_and_pagination(staff_client):
    for n, city in enumerate(["Celle", "Aurich", "Bremen"]):
        OrganisationFactory(name=f"Firma {n}", city=city)
    page = staff_client.get("/organisations/?sort=city").get_data(as_text=True)
    assert page.index("Aurich") < page.index("Bremen") < page.index("Celle")
    page = staff_client.get("/organisations/?sort=-city").get_data(as_text=True)
    assert page.index("Celle") < page.index("Bremen") < page.index("Aurich")
    page = staff_client.get("/organisations/?sort=name&per_page=2&page=2").get_data(as_text=True)
    assert "Firma 2" in page and "Firma 0" not in page and "3 Unternehmen" in page
    assert staff_client.get("/organisations/?per_page=100000").status_code == 200  # capped, not an error


def test_list_query_count_is_constant(staff_client, count_queries, staff):
    for n in range(3):
        OrganisationFactory(name=f"Wenige {n}", owner=staff)
    count_queries.statements.clear()
    staff_client.get("/organisations/")
    few = count_queries.count
    for n in range(40):
        OrganisationFactory(name=f"Viele {n}", owner=UserFactory())
    count_queries.statements.clear()
    staff_client.get("/organisations/")
    assert count_queries.count == few


# --- create with duplicate check ---------------------------------------------------------


def test_create_company(staff_client, staff):
    response = post(staff_client, "/organisations/new", _form(employees="7,5"))
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Neue Firma GmbH"))
    assert org.owner_id == staff.id  # staff own what they create
    assert org.size_class == SizeClass.MICRO and org.size_class_provisional
    assert org.employees == 7.5 and org.wz_version == "WZ2008"
    assert (
        db.session.scalar(sa.select(StageChange).where(StageChange.organisation_id == org.id)).to_stage
        == Stage.LEAD
    )
    assert db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "organisation_created", AuditEntry.entity_id == org.id
        )
    )


def test_create_with_duplicate_warning_then_confirm(staff_client):
    existing = OrganisationFactory(name="Dachdeckerei Schröder GmbH", postcode="31134", city="Hildesheim")
    response = post(
        staff_client,
        "/organisations/new",
        _form(name="Dachdeckerei Schroeder", postcode="31134", city="Hildesheim"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Gibt es dieses Unternehmen schon?" in page
    assert f'/organisations/{existing.id}"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
    response = post(
        staff_client,
        "/organisations/new",
        _form(name="Dachdeckerei Schroeder", postcode="31134", city="Hildesheim", confirm_duplicates="1"),
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 2


def test_create_validation_keeps_input(staff_client):
    response = post(
        staff_client,
        "/organisations/new",
        _form(name="", postcode="3015", email="kein-at", employees="viele", street="Mühlenweg 3"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "fünfstellige Postleitzahl" in page and "gültige E-Mail" in page and "Bitte eine Zahl" in page
    assert 'value="Mühlenweg 3"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


def test_staff_cannot_set_owner_or_size_override_by_adding_fields(staff_client, staff):
    other = UserFactory()
    post(
        staff_client,
        "/organisations/new",
        _form(owner_id=str(other.id), size_class_override="large", size_class_override_reason="x"),
    )
    org = db.session.scalar(sa.select(Organisation))
    assert org.owner_id == staff.id and org.size_class_override is None


def test_manager_overrides_size_class_with_reason(manager_client):
    org = OrganisationFactory(employees=20)
    response = post(
        manager_client, f"/organisations/{org.id}/edit", _edit_form(org, size_class_override="micro")
    )
    assert "begründen" in response.get_data(as_text=True)
    response = post(
        manager_client,
        f"/organisations/{org.id}/edit",
        _edit_form(
            org,
            size_class_override="micro",
            size_class_override_reason="Konzernfreie Ausnahme",
            employees="20",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.size_class == SizeClass.MICRO and org.size_class_override == SizeClass.MICRO


# --- detail, edit, conflict ----------------------------------------------------------------


def test_detail_page(staff_client):
    org = OrganisationFactory(name="Detail GmbH", employees=12, turnover_eur=900_000, balance_sheet_eur=None)
    ContactPersonFactory(organisation=org, first_name="Erika", last_name="Mustermann", marketing_blocked=True)
    page = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Detail GmbH" in page and "Erika Mustermann" in page and "Werbesperre" in page
    assert "Kleines Unternehmen" in page


def test_detail_query_count_is_constant(staff_client, count_queries):
    org = OrganisationFactory()
    ContactPersonFactory(organisation=org)
    count_queries.statements.clear()
    staff_client.get(f"/organisations/{org.id}")
    few = count_queries.count
    for _ in range(15):
        ContactPersonFactory(organisation=org)
    count_queries.statements.clear()
    staff_client.get(f"/organisations/{org.id}")
    assert count_queries.count == few


def test_archived_company_is_404_for_staff(staff_client):
    org = OrganisationFactory(is_archived=True)
    assert staff_client.get(f"/organisations/{org.id}").status_code == 404


def test_edit_company_records_changes(staff_client, staff):
    org = OrganisationFactory(owner=staff, city="Celle")
    response = post(
        staff_client, f"/organisations/{org.id}/edit", _edit_form(org, city="Peine", stage="contacted")
    )
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "organisation_updated"))
    assert entry.changes["city"] == ["Celle", "Peine"]
    assert entry.changes["stage"] == ["lead", "contacted"]
    change = db.session.scalar(sa.select(StageChange).where(StageChange.to_stage == Stage.CONTACTED))
    assert change.changed_by_id == staff.id and not change.is_automatic


def test_lost_needs_a_reason(staff_client, staff):
    org = OrganisationFactory(owner=staff)
    response = post(staff_client, f"/organisations/{org.id}/edit", _edit_form(org, stage="lost"))
    assert response.status_code == 200 and "Grund" in response.get_data(as_text=True)


def test_stale_version_gets_conflict_page_and_nothing_is_lost(app, staff):
    from tests.conftest import login

    org = OrganisationFactory(owner=staff, city="Celle", notes="alt")
    first, second = app.test_client(), app.test_client()
    login(first, staff)
    login(second, staff)
    form_first = _edit_form(org, city="Peine")
    form_second = _edit_form(org, notes="Wichtige Notiz vom zweiten Gerät")
    assert post(first, f"/organisations/{org.id}/edit", form_first).status_code == 302
    response = post(second, f"/organisations/{org.id}/edit", form_second)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Jemand anderes hat dieses Unternehmen inzwischen geändert" in page
    assert "Peine" in page and "Wichtige Notiz vom zweiten Gerät" in page  # both versions shown
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).notes == "alt"  # nothing overwritten silently
    # The conflict form carries the user's input on the new version: saving re-applies it.
    import re

    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    form_second["version"] = version
    form_second["city"] = "Peine"
    assert post(second, f"/organisations/{org.id}/edit", form_second).status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Organisation, org.id)
    assert fresh.notes == "Wichtige Notiz vom zweiten Gerät" and fresh.city == "Peine"


def test_staff_cannot_edit_someone_elses_company(staff_client):
    org = OrganisationFactory(owner=UserFactory())
    assert staff_client.get(f"/organisations/{org.id}/edit").status_code == 403
    response = post(
        staff_client, f"/organisations/{org.id}/edit", _edit_form(org, city="X"), form_page="/organisations/"
    )
    assert response.status_code == 403


def test_staff_can_edit_unowned_company(staff_client):
    org = OrganisationFactory(owner=None)
    assert staff_client.get(f"/organisations/{org.id}/edit").status_code == 200


# --- archive, restore, merge -----------------------------------------------------------------


def test_archive_and_restore(staff_client, staff, manager, app):
    from tests.conftest import login

    org = OrganisationFactory(owner=staff, name="Archivkandidat GmbH")
    response = post(staff_client, f"/organisations/{org.id}/archive", form_page=f"/organisations/{org.id}")
    assert response.status_code == 302
    assert _names(staff_client, "") == []
    browser = app.test_client()
    login(browser, manager)
    post(browser, f"/organisations/{org.id}/restore", form_page=f"/organisations/{org.id}")
    db.session.expire_all()
    assert not db.session.get(Organisation, org.id).is_archived
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.entity_id == org.id)))
    assert {"organisation_archived", "organisation_restored"} <= actions


def test_staff_cannot_archive_others(staff_client):
    org = OrganisationFactory(owner=None)
    response = post(staff_client, f"/organisations/{org.id}/archive", form_page=f"/organisations/{org.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Organisation, org.id).is_archived


def test_merge_keeps_every_contact(manager_client):
    survivor = OrganisationFactory(name="Metallbau Kern GmbH", phone=None)
    duplicate = OrganisationFactory(name="Metallbau Kern", phone="0511 123456", notes="Wichtig")
    ContactPersonFactory(organisation=survivor, last_name="Eins")
    for name in ("Zwei", "Drei"):
        ContactPersonFactory(organisation=duplicate, last_name=name)
    page = manager_client.get(f"/organisations/{survivor.id}/merge?other={duplicate.id}").get_data(
        as_text=True
    )
    assert "Ansprechpartner/innen: 2" in page
    response = post(
        manager_client,
        f"/organisations/{survivor.id}/merge",
        {"other_id": duplicate.id, "confirmed": "1"},
        form_page=f"/organisations/{survivor.id}/merge",
    )
    assert response.status_code == 302
    db.session.expire_all()
    names = sorted(
        db.session.scalars(
            sa.select(ContactPerson.last_name).where(ContactPerson.organisation_id == survivor.id)
        )
    )
    assert names == ["Drei", "Eins", "Zwei"]
    merged = db.session.get(Organisation, duplicate.id)
    assert merged.is_archived and merged.merged_into_id == survivor.id
    kept = db.session.get(Organisation, survivor.id)
    assert kept.phone == "0511 123456" and "Wichtig" in kept.notes
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "organisation_merged"))
    assert entry.details["moved"]["contact_persons"] == 2
    assert _names(manager_client, "q=zwei") == ["Metallbau Kern GmbH"]


def test_staff_cannot_merge(staff_client):
    a, b = OrganisationFactory(), OrganisationFactory()
    assert staff_client.get(f"/organisations/{a.id}/merge").status_code == 403
    response = post(
        staff_client,
        f"/organisations/{a.id}/merge",
        {"other_id": b.id, "confirmed": "1"},
        form_page="/organisations/",
    )
    assert response.status_code == 403


def test_conflict_keeps_the_other_persons_changes_in_untouched_fields(app, staff):
    """A changed the phone, B the notes: B's re-save keeps A's phone and B's notes."""
    import html

    org = OrganisationFactory(owner=staff, phone="0511 1", notes="alt")
    first, second = app.test_client(), app.test_client()
    login(first, staff)
    login(second, staff)
    path = f"/organisations/{org.id}/edit"
    page = second.get(path).get_data(as_text=True)
    original = html.unescape(re.search(r'name="original" type="hidden" value="([^"]*)"', page).group(1))
    assert post(first, path, _edit_form(org, phone="0511 999")).status_code == 302
    response = post(second, path, _edit_form(org, phone="0511 1", notes="B war hier", original=original))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'value="0511 999"' in page  # the other person's phone is in the form now
    assert "B war hier" in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert (
        post(second, path, _edit_form(org, phone="0511 999", notes="B war hier", version=version)).status_code
        == 302
    )
    db.session.expire_all()
    fresh = db.session.get(Organisation, org.id)
    assert (fresh.phone, fresh.notes) == ("0511 999", "B war hier")


def test_conflict_marks_fields_both_changed(app, staff):
    import html

    org = OrganisationFactory(owner=staff, city="Celle")
    first, second = app.test_client(), app.test_client()
    login(first, staff)
    login(second, staff)
    path = f"/organisations/{org.id}/edit"
    page = second.get(path).get_data(as_text=True)
    original = html.unescape(re.search(r'name="original" type="hidden" value="([^"]*)"', page).group(1))
    post(first, path, _edit_form(org, city="Peine"))
    page = post(second, path, _edit_form(org, city="Uelzen", original=original)).get_data(as_text=True)
    assert "beide geändert" in page and "Peine" in page and 'value="Uelzen"' in page


def test_sort_links_keep_filters_and_work(staff_client):
    """The column headers' links are valid URLs that keep every filter (repeated ones too)."""
    import html

    OrganisationFactory(name="Alpha", city="Celle", stage="contacted")
    page = staff_client.get("/organisations/?stage=contacted&stage=lead&q=alpha").get_data(as_text=True)
    links = [html.unescape(h) for h in re.findall(r'href="(/organisations/\?[^"]*sort=city[^"]*)"', page)]
    assert links, "no sort link for the town column"
    link = links[0]
    assert "stage=contacted" in link and "stage=lead" in link and "q=alpha" in link and "%5B" not in link
    response = staff_client.get(link)
    assert response.status_code == 200 and "Alpha" in response.get_data(as_text=True)
