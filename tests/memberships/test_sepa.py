"""SEPA files: XSD-valid pain.008.001.08, every exclusion with its reason, CORE/B2B apart, never twice."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from lxml import etree
from sqlalchemy.exc import IntegrityError

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.memberships import sepa
from crm.memberships.creditor import is_business_day
from crm.memberships.fees import FeeQuery
from crm.memberships.models import Collection, CollectionItem, Fee, Membership
from crm.memberships.vocab import FeeStatus, SepaScheme
from tests.conftest import post
from tests.memberships.helpers import creditor, make_fee

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}


def _collection_date():
    day = date.today() + timedelta(days=10)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def _create(client, scheme="CORE", query="", day=None):
    """POST the form; a created file is followed to its download (errors come back as they are)."""
    response = post(
        client,
        f"/fees/2026/sepa.xml{query}",
        {"scheme": scheme, "collection_date": (day or _collection_date()).isoformat()},
        form_page=f"/fees/2026/sepa?scheme={scheme}",
    )
    return _file_after(client, response)


def _file_after(client, response):
    """After a successful POST: the page it leads to offers the new file; fetch that file."""
    if response.status_code != 302:
        return response
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    link = re.search(r'href="([^"]+)" data-auto-download', page.get_data(as_text=True))
    assert link, "the page after creating a file offers it for download"
    return client.get(link.group(1).replace("&amp;", "&"))


def _amounts(xml: bytes) -> list[str]:
    return etree.fromstring(xml).xpath("//p:DrctDbtTxInf/p:InstdAmt/text()", namespaces=NS)


def test_file_validates_and_matches_the_page(manager_client):
    creditor()
    make_fee(name="Erst GmbH", amount=12345, sepa=True)
    make_fee(name="Wieder GmbH", amount=10, sepa=True, last_debit_on=date.today() - timedelta(days=300))
    make_fee(name="Rechnung GmbH", amount=5000)  # invoice: not in the file
    html = manager_client.get("/fees/2026/sepa").get_data(as_text=True)
    assert 'id="sepa-count">2<' in html and "123,55\xa0€" in html
    page_open = manager_client.get("/fees/2026/?status=open&method=sepa").get_data(as_text=True)
    assert 'id="total-open">123,55\xa0€<' in page_open

    response = _create(manager_client)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    xml = response.get_data()
    sepa.validate_xml(xml)  # the bundled pain.008.001.08 XSD
    root = etree.fromstring(xml)
    assert root.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=NS) == ["123.55"]
    assert root.xpath("//p:GrpHdr/p:NbOfTxs/text()", namespaces=NS) == ["2"]
    assert sorted(_amounts(xml)) == ["0.10", "123.45"]
    assert set(root.xpath("//p:LclInstrm/p:Cd/text()", namespaces=NS)) == {"CORE"}
    assert sorted(root.xpath("//p:SeqTp/text()", namespaces=NS)) == ["FRST", "RCUR"]
    assert root.xpath("//p:CdtrSchmeId//p:Id/text()", namespaces=NS) == ["DE98ZZZ09999999999"] * 2

    db.session.expire_all()
    (collection,) = db.session.scalars(sa.select(Collection)).all()
    assert (collection.fee_count, collection.total_cents, collection.scheme) == (2, 12355, SepaScheme.CORE)
    statuses = dict(db.session.execute(sa.select(Fee.amount_cents, Fee.status)).all())
    assert statuses == {12345: FeeStatus.SUBMITTED, 10: FeeStatus.SUBMITTED, 5000: FeeStatus.OPEN}
    assert {
        m.last_debit_on for m in db.session.scalars(sa.select(Membership).where(Membership.iban.is_not(None)))
    } == {collection.collection_date}
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "sepa_collection_created"))
    # the stored file can be downloaded again (GET, no state change)
    again = manager_client.get(f"/fees/2026/sepa.xml?collection={collection.id}")
    assert again.get_data() == xml


def test_invalid_file_is_never_offered(app):
    with app.test_request_context(), pytest.raises(sepa.InvalidSepaFile):
        sepa.validate_xml(
            b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"/>'
        )


def test_each_problem_is_left_out_with_its_reason(manager_client):
    creditor()
    day = _collection_date()
    ok = make_fee(name="Gut GmbH", amount=1000, sepa=True)
    make_fee(name="Null GmbH", amount=0, sepa=True)
    make_fee(name="Alt GmbH", sepa=True, mandate_signed_on=date(2019, 1, 1), last_debit_on=date(2020, 1, 1))
    make_fee(name="Nie GmbH", sepa=True, mandate_signed_on=day - timedelta(days=3 * 365 + 40))
    make_fee(name="Ohne Mandat GmbH", sepa=True, mandate_reference=None)
    make_fee(name="Ohne IBAN GmbH", sepa=True, iban=None)
    make_fee(name="Falsche IBAN GmbH", sepa=True, iban="DE89370400440532013001")
    make_fee(name="Falscher BIC GmbH", sepa=True, bic="DEUTDEFFXXX")
    make_fee(name="Kaputter BIC GmbH", sepa=True, bic="XX")
    make_fee(name="Zurück GmbH", sepa=True).returned_on = date(2026, 4, 2)
    make_fee(name="Später GmbH", sepa=True, due_on=day + timedelta(days=30))
    make_fee(name="Zukunft GmbH", sepa=True, mandate_signed_on=day + timedelta(days=1))
    db.session.flush()
    with manager_client.application.test_request_context():
        selection = sepa.select_fees(FeeQuery(year=2026), _user(), SepaScheme.CORE, day)
    reasons = {e.organisation_name: e.reason for e in selection.excluded}
    assert [i["fee_id"] for i in selection.items] == [ok.id]
    assert "0 €" in reasons["Null GmbH"]
    assert "36 Monaten" in reasons["Alt GmbH"] and "36 Monaten" in reasons["Nie GmbH"]
    assert "Mandatsreferenz" in reasons["Ohne Mandat GmbH"]
    assert reasons["Ohne IBAN GmbH"] == "IBAN fehlt"
    assert "IBAN ungültig" in reasons["Falsche IBAN GmbH"]
    assert "BIC passt nicht" in reasons["Falscher BIC GmbH"]
    assert reasons["Kaputter BIC GmbH"] == "BIC ungültig"
    assert "zurückgegeben" in reasons["Zurück GmbH"]
    assert "Noch nicht fällig" in reasons["Später GmbH"]
    assert "nach dem Einzugsdatum" in reasons["Zukunft GmbH"]
    assert len(reasons) == 11
    # the user sees every one of them, by name and reason, before downloading
    html = manager_client.get("/fees/2026/sepa").get_data(as_text=True)
    table = html[html.index('id="sepa-excluded"') :]
    for name in reasons:
        assert name in table
    response = _create(manager_client, day=day)
    xml = response.get_data()
    sepa.validate_xml(xml)
    assert _amounts(xml) == ["10.00"]


def _user():
    from crm.auth.models import User

    return db.session.scalar(sa.select(User).where(User.role == "manager"))


def test_core_and_b2b_go_in_separate_files(manager_client):
    creditor()
    make_fee(name="Basis GmbH", amount=1000, sepa=True, sepa_scheme="CORE")
    make_fee(name="Firma B2B GmbH", amount=2000, sepa=True, sepa_scheme="B2B")
    html = manager_client.get("/fees/2026/sepa?scheme=B2B").get_data(as_text=True)
    assert 'id="sepa-count">1<' in html
    b2b = _create(manager_client, "B2B").get_data()
    root = etree.fromstring(b2b)
    assert set(root.xpath("//p:LclInstrm/p:Cd/text()", namespaces=NS)) == {"B2B"}
    assert _amounts(b2b) == ["20.00"]
    core = _create(manager_client, "CORE").get_data()
    assert set(etree.fromstring(core).xpath("//p:LclInstrm/p:Cd/text()", namespaces=NS)) == {"CORE"}
    assert _amounts(core) == ["10.00"]
    assert manager_client.get("/fees/2026/sepa?scheme=COR1").status_code == 400


def test_a_fee_is_never_collected_twice(manager_client):
    creditor()
    fee = make_fee(amount=1000, sepa=True)
    assert _create(manager_client).status_code == 200
    # a second file finds nothing left to collect
    response = _create(manager_client)
    assert response.status_code == 400 and "Keine Beiträge" in response.get_data(as_text=True)
    # marked returned and open again: still never in a second file
    db.session.expire_all()
    post(
        manager_client,
        f"/fees/2026/{fee.id}/returned",
        {"returned_on": date.today().isoformat()},
        form_page=f"/fees/2026/{fee.id}",
    )
    assert _create(manager_client).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Collection)) == 1


def test_database_refuses_a_fee_in_two_collections(app, manager):
    creditor()
    fee = make_fee(amount=1000, sepa=True)
    collections = []
    for _ in range(2):
        c = Collection(
            year=2026,
            scheme=SepaScheme.CORE,
            collection_date=date(2026, 5, 4),
            message_id="X",
            filename="f",
            fee_count=1,
            total_cents=1000,
            xml=b"",
        )
        db.session.add(c)
        collections.append(c)
    db.session.flush()
    db.session.add(
        CollectionItem(
            collection_id=collections[0].id,
            fee_id=fee.id,
            amount_cents=1000,
            sequence_type="FRST",
            mandate_reference="M",
        )
    )
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            CollectionItem(
                collection_id=collections[1].id,
                fee_id=fee.id,
                amount_cents=1000,
                sequence_type="FRST",
                mandate_reference="M",
            )
        )
        db.session.flush()


def test_collection_date_respects_the_prenotification(manager_client):
    settings = creditor()
    make_fee(amount=1000, sepa=True)
    too_early = date.today() + timedelta(days=settings.prenotification_days - 1)
    response = _create(manager_client, day=too_early)
    assert response.status_code == 400 and "Bankarbeitstag ab dem" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Collection)) == 0


def test_business_days():
    assert not is_business_day(date(2026, 4, 3))  # Good Friday
    assert not is_business_day(date(2026, 4, 6))  # Easter Monday
    assert not is_business_day(date(2026, 5, 1))
    assert not is_business_day(date(2026, 12, 26))
    assert not is_business_day(date(2026, 5, 2))  # Saturday
    assert is_business_day(date(2026, 5, 4))


def test_without_creditor_settings_no_file(manager_client):
    make_fee(amount=1000, sepa=True)
    html = manager_client.get("/fees/2026/sepa").get_data(as_text=True)
    assert "Gläubigerdaten" in html and "fehlen" in html


def test_size_class_filter_applies_to_the_file_like_to_the_page(manager_client):
    from tests.factories import MembershipFactory, OrganisationFactory

    creditor()
    make_fee(name="Klein GmbH", amount=1000, sepa=True)
    big = OrganisationFactory(
        name="Groß AG", employees=400, turnover_eur=90_000_000, balance_sheet_eur=90_000_000
    )
    make_fee(amount=5000, sepa=True, membership=MembershipFactory(organisation=big, sepa=True))
    page = manager_client.get("/fees/2026/?status=open&method=sepa&size_class=large").get_data(as_text=True)
    total = re.search(r'id="total-open">([^<]+)<', page).group(1)
    xml = _create(manager_client, query="?size_class=large").get_data()
    assert _amounts(xml) == ["50.00"] and total == "50,00\xa0€"


def test_file_is_only_made_when_it_matches_the_preview(manager_client):
    creditor()
    make_fee(name="Erst GmbH", amount=1000, sepa=True)
    day = _collection_date()
    html = manager_client.get(f"/fees/2026/sepa?collection_date={day.isoformat()}").get_data(as_text=True)
    assert 'name="expected_count" value="1"' in html and 'name="expected_total" value="1000"' in html
    make_fee(name="Inzwischen GmbH", amount=500, sepa=True)  # added after the preview was shown
    response = post(
        manager_client,
        "/fees/2026/sepa.xml",
        {
            "scheme": "CORE",
            "collection_date": day.isoformat(),
            "expected_count": "1",
            "expected_total": "1000",
        },
        form_page="/fees/2026/sepa",
    )
    assert response.status_code == 400 and "seit der Vorschau geändert" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Collection)) == 0
    response = post(
        manager_client,
        "/fees/2026/sepa.xml",
        {
            "scheme": "CORE",
            "collection_date": day.isoformat(),
            "expected_count": "2",
            "expected_total": "1500",
        },
        form_page="/fees/2026/sepa",
    )
    response = _file_after(manager_client, response)
    assert response.status_code == 200 and _amounts(response.get_data()) == ["10.00", "5.00"]


def test_preview_date_parameter_is_checked(manager_client):
    creditor()
    assert manager_client.get("/fees/2026/sepa?collection_date=morgen").status_code == 400


def test_page_after_creating_a_file_shows_the_new_state_and_offers_the_file(manager_client):
    """The POST redirects to the page (no stale preview left behind a download)."""
    creditor()
    make_fee(name="Erst GmbH", amount=12345, sepa=True)
    day = _collection_date()
    response = post(
        manager_client,
        "/fees/2026/sepa.xml",
        {"scheme": "CORE", "collection_date": day.isoformat()},
        form_page="/fees/2026/sepa",
    )
    assert response.status_code == 302
    (collection,) = db.session.scalars(sa.select(Collection)).all()
    location = response.headers["Location"]
    assert location.startswith("/fees/2026/sepa?") and f"download={collection.id}" in location
    assert f"collection_date={day.isoformat()}" in location

    html = manager_client.get(location).get_data(as_text=True)
    assert "Lastschriftdatei erzeugt: 1 Lastschriften über 123,45\xa0€." in html
    assert 'id="sepa-created"' in html and collection.filename in html
    assert f'href="/fees/2026/sepa.xml?collection={collection.id}" data-auto-download' in html
    assert "Keine offenen Beiträge für dieses Verfahren." in html  # the fee is submitted now
    assert "Datei erzeugen und herunterladen" not in html
    assert "js/memberships.js" in html

    plain = manager_client.get("/fees/2026/sepa").get_data(as_text=True)
    assert "data-auto-download" not in plain, "only right after creating a file"
    assert "data-auto-download" not in manager_client.get(
        f"/fees/2025/sepa?download={collection.id}"
    ).get_data(as_text=True), "a file of another year is not offered"
    assert manager_client.get("/fees/2026/sepa?download=x").status_code == 400
