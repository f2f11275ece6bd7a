"""Demo companies and contact persons, inserted in batches (scale L: 100,000 in well under a minute)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

import click
import sqlalchemy as sa
from faker import Faker

from crm.auth.models import User
from crm.core.demo import DemoContext
from crm.extensions import db
from crm.organisations.demo_data import FUNCTIONS, STREETS, TOWNS, TRADES
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange
from crm.organisations.normalise import (
    name_key,
    register_key,
    search_words,
    sort_key,
    token_words,
    website_domain,
)
from crm.organisations.sizeclass import derive_size_class
from crm.organisations.vocab import Stage

BATCH = 5000
# Size mix dominated by micro and small firms: (weight, staff range, turnover per FTE range).
SIZES = [(70, (1, 9.5)), (22, (10, 49)), (7, (50, 249)), (1, (250, 900))]
STAGES = [
    (Stage.LEAD, 45),
    (Stage.CONTACTED, 20),
    (Stage.NEEDS_ANALYSIS, 10),
    (Stage.OFFER, 6),
    (Stage.CUSTOMER, 8),
    (Stage.PARTNER, 5),
    (Stage.DORMANT, 4),
    (Stage.LOST, 2),
]
LEGAL = ["GmbH", "GmbH", "GmbH", "e.K.", "UG (haftungsbeschränkt)", "GmbH & Co. KG", "KG", "GbR", "OHG", "AG"]
BULK_TABLES = ("organisations", "contact_persons", "organisation_search_tokens", "stage_changes")


_TRADE_CUM = list(accumulate(t[3] for t in TRADES))
_SIZE_CUM = list(accumulate(w for w, _ in SIZES))
_STAGE_CUM = list(accumulate(w for _, w in STAGES))
_CONTACT_COUNTS = [0, 1, 2, 3, 4, 5]
_CONTACT_CUM = list(accumulate([4, 20, 25, 25, 16, 10]))


def _pools(seed: int) -> dict[str, list[str]]:
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    return {
        "last": list({fake.last_name() for _ in range(3000)}),
        "first_f": list({fake.first_name_female() for _ in range(600)}),
        "first_m": list({fake.first_name_male() for _ in range(600)}),
    }


def _company(rng: random.Random, pools: dict[str, list[str]]) -> tuple[str, str, str, str]:
    section, trade, chamber, _weight = rng.choices(TRADES, cum_weights=_TRADE_CUM)[0]
    last = rng.choice(pools["last"])
    legal = rng.choice(LEGAL)
    pattern = rng.random()
    if pattern < 0.45:
        name = f"{trade} {last} {legal}"
    elif pattern < 0.7:
        name = f"{last} {trade} {legal}"
    elif pattern < 0.85:
        name = f"{last} & {rng.choice(pools['last'])} {legal}"
    else:
        name = f"{trade} {last}"
        legal = "Einzelunternehmen"
    return name, legal, section, chamber


def _figures(rng: random.Random) -> tuple[float | None, int | None, int | None]:
    if rng.random() < 0.08:
        return None, None, None
    _w, (low, high) = rng.choices(SIZES, cum_weights=_SIZE_CUM)[0]
    employees = round(rng.uniform(low, high) * 2) / 2
    if rng.random() < 0.35:
        return employees, None, None  # headcount only: provisional class
    turnover = int(employees * rng.uniform(60_000, 180_000))
    balance = int(turnover * rng.uniform(0.3, 0.9))
    return employees, turnover, balance


def _stamp(rng: random.Random, now: datetime, days: int) -> datetime:
    return now - timedelta(days=rng.uniform(0, days), seconds=rng.randint(0, 86_400))


def _plain(table: sa.Table) -> sa.TableClause:
    """The table without column types: batch inserts skip per-value Python conversion."""
    return sa.table(table.name, *(sa.column(c.name) for c in table.columns))


class Stamps:
    """Timestamps and dates as the column types would send them (naive UTC text on SQLite)."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite

    def at(self, value: datetime) -> Any:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value


