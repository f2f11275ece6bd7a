"""Driving an import through its pages like a manager in a browser."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from crm.extensions import db
from crm.imports.models import ImportBatch
from tests.conftest import post


def upload(client, data: bytes, name: str = "liste.csv"):
    return post(client, "/imports/", {"file": (io.BytesIO(data), name)}, form_page="/imports/")


def latest_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def confirm_mapping(client, batch: ImportBatch, mapping: list[str] | None = None, **extra):
    data = {f"col_{i}": t for i, t in enumerate(mapping if mapping is not None else batch.mapping)}
    data.update({"owner_id": "", "save_as": ""})
    data.update(extra)
    return post(client, f"/imports/{batch.id}/mapping", data)


def run_check(client, batch: ImportBatch, **extra):
    return post(client, f"/imports/{batch.id}/check", extra, form_page=f"/imports/{batch.id}/check")


def commit(client, batch: ImportBatch, mode: str = "all"):
    return post(
        client, f"/imports/{batch.id}/commit", {"mode": mode}, form_page=f"/imports/{batch.id}/preview"
    )


def prepare(client, data: bytes, name: str = "liste.csv", mapping: list[str] | None = None) -> ImportBatch:
    """Upload, map and check: the batch is then at the preview."""
    response = upload(client, data, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    batch = latest_batch()
    response = confirm_mapping(client, batch, mapping)
    assert response.status_code == 302, _errors(response)
    response = run_check(client, batch)
    assert response.status_code == 302
    batch = latest_batch()
    assert batch.status.value == "checked"
    return batch


def do_import(client, data: bytes, name: str = "liste.csv", mode: str = "all", mapping=None) -> ImportBatch:
    batch = prepare(client, data, name, mapping)
    response = commit(client, batch, mode)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/imports/{batch.id}"), _flashes(client)
    return latest_batch()


def _errors(response) -> str:
    return " | ".join(re.findall(r"invalid-feedback[^>]*>([^<]+)<", response.get_data(as_text=True)))


def _flashes(client) -> str:
    return client.get("/imports/").get_data(as_text=True)[:3000]
