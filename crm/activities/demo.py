"""Demo staff, ~20 contacts per company over five years, follow-ups (some overdue), needs analyses.

Scale L (100,000 companies) means about two million contacts, so rows are written as plain tuples
(``executemany`` on SQLite, ``COPY`` on PostgreSQL) with the secondary indexes dropped meanwhile.
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

import click
import sqlalchemy as sa
from faker import Faker

from crm.activities import demo_texts as texts
from crm.activities.dates import LOCAL_TZ
from crm.activities.models import Activity, FollowUp, NeedsAnalysis, NeedsTopic, activity_participants
from crm.activities.models import needs_analysis_topics as na_topics
from crm.auth.models import Role, User
from crm.auth.passwords import generate_password, hash_password
from crm.core.demo import DemoContext
from crm.extensions import db
from crm.organisations.models import ContactPerson, Organisation

STAFF = {"XS": 3, "S": 8, "M": 12, "L": 20}
BATCH = 20_000
DAY = 86_400
# Contacts per company by stage (low, high): leads have none yet; customers and partners many.
PER_STAGE = {
    "lead": (0, 0),
    "contacted": (1, 10),
    "needs_analysis": (8, 30),
    "offer": (15, 50),
    "customer": (40, 150),
    "partner": (60, 200),
    "dormant": (3, 25),
    "lost": (2, 12),
}
KINDS = [("call", 45), ("email", 25), ("visit", 14), ("online_meeting", 8), ("event", 5), ("letter", 3)]
KIND_NAMES = [k for k, _ in KINDS]
_KIND_CUM = [c / 100 for c in accumulate(w for _, w in KINDS)]
_NO_REPORT = (None, None, None)


def _report(rand: Any) -> tuple[str, str, str]:
    """A visit report: participants, topics, impressions."""
    return tuple(  # type: ignore[return-value]
        pool[int(rand() * len(pool))]
        for pool in (texts.REPORT_PARTICIPANTS, texts.REPORT_TOPICS, texts.REPORT_IMPRESSIONS)
    )


ACTIVE_STAGES = {"contacted", "needs_analysis", "offer", "customer", "partner"}
BUDGETS = [(None, None), (1_000, 5_000), (5_000, 15_000), (10_000, 30_000), (None, 2_000), (20_000, None)]


def seed_staff(context: DemoContext) -> None:
    """A team of staff users (20 at scale L) who own companies and log contacts; no known passwords."""
    fake = Faker("de_DE")
    fake.seed_instance(context.rng.randint(0, 10**6))
    password_hash = hash_password(generate_password())  # nobody can log in until an admin sets one
    existing = set(db.session.scalars(sa.select(User.email)))
    for n in range(1, STAFF[context.scale] + 1):
        email = f"team{n:02d}@example.org"
        if email not in existing:
            db.session.add(User(email=email, name=fake.name(), role=Role.STAFF, password_hash=password_hash))
    db.session.flush()
    context.ids["staff"] = list(
        db.session.scalars(
            sa.select(User.id).where(User.is_active.is_(True), User.role != Role.ADMIN).order_by(User.id)
        )
    )


class Writer:
    """Buffered bulk writes of tuples in column order."""

    def __init__(self, connection: sa.Connection, table: sa.Table, columns: Sequence[str]) -> None:
        self.connection, self.table, self.columns = connection, table, list(columns)
        self.postgres = connection.dialect.name == "postgresql"
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        names = ", ".join(self.columns)
        if self.postgres:
            cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY {self.table.name} ({names}) FROM STDIN") as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(self.columns))
            self.connection.exec_driver_sql(
                f"INSERT INTO {self.table.name} ({names}) VALUES ({marks})",  # noqa: S608 - fixed names
                self.rows,
            )
        self.count += len(self.rows)
        self.rows = []


class Clock:
    """Epoch seconds to the database's timestamp and date form (SQLite text is built from a cache)."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite
        self._days: dict[int, str] = {}

    def at(self, ts: float) -> Any:
        if not self.sqlite:
            return datetime.fromtimestamp(ts, UTC)
        seconds = int(ts)
        day, rest = divmod(seconds, DAY)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = time.strftime("%Y-%m-%d ", time.gmtime(day * DAY))
        return prefix + _TIMES[rest // 60]

    def day(self, ts: float) -> Any:
        value = datetime.fromtimestamp(ts, LOCAL_TZ).date()
        return value.isoformat() if self.sqlite else value


# From this many companies on, the contact tables' indexes are dropped for the load and rebuilt after.
DROP_INDEXES_FROM = 30_000
_TIMES = [f"{m // 60:02d}:{m % 60:02d}:00.000000" for m in range(24 * 60)]  # to the minute


def _indexes(tables: Iterable[sa.Table]) -> list[sa.Index]:
    return [index for table in tables for index in table.indexes]


def seed_activities(context: DemoContext) -> None:
    """About 20 contacts per company (by stage), their follow-ups and needs analyses."""
    org_ids = context.ids.get("organisations") or []
    if not org_ids:
        return
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    staff = context.ids.get("staff") or list(db.session.scalars(sa.select(User.id)))
    low, high = min(org_ids), max(org_ids)
    org_t = Organisation.__table__
    orgs = connection.execute(
        sa.select(org_t.c.id, org_t.c.stage, org_t.c.owner_id, org_t.c.created_at, org_t.c.employees)
        .where(org_t.c.id.between(low, high))
        .order_by(org_t.c.id)
    ).all()
    contacts: dict[int, list[int]] = {}
    cp = ContactPerson.__table__
    for org_id, contact_id in connection.execute(
        sa.select(cp.c.organisation_id, cp.c.id).where(cp.c.organisation_id.between(low, high))
    ):
        contacts.setdefault(org_id, []).append(contact_id)
    topics = list(db.session.scalars(sa.select(NeedsTopic.id).where(NeedsTopic.is_active.is_(True))))

    tables = [
        Activity.__table__,
        activity_participants,
        FollowUp.__table__,
        NeedsAnalysis.__table__,
        na_topics,
    ]
    dropped = _indexes(tables) if len(orgs) >= DROP_INDEXES_FROM else []
    if sqlite:  # a bigger page cache for the load and the index builds (this connection only)
        connection.exec_driver_sql("PRAGMA cache_size = -200000")
    for index in dropped:  # one index build after the load is far cheaper than millions of updates
        index.drop(connection)
    generator = _Generator(context.rng, Clock(sqlite), staff, contacts, topics, connection)
    with click.progressbar(orgs, label="Kontakte") as bar:
        for org in bar:
            generator.company(org)
    generator.finish()
    if dropped:
        click.echo("Indizes werden aufgebaut …")
        for index in dropped:
            index.create(connection)
    _sync_sequences(connection)
    counts = [
        f"{w.count:,}".replace(",", ".")
        for w in (generator.activities, generator.follow_ups, generator.analyses)
    ]
    click.echo("  {} Kontakte, {} Wiedervorlagen, {} Bedarfsanalysen".format(*counts))


def _sync_sequences(connection: sa.Connection) -> None:
    """PostgreSQL: move id sequences past ids the demo data set explicitly (companies, contacts, …)."""
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, sa.Integer):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 - metadata names
                f"GREATEST((SELECT max(id) FROM {table.name}), 1))"
            )


