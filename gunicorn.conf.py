"""Gunicorn settings, read automatically by ``gunicorn wsgi:app`` started in the repository root.

Command-line options still win; this file only adds what every deployment wants.
"""

from __future__ import annotations

import gc
import os
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Move the loaded app's objects out of the garbage collector's reach.

    After start-up a worker holds some hundred thousand long-lived objects (modules, SQLAlchemy
    mappers, Jinja environments). Left in the collected generations, every full collection walks
    all of them: a request that triggers one takes tens of milliseconds longer (the p99 spikes
    in benchmarks/README.md). ``gc.freeze()`` parks them in the permanent generation; objects
    made later are collected as usual. ``CRM_GC_FREEZE=0`` switches it off to measure the effect.
    """
    if os.environ.get("CRM_GC_FREEZE", "1") != "0":
        gc.freeze()
        worker.log.debug("gc.freeze(): %s objects frozen", gc.get_freeze_count())
