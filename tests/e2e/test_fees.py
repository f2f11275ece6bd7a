"""Journey 5 (office): fee run preview and commit, then the fee list's CSV and XLSX and the SEPA
file, whose totals must equal the totals the pages show."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Download, Page, expect
from schwifty import IBAN

from crm.memberships import creditor, schedules
from crm.memberships import services as memberships
from crm.organisations.models import Organisation
from tests.e2e.helpers import check_a11y, snapshot

pytestmark = pytest.mark.e2e

# A year before the demo data's memberships begin (they start at most six years back), so the
# run, the list and the SEPA file hold exactly the memberships seeded here.
YEAR = 2019
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.008.001.08}"


@dataclass(frozen=True)
class Member:
    name: str
    employees: int | None  # decides the size class (None for a supporting member)
    turnover_eur: int | None
    starts_on: date
    sepa: bool
    expected_cents: int  # what the fee for YEAR must be under the schedule below


# Schedule YEAR: micro 123,45 €, small 456,78 €, medium 987,65 €, large 1.999,99 €, supporting
# 250,00 €, monthly pro rata for members who join during the year (every started month counts).
MEMBERS = [
    Member("Tischlerei Kranich GmbH", 4, 300_000, date(2017, 5, 1), True, 12345),
    Member("Elektro Sturmvogel GmbH", 25, 3_000_000, date(YEAR, 4, 15), True, 34259),  # 9/12 of 456,78
    Member("Maschinenbau Reiher AG", 400, 80_000_000, date(2018, 1, 1), True, 199999),
    Member("Stiftung Eisvogel", None, None, date(2016, 2, 1), True, 25000),  # supporting member
    Member("Bäckerei Zaunkönig KG", 80, 12_000_000, date(2015, 9, 1), False, 98765),
    Member("Druckerei Buntspecht", 3, 200_000, date(YEAR, 10, 1), False, 3086),  # 3/12 of 123,45
]
SEPA_CENTS = sum(m.expected_cents for m in MEMBERS if m.sepa)
TOTAL_CENTS = sum(m.expected_cents for m in MEMBERS)


def seed_fee_year(server) -> None:
    """What the administration and the office have set up before: schedule, creditor, members."""
    today = date.today()
    with server.session() as session:
        admin = server.user(session, "admin")
        schedules.save_schedule(
            {
                "year": YEAR,
                "micro_cents": 12345,
                "small_cents": 45678,
                "medium_cents": 98765,
                "large_cents": 199999,
                "supporting_cents": 25000,
                "pro_rata": "monthly",
                "regular_vat": False,
                "supporting_vat": False,
                "due_on": date(YEAR, 3, 31),
            },
            actor=admin,
        )
        creditor.save_settings(
            {
                "name": "Bildungsnetzwerk Südheide e.V.",
                "iban": str(IBAN.generate("DE", bank_code="10020890", account_code="1234567890")),
                "bic": "",
                "creditor_id": "DE98ZZZ09999999999",
                "prenotification_days": 14,
            },
            actor=admin,
        )
    for number, member in enumerate(MEMBERS, start=1):
        data = {"name": member.name, "postcode": "29221", "city": "Celle"}
        if member.employees is not None:
            data |= {"employees": member.employees, "turnover_eur": member.turnover_eur}
        org_id = server.create_organisation(actor="manager", **data)
        values = {
            "kind": "regular" if member.employees is not None else "supporting",
            "starts_on": member.starts_on,
            "payment_method": "sepa" if member.sepa else "invoice",
        }
        if member.sepa:
            iban = IBAN.generate("DE", bank_code="37040044", account_code=f"{number:04d}013000")
            values |= {
                "mandate_reference": f"E2E-{YEAR}-{number:03d}",
                "mandate_signed_on": member.starts_on,
                "account_holder": member.name,
                "iban": str(iban),
                "sepa_scheme": "CORE",
                # Last used for a collection half a year ago: the mandate is current.
                "last_debit_on": today - timedelta(days=200),
            }
        with server.session() as session:
            memberships.create_membership(
                session.get(Organisation, org_id), values, actor=server.user(session, "manager")
            )


def euros(text: str) -> Decimal:
    """``1.234,56 €`` (as the pages show money) → Decimal('1234.56')."""
    number = text.replace("€", "").replace("\u00a0", "").replace(" ", "").replace(".", "").replace(",", ".")
    return Decimal(number)


def cents(value: Decimal) -> int:
    return int(value * 100)


def save(download: Download, folder: Path, pattern: str) -> Path:
    """Keep a download under its suggested name after checking that name."""
    assert re.fullmatch(pattern, download.suggested_filename), download.suggested_filename
    assert download.failure() is None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def csv_sums(path: Path) -> tuple[int, dict[str, int]]:
    """Rows and the sums (cents) of the money columns of the fee list CSV (German Excel style)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    sums = {
        name: sum(cents(Decimal(row[name].replace(",", "."))) for row in rows)
        for name in ("Beitrag", "Soll", "Bezahlt", "Offen")
    }
    return len(rows), sums