def insert_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ready-made rows (values already in database form) in one executemany."""
    if rows:
        connection.execute(sa.insert(_plain(table)), rows)


def _indexes(names: tuple[str, ...]) -> list[sa.Index]:
    return [index for table in db.metadata.sorted_tables if table.name in names for index in table.indexes]


def seed_organisations(context: DemoContext) -> None:
    """Insert ``context.organisations`` companies with ~3 contacts each (Core batch inserts)."""
    rng = context.rng
    pools = _pools(rng.randint(0, 10**6))
    owners = (
        context.ids.get("staff") or context.ids.get("users") or list(db.session.scalars(sa.select(User.id)))
    )
    start = (db.session.scalar(sa.select(sa.func.max(Organisation.id))) or 0) + 1
    contact_start = (db.session.scalar(sa.select(sa.func.max(ContactPerson.id))) or 0) + 1
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC inside the generator
    stamps = Stamps(db.session.connection().dialect.name == "sqlite")
    bulk = context.organisations >= 30_000
    connection = db.session.connection()
    dropped = _indexes(BULK_TABLES) if bulk else []
    for index in dropped:  # building indexes once after the load is far cheaper
        index.drop(connection)

    ids: list[int] = []
    with click.progressbar(length=context.organisations, label="Unternehmen") as bar:
        for offset in range(0, context.organisations, BATCH):
            count = min(BATCH, context.organisations - offset)
            orgs, contacts, tokens, stages = [], [], [], []
            for n in range(count):
                org_id = start + offset + n
                org, people = _one(rng, pools, org_id, owners, now, stamps)
                for person in people:
                    person["id"] = contact_start
                    contact_start += 1
                orgs.append(org)
                contacts.extend(people)
                names = [n for p in people for n in (p["first_name"], p["last_name"])]
                words = token_words(org["name"], org["city"], *names)
                tokens.extend({"organisation_id": org_id, "token": w} for w in words)
                stages.append(
                    {
                        "organisation_id": org_id,
                        "from_stage": None,
                        "to_stage": Stage.LEAD,
                        "changed_at": org["created_at"],
                        "changed_by_id": org["created_by_id"],
                        "is_automatic": False,
                    }
                )
                if org["stage"] != Stage.LEAD:
                    stages.append(
                        {
                            "organisation_id": org_id,
                            "from_stage": Stage.LEAD,
                            "to_stage": org["stage"],
                            "changed_at": org["stage_changed_at"],
                            "changed_by_id": org["owner_id"],
                            "is_automatic": False,
                        }
                    )
                ids.append(org_id)
            insert_rows(connection, Organisation.__table__, orgs)
            insert_rows(connection, ContactPerson.__table__, contacts)
            insert_rows(connection, OrganisationSearchToken.__table__, tokens)
            insert_rows(connection, StageChange.__table__, stages)
            bar.update(count)
    if dropped:
        click.echo("Indizes werden aufgebaut …")
        for index in dropped:
            index.create(connection)
    context.ids["organisations"] = ids


def _one(
    rng: random.Random,
    pools: dict[str, list[str]],
    org_id: int,
    owners: list[int],
    now: datetime,
    stamps: Stamps,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    name, legal, section, chamber = _company(rng, pools)
    town, low, high, region = rng.choice(TOWNS)
    employees, turnover, balance = _figures(rng)
    size, provisional = derive_size_class(employees, turnover, balance)
    stage = rng.choices(STAGES, cum_weights=_STAGE_CUM)[0][0]
    created_dt = _stamp(rng, now, 5 * 365)
    created = stamps.at(created_dt)
    slug = "-".join(search_words(name.split(" ")[0] + " " + name.split(" ")[1]))[:30]
    website = f"www.{slug}.de" if rng.random() < 0.7 else None
    domain = website_domain(website)
    owner = rng.choice(owners) if owners and rng.random() < 0.85 else None
    register = (
        f"HRB {rng.randint(1000, 230000)}"
        if legal in ("GmbH", "GmbH & Co. KG", "AG", "UG (haftungsbeschränkt)") and rng.random() < 0.6
        else None
    )
    trained = rng.random() < (0.6 if stage in (Stage.CUSTOMER, Stage.PARTNER) else 0.15)
    org = {
        "id": org_id,
        "name": name,
        "legal_form": legal,
        "street": f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
        "postcode": f"{rng.randint(low, high):05d}",
        "city": town,
        "region": region,
        "website": website,
        "phone": f"0{rng.randint(30, 9999)} {rng.randint(10000, 9999999)}",
        "email": f"info@{domain}" if domain else None,
        "register_number": register,
        "founded_on": stamps.day(date(rng.randint(1950, 2022), rng.randint(1, 12), rng.randint(1, 28))),
        "wz_section": section,
        "wz_version": "WZ2008",
        "chamber": "both" if rng.random() < 0.04 else chamber,
        "employees": employees,
        "turnover_eur": turnover,
        "balance_sheet_eur": balance,
        "figures_year": 2025 if employees is not None else None,
        "size_class": size.value if size else None,
        "size_class_provisional": provisional,
        "size_class_override": None,
        "size_class_override_reason": None,
        "stage": stage.value,
        "stage_changed_at": stamps.at(changed_dt := created_dt + (now - created_dt) * rng.random()),
        "won_at": stamps.at(changed_dt) if stage in (Stage.CUSTOMER, Stage.PARTNER) else None,
        "stage_reason": "Kein Bedarf" if stage == Stage.LOST else None,
        "owner_id": owner,
        "is_training_active": trained,
        "notes": None,
        "first_contact_at": None,
        "last_contact_at": None,
        "is_archived": False,
        "archived_at": None,
        "merged_into_id": None,
        "created_at": created,
        "updated_at": created,
        "created_by_id": owner,
        "version": 1,
        "name_sort": sort_key(name),
        "name_key": name_key(name),
        "website_domain": domain,
        "register_key": register_key(register),
    }
    people = []
    for _ in range(rng.choices(_CONTACT_COUNTS, cum_weights=_CONTACT_CUM)[0]):
        female = rng.random() < 0.5
        first = rng.choice(pools["first_f" if female else "first_m"])
        last = rng.choice(pools["last"])
        local = "-".join(search_words(first))[:20] + "." + "-".join(search_words(last))[:30]
        people.append(
            {
                "organisation_id": org_id,
                "salutation": "frau" if female else "herr",
                "title": None,
                "first_name": first,
                "last_name": last,
                "function": rng.choice(FUNCTIONS),
                "is_decision_maker": rng.random() < 0.4,
                "email": f"{local}@{domain}" if domain else None,
                "phone": org["phone"][:-2] + f"{rng.randint(10, 99)}",
                "mobile": None,
                "notes": None,
                "legal_basis": "legitimate_interest",
                "data_source": "Demo-Daten",
                "informed_on": None,
                "email_consent": False,
                "email_consent_on": None,
                "email_consent_method": None,
                "email_consent_wording": None,
                "marketing_blocked": rng.random() < 0.02,
                "marketing_blocked_on": None,
                "is_archived": False,
                "created_at": created,
                "updated_at": created,
                "version": 1,
            }
        )
    return org, people
