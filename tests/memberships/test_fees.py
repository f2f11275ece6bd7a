"""The fee list: filters, SQL totals, pagination, actions, and exports that add up to the page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.memberships.models import Fee
from crm.memberships.vocab import FeeStatus
from tests.conftest import post
from tests.memberships.helpers import make_fee
from tests.organisations.test_exports import PAYLOADS

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _mixed_year():
    """Amounts chosen so that float arithmetic would show: 0.10 + 0.20 and odd cents."""
    make_fee(name="Alpha GmbH", amount=10, status=FeeStatus.OPEN)
    make_fee(name="Beta GmbH", amount=20, status=FeeStatus.PAID)
    make_fee(name="Gamma GmbH", amount=33333, status=FeeStatus.SUBMITTED, sepa=True)
    make_fee(name="Delta GmbH", amount=16667, status=FeeStatus.WAIVED)
    make_fee(name="Epsilon GmbH", amount=12345, status=FeeStatus.OPEN, sepa=True)
    make_fee(name="Zeta GmbH", amount=99999, status=FeeStatus.CANCELLED)
    make_fee(name="Eta GmbH", amount=777, status=FeeStatus.PAID, sepa=True)
    archived = make_fee(name="Archiv GmbH", amount=50000)
    archived.organisation.is_archived = True
    make_fee(name="Vorjahr GmbH", amount=40000, year=2025)
    db.session.flush()


def _page_totals(html):
    def cents(key):
        text = re.search(rf'id="total-{key}">([^<]+)<', html).group(1)
        return int(text.replace("\xa0€", "").replace(".", "").replace(",", ""))

    count = int(re.search(r'id="total-count">([^<]+)<', html).group(1).replace(".", ""))
    return count, cents("due"), cents("paid"), cents("open")


def test_totals_are_exact_and_skip_archived_and_other_years(manager_client):
    _mixed_year()
    html = manager_client.get("/fees/2026/").get_data(as_text=True)
    count, due, paid, open_ = _page_totals(html)
    assert count == 7
    assert due == 10 + 20 + 33333 + 12345 + 777  # waived and cancelled are not owed
    assert paid == 20 + 777
    assert open_ == 10 + 33333 + 12345
    assert "Archiv GmbH" not in html and "Vorjahr GmbH" not in html


@pytest.mark.parametrize(
    "filters",
    [
        "",
        "?status=open",
        "?status=paid&status=submitted",
        "?method=sepa",
        "?method=invoice&status=open",
        "?size_class=micro",
        "?size_class=supporting",
    ],
)
def test_page_csv_and_xlsx_add_up_to_the_same_totals(manager_client, filters):
    _mixed_year()
    page = _page_totals(manager_client.get(f"/fees/2026/{filters}").get_data(as_text=True))

    text = manager_client.get(f"/fees/2026/export.csv{filters}").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]

    def csv_sum(column):
        index = header.index(column)
        return sum(int(Decimal(r[index].replace(",", ".")) * 100) for r in body)

    assert (len(body), csv_sum("Soll"), csv_sum("Bezahlt"), csv_sum("Offen")) == page

    data = manager_client.get(f"/fees/2026/export.xlsx{filters}").get_data()
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    xheader, xbody, xtotal = values[0], values[1:-1], values[-1]
    assert xtotal[0] == "Summe"

    def xlsx_sum(column):
        index = xheader.index(column)
        cells = round(sum(Decimal(str(r[index])) for r in xbody) * 100)
        assert round(Decimal(str(xtotal[index])) * 100) == cells  # the totals row agrees with the cells
        return cells

    assert (len(xbody), xlsx_sum("Soll"), xlsx_sum("Bezahlt"), xlsx_sum("Offen")) == page


def test_csv_format(manager_client):
    make_fee(name="Müller & Söhne GmbH", amount=123456, status=FeeStatus.PAID)
    response = manager_client.get("/fees/2026/export.csv")
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"Nr.";"Unternehmen";')
    assert '"1234,56"' in text and '"31.03.2026"' in text and '"01.04.2026"' in text
    assert "Müller & Söhne GmbH" in text


def test_xlsx_cells_are_typed(manager_client):
    make_fee(name="Typ GmbH", amount=123456)
    sheet = load_workbook(io.BytesIO(manager_client.get("/fees/2026/export.xlsx").get_data())).active
    header = [c.value for c in sheet[1]]
    row = sheet[2]
    amount = row[header.index("Beitrag")]
    assert amount.value == pytest.approx(1234.56) and "€" in amount.number_format
    assert row[header.index("Fällig am")].value.date() == date(2026, 3, 31)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_neutralised_in_both_exports(manager_client, payload):
    fee = make_fee(name=payload, status=FeeStatus.OPEN, sepa=True, mandate_reference="M-1")
    fee.status, fee.waived_reason = FeeStatus.WAIVED, payload
    db.session.flush()
    text = manager_client.get("/fees/2026/export.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, row = rows[0], rows[1]
    for column in ("Unternehmen", "Erlassgrund"):
        assert row[header.index(column)].startswith("'"), (column, row)
    sheet = load_workbook(io.BytesIO(manager_client.get("/fees/2026/export.xlsx").get_data())).active
    xheader = [c.value for c in sheet[1]]
    for column in ("Unternehmen", "Erlassgrund"):
        cell = sheet.cell(row=2, column=xheader.index(column) + 1)
        assert cell.data_type == "s" and not str(cell.value).startswith(TRIGGERS)


def test_exports_are_audited(manager_client):
    make_fee()
    manager_client.get("/fees/2026/export.csv?status=open")
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.entity_type == "fees")
    )
    assert entry.details["rows"] == 1 and entry.details["filter"] == {"status": ["open"]}


def test_unknown_filters_are_400(manager_client):
    assert manager_client.get("/fees/2026/?status=bogus").status_code == 400
    assert manager_client.get("/fees/2026/?size_class=huge").status_code == 400
    assert manager_client.get("/fees/2026/export.csv?method=cash").status_code == 400
    assert manager_client.get("/fees/2026/?page=x").status_code == 400


def test_list_query_count_is_constant(manager_client, count_queries):
    make_fee(name="Eins GmbH")
    manager_client.get("/fees/2026/")
    before = count_queries.count
    manager_client.get("/fees/2026/")
    few = count_queries.count - before
    for n in range(30):
        make_fee(name=f"Viele {n} GmbH", status=FeeStatus.PAID if n % 2 else FeeStatus.OPEN)
    before = count_queries.count
    manager_client.get("/fees/2026/")
    assert count_queries.count - before == few


def test_pagination(manager_client):
    for n in range(5):
        make_fee(name=f"Seite {n} GmbH")
    html = manager_client.get("/fees/2026/?per_page=2&page=3").get_data(as_text=True)
    assert "Seite 4 GmbH" in html and "Seite 0 GmbH" not in html
    assert "5–5 von 5" in html


def test_bulk_and_single_mark_paid(manager_client):
    a, b, c = (
        make_fee(name="A GmbH"),
        make_fee(name="B GmbH", status=FeeStatus.SUBMITTED, sepa=True),
        make_fee(name="C GmbH"),
    )
    done = make_fee(name="D GmbH", status=FeeStatus.WAIVED)
    response = post(
        manager_client,
        "/fees/2026/paid",
        {
            "fee_id": [str(a.id), str(b.id), str(done.id)],
            "paid_on": "2026-04-15",
            "next": "/fees/2026/?status=open",
        },
        form_page="/fees/2026/",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/fees/2026/?status=open")
    db.session.expire_all()
    assert db.session.get(Fee, a.id).status == FeeStatus.PAID and db.session.get(Fee, a.id).paid_on == date(
        2026, 4, 15
    )
    assert db.session.get(Fee, b.id).status == FeeStatus.PAID
    assert db.session.get(Fee, done.id).status == FeeStatus.WAIVED  # not payable, left alone
    assert db.session.get(Fee, c.id).status == FeeStatus.OPEN
    # a single row's button marks only that row, even when other boxes are ticked
    post(
        manager_client,
        "/fees/2026/paid",
        {"single": str(c.id), "fee_id": [str(a.id)], "paid_on": "2026-04-16"},
        form_page="/fees/2026/",
    )
    db.session.expire_all()
    assert db.session.get(Fee, c.id).paid_on == date(2026, 4, 16)
    assert db.session.get(Fee, a.id).paid_on == date(2026, 4, 15)
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "fee_paid")) == 3


def test_paid_date_in_the_future_is_refused(manager_client):
    fee = make_fee()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    post(
        manager_client,
        "/fees/2026/paid",
        {"single": str(fee.id), "paid_on": tomorrow},
        form_page="/fees/2026/",
    )
    db.session.expire_all()
    assert db.session.get(Fee, fee.id).status == FeeStatus.OPEN


def test_waive_needs_a_reason(manager_client):
    fee = make_fee()
    page = f"/fees/2026/{fee.id}"
    response = post(manager_client, f"/fees/2026/{fee.id}/waive", {"reason": "  "}, form_page=page)
    assert response.status_code == 400 and "Grund" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Fee, fee.id).status == FeeStatus.OPEN
    post(manager_client, f"/fees/2026/{fee.id}/waive", {"reason": "Insolvenz"}, form_page=page)
    db.session.expire_all()
    fee = db.session.get(Fee, fee.id)
    assert (fee.status, fee.waived_reason) == (FeeStatus.WAIVED, "Insolvenz")


def test_dunning_level(manager_client):
    fee = make_fee()
    page = f"/fees/2026/{fee.id}"
    post(manager_client, f"/fees/2026/{fee.id}/dunning", {"level": "2"}, form_page=page)
    db.session.expire_all()
    assert db.session.get(Fee, fee.id).dunning_level == 2
    assert (
        post(manager_client, f"/fees/2026/{fee.id}/dunning", {"level": "7"}, form_page=page).status_code
        == 400
    )


def test_returned_debit_reopens_the_fee(manager_client):
    fee = make_fee(status=FeeStatus.SUBMITTED, sepa=True)
    post(
        manager_client,
        f"/fees/2026/{fee.id}/returned",
        {"returned_on": "2026-04-20"},
        form_page=f"/fees/2026/{fee.id}",
    )
    db.session.expire_all()
    fee = db.session.get(Fee, fee.id)
    assert (fee.status, fee.returned_on) == (FeeStatus.OPEN, date(2026, 4, 20))


def test_fee_of_archived_company_is_404(manager_client):
    fee = make_fee()
    fee.organisation.is_archived = True
    db.session.flush()
    assert manager_client.get(f"/fees/2026/{fee.id}").status_code == 404
    assert manager_client.get(f"/fees/2025/{fee.id}").status_code == 404
