"""The load test's own logic: write count check, percentiles, the mix's heavy paths.

No server and no clock here: the timed run is ``benchmarks/load.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import load


def test_write_check_is_exact_only_when_every_confirmed_contact_is_stored():
    assert load.WriteCheck(confirmed=120, failed=0, in_database=120).exact


@pytest.mark.parametrize(
    ("confirmed", "in_database", "lost", "unconfirmed"),
    [(120, 119, 1, 0), (120, 0, 120, 0), (120, 121, 0, 1)],
)
def test_write_check_names_lost_and_unconfirmed_writes(confirmed, in_database, lost, unconfirmed):
    check = load.WriteCheck(confirmed=confirmed, failed=1, in_database=in_database)
    assert not check.exact
    assert (check.lost, check.unconfirmed) == (lost, unconfirmed)
    assert "MISMATCH" in check.describe()


def test_percentiles_and_summary_of_the_mix():
    samples = {"list: companies": [float(n) for n in range(1, 101)], "write: log contact": [200.0]}
    stats = load.summarise(samples, seconds=10)
    assert stats["mix"]["n"] == 101
    assert stats["mix"]["rps"] == pytest.approx(10.1)
    assert stats["list: companies"]["p50"] == 51.0  # nearest rank of 100 samples
    assert stats["list: companies"]["p95"] == 95.0
    assert stats["mix"]["max"] == 200.0
    assert load.percentile([], 95) != load.percentile([], 95)  # NaN: nothing measured


def test_dashboard_joins_the_heavy_share_only_when_it_answers():
    without = load.heavy_paths(404, [3, 7])
    assert load.DASHBOARD_PATH not in without
    assert "/door-openers/3/report" in without and "/door-openers/7/report" in without
    assert any(path.startswith("/organisations/export.csv?") for path in without)
    assert load.heavy_paths(200, [3])[0] == load.DASHBOARD_PATH
