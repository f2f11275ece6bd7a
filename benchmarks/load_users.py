"""Locust users of the load test; started by ``benchmarks/load.py``, which passes the settings.

One user class, logged in as a manager (who may do everything in the mix), with the task
weights of issue #10: 70 % list and detail pages, 20 % logged contacts (the quick-log form's
POST with its CSRF token), 10 % dashboard and exports. Every request's time is recorded and
written, with the number of contacts the server confirmed, to the result file on exit.
"""

from __future__ import annotations

import json
import os
import random
import re
import urllib.parse
from collections import defaultdict
from typing import Any

from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

CONFIG: dict[str, Any] = json.loads(os.environ["CRM_LOAD_CONFIG"])
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KINDS = ("call", "visit", "email")

samples: dict[str, list[float]] = defaultdict(list)
errors: list[str] = []
contacts = {"confirmed": 0, "failed": 0, "sent": 0}


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: Any, **_kw: Any) -> None:
    if name.startswith("setup"):
        return  # login and the form that hands out the CSRF token are not part of the mix
    samples[name].append(response_time)
    if exception is not None:
        errors.append(f"{request_type} {name}: {exception!r}"[:300])


@events.quitting.add_listener
def _write_result(**_kw: Any) -> None:
    with open(CONFIG["result_file"], "w", encoding="utf-8") as sink:
        json.dump({"samples_ms": samples, "errors": errors, "contacts": contacts}, sink)


class Manager(FastHttpUser):
    """A logged-in manager: without think time a closed loop, else a pause of 0.5–1.5 × think time."""

    think = float(CONFIG.get("think_time", 0))
    wait_time = between(think / 2, think * 1.5) if think else constant(0)

    def on_start(self) -> None:
        page = self.client.get("/login", name="setup: GET /login").text or ""
        data = {"email": CONFIG["email"], "password": CONFIG["password"], "csrf_token": _token(page)}
        with self.client.post(
            "/login", data=data, name="setup: POST /login", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login answered {answer.status_code}")
                raise StopUser()
        # The session's CSRF token is valid for every form of the session (Flask-WTF).
        self.csrf = _token(self.client.get("/activities/new", name="setup: GET /activities/new").text or "")

    @task(20)
    def companies(self) -> None:
        """The company list: a page of the whole list, or a search by the start of a name."""
        if random.random() < 0.5:
            self.client.get(f"/organisations/?page={random.randint(1, 20)}", name="list: companies")
        else:
            q = urllib.parse.quote(random.choice(CONFIG["name_prefixes"]))
            self.client.get(f"/organisations/?q={q}", name="list: companies ?q")

    @task(30)
    def company(self) -> None:
        self.client.get(f"/organisations/{random.choice(CONFIG['organisation_ids'])}", name="detail: company")

    @task(10)
    def door_openers(self) -> None:
        self.client.get("/door-openers/", name="list: door-openers")

    @task(10)
    def follow_ups(self) -> None:
        self.client.get(
            f"/follow-ups/?assignee={random.choice(CONFIG['assignee_ids'])}", name="list: follow-ups"
        )

    @task(20)
    def log_contact(self) -> None:
        """The quick log's POST; the server confirms with a redirect to the company's timeline."""
        contacts["sent"] += 1
        number = contacts["sent"]
        data = {
            "csrf_token": self.csrf,
            "organisation_id": str(random.choice(CONFIG["organisation_ids"])),
            "kind": random.choice(KINDS),
            "subject": f"{CONFIG['subject_prefix']}{number}",
            "notes": "Rückfrage zu Schulungsterminen im Frühjahr.",
        }
        with self.client.post(
            "/activities/new",
            data=data,
            name="write: log contact",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and "/organisations/" in (answer.headers.get("Location") or ""):
                contacts["confirmed"] += 1
                answer.success()
            else:
                contacts["failed"] += 1
                answer.failure(f"log contact answered {answer.status_code}")

    @task(10)
    def dashboard_or_export(self) -> None:
        path = random.choice(CONFIG["heavy_paths"])
        self.client.get(path, name="heavy: " + re.sub(r"/\d+/", "/<id>/", path.split("?", 1)[0]))


def _token(page: str) -> str:
    found = TOKEN.search(page)
    return found.group(1) if found else ""
