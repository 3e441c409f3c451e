"""Scale: the large-installation seed, the Redis switch for scaling out, and SQLite holding up
under many writers at once (a file database, as production runs it)."""

import io
import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from monev.log_chain import check_report
from monev.models import (
    Indicator,
    LogAction,
    Office,
    Realisation,
    Report,
    SopStep,
    StepLog,
)

from .conftest import make_report

ROOT = Path(settings.BASE_DIR)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child Django process: the project settings, nothing from pytest."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="sutera_kinerja.settings",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


# --- seed_scale ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_scale_builds_offices_with_archived_history_and_refuses_a_second_run(client):
    call_command("seed_scale", offices=2, years=2, indicators=10, stdout=io.StringIO())

    offices = Office.objects.filter(code__startswith="skala-")
    assert offices.count() == 2
    office = offices.get(code="skala-01")
    assert Indicator.objects.filter(office=office).count() == 10
    reports = Report.objects.filter(office=office)
    open_reports = [r for r in reports if not r.is_archived]
    assert len(open_reports) == 1  # the current quarter, on its way
    archived = [r for r in reports if r.is_archived]
    assert len(archived) >= 4
    steps = SopStep.objects.filter(sop=archived[0].sop).count()
    for report in archived:
        completed = set(
            StepLog.objects.filter(report=report, action=LogAction.COMPLETE).values_list(
                "step_number", flat=True
            )
        )
        assert len(completed) == steps
        assert Realisation.objects.filter(report=report).count() == 10
    # Its bulk-written history is hash-chained like one the services wrote.
    assert all(check_report(report).intact for report in reports)
    # Reports follow one another: each archived before the next one opened.
    ordered = sorted(reports, key=lambda r: (r.year, r.quarter))
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before.archived_at <= after.opened_at

    user = get_user_model().objects.get(username="skala01_sekretaris")
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert client.get(archived[-1].get_absolute_url()).status_code == 200

    with pytest.raises(CommandError, match="sudah ada"):
        call_command("seed_scale", offices=1, years=1, indicators=5)


# --- scaling out: REDIS_URL ------------------------------------------------------------------

PRINT_BACKENDS = (
    "from django.conf import settings; "
    "print(settings.CACHES['default']['BACKEND']); print(settings.SESSION_ENGINE); "
    "print(settings.CACHES['default'].get('LOCATION', ''))"
)


def backends(**env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_BACKENDS],
        cwd=ROOT,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split("\n")[:3]


def test_redis_url_moves_cache_and_sessions_to_redis():
    url = "redis://127.0.0.1:6379/3"
    assert backends(REDIS_URL=url) == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cache",
        url,
    ]


def test_without_redis_url_cache_and_sessions_stay_local():
    cache, sessions, _location = backends()
    assert cache == "django.core.cache.backends.locmem.LocMemCache"
    assert sessions == "django.contrib.sessions.backends.db"


# --- SQLite under 20 concurrent writers --------------------------------------------------------

WRITERS = 20

# Runs in a child process against the file database: every writer waits at a barrier, then all
# save their section's data at once, each on its own connection. Prints what went wrong.
CONCURRENT_SAVES = """
import json, sys, threading, traceback
from decimal import Decimal
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from monev.services.data_checks import IndicatorEntry
from monev.services.section_data import section_data_save

jobs = json.loads(sys.argv[1])
barrier = threading.Barrier(len(jobs))
errors = []

def save(job):
    try:
        user = get_user_model().objects.get(pk=job["user"])
        entries = [
            IndicatorEntry(
                indicator_id=int(indicator),
                value=Decimal(value),
                driving="Didukung koordinasi nagari.",
                inhibiting="Data nagari terlambat.",
                follow_up="Rapat koordinasi bulanan.",
            )
            for indicator, value in job["values"].items()
        ]
        barrier.wait(timeout=30)
        section_data_save(
            report_id=job["report"], section_id=job["section"], actor=user, revision=0,
            indicators=entries, activities=[],
        )
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}\\n{traceback.format_exc()}")
    finally:
        connection.close()

threads = [threading.Thread(target=save, args=(job,)) for job in jobs]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=60)
print(json.dumps({"errors": errors, "alive": sum(t.is_alive() for t in threads)}))
"""


def copy_test_database_to(path: Path) -> None:
    """The test database (with everything committed so far) as a file SQLite database."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="checks the SQLite default")
def test_sqlite_file_database_takes_twenty_concurrent_saves(demo_indicators, users, tmp_path):
    office = demo_indicators
    # Four reports at step 2 (Isi Data Triwulan) x five sections: twenty distinct sheets.
    reports = [make_report(office, quarter=q, step=2) for q in (1, 2, 3, 4)]
    jobs = []
    for report in reports:
        for section in office.sections.order_by("order"):
            kasi = section.staff.get().user
            number = len(jobs) + 1
            values = {
                str(indicator.pk): str(Decimal(number) + Decimal(k) / 10)
                for k, indicator in enumerate(Indicator.objects.filter(section=section))
            }
            jobs.append(
                {"report": report.pk, "section": section.pk, "user": kasi.pk, "values": values}
            )
    assert len(jobs) == WRITERS
    database = tmp_path / "sutera.sqlite3"
    copy_test_database_to(database)

    result = subprocess.run(
        [sys.executable, "-c", CONCURRENT_SAVES, json.dumps(jobs)],
        cwd=ROOT,
        env=child_env(DATABASE_URL=f"sqlite:///{database}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"errors": [], "alive": 0}

    reader = sqlite3.connect(database)
    try:
        mode = reader.execute("PRAGMA journal_mode").fetchone()[0]
        sheets = reader.execute(
            "SELECT report_id, section_id, revision FROM monev_sectionsheet WHERE kind = 'data'"
        ).fetchall()
        stored = {
            (report, indicator): Decimal(value)
            for report, indicator, value in reader.execute(
                "SELECT report_id, indicator_id, CAST(value AS TEXT) FROM monev_realisation"
            )
        }
        changes = reader.execute("SELECT count(*) FROM monev_realisationchange").fetchone()[0]
    finally:
        reader.close()
    assert mode == "wal"
    assert sorted(sheets) == sorted((job["report"], job["section"], 1) for job in jobs)
    expected = {
        (job["report"], int(indicator)): Decimal(value)
        for job in jobs
        for indicator, value in job["values"].items()
    }
    assert stored == expected  # every write landed, none overwrote another
    assert changes == len(expected)