class _Generator:
    """Makes one company's history at a time and hands the rows to the writers."""

    def __init__(
        self,
        rng: random.Random,
        clock: Clock,
        staff: list[int],
        contacts: dict[int, list[int]],
        topics: list[int],
        connection: sa.Connection,
    ) -> None:
        self.rng, self.clock, self.staff, self.contacts, self.topics = rng, clock, staff, contacts, topics
        self.now = time.time()
        self.today = datetime.now(LOCAL_TZ).date()
        self.connection = connection
        ids = [
            connection.execute(sa.select(sa.func.max(t.c.id))).scalar() or 0
            for t in (Activity.__table__, FollowUp.__table__, NeedsAnalysis.__table__)
        ]
        self.next_activity, self.next_follow_up, self.next_analysis = (i + 1 for i in ids)
        self.activities = Writer(connection, Activity.__table__, ACTIVITY_COLUMNS)
        self.participants = Writer(connection, activity_participants, ("activity_id", "contact_person_id"))
        self.follow_ups = Writer(connection, FollowUp.__table__, FOLLOW_UP_COLUMNS)
        self.analyses = Writer(connection, NeedsAnalysis.__table__, ANALYSIS_COLUMNS)
        self.analysis_topics = Writer(connection, na_topics, ("needs_analysis_id", "topic_id"))
        self.last_contacts: list[tuple[Any, Any, int]] = []

    def _ts(self, value: Any) -> float:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()

    def company(self, org: Any) -> None:
        rand = self.rng.random
        org_id, stage, owner = org.id, str(org.stage), org.owner_id
        start = self._ts(org.created_at)
        low, high = PER_STAGE.get(stage, (0, 0))
        count = low + int(rand() * (high - low + 1)) if high else 0
        span = max(self.now - start, DAY)
        # Working hours: a random day, then 07:00-17:00 UTC (08:00-19:00 in Berlin).
        latest = self.now - 600
        times = sorted(
            min(latest, (start + rand() * span) // DAY * DAY + 25_200 + int(rand() * 36_000))
            for _ in range(count)
        )
        if times:
            self._activities(org_id, owner, self.contacts.get(org_id, []), times)
            self.last_contacts.append((self.clock.at(times[-1]), self.clock.at(times[0]), org_id))
            if stage in ACTIVE_STAGES and rand() < 0.25:
                self._follow_up(org_id, owner, None, times[-1], open_=True)
        if stage not in ("lead", "contacted") and (stage not in ("dormant", "lost") or rand() < 0.3):
            for _ in range(2 if rand() < 0.2 else 1):
                self._analysis(org_id, owner, start, org.employees)
        self.flush()

    def _user(self, owner: int | None) -> int:
        if owner is not None and self.rng.random() < 0.75:
            return owner
        return self.rng.choice(self.staff)

    def _activities(self, org_id: int, owner: int | None, people: list[int], times: list[float]) -> None:
        """The hot loop (two million rows at scale L): plain ``random()`` and local names only."""
        rand, at_of = self.rng.random, self.clock.at
        staff, n_staff, n_people = self.staff, len(self.staff), len(people)
        add_activity, add_participant = self.activities.rows.append, self.participants.rows.append
        notes, outcomes, steps = texts.NOTES, texts.OUTCOMES, texts.NEXT_STEPS
        for ts in times:
            kind = KIND_NAMES[bisect.bisect(_KIND_CUM, rand())]
            at = at_of(ts)
            activity_id = self.next_activity
            self.next_activity += 1
            user = owner if owner is not None and rand() < 0.75 else staff[int(rand() * n_staff)]
            subjects = texts.SUBJECTS[kind]
            report = kind == "visit" and rand() < 0.6
            add_activity(
                (activity_id, org_id, kind, at, user, subjects[int(rand() * len(subjects))],
                 notes[int(rand() * len(notes))] if rand() < 0.35 else None,
                 outcomes[int(rand() * len(outcomes))] if rand() < 0.4 else None,
                 steps[int(rand() * len(steps))] if rand() < 0.25 else None,
                 *(_report(rand) if report else _NO_REPORT), at, at, 1)
            )  # fmt: skip
            if n_people:
                roll = rand()
                if roll < 0.53:
                    first = int(rand() * n_people)
                    add_participant((activity_id, people[first]))
                    if roll < 0.08 and n_people > 1:
                        add_participant((activity_id, people[(first + 1) % n_people]))
            if rand() < 0.06:
                self._follow_up(org_id, user, activity_id, ts, open_=False)

    def _follow_up(
        self, org_id: int, user: int | None, activity_id: int | None, ts: float, *, open_: bool
    ) -> None:
        rng = self.rng
        due_ts = ts + rng.randint(2, 30) * DAY
        due = datetime.fromtimestamp(due_ts, LOCAL_TZ).date()
        if open_:
            if due < self.today - timedelta(days=60):  # keep overdue ones recent-ish
                due = self.today - timedelta(days=rng.randint(0, 30))
            if rng.random() < 0.6:  # most open ones lie ahead
                due = self.today + timedelta(days=rng.randint(0, 60))
        if due.weekday() >= 5:  # nobody schedules for the weekend
            due += timedelta(days=7 - due.weekday())
        if open_:
            done_at = done_by = None
        elif due >= self.today:
            return  # a historic follow-up would still be open: skip it
        else:
            done_at, done_by = self.clock.at(min(self.now, due_ts + rng.randint(-2, 5) * DAY)), user
        follow_up_id = self.next_follow_up
        self.next_follow_up += 1
        created = self.clock.at(ts)
        due_value = due.isoformat() if self.clock.sqlite else due
        postponed = rng.choice((0, 0, 0, 1, 2))
        assignee = user if user is not None else self.rng.choice(self.staff)
        self.follow_ups.add(
            (follow_up_id, org_id, activity_id, assignee, due_value, rng.choice(texts.FOLLOW_UPS),
             done_at, done_by, None, postponed, assignee, created, created, 1)
        )  # fmt: skip

    def _analysis(self, org_id: int, owner: int | None, start: float, employees: float | None) -> None:
        rng = self.rng
        ts = start + rng.random() * max(self.now - start - DAY, DAY)
        analysis_id = self.next_analysis
        self.next_analysis += 1
        budget = rng.choice(BUDGETS)
        cap = max(1, int(employees or 10))
        flags = [rng.random() < p for p in (0.6, 0.35, 0.25, 0.3)]
        self.analyses.add(
            (analysis_id, org_id, self.clock.day(ts), self._user(owner),
             rng.choice(("Englisch für den Vertrieb", "Excel-Grundlagen", None, None, None)),
             rng.randint(1, min(cap, 40)), *flags,
             budget[0] * 100 if budget[0] else None, budget[1] * 100 if budget[1] else None,
             rng.choice(texts.NEEDS_NOTES) if rng.random() < 0.5 else None,
             self._user(owner), self.clock.at(ts))
        )  # fmt: skip
        for topic in rng.sample(self.topics, min(len(self.topics), rng.randint(1, 4))):
            self.analysis_topics.add((analysis_id, topic))

    def flush(self, *, force: bool = False) -> None:
        """Write the buffered rows, parents before children (foreign keys are checked)."""
        writers = (self.activities, self.participants, self.follow_ups, self.analyses, self.analysis_topics)
        if force or any(len(w.rows) >= BATCH for w in writers):
            for writer in writers:
                writer.flush()

    def finish(self) -> None:
        self.flush(force=True)
        if self.last_contacts:  # raw executemany: no per-row statement building, updated_at untouched
            # The first contact (door-opener and dashboard figures) comes from the generated times too: a
            # correlated min() over the contacts ran before the indexes were rebuilt and read all
            # two million contacts once per company at scale L.
            mark = "?" if self.clock.sqlite else "%s"
            self.connection.exec_driver_sql(
                f"UPDATE organisations SET last_contact_at = {mark}, first_contact_at = {mark} "  # noqa: S608
                f"WHERE id = {mark}",
                self.last_contacts,
            )


ACTIVITY_COLUMNS = (
    "id", "organisation_id", "kind", "occurred_at", "user_id", "subject", "notes", "outcome", "next_step",
    "report_participants", "report_topics", "report_impressions", "created_at", "updated_at", "version",
)  # fmt: skip
FOLLOW_UP_COLUMNS = (
    "id", "organisation_id", "activity_id", "assignee_id", "due_on", "what", "done_at", "done_by_id",
    "done_activity_id", "postponed_count", "created_by_id", "created_at", "updated_at", "version",
)  # fmt: skip
ANALYSIS_COLUMNS = (
    "id", "organisation_id", "conducted_on", "conducted_by_id", "other_topics", "employees_to_train",
    "format_in_house", "format_online", "format_blended", "format_workplace", "budget_from_cents",
    "budget_to_cents", "notes", "created_by_id", "created_at",
)  # fmt: skip


def seed_activity_counts(context: DemoContext) -> None:
    """The seeders write contacts in bulk, past the services: build the contact-count summary once."""
    from crm.activities import summary

    summary.rebuild()