def xlsx_sums(path: Path) -> tuple[int, dict[str, int], dict[str, int]]:
    """Data rows, the sums of the money columns, and the workbook's own totals row."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    totals_row = rows.pop()
    assert totals_row[0] == "Summe", totals_row
    columns = {name: header.index(name) for name in ("Soll", "Bezahlt", "Offen")}
    sums = {
        name: sum(cents(Decimal(str(row[index] or 0))) for row in rows) for name, index in columns.items()
    }
    stated = {name: cents(Decimal(str(totals_row[index]))) for name, index in columns.items()}
    return len(rows), sums, stated


def sepa_sums(xml: bytes) -> dict[str, object]:
    """Transaction count and control sums of a pain.008 file (stdlib parser, no network)."""
    root = ET.fromstring(xml)  # noqa: S314 (the app's own file, from loopback)
    header = root.find(f"{PAIN}CstmrDrctDbtInitn/{PAIN}GrpHdr")
    assert header is not None
    payments = root.findall(f"{PAIN}CstmrDrctDbtInitn/{PAIN}PmtInf")
    amounts = [Decimal(e.text or "") for e in root.iter(f"{PAIN}InstdAmt")]
    return {
        "count": int(header.findtext(f"{PAIN}NbOfTxs") or 0),
        "control_sum": cents(Decimal(header.findtext(f"{PAIN}CtrlSum") or "")),
        "batch_sums": sum(cents(Decimal(p.findtext(f"{PAIN}CtrlSum") or "")) for p in payments),
        "amounts": sum(cents(a) for a in amounts),
        "transactions": len(amounts),
        "schemes": {p.findtext(f"{PAIN}PmtTpInf/{PAIN}LclInstrm/{PAIN}Cd") for p in payments},
        "currencies": {e.get("Ccy") for e in root.iter(f"{PAIN}InstdAmt")},
    }


def shown_cents(page: Page, selector: str) -> int:
    return cents(euros(page.locator(selector).inner_text()))


def test_journey5_fee_run_and_downloads_add_up_to_the_page_totals(server, open_page, tmp_path):
    seed_fee_year(server)
    page = open_page("manager")
    heading = page.get_by_role("heading", level=1)

    menu = page.get_by_role("navigation", name="Hauptnavigation")
    menu.get_by_role("button", name="Finanzen").click()
    menu.get_by_role("link", name="Beiträge", exact=True).click()
    expect(heading).to_have_text(f"Beitragsübersicht {date.today().year}")
    check_a11y(page)
    page.get_by_role("navigation", name="Beitragsjahr").get_by_role("link", name=str(YEAR)).click()
    expect(heading).to_have_text(f"Beitragsübersicht {YEAR}")
    expect(page.get_by_text(f"Für {YEAR} gibt es noch keine Beiträge.")).to_be_visible()
    check_a11y(page)

    # The run: preview with count and total, then commit.
    page.get_by_role("link", name=f"Beitragslauf {YEAR}", exact=True).click()
    expect(heading).to_have_text(f"Beitragslauf {YEAR}")
    expect(page.locator("#preview-count")).to_have_text(str(len(MEMBERS)))
    check_a11y(page)
    assert shown_cents(page, "#preview-total") == TOTAL_CENTS
    snapshot(page, "run-preview")
    page.get_by_role("button", name=f"{len(MEMBERS)} Beiträge erstellen").click()
    expect(page.get_by_role("status").filter(has_text="Beiträge erstellt")).to_contain_text(
        f"Beitragslauf {YEAR}: {len(MEMBERS)} Beiträge erstellt."
    )
    expect(heading).to_have_text(f"Beitragsübersicht {YEAR}")
    expect(page.locator("#total-count")).to_have_text(str(len(MEMBERS)))
    check_a11y(page)
    page_due = shown_cents(page, "#total-due")
    assert page_due == TOTAL_CENTS, "the list holds what the preview announced"
    assert shown_cents(page, "#total-open") == TOTAL_CENTS
    assert shown_cents(page, "#total-paid") == 0

    # CSV and XLSX of the whole year.
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV", exact=True).click()
    rows, sums = csv_sums(save(csv_download.value, tmp_path, rf"beitraege-{YEAR}\.csv"))
    assert rows == len(MEMBERS)
    assert sums["Soll"] == sums["Beitrag"] == sums["Offen"] == page_due
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Excel", exact=True).click()
    rows, sums, stated = xlsx_sums(save(xlsx_download.value, tmp_path, rf"beitraege-{YEAR}\.xlsx"))
    assert rows == len(MEMBERS)
    assert sums["Soll"] == stated["Soll"] == page_due
    assert sums["Offen"] == stated["Offen"] == page_due
    assert sums["Bezahlt"] == stated["Bezahlt"] == 0

    # The fees a direct debit can collect: SEPA and open.
    page.get_by_label("Status", exact=True).select_option(label="offen")
    page.get_by_label("Zahlungsart", exact=True).select_option(label="SEPA-Lastschrift")
    page.get_by_role("button", name="Filter anwenden").click()
    sepa_count = sum(1 for m in MEMBERS if m.sepa)
    expect(page.locator("#total-count")).to_have_text(str(sepa_count))
    check_a11y(page)
    sepa_due = shown_cents(page, "#total-due")
    assert sepa_due == SEPA_CENTS
    with page.expect_download() as filtered_csv:
        page.get_by_role("link", name="CSV", exact=True).click()
    rows, sums = csv_sums(save(filtered_csv.value, tmp_path / "filtered", rf"beitraege-{YEAR}\.csv"))
    assert (rows, sums["Soll"]) == (sepa_count, sepa_due), "the export follows the list's filters"

    # The SEPA file: preview, then the POST that creates it; the page it leads to downloads it.
    page.get_by_role("link", name="SEPA-Lastschrift", exact=True).click()
    expect(heading).to_have_text(f"SEPA-Lastschrift {YEAR}")
    expect(page.locator("#sepa-count")).to_have_text(str(sepa_count))
    check_a11y(page)
    assert shown_cents(page, "#sepa-total") == sepa_due
    snapshot(page, "sepa-preview")
    with page.expect_download() as xml_download:
        page.get_by_role("button", name="Datei erzeugen und herunterladen").click()
    xml_path = save(xml_download.value, tmp_path, rf"lastschrift-{YEAR}-core-\d{{4}}-\d\d-\d\d-\d+\.xml")
    xml = xml_path.read_bytes()
    figures = sepa_sums(xml)
    assert figures["count"] == figures["transactions"] == sepa_count
    assert figures["control_sum"] == figures["batch_sums"] == figures["amounts"] == sepa_due
    assert figures["schemes"] == {"CORE"}
    assert figures["currencies"] == {"EUR"}

    # The page shows the state after the file at once (no reload): nothing left to collect, the
    # file is kept and can be fetched again.
    expect(page.get_by_role("status").filter(has_text="Lastschriftdatei erzeugt")).to_be_visible()
    expect(page.get_by_text("Keine offenen Beiträge für dieses Verfahren.")).to_be_visible()
    expect(page.get_by_role("button", name="Datei erzeugen und herunterladen")).to_have_count(0)
    assert "download=" not in page.url, "a reload must not download the file again"
    stored = page.get_by_role("row").filter(has=page.get_by_role("link", name="herunterladen"))
    expect(stored).to_have_count(1)
    check_a11y(page)
    with page.expect_download() as again:
        stored.get_by_role("link", name="herunterladen").click()
    assert save(again.value, tmp_path / "again", re.escape(xml_path.name)).read_bytes() == xml

    # Back on the list the debited fees are "eingereicht" and still count as open until paid.
    page.get_by_role("navigation", name="Pfad").get_by_role("link").click()
    expect(heading).to_have_text(f"Beitragsübersicht {YEAR}")
    check_a11y(page)
    assert shown_cents(page, "#total-open") == TOTAL_CENTS
    expect(page.locator(".fee-status", has_text="eingereicht")).to_have_count(sepa_count)


def test_fee_list_status_is_whole_on_a_phone(server, open_page):
    """At 375 px every status badge of the fee list is on screen, not cut off by the table."""
    page = open_page("manager", phone=True)
    page.goto(f"/fees/{date.today().year}/")  # the demo data has this year's fees
    expect(page.locator(".fee-status").first).to_be_visible()
    check_a11y(page)
    cut = page.evaluate(
        """() => [...document.querySelectorAll(".fee-status")].filter((badge) => {
            const box = badge.getBoundingClientRect();
            const frame = badge.closest(".table-responsive").getBoundingClientRect();
            return box.right > Math.min(frame.right, document.documentElement.clientWidth) + 0.5;
        }).map((badge) => badge.closest("tr").innerText.replace(/\\s+/g, " ").slice(0, 80))"""
    )
    snapshot(page, "fee-list-phone")
    assert not cut, f"status badges cut off at 375 px: {cut[:5]}"
